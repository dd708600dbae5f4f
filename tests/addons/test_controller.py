"""The one add-on shape: what every add-on gets from ``addons/controller.py``."""

from __future__ import annotations

from collections.abc import Callable

import pulumi_kubernetes as k8s
import pytest

from components import (
    ClusterRef,
    ExternalDns,
    ExternalDnsArgs,
    ExternalSecrets,
    ExternalSecretsArgs,
    HostedZone,
    LoadBalancerController,
    LoadBalancerControllerArgs,
)
from tests.support import refused


def _no_oidc() -> ClusterRef:
    """A cluster referenced without its OIDC trust (as a program may build one by hand)."""
    return ClusterRef(
        key="bare",
        name="bare",
        provider=k8s.Provider("bare-k8s", kubeconfig="{}"),
        vpc_id="vpc-0123456789abcdef0",
    )


ADDONS: dict[str, Callable[[], object]] = {
    "LoadBalancerController": lambda: LoadBalancerController(
        "alb", LoadBalancerControllerArgs(cluster=_no_oidc())
    ),
    "ExternalDns": lambda: ExternalDns(
        "dns",
        ExternalDnsArgs(
            cluster=_no_oidc(),
            zones=[HostedZone(zone_id="Z0123456789ABCDEFGHIJ", domain="example.com")],
        ),
    ),
    "ExternalSecrets": lambda: ExternalSecrets(
        "eso", ExternalSecretsArgs(cluster=_no_oidc(), secret_prefixes=["app/"])
    ),
}


@pytest.mark.parametrize("kind", sorted(ADDONS))
def test_irsa_without_the_clusters_oidc_trust_is_refused_naming_the_add_on(kind: str) -> None:
    name = {"LoadBalancerController": "alb", "ExternalDns": "dns", "ExternalSecrets": "eso"}[kind]
    message = refused(ADDONS[kind], name)
    assert message.startswith(f"{kind} '{name}': identity: 'irsa' needs the cluster's OIDC trust")
