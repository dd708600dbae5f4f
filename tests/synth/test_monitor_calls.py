"""The offline monitor answers the SDK's calls in the program's thread, one at a time: a
registration never runs inside another (which would nest deeper with every pending one)."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from components import IrsaRole, WorkloadRoleArgs
from components.synth.record import RecordingMonitor
from tests.support import light_cluster, run


def test_registrations_are_answered_one_at_a_time_in_the_programs_thread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    original = RecordingMonitor.RegisterResource
    depth, deepest, threads = [0], [0], set()

    def register(self: RecordingMonitor, request: Any) -> Any:
        depth[0] += 1
        deepest[0] = max(deepest[0], depth[0])
        threads.add(threading.get_ident())
        try:
            return original(self, request)
        finally:
            depth[0] -= 1

    monkeypatch.setattr(RecordingMonitor, "RegisterResource", register)

    def program() -> None:
        cluster = light_cluster()
        for i in range(20):
            IrsaRole(
                f"app-{i}",
                WorkloadRoleArgs(cluster=cluster, namespace="apps", service_account=f"app-{i}"),
            )

    result = run(program)
    assert sum(r.type == "eks-platform:index:IrsaRole" for r in result.resources) == 20
    assert deepest[0] == 1
    assert threads == {threading.get_ident()}
