"""The KMS key that envelope-encrypts a cluster's Kubernetes Secrets, and its key policy.

The key rotates, and its policy (:func:`secrets_key_policy`) lets the administrators manage
it, the cluster's service role use it (and grant EKS's own use of it), and nobody but an
optional break-glass principal disable it or schedule its deletion.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pulumi
import pulumi_aws as aws

from .. import aws_context

KEY_ADMIN_ACTIONS = (
    "kms:Create*",
    "kms:Describe*",
    "kms:Enable*",
    "kms:List*",
    "kms:Put*",
    "kms:Update*",
    "kms:Revoke*",
    "kms:Disable*",
    "kms:Get*",
    "kms:Delete*",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:ScheduleKeyDeletion",
    "kms:CancelKeyDeletion",
    "kms:RotateKeyOnDemand",
)
KEY_USER_ACTIONS = (
    "kms:Encrypt",
    "kms:Decrypt",
    "kms:ReEncrypt*",
    "kms:GenerateDataKey*",
    "kms:DescribeKey",
)
KEY_PROTECTED_ACTIONS = ("kms:ScheduleKeyDeletion", "kms:DisableKey")


def secrets_key_policy(
    account_id: str,
    cluster_role_arn: str,
    break_glass_arn: str | None,
    administrators: Sequence[str],
) -> dict[str, Any]:
    """The Secrets key's policy: administrators manage it, the cluster role uses it (and may
    grant EKS's own use of it), and nobody but the break-glass principal may disable it or
    schedule its deletion."""
    statements: list[dict[str, Any]] = [
        {
            "Sid": "Administrators",
            "Effect": "Allow",
            "Principal": {"AWS": sorted(set(administrators))},
            "Action": list(KEY_ADMIN_ACTIONS),
            "Resource": "*",
        },
        {
            "Sid": "ClusterUsesTheKey",
            "Effect": "Allow",
            "Principal": {"AWS": cluster_role_arn},
            "Action": list(KEY_USER_ACTIONS),
            "Resource": "*",
        },
        {
            "Sid": "ClusterGrantsForEks",
            "Effect": "Allow",
            "Principal": {"AWS": cluster_role_arn},
            "Action": ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
            "Resource": "*",
            "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}},
        },
    ]
    deny: dict[str, Any] = {
        "Sid": "NoDisableOrDeletionButBreakGlass",
        "Effect": "Deny",
        "Principal": {"AWS": "*"},
        "Action": list(KEY_PROTECTED_ACTIONS),
        "Resource": "*",
    }
    if break_glass_arn:
        deny["Condition"] = {"ArnNotEquals": {"aws:PrincipalArn": break_glass_arn}}
        statements[0]["Principal"]["AWS"] = sorted({*administrators, break_glass_arn})
    statements.append(deny)
    return {"Version": "2012-10-17", "Id": f"eks-secrets-{account_id}", "Statement": statements}


def create_secrets_key(
    name: str,
    *,
    cluster_name: str,
    cluster_role_arn: pulumi.Input[str],
    administrators: Sequence[pulumi.Input[str]],
    break_glass_arn: pulumi.Input[str] | None,
    tags: dict[str, str],
    protect: bool,
    parent: pulumi.Resource,
) -> pulumi.Output[str]:
    """The key (with rotation and :func:`secrets_key_policy`) and its alias
    ``alias/eks/<cluster_name>``, children of ``parent``; returns the key's ARN."""
    policy = pulumi.Output.all(
        aws_context.account_id(), cluster_role_arn, break_glass_arn, *administrators
    ).apply(lambda a: json.dumps(secrets_key_policy(a[0], a[1], a[2], a[3:])))
    key = aws.kms.Key(
        f"{name}-secrets",
        description=f"EKS Secrets envelope encryption for cluster {cluster_name}",
        enable_key_rotation=True,
        deletion_window_in_days=30,
        policy=policy,
        tags=tags,
        opts=pulumi.ResourceOptions(parent=parent, protect=protect),
    )
    aws.kms.Alias(
        f"{name}-secrets",
        name=f"alias/eks/{cluster_name}",
        target_key_id=key.key_id,
        opts=pulumi.ResourceOptions(parent=parent),
    )
    return key.arn
