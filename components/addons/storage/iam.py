"""What the EBS CSI driver's role may do: the AWS managed policy, and a customer key's use.

The key statements are the EKS user guide's ("Store Kubernetes volumes with Amazon EBS", step
"If you use a custom KMS key"): grants only for AWS resources (``kms:GrantIsForAWSResource``),
and encrypt, decrypt, re-encrypt, data keys and describe, on that key alone.
"""

from __future__ import annotations

import pulumi

from ... import aws_context
from ...identity.permissions import Grant
from .args import DRIVER_POLICY, DRIVER_POLICY_PATH

KEY_GRANT_ACTIONS = ("kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant")
KEY_USE_ACTIONS = (
    "kms:Encrypt",
    "kms:Decrypt",
    "kms:ReEncrypt*",
    "kms:GenerateDataKey*",
    "kms:DescribeKey",
)


def driver_policy(provider: pulumi.ProviderResource | None) -> dict[str, pulumi.Input[str]]:
    """``AmazonEBSCSIDriverPolicy`` (path ``/service-role/``) in ``provider``'s partition."""
    return {
        DRIVER_POLICY: aws_context.aws_managed_policy_arn(
            DRIVER_POLICY_PATH + DRIVER_POLICY, provider
        )
    }


def key_grant(key_arn: pulumi.Input[str]) -> Grant:
    """The driver's use of the customer key ``key_arn`` for the volumes it creates."""
    return Grant(
        "ebs-volume-key",
        (
            {
                "Effect": "Allow",
                "Action": list(KEY_GRANT_ACTIONS),
                "Resource": [key_arn],
                "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}},
            },
            {"Effect": "Allow", "Action": list(KEY_USE_ACTIONS), "Resource": [key_arn]},
        ),
    )
