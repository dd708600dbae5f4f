"""A small evaluator for IAM role trust policies, to test who may assume a role.

moto does not evaluate trust policies, so the tests do it here: given a web-identity
token (issuer, ``sub``, ``aud``) and the ARN of the IAM OIDC provider registered for
that issuer, :func:`admits` answers whether ``sts:AssumeRoleWithWebIdentity`` would
be allowed. It implements the parts of IAM's evaluation the generated policies
use: Allow/Deny statements, Federated and Service principals, actions with
wildcards, and the StringEquals / StringLike / ArnLike condition operators
(operators and keys ANDed, values ORed, a missing key fails the condition).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Token:
    """A projected ServiceAccount token's relevant claims."""

    issuer: str
    sub: str
    aud: str = "sts.amazonaws.com"

    @property
    def host(self) -> str:
        return self.issuer.removeprefix("https://").rstrip("/")


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _like(pattern: str, value: str) -> bool:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value) is not None


_OPERATORS = {
    "StringEquals": lambda expected, actual: expected == actual,
    "StringLike": _like,
    "ArnLike": _like,
    "ArnEquals": lambda expected, actual: expected == actual,
}


def _conditions_hold(conditions: dict[str, dict[str, Any]], context: dict[str, str]) -> bool:
    for operator, keys in conditions.items():
        test = _OPERATORS.get(operator)
        if test is None:
            raise AssertionError(f"evaluator does not know condition operator {operator}")
        for key, expected in keys.items():
            if key not in context:
                return False
            if not any(test(e, context[key]) for e in _as_list(expected)):
                return False
    return True


def _matches(
    statement: dict[str, Any], action: str, principal: tuple[str, str], context: dict[str, str]
) -> bool:
    kind, value = principal
    principals = statement.get("Principal", {})
    if value not in _as_list(principals.get(kind, [])):
        return False
    if not any(_like(a, action) for a in _as_list(statement.get("Action", []))):
        return False
    return _conditions_hold(statement.get("Condition", {}), context)


def evaluate(
    policy: str | dict[str, Any], action: str, principal: tuple[str, str], context: dict[str, str]
) -> bool:
    """Whether the trust policy allows ``principal`` (kind, value) to perform ``action``."""
    doc = json.loads(policy) if isinstance(policy, str) else policy
    statements = _as_list(doc["Statement"])
    if any(s["Effect"] == "Deny" and _matches(s, action, principal, context) for s in statements):
        return False
    return any(
        s["Effect"] == "Allow" and _matches(s, action, principal, context) for s in statements
    )


def admits(policy: str | dict[str, Any], token: Token, provider_arn: str) -> bool:
    """Whether STS would exchange ``token`` (via the provider ``provider_arn``) for the role."""
    context = {f"{token.host}:sub": token.sub, f"{token.host}:aud": token.aud}
    return evaluate(policy, "sts:AssumeRoleWithWebIdentity", ("Federated", provider_arn), context)


def service_may_assume(
    policy: str | dict[str, Any], service: str, action: str = "sts:AssumeRole", **context: str
) -> bool:
    """Whether the AWS service principal ``service`` may perform ``action`` on the role."""
    return evaluate(policy, action, ("Service", service), dict(context))


def pod_identity_admits(
    policy: str | dict[str, Any],
    cluster: str,
    namespace: str,
    service_account: str,
    account: str = "123456789012",
) -> bool:
    """Whether EKS Pod Identity may assume the role (and tag the session) for this pod identity.

    EKS Auth calls ``sts:AssumeRole`` and ``sts:TagSession`` as ``pods.eks.amazonaws.com``
    with session tags for the cluster, namespace and ServiceAccount, from ``account``.
    """
    context = {
        "aws:SourceAccount": account,
        "aws:RequestTag/eks-cluster-name": cluster,
        "aws:RequestTag/kubernetes-namespace": namespace,
        "aws:RequestTag/kubernetes-service-account": service_account,
    }
    return all(
        evaluate(policy, action, ("Service", "pods.eks.amazonaws.com"), context)
        for action in ("sts:AssumeRole", "sts:TagSession")
    )
