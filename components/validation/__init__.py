"""Input checks shared by the components and the stack configuration.

Every check raises :class:`InvalidArgument`, a ``ValueError`` that carries the
offending field (an argument path such as ``node_groups['general'].min_size``) and
the rule it broke as data. A component adds its own name
(:func:`component_errors`: ``IrsaRole 'payments-api': policies.max_session_duration:
...``); the stack configuration restates the field as the config key it came from.
Either way a bad input fails before any resource is registered instead of deep inside
a provider at deploy time.

:func:`check_fields` checks the *types* of a dataclass's fields against its
annotations, so a dict where an Args object belongs, a string where a list belongs
or None where a value is required gets the same one-line error.
"""

from __future__ import annotations

import collections.abc
import contextlib
import dataclasses
import functools
import inspect
import ipaddress
import re
import sys
import types
import typing
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import pulumi

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

TAINT_EFFECTS = ("NO_SCHEDULE", "NO_EXECUTE", "PREFER_NO_SCHEDULE")
TOLERATION_KEYS = ("key", "operator", "value", "effect", "tolerationSeconds")
TOLERATION_OPERATORS = ("Exists", "Equal")
TOLERATION_EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")
CAPACITY_TYPES = ("ON_DEMAND", "SPOT")


class InvalidArgument(ValueError):
    """A value that breaks a rule: ``[<component>: ]<field>: <rule>``, each part kept as data."""

    def __init__(self, field: str, rule: str, component: str | None = None) -> None:
        self.field = field
        """Where the value is: an argument path such as ``policies.max_session_duration``."""
        self.rule = rule
        """What is wrong with it, and where there is one, the fix."""
        self.component = component
        """The component that refused it, e.g. ``IrsaRole 'payments-api'`` (None: not known)."""
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.field}: " if self.field else ""
        owner = f"{self.component}: " if self.component else ""
        return f"{owner}{where}{self.rule}"

    def within(self, prefix: str) -> InvalidArgument:
        """The same error for a value nested under ``prefix`` (``prefix.field``)."""
        field = (
            f"{prefix}.{self.field}"
            if self.field and not self.field.startswith("[")
            else (f"{prefix}{self.field}")
        )
        return InvalidArgument(field, self.rule, self.component)


def fail(field: str, rule: str) -> InvalidArgument:
    """Build the error every check raises: ``<field>: <rule>``."""
    return InvalidArgument(field, rule)


@contextlib.contextmanager
def component_errors(kind: str, name: str) -> Iterator[None]:
    """Name the component in every :class:`InvalidArgument` raised inside the block."""
    try:
        yield
    except InvalidArgument as error:
        if error.component is not None:
            raise
        raise InvalidArgument(error.field, error.rule, f"{kind} {name!r}") from None


@contextlib.contextmanager
def nested(prefix: str) -> Iterator[None]:
    """Report every :class:`InvalidArgument` raised inside the block under ``prefix``."""
    try:
        yield
    except InvalidArgument as error:
        raise error.within(prefix) from None


def require(condition: bool, field: str, rule: str) -> None:
    """Raise ``ValueError("<field>: <rule>")`` unless ``condition`` holds."""
    if not condition:
        raise fail(field, rule)


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


# -- types ---------------------------------------------------------------------------------------

_UNRESOLVED = object()


@functools.cache
def _field_hints(cls: type) -> dict[str, Any]:
    """Each field's annotation of dataclass ``cls``, resolved; unresolvable ones are skipped.

    Annotations are strings (``from __future__ import annotations``); names a module only
    imports for type checking cannot be resolved at run time, and those fields are left
    to the component's own checks.
    """
    hints: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        hint = f.type
        if isinstance(hint, str):
            owner = next(
                (k for k in cls.__mro__ if f.name in getattr(k, "__annotations__", {})), cls
            )
            namespace = {**vars(typing), **vars(sys.modules[owner.__module__])}
            try:
                hint = eval(hint, namespace)
            except Exception:
                hint = _UNRESOLVED
        if hint is not _UNRESOLVED:
            hints[f.name] = hint
    return hints


_EMPTY = (tuple, list, dict)


@functools.cache
def _field_defaults(cls: type) -> dict[str, Any]:
    """Each field's default (a plain default, or what its factory makes when that is empty)."""
    defaults: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.default is not dataclasses.MISSING:
            defaults[f.name] = f.default
        elif f.default_factory is not dataclasses.MISSING:
            made = f.default_factory()
            if isinstance(made, _EMPTY) and not made:
                defaults[f.name] = made
    return defaults


def describe_type(hint: Any) -> str:
    """``list[str] | None`` -> ``a list of strings or None``; for error messages."""
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if hint is type(None) or hint is None:
        return "None"
    if origin in (typing.Union, types.UnionType):
        if _is_input(hint):
            return describe_type(_input_inner(hint)) + " (or an Output of one)"
        return " or ".join(dict.fromkeys(describe_type(a) for a in args))
    if origin is typing.Literal:
        return "one of " + ", ".join(repr(a) for a in args)
    if origin in (list, tuple, collections.abc.Sequence):
        inner = describe_type(args[0]) if args else "values"
        return f"a list of {_plural(inner)}"
    if origin in (dict, collections.abc.Mapping):
        inner = describe_type(args[1]) if len(args) == 2 else "values"
        return f"a mapping of names to {_plural(inner)}"
    if _is_output_type(hint):
        return "an Output"
    if hint in _SIMPLE_NAMES:
        return _SIMPLE_NAMES[hint]
    if inspect.isclass(hint):
        name = hint.__name__
        return f"{'an' if name[:1] in 'AEIOU' else 'a'} {name}"
    return str(hint)


_SIMPLE_NAMES: dict[Any, str] = {
    str: "a string",
    int: "an integer",
    bool: "true or false",
    float: "a number",
    Any: "any value",
}


def _plural(described: str) -> str:
    """``a string (or an Output of one)`` -> ``strings (or Outputs of them)``."""
    described = described.replace(" (or an Output of one)", " (or Outputs of them)")
    described = described.replace("true or false", "booleans")
    for article in ("a ", "an "):
        if described.startswith(article):
            noun, _, rest = described[len(article) :].partition(" ")
            return f"{noun}s" + (f" {rest}" if rest else "")
    return described


def _is_output_type(hint: Any) -> bool:
    """``Output[T]``, also as the forward reference ``pulumi.Input`` uses."""
    if isinstance(hint, typing.ForwardRef):
        return hint.__forward_arg__.split("[")[0] == "Output"
    origin = typing.get_origin(hint) or hint
    return inspect.isclass(origin) and issubclass(origin, pulumi.Output)


def _is_deferred(hint: Any) -> bool:
    """``Output[T]`` or ``Awaitable[T]``: the options an Output value satisfies."""
    return _is_output_type(hint) or typing.get_origin(hint) is collections.abc.Awaitable


def _is_input(hint: Any) -> bool:
    """Whether ``hint`` is ``pulumi.Input[T]`` (``T | Awaitable[T] | Output[T]``)."""
    return any(_is_output_type(a) for a in typing.get_args(hint))


def _input_inner(hint: Any) -> Any:
    plain = [a for a in typing.get_args(hint) if not _is_deferred(a)]
    return typing.Union[tuple(plain)] if len(plain) > 1 else plain[0]  # noqa: UP007


def _type_error(value: Any, hint: Any, field: str, explain: bool = True) -> InvalidArgument | None:
    """None when ``value`` fits ``hint``, else the error naming ``field`` (``_UNFIT`` when
    ``explain`` is False: checking a union's options should not pay for messages)."""
    if hint is Any or hint is object or isinstance(hint, typing.TypeVar):
        return None
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if (isinstance(value, pulumi.Output) or inspect.isawaitable(value)) and any(
            _is_deferred(a) for a in args
        ):
            return None
        if any(_type_error(value, a, field, explain=False) is None for a in args):
            return None
        if not explain:
            return _UNFIT
        errors = [_type_error(value, a, field) for a in args]
        if all(e is not None for e in errors):
            # A nested error of the one option the value's kind matches says more.
            kinds = [a for a in args if _same_kind(value, a)]
            if len(kinds) == 1:
                return errors[args.index(kinds[0])]
            return _mismatch(value, hint, field, explain)
        return None
    if origin is typing.Literal:
        return None if value in args else _mismatch(value, hint, field, explain)
    if origin is collections.abc.Awaitable:
        return None if inspect.isawaitable(value) else _mismatch(value, hint, field, explain)
    if _is_output_type(hint):
        return None if isinstance(value, pulumi.Output) else _mismatch(value, hint, field, explain)
    if isinstance(hint, typing.ForwardRef):
        return None  # not resolvable here: the component's own checks cover it
    if origin in (list, tuple, collections.abc.Sequence):
        if isinstance(value, str | bytes) or not isinstance(value, list | tuple):
            return _mismatch(value, hint, field, explain)
        item = args[0] if args else Any
        for i, element in enumerate(value):
            error = _type_error(element, item, f"{field}[{i}]", explain)
            if error is not None:
                return error
        return None
    if origin in (dict, collections.abc.Mapping):
        if not isinstance(value, Mapping):
            return _mismatch(value, hint, field, explain)
        key_hint, item = args if len(args) == 2 else (Any, Any)
        for key, element in value.items():
            error = _type_error(key, key_hint, f"{field}", explain)
            if error is not None:
                if not explain:
                    return _UNFIT
                return InvalidArgument(field, f"key {key!r} is not {describe_type(key_hint)}")
            error = _type_error(element, item, f"{field}[{key!r}]", explain)
            if error is not None:
                return error
        return None
    if origin is collections.abc.Callable or hint is collections.abc.Callable:
        return None if callable(value) else _mismatch(value, hint, field, explain)
    if origin is not None:
        return None  # another generic: not checked here
    if hint is type(None):
        return None if value is None else _mismatch(value, hint, field, explain)
    if hint is float:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return None if ok else _mismatch(value, hint, field, explain)
    if hint is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
        return None if ok else _mismatch(value, hint, field, explain)
    if inspect.isclass(hint):
        return None if isinstance(value, hint) else _mismatch(value, hint, field, explain)
    return None


def _same_kind(value: Any, hint: Any) -> bool:
    """Whether ``value`` is the kind of thing ``hint`` describes, if not a correct one."""
    origin = typing.get_origin(hint) or hint
    if origin in (list, tuple, collections.abc.Sequence):
        return isinstance(value, list | tuple)
    if origin in (dict, collections.abc.Mapping):
        return isinstance(value, Mapping)
    return inspect.isclass(origin) and isinstance(value, origin)


_UNFIT = InvalidArgument("", "does not fit")
"""What a failed check returns when no message is wanted."""


def _mismatch(value: Any, hint: Any, field: str, explain: bool = True) -> InvalidArgument:
    if not explain:
        return _UNFIT
    shown = repr(value)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return InvalidArgument(
        field, f"expected {describe_type(hint)}, got {type(value).__name__} {shown}"
    )


def check_type(value: Any, hint: Any, field: str) -> None:
    """Raise :class:`InvalidArgument` naming ``field`` unless ``value`` fits ``hint``."""
    error = _type_error(value, hint, field)
    if error is not None:
        raise error


def check_fields(args: Any, cls: type, field: str = "args") -> None:
    """``args`` is a ``cls`` whose fields hold values of their annotated types.

    Nested dataclasses are checked through their own annotations, so the error names the
    full path (``role.max_session_duration``).
    """
    if not isinstance(args, cls):
        raise InvalidArgument(
            field,
            f"expected {describe_type(cls)}, got {type(args).__name__}"
            + (
                " (build the Args object; a mapping is not one)"
                if isinstance(args, Mapping)
                else ""
            ),
        )
    defaults = _field_defaults(cls)
    for name, hint in _field_hints(cls).items():
        value = getattr(args, name)
        default = defaults.get(name, _UNRESOLVED)
        if value is default or (isinstance(default, _EMPTY) and value == default):
            continue  # a default fits its own annotation; checking it would cost every caller
        check_type(value, hint, name)
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            with nested(name):
                check_fields(value, type(value), name)


def has_outputs(value: Any) -> bool:
    """Whether ``value`` holds a ``pulumi.Output`` anywhere (mappings and lists searched)."""
    if isinstance(value, pulumi.Output):
        return True
    if isinstance(value, Mapping):
        return any(has_outputs(x) for x in value.values())
    if isinstance(value, list | tuple):
        return any(has_outputs(x) for x in value)
    return False


def when_known(
    value: Any, check: typing.Callable[[Any, str], Any], field: str, owner: str | None = None
) -> Any:
    """Run ``check(value, field)`` now for a plain value, or once an Output's value is known.

    Returns ``value`` (an Output that fails with the same field-named error when the check
    fails), so it can be passed on as the resource input it was meant for.
    """
    if not (isinstance(value, pulumi.Output) or inspect.isawaitable(value)):
        check(value, field)
        return value

    def run(resolved: Any) -> Any:
        try:
            check(resolved, field)
        except InvalidArgument as error:
            raise InvalidArgument(error.field, error.rule, error.component or owner) from None
        return resolved

    return pulumi.Output.from_input(value).apply(run)
