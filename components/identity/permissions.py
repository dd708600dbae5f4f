"""Permission helpers: the common grants, one call each, as least-privilege IAM statements.

Give them to a workload role (``IrsaRole``, ``PodIdentityRole``) as ``permissions``:
``permissions=[permissions.s3_read("example-reports", prefix="daily/"),
permissions.sqs_consume(queue.arn)]``.

Each helper takes names or ARNs, plain or as Outputs of other resources (``bucket.bucket``,
``queue.arn``), and names exactly those resources: no ``*`` where the service lets a
statement name its resource. What AWS would refuse (or accept and grant something else) is
refused: an S3 object ARN or a path where a bucket belongs (give ``prefix=``), a wildcard, an
ARN of another service or resource type, an account id that is not 12 digits
(:mod:`components.identity.arns`).

A helper knows no component: ARNs built from names keep ``{partition}``, ``{region}`` and
``{account}`` placeholders, and the component that receives the grant fills them in from its
own AWS provider (:func:`policy_document`), so a role deployed through
``aws.Provider("east", region="us-east-1")`` gets us-east-1 ARNs in that provider's account.

Errors: a plain value is refused when the helper is called, naming the helper and the
argument (``permissions.s3_read: bucket: ...``). An Output is checked once its value is known,
by the component that received the grant, which names itself and the grant too
(``IrsaRole 'reports-reader': permissions[0]: permissions.s3_read: bucket: ...``).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

import pulumi

from .. import aws_context
from .. import validation as v
from . import arns
from .arns import ResourceKind

_SECRET_PREFIX = re.compile(r"^[A-Za-z0-9/_+=.@-]{1,512}$")
_PARAMETER_PATH = re.compile(r"^(/[A-Za-z0-9_.-]+)+$")
_S3_PREFIX = re.compile(r"^[^*?]*$")
P = ParamSpec("P")
R = TypeVar("R")


@dataclass(frozen=True)
class Grant:
    """A permission: IAM statements whose values may be Outputs of other resources.

    Strings may contain ``{partition}``, ``{region}`` and ``{account}``, filled in with
    where the receiving component deploys. Build one by hand for what the helpers do not
    cover::

        Grant("read-queue-attributes", ({"Effect": "Allow", "Action": ["sqs:GetQueueAttributes"],
              "Resource": [queue.arn]},))
    """

    name: str
    """What the grant is for, e.g. ``s3-read``; shown in errors."""
    statements: tuple[Mapping[str, Any], ...]
    """The IAM statements (``Effect``, ``Action``, ``Resource``, optional ``Condition``)."""


@dataclass(frozen=True)
class Deferred:
    """A resource a helper was given as an Output: checked and turned into an ARN once its
    value is known, by the component that receives the grant (so errors name it)."""

    value: pulumi.Output[Any]
    """What the caller gave."""
    resolve: Callable[[Any], str]
    """The ARN (or pattern) for the resolved value; raises InvalidArgument naming the argument."""
    helper: str
    """The helper that made it, ``permissions.s3_read``."""

    def then(self, suffix: str) -> Deferred:
        """The same resource with ``suffix`` appended to its ARN (``/*``)."""
        resolve = self.resolve
        return Deferred(self.value, lambda x: resolve(x) + suffix, self.helper)


Resource = str | Deferred


def _helper(fn: Callable[P, R]) -> Callable[P, R]:
    """Name the helper in every error it raises: ``permissions.<name>: <argument>: <rule>``."""
    label = f"permissions.{fn.__name__}"

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except v.InvalidArgument as error:
            if error.component is not None:
                raise
            raise v.InvalidArgument(error.field, error.rule, label) from None

    return wrapper


@_helper
def s3_read(bucket: pulumi.Input[str], prefix: str = "") -> Grant:
    """Read the objects of an S3 bucket (under ``prefix`` when given) and list them.

    ``bucket``: the bucket's name or ARN (not an object ARN or a path: give the key prefix as
    ``prefix``). ``prefix``: a key prefix such as ``reports/``; listing is then limited to it
    too (``s3:prefix``).
    """
    bucket_arn = _resource(arns.S3_BUCKET, bucket, "bucket", "s3_read")
    _s3_prefix(prefix)
    return Grant(
        "s3-read",
        (
            _list_bucket(bucket_arn, prefix),
            _allow(["s3:GetObject"], [_join(bucket_arn, f"/{prefix}*")]),
        ),
    )


@_helper
def s3_read_write(bucket: pulumi.Input[str], prefix: str = "") -> Grant:
    """Read, write and delete the objects of an S3 bucket under ``prefix`` (the whole bucket
    when empty), including multipart uploads. ``bucket`` as for :func:`s3_read`."""
    bucket_arn = _resource(arns.S3_BUCKET, bucket, "bucket", "s3_read_write")
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


@_helper
def secrets_read(*name_prefixes: pulumi.Input[str]) -> Grant:
    """Read the Secrets Manager secrets whose names start with one of ``name_prefixes``.

    A prefix such as ``payments/`` matches ``payments/db`` but not ``payments-old/db``;
    the ARN's random suffix (``-AbCdEf``) is covered by the trailing ``*``. A prefix may be an
    Output (``secret.name``: that secret).
    """
    v.require(len(name_prefixes) > 0, "name_prefixes", "give at least one secret name prefix")
    return Grant(
        "secrets-read",
        (
            _allow(
                list(SECRETS_READ_ACTIONS),
                [
                    _checked(p, _secret_prefix, f"name_prefixes[{i}]", "secrets_read")
                    for i, p in enumerate(name_prefixes)
                ],
            ),
        ),
    )


def _secret_prefix(prefix: Any, field: str) -> str:
    """The ARN pattern of a checked secret name prefix."""
    if isinstance(prefix, str) and prefix.startswith("arn:"):
        raise v.InvalidArgument(
            field,
            f"{prefix!r} is an ARN; give the secret's name prefix (payments/ grants every "
            "secret whose name starts with it)",
        )
    v.require(
        not (isinstance(prefix, str) and "*" in prefix),
        field,
        f"{prefix!r} has a wildcard; give the name prefix without it (payments/ already "
        "matches every secret whose name starts with it)",
    )
    v.require(
        isinstance(prefix, str) and bool(_SECRET_PREFIX.match(prefix)),
        field,
        f"{prefix!r} is not a secret name prefix (1-512 letters, digits and /_+=.@-)",
    )
    return secret_arn_pattern(prefix)


def secret_arn_pattern(name_prefix: str) -> str:
    """The ARN pattern of the secrets whose names start with ``name_prefix``."""
    return f"arn:{{partition}}:secretsmanager:{{region}}:{{account}}:secret:{name_prefix}*"


SSM_READ_ACTIONS = ("ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath")


@_helper
def ssm_read(*paths: pulumi.Input[str]) -> Grant:
    """Read the SSM parameters at and under each of ``paths`` (``/team/app``: that parameter
    and ``/team/app/...``, not the sibling ``/team/application``); a path may be an Output
    (``parameter.name``)."""
    v.require(len(paths) > 0, "paths", "give at least one parameter path")
    resources = [
        _checked(path, _parameter_arn(below), f"paths[{i}]", "ssm_read")
        for i, path in enumerate(paths)
        for below in (False, True)
    ]
    return Grant("ssm-read", (_allow(list(SSM_READ_ACTIONS), resources),))


def parameter_path(value: Any, field: str) -> str:
    """An SSM parameter path such as ``/team/app`` (no trailing ``/``)."""
    if isinstance(value, str) and value.startswith("arn:"):
        raise v.InvalidArgument(field, f"{value!r} is an ARN; give the parameter path (/team/app)")
    v.require(
        isinstance(value, str) and bool(_PARAMETER_PATH.match(value)),
        field,
        f"{value!r} is not an SSM parameter path (/segment[/segment...], letters, digits, "
        "'_', '.', '-'; no trailing '/', no wildcard: a path covers what is under it)",
    )
    return str(value)


def _parameter_arn(below: bool) -> Callable[[Any, str], str]:
    """The ARN of a checked parameter path (``below``: of the parameters under it)."""
    return lambda path, field: parameter_arns(parameter_path(path, field))[int(below)]


def parameter_arns(path: str) -> list[str]:
    """The ARNs of the parameter ``path`` and of the parameters under it."""
    base = f"arn:{{partition}}:ssm:{{region}}:{{account}}:parameter{path}"
    return [base, f"{base}/*"]


@_helper
def kms_decrypt(key_arn: pulumi.Input[str], via_services: Sequence[str] = ()) -> Grant:
    """Decrypt with one KMS key (a customer-managed key's ARN, not an alias).

    ``via_services``: only through these services (``secretsmanager``, ``ssm``, ``s3``...),
    the ``kms:ViaService`` condition for the region being deployed to.
    """
    key = _resource(arns.KMS_KEY, key_arn, "key_arn", "kms_decrypt")
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


@_helper
def dynamodb_read_write(table: pulumi.Input[str], write: bool = True) -> Grant:
    """Read and write the items of a DynamoDB table and query its indexes (``write=False``:
    read only). ``table``: its name or ARN."""
    v.require(isinstance(write, bool), "write", f"expected true or false, got {write!r}")
    table_arn = _resource(arns.DYNAMODB_TABLE, table, "table", "dynamodb_read_write")
    actions = [*DYNAMODB_READ_ACTIONS, *(DYNAMODB_WRITE_ACTIONS if write else ())]
    return Grant(
        "dynamodb-read-write" if write else "dynamodb-read",
        (_allow(actions, [table_arn, _join(table_arn, "/index/*")]),),
    )


@_helper
def sqs_consume(queue: pulumi.Input[str]) -> Grant:
    """Receive and delete the messages of an SQS queue (its name or ARN, not its URL)."""
    queue_arn = _resource(arns.SQS_QUEUE, queue, "queue", "sqs_consume")
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


@_helper
def sqs_send(queue: pulumi.Input[str]) -> Grant:
    """Send messages to an SQS queue (its name or ARN, not its URL)."""
    queue_arn = _resource(arns.SQS_QUEUE, queue, "queue", "sqs_send")
    return Grant(
        "sqs-send",
        (_allow(["sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"], [queue_arn]),),
    )


@_helper
def sns_publish(topic: pulumi.Input[str]) -> Grant:
    """Publish to an SNS topic (its name or ARN)."""
    topic_arn = _resource(arns.SNS_TOPIC, topic, "topic", "sns_publish")
    return Grant("sns-publish", (_allow(["sns:Publish"], [topic_arn]),))


@_helper
def ecr_pull(*repositories: pulumi.Input[str]) -> Grant:
    """Pull images from ECR repositories (names or ARNs). ``ecr:GetAuthorizationToken`` has
    no resource to scope, so it is granted on ``*``, as AWS requires."""
    v.require(len(repositories) > 0, "repositories", "give at least one repository")
    repository_arns = [
        _resource(arns.ECR_REPOSITORY, r, f"repositories[{i}]", "ecr_pull")
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
                repository_arns,
            ),
            _allow(["ecr:GetAuthorizationToken"], ["*"]),
        ),
    )


# -- the policy ---------------------------------------------------------------------------------


def policy_document(
    grants: Sequence[Grant],
    provider: pulumi.ProviderResource | None = None,
    owner: str | None = None,
    field: str = "permissions",
) -> pulumi.Input[dict[str, Any]]:
    """One policy document with the statements of every grant, for a component (``owner``,
    e.g. ``IrsaRole 'api'``) whose AWS provider is ``provider`` (None: the default one).

    A plain document when every value is plain and needs no lookup; otherwise an Output
    resolved with the partition, region and account of ``provider``. A resource given as an
    Output that turns out wrong fails with ``<owner>: <field>[<i>]: permissions.<helper>: ...``.
    """
    statements = [
        _bind(dict(s), f"{field}[{i}]", owner) for i, g in enumerate(grants) for s in g.statements
    ]
    document: dict[str, Any] = {"Version": "2012-10-17", "Statement": statements}
    if not v.has_outputs(statements) and not arns.has_placeholders(statements):
        return document
    return pulumi.Output.all(
        aws_context.context(provider), pulumi.Output.from_input(document)
    ).apply(lambda a: arns.fill_placeholders(a[1], a[0]))


def _bind(value: Any, where: str, owner: str | None) -> Any:
    """``value`` with each :class:`Deferred` replaced by an Output that checks it, naming
    ``owner`` and ``where`` when it fails."""
    if isinstance(value, Deferred):
        deferred = value

        def resolve(resolved: Any) -> str:
            try:
                return deferred.resolve(resolved)
            except v.InvalidArgument as error:
                raise v.InvalidArgument(where, f"{deferred.helper}: {error}", owner) from None

        return deferred.value.apply(resolve)
    if isinstance(value, Mapping):
        return {k: _bind(x, where, owner) for k, x in value.items()}
    if isinstance(value, list | tuple):
        return [_bind(x, where, owner) for x in value]
    return value


# -- helpers ------------------------------------------------------------------------------------


def _allow(actions: list[str], resources: list[Any]) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": actions, "Resource": resources}


def _list_bucket(bucket_arn: Resource, prefix: str) -> dict[str, Any]:
    statement = _allow(["s3:ListBucket"], [bucket_arn])
    if prefix:
        statement["Condition"] = {"StringLike": {"s3:prefix": [f"{prefix}*"]}}
    return statement


def _resource(kind: ResourceKind, value: pulumi.Input[str], field: str, helper: str) -> Resource:
    """The ARN of ``value`` (a name or an ARN of ``kind``): checked now when plain, by the
    receiving component once known when an Output."""
    return _checked(value, lambda x, f: arns.arn_of(kind, x, f, helper), field, helper)


def _checked(
    value: pulumi.Input[str], resolve: Callable[[Any, str], str], field: str, helper: str
) -> Resource:
    """``resolve(value, field)``: now when plain, by the receiving component once known."""
    if isinstance(value, pulumi.Output):
        return Deferred(value, lambda x: resolve(x, field), f"permissions.{helper}")
    return resolve(value, field)


def _join(arn: Resource, suffix: str) -> Resource:
    if isinstance(arn, Deferred):
        return arn.then(suffix)
    return arn + suffix


def _s3_prefix(prefix: Any) -> None:
    v.require(
        isinstance(prefix, str) and bool(_S3_PREFIX.match(prefix)) and not prefix.startswith("/"),
        "prefix",
        f"{prefix!r} is not an S3 key prefix (no '*' or '?', no leading '/'), e.g. reports/",
    )
