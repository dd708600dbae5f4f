"""IAM: workload trust (IRSA, Pod Identity), wildcard permissions, permissions boundaries."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from pulumi_policy import ResourceValidationArgs

from .common import (
    MANDATORY,
    Rule,
    actions,
    allows,
    as_list,
    get,
    grants,
    identities,
    lower_set,
    mapping,
    matches,
    policy_document,
    resource_policy,
    statements,
    string,
    string_list,
)

ROLE = "aws:iam/role:Role"
POLICY = "aws:iam/policy:Policy"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
USER_POLICY = "aws:iam/userPolicy:UserPolicy"
GROUP_POLICY = "aws:iam/groupPolicy:GroupPolicy"
PERMISSION_TYPES = (ROLE, POLICY, ROLE_POLICY, USER_POLICY, GROUP_POLICY)

WEB_IDENTITY = "sts:assumerolewithwebidentity"
POD_IDENTITY_SERVICE = "pods.eks.amazonaws.com"
POD_IDENTITY_ACTIONS = {"sts:assumerole", "sts:tagsession"}
EKS_ISSUER = re.compile(r"^oidc\.eks\.[a-z0-9-]+\.amazonaws\.com(\.cn)?/id/[A-Za-z0-9]+$")
SERVICE_ACCOUNT = re.compile(r"^system:serviceaccount:[a-z0-9]([-a-z0-9]*[a-z0-9])?:[a-z0-9.-]+$")
SERVICE_ACCOUNT_PATTERN = re.compile(r"^system:serviceaccount:[a-z0-9]([-a-z0-9]*[a-z0-9])?:\S+$")


# -- IRSA trust -----------------------------------------------------------------------------

IRSA_TRUST = Rule(
    name="iam-irsa-trust-pinned",
    description="A role trusted by an EKS OIDC provider pins aud to sts.amazonaws.com and sub to "
    "exact ServiceAccounts with StringEquals",
    level=MANDATORY,
    area="iam",
    rationale="Without a sub condition every ServiceAccount of the cluster, in every namespace, "
    "can assume the role (a pod of any team gets its permissions); without aud a token minted "
    "for another audience is accepted. AWS's IRSA trust policy and the EKS Best Practices Guide "
    "scope the trust to one ServiceAccount with StringEquals on both keys; a pattern "
    "(StringLike) is allowed only on a role that carries the opt-in tag, so it is deliberate "
    "and visible in review.",
    source="EKS Best Practices Guide: Identity and Access Management > IRSA (scope the role "
    "trust policy to the service account); Amazon EKS User Guide: Assign IAM roles to "
    "Kubernetes service accounts",
    url="https://docs.aws.amazon.com/eks/latest/best-practices/identity-and-access-management.html",
    remediation="Condition: {StringEquals: {'<issuer>:sub': "
    "'system:serviceaccount:<namespace>:<name>', '<issuer>:aud': 'sts.amazonaws.com'}}; for a "
    "deliberate pattern, tag the role with the opt-in tag (allowSubPatternTag) = true.",
    config={
        "allowSubPatternTag": string(
            "Tag key that, set to 'true' on the role, allows sub patterns (StringLike); the "
            "namespace stays literal.",
            "eks-platform/allow-sub-pattern",
        ),
        "issuers": string_list(
            "Issuer hosts (the part after 'oidc-provider/') checked besides EKS's own "
            "(oidc.eks.<region>.amazonaws.com/id/...), e.g. a self-managed cluster's."
        ),
    },
)


def _federated_issuers(statement: Mapping[str, Any], extra: list[str]) -> list[str]:
    hosts = []
    for principal in as_list(get(statement, "Principal", "Federated")):
        if not isinstance(principal, str) or ":oidc-provider/" not in principal:
            continue
        host = principal.split(":oidc-provider/", 1)[1]
        if EKS_ISSUER.match(host) or matches(host, extra):
            hosts.append(host)
    return hosts


def irsa_trust_violations(
    document: Mapping[str, Any] | None,
    tags: Callable[[], Mapping[str, Any]],
    config: Mapping[str, Any],
) -> Iterator[str]:
    """Each OIDC web-identity statement of an EKS issuer must pin aud and sub (see the rule).

    ``tags`` gives the role's tags, read only when a pattern needs the opt-in (a role's tags
    may not be known during preview)."""
    tag = str(config.get("allowSubPatternTag") or "")
    for index, statement in enumerate(statements(document)):
        if not allows(statement) or not grants(actions(statement), WEB_IDENTITY):
            continue
        conditions = mapping(statement.get("Condition"))
        equals = mapping(conditions.get("StringEquals"))
        where = f"statement {statement.get('Sid') or index}"
        for host in _federated_issuers(statement, list(config.get("issuers") or [])):
            aud = as_list(equals.get(f"{host}:aud"))
            if not aud or any(value != "sts.amazonaws.com" for value in aud):
                yield (
                    f"{where}: {host}:aud is not pinned to sts.amazonaws.com with StringEquals "
                    "(tokens minted for any audience are accepted)"
                )
            yield from _sub_violations(host, conditions, where, tag, tags)


def _sub_violations(
    host: str,
    conditions: Mapping[str, Any],
    where: str,
    tag: str,
    tags: Callable[[], Mapping[str, Any]],
) -> Iterator[str]:
    key = f"{host}:sub"
    exact = as_list(mapping(conditions.get("StringEquals")).get(key))
    if exact:
        bad = [v for v in exact if not isinstance(v, str) or not SERVICE_ACCOUNT.match(v)]
        if bad:
            yield f"{where}: {key} names {bad}, not system:serviceaccount:<namespace>:<name>"
        return  # conditions are ANDed: an exact sub pins it whatever else is there
    other = {op: as_list(mapping(values).get(key)) for op, values in conditions.items()}
    patterns = [(op, values) for op, values in other.items() if values]
    if not patterns:
        yield (
            f"{where}: no {key} condition: every ServiceAccount of the cluster can assume the "
            "role; pin it with StringEquals to system:serviceaccount:<namespace>:<name>"
        )
        return
    opted_in = bool(tag) and str(tags().get(tag, "")).lower() == "true"
    for op, values in patterns:
        if not opted_in:
            yield (
                f"{where}: {key} uses {op} {values}; exact ServiceAccounts (StringEquals) are "
                f"required unless the role is tagged {tag or '<allowSubPatternTag>'}=true"
            )
            continue
        loose = [
            v for v in values if not isinstance(v, str) or not SERVICE_ACCOUNT_PATTERN.match(v)
        ]
        if loose:
            yield (
                f"{where}: {key} pattern {loose} does not keep the namespace literal "
                "(system:serviceaccount:<namespace>:<pattern>)"
            )


def _check_irsa(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    document = policy_document(get(args.props, "assumeRolePolicy"))
    yield from irsa_trust_violations(document, lambda: mapping(get(args.props, "tags")), config)


# -- Pod Identity trust ---------------------------------------------------------------------

POD_IDENTITY_TRUST = Rule(
    name="iam-pod-identity-trust",
    description="A Pod Identity trust statement admits only pods.eks.amazonaws.com, with exactly "
    "sts:AssumeRole and sts:TagSession",
    level=MANDATORY,
    area="iam",
    rationale="EKS Pod Identity assumes the role as the service principal "
    "pods.eks.amazonaws.com with sts:AssumeRole and sts:TagSession (the session tags carry the "
    "cluster, namespace and ServiceAccount). Another principal in the same statement, or more "
    "actions, widens who can assume the workload's role beyond the association that names it.",
    source="Amazon EKS User Guide: Pod Identity > Create the IAM role (trust policy); EKS Best "
    "Practices Guide: Identity and Access Management > EKS Pod Identities",
    url="https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html",
    remediation="Principal: {Service: pods.eks.amazonaws.com}, Action: [sts:AssumeRole, "
    "sts:TagSession]; put any other principal in a statement of its own.",
)


def pod_identity_violations(document: Mapping[str, Any] | None) -> Iterator[str]:
    for index, statement in enumerate(statements(document)):
        if not allows(statement):
            continue
        principal = statement.get("Principal")
        services = lower_set(as_list(get(principal, "Service")))
        if POD_IDENTITY_SERVICE not in services:
            continue
        where = f"statement {statement.get('Sid') or index}"
        others = sorted(services - {POD_IDENTITY_SERVICE}) + sorted(
            k for k in mapping(principal) if k != "Service"
        )
        if others:
            yield f"{where}: admits {others} besides {POD_IDENTITY_SERVICE}"
        granted = lower_set(actions(statement))
        if granted != POD_IDENTITY_ACTIONS:
            yield (
                f"{where}: actions {sorted(actions(statement))}; Pod Identity needs exactly "
                "sts:AssumeRole and sts:TagSession"
            )


def _check_pod_identity(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    yield from pod_identity_violations(policy_document(get(args.props, "assumeRolePolicy")))


# -- permissions ----------------------------------------------------------------------------


def permission_documents(
    args: ResourceValidationArgs,
) -> Iterator[tuple[str, Mapping[str, Any] | None]]:
    """(label, document) of each permission policy the resource carries."""
    if args.resource_type == ROLE:
        for index, inline in enumerate(as_list(get(args.props, "inlinePolicies"))):
            label = get(inline, "name") or str(index)
            yield f"inline policy {label}", policy_document(get(inline, "policy"))
    else:
        yield "policy", policy_document(get(args.props, "policy"))


ALLOW_LIST = {
    "allowedActions": string_list(
        "Action names or patterns (e.g. 'ec2:CreateTags') exempt from the rule, for actions "
        "AWS does not let you scope."
    ),
    "allowedPolicies": string_list(
        "Policies or roles exempt from the rule: patterns matched against the Pulumi name, the "
        "IAM name and the URN. The default exempts the AWS Load Balancer Controller's policy "
        "as upstream publishes it (vendored by the platform's LoadBalancerController).",
        ["urn:pulumi:*eks-platform:index:LoadBalancerController$aws:iam/policy:Policy::*"],
    ),
}


def _exempt(args: ResourceValidationArgs, config: Mapping[str, Any]) -> bool:
    return any(matches(name, config.get("allowedPolicies") or []) for name in identities(args))


WILDCARD_ACTION = Rule(
    name="iam-no-wildcard-action",
    description="No Allow statement grants '*' or '<service>:*' actions, or uses NotAction",
    level=MANDATORY,
    area="iam",
    rationale="A wildcard action grants every current and future action of the service "
    "(iam:* is account takeover); NotAction in an Allow grants everything not listed. Least "
    "privilege grants the actions a workload calls.",
    source="AWS IAM User Guide: Security best practices > Apply least-privilege permissions; "
    "EKS Best Practices Guide: Identity and Access Management (least privilege for IRSA roles)",
    url="https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html",
    remediation="List the actions; the platform's permission helpers (eks_platform.permissions) "
    "name exactly the actions each grant needs.",
    config=ALLOW_LIST,
)


def wildcard_action_violations(
    label: str, document: Mapping[str, Any] | None, allowed: list[str]
) -> Iterator[str]:
    for index, statement in enumerate(statements(document)):
        if not allows(statement):
            continue
        where = f"{label}, statement {statement.get('Sid') or index}"
        if "NotAction" in statement:
            yield f"{where}: NotAction in an Allow grants every other action"
        wild = [
            a
            for a in actions(statement)
            if (a == "*" or a.endswith(":*")) and not grants(allowed, a)
        ]
        if wild:
            yield f"{where}: grants wildcard actions {wild}"


def _check_wildcard_action(
    args: ResourceValidationArgs, config: Mapping[str, Any]
) -> Iterator[str]:
    if _exempt(args, config):
        return
    for label, document in permission_documents(args):
        yield from wildcard_action_violations(label, document, list(config["allowedActions"]))


WILDCARD_RESOURCE = Rule(
    name="iam-no-wildcard-resource",
    description="No Allow statement grants a mutating action (or a data read) on Resource '*' "
    "unless a tag or service condition scopes it",
    level=MANDATORY,
    area="iam",
    rationale="Resource '*' on a mutating action lets the role change every such resource in "
    "the account, not the ones it owns; read-only metadata calls (Describe*, List*, Get* other "
    "than data reads) cannot be scoped by most services and are fine. Data reads "
    "(secretsmanager:GetSecretValue, ssm:GetParameter*, s3:GetObject, dynamodb reads) on '*' "
    "read every secret or object, so they count as mutating here; "
    "secretsmanager:BatchGetSecretValue does not (it takes no resource, and returns only the "
    "secrets GetSecretValue is allowed on). A Condition on resource or "
    "request tags, iam:AWSServiceName, iam:PassedToService or kms:ViaService scopes the "
    "statement the way AWS recommends when ARNs are not known in advance.",
    source="AWS IAM User Guide: Security best practices > Apply least-privilege permissions; "
    "EKS Best Practices Guide: Identity and Access Management > IRSA (scope permissions)",
    url="https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html",
    remediation="Name the resources (ARNs, or ARN patterns of your own prefix), or add a tag "
    "condition; allow-list actions AWS does not let you scope (allowedActions).",
    config={
        **ALLOW_LIST,
        "readPrefixes": string_list(
            "Action name prefixes that only read metadata.",
            ["Describe", "Get", "List", "BatchGet", "Search", "Lookup", "View", "Head"],
        ),
        "dataReadActions": string_list(
            "Reads of data, treated as mutating on Resource '*' (patterns).",
            [
                "secretsmanager:GetSecretValue",
                "ssm:GetParameter*",
                "s3:GetObject*",
                "dynamodb:GetItem",
                "dynamodb:BatchGetItem",
                "dynamodb:Query",
                "dynamodb:Scan",
                "kms:Decrypt",
            ],
        ),
        "scopingConditionKeys": string_list(
            "Condition keys (patterns) that scope a statement on Resource '*'.",
            [
                "*:ResourceTag/*",
                "*:RequestTag/*",
                "iam:AWSServiceName",
                "iam:PassedToService",
                "kms:ViaService",
            ],
        ),
    },
)


def _read_only(action: str, config: Mapping[str, Any]) -> bool:
    if ":" not in action:
        return False
    if grants(config["dataReadActions"], action):
        return False
    verb = action.split(":", 1)[1]
    return any(verb.lower().startswith(p.lower()) for p in config["readPrefixes"])


def _scoped(statement: Mapping[str, Any], keys: list[str]) -> bool:
    for values in mapping(statement.get("Condition")).values():
        for key in mapping(values):
            if grants(keys, key):
                return True
    return False


def wildcard_resource_violations(
    label: str, document: Mapping[str, Any] | None, config: Mapping[str, Any]
) -> Iterator[str]:
    allowed = list(config["allowedActions"])
    for index, statement in enumerate(statements(document)):
        if not allows(statement):
            continue
        unscoped = "*" in as_list(statement.get("Resource")) or "NotResource" in statement
        if not unscoped or _scoped(statement, list(config["scopingConditionKeys"])):
            continue
        mutating = [
            a for a in actions(statement) if not _read_only(a, config) and not grants(allowed, a)
        ]
        if "NotAction" in statement:
            mutating.append(f"every action but {as_list(statement.get('NotAction'))}")
        if mutating:
            yield (
                f"{label}, statement {statement.get('Sid') or index}: "
                f"{', '.join(mutating)} on Resource '*'"
            )


def _check_wildcard_resource(
    args: ResourceValidationArgs, config: Mapping[str, Any]
) -> Iterator[str]:
    if _exempt(args, config):
        return
    for label, document in permission_documents(args):
        yield from wildcard_resource_violations(label, document, config)


# -- permissions boundary -------------------------------------------------------------------

PERMISSIONS_BOUNDARY = Rule(
    name="iam-permissions-boundary",
    description="Every IAM role carries the configured permissions boundary (passes when none "
    "is configured)",
    level=MANDATORY,
    area="iam",
    rationale="Where the organisation delegates role creation to app teams, a permissions "
    "boundary caps what any role they create can do, whatever its policies say; a role "
    "without it escapes the cap.",
    source="AWS IAM User Guide: Permissions boundaries for IAM entities (delegating "
    "responsibility to others)",
    url="https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html",
    remediation="Set permissionsBoundary on the role to the configured ARN.",
    config={
        "permissionsBoundaryArn": string(
            "The boundary policy ARN every role must carry; empty: the rule passes."
        ),
        "exemptRoles": string_list(
            "Roles (patterns on the Pulumi name, IAM name or URN) that need not carry it."
        ),
    },
)


def _check_boundary(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    required = config.get("permissionsBoundaryArn") or ""
    if not required or any(matches(n, config["exemptRoles"]) for n in identities(args)):
        return
    actual = get(args.props, "permissionsBoundary")
    if actual != required:
        yield f"permissionsBoundary is {actual or 'unset'}, not {required}"


POLICIES = [
    resource_policy(IRSA_TRUST, [ROLE], _check_irsa),
    resource_policy(POD_IDENTITY_TRUST, [ROLE], _check_pod_identity),
    resource_policy(WILDCARD_ACTION, PERMISSION_TYPES, _check_wildcard_action),
    resource_policy(WILDCARD_RESOURCE, PERMISSION_TYPES, _check_wildcard_resource),
    resource_policy(PERMISSIONS_BOUNDARY, [ROLE], _check_boundary),
]
RULES = [
    IRSA_TRUST,
    POD_IDENTITY_TRUST,
    WILDCARD_ACTION,
    WILDCARD_RESOURCE,
    PERMISSIONS_BOUNDARY,
]
