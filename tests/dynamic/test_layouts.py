"""A state written from one layout is destroyed from the other, through the real provider host.

The repository layout imports the library as ``components`` (``cwd`` and ``PYTHONPATH`` the
repository); the installed one as ``eks_platform`` (``PYTHONPATH`` only the directory the
wheel was installed into, ``cwd`` elsewhere): a provider host of each (``repository_host``,
``installed_host``, one process per layout shared by the tests). A stack moves between them
when its program switches from the repository to the package, or its CI from one checkout to
another: the state's providers must still ``Delete``. The states 0.2 wrote (references by
module path, ``tests/fixtures/state-0.2``) still resolve where their package is importable.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pulumi.dynamic.dynamic import serialize_provider

from components.addons.load_balancer_controller.cleanup import _Provider as LoadBalancerProvider
from tests.addons.test_provider_references import recorded, reference
from tests.dynamic.conftest import Stack
from tests.dynamic.fakes import FakeKubernetes
from tests.dynamic.host import Host
from tests.dynamic.test_by_value import globals_of

NETWORKING = "apis/networking.k8s.io/v1"


def props(provider: str, kubernetes: FakeKubernetes, cluster: str) -> dict[str, Any]:
    return {
        "__provider": provider,
        "kubeconfig": kubernetes.kubeconfig(cluster),
        "clusterName": cluster,
        "region": "us-west-2",
        "ingressClasses": ["alb"],
        "armed": True,
        "timeoutSeconds": 10,
        "pollSeconds": 0.05,
    }


def web(kubernetes: FakeKubernetes) -> Any:
    return kubernetes.put(
        NETWORKING, "ingresses", "web", "team-a", spec={"ingressClassName": "alb"}
    )


def test_written_from_the_repository_destroyed_from_the_installed_package(
    stack: Stack,
    kubernetes: FakeKubernetes,
    cluster: str,
    repository_host: Host,
    installed_host: Host,
) -> None:
    ingress = web(kubernetes)
    state = props(serialize_provider(LoadBalancerProvider()), kubernetes, cluster)
    repository_host.configure(stack.config)
    id_, outs = repository_host.create(
        "alb-cleanup", repository_host.check("alb-cleanup", {}, state)
    )
    installed_host.configure(stack.config)
    installed_host.delete("alb-cleanup", id_, outs)
    assert ingress not in kubernetes.objects


def test_written_from_the_installed_package_destroyed_from_the_repository(
    stack: Stack,
    kubernetes: FakeKubernetes,
    cluster: str,
    installed_site: Path,
    repository_host: Host,
    installed_host: Host,
) -> None:
    ingress = web(kubernetes)
    serialized = subprocess.run(
        [
            sys.executable,
            "-c",
            "from eks_platform.addons.load_balancer_controller.cleanup import _Provider\n"
            "from pulumi.dynamic.dynamic import serialize_provider\n"
            "print(serialize_provider(_Provider()))",
        ],
        cwd=installed_host.cwd,
        env={**stack.env, "PYTHONPATH": str(installed_site)},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.strip()
    assert globals_of(serialized) == ["builtins.eval"]  # no eks_platform in it either
    installed_host.configure(stack.config)
    id_, outs = installed_host.create(
        "alb-cleanup",
        installed_host.check("alb-cleanup", {}, props(serialized, kubernetes, cluster)),
    )
    repository_host.configure(stack.config)
    repository_host.delete("alb-cleanup", id_, outs)
    assert ingress not in kubernetes.objects


@pytest.mark.parametrize("layout", ["components", "eks_platform"])
def test_the_references_0_2_wrote_still_destroy_where_their_package_is(
    stack: Stack,
    kubernetes: FakeKubernetes,
    cluster: str,
    layout: str,
    request: pytest.FixtureRequest,
) -> None:
    """No marker and no ``armed`` in such a state: the delete runs, as it did in 0.2."""
    if layout == "components":
        old = recorded("components.load_balancer_cleanup")
        host: Host = request.getfixturevalue("repository_host")
    else:
        old = reference("eks_platform.load_balancer_cleanup")
        host = request.getfixturevalue("installed_host")
    state = {k: v for k, v in props(old, kubernetes, cluster).items() if k != "armed"}
    ingress = web(kubernetes)
    host.configure(stack.config)
    host.delete("alb-cleanup", f"{cluster}-load-balancer-cleanup", state)
    assert ingress not in kubernetes.objects
