"""A cluster's Fargate profiles and the pod execution role they share.

The role may be assumed by Fargate only on behalf of this cluster's profiles
(``aws:SourceArn``); the profiles run their pods in the private subnets and are autonamed, so
a change of selectors replaces a profile create-before-delete.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

import pulumi
import pulumi_aws as aws

from .. import aws_context
from ..identity import iam
from .args import FargateProfileSpec

POD_EXECUTION_POLICY = "AmazonEKSFargatePodExecutionRolePolicy"


def create_fargate_profiles(
    name: str,
    *,
    profiles: Mapping[str, FargateProfileSpec],
    cluster_name: str,
    eks_cluster_name: pulumi.Input[str],
    role_name: str,
    subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]],
    tags: dict[str, str],
    depends_on: Sequence[pulumi.Resource],
    parent: pulumi.Resource,
) -> dict[str, aws.eks.FargateProfile]:
    """The pod execution role ``<name>-fargate`` and a profile ``<name>-<profile>`` per entry,
    children of ``parent``; none without profiles.

    ``cluster_name`` scopes the role's trust; ``eks_cluster_name`` (an output of the control
    plane) is what the profiles wait for. The profiles also wait for ``depends_on`` (the
    networking add-ons) and their role's policies (and are deleted before them).
    """
    if not profiles:
        return {}
    pod_role = iam.create_role(
        f"{name}-fargate",
        role_name=role_name,
        trust_policy=fargate_trust_policy(cluster_name, parent.get_provider("aws:index:provider")),
        settings=iam.RoleSettings(tags=tags),
        parent=parent,
        managed_policy_arns=iam.managed(
            POD_EXECUTION_POLICY, provider=parent.get_provider("aws:index:provider")
        ),
    )
    return {
        profile_name: aws.eks.FargateProfile(
            f"{name}-{profile_name}",
            cluster_name=eks_cluster_name,
            pod_execution_role_arn=pod_role.arn,
            subnet_ids=subnet_ids,
            selectors=[
                aws.eks.FargateProfileSelectorArgs(namespace=s.namespace, labels=s.labels or None)
                for s in profile.selectors
            ],
            tags=tags,
            opts=pulumi.ResourceOptions(
                parent=parent, depends_on=[*depends_on, *iam.children_of(pod_role)]
            ),
        )
        for profile_name, profile in profiles.items()
    }


def fargate_trust_policy(
    cluster_name: str, provider: pulumi.ProviderResource | None = None
) -> pulumi.Output[str]:
    """Fargate may assume the pod execution role only on behalf of this cluster's profiles."""
    return pulumi.Output.all(
        aws_context.partition(provider),
        aws_context.region(provider),
        aws_context.account_id(provider),
    ).apply(
        lambda a: json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "eks-fargate-pods.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                        "Condition": {
                            "ArnLike": {
                                "aws:SourceArn": f"arn:{a[0]}:eks:{a[1]}:{a[2]}:fargateprofile/{cluster_name}/*"
                            }
                        },
                    }
                ],
            }
        )
    )
