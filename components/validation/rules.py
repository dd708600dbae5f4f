"""Value rules: each checks one kind of value (a Kubernetes name, a CIDR, an IAM ARN, a
toleration...) and raises :class:`~components.validation.errors.InvalidArgument` naming the
field; most return the value, so a check reads as an assignment."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .errors import fail, require

# EKS CreateCluster: 1-100 characters, [0-9A-Za-z][A-Za-z0-9\-_]*
_CLUSTER_NAME = re.compile(r"^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$")
# Kubernetes DNS-1123 label (namespaces, service accounts, most object names).
_DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
# Kubernetes DNS-1123 subdomain (object names that may contain dots).
_DNS1123_SUBDOMAIN = re.compile(
    r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
)
# Qualified name part of a label key / label value.
_LABEL_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
_IAM_PRINCIPAL_ARN = re.compile(
    r"^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b):iam::\d{12}:(role|user)/[\w+=,.@/-]+$"
)
_IAM_ROLE_NAME = re.compile(r"^[\w+=,.@-]{1,64}$")
_IAM_PATH = re.compile(r"^/([\x21-\x7e]*/)?$")
_IAM_POLICY_ARN = re.compile(
    r"^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b):iam::(\d{12}|aws):policy/.+$"
)
_KMS_KEY_ARN = re.compile(
    r"^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b):kms:[a-z0-9-]+:\d{12}:(?P<kind>key|alias)/.+$"
)
IAM_NAME = re.compile(r"[\w+=,.@-]+")
_RESOURCE_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")
_DOMAIN_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_HOSTED_ZONE_ID = re.compile(r"^Z[A-Z0-9]{1,31}$")
_QUANTITY = re.compile(
    r"^(?P<number>([0-9]+(\.[0-9]*)?)|(\.[0-9]+))"
    r"(([KMGTPE]i)|[numkMGTPE]|([eE][+-]?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$"
)

TOLERATION_KEYS = ("key", "operator", "value", "effect", "tolerationSeconds")
TOLERATION_OPERATORS = ("Exists", "Equal")
TOLERATION_EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")


def cluster_name(value: Any, field: str) -> str:
    """An EKS cluster name: 1-100 letters, digits, hyphens, underscores; starts alphanumeric."""
    require(
        isinstance(value, str) and bool(_CLUSTER_NAME.match(value)),
        field,
        f"{value!r} is not a valid EKS cluster name (1-100 characters: letters, digits, "
        "hyphens and underscores, starting with a letter or digit)",
    )
    return str(value)


def dns_label(value: Any, field: str, what: str = "Kubernetes name") -> str:
    """A DNS-1123 label (namespace, ServiceAccount name): lower-case, at most 63 characters."""
    require(
        isinstance(value, str) and len(value) <= 63 and bool(_DNS1123_LABEL.match(value)),
        field,
        f"{value!r} is not a valid {what} (DNS-1123 label: at most 63 lower-case letters, "
        "digits and '-', starting and ending with a letter or digit)",
    )
    return str(value)


def dns_subdomain(value: Any, field: str, what: str = "Kubernetes name") -> str:
    """A DNS-1123 subdomain (most Kubernetes object names): at most 253 characters."""
    require(
        isinstance(value, str) and len(value) <= 253 and bool(_DNS1123_SUBDOMAIN.match(value)),
        field,
        f"{value!r} is not a valid {what} (DNS-1123 subdomain: lower-case letters, digits, "
        "'-' and '.', at most 253 characters)",
    )
    return str(value)


def label_key(value: Any, field: str) -> str:
    """A Kubernetes label or taint key: optional DNS-subdomain prefix '/', then a name of <= 63."""
    ok = isinstance(value, str) and len(value) > 0
    if ok:
        prefix, _, name = value.rpartition("/")
        ok = len(name) <= 63 and bool(_LABEL_NAME.match(name))
        if prefix:
            ok = ok and len(prefix) <= 253 and bool(_DNS1123_SUBDOMAIN.match(prefix))
    require(
        ok,
        field,
        f"{value!r} is not a valid label key ([prefix/]name, name at most 63 characters of "
        "letters, digits, '-', '_' and '.', starting and ending alphanumeric)",
    )
    return str(value)


def label_value(value: Any, field: str) -> str:
    """A Kubernetes label value: empty, or at most 63 characters of [A-Za-z0-9-_.]."""
    require(
        isinstance(value, str)
        and (value == "" or (len(value) <= 63 and bool(_LABEL_NAME.match(value)))),
        field,
        f"{value!r} is not a valid label value (at most 63 characters of letters, digits, "
        "'-', '_' and '.', starting and ending alphanumeric)",
    )
    return str(value)


def labels(value: Any, field: str) -> dict[str, str]:
    """A mapping of Kubernetes labels, every key and value checked."""
    require(isinstance(value, Mapping), field, "must be a mapping of label keys to values")
    for key, val in value.items():
        label_key(key, f"{field}.{key}")
        label_value(val, f"{field}.{key}")
    return dict(value)


def cidr(value: Any, field: str) -> str:
    """An IPv4 CIDR block in canonical form, e.g. ``10.0.0.0/16``."""
    try:
        net = (
            ipaddress.IPv4Network(value, strict=True)
            if isinstance(value, str) and "/" in value
            else None
        )
    except ValueError:
        net = None
        try:
            loose = ipaddress.IPv4Network(value, strict=False)
        except (ValueError, TypeError):
            loose = None
        if loose is not None:
            raise fail(
                field,
                f"{value!r} has host bits set: the block's network address is {loose} (write that)",
            ) from None
    require(net is not None, field, f"{value!r} is not a valid IPv4 CIDR block (e.g. 10.0.0.0/16)")
    return str(value)


def iam_principal_arn(value: Any, field: str) -> str:
    """An IAM role or user ARN (the principals an EKS access entry accepts)."""
    require(
        isinstance(value, str) and bool(_IAM_PRINCIPAL_ARN.match(value)),
        field,
        f"{value!r} is not an IAM role or user ARN (arn:<partition>:iam::<account-id>:role/<name> "
        "or :user/<name>)",
    )
    return str(value)


def iam_policy_arn(value: Any, field: str) -> str:
    """A managed IAM policy ARN (AWS-managed or customer-managed)."""
    require(
        isinstance(value, str) and bool(_IAM_POLICY_ARN.match(value)),
        field,
        f"{value!r} is not an IAM policy ARN (arn:<partition>:iam::<account-id|aws>:policy/<name>)",
    )
    return str(value)


def iam_role_name(value: Any, field: str) -> str:
    """An IAM role name: 1-64 characters of letters, digits and ``+=,.@_-``."""
    require(
        isinstance(value, str) and bool(_IAM_ROLE_NAME.match(value)),
        field,
        f"{value!r} is not a valid IAM role name (1-64 characters: letters, digits and +=,.@_-)",
    )
    return str(value)


def iam_path(value: Any, field: str) -> str:
    """An IAM path: ``/`` or ``/segment/.../``, at most 512 characters."""
    require(
        isinstance(value, str) and len(value) <= 512 and bool(_IAM_PATH.match(value)),
        field,
        f"{value!r} is not a valid IAM path (starts and ends with '/', e.g. /eks/)",
    )
    return str(value)


def kms_key_arn(value: Any, field: str, allow_alias: bool = True) -> str:
    """A KMS key ARN, or an alias ARN where ``allow_alias`` (not for an IAM grant: a policy
    naming an alias ARN does not grant use of the key behind it)."""
    match = _KMS_KEY_ARN.match(value) if isinstance(value, str) else None
    require(
        match is not None and (allow_alias or match.group("kind") == "key"),
        field,
        f"{value!r} is not a KMS key ARN (arn:<partition>:kms:<region>:<account-id>:key/<id>"
        + ("" if allow_alias else "; an alias ARN does not grant use of the key")
        + ")",
    )
    return str(value)


def domain_name(value: Any, field: str, allow_wildcard: bool = False) -> str:
    """A fully qualified DNS name such as ``app.example.com`` (lower-case, no trailing dot)."""
    ok = isinstance(value, str) and 0 < len(value) <= 253 and "." in value
    if ok:
        parts = value.split(".")
        if allow_wildcard and parts[0] == "*":
            parts = parts[1:]
        ok = all(_DOMAIN_LABEL.match(p) for p in parts) and not parts[-1].isdigit()
    require(
        ok,
        field,
        f"{value!r} is not a valid domain name (lower-case labels of letters, digits and '-', "
        "separated by dots, e.g. app.example.com)",
    )
    return str(value)


def hosted_zone_id(value: Any, field: str) -> str:
    """A Route53 hosted zone id: ``Z`` followed by upper-case letters and digits."""
    require(
        isinstance(value, str) and bool(_HOSTED_ZONE_ID.match(value)),
        field,
        f"{value!r} is not a Route53 hosted zone id ('Z' followed by upper-case letters and digits)",
    )
    return str(value)


def resource_key(value: Any, field: str) -> str:
    """A key the caller chooses that names resources (``{"readonly": arn}``)."""
    require(
        isinstance(value, str) and bool(_RESOURCE_KEY.match(value)),
        field,
        f"key {value!r} must be 1-63 letters, digits, '-', '_' and '.', starting with a "
        "letter or digit (it names the resources made for the entry)",
    )
    return str(value)


def aws_tags(value: Any, field: str) -> dict[str, str]:
    """AWS tags: keys of 1-128 characters not starting with ``aws:``, values of at most 256."""
    require(isinstance(value, Mapping), field, "must be a mapping of tag keys to values")
    for key, val in value.items():
        require(
            isinstance(key, str) and 0 < len(key) <= 128,
            f"{field}.{key}",
            "a tag key is 1-128 characters",
        )
        require(
            not key.lower().startswith("aws:"),
            f"{field}.{key}",
            "tag keys starting with 'aws:' are reserved by AWS",
        )
        require(
            isinstance(val, str) and len(val) <= 256,
            f"{field}.{key}",
            f"a tag value is a string of at most 256 characters, got {val!r}",
        )
    return dict(value)


def one_of(value: Any, allowed: Iterable[str], field: str) -> str:
    """``value`` must be one of ``allowed``."""
    allowed = tuple(allowed)
    require(value in allowed, field, f"{value!r} is not one of {', '.join(allowed)}")
    return str(value)


def positive_int(value: Any, field: str, minimum: int = 1, maximum: int | None = None) -> int:
    """An integer within ``[minimum, maximum]`` (booleans are refused)."""
    ok = isinstance(value, int) and not isinstance(value, bool) and value >= minimum
    if ok and maximum is not None:
        ok = value <= maximum
    bound = f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
    require(ok, field, f"{value!r} must be an integer {bound}")
    return int(value)


def positive_quantity(value: Any, field: str, example: str = "250m, 512Mi") -> None:
    """A Kubernetes quantity (``16``, ``500m``, ``64Gi``) greater than zero."""
    if isinstance(value, int) and not isinstance(value, bool):
        ok = value > 0
    else:
        match = _QUANTITY.match(value) if isinstance(value, str) else None
        ok = match is not None and float(match.group("number")) > 0
    require(ok, field, f"{value!r} is not a positive quantity (e.g. {example})")


def resource_requirements(value: Any, field: str) -> dict[str, dict[str, Any]]:
    """A container's ``resources``: ``requests`` and ``limits``, each mapping resource
    names to positive quantities (``{"requests": {"cpu": "50m"}, "limits": {...}}``)."""
    require(isinstance(value, Mapping), field, "must be a mapping (requests, limits)")
    for kind, amounts in value.items():
        one_of(kind, ("requests", "limits"), field)
        require(isinstance(amounts, Mapping), f"{field}.{kind}", "must map resources to amounts")
        for key, amount in amounts.items():
            label_key(key, f"{field}.{kind}.{key}")
            positive_quantity(amount, f"{field}.{kind}.{key}")
    return {kind: dict(amounts) for kind, amounts in value.items()}


def non_empty_strings(value: Any, field: str) -> list[str]:
    """A non-empty list of non-empty strings."""
    require(
        isinstance(value, Sequence)
        and not isinstance(value, str)
        and len(value) > 0
        and all(isinstance(v, str) and v for v in value),
        field,
        "must be a non-empty list of non-empty strings",
    )
    return list(value)


def unique(values: Iterable[str], field: str, what: str = "value") -> None:
    """Refuse duplicates in ``values``."""
    seen: set[str] = set()
    for v in values:
        require(v not in seen, field, f"duplicate {what} {v!r}")
        seen.add(v)


def tolerations(value: Any, field_name: str) -> list[dict[str, Any]]:
    """Kubernetes tolerations: mappings of key/operator/value/effect/tolerationSeconds."""
    require(
        isinstance(value, Sequence) and not isinstance(value, str),
        field_name,
        "must be a list of tolerations",
    )
    for i, t in enumerate(value):
        where = f"{field_name}[{i}]"
        require(isinstance(t, Mapping), where, "must be a mapping (key, operator, value, effect)")
        unknown = sorted(set(t) - set(TOLERATION_KEYS))
        if unknown:
            raise fail(where, f"unknown field {unknown[0]!r} (known: {', '.join(TOLERATION_KEYS)})")
        operator = t.get("operator", "Equal")
        one_of(operator, TOLERATION_OPERATORS, f"{where}.operator")
        if t.get("key") not in (None, ""):
            label_key(t["key"], f"{where}.key")
        else:
            require(operator == "Exists", f"{where}.key", "an empty key needs operator Exists")
        if operator == "Exists":
            require(
                t.get("value") in (None, ""), f"{where}.value", "must be empty with operator Exists"
            )
        elif t.get("value") not in (None, ""):
            label_value(t["value"], f"{where}.value")
        if t.get("effect") not in (None, ""):
            one_of(t["effect"], TOLERATION_EFFECTS, f"{where}.effect")
        if "tolerationSeconds" in t:
            require(
                t.get("effect") == "NoExecute",
                f"{where}.tolerationSeconds",
                "only applies with effect NoExecute",
            )
            positive_int(t["tolerationSeconds"], f"{where}.tolerationSeconds", minimum=0)
    return [dict(t) for t in value]


__all__ = [
    "IAM_NAME",
    "TOLERATION_EFFECTS",
    "TOLERATION_KEYS",
    "TOLERATION_OPERATORS",
    "aws_tags",
    "cidr",
    "cluster_name",
    "dns_label",
    "dns_subdomain",
    "domain_name",
    "hosted_zone_id",
    "iam_path",
    "iam_policy_arn",
    "iam_principal_arn",
    "iam_role_name",
    "kms_key_arn",
    "label_key",
    "label_value",
    "labels",
    "non_empty_strings",
    "one_of",
    "positive_int",
    "positive_quantity",
    "resource_key",
    "resource_requirements",
    "tolerations",
    "unique",
]
