"""Permission helpers: the common grants, one call each, as least-privilege IAM statements.

Give them to a workload role (``IrsaRole``, ``PodIdentityRole``) as ``permissions``::

    from eks_platform import permissions

    permissions=[
        permissions.s3_read("example-reports", prefix="daily/"),
        permissions.secrets_read("payments/"),
        permissions.sqs_consume(queue.arn),
    ]

Each helper takes names or ARNs, plain or as Outputs of other resources (``bucket.bucket``,
``queue.arn``), and names exactly those resources: no ``*`` where the service lets a
statement name its resource. ARNs built from names use the partition, region and account
being deployed to (:mod:`components.aws_context`). The statements of all grants go into one
inline policy of the role, ``permissions``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi

from .. import aws_context
from .. import validation as v

_PLACEHOLDERS = ("{partition}", "{region}", "{account}")
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_SECRET_PREFIX = re.compile(r"^[A-Za-z0-9/_+=.@-]{1,512}$")
_PARAMETER_PATH = re.compile(r"^(/[A-Za-z0-9_.-]+)+$")
_S3_PREFIX = re.compile(r"^[^*?]*$")
_SIMPLE_NAME = re.compile(r"^[A-Za-z0-9_.:/-]{1,256}$")


@dataclass(frozen=True)
class Grant:
    """A permission: IAM statements whose values may be Outputs of other resources.

    Strings may contain ``{partition}``, ``{region}`` and ``{account}``, filled in with
    where the program deploys. Build one by hand for what the helpers do not cover::

        Grant("read-queue-attributes", ({"Effect": "Allow", "Action": ["sqs:GetQueueAttributes"],
              "Resource": [queue.arn]},))
    """

    name: str
    """What the grant is for, e.g. ``s3-read``; shown in errors."""
    statements: tuple[Mapping[str, Any], ...]
    """The IAM statements (``Effect``, ``Action``, ``Resource``, optional ``Condition``)."""


def s3_read(bucket: pulumi.Input[str], prefix: str = "") -> Grant:
    """Read the objects of an S3 bucket (under ``prefix`` when given) and list them.

    ``bucket``: the bucket's name or ARN. ``prefix``: a key prefix such as ``reports/``;
    listing is then limited to it too (``s3:prefix``).
    """
    bucket_arn = _arn(bucket, "arn:{partition}:s3:::{name}", _bucket_name, "bucket")
    _s3_prefix(prefix)
    return Grant(
        "s3-read",
        (
            _list_bucket(bucket_arn, prefix),
            _allow(["s3:GetObject"], [_join(bucket_arn, f"/{prefix}*")]),
        ),
    )


def s3_read_write(bucket: pulumi.Input[str], prefix: str = "") -> Grant:
    """Read, write and delete the objects of an S3 bucket under ``prefix`` (the whole bucket
    when empty), including multipart uploads."""
    bucket_arn = _arn(bucket, "arn:{partition}:s3:::{name}", _bucket_name, "bucket")
    _s3_prefix(prefix)
    return Grant(
        "s3-read-write",
        (
            _list_bucket(bucket_arn, prefix),
            _allow(["s3:ListBucketMultipartUploads"], [bucket_arn]),
            _allow(
                [
                    "s3:GetObject",
                    "s3:PutObject",
                    "s3:DeleteObject",
                    "s3:AbortMultipartUpload",
                    "s3:ListMultipartUploadParts",
                ],
                [_join(bucket_arn, f"/{prefix}*")],
            ),
        ),
    )


SECRETS_READ_ACTIONS = ("secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret")


def secrets_read(*name_prefixes: str) -> Grant:
    """Read the Secrets Manager secrets whose names start with one of ``name_prefixes``.

    A prefix such as ``payments/`` matches ``payments/db`` but not ``payments-old/db``;
    the ARN's random suffix (``-AbCdEf``) is covered by the trailing ``*``.
    """
    v.require(len(name_prefixes) > 0, "name_prefixes", "give at least one secret name prefix")
    for i, prefix in enumerate(name_prefixes):
        v.require(
            isinstance(prefix, str) and bool(_SECRET_PREFIX.match(prefix)),
            f"name_prefixes[{i}]",
            f"{prefix!r} is not a secret name prefix (1-512 letters, digits and /_+=.@-)",
        )
    return Grant(
        "secrets-read",
        (
            _allow(
                list(SECRETS_READ_ACTIONS),
                [secret_arn_pattern(p) for p in name_prefixes],
            ),
        ),
    )


def secret_arn_pattern(name_prefix: str) -> str:
    """The ARN pattern of the secrets whose names start with ``name_prefix``."""
    return f"arn:{{partition}}:secretsmanager:{{region}}:{{account}}:secret:{name_prefix}*"


SSM_READ_ACTIONS = ("ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath")


def ssm_read(*paths: str) -> Grant:
    """Read the SSM parameters at and under each of ``paths`` (``/team/app``: that parameter
    and ``/team/app/...``, not the sibling ``/team/application``)."""
    v.require(len(paths) > 0, "paths", "give at least one parameter path")
    for i, path in enumerate(paths):
        parameter_path(path, f"paths[{i}]")
    return Grant(
        "ssm-read",
        (_allow(list(SSM_READ_ACTIONS), [a for p in paths for a in parameter_arns(p)]),),
    )


def parameter_path(value: Any, field: str) -> str:
    """An SSM parameter path such as ``/team/app`` (no trailing ``/``)."""
    v.require(
        isinstance(value, str) and bool(_PARAMETER_PATH.match(value)),
        field,
        f"{value!r} is not an SSM parameter path (/segment[/segment...], letters, digits, "
        "'_', '.', '-'; no trailing '/')",
    )
    return str(value)


def parameter_arns(path: str) -> list[str]:
    """The ARNs of the parameter ``path`` and of the parameters under it."""
    base = f"arn:{{partition}}:ssm:{{region}}:{{account}}:parameter{path}"
    return [base, f"{base}/*"]


def kms_decrypt(key_arn: pulumi.Input[str], via_services: Sequence[str] = ()) -> Grant:
    """Decrypt with one KMS key (a customer-managed key's ARN).

    ``via_services``: only through these services (``secretsmanager``, ``ssm``, ``s3``...),
    the ``kms:ViaService`` condition for the region being deployed to.
    """
    key = v.when_known(key_arn, _key_arn, "key_arn")
    statement = _allow(["kms:Decrypt"], [key])
    if via_services:
        for i, service in enumerate(via_services):
            v.require(
                isinstance(service, str) and bool(re.fullmatch(r"[a-z0-9-]+", service)),
                f"via_services[{i}]",
                f"{service!r} is not a service name such as secretsmanager or ssm",
            )
        statement["Condition"] = {
            "StringEquals": {
                "kms:ViaService": [f"{s}.{{region}}.amazonaws.com" for s in via_services]
            }
        }
    return Grant("kms-decrypt", (statement,))


DYNAMODB_READ_ACTIONS = (
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
    "dynamodb:Scan",
    "dynamodb:ConditionCheckItem",
    "dynamodb:DescribeTable",
)
DYNAMODB_WRITE_ACTIONS = (
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem",
)


def dynamodb_read_write(table: pulumi.Input[str], write: bool = True) -> Grant:
    """Read and write the items of a DynamoDB table and query its indexes (``write=False``:
    read only). ``table``: its name or ARN."""
    table_arn = _arn(
        table, "arn:{partition}:dynamodb:{region}:{account}:table/{name}", _simple_name, "table"
    )
    actions = [*DYNAMODB_READ_ACTIONS, *(DYNAMODB_WRITE_ACTIONS if write else ())]
    return Grant(
        "dynamodb-read-write" if write else "dynamodb-read",
        (_allow(actions, [table_arn, _join(table_arn, "/index/*")]),),
    )


def sqs_consume(queue: pulumi.Input[str]) -> Grant:
    """Receive and delete the messages of an SQS queue (its name or ARN)."""
    queue_arn = _arn(queue, "arn:{partition}:sqs:{region}:{account}:{name}", _simple_name, "queue")
    return Grant(
        "sqs-consume",
        (
            _allow(
                [
                    "sqs:ReceiveMessage",
                    "sqs:DeleteMessage",
                    "sqs:ChangeMessageVisibility",
                    "sqs:GetQueueAttributes",
                    "sqs:GetQueueUrl",
                ],
                [queue_arn],
            ),
        ),
    )


def sqs_send(queue: pulumi.Input[str]) -> Grant:
    """Send messages to an SQS queue (its name or ARN)."""
    queue_arn = _arn(queue, "arn:{partition}:sqs:{region}:{account}:{name}", _simple_name, "queue")
    return Grant(
        "sqs-send",
        (_allow(["sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"], [queue_arn]),),
    )


def sns_publish(topic: pulumi.Input[str]) -> Grant:
    """Publish to an SNS topic (its name or ARN)."""
    topic_arn = _arn(topic, "arn:{partition}:sns:{region}:{account}:{name}", _simple_name, "topic")
    return Grant("sns-publish", (_allow(["sns:Publish"], [topic_arn]),))


def ecr_pull(*repositories: pulumi.Input[str]) -> Grant:
    """Pull images from ECR repositories (names or ARNs). ``ecr:GetAuthorizationToken`` has
    no resource to scope, so it is granted on ``*``, as AWS requires."""
    v.require(len(repositories) > 0, "repositories", "give at least one repository")
    arns = [
        _arn(
            r,
            "arn:{partition}:ecr:{region}:{account}:repository/{name}",
            _simple_name,
            f"repositories[{i}]",
        )
        for i, r in enumerate(repositories)
    ]
    return Grant(
        "ecr-pull",
        (
            _allow(
                [
                    "ecr:BatchGetImage",
                    "ecr:GetDownloadUrlForLayer",
                    "ecr:BatchCheckLayerAvailability",
                ],
                arns,
            ),
            _allow(["ecr:GetAuthorizationToken"], ["*"]),
        ),
    )


# -- the policy ---------------------------------------------------------------------------------


def policy_document(grants: Sequence[Grant]) -> pulumi.Input[dict[str, Any]]:
    """One policy document with the statements of every grant.

    A plain document when every value is plain and needs no lookup; otherwise an Output
    resolved with the partition, region and account being deployed to.
    """
    statements = [dict(s) for g in grants for s in g.statements]
    document: dict[str, Any] = {"Version": "2012-10-17", "Statement": statements}
    deferred = v.has_outputs(statements)
    if not deferred and not _has_placeholders(statements):
        return document
    context = pulumi.Output.all(
        aws_context.partition(), aws_context.region(), aws_context.account_id()
    )
    return pulumi.Output.all(context, pulumi.Output.from_input(document)).apply(
        lambda a: _fill(a[1], dict(zip(_PLACEHOLDERS, a[0], strict=True)))
    )


# -- helpers ------------------------------------------------------------------------------------


def _allow(actions: list[str], resources: list[Any]) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": actions, "Resource": resources}


def _list_bucket(bucket_arn: pulumi.Input[str], prefix: str) -> dict[str, Any]:
    statement = _allow(["s3:ListBucket"], [bucket_arn])
    if prefix:
        statement["Condition"] = {"StringLike": {"s3:prefix": [f"{prefix}*"]}}
    return statement


def _arn(value: pulumi.Input[str], template: str, check_name: Any, field: str) -> pulumi.Input[str]:
    """``value`` if it is an ARN, else ``template`` with ``{name}`` set to it."""

    def build(resolved: str) -> str:
        if not isinstance(resolved, str):
            raise v.InvalidArgument(field, f"expected a name or an ARN, got {resolved!r}")
        if resolved.startswith("arn:"):
            return resolved
        check_name(resolved, field)
        return template.replace("{name}", resolved)

    if isinstance(value, pulumi.Output):
        return value.apply(build)
    return build(value)  # type: ignore[arg-type]


def _join(arn: pulumi.Input[str], suffix: str) -> pulumi.Input[str]:
    if isinstance(arn, str):
        return arn + suffix
    return pulumi.Output.concat(arn, suffix)


def _bucket_name(value: str, field: str) -> None:
    v.require(
        bool(_BUCKET.match(value)) and ".." not in value,
        field,
        f"{value!r} is not an S3 bucket name (3-63 lower-case letters, digits, '.' and '-')",
    )


def _simple_name(value: str, field: str) -> None:
    v.require(
        bool(_SIMPLE_NAME.match(value)),
        field,
        f"{value!r} is not a resource name (letters, digits, '_', '.', '-', '/')",
    )


def _s3_prefix(prefix: Any) -> None:
    v.require(
        isinstance(prefix, str) and bool(_S3_PREFIX.match(prefix)) and not prefix.startswith("/"),
        "prefix",
        f"{prefix!r} is not an S3 key prefix (no '*' or '?', no leading '/'), e.g. reports/",
    )


def _key_arn(value: Any, field: str) -> None:
    v.require(
        isinstance(value, str)
        and bool(re.match(r"^arn:[a-z-]+:kms:[a-z0-9-]+:\d{12}:key/", value)),
        field,
        f"{value!r} is not a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<id>)",
    )


def _has_placeholders(value: Any) -> bool:
    if isinstance(value, str):
        return any(p in value for p in _PLACEHOLDERS)
    if isinstance(value, Mapping):
        return any(_has_placeholders(x) for x in value.values())
    if isinstance(value, list | tuple):
        return any(_has_placeholders(x) for x in value)
    return False


def _fill(value: Any, context: dict[str, str]) -> Any:
    if isinstance(value, str):
        for placeholder, actual in context.items():
            value = value.replace(placeholder, actual)
        return value
    if isinstance(value, Mapping):
        return {k: _fill(x, context) for k, x in value.items()}
    if isinstance(value, list | tuple):
        return [_fill(x, context) for x in value]
    return value
