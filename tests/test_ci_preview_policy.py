"""The preview role's policy (docs/ci-preview-policy.json): real actions accepted by moto's
IAM, read-only (metadata, never data), enough for `pulumi preview` of the stacks, and shown
unchanged in docs/ci.md."""

from __future__ import annotations

import json
import re
import textwrap
from typing import Any

import pytest

from tests.workflow_support import DOCS, PREVIEW_POLICY, secrets_provider


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
    r"^arn:aws:ssm:[a-z0-9-*]+::parameter/aws/service/(eks|bottlerocket|ami-amazon-linux-latest)/\*$"
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


# --------------------------------------------------------------------------- preview policy


def test_preview_policy_is_a_valid_iam_policy() -> None:
    from tests.oracles.iam_validation import assert_valid_permission_policy

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
    assert secrets_provider("prod").startswith("awskms://alias/eks-platform-prod?")


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
