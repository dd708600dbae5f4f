"""What AWS accepts where a permission helper expects one resource: a name or an ARN.

Each :class:`ResourceKind` (an S3 bucket, a DynamoDB table, an SQS queue...) turns what a
caller gave into the ARN a policy names: an ARN is checked (its service, partition, region,
12-digit account and resource type), a name is checked against the service's naming rules and
put into the kind's ARN template, whose ``{partition}``, ``{region}`` and ``{account}`` the
component that receives the grant fills in from its own AWS provider. Mistakes AWS would only
report at deploy (or worse, accept and grant something else) are refused with the fix: an S3
object ARN or a path where a bucket belongs (give ``prefix=``), a wildcard, a queue URL, an
image URI, a KMS alias, an index ARN, an account id that is not 12 digits.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi

from .. import validation as v

PLACEHOLDERS = ("{partition}", "{region}", "{account}")
"""What an ARN template leaves to the component that uses it, in this order."""
PARTITION = re.compile(r"^aws(-[a-z]+){0,2}$")
REGION = re.compile(
    r"^[a-z]{2,4}(-[a-z]+)?-(north|south|east|west|central|northeast|northwest|southeast|"
    r"southwest)-\d{1,2}$"
)
"""An AWS region: an area, a partition's infix (``gov``, ``iso``, ``de``, ...), a direction and
a number, so that a typo such as ``eu-wset-1`` is refused (every region botocore lists matches)."""
ACCOUNT = re.compile(r"^\d{12}$")
BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
"""An S3 bucket name: 3 to 63 lowercase letters, digits, dots and hyphens."""
_IP = re.compile(r"^\d+\.\d+\.\d+\.\d+$")
_WILDCARD = re.compile(r"[*?]")


@dataclass(frozen=True)
class ResourceKind:
    """One kind of resource a helper grants on."""

    what: str
    """How messages name it: ``S3 bucket``."""
    service: str
    """The ARN's service: ``s3``."""
    shape: str
    """The ARN's shape, for messages: ``arn:<partition>:s3:::<bucket>``."""
    template: str
    """The ARN of a resource given by name, ``{name}`` replaced."""
    prefix: str
    """What the ARN's resource part starts with before the name (``table/``)."""
    check_name: Callable[[str], str | None]
    """What is wrong with a name (None: nothing)."""
    regional: bool = True
    """Whether the ARN has a region and an account (S3 buckets have neither)."""
    arn_only: bool = False
    """Only an ARN names it (a KMS key)."""

    @property
    def a(self) -> str:
        """``a DynamoDB table``, ``an S3 bucket``: as it is read aloud."""
        return ("an " if self.what.split()[0] in ("S3", "SNS", "SQS", "ECR") else "a ") + self.what


def arn_of(kind: ResourceKind, value: Any, field: str, helper: str) -> str:
    """The ARN of ``value`` (a name or an ARN of ``kind``); raises InvalidArgument on ``field``.

    ``helper`` is the helper's name (``s3_read``), for the fixes the messages suggest.
    """
    if isinstance(value, pulumi.Resource):
        raise v.InvalidArgument(
            field,
            f"got the resource {type(value).__name__} {value.pulumi_resource_name!r}; give its "
            "name or ARN (e.g. bucket.bucket, table.name, queue.arn)",
        )
    if not isinstance(value, str):
        shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "..."
        raise v.InvalidArgument(
            field, f"expected the {kind.what}'s name or ARN, got {type(value).__name__} {shown}"
        )
    v.require(bool(value), field, f"give the {kind.what}'s name or ARN")
    if value.startswith("arn:"):
        _check_arn(kind, value, field, helper)
        return value
    if kind.arn_only:
        raise v.InvalidArgument(
            field,
            f"{value!r} is not {kind.a} ARN ({kind.shape}); IAM policies name keys by ARN, "
            "not by id or alias: give the key's ARN (key.arn)",
        )
    problem = _url_problem(kind, value, helper) or kind.check_name(value)
    v.require(problem is None, field, f"{value!r} {problem}")
    return kind.template.replace("{name}", value)


def _check_arn(kind: ResourceKind, arn: str, field: str, helper: str) -> None:
    parts = arn.split(":", 5)
    v.require(
        len(parts) == 6,
        field,
        f"{arn!r} is not an ARN (arn:<partition>:<service>:<region>:<account>:<resource>)",
    )
    _, partition, service, region, account, resource = parts
    v.require(
        service == kind.service,
        field,
        f"{arn!r} is an ARN of service {service!r}, not {kind.a} ARN ({kind.shape})",
    )
    v.require(
        bool(PARTITION.match(partition)),
        field,
        f"{arn!r}: {partition!r} is not an AWS partition (aws, aws-cn, aws-us-gov...)",
    )
    if kind.regional:
        v.require(
            bool(REGION.match(region)),
            field,
            f"{arn!r}: region {region!r} is not an AWS region (e.g. us-east-1)",
        )
        v.require(
            bool(ACCOUNT.match(account)),
            field,
            f"{arn!r}: account {account!r} is not a 12-digit AWS account id",
        )
    elif region or account:
        raise v.InvalidArgument(
            field,
            f"{arn!r} is not {kind.a} ARN: it has a region or account ({kind.shape}; "
            "access points and other S3 resources are not buckets)",
        )
    problem = _resource_problem(kind, resource, helper)
    v.require(problem is None, field, f"{arn!r} {problem}")


def _resource_problem(kind: ResourceKind, resource: str, helper: str) -> str | None:
    if kind.service == "s3" and "/" in resource:
        bucket, _, key = resource.partition("/")
        return f"is an S3 object ARN, not a bucket; {_prefix_fix(helper, bucket, key)}"
    if not resource.startswith(kind.prefix):
        return f"is not {kind.a} ARN ({kind.shape})"
    name = resource[len(kind.prefix) :]
    if kind.service == "dynamodb" and "/" in name:
        table, _, rest = name.partition("/")
        sub = rest.split("/", 1)[0] or "sub-resource"
        return (
            f"is a DynamoDB {sub} ARN, not a table; give the table ({table!r}): its indexes "
            "are included"
        )
    if kind.service == "sns" and ":" in name:
        return "is an SNS subscription ARN, not a topic; give the topic's ARN"
    problem = kind.check_name(name)
    return None if problem is None else f"names {name!r}, which {problem}"


def _prefix_fix(helper: str, bucket: str, key: str) -> str:
    """How to say 'these objects of that bucket' to ``helper``."""
    prefix = key[:-1] if key.endswith("*") else key
    if _WILDCARD.search(prefix) or _WILDCARD.search(bucket):
        return (
            f"give the bucket and a key prefix without wildcards: {helper}('<bucket>', "
            "prefix='<prefix>/')"
        )
    return f"give the bucket and the key prefix: {helper}({bucket!r}, prefix={prefix!r})"


def _url_problem(kind: ResourceKind, value: str, helper: str) -> str | None:
    if kind.service == "s3":
        if value.startswith("s3://"):
            bucket, _, key = value.removeprefix("s3://").partition("/")
            return f"is an S3 URL, not a bucket; {_prefix_fix(helper, bucket, key)}"
        if "/" in value:
            bucket, _, key = value.partition("/")
            return f"is a bucket and a path, not a bucket; {_prefix_fix(helper, bucket, key)}"
    if value.startswith(("https://", "http://")):
        return f"is a URL, not {kind.a}; give its name or ARN (e.g. queue.arn)"
    if kind.service == "ecr" and ".dkr.ecr." in value:
        return "is an image URI, not a repository; give the repository's name (team/api) or ARN"
    if _WILDCARD.search(value):
        return (
            f"has a wildcard; the helpers grant on the {kind.what}s they name: name one, or "
            "write a Grant by hand"
        )
    return None


def bucket_name(name: str) -> str | None:
    """What is wrong with an S3 bucket name (None: nothing)."""
    if _WILDCARD.search(name):
        return "has a wildcard; name one bucket (one grant per bucket)"
    ok = (
        bool(BUCKET.match(name))
        and ".." not in name
        and not _IP.match(name)
        and not name.startswith(("xn--", "sthree-"))
        and not name.endswith(("-s3alias", "--ol-s3", ".mrap", "--x-s3"))
    )
    if ok:
        return None
    return (
        "is not an S3 bucket name (3-63 lower-case letters, digits, '.' and '-', starting and "
        "ending with a letter or digit)"
    )


def _named(pattern: str, rule: str) -> Callable[[str], str | None]:
    compiled = re.compile(pattern)
    return lambda name: None if compiled.fullmatch(name) else f"is not {rule}"


S3_BUCKET = ResourceKind(
    what="S3 bucket",
    service="s3",
    shape="arn:<partition>:s3:::<bucket>",
    template="arn:{partition}:s3:::{name}",
    prefix="",
    check_name=bucket_name,
    regional=False,
)
DYNAMODB_TABLE = ResourceKind(
    what="DynamoDB table",
    service="dynamodb",
    shape="arn:<partition>:dynamodb:<region>:<account>:table/<name>",
    template="arn:{partition}:dynamodb:{region}:{account}:table/{name}",
    prefix="table/",
    check_name=_named(
        r"[A-Za-z0-9_.-]{3,255}", "a DynamoDB table name (3-255 letters, digits, '_', '.', '-')"
    ),
)
SQS_QUEUE = ResourceKind(
    what="SQS queue",
    service="sqs",
    shape="arn:<partition>:sqs:<region>:<account>:<queue>",
    template="arn:{partition}:sqs:{region}:{account}:{name}",
    prefix="",
    check_name=_named(
        r"(?=.{1,80}$)[A-Za-z0-9_-]+(\.fifo)?",
        "an SQS queue name (1-80 letters, digits, '_' and '-', optionally ending in .fifo)",
    ),
)
SNS_TOPIC = ResourceKind(
    what="SNS topic",
    service="sns",
    shape="arn:<partition>:sns:<region>:<account>:<topic>",
    template="arn:{partition}:sns:{region}:{account}:{name}",
    prefix="",
    check_name=_named(
        r"(?=.{1,256}$)[A-Za-z0-9_-]+(\.fifo)?",
        "an SNS topic name (1-256 letters, digits, '_' and '-', optionally ending in .fifo)",
    ),
)
ECR_REPOSITORY = ResourceKind(
    what="ECR repository",
    service="ecr",
    shape="arn:<partition>:ecr:<region>:<account>:repository/<name>",
    template="arn:{partition}:ecr:{region}:{account}:repository/{name}",
    prefix="repository/",
    check_name=_named(
        r"(?=.{2,256}$)(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*",
        "an ECR repository name (2-256 lower-case letters, digits and ._-/ such as team/api)",
    ),
)


def _key_id(name: str) -> str | None:
    if name.startswith("alias/"):
        return "is an alias: an alias cannot scope kms:Decrypt; give the key's ARN (key.arn)"
    if re.fullmatch(r"(mrk-)?[0-9a-f]{8}(-?[0-9a-f]{4}){3}-?[0-9a-f]{12}|mrk-[0-9a-f]{32}", name):
        return None
    return "is not a KMS key id (a UUID, or mrk-... for a multi-Region key)"


KMS_KEY = ResourceKind(
    what="KMS key",
    service="kms",
    shape="arn:<partition>:kms:<region>:<account>:key/<key id>",
    template="",
    prefix="",
    check_name=lambda resource: (
        _key_id(resource.removeprefix("key/"))
        if resource.startswith(("key/", "alias/"))
        else "is not a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<key id>)"
    ),
    arn_only=True,
)


def has_placeholders(value: Any) -> bool:
    """Whether a string in ``value`` (mappings and lists searched) has a placeholder."""
    if isinstance(value, str):
        return any(p in value for p in PLACEHOLDERS)
    if isinstance(value, Mapping):
        return any(has_placeholders(x) for x in value.values())
    if isinstance(value, list | tuple):
        return any(has_placeholders(x) for x in value)
    return False


def fill_placeholders(value: Any, context: Sequence[str]) -> Any:
    """``value`` with the placeholders replaced by ``context`` (partition, region, account)."""
    if isinstance(value, str):
        for placeholder, actual in zip(PLACEHOLDERS, context, strict=True):
            value = value.replace(placeholder, actual)
        return value
    if isinstance(value, Mapping):
        return {k: fill_placeholders(x, context) for k, x in value.items()}
    if isinstance(value, list | tuple):
        return [fill_placeholders(x, context) for x in value]
    return value
