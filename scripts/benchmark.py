"""Speed and scale of the offline synth and of the components (numbers to watch, not a test).

    .venv/bin/python -m scripts.benchmark [--roles N] [--node-groups N] [--repeat N]

Measures, in one process, under the same mocks:

* the synth of every stack (the first run pays the imports);
* a large program: one cluster with N node groups and N IRSA roles;
* the cost of the ``IrsaRole`` component itself: N roles through ``IrsaRole`` against the
  same resources (role, inline policy, annotated ServiceAccount) created directly, for N
  from 50 to 800. The ratio at N=200 is the overhead the component adds; a bare
  ComponentResource around the same resources costs about 1.23 in the Pulumi SDK.
"""

from __future__ import annotations

import argparse
import functools
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from components import permissions
from components.cluster_ref import ClusterRef
from components.irsa import IrsaRole
from components.node_group import NodeGroupSpec
from components.oidc import OidcTrust, OidcTrustArgs, ServiceAccountRef, web_identity_trust_policy
from components.synth import SynthResult, run_program, synth
from components.workload_identity import WorkloadRoleArgs
from stacks import ENVIRONMENTS
from tests.support import make_cluster

ROOT = Path(__file__).resolve().parent.parent
HOST = "oidc.eks.us-west-2.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF"
PROVIDER_ARN = f"arn:aws:iam::123456789012:oidc-provider/{HOST}"
RATIO_AT = 200
RATIO_LIMIT = 1.30


def timed(fn: Callable[[], SynthResult], repeat: int) -> tuple[float, float, int]:
    times, count = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        count = len(fn().resources)
        times.append(time.perf_counter() - start)
    return times[0], statistics.median(times[1:] or times), count


def run(program: Callable[[], None]) -> SynthResult:
    return run_program(program, "eks-platform", "bench", {"aws:region": "us-west-2"})


def large_program(node_groups: int, roles: int) -> Callable[[], SynthResult]:
    def program() -> None:
        groups = {f"g{i}": NodeGroupSpec() for i in range(node_groups)}
        cluster = make_cluster(node_groups=groups)
        for i in range(roles):
            IrsaRole(
                f"app-{i}",
                WorkloadRoleArgs(
                    cluster=cluster,
                    namespace=f"team-{i % 10}",
                    service_account=f"app-{i}",
                    managed_policy_arns={"readonly": "arn:aws:iam::aws:policy/ReadOnlyAccess"},
                ),
            )

    return lambda: run(program)


def _cluster() -> ClusterRef:
    """A cluster referenced with plain values: what neither variant has to compute."""
    return ClusterRef(
        key="bench",
        name="bench",
        provider=k8s.Provider("bench-k8s", kubeconfig="{}"),
        vpc_id="vpc-0123456789abcdef0",
        oidc=OidcTrust("bench-oidc", OidcTrustArgs(provider_arn=PROVIDER_ARN)),
    )


def _bucket(i: int) -> str:
    return f"arn:aws:s3:::bench-bucket-{i}"


def through_component(n: int) -> Callable[[], SynthResult]:
    def program() -> None:
        cluster = _cluster()
        for i in range(n):
            IrsaRole(
                f"app-{i}",
                WorkloadRoleArgs(
                    cluster=cluster,
                    namespace="apps",
                    service_account=f"app-{i}",
                    permissions=[permissions.s3_read(_bucket(i))],
                ),
            )

    return lambda: run(program)


def direct(n: int) -> Callable[[], SynthResult]:
    """The same resources with the same inputs, written out by hand."""

    def program() -> None:
        cluster = _cluster()
        for i in range(n):
            trust = web_identity_trust_policy(
                [(PROVIDER_ARN, HOST, [ServiceAccountRef("apps", f"app-{i}")])]
            )
            policy = permissions.policy_document([permissions.s3_read(_bucket(i))])
            role = aws.iam.Role(
                f"app-{i}",
                name=f"app-{i}-bench",
                path="/",
                assume_role_policy=json.dumps(trust),
                max_session_duration=3600,
                tags={},
            )
            aws.iam.RolePolicy(
                f"app-{i}-permissions", name="permissions", role=role.id, policy=json.dumps(policy)
            )
            k8s.core.v1.ServiceAccount(
                f"app-{i}-sa",
                metadata=k8s.meta.v1.ObjectMetaArgs(
                    name=f"app-{i}",
                    namespace="apps",
                    annotations={
                        "eks.amazonaws.com/role-arn": role.arn,
                        "eks.amazonaws.com/sts-regional-endpoints": "true",
                    },
                    labels={"app.kubernetes.io/managed-by": "pulumi"},
                ),
                opts=pulumi.ResourceOptions(provider=cluster.provider),
            )

    return lambda: run(program)


def component_overhead(repeat: int) -> None:
    print()
    print(f"{'IRSA roles':>10} {'IrsaRole s':>11} {'direct s':>9} {'ratio':>6} {'s per role':>11}")
    results: dict[int, tuple[float, float]] = {}
    for n in (50, 100, 200, 400, 800):
        # Interleaved, so that both variants see the same machine state.
        component_times, direct_times = [], []
        for _ in range(repeat):
            component_times.append(timed(through_component(n), 1)[0])
            direct_times.append(timed(direct(n), 1)[0])
        c, d = statistics.median(component_times), statistics.median(direct_times)
        results[n] = (c, d)
        print(f"{n:>10} {c:>11.2f} {d:>9.2f} {c / d:>6.2f} {c / n * 1000:>9.2f}ms")
    c, d = results[RATIO_AT]
    verdict = "within" if c / d <= RATIO_LIMIT else "OVER"
    print(f"ratio at N={RATIO_AT}: {c / d:.2f} ({verdict} the {RATIO_LIMIT} target)")
    growth = results[800][0] / results[50][0]
    print(
        f"growth N=50 -> 800 (x16 roles): time x{growth:.1f} "
        f"({'linear' if growth < 16 * 1.25 else 'worse than linear'})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--roles", type=int, default=100)
    parser.add_argument("--node-groups", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"{'what':<40} {'resources':>9} {'first s':>8} {'median s':>9}")
    for env in ENVIRONMENTS:
        first, median, count = timed(functools.partial(synth, ROOT, env), args.repeat)
        print(f"{'stack ' + env:<40} {count:>9} {first:>8.2f} {median:>9.2f}")
    label = f"{args.node_groups} node groups + {args.roles} IRSA roles"
    first, median, count = timed(large_program(args.node_groups, args.roles), args.repeat)
    print(f"{label:<40} {count:>9} {first:>8.2f} {median:>9.2f}")
    component_overhead(args.repeat)


if __name__ == "__main__":
    main()
