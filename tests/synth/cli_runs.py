"""Synths of the project's stacks through the command line, run once per test run and read by
several tests (they never change them).

``dev``: the dev stack as ``make synth SYNTH_JSON=...`` runs it (the policy pack and dev's
policy config included), read by the tests of the JSON contract (tests/synth/test_synth.py)
and of the policy pack through the command line (tests/policy_pack/test_offline.py).
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path
from typing import Any

import pytest

from components.synth import main
from tests.conftest import once_per_run

ROOT = Path(__file__).resolve().parents[2]
PACK_DIR = ROOT / "policy-pack"
ARGS = {
    "dev": [
        *("--program", str(ROOT), "--stack", "dev"),
        *("--policy-pack", str(PACK_DIR), "--policy-config", str(PACK_DIR / "config" / "dev.json")),
    ],
    "prod": ["--program", str(ROOT), "--stack", "prod"],
}


_RUNS: dict[str, dict[str, Any]] = {}


def cli_run(tmp_path_factory: pytest.TempPathFactory, name: str) -> dict[str, Any]:
    """``python -m components.synth <ARGS[name]> --json FILE``, in this process, once per test
    run (pytest-xdist's workers share it): ``status``, ``stdout``, ``stderr`` and ``json`` (the
    text written, or None)."""
    if name not in _RUNS:
        _RUNS[name] = _cli_run(tmp_path_factory, name)
    return _RUNS[name]


def _cli_run(tmp_path_factory: pytest.TempPathFactory, name: str) -> dict[str, Any]:

    def run(directory: Path) -> dict[str, Any]:
        out = directory / f"{name}.json"
        stdout, stderr = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            status = main([*ARGS[name], "--json", str(out)])
        return {
            "status": status,
            "stdout": stdout.getvalue(),
            "stderr": stderr.getvalue(),
            "json": out.read_text() if out.exists() else None,
        }

    result: dict[str, Any] = once_per_run(tmp_path_factory, f"cli-{name}", run)
    return result
