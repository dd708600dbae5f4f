"""A small evaluator for KMS key policies (test helper): may this principal call this action?

moto stores key policies but does not evaluate them, so the tests do it here, with the parts
of KMS's authorization that the library's key policies use (AWS KMS Developer Guide,
"Determining access to a KMS key" and "Default key policy"):

* an explicit ``Deny`` that matches wins;
* an ``Allow`` naming the principal's ARN allows it, unless the role was deleted and
  re-created since the policy was written (``recreated``): KMS stores a role principal as the
  role's unique id, which a new role of the same name does not have;
* an ``Allow`` naming the account root (``arn:<partition>:iam::<account>:root`` or the
  bare account id) allows the root user itself, and delegates to IAM for every other
  principal of the account: allowed when that principal's IAM policies allow the action
  (``iam_allows``);
* conditions: ``ArnEquals``/``ArnNotEquals``/``ArnLike``/``ArnNotLike`` and
  ``StringEquals``/``StringNotEquals`` (keys ANDed, values ORed; a ``Not`` operator holds
  when no value matches), and ``Bool``; the context holds ``aws:PrincipalArn`` (an ARN, so
  a re-created role still matches it).

:func:`passes_lockout_check` is KMS's policy lockout safety check for ``CreateKey`` and
``PutKeyPolicy``: the caller must be allowed ``kms:PutKeyPolicy`` by the new policy.
"""

from __future__ import annotations

import json
import re
from typing import Any, Literal

Decision = Literal["allow", "deny", "implicit-deny"]


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _like(pattern: str, value: str) -> bool:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, re.IGNORECASE) is not None


_POSITIVE = {
    "ArnEquals": lambda e, a: e == a,
    "ArnLike": _like,
    "StringEquals": lambda e, a: e == a,
    "Bool": lambda e, a: str(e).lower() == str(a).lower(),
}
_NEGATIVE = {
    "ArnNotEquals": "ArnEquals",
    "ArnNotLike": "ArnLike",
    "StringNotEquals": "StringEquals",
}


def _conditions_hold(conditions: dict[str, dict[str, Any]], context: dict[str, str]) -> bool:
    for operator, keys in conditions.items():
        positive = _NEGATIVE.get(operator, operator)
        test = _POSITIVE.get(positive)
        if test is None:
            raise AssertionError(f"evaluator does not know condition operator {operator}")
        for key, expected in keys.items():
            actual = context.get(key)
            matched = actual is not None and any(test(e, actual) for e in _as_list(expected))
            if matched == (operator in _NEGATIVE):
                return False
    return True


def _account_root(value: str) -> str | None:
    """The account id if ``value`` names an account (its root ARN or the bare id)."""
    if re.fullmatch(r"\d{12}", value):
        return value
    match = re.fullmatch(r"arn:[a-z-]+:iam::(\d{12}):root", value)
    return match[1] if match else None


def _account_of(principal_arn: str) -> str:
    match = re.fullmatch(r"arn:[a-z-]+:(?:iam|sts)::(\d{12}):.+", principal_arn)
    assert match, f"not an IAM principal ARN: {principal_arn}"
    return match[1]


def _names(statement: dict[str, Any], principal_arn: str, recreated: bool) -> str | None:
    """How the statement's Principal covers the principal: ``direct``, ``account`` (through
    the account root: IAM decides), ``everyone``, or None."""
    for value in _as_list(statement.get("Principal", {}).get("AWS", [])):
        if value == "*":
            return "everyone"
        if value == principal_arn and not recreated:
            return "direct"
        account = _account_root(value)
        if account is not None and account == _account_of(principal_arn):
            return "direct" if principal_arn.endswith(":root") else "account"
    return None


def decide(
    policy: str | dict[str, Any],
    principal_arn: str,
    action: str,
    *,
    iam_allows: bool = False,
    recreated: bool = False,
    context: dict[str, str] | None = None,
) -> Decision:
    """What KMS answers when ``principal_arn`` calls ``action`` on the key.

    ``iam_allows``: the principal's own IAM policies allow the action (used where the key
    policy delegates to IAM through the account root). ``recreated``: the principal is a role
    deleted and created again since the key policy was written.
    """
    doc = json.loads(policy) if isinstance(policy, str) else policy
    full_context = {"aws:PrincipalArn": principal_arn, **(context or {})}
    allowed = False
    for statement in _as_list(doc["Statement"]):
        covered = _names(statement, principal_arn, recreated)
        if covered is None:
            continue
        if not any(_like(a, action) for a in _as_list(statement["Action"])):
            continue
        if not _conditions_hold(statement.get("Condition", {}), full_context):
            continue
        if statement["Effect"] == "Deny":
            return "deny"
        if covered == "direct" or (covered == "account" and iam_allows):
            allowed = True
    return "allow" if allowed else "implicit-deny"


def may(policy: str | dict[str, Any], principal_arn: str, action: str, **kwargs: Any) -> bool:
    """Whether :func:`decide` allows it."""
    return decide(policy, principal_arn, action, **kwargs) == "allow"


def passes_lockout_check(policy: str | dict[str, Any], caller_arn: str) -> bool:
    """KMS's lockout safety check: the new policy lets the caller PutKeyPolicy afterwards
    (with every IAM permission the caller could have)."""
    return may(policy, caller_arn, "kms:PutKeyPolicy", iam_allows=True)
