"""Realistic mistakes of an app team's program, each refused in one line before anything of the
failing component is registered (issue 19, point 10).

The programs (tests/misuse/cases.py) are written as a team writes them: a ``__main__.py``
importing ``eks_platform``, a ``Pulumi.yaml`` and a ``Pulumi.dev.yaml``, in directories outside
the repository, run by the built wheel installed in a fresh virtualenv (the ``installed``
fixture). One process of that virtualenv, tests/misuse/driver.py, runs them all: it forks a
child per program that does what ``python -m eks_platform.synth --program DIR --stack dev``
does, so each program runs in a process of its own without paying for the imports again
(``test_the_driver_runs_programs_as_the_command_line_does`` holds it to the real command; the
driver's docstring says what differs).

For each mistake: exit status 1, nothing on stdout, exactly one line on stderr, ``error: ``
then the component (or helper) and the field, then what the case says. "Nothing of the failing
component registered": the synth writes no ``--json`` when it fails, so the driver records the
URN of every resource the mock engine accepted (the Pulumi SDK's monitor, which the synth runs
programs under), and the program without its mistake (its ``setup``, the baseline) is synthed
too, must succeed, and must have registered every URN the program with the mistake registered:
the mistake adds nothing. A value given as an Output is checked once known, after its component
registered itself: there, that component's own URN (and none of its children) is allowed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import once_per_run
from tests.misuse.cases import CASES, Misuse, program

HERE = Path(__file__).resolve().parent
PROJECT = "reports-app"
PROJECT_FILES = {
    "Pulumi.yaml": f"name: {PROJECT}\nruntime: python\n",
    "Pulumi.dev.yaml": "config:\n  aws:region: eu-west-1\n",
}
COMPARED = ("misspelt-keyword", "namespace-output-upper-case")
"""Cases also run as ``python -m eks_platform.synth``, to compare with the driver's children."""


def _baseline_key(case: Misuse) -> str:
    return json.dumps([case.setup, sorted(case.files.items())])


def _write(directory: Path, body: str, files: dict[str, str]) -> None:
    directory.mkdir()
    for name, text in {**PROJECT_FILES, **files}.items():
        (directory / name).write_text(text)
    (directory / "__main__.py").write_text(program(body))


def _args(case: Misuse) -> list[str]:
    """The synth's arguments besides --program and --stack (run from the programs' parent)."""
    return [arg.replace("{dir}", case.id) for arg in case.args]


def _synth_all(python: str, root: Path) -> dict[str, Any]:
    """Write every program and its baseline under ``root``; synth them all with the driver."""
    baselines: dict[str, str] = {}
    runs: list[dict[str, Any]] = []
    for case in CASES:
        key = _baseline_key(case)
        if key not in baselines:
            baselines[key] = f"baseline-{len(baselines)}"
            _write(root / baselines[key], case.setup, dict(case.files))
            runs.append({"id": baselines[key], "program": baselines[key], "args": []})
        _write(root / case.id, case.setup + case.code, dict(case.files))
        runs.append({"id": case.id, "program": case.id, "args": _args(case)})
    (root / "runs.json").write_text(json.dumps(runs, indent=1))
    shutil.copy(HERE / "driver.py", root / "driver.py")
    proc = subprocess.run(
        [python, "driver.py", "runs.json", "results.json"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=600,
        env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
    )
    assert proc.returncode == 0, proc.stderr
    return {
        "root": str(root),
        "baselines": {case.id: baselines[_baseline_key(case)] for case in CASES},
        "results": json.loads((root / "results.json").read_text()),
    }


@pytest.fixture(scope="session")
def synthed(installed: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Every program of the table and its baseline, synthed once per test run."""
    synth = lambda root: _synth_all(str(installed), root)  # noqa: E731
    results: dict[str, Any] = once_per_run(tmp_path_factory, "misuse", synth)
    return results


def test_the_table() -> None:
    """At least forty mistakes, one program each, over every component, helper and check an
    app team meets."""
    assert len(CASES) >= 40
    assert len({case.id for case in CASES}) == len(CASES)
    named = {case.says.split(" '")[0].split(":")[0] for case in CASES}
    for who in (
        "IrsaRole",
        "PodIdentityRole",
        "ClusterRef.existing",
        "ClusterRef.from_stack",
        "ExternalSecrets",
        "ExternalSecret",
        "LoadBalancerController",
        "ExternalDns",
        "Karpenter",
        "NodeGroup",
        "ManagedAddon",
        "Network",
        "permissions.s3_read",
        "--stack-outputs",
    ):
        assert who in named, who
    said = " ".join(case.says for case in CASES)
    for what in ("WorkloadRoleArgs: unknown argument", "Duplicate resource URN", "has no output"):
        assert what in said, what


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_a_mistake_is_one_line_and_registers_nothing(case: Misuse, synthed: dict[str, Any]) -> None:
    root = Path(synthed["root"])
    baseline = synthed["results"][synthed["baselines"][case.id]]
    result = synthed["results"][case.id]
    # The program without the mistake synths.
    assert baseline["status"] == 0, baseline["stderr"]
    assert baseline["registered"], "the baseline registered nothing"

    assert result["status"] == 1, (result["status"], result["stderr"], root / case.id)
    assert result["stdout"] == ""
    lines = result["stderr"].splitlines()
    assert len(lines) == 1 and result["stderr"].endswith("\n"), result["stderr"]
    says = case.says
    if case.line_of is not None:
        text = program(case.setup + case.code).splitlines()
        (number,) = [i for i, line in enumerate(text, 1) if case.line_of in line]
        says = says.format(where=f"{case.id}/__main__.py:{number}")
    assert lines[0].startswith(f"error: {says}"), lines[0]
    for what in case.mentions:
        assert what in lines[0], (what, lines[0])

    assert result["registered"] is not None, "the synth's process died"
    added = set(result["registered"]) - set(baseline["registered"])
    if case.known_later is not None:
        own = {urn for urn in added if urn.endswith(f"${case.known_later}")}
        assert len(own) == 1, (case.known_later, sorted(added))
        added -= own
    assert not added, sorted(added)


def test_the_driver_runs_programs_as_the_command_line_does(
    installed: Path, synthed: dict[str, Any]
) -> None:
    """A program run by the installed ``python -m eks_platform.synth`` fails exactly as the
    driver's child did: same status, same output."""
    root = Path(synthed["root"])
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    cases = [case for case in CASES if case.id in COMPARED]
    assert len(cases) == len(COMPARED)
    procs = [
        subprocess.Popen(
            [str(installed), "-m", "eks_platform.synth", "--program", case.id, *_args(case)],
            cwd=root,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for case in cases
    ]
    for case, proc in zip(cases, procs, strict=True):
        stdout, stderr = proc.communicate(timeout=300)
        result = synthed["results"][case.id]
        assert (proc.returncode, stdout, stderr) == (
            result["status"],
            result["stdout"],
            result["stderr"],
        )
