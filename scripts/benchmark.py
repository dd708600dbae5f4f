"""Speed and scale of the offline synth (not a test: numbers to watch, printed as a table).

    .venv/bin/python -m scripts.benchmark [--roles N] [--node-groups N] [--repeat N]

Measures, in one process: the synth of every stack (first run pays the imports), and a
large program: one cluster with N node groups and N IRSA roles.
"""

from __future__ import annotations

import argparse
import functools
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from components.iam import RolePolicyArgs
from components.irsa import IrsaRole, IrsaRoleArgs
from components.node_group import NodeGroupSpec
from components.synth import SynthResult, run_program, synth
from stacks import ENVIRONMENTS
from tests.support import make_cluster

ROOT = Path(__file__).resolve().parent.parent


def timed(fn: Callable[[], SynthResult], repeat: int) -> tuple[float, float, int]:
    times, count = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        count = len(fn().resources)
        times.append(time.perf_counter() - start)
    return times[0], statistics.median(times[1:] or times), count


def large_program(node_groups: int, roles: int) -> Callable[[], SynthResult]:
    def program() -> None:
        groups = {f"g{i}": NodeGroupSpec() for i in range(node_groups)}
        cluster, oidc = make_cluster(node_groups=groups)
        for i in range(roles):
            IrsaRole(
                f"app-{i}",
                IrsaRoleArgs(
                    cluster=cluster.ref,
                    oidc=oidc,
                    namespace=f"team-{i % 10}",
                    service_account=f"app-{i}",
                    policies=RolePolicyArgs(
                        managed_policy_arns=["arn:aws:iam::aws:policy/ReadOnlyAccess"]
                    ),
                ),
            )

    return lambda: run_program(program, "eks-platform", "bench", {"aws:region": "us-west-2"})


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


if __name__ == "__main__":
    main()
