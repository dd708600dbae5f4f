"""The built wheel, installed into a fresh virtualenv, as another team's program uses it.

The program has a ``components/`` folder of its own (common in Pulumi projects): the
library's installed name, ``eks_platform``, must not collide with it. The program is
synthed with the installed ``python -m eks_platform.synth``, and type-checked with mypy
against the installed package (``py.typed``) with the settings docs/use-in-your-program.md gives
users, which must report a wrong argument type, quickly. The wheel and its virtualenv are the
``installed`` fixture (tests/conftest.py), which tests/misuse also runs programs with.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROGRAM = """
import pulumi

from components.tags import TEAM_TAGS  # the program's own components/ folder
from eks_platform import ClusterRef, IrsaRole, RoleSettings, WorkloadRoleArgs, permissions

cluster = ClusterRef.from_stack("acme/eks-platform/dev")
reader = IrsaRole(
    "reports-reader",
    WorkloadRoleArgs(
        cluster=cluster,
        namespace="reports",
        service_account="reader",
        permissions=[permissions.s3_read("acme-reports")],
        role=RoleSettings(tags=TEAM_TAGS),
    ),
)
pulumi.export("roleArn", reader.role_arn)
"""

WRONG = """
from eks_platform import ClusterRef, IrsaRole, WorkloadRoleArgs
from eks_platform import IrsaRoleArg

cluster = ClusterRef.from_stack("acme/eks-platform/dev")
IrsaRole("x", WorkloadRoleArgs(cluster=cluster, namespace=42, service_account="reader"))
"""

USER_DOCS = ROOT / "docs" / "use-in-your-program.md"
MYPY_SECONDS = 15
"""How long a cold type check of a small program may take (CPU seconds of mypy)."""


def documented_mypy_ini() -> str:
    """The mypy settings the user documentation gives (the ``ini`` block of its section
    "Type-checking your program")."""
    section = USER_DOCS.read_text().split("## Type-checking your program", 1)[1]
    return section.split("```ini\n", 1)[1].split("```", 1)[0]


def _team_program(root: Path) -> Path:
    program = root / "team-app"
    (program / "components").mkdir(parents=True)
    (program / "components" / "__init__.py").write_text("")
    (program / "components" / "tags.py").write_text('TEAM_TAGS = {"team": "reports"}\n')
    (program / "Pulumi.yaml").write_text("name: team-app\nruntime: python\n")
    (program / "Pulumi.dev.yaml").write_text("config:\n  aws:region: us-west-2\n")
    (program / "__main__.py").write_text(PROGRAM)
    return program


def test_the_installed_package_synths_a_program_with_its_own_components_folder(
    installed: Path, tmp_path: Path
) -> None:
    program = _team_program(tmp_path)
    out = tmp_path / "synth.json"
    proc = subprocess.run(
        [str(installed), "-m", "eks_platform.synth", "--stack", "dev", "--json", str(out)],
        cwd=program,
        capture_output=True,
        text=True,
        timeout=120,
        env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
    )
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(out.read_text())
    (role,) = [r for r in doc["resources"] if r["type"] == "aws:iam/role:Role"]
    assert role["inputs"]["tags"] == {"team": "reports"}
    assert doc["outputs"]["roleArn"].startswith("arn:aws:iam::123456789012:role/reports-reader-")
    # Nothing named `components` was installed: the program's own folder was used.
    proc = subprocess.run(
        [str(installed), "-c", "import importlib.util as u; print(u.find_spec('components'))"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert proc.stdout.strip() == "None"


def test_mypy_sees_the_installed_type_hints(installed: Path, tmp_path: Path) -> None:
    """With the documented settings, a cold check (no cache) of a small program and of the
    app-team example, outside the repository, is quick and finds the misspelt import and the
    wrong argument."""
    program = _team_program(tmp_path)
    (program / "wrong.py").write_text(WRONG)
    shutil.copy(ROOT / "examples" / "app-team" / "__main__.py", program / "app_team.py")
    (program / "mypy.ini").write_text(documented_mypy_ini())
    mypy = Path(sys.executable).parent / "mypy"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    proc = subprocess.run(
        [
            str(mypy),
            "--python-executable",
            str(installed),
            "--cache-dir",
            str(tmp_path / "cache"),
            "__main__.py",
            "app_team.py",
            "wrong.py",
        ],
        cwd=program,
        capture_output=True,
        text=True,
        timeout=300,
    )
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    # CPU time is what the settings decide; the wall clock also depends on what else the
    # machine runs (the test suite runs in parallel), so it only has a generous bound.
    assert cpu < MYPY_SECONDS, f"mypy took {cpu:.1f} s of CPU ({wall:.1f} s)"
    assert wall < 4 * MYPY_SECONDS, f"mypy took {wall:.1f} s ({cpu:.1f} s of CPU)"
    lines = [line for line in proc.stdout.splitlines() if ": error:" in line]
    assert len(lines) == 2, proc.stdout
    assert lines[0].startswith("wrong.py:3:")  # a name the package does not export
    assert 'Module "eks_platform" has no attribute "IrsaRoleArg"' in lines[0]
    assert lines[1].startswith("wrong.py:6:")
    assert 'Argument "namespace" to "WorkloadRoleArgs" has incompatible type "int"' in lines[1]


def test_the_wheel_lists_every_package_of_the_library() -> None:
    """pyproject.toml names the wheel's packages one by one (the eks_platform -> components
    mapping rules out setuptools' discovery): a new package must be listed, or the installed
    library fails to import it."""
    import tomllib

    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = {
        ".".join(["eks_platform", *p.parent.relative_to(ROOT / "components").parts])
        for p in (ROOT / "components").rglob("__init__.py")
        if "__pycache__" not in p.parts
    }
    assert listed == found
