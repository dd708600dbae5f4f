"""The KMS key that envelope-encrypts a cluster's Kubernetes Secrets, and its key policy.

The key rotates. Its policy (:func:`secrets_key_policy`) lets the administrators manage it,
the cluster's service role use it (and grant EKS's own use of it), and the account keep it
recoverable. Who may delete it depends on whether it has a break-glass principal:

* **without** (dev, staging): the administrators may disable it and schedule its deletion,
  so ``pulumi destroy`` (the AWS provider calls ``kms:ScheduleKeyDeletion``) works; the key
  is deleted after a 7-day window (:data:`DELETION_WINDOW_DAYS`), within which
  ``aws kms cancel-key-deletion`` brings it back;
* **with** (prod, where ``deletion_protection`` requires one): only the break-glass principal
  and the account's root user may disable it, schedule its deletion or change its policy
  (:data:`KEY_PROTECTED_ACTIONS`): every other principal, the administrators and the deploy
  role included, is denied them, so no administrator can remove the deny; the window is 30
  days. The deploy role cannot pass KMS's lockout safety check for such a policy (it checks
  that the *caller* may ``PutKeyPolicy`` afterwards), so the key is created with
  ``bypass_policy_lockout_safety_check``; the key stays manageable through the break-glass
  principal and the root user, which the Deny exempts by ARN (``aws:PrincipalArn``).

The account root's statement (:data:`ROOT_RECOVERY_ACTIONS`) is what keeps the key
manageable when an administrator role is deleted or re-created: a key policy names a role
by its unique id, so a re-created role no longer matches its old statement, while the
root statement lets IAM policies grant those actions again (and the Deny compares ARNs, so a
re-created break-glass role keeps its exemption).
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
KEY_PROTECTED_ACTIONS = ("kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:PutKeyPolicy")
"""With a break-glass principal: denied to everyone but it and the account's root user.
``PutKeyPolicy`` is among them, or an administrator could rewrite the policy without the Deny."""
ROOT_RECOVERY_ACTIONS = ("kms:DescribeKey", "kms:GetKeyPolicy", "kms:PutKeyPolicy")
"""What the account root is allowed (delegated to IAM policies): enough to give the key new
administrators, nothing to use it with."""
EBS_GRANT_ACTIONS = ("kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant")
"""What EC2 does with the key for an EBS volume on behalf of its caller (the EBS CSI driver),
besides :data:`KEY_USER_ACTIONS`: only for AWS resources (``kms:GrantIsForAWSResource``)."""
DELETION_WINDOW_DAYS = {False: 7, True: 30}
"""Days a scheduled deletion waits, by whether the key has a break-glass principal (7 and 30
are KMS's minimum and maximum)."""


def secrets_key_policy(
    account_id: str,
    cluster_role_arn: str,
    break_glass_arn: str | None,
    administrators: Sequence[str],
    partition: str = "aws",
    ebs_region: str | None = None,
) -> dict[str, Any]:
    """The Secrets key's policy (see the module): administrators manage it, the cluster role
    uses it, the account root can always recover it; with ``break_glass_arn``, only that
    principal and the root user may disable it, schedule its deletion or change its policy.
    With ``ebs_region``, IAM policies of the account may let a principal use the key through
    EC2 in that region, for EBS volumes only (``kms:ViaService``): the EBS CSI driver's role
    encrypts the cluster's volumes with it (docs/storage-and-metrics.md)."""
    root = f"arn:{partition}:iam::{account_id}:root"
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
        {
            "Sid": "AccountRootRecovers",
            "Effect": "Allow",
            "Principal": {"AWS": root},
            "Action": list(ROOT_RECOVERY_ACTIONS),
            "Resource": "*",
        },
    ]
    if break_glass_arn:
        statements.append(
            {
                "Sid": "BreakGlass",
                "Effect": "Allow",
                "Principal": {"AWS": break_glass_arn},
                "Action": list(KEY_ADMIN_ACTIONS),
                "Resource": "*",
            }
        )
        statements.append(
            {
                "Sid": "OnlyBreakGlassDisablesDeletesOrRewritesPolicy",
                "Effect": "Deny",
                "Principal": {"AWS": "*"},
                "Action": list(KEY_PROTECTED_ACTIONS),
                "Resource": "*",
                "Condition": {"ArnNotEquals": {"aws:PrincipalArn": [break_glass_arn, root]}},
            }
        )
    if ebs_region:
        statements += _ebs_statements(root, account_id, ebs_region, partition)
    return {"Version": "2012-10-17", "Id": f"eks-secrets-{account_id}", "Statement": statements}


def _ebs_statements(root: str, account_id: str, region: str, partition: str) -> list[Any]:
    """The key's use for EBS volumes, delegated to IAM policies, through EC2 only."""
    suffix = "amazonaws.com.cn" if partition == "aws-cn" else "amazonaws.com"
    through_ec2 = {"kms:ViaService": f"ec2.{region}.{suffix}", "kms:CallerAccount": account_id}
    return [
        {
            "Sid": "EbsVolumesThroughEc2",
            "Effect": "Allow",
            "Principal": {"AWS": root},
            "Action": list(KEY_USER_ACTIONS),
            "Resource": "*",
            "Condition": {"StringEquals": through_ec2},
        },
        {
            "Sid": "EbsGrantsThroughEc2",
            "Effect": "Allow",
            "Principal": {"AWS": root},
            "Action": list(EBS_GRANT_ACTIONS),
            "Resource": "*",
            "Condition": {
                "StringEquals": through_ec2,
                "Bool": {"kms:GrantIsForAWSResource": "true"},
            },
        },
    ]


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
    guarded = break_glass_arn is not None
    policy = pulumi.Output.all(
        aws_context.account_id(parent.get_provider("aws:index:provider")),
        aws_context.partition(parent.get_provider("aws:index:provider")),
        aws_context.region(parent.get_provider("aws:index:provider")),
        cluster_role_arn,
        break_glass_arn,
        *administrators,
    ).apply(
        lambda a: json.dumps(
            secrets_key_policy(a[0], a[3], a[4], a[5:], partition=a[1], ebs_region=a[2])
        )
    )
    key = aws.kms.Key(
        f"{name}-secrets",
        description=f"EKS Secrets envelope encryption for cluster {cluster_name}",
        enable_key_rotation=True,
        deletion_window_in_days=DELETION_WINDOW_DAYS[guarded],
        policy=policy,
        # Only with a break-glass principal: the Deny then leaves the deploy role (the caller)
        # unable to PutKeyPolicy, which KMS's lockout check refuses; the break-glass principal
        # and the root user keep the key manageable.
        bypass_policy_lockout_safety_check=guarded or None,
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
