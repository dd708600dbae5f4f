"""Shared test helpers: run component code under the offline mocks and inspect the result."""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Callable, Hashable, Sequence
from dataclasses import replace
from typing import Any, TypeVar

import pulumi
import pulumi_kubernetes as k8s

from components.cluster import AccessEntrySpec, EksCluster, EksClusterArgs, NodeGroupSpec
from components.identity.cluster_ref import ClusterRef
from components.identity.oidc import OidcTrust, OidcTrustArgs
from components.naming import digest
from components.synth import Recorded, SynthResult, run_program

ADMIN_ARN = "arn:aws:iam::123456789012:role/PlatformAdmin"


def run(program: Callable[[], Any], region: str = "us-west-2", stack: str = "test") -> SynthResult:
    """Run ``program`` (which creates components) under mocks; return everything it registered."""
    return run_program(program, project="eks-platform", stack=stack, config={"aws:region": region})


def cluster_args(**overrides: Any) -> EksClusterArgs:
    """Small valid EksClusterArgs; override any field."""
    base = EksClusterArgs(
        cluster_name="test",
        vpc_id="vpc-0123456789abcdef0",
        private_subnet_ids=["subnet-0a", "subnet-0b"],
        public_subnet_ids=["subnet-1a", "subnet-1b"],
        access_entries={
            "platform": AccessEntrySpec(principal_arn=ADMIN_ARN, policy="cluster-admin")
        },
        node_groups={"general": NodeGroupSpec()},
    )
    return replace(base, **overrides)


def make_cluster(name: str = "test", **overrides: Any) -> EksCluster:
    """Inside a program: an EksCluster (it owns its OidcTrust, ``cluster.oidc``)."""
    return EksCluster(name, cluster_args(**overrides))


_T = TypeVar("_T")


def shared(produce: Callable[..., _T]) -> Callable[..., _T]:
    """``produce`` (a synth, or anything built from plain data) run once per test process for
    each set of (hashable) arguments; every call returns a deep copy of that one result, so
    tests that share it cannot change what another test sees, and each test still gets it
    when run alone or in any order."""
    once = functools.cache(produce)

    @functools.wraps(produce)
    def fresh(*args: Hashable) -> _T:
        return copy.deepcopy(once(*args))

    return fresh


@shared
def default_cluster() -> SynthResult:
    """The synth of ``make_cluster()`` alone (EksCluster ``test`` of :func:`cluster_args`), with
    its outputs exported under their attribute names; one synth per test process, a copy each
    call (:func:`shared`)."""

    return run(lambda: export_outputs(make_cluster()))


CLUSTER_OUTPUTS = (
    "cluster_name",
    "endpoint",
    "oidc_issuer_url",
    "oidc_provider_arn",
    "kubeconfig",
    "vpc_id",
    "node_role_arns",
    "cluster_security_group_id",
)


def export_outputs(cluster: EksCluster) -> None:
    """Inside a program: export the cluster's :data:`CLUSTER_OUTPUTS` under their names."""
    for key in CLUSTER_OUTPUTS:
        pulumi.export(key, getattr(cluster, key))


def light_cluster(name: str = "test", uses_fargate: bool = False) -> ClusterRef:
    """Inside a program: a reference to a cluster made elsewhere, from plain values (a provider
    and an adopted OIDC provider: two registrations), for tests of what runs on a cluster."""
    host = f"oidc.eks.us-west-2.amazonaws.com/id/{digest(name, 32).upper()}"
    return ClusterRef(
        key=name,
        name=name,
        provider=k8s.Provider(f"{name}-k8s", kubeconfig="{}"),
        kubeconfig=pulumi.Output.secret("{}"),
        vpc_id="vpc-0123456789abcdef0",
        oidc=OidcTrust(
            f"{name}-oidc",
            OidcTrustArgs(provider_arn=f"arn:aws:iam::123456789012:oidc-provider/{host}"),
        ),
        cluster_security_group_id="sg-0123456789abcdef0",
        uses_fargate=uses_fargate,
    )


def refused(program: Callable[[], Any], name: str | None = None, **kwargs: Any) -> str:
    """Run ``program``, which must be refused with a one-line error; the error message.

    Nothing may have been registered, or, with ``name``, nothing of the refused component
    (resources named ``name`` or ``name-...``): what the program made before it may exist.
    """
    recorded: list[Recorded] = []
    try:
        run_program(
            program,
            project="eks-platform",
            stack=kwargs.get("stack", "test"),
            config={"aws:region": kwargs.get("region", "us-west-2")},
            recorded=recorded,
        )
    except ValueError as error:
        own = [
            r.name
            for r in recorded
            if name is None or r.name == name or r.name.startswith(f"{name}-")
        ]
        assert own == [], f"registered before refusing: {own}"
        assert "\n" not in str(error), f"not one line: {error}"
        return str(error)
    raise AssertionError("the program was not refused")


def refusals(
    setup: Callable[[], _T],
    attempts: Sequence[Callable[[_T], Any]],
    region: str = "us-west-2",
    stack: str = "test",
) -> tuple[list[str | None], SynthResult]:
    """One program for many refusals that need the same (costly) setup: ``setup()`` once, then
    every attempt with what it returned, each in its own ``try``; the message of the ValueError
    each raised (None: not refused, a failure for its test) and everything the program
    registered.

    The program then runs to its end, so ``result.resources`` holds every registration, also
    those a failing program would have left unsettled: a test that asserts nothing of a refused
    component was registered checks it against all attempts, its own included. Cache the call
    (``functools.cache``) to share it between the tests of a module.
    """
    errors: list[str | None] = []

    def program() -> None:
        made = setup()
        for attempt in attempts:
            try:
                attempt(made)
            except ValueError as error:
                errors.append(str(error))
            else:
                errors.append(None)

    result = run(program, region=region, stack=stack)
    return errors, result


def doc(resource: Recorded, key: str) -> Any:
    """An input that holds a JSON document (a policy), parsed."""
    value = resource.inputs[key]
    return json.loads(value) if isinstance(value, str) else value


def manifest(resource: Recorded) -> dict[str, Any]:
    """The Kubernetes object as the provider would apply it, from the recorded inputs."""
    return {
        k: resource.inputs[k]
        for k in ("apiVersion", "kind", "metadata", "spec")
        if k in resource.inputs
    }


def with_path(obj: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A deep copy of ``obj`` with the dotted ``path`` set, or deleted for ``...``.

    A list index is a number in the path: ``with_path(pool, "spec.template.spec.taints.0", ...)``.
    """
    result: dict[str, Any] = json.loads(json.dumps(obj))
    *parents, last = path.split(".")
    node: Any = result
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    key: Any = int(last) if isinstance(node, list) else last
    if value is ...:
        del node[key]
    else:
        node[key] = value
    return result


def depends_on(result: SynthResult, resource: Recorded, other: Recorded) -> bool:
    """Whether ``resource`` depends on ``other`` directly, or on a component that contains it."""
    parents = {other.urn}
    by_urn = {r.urn: r for r in result.resources}
    node = other
    while node.parent:
        parents.add(node.parent)
        node = by_urn[node.parent]
    return bool(parents & set(resource.dependencies))


__all__ = [
    "ADMIN_ARN",
    "cluster_args",
    "default_cluster",
    "depends_on",
    "doc",
    "light_cluster",
    "make_cluster",
    "manifest",
    "refusals",
    "refused",
    "run",
    "shared",
    "with_path",
]
