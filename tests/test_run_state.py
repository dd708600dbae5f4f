"""What a program run remembers goes with the run: a process that runs many programs (the
Automation API, this test suite) neither sees an earlier run's claims nor keeps its resources."""

from __future__ import annotations

import gc
import weakref

import pulumi

from components import IrsaRole, WorkloadRoleArgs, run_state
from tests.support import light_cluster, run


def test_runs_do_not_keep_each_others_resources() -> None:
    kept: list[weakref.ref[pulumi.Resource]] = []

    def program() -> None:
        role = IrsaRole(
            "reports-reader",
            WorkloadRoleArgs(cluster=light_cluster(), namespace="reports", service_account="r"),
        )
        kept.append(weakref.ref(role.role))

    for _ in range(16):
        run(program)
    gc.collect()
    alive = [ref for ref in kept if ref() is not None]
    # The latest run's root is still current, and asyncio's event loop may hold the context of
    # one more run; the others are gone (all sixteen stayed while registries outlived runs).
    assert len(alive) <= 3, f"{len(alive)} of 16 runs' roles are still alive"


def test_each_run_starts_with_its_own_state() -> None:
    seen: list[dict[str, int]] = []

    def program() -> None:
        state: dict[str, int] = run_state.registry("test-counter", dict)
        state["runs"] = state.get("runs", 0) + 1
        seen.append(dict(state))

    run(program)
    run(program)
    assert seen == [{"runs": 1}, {"runs": 1}]
