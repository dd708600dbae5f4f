"""What every rule shares: its metadata and config, and reading values as the engine sends them.

The engine hands a policy the resource's inputs wrapped in read-only proxies
(``collections.abc.Mapping`` and ``Sequence``, not ``dict`` and ``list``) that raise
``UnknownValueError`` when a value is not known yet (``pulumi preview`` of a resource whose
input comes from one not created yet); the SDK reports that as an advisory "can't run during
preview" note. The helpers here never catch it.
"""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyComplianceFramework,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

MANDATORY = EnforcementLevel.MANDATORY
ADVISORY = EnforcementLevel.ADVISORY

CIS_EKS = "CIS Amazon EKS Benchmark"
CIS_EKS_VERSION = "1.7.0"


@dataclass(frozen=True)
class Rule:
    """One rule of the pack: what docs/policy-pack.md tabulates."""

    name: str
    description: str
    """One line: what passes."""
    level: EnforcementLevel
    """The default enforcement level; ``policy-config.json`` overrides it per rule."""
    area: str
    rationale: str
    """Why, citing the source."""
    source: str
    """The source, short: "EKS Best Practices Guide: IAM > IRSA", "CIS ... 5.4.2"."""
    url: str
    remediation: str
    config: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """JSON-schema properties of the rule's config, each with its ``default``."""
    severity: Severity = Severity.HIGH
    cis: str | None = None
    """The CIS Amazon EKS Benchmark recommendation, when there is one."""


def settings(rule: Rule, given: Mapping[str, Any] | None) -> dict[str, Any]:
    """The rule's config: the schema defaults, overridden by what the engine passed.

    The CLI already fills in the defaults (from the schema) before it configures the pack;
    they are applied here too so that a rule behaves the same when called directly.
    """
    values = {key: spec["default"] for key, spec in rule.config.items() if "default" in spec}
    values.update(given or {})
    return values


def _policy_kwargs(rule: Rule) -> dict[str, Any]:
    framework = (
        PolicyComplianceFramework(name=CIS_EKS, version=CIS_EKS_VERSION, reference=rule.cis)
        if rule.cis
        else None
    )
    schema = (
        PolicyConfigSchema(properties={k: dict(v) for k, v in rule.config.items()})
        if rule.config
        else None
    )
    return {
        "name": rule.name,
        "description": rule.description,
        "enforcement_level": rule.level,
        "config_schema": schema,
        "severity": rule.severity,
        "framework": framework,
        "tags": [rule.area],
        "remediation_steps": rule.remediation,
        "url": rule.url,
    }


Check = Callable[[ResourceValidationArgs, Mapping[str, Any]], Iterable[str]]
"""A resource rule's logic: the args and the rule's config -> one message per violation."""

StackCheck = Callable[[StackValidationArgs, Mapping[str, Any]], Iterable[tuple[str, str | None]]]
"""A stack rule's logic: -> (message, URN of the offending resource or None) per violation."""


def resource_policy(rule: Rule, types: Iterable[str], check: Check) -> ResourceValidationPolicy:
    """A ResourceValidationPolicy that runs ``check`` on resources of the given type tokens."""
    wanted = frozenset(types)

    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        if args.resource_type not in wanted:
            return
        for message in check(args, settings(rule, args.get_config())):
            report_violation(message, None)

    return ResourceValidationPolicy(validate=validate, **_policy_kwargs(rule))


def stack_policy(rule: Rule, check: StackCheck) -> StackValidationPolicy:
    """A StackValidationPolicy that runs ``check`` on every resource of the stack."""

    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        for message, urn in check(args, settings(rule, args.get_config())):
            report_violation(message, urn)

    return StackValidationPolicy(validate=validate, **_policy_kwargs(rule))


# -- schema snippets ------------------------------------------------------------------------


def string_list(description: str, default: Sequence[str] = ()) -> dict[str, Any]:
    return {
        "type": "array",
        "items": {"type": "string"},
        "default": list(default),
        "description": description,
    }


def string(description: str, default: str = "") -> dict[str, Any]:
    return {"type": "string", "default": default, "description": description}


def boolean(description: str, default: bool = False) -> dict[str, Any]:
    return {"type": "boolean", "default": default, "description": description}


# -- reading values -------------------------------------------------------------------------


def as_list(value: Any) -> list[Any]:
    """``None`` -> [], a string or a mapping -> [it], any other sequence -> its items."""
    if value is None:
        return []
    if isinstance(value, str | bytes | Mapping):
        return [value]
    if isinstance(value, Sequence):
        return list(value)
    return [value]


def get(value: Any, *path: str | int) -> Any:
    """``value[path[0]][path[1]]...``, or None where a step is missing or of the wrong kind."""
    for key in path:
        if isinstance(key, int):
            if isinstance(value, Sequence) and not isinstance(value, str) and key < len(value):
                value = value[key]
            else:
                return None
        elif isinstance(value, Mapping) and key in value:
            value = value[key]
        else:
            return None
    return value


def mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def truthy(value: Any) -> bool:
    """True for ``True`` and ``"true"`` (some providers type booleans as strings)."""
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def falsy(value: Any) -> bool:
    """True for ``False`` and ``"false"``: explicitly off, not merely absent."""
    return value is False or (isinstance(value, str) and value.strip().lower() == "false")


def matches(value: str, patterns: Iterable[str]) -> bool:
    """Whether ``value`` matches one of the shell-style patterns (``*``, ``?``), case-sensitive."""
    return any(fnmatch.fnmatchcase(value, pattern) for pattern in patterns)


def identities(args: ResourceValidationArgs) -> list[str]:
    """What an allow-list entry may name: the Pulumi name, the physical name, the URN."""
    names = [args.name, args.urn]
    physical = get(args.props, "name")
    if isinstance(physical, str):
        names.append(physical)
    metadata_name = get(args.props, "metadata", "name")
    if isinstance(metadata_name, str):
        names.append(metadata_name)
    return names


def policy_document(value: Any) -> Mapping[str, Any] | None:
    """An IAM policy document given as JSON text or as an object; None when absent or unreadable."""
    if isinstance(value, Mapping):
        return value
    if isinstance(value, str) and value.strip().startswith("{"):
        try:
            parsed = json.loads(value)
        except ValueError:
            return None
        return parsed if isinstance(parsed, dict) else None
    return None


def statements(document: Mapping[str, Any] | None) -> list[Mapping[str, Any]]:
    """The document's statements, each a mapping (``Statement`` may be one object or a list)."""
    return [s for s in as_list(get(document, "Statement")) if isinstance(s, Mapping)]


def iam_match(pattern: str, value: str) -> bool:
    """IAM's matching of action names: case-insensitive, ``*`` any run of characters, ``?`` one."""
    regex = ".*".join(
        ".".join(re.escape(p) for p in part.split("?")) for part in pattern.split("*")
    )
    return re.fullmatch(regex, value, re.IGNORECASE) is not None


def grants(patterns: Iterable[str], action: str) -> bool:
    """Whether one of the action patterns (``sts:*``, ``*``, ``kms:Put*``) covers ``action``."""
    return any(iam_match(pattern, action) for pattern in patterns)


def actions(statement: Mapping[str, Any]) -> list[str]:
    """The statement's ``Action`` entries."""
    return [a for a in as_list(statement.get("Action")) if isinstance(a, str)]


def allows(statement: Mapping[str, Any]) -> bool:
    return statement.get("Effect") == "Allow"


def lower_set(values: Iterable[Any]) -> set[str]:
    return {v.lower() for v in values if isinstance(v, str)}


def kubernetes_namespace(props: Mapping[str, Any]) -> str:
    """``metadata.namespace``; ``default`` when unset (the provider's own default namespace, if it
    has one, is not visible to a policy)."""
    namespace = get(props, "metadata", "namespace")
    return namespace if isinstance(namespace, str) and namespace else "default"


def k8s_annotations(props: Mapping[str, Any]) -> Mapping[str, Any]:
    return mapping(get(props, "metadata", "annotations"))
