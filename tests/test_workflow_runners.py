"""Where the jobs run, and with which Pulumi CLI (docs/ci.md, "Runners", "The Pulumi CLI").

The deploy jobs run on the runner labels of the `EKS_DEPLOY_RUNNER*` variables; the previews
on those of `EKS_PREVIEW_RUNNER*` only, picked and checked by preview.yml's `runners` job,
which refuses a preview label that is one of the deploy labels (GitHub-hosted `ubuntu-latest`
excepted: a fresh machine per job), so approved pull-request code never runs on a machine
where the deploy roles are used. Every `pulumi/actions` step installs the same exact CLI
version, the SDK version of requirements.lock.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from tests.workflow_support import (
    DEPLOY,
    DOCS,
    PREVIEW,
    ROOT,
    STACKS,
    all_jobs,
    load,
    run_actionlint,
    steps_using,
    talks_to_a_cluster,
    workflow_files,
)

HOSTED = "ubuntu-latest"
PREVIEW_RUNS_ON = "${{ fromJSON(needs.runners.outputs.labels)[matrix.stack] }}"


def _runner_expression(*variables: str) -> str:
    return "${{ " + " || ".join([*(f"vars.{v}" for v in variables), f"'{HOSTED}'"]) + " }}"


def _deploy_runner(stack: str) -> str:
    return _runner_expression(f"EKS_DEPLOY_RUNNER_{stack.upper()}", "EKS_DEPLOY_RUNNER")


def _preview_runner(stack: str) -> str:
    return _runner_expression(f"EKS_PREVIEW_RUNNER_{stack.upper()}", "EKS_PREVIEW_RUNNER")


def _resolve(expression: str, variables: dict[str, str]) -> str:
    """GitHub's value of ``${{ vars.A || vars.B || 'literal' }}`` (an unset variable is '')."""
    match = re.fullmatch(r"\$\{\{ (.*) \}\}", expression)
    assert match, expression
    for term in match[1].split(" || "):
        if term.startswith("vars."):
            value = variables.get(term.removeprefix("vars."), "")
        else:
            value = term.strip("'")
        if value:
            return value
    return ""


def _guard_step() -> dict[str, Any]:
    job = load(PREVIEW)["jobs"]["runners"]
    (step,) = [s for s in job["steps"] if s.get("id") == "pick"]
    return step


def _run_guard(variables: dict[str, str], tmp_path: Path) -> tuple[int, dict[str, str], str]:
    """Run the `runners` job's script as the runner would (bash), with the repository
    variables ``variables``; its exit code, its `labels` output (parsed) and its messages."""
    step = _guard_step()
    output = tmp_path / "github_output"
    output.write_text("")
    env = {name: _resolve(value, variables) for name, value in step["env"].items()}
    result = subprocess.run(
        ["bash", "-c", step["run"]],
        env={"PATH": os.environ["PATH"], "GITHUB_OUTPUT": str(output), **env},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    labels: dict[str, str] = {}
    for line in output.read_text().splitlines():
        if line.startswith("labels="):
            labels = json.loads(line.removeprefix("labels="))
    return result.returncode, labels, result.stdout + result.stderr


# -- the jobs and their runner expressions -------------------------------------------------


def test_jobs_that_talk_to_a_cluster_run_on_the_runner_variables() -> None:
    talking = {(path.name, name) for path, name, job in all_jobs() if talks_to_a_cluster(job)}
    assert talking == {("preview.yml", "preview"), *(("deploy.yml", s) for s in STACKS)}
    deploy = load(DEPLOY)["jobs"]
    for stack in STACKS:
        assert deploy[stack]["runs-on"] == _deploy_runner(stack), stack
    jobs = load(PREVIEW)["jobs"]
    preview = jobs["preview"]
    assert preview["runs-on"] == PREVIEW_RUNS_ON
    assert "runners" in preview["needs"]
    assert "include" not in preview["strategy"]["matrix"]  # no runner of its own to pick
    runners = jobs["runners"]
    assert runners["runs-on"] == HOSTED and runners["outputs"] == {
        "labels": "${{ steps.pick.outputs.labels }}"
    }
    assert runners["if"] == preview["if"]


def test_the_guard_reads_the_preview_variables_and_exactly_the_deploy_jobs_runners() -> None:
    env = _guard_step()["env"]
    deploy = load(DEPLOY)["jobs"]
    assert env == {
        **{f"PREVIEW_{s.upper()}": _preview_runner(s) for s in STACKS},
        # The same strings as deploy.yml's runs-on: the guard compares what deploy really uses.
        **{f"DEPLOY_{s.upper()}": deploy[s]["runs-on"] for s in STACKS},
    }
    for stack in STACKS:
        assert "EKS_DEPLOY_RUNNER" not in env[f"PREVIEW_{stack.upper()}"]


def test_the_preview_and_deploy_runs_on_never_coincide() -> None:
    """No job's runs-on equals a deploy job's: the previews' is the guard's output."""
    deploy = {load(DEPLOY)["jobs"][s]["runs-on"] for s in STACKS}
    for path in workflow_files():
        for name, job in load(path)["jobs"].items():
            if path == DEPLOY:
                continue
            assert job["runs-on"] not in deploy, (path.name, name)


# -- the guard, run -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        ({}, {"dev": HOSTED, "staging": HOSTED, "prod": HOSTED}),
        ({"EKS_DEPLOY_RUNNER": "eks-deploy"}, {"dev": HOSTED, "staging": HOSTED, "prod": HOSTED}),
        (
            {
                "EKS_DEPLOY_RUNNER": "eks-deploy",
                "EKS_PREVIEW_RUNNER": "eks-preview",
                "EKS_PREVIEW_RUNNER_PROD": "eks-prod-preview",
            },
            {"dev": "eks-preview", "staging": "eks-preview", "prod": "eks-prod-preview"},
        ),
    ],
)
def test_the_guard_picks_the_preview_runners(
    variables: dict[str, str], expected: dict[str, str], tmp_path: Path
) -> None:
    code, labels, messages = _run_guard(variables, tmp_path)
    assert code == 0, messages
    assert labels == expected


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        (
            {"EKS_DEPLOY_RUNNER": "eks-vpc", "EKS_PREVIEW_RUNNER": "eks-vpc"},
            "the preview runner of dev is 'eks-vpc', a deploy runner",
        ),
        (  # another stack's deploy runner, another spelling: GitHub matches labels without case
            {"EKS_DEPLOY_RUNNER_PROD": "eks-prod", "EKS_PREVIEW_RUNNER_DEV": "EKS-Prod"},
            "the preview runner of dev is 'EKS-Prod', a deploy runner",
        ),
        (
            {"EKS_PREVIEW_RUNNER": "self-hosted, eks"},
            "preview runner of dev: 'self-hosted, eks' is not one runner label",
        ),
    ],
)
def test_the_guard_refuses_a_deploy_runner(
    variables: dict[str, str], message: str, tmp_path: Path
) -> None:
    code, labels, messages = _run_guard(variables, tmp_path)
    assert code != 0 and not labels
    assert f"::error::{message}" in messages, messages


def test_no_preview_ever_lands_on_a_deploy_runner(tmp_path: Path) -> None:
    """Random repository variables (labels overlapping on purpose): the guard passes exactly
    when no preview label is a self-hosted deploy label, and then hands those labels on."""
    names = [
        f"EKS_{kind}_RUNNER{suffix}"
        for kind, suffix in itertools.product(
            ("DEPLOY", "PREVIEW"), ("", *(f"_{s.upper()}" for s in STACKS))
        )
    ]
    values = ["", "", "eks-a", "EKS-A", "eks-b", HOSTED]
    rng = random.Random(18)
    for _ in range(60):
        variables = {n: v for n in names if (v := rng.choice(values))}
        deploy = {_resolve(_deploy_runner(s), variables).lower() for s in STACKS}
        preview = {s: _resolve(_preview_runner(s), variables) for s in STACKS}
        clash = any(p.lower() != HOSTED and p.lower() in deploy for p in preview.values())
        code, labels, messages = _run_guard(variables, tmp_path)
        assert (code != 0) is clash, (variables, messages)
        if not clash:
            assert labels == preview
            assert all(p == HOSTED or p.lower() not in deploy for p in labels.values())


# -- the Pulumi CLI --------------------------------------------------------------------------


def _locked_pulumi() -> str:
    match = re.search(r"^pulumi==(\S+)", (ROOT / "requirements.lock").read_text(), re.M)
    assert match, "requirements.lock pins no pulumi"
    return match[1]


def test_every_pulumi_step_pins_the_cli_to_the_locked_sdk_version() -> None:
    locked = _locked_pulumi()
    steps = 0
    for path in workflow_files():
        document = load(path)
        pulumi_steps = [
            s for job in document["jobs"].values() for s in steps_using(job, "pulumi/actions")
        ]
        if not pulumi_steps:
            continue
        version = str(document["env"]["PULUMI_VERSION"])
        assert re.fullmatch(r"\d+\.\d+\.\d+", version), f"{path.name}: {version!r} is not exact"
        assert version == locked, f"{path.name}: CLI {version}, SDK {locked} (requirements.lock)"
        for step in pulumi_steps:
            assert step["with"]["pulumi-version"] == "${{ env.PULUMI_VERSION }}", path.name
            assert "pulumi-version-file" not in step["with"]
            steps += 1
    assert steps == 1 + len(STACKS)  # the preview (a matrix) and one up per stack
    requirement = re.search(
        r"^pulumi([<>=!~][^\s#]*)", (ROOT / "requirements.txt").read_text(), re.M
    )
    assert requirement and Version(locked) in SpecifierSet(requirement[1])


def test_actionlint_accepts_the_pinned_cli_input(tmp_path: Path) -> None:
    """A misspelt input would be caught: actionlint knows pulumi/actions' inputs by tag."""
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    probe = workflows / "probe.yml"
    probe.write_text(
        "on: pull_request\n"
        "env:\n"
        "  PULUMI_VERSION: '3.272.0'\n"
        "jobs:\n"
        "  preview:\n"
        "    runs-on: ubuntu-latest\n"
        "    steps:\n"
        "      - uses: pulumi/actions@v6\n"
        "        with:\n"
        "          command: preview\n"
        "          stack-name: dev\n"
        "          pulumi-version: ${{ env.PULUMI_VERSION }}\n"
        "          pulumi-versoin: ${{ env.PULUMI_VERSION }}\n",
        encoding="utf-8",
    )
    result = run_actionlint(probe, cwd=tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    problems = [line for line in output.splitlines() if "probe.yml" in line]
    assert len(problems) == 1 and "pulumi-versoin" in problems[0], output


# -- actionlint on runner expressions; docs ------------------------------------------------


def test_actionlint_checks_the_contexts_of_runs_on(tmp_path: Path) -> None:
    """The runner expressions are checked for real: `secrets` is not available in runs-on
    (nor in a matrix), `vars` and `needs` are."""
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    broken = workflows / "runner.yml"
    broken.write_text(
        "on: pull_request\n"
        "jobs:\n"
        "  good:\n"
        "    runs-on: ${{ vars.EKS_DEPLOY_RUNNER || 'ubuntu-latest' }}\n"
        "    outputs:\n"
        "      labels: '{}'\n"
        "    steps:\n"
        "      - run: echo ok\n"
        "  bad:\n"
        "    runs-on: ${{ secrets.RUNNER || 'ubuntu-latest' }}\n"
        "    steps:\n"
        "      - run: echo no\n"
        "  bad-matrix:\n"
        "    needs: good\n"
        "    strategy:\n"
        "      matrix:\n"
        "        stack: [dev]\n"
        "        include:\n"
        "          - stack: dev\n"
        "            runner: ${{ secrets.RUNNER }}\n"
        "    runs-on: ${{ fromJSON(needs.good.outputs.labels)[matrix.stack] }}\n"
        "    steps:\n"
        "      - run: echo no\n",
        encoding="utf-8",
    )
    result = run_actionlint(broken, cwd=tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    lines = [
        line for line in output.splitlines() if 'context "secrets" is not allowed here' in line
    ]
    assert [line.split(":")[1] for line in lines] == ["10", "20"], output


def test_runner_variables_and_the_cli_pin_are_documented() -> None:
    docs = DOCS.read_text(encoding="utf-8")
    for name in ("EKS_DEPLOY_RUNNER", "EKS_PREVIEW_RUNNER"):
        assert f"`{name}`" in docs
        for stack in STACKS:
            assert f"`{name}_{stack.upper()}`" in docs
    assert "never on a deploy runner" in docs
    assert "`PULUMI_VERSION`" in docs and f"`{_locked_pulumi()}`" in docs
