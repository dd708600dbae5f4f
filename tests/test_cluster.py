"""EksCluster: control plane, access entries, add-ons, node groups, Fargate, encryption."""

from __future__ import annotations

import base64
import json
import re

import pulumi
import pytest

from components.cluster import EksCluster, FargateProfileSpec, FargateSelector
from components.naming import stack_unique
from components.node_group import NodeGroupSpec, Taint
from components.synth import SynthResult
from tests.support import ADMIN_ARN, cluster_args, depends_on, doc, refused, run
from tests.trust_policy import service_may_assume


def cluster(**overrides):
    def program() -> None:
        c = EksCluster("test", cluster_args(**overrides))
        for key in (
            "cluster_name",
            "endpoint",
            "oidc_issuer_url",
            "kubeconfig",
            "vpc_id",
            "node_role_arns",
            "cluster_security_group_id",
        ):
            pulumi.export(key, getattr(c, key))

    return run(program)


def test_control_plane_settings() -> None:
    inputs = cluster().one("eks:index:Cluster").inputs
    assert inputs["name"] == "test"
    assert inputs["version"] == "1.35"
    assert inputs["authenticationMode"] == "API"
    assert inputs["skipDefaultNodeGroup"] is True
    assert inputs["enabledClusterLogTypes"] == ["api", "audit", "authenticator"]
    assert inputs["endpointPublicAccess"] is True and inputs["endpointPrivateAccess"] is True
    assert inputs["privateSubnetIds"] == ["subnet-0a", "subnet-0b"]
    assert inputs["createOidcProvider"] is False  # OidcTrust owns it
    assert "roleMappings" not in inputs and "userMappings" not in inputs  # no aws-auth ConfigMap


def test_endpoint_and_logs_are_configurable() -> None:
    inputs = (
        cluster(
            endpoint_public_access=False,
            public_access_cidrs=["203.0.113.0/24"],
            enabled_log_types=["api"],
        )
        .one("eks:index:Cluster")
        .inputs
    )
    assert inputs["endpointPublicAccess"] is False
    assert "publicAccessCidrs" not in inputs
    assert inputs["enabledClusterLogTypes"] == ["api"]


def test_admins_get_access_entries_with_the_cluster_admin_policy() -> None:
    result = cluster()
    entry = result.one("aws:eks/accessEntry:AccessEntry")
    assert entry.inputs["principalArn"] == ADMIN_ARN
    assert entry.inputs["type"] == "STANDARD"
    association = result.one("aws:eks/accessPolicyAssociation:AccessPolicyAssociation")
    assert (
        association.inputs["policyArn"]
        == "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
    )
    assert association.inputs["accessScope"] == {"type": "cluster"}
    assert depends_on(result, entry, result.one("eks:index:Cluster"))
    assert not [r for r in result.resources if r.type == "kubernetes:core/v1:ConfigMap"]


def test_access_policy_arn_follows_the_partition() -> None:
    association = run(lambda: EksCluster("t", cluster_args()), region="cn-north-1").one(
        "aws:eks/accessPolicyAssociation:AccessPolicyAssociation"
    )
    assert association.inputs["policyArn"].startswith("arn:aws-cn:eks::aws:")


def test_core_add_ons_are_managed_and_ordered() -> None:
    result = cluster()
    addons = {a.inputs["addonName"]: a for a in result.by_type("aws:eks/addon:Addon")}
    assert set(addons) == {"vpc-cni", "kube-proxy", "coredns", "eks-pod-identity-agent"}
    group = result.one("aws:eks/nodeGroup:NodeGroup")
    # Nodes need the CNI to become Ready; CoreDNS needs nodes to run on.
    assert addons["vpc-cni"].urn in group.dependencies
    assert addons["kube-proxy"].urn in group.dependencies
    assert group.urn in addons["coredns"].dependencies
    assert result.one("eks:index:Cluster").inputs["bootstrapSelfManagedAddons"] is False


def _versions(result: SynthResult) -> dict[str, str]:
    found = {
        a.inputs["addonName"]: a.inputs["addonVersion"]
        for a in result.by_type("aws:eks/addon:Addon")
    }
    group = result.one("aws:eks/nodeGroup:NodeGroup").inputs
    found["nodes"] = f"{group['version']} {group['releaseVersion']}"
    return found


def test_a_version_bump_moves_the_add_ons_and_the_nodes_unless_pinned() -> None:
    old = _versions(
        cluster(kubernetes_version="1.34", addon_versions={"coredns": "v1.11.4-eksbuild.2"})
    )
    new = _versions(
        cluster(kubernetes_version="1.35", addon_versions={"coredns": "v1.11.4-eksbuild.2"})
    )
    assert old["coredns"] == new["coredns"] == "v1.11.4-eksbuild.2"  # pinned
    for addon in ("vpc-cni", "kube-proxy", "eks-pod-identity-agent"):
        assert old[addon] != new[addon]  # EKS's default for each version
    assert old["nodes"].startswith("1.34 1.34.") and new["nodes"].startswith("1.35 1.35.")


def test_the_nodes_take_the_newest_ami_release_unless_pinned() -> None:
    result = cluster(node_groups={"g": NodeGroupSpec(release_version="1.35.0-20260101")})
    assert result.one("aws:eks/nodeGroup:NodeGroup").inputs["releaseVersion"] == "1.35.0-20260101"


def test_the_upgrade_policy_is_explicit() -> None:
    assert cluster().one("eks:index:Cluster").inputs["upgradePolicy"] == {"supportType": "STANDARD"}
    extended = cluster(upgrade_support="EXTENDED").one("eks:index:Cluster").inputs
    assert extended["upgradePolicy"] == {"supportType": "EXTENDED"}


def test_the_control_plane_logs_go_to_a_log_group_of_the_stack_created_first() -> None:
    result = cluster(log_retention_days=365)
    group = result.one("aws:cloudwatch/logGroup:LogGroup")
    assert group.inputs["name"] == "/aws/eks/test/cluster"
    assert group.inputs["retentionInDays"] == 365
    assert depends_on(result, result.one("eks:index:Cluster"), group)


def test_no_unused_security_groups() -> None:
    assert cluster().one("eks:index:Cluster").inputs["skipDefaultSecurityGroups"] is True


def test_node_groups_and_fargate_profiles_wait_for_their_role_policies() -> None:
    profiles = {"system": FargateProfileSpec(selectors=[FargateSelector(namespace="kube-system")])}
    result = cluster(fargate_profiles=profiles)
    attachments = result.by_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    group = result.one("aws:eks/nodeGroup:NodeGroup")
    profile = result.one("aws:eks/fargateProfile:FargateProfile")
    for attachment in attachments:
        if attachment.name.startswith("test-node-"):
            assert depends_on(result, group, attachment), attachment.name
        else:
            assert depends_on(result, profile, attachment), attachment.name


def test_kubernetes_objects_go_before_the_deploying_identity_loses_access() -> None:
    result = cluster()
    provider = result.one("pulumi:providers:kubernetes")
    for kind in (
        "aws:eks/accessEntry:AccessEntry",
        "aws:eks/accessPolicyAssociation:AccessPolicyAssociation",
    ):
        assert depends_on(result, provider, result.one(kind))


def test_replacements_create_the_new_generation_beside_the_old() -> None:
    result = cluster(
        fargate_profiles={
            "p": FargateProfileSpec(selectors=[FargateSelector(namespace="kube-system")])
        }
    )
    group = result.one("aws:eks/nodeGroup:NodeGroup").inputs
    # A prefix: EKS appends a unique suffix, so old and new groups coexist during replacement.
    assert "nodeGroupName" not in group and group["nodeGroupNamePrefix"] == "test-general-"
    # No fixed name: Pulumi names each generation uniquely.
    assert "fargateProfileName" not in result.one("aws:eks/fargateProfile:FargateProfile").inputs
    assert "name" not in result.one("aws:ec2/launchTemplate:LaunchTemplate").inputs


def test_fixed_name_roles_are_replaced_delete_first() -> None:
    # The recorded request carries no deleteBeforeReplace flag; check the options instead.
    import pulumi_aws as aws

    from components.synth import run_program
    from tests.support import make_cluster

    seen: list[bool] = []
    original = aws.iam.Role.__init__

    def spy(self, resource_name, *args, **kwargs):
        opts = kwargs.get("opts")
        seen.append(bool(opts and opts.delete_before_replace))
        original(self, resource_name, *args, **kwargs)

    aws.iam.Role.__init__ = spy
    try:
        run_program(make_cluster, "eks-platform", "test", {"aws:region": "us-west-2"})
    finally:
        aws.iam.Role.__init__ = original
    assert seen and all(seen)


def test_node_group_runs_on_a_hardened_launch_template() -> None:
    spec = NodeGroupSpec(
        instance_types=["m6i.large", "m6a.large"],
        capacity_type="SPOT",
        min_size=1,
        desired_size=2,
        max_size=5,
        disk_size_gib=80,
        labels={"workload": "general"},
        taints=[Taint(key="dedicated", value="batch", effect="NoSchedule")],
        tags={"cost-center": "42"},
        user_data="#!/bin/bash\necho hello",
    )
    result = cluster(node_groups={"batch": spec})
    template = result.one("aws:ec2/launchTemplate:LaunchTemplate").inputs
    assert template["metadataOptions"] == {
        "httpEndpoint": "enabled",
        "httpTokens": "required",
        "httpPutResponseHopLimit": 1,
    }
    (device,) = template["blockDeviceMappings"]
    assert device["ebs"] == {
        "volumeSize": 80,
        "volumeType": "gp3",
        "encrypted": "true",
        "deleteOnTermination": "true",
    }
    assert {t["resourceType"] for t in template["tagSpecifications"]} == {"instance", "volume"}
    assert all(t["tags"]["cost-center"] == "42" for t in template["tagSpecifications"])
    user_data = base64.b64decode(template["userData"]).decode()
    assert user_data.startswith("MIME-Version: 1.0") and "echo hello" in user_data

    group = result.one("aws:eks/nodeGroup:NodeGroup").inputs
    assert group["nodeGroupNamePrefix"] == "test-batch-"
    assert group["instanceTypes"] == ["m6i.large", "m6a.large"]
    assert group["capacityType"] == "SPOT"
    assert group["scalingConfig"] == {"minSize": 1, "desiredSize": 2, "maxSize": 5}
    assert group["labels"] == {"workload": "general"}
    assert group["taints"] == [{"key": "dedicated", "value": "batch", "effect": "NO_SCHEDULE"}]
    assert group["launchTemplate"]["id"].startswith("lt-")
    assert "diskSize" not in group  # the launch template owns the disk
    assert group["subnetIds"] == ["subnet-0a", "subnet-0b"]


def test_node_role_has_the_worker_policies_in_the_partition() -> None:
    result = run(lambda: EksCluster("t", cluster_args()), region="us-gov-west-1")
    trust = doc(result.one("aws:iam/role:Role", "t-node"), "assumeRolePolicy")
    assert service_may_assume(trust, "ec2.amazonaws.com")
    arns = {
        a.inputs["policyArn"]
        for a in result.by_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    }
    assert "arn:aws-us-gov:iam::aws:policy/AmazonEKSWorkerNodePolicy" in arns
    assert "arn:aws-us-gov:iam::aws:policy/AmazonEKS_CNI_Policy" in arns
    assert "arn:aws-us-gov:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly" in arns


def test_fargate_profiles_run_in_private_subnets_with_a_scoped_pod_role() -> None:
    profiles = {
        "system": FargateProfileSpec(selectors=[FargateSelector(namespace="kube-system")]),
        "apps": FargateProfileSpec(
            selectors=[FargateSelector(namespace="apps", labels={"compute": "fargate"})]
        ),
    }
    result = cluster(node_groups={}, fargate_profiles=profiles)
    by_name = {
        p.name.removeprefix("test-"): p.inputs
        for p in result.by_type("aws:eks/fargateProfile:FargateProfile")
    }
    assert by_name["apps"]["selectors"] == [{"namespace": "apps", "labels": {"compute": "fargate"}}]
    assert by_name["apps"]["subnetIds"] == ["subnet-0a", "subnet-0b"]
    trust = doc(result.one("aws:iam/role:Role", "test-fargate"), "assumeRolePolicy")
    own = "arn:aws:eks:us-west-2:123456789012:fargateprofile/test/apps"
    other = "arn:aws:eks:us-west-2:123456789012:fargateprofile/other-cluster/apps"
    assert service_may_assume(trust, "eks-fargate-pods.amazonaws.com", **{"aws:SourceArn": own})
    assert not service_may_assume(
        trust, "eks-fargate-pods.amazonaws.com", **{"aws:SourceArn": other}
    )
    coredns = next(
        a for a in result.by_type("aws:eks/addon:Addon") if a.inputs["addonName"] == "coredns"
    )
    assert json.loads(coredns.inputs["configurationValues"]) == {"computeType": "Fargate"}


def test_secrets_encryption_creates_a_rotated_key() -> None:
    result = cluster(secrets_encryption=True)
    key = result.one("aws:kms/key:Key")
    assert key.inputs["enableKeyRotation"] is True
    assert (
        result.one("eks:index:Cluster")
        .inputs["encryptionConfigKeyArn"]
        .startswith("arn:aws:kms:us-west-2:123456789012:key/")
    )


def test_secrets_encryption_with_a_given_key_creates_none() -> None:
    arn = "arn:aws:kms:us-west-2:123456789012:key/11111111-2222-3333-4444-555555555555"
    result = cluster(kms_key_arn=arn)
    assert result.by_type("aws:kms/key:Key") == []
    assert result.one("eks:index:Cluster").inputs["encryptionConfigKeyArn"] == arn


def test_deletion_protection_protects_the_control_plane_and_key() -> None:
    result = cluster(deletion_protection=True, secrets_encryption=True)
    control_plane = result.one("eks:index:Cluster")
    assert control_plane.protect is True
    assert control_plane.inputs["deletionProtection"] is True
    assert result.one("aws:kms/key:Key").protect is True
    for kind in (
        "aws:eks/nodeGroup:NodeGroup",
        "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
    ):
        assert result.one(kind).protect is True, kind
    assert all(a.protect for a in result.by_type("aws:eks/addon:Addon"))


def test_outputs() -> None:
    outputs = cluster().outputs
    assert outputs["cluster_name"] == "test"
    assert outputs["kubeconfig"] == "[secret]"
    assert outputs["endpoint"].startswith("https://") and outputs["endpoint"].endswith(
        ".eks.amazonaws.com"
    )
    assert outputs["oidc_issuer_url"].startswith("https://oidc.eks.us-west-2.amazonaws.com/id/")
    assert outputs["vpc_id"] == "vpc-0123456789abcdef0"
    assert outputs["node_role_arns"] == [
        "arn:aws:iam::123456789012:role/" + stack_unique("test-node")
    ]
    assert outputs["cluster_security_group_id"].startswith("sg-")


def test_kubernetes_provider_gets_the_kubeconfig_as_a_secret() -> None:
    provider = cluster().one("pulumi:providers:kubernetes")
    assert provider.inputs["kubeconfig"] == "[secret]"


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"cluster_name": "-dev"}, "^cluster_name: '-dev' is not a valid EKS cluster name"),
        ({"cluster_name": "a" * 101}, "^cluster_name: "),
        ({"cluster_name": "dev cluster"}, "^cluster_name: "),
        ({"kubernetes_version": "1.35.2"}, "^kubernetes_version: "),
        (
            {"private_subnet_ids": ["subnet-0a"]},
            "^private_subnet_ids: EKS needs at least 2 subnets",
        ),
        (
            {"admin_principal_arns": {"admins": "arn:aws:iam::123456789012:group/admins"}},
            r"^admin_principal_arns\['admins'\]: .* is not an IAM role or user ARN",
        ),
        ({"admin_principal_arns": {"x": "PlatformAdmin"}}, r"^admin_principal_arns\['x'\]: "),
        (
            {"admin_principal_arns": ["arn:aws:iam::123456789012:role/A"]},
            "^admin_principal_arns: expected a mapping of names to strings",
        ),
        ({"admin_principal_arns": {"bad key": ADMIN_ARN}}, "^admin_principal_arns: key 'bad key'"),
        ({"tags": {"aws:team": "x"}}, "^tags.aws:team: "),
        ({"node_groups": {"g": {"min_size": 1}}}, r"^node_groups\['g'\]: expected a NodeGroupSpec"),
        (
            {"enabled_log_types": ["api", "kubelet"]},
            r"^enabled_log_types\[1\]: 'kubelet' is not one of",
        ),
        ({"kms_key_arn": "alias/eks"}, "^kms_key_arn: "),
        ({"public_access_cidrs": ["0.0.0.0/0", "10.0.0.0/8x"]}, r"^public_access_cidrs\[1\]: "),
        (
            {"endpoint_public_access": False, "endpoint_private_access": False},
            "^endpoint_private_access: ",
        ),
        (
            {"node_groups": {}},
            "^node_groups: the cluster needs at least one node group or Fargate profile",
        ),
        (
            {"node_groups": {"g": NodeGroupSpec(min_size=3, desired_size=2)}},
            r"^node_groups\['g'\].min_size: must be <= desired_size \(3 > 2\)",
        ),
        (
            {"node_groups": {"g": NodeGroupSpec(desired_size=4, max_size=3)}},
            r"^node_groups\['g'\].desired_size: must be <= max_size",
        ),
        (
            {"node_groups": {"g": NodeGroupSpec(capacity_type="RESERVED")}},
            r"^node_groups\['g'\].capacity_type: 'RESERVED' is not one of ON_DEMAND, SPOT",
        ),
        (
            {"node_groups": {"g": NodeGroupSpec(instance_types=[])}},
            r"^node_groups\['g'\].instance_types: ",
        ),
        (
            {"node_groups": {"g": NodeGroupSpec(labels={"bad key!": "x"})}},
            r"^node_groups\['g'\].labels.bad key!: ",
        ),
        (
            {"node_groups": {"g": NodeGroupSpec(labels={"team": "a b"})}},
            r"^node_groups\['g'\].labels.team: ",
        ),
        (
            {"node_groups": {"g": NodeGroupSpec(taints=[Taint(key="k", effect="NoWay")])}},
            r"^node_groups\['g'\].taints\[0\].effect: ",
        ),
        (
            {"node_groups": {"g": NodeGroupSpec(taints=[Taint(key="", effect="NoSchedule")])}},
            r"^node_groups\['g'\].taints\[0\].key: ",
        ),
        (
            {"node_groups": {"g": NodeGroupSpec(disk_size_gib=8)}},
            r"^node_groups\['g'\].disk_size_gib: ",
        ),
        (
            {
                "node_groups": {},
                "fargate_profiles": {
                    "apps": FargateProfileSpec(selectors=[FargateSelector(namespace="apps")])
                },
            },
            "^fargate_profiles: a cluster without node groups needs a Fargate profile selecting kube-system",
        ),
        (
            {"fargate_profiles": {"p": FargateProfileSpec(selectors=[])}},
            r"^fargate_profiles\['p'\].selectors: ",
        ),
        ({"addon_versions": {"ebs-csi": "v1"}}, "^addon_versions: "),
    ],
)
def test_bad_arguments_are_refused_before_anything_is_created(
    overrides: dict, message: str
) -> None:
    error = refused(lambda: EksCluster("test", cluster_args(**overrides)))
    assert error.startswith("EksCluster 'test': ")
    assert re.search(message.replace("^", "^EksCluster 'test': "), error), error
