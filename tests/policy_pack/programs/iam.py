"""Bad and good programs of the pack's rules. IAM and KMS: workload trust, wildcard permissions, boundaries, key administrators."""

from __future__ import annotations

import json
from typing import Any

import pulumi_aws as aws

from .base import ACCOUNT, ISSUER, OIDC_ARN, case


def web_identity_role(name: str, conditions: dict[str, Any], **kwargs: Any) -> aws.iam.Role:
    return aws.iam.Role(
        name,
        assume_role_policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Federated": OIDC_ARN},
                        "Action": "sts:AssumeRoleWithWebIdentity",
                        "Condition": conditions,
                    }
                ],
            }
        ),
        **kwargs,
    )


PINNED = {
    "StringEquals": {
        f"{ISSUER}:sub": "system:serviceaccount:reports:reader",
        f"{ISSUER}:aud": "sts.amazonaws.com",
    }
}


@case("iam-irsa-trust-pinned", bad=True)
def bad_any_service_account() -> None:
    web_identity_role("reader", {"StringLike": {f"{ISSUER}:sub": "system:serviceaccount:*:*"}})


@case("iam-irsa-trust-pinned", bad=True)
def bad_no_sub() -> None:
    web_identity_role("reader", {"StringEquals": {f"{ISSUER}:aud": "sts.amazonaws.com"}})


@case("iam-irsa-trust-pinned", bad=True)
def bad_pattern_with_namespace_wildcard_even_opted_in() -> None:
    web_identity_role(
        "reader",
        {
            "StringLike": {f"{ISSUER}:sub": "system:serviceaccount:team-*:reader"},
            "StringEquals": {f"{ISSUER}:aud": "sts.amazonaws.com"},
        },
        tags={"eks-platform/allow-sub-pattern": "true"},
    )


@case("iam-irsa-trust-pinned", bad=False)
def good_exact_service_account() -> None:
    web_identity_role("reader", PINNED)


@case("iam-irsa-trust-pinned", bad=False)
def good_pattern_with_opt_in_tag() -> None:
    web_identity_role(
        "batch",
        {
            "StringLike": {f"{ISSUER}:sub": "system:serviceaccount:batch:job-*"},
            "StringEquals": {f"{ISSUER}:aud": "sts.amazonaws.com"},
        },
        tags={"eks-platform/allow-sub-pattern": "true"},
    )


@case("iam-irsa-trust-pinned", bad=False)
def good_github_actions_trust_is_not_eks() -> None:
    aws.iam.Role(
        "deploy",
        assume_role_policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {
                            "Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/"
                            "token.actions.githubusercontent.com"
                        },
                        "Action": "sts:AssumeRoleWithWebIdentity",
                        "Condition": {
                            "StringLike": {
                                "token.actions.githubusercontent.com:sub": "repo:acme/app:*"
                            }
                        },
                    }
                ],
            }
        ),
    )


def pod_identity_role(name: str, services: list[str], actions: list[str]) -> aws.iam.Role:
    statement = {"Effect": "Allow", "Principal": {"Service": services}, "Action": actions}
    return aws.iam.Role(
        name,
        assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [statement]}),
    )


@case("iam-pod-identity-trust", bad=True)
def bad_other_service_and_actions() -> None:
    pod_identity_role("api", ["pods.eks.amazonaws.com", "ec2.amazonaws.com"], ["sts:*"])


@case("iam-pod-identity-trust", bad=False)
def good_pods_only() -> None:
    pod_identity_role("api", ["pods.eks.amazonaws.com"], ["sts:AssumeRole", "sts:TagSession"])


def inline(name: str, *statements: dict[str, Any]) -> aws.iam.RolePolicy:
    role = pod_identity_role(
        f"{name}-role", ["pods.eks.amazonaws.com"], ["sts:AssumeRole", "sts:TagSession"]
    )
    return aws.iam.RolePolicy(
        name,
        role=role.name,
        policy=json.dumps({"Version": "2012-10-17", "Statement": list(statements)}),
    )


BUCKET = "arn:aws:s3:::example-reports"


@case("iam-no-wildcard-action", bad=True)
def bad_service_wildcard() -> None:
    inline("reports", {"Effect": "Allow", "Action": "s3:*", "Resource": [BUCKET, f"{BUCKET}/*"]})


@case("iam-no-wildcard-action", bad=True, also=("iam-no-wildcard-resource",))
def bad_not_action_in_a_managed_policy() -> None:
    aws.iam.Policy(
        "almost-admin",
        policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}],
            }
        ),
    )


@case("iam-no-wildcard-action", bad=False)
def good_listed_actions() -> None:
    inline(
        "reports",
        {
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:ListBucket"],
            "Resource": [BUCKET, f"{BUCKET}/*"],
        },
        {
            "Effect": "Deny",
            "Action": "*",
            "Resource": "*",
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
    )


@case("iam-no-wildcard-resource", bad=True)
def bad_mutating_and_data_reads_on_everything() -> None:
    inline(
        "writer",
        {
            "Effect": "Allow",
            "Action": ["s3:PutObject", "secretsmanager:GetSecretValue"],
            "Resource": "*",
        },
    )


@case("iam-no-wildcard-resource", bad=True)
def bad_inline_policy_of_a_role() -> None:
    aws.iam.Role(
        "ops",
        assume_role_policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "ec2.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            }
        ),
        inline_policies=[
            aws.iam.RoleInlinePolicyArgs(
                name="terminate",
                policy=json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {"Effect": "Allow", "Action": "ec2:TerminateInstances", "Resource": "*"}
                        ],
                    }
                ),
            )
        ],
    )


@case("iam-no-wildcard-resource", bad=False)
def good_reads_scoped_writes_and_tag_conditions() -> None:
    inline(
        "writer",
        {"Effect": "Allow", "Action": ["ec2:Describe*", "eks:ListClusters"], "Resource": "*"},
        {"Effect": "Allow", "Action": "s3:PutObject", "Resource": f"{BUCKET}/*"},
        {
            "Effect": "Allow",
            "Action": "ec2:TerminateInstances",
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:ResourceTag/team": "reports"}},
        },
    )


@case(
    "iam-no-wildcard-resource",
    bad=False,
    config={"iam-no-wildcard-resource": {"allowedActions": ["ec2:CreateTags"]}},
)
def good_allow_listed_action() -> None:
    inline("tagger", {"Effect": "Allow", "Action": "ec2:CreateTags", "Resource": "*"})


BOUNDARY = {
    "iam-permissions-boundary": {
        "permissionsBoundaryArn": f"arn:aws:iam::{ACCOUNT}:policy/AppBoundary"
    }
}


@case("iam-permissions-boundary", bad=True, config=BOUNDARY)
def bad_role_without_boundary() -> None:
    web_identity_role("reader", PINNED)


@case("iam-permissions-boundary", bad=False, config=BOUNDARY)
def good_role_with_boundary() -> None:
    web_identity_role(
        "reader", PINNED, permissions_boundary=f"arn:aws:iam::{ACCOUNT}:policy/AppBoundary"
    )


@case("iam-permissions-boundary", bad=False)
def good_no_boundary_configured() -> None:
    web_identity_role("reader", PINNED)


def key(name: str, statements: list[dict[str, Any]] | None, **kwargs: Any) -> aws.kms.Key:
    policy = json.dumps({"Version": "2012-10-17", "Statement": statements}) if statements else None
    return aws.kms.Key(name, policy=policy, **kwargs)


@case("kms-key-administrator", bad=True)
def bad_nobody_administers() -> None:
    key(
        "data",
        [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/app"},
                "Action": ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*"],
                "Resource": "*",
            }
        ],
    )


@case("kms-key-administrator", bad=True)
def bad_lockout_check_bypassed() -> None:
    key("data", None, bypass_policy_lockout_safety_check=True)


@case("kms-key-administrator", bad=False)
def good_root_administers() -> None:
    key(
        "data",
        [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                "Action": "kms:*",
                "Resource": "*",
            }
        ],
    )


@case("kms-key-administrator", bad=False)
def good_default_policy() -> None:
    key("data", None)


ADMIN_ROLE = f"arn:aws:iam::{ACCOUNT}:role/KeyAdmin"
GLASS_ROLE = f"arn:aws:iam::{ACCOUNT}:role/BreakGlass"


def guarded_key(exempt: list[str]) -> None:
    """A key only a break-glass role (and the ``exempt`` principals) may re-policy: the deploy
    role cannot pass the lockout check, so the key is created with the bypass."""
    key(
        "data",
        [
            {
                "Effect": "Allow",
                "Principal": {"AWS": [ADMIN_ROLE, GLASS_ROLE]},
                "Action": ["kms:Put*", "kms:Describe*"],
                "Resource": "*",
            },
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                "Action": ["kms:PutKeyPolicy", "kms:GetKeyPolicy"],
                "Resource": "*",
            },
            {
                "Effect": "Deny",
                "Principal": {"AWS": "*"},
                "Action": ["kms:PutKeyPolicy", "kms:ScheduleKeyDeletion"],
                "Resource": "*",
                "Condition": {"ArnNotEquals": {"aws:PrincipalArn": exempt}},
            },
        ],
        bypass_policy_lockout_safety_check=True,
    )


@case("kms-key-administrator", bad=False)
def good_bypass_with_a_policy_that_keeps_the_root_user() -> None:
    guarded_key([GLASS_ROLE, f"arn:aws:iam::{ACCOUNT}:root"])


@case("kms-key-administrator", bad=True)
def bad_bypass_with_a_deny_that_takes_the_root_user_back() -> None:
    guarded_key([GLASS_ROLE])


@case("iam-no-wildcard-resource", bad=False)
def good_secrets_search_with_scoped_values() -> None:
    """BatchGetSecretValue returns only the secrets GetSecretValue is allowed on."""
    inline(
        "finder",
        {
            "Effect": "Allow",
            "Action": ["secretsmanager:ListSecrets", "secretsmanager:BatchGetSecretValue"],
            "Resource": "*",
        },
        {
            "Effect": "Allow",
            "Action": "secretsmanager:GetSecretValue",
            "Resource": f"arn:aws:secretsmanager:us-west-2:{ACCOUNT}:secret:team-a/*",
        },
    )
