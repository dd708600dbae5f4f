"""KMS: key policies keep an administrator."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import ResourceValidationArgs, Severity

from .common import (
    MANDATORY,
    Rule,
    actions,
    allows,
    as_list,
    get,
    grants,
    policy_document,
    resource_policy,
    statements,
    truthy,
)

KEY = "aws:kms/key:Key"
KEY_POLICY = "aws:kms/keyPolicy:KeyPolicy"
PUT_KEY_POLICY = "kms:PutKeyPolicy"

KMS_ADMIN = Rule(
    name="kms-key-administrator",
    description="A KMS key policy keeps an administrator allowed kms:PutKeyPolicy; no lockout "
    "bypass unless it keeps the root",
    level=MANDATORY,
    area="kms",
    rationale="A key policy that no principal may change makes the key unmanageable (only AWS "
    "Support can recover it) and, for a cluster's Secrets key, the cluster's Secrets with it. "
    "An administrator is a principal other than '*' (the account root counts: it delegates to "
    "IAM) allowed kms:PutKeyPolicy (directly, kms:Put*, kms:* or *) that no unconditional "
    "Deny to everyone takes back. A key without a policy gets AWS's default policy, which "
    "keeps the account root, and passes. bypassPolicyLockoutSafetyCheck skips KMS's check "
    "that the caller may still PutKeyPolicy; it is accepted only when the policy itself keeps "
    "the account root user able to (an Allow to the root, every Deny on PutKeyPolicy exempting "
    "it by aws:PrincipalArn), as a key that only a break-glass principal may re-policy needs.",
    source="AWS KMS Developer Guide: Default key policy (allows access to the AWS account and "
    "enables IAM policies); PutKeyPolicy: the policy lockout safety check",
    url="https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html",
    remediation="Keep a statement that allows kms:* (or the administrator actions, kms:Put* "
    "included) to the account root or named administrator roles; set "
    "bypassPolicyLockoutSafetyCheck only with a policy that keeps the account root user.",
    severity=Severity.MEDIUM,
)


def _principals(statement: Mapping[str, Any]) -> list[str]:
    principal = statement.get("Principal")
    if isinstance(principal, str):
        return [principal]
    return [p for p in as_list(get(principal, "AWS")) if isinstance(p, str)]


def key_admin_violations(document: Mapping[str, Any]) -> Iterator[str]:
    everyone_denied = any(
        statement.get("Effect") == "Deny"
        and "*" in _principals(statement)
        and not statement.get("Condition")
        and grants(actions(statement), PUT_KEY_POLICY)
        for statement in statements(document)
    )
    admins = {
        principal
        for statement in statements(document)
        if allows(statement) and grants(actions(statement), PUT_KEY_POLICY)
        for principal in _principals(statement)
        if principal != "*"
    }
    if everyone_denied or not admins:
        yield (
            "no principal may call kms:PutKeyPolicy: nobody could change this key's policy "
            "again (allow it to the account root or to named administrators)"
        )


_ROOT = re.compile(r"^arn:[a-z-]+:iam::\d{12}:root$")
_EXEMPTING = ("ArnNotEquals", "ArnNotLike", "StringNotEquals", "StringNotLike")


def _root_exempt(statement: Mapping[str, Any], roots: set[str]) -> bool:
    """Whether a Deny's condition leaves out one of ``roots`` by its aws:PrincipalArn."""
    conditions = statement.get("Condition")
    if not isinstance(conditions, Mapping) or len(conditions) != 1:
        return False
    ((operator, keys),) = conditions.items()
    if (
        operator not in _EXEMPTING
        or not isinstance(keys, Mapping)
        or set(keys) != {"aws:PrincipalArn"}
    ):
        return False
    return bool(roots & {str(v) for v in as_list(keys["aws:PrincipalArn"])})


def keeps_the_root(document: Mapping[str, Any] | None) -> bool:
    """The policy lets the account root user PutKeyPolicy, whatever else it denies: an Allow
    to the root ARN, and every Deny covering PutKeyPolicy exempts the root by ARN."""
    roots = {
        principal
        for statement in statements(document)
        if allows(statement) and grants(actions(statement), PUT_KEY_POLICY)
        for principal in _principals(statement)
        if _ROOT.match(principal)
    }
    return bool(roots) and all(
        _root_exempt(statement, roots)
        for statement in statements(document)
        if statement.get("Effect") == "Deny"
        and grants(actions(statement), PUT_KEY_POLICY)
        and ({"*"} | roots) & set(_principals(statement))
    )


def _check_key_admin(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    document = policy_document(get(args.props, "policy"))
    if truthy(get(args.props, "bypassPolicyLockoutSafetyCheck")) and not keeps_the_root(document):
        yield (
            "bypassPolicyLockoutSafetyCheck is set and the policy does not keep the account root "
            "user able to PutKeyPolicy: AWS would accept a policy that locks the key"
        )
    if document is not None:  # no policy: AWS's default one, which keeps the account root
        yield from key_admin_violations(document)


POLICIES = [resource_policy(KMS_ADMIN, [KEY, KEY_POLICY], _check_key_admin)]
RULES = [KMS_ADMIN]
