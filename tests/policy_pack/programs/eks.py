"""Bad and good programs of the pack's rules. EKS: the control plane (raw and pulumi-eks) and the nodes."""

from __future__ import annotations

from typing import Any

import pulumi_aws as aws
import pulumi_eks as eks
import pulumi_kubernetes as k8s

from .base import ACCOUNT, ADMIN, KMS_KEY, SUBNETS, case


def raw_cluster(**overrides: Any) -> aws.eks.Cluster:
    """A raw cluster that passes every cluster rule; override one thing to break one."""
    args: dict[str, Any] = {
        "role_arn": f"arn:aws:iam::{ACCOUNT}:role/cluster",
        "vpc_config": aws.eks.ClusterVpcConfigArgs(
            subnet_ids=SUBNETS, endpoint_private_access=True, endpoint_public_access=False
        ),
        "encryption_config": aws.eks.ClusterEncryptionConfigArgs(
            provider=aws.eks.ClusterEncryptionConfigProviderArgs(key_arn=KMS_KEY),
            resources=["secrets"],
        ),
        "enabled_cluster_log_types": ["api", "audit", "authenticator"],
        "access_config": aws.eks.ClusterAccessConfigArgs(authentication_mode="API"),
    }
    args.update(overrides)
    return aws.eks.Cluster("apps", **args)


@case("eks-no-public-endpoint-anywhere", bad=True)
def bad_default_endpoint() -> None:
    raw_cluster(vpc_config=aws.eks.ClusterVpcConfigArgs(subnet_ids=SUBNETS))


@case("eks-no-public-endpoint-anywhere", bad=False)
def good_private_endpoint() -> None:
    raw_cluster()


@case("eks-no-public-endpoint-anywhere", bad=False)
def good_public_to_listed_cidrs() -> None:
    raw_cluster(
        vpc_config=aws.eks.ClusterVpcConfigArgs(
            subnet_ids=SUBNETS, endpoint_public_access=True, public_access_cidrs=["203.0.113.0/24"]
        )
    )


@case(
    "eks-no-public-endpoint-anywhere",
    bad=False,
    config={"eks-no-public-endpoint-anywhere": {"allowedClusters": ["apps"]}},
)
def good_declared_exception() -> None:
    raw_cluster(vpc_config=aws.eks.ClusterVpcConfigArgs(subnet_ids=SUBNETS))


@case("eks-secrets-encryption", bad=True)
def bad_no_kms_key() -> None:
    raw_cluster(encryption_config=None)


@case("eks-secrets-encryption", bad=False)
def good_kms_key() -> None:
    raw_cluster()


@case("eks-audit-logs", bad=True)
def bad_no_audit_log() -> None:
    raw_cluster(enabled_cluster_log_types=["api"])


@case("eks-audit-logs", bad=False)
def good_audit_log() -> None:
    raw_cluster()


@case("eks-authentication-mode-api", bad=True)
def bad_config_map_by_default() -> None:
    raw_cluster(access_config=None)


@case("eks-authentication-mode-api", bad=False)
def good_api() -> None:
    raw_cluster()


def pulumi_eks_cluster(**overrides: Any) -> eks.Cluster:
    """pulumi-eks as an app team uses it: checked offline through the component's inputs."""
    args: dict[str, Any] = {
        "vpc_id": "vpc-0123456789abcdef0",
        "private_subnet_ids": SUBNETS,
        "endpoint_private_access": True,
        "endpoint_public_access": False,
        "encryption_config_key_arn": KMS_KEY,
        "enabled_cluster_log_types": ["api", "audit"],
        "authentication_mode": eks.AuthenticationMode.API,
        "skip_default_node_group": True,
    }
    args.update(overrides)
    return eks.Cluster("platform", **args)


@case(
    "eks-no-public-endpoint-anywhere",
    bad=True,
    also=("eks-secrets-encryption", "eks-audit-logs", "eks-authentication-mode-api"),
)
def bad_pulumi_eks_defaults() -> None:
    eks.Cluster("platform", vpc_id="vpc-0123456789abcdef0", skip_default_node_group=True)


@case("eks-no-public-endpoint-anywhere", bad=False)
def good_pulumi_eks() -> None:
    pulumi_eks_cluster()


@case("eks-cluster-admin-declared", bad=True)
def bad_undeclared_admin() -> None:
    aws.eks.AccessPolicyAssociation(
        "ci",
        cluster_name="apps",
        principal_arn=f"arn:aws:iam::{ACCOUNT}:role/ci",
        policy_arn=ADMIN,
        access_scope=aws.eks.AccessPolicyAssociationAccessScopeArgs(type="cluster"),
    )


@case("eks-cluster-admin-declared", bad=True)
def bad_pulumi_eks_access_entry() -> None:
    pulumi_eks_cluster(
        access_entries={
            "ci": eks.AccessEntryArgs(
                principal_arn=f"arn:aws:iam::{ACCOUNT}:role/ci",
                access_policies={
                    "admin": eks.AccessPolicyAssociationArgs(
                        policy_arn=ADMIN,
                        access_scope=aws.eks.AccessPolicyAssociationAccessScopeArgs(type="cluster"),
                    )
                },
            )
        }
    )


@case(
    "eks-cluster-admin-declared",
    bad=False,
    config={
        "eks-cluster-admin-declared": {
            "clusterAdminPrincipals": [f"arn:aws:iam::{ACCOUNT}:role/ci"]
        }
    },
)
def good_declared_admin() -> None:
    bad_undeclared_admin()


@case("eks-cluster-admin-declared", bad=False)
def good_view_policy() -> None:
    aws.eks.AccessPolicyAssociation(
        "viewer",
        cluster_name="apps",
        principal_arn=f"arn:aws:iam::{ACCOUNT}:role/viewer",
        policy_arn="arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy",
        access_scope=aws.eks.AccessPolicyAssociationAccessScopeArgs(type="cluster"),
    )


ENCRYPTED_ROOT = [
    aws.ec2.LaunchTemplateBlockDeviceMappingArgs(
        device_name="/dev/xvda",
        ebs=aws.ec2.LaunchTemplateBlockDeviceMappingEbsArgs(encrypted="true", volume_size=50),
    )
]
IMDSV2 = aws.ec2.LaunchTemplateMetadataOptionsArgs(
    http_endpoint="enabled", http_tokens="required", http_put_response_hop_limit=1
)


@case("eks-node-imdsv2", bad=True)
def bad_imdsv1_hop_limit_2() -> None:
    aws.ec2.LaunchTemplate(
        "nodes",
        block_device_mappings=ENCRYPTED_ROOT,
        metadata_options=aws.ec2.LaunchTemplateMetadataOptionsArgs(
            http_tokens="optional", http_put_response_hop_limit=2
        ),
    )


@case("eks-node-imdsv2", bad=True, also=("eks-node-volume-encryption",))
def bad_node_group_without_launch_template() -> None:
    aws.eks.NodeGroup(
        "nodes",
        cluster_name="apps",
        node_role_arn=f"arn:aws:iam::{ACCOUNT}:role/nodes",
        subnet_ids=SUBNETS,
        scaling_config=aws.eks.NodeGroupScalingConfigArgs(desired_size=2, min_size=1, max_size=3),
    )


@case("eks-node-imdsv2", bad=True)
def bad_karpenter_hop_limit() -> None:
    node_class({"httpTokens": "required", "httpPutResponseHopLimit": 2})


@case("eks-node-imdsv2", bad=False)
def good_launch_template() -> None:
    template = aws.ec2.LaunchTemplate(
        "nodes", block_device_mappings=ENCRYPTED_ROOT, metadata_options=IMDSV2
    )
    aws.eks.NodeGroup(
        "nodes",
        cluster_name="apps",
        node_role_arn=f"arn:aws:iam::{ACCOUNT}:role/nodes",
        subnet_ids=SUBNETS,
        scaling_config=aws.eks.NodeGroupScalingConfigArgs(desired_size=2, min_size=1, max_size=3),
        launch_template=aws.eks.NodeGroupLaunchTemplateArgs(id=template.id, version="$Latest"),
    )


@case("eks-node-imdsv2", bad=False)
def good_karpenter_defaults() -> None:
    node_class(None)


def node_class(
    metadata: dict[str, Any] | None, volumes: list[dict[str, Any]] | None = None
) -> None:
    spec: dict[str, Any] = {
        "role": "nodes",
        "amiSelectorTerms": [{"alias": "al2023@latest"}],
        "subnetSelectorTerms": [{"tags": {"karpenter.sh/discovery": "apps"}}],
        "securityGroupSelectorTerms": [{"tags": {"karpenter.sh/discovery": "apps"}}],
    }
    if metadata is not None:
        spec["metadataOptions"] = metadata
    if volumes is not None:
        spec["blockDeviceMappings"] = volumes
    k8s.apiextensions.CustomResource(
        "default",
        api_version="karpenter.k8s.aws/v1",
        kind="EC2NodeClass",
        metadata={"name": "default"},
        spec=spec,
    )


@case("eks-node-volume-encryption", bad=True)
def bad_unencrypted_volume() -> None:
    aws.ec2.LaunchTemplate(
        "nodes",
        metadata_options=IMDSV2,
        block_device_mappings=[
            aws.ec2.LaunchTemplateBlockDeviceMappingArgs(
                device_name="/dev/xvda",
                ebs=aws.ec2.LaunchTemplateBlockDeviceMappingEbsArgs(volume_size=50),
            )
        ],
    )


@case("eks-node-volume-encryption", bad=True)
def bad_karpenter_unencrypted() -> None:
    node_class(
        None, [{"deviceName": "/dev/xvda", "ebs": {"volumeSize": "50Gi", "encrypted": False}}]
    )


@case("eks-node-volume-encryption", bad=False)
def good_encrypted_volume() -> None:
    aws.ec2.LaunchTemplate("nodes", block_device_mappings=ENCRYPTED_ROOT, metadata_options=IMDSV2)


@case(
    "eks-node-volume-encryption",
    bad=False,
    config={"eks-node-volume-encryption": {"ebsEncryptionByDefault": True}},
)
def good_account_encrypts_by_default() -> None:
    aws.ec2.LaunchTemplate("nodes", metadata_options=IMDSV2)
