"""Helpers of the policy-pack tests."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from components.synth import SynthResult, run_program
from components.synth.policy import LoadedPack, PolicyReport, evaluate, records

ROOT = Path(__file__).resolve().parents[2]
PACK_DIR = ROOT / "policy-pack"
STACKS = ["dev", "staging", "prod"]


def synth(program: Callable[[], Any], stack: str = "test") -> SynthResult:
    """Run an app team's program (a function) under the offline synth's mocks."""
    return run_program(program, project="apps", stack=stack, config={"aws:region": "us-west-2"})


def check(
    pack: LoadedPack, result: SynthResult, config: dict[str, Any] | None = None
) -> PolicyReport:
    """The pack's verdict on what the program registered, with a policy config."""
    return evaluate(pack, result.resources, config or {})


def stack_config(stack: str) -> dict[str, Any]:
    """policy-pack/config/<stack>.json: the stack's declared exceptions and principals."""
    document: dict[str, Any] = json.loads((PACK_DIR / "config" / f"{stack}.json").read_text())
    return document


def snapshot_report(pack: LoadedPack, stack: str, config: dict[str, Any]) -> PolicyReport:
    """The pack on tests/snapshots/<stack>.json (the synth of the stack)."""
    document = json.loads((ROOT / "tests" / "snapshots" / f"{stack}.json").read_text())
    return evaluate(pack, records(document), config)


def violated(report: PolicyReport) -> set[str]:
    return {v.policy for v in report.violations}
