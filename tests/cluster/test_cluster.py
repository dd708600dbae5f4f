"""EksCluster: control plane, access entries, add-ons, node groups, Fargate, encryption."""

from __future__ import annotations

import base64
import json
import re

import pytest

from components.cluster import (
    AccessEntrySpec,
    EksCluster,
    FargateProfileSpec,
    FargateSelector,
    NodeGroupSpec,
    Taint,
)
from components.synth import SynthResult
from tests.oracles.trust_policy import Token, admits, service_may_assume
from tests.support import (
    ADMIN_ARN,
    cluster_args,
    default_cluster,
    depends_on,
    doc,
    export_outputs,
    refused,
    run,
    shared,
)


def cluster(**overrides):
    """The synth of EksCluster ``test`` of ``cluster_args(**overrides)``, its outputs exported;
    without overrides, the one synth of the default cluster this process shares."""
    if not overrides:
        return default_cluster()

    return run(lambda: export_outputs(EksCluster("test", cluster_args(**overrides))))


def test_control_plane_settings() -> None:
    inputs = cluster().one("eks:index:Cluster").inputs
    assert inputs["name"] == "test"
    assert inputs["version"] == "1.35"
    assert inputs["authenticationMode"] == "API"
    assert inputs["skipDefaultNodeGroup"] is True
    assert inputs["enabledClusterLogTypes"] == ["api", "audit", "authenticator"]
    # Private by default: the API server is not on the internet unless asked.
    assert inputs["endpointPublicAccess"] is False and inputs["endpointPrivateAccess"] is True
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


@shared
def with_fargate() -> SynthResult:
    """The default cluster with a Fargate profile for kube-system beside its node group."""
    profiles = {"system": FargateProfileSpec(selectors=[FargateSelector(namespace="kube-system")])}
    return cluster(fargate_profiles=profiles)


def test_node_groups_and_fargate_profiles_wait_for_their_role_policies() -> None:
    result = with_fargate()
    attachments = result.by_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    group = result.one("aws:eks/nodeGroup:NodeGroup")
    profile = result.one("aws:eks/fargateProfile:FargateProfile")
    node_policies = [a for a in attachments if a.name.startswith("test-general-node-")]
    pod_execution = [a for a in attachments if a.name.startswith("test-fargate-")]
    assert (len(node_policies), len(pod_execution)) == (2, 1)
    assert all(depends_on(result, group, a) for a in node_policies)
    assert all(depends_on(result, profile, a) for a in pod_execution)


def test_kubernetes_objects_go_before_the_deploying_identity_loses_access() -> None:
    result = cluster()
    provider = result.one("pulumi:providers:kubernetes")
    for kind in (
        "aws:eks/accessEntry:AccessEntry",
        "aws:eks/accessPolicyAssociation:AccessPolicyAssociation",
    ):
        assert depends_on(result, provider, result.one(kind))


def test_replacements_create_the_new_generation_beside_the_old() -> None:
    result = with_fargate()
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


def _attached(result: SynthResult, role: str) -> set[str]:
    return {
        a.inputs["policyArn"].rsplit("/", 1)[1]
        for a in result.by_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
        if a.name.startswith(f"{role}-")
    }


def test_nodes_get_only_what_nodes_need() -> None:
    groups = {"general": NodeGroupSpec(), "debug": NodeGroupSpec(ssm_access=True)}
    result = run(lambda: EksCluster("t", cluster_args(node_groups=groups)), region="us-gov-west-1")
    trust = doc(result.one("aws:iam/role:Role", "t-general-node"), "assumeRolePolicy")
    assert service_may_assume(trust, "ec2.amazonaws.com")
    assert _attached(result, "t-general-node") == {
        "AmazonEKSWorkerNodePolicy",
        "AmazonEC2ContainerRegistryPullOnly",
    }
    assert _attached(result, "t-debug-node") == {
        "AmazonEKSWorkerNodePolicy",
        "AmazonEC2ContainerRegistryPullOnly",
        "AmazonSSMManagedInstanceCore",
    }
    arns = {
        a.inputs["policyArn"]
        for a in result.by_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    }
    assert "arn:aws-us-gov:iam::aws:policy/AmazonEKSWorkerNodePolicy" in arns


def test_the_vpc_cni_has_its_own_role_through_irsa() -> None:
    result = cluster()
    assert _attached(result, "test-vpc-cni") == {"AmazonEKS_CNI_Policy"}
    # An ordinary IrsaRole, whose ServiceAccount is the add-on's (EKS creates it).
    (irsa,) = result.by_type("eks-platform:index:IrsaRole")
    assert irsa.name == "test-vpc-cni" and irsa.parent is not None
    assert irsa.parent.endswith("eks-platform:index:EksCluster::test")
    assert result.by_type("kubernetes:core/v1:ServiceAccount") == []
    role = result.one("aws:iam/role:Role", "test-vpc-cni")
    assert role.parent == irsa.urn
    assert role.inputs["name"] == "test-vpc-cni-0bdfff"  # the name it had as the cluster's child
    trust = doc(role, "assumeRolePolicy")
    issuer, provider = result.outputs["oidc_issuer_url"], result.outputs["oidc_provider_arn"]
    assert admits(trust, Token(issuer, "system:serviceaccount:kube-system:aws-node"), provider)
    assert not admits(trust, Token(issuer, "system:serviceaccount:kube-system:other"), provider)
    assert not admits(
        trust, Token(issuer, "system:serviceaccount:kube-system:aws-node", aud="other"), provider
    )
    (statement,) = trust["Statement"]
    assert set(statement["Condition"]) == {"StringEquals"}  # sub and aud pinned, no wildcard
    cni = next(
        a for a in result.by_type("aws:eks/addon:Addon") if a.inputs["addonName"] == "vpc-cni"
    )
    assert (
        cni.inputs["serviceAccountRoleArn"] == "arn:aws:iam::123456789012:role/test-vpc-cni-0bdfff"
    )
    assert depends_on(
        result,
        cni,
        result.one(
            "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "test-vpc-cni-AmazonEKS_CNI_Policy"
        ),
    )
    # Without it, the nodes carry the CNI's permissions.
    without = run(lambda: EksCluster("t", cluster_args(cni_role=False)))
    assert "AmazonEKS_CNI_Policy" in _attached(without, "t-general-node")
    assert without.by_type("eks-platform:index:IrsaRole") == []


def test_the_vpc_cni_role_keeps_the_urns_it_had_as_the_clusters_child(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Its role and policy attachment were the cluster's children: aliases to those URNs, so
    that the engine updates them in place instead of replacing them."""
    from google.protobuf import json_format

    from components.synth import record

    aliases: dict[str, list[dict]] = {}
    register = record.RecordingMonitor.RegisterResource

    def recording(self: record.RecordingMonitor, request: object) -> object:
        response = register(self, request)
        found = [json_format.MessageToDict(a) for a in request.aliases]  # type: ignore[attr-defined]
        if found:
            aliases[response.urn] = found
        return response

    monkeypatch.setattr(record.RecordingMonitor, "RegisterResource", recording)
    result = run(lambda: EksCluster("t", cluster_args()))
    cluster_urn = result.one("eks-platform:index:EksCluster").urn

    def old_urn(alias: dict, urn: str) -> str:
        # The engine's rule: the alias's parent's type, then the resource's own type and name.
        assert set(alias["spec"]) == {"parentUrn"}, alias  # same name, type, stack, project
        parent_type = alias["spec"]["parentUrn"].split("::")[2].split("$")[-1]
        _, _, qualified_type, name = urn.split("::")
        return (
            f"urn:pulumi:test::eks-platform::{parent_type}${qualified_type.split('$')[-1]}::{name}"
        )

    moved = {
        r.urn: r
        for r in result.resources
        if r.parent is not None and r.parent.endswith("$eks-platform:index:IrsaRole::t-vpc-cni")
    }
    assert len(moved) == 2
    assert {old_urn(a, urn) for urn in moved for a in aliases[urn]} == {
        "urn:pulumi:test::eks-platform::eks-platform:index:EksCluster$aws:iam/role:Role::t-vpc-cni",
        "urn:pulumi:test::eks-platform::eks-platform:index:EksCluster"
        "$aws:iam/rolePolicyAttachment:RolePolicyAttachment::t-vpc-cni-AmazonEKS_CNI_Policy",
    }
    assert all(a["spec"]["parentUrn"] == cluster_urn for urn in moved for a in aliases[urn])


def test_al2_is_refused_where_eks_has_no_al2_amis() -> None:
    error = refused(
        lambda: EksCluster(
            "test", cluster_args(node_groups={"g": NodeGroupSpec(ami_type="AL2_x86_64")})
        )
    )
    assert "node_groups['g'].ami_type: AL2_x86_64 has no AMIs for Kubernetes 1.35" in error
    run(
        lambda: EksCluster(
            "test",
            cluster_args(
                kubernetes_version="1.32", node_groups={"g": NodeGroupSpec(ami_type="AL2_x86_64")}
            ),
        )
    )


def test_on_bottlerocket_the_disk_setting_sizes_the_data_volume() -> None:
    spec = NodeGroupSpec(ami_type="BOTTLEROCKET_x86_64", disk_size_gib=120)
    template = cluster(node_groups={"g": spec}).one("aws:ec2/launchTemplate:LaunchTemplate")
    (device,) = template.inputs["blockDeviceMappings"]
    assert device["deviceName"] == "/dev/xvdb" and device["ebs"]["volumeSize"] == 120


def test_access_entries_carry_their_policy_and_scope() -> None:
    entries = {
        "platform": AccessEntrySpec(principal_arn=ADMIN_ARN, policy="cluster-admin"),
        "team": AccessEntrySpec(
            principal_arn="arn:aws:iam::123456789012:role/TeamA", policy="edit", namespaces=["a"]
        ),
        "preview": AccessEntrySpec(principal_arn="arn:aws:iam::123456789012:role/Preview"),
    }
    result = cluster(access_entries=entries)
    associations = {
        a.name: a.inputs
        for a in result.by_type("aws:eks/accessPolicyAssociation:AccessPolicyAssociation")
    }
    assert associations["test-access-platform"]["policyArn"].endswith(
        "/AmazonEKSClusterAdminPolicy"
    )
    assert associations["test-access-platform"]["accessScope"] == {"type": "cluster"}
    assert associations["test-access-team"]["policyArn"].endswith("/AmazonEKSEditPolicy")
    assert associations["test-access-team"]["accessScope"] == {
        "type": "namespace",
        "namespaces": ["a"],
    }
    assert associations["test-access-preview"]["policyArn"].endswith("/AmazonEKSViewPolicy")


def test_the_creators_invisible_entry_goes_before_the_declared_ones_come() -> None:
    result = cluster()
    (removal,) = [
        r
        for r in result.by_type("pulumi-python:dynamic:Resource")
        if r.name == "test-creator-access"
    ]
    assert removal.inputs["declaredPrincipals"] == [ADMIN_ARN]
    for entry in result.by_type("aws:eks/accessEntry:AccessEntry"):
        assert depends_on(result, entry, removal)
    assert refused(lambda: EksCluster("test", cluster_args(access_entries={}))).startswith(
        "EksCluster 'test': access_entries: declare who may use the cluster"
    )


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"endpoint_public_access": True},
            "public_access_cidrs: the public endpoint needs the CIDR blocks",
        ),
        (
            {"endpoint_public_access": True, "public_access_cidrs": ["0.0.0.0/0"]},
            "public_access_cidrs: 0.0.0.0/0 opens the API server to the internet",
        ),
        (
            {
                "endpoint_public_access": True,
                "public_access_cidrs": ["203.0.113.0/24"],
                "deployer_cidrs": ["198.51.100.7/32"],
            },
            r"deployer_cidrs\[0\]: 198.51.100.7/32 is not within public_access_cidrs",
        ),
    ],
)
def test_the_public_endpoint_is_refused_where_it_would_be_open_or_lock_the_deployer_out(
    overrides: dict, message: str
) -> None:
    assert re.search(message, refused(lambda: EksCluster("test", cluster_args(**overrides))))


def test_the_public_endpoint_from_anywhere_only_when_allowed() -> None:
    inputs = (
        cluster(
            endpoint_public_access=True,
            public_access_cidrs=["0.0.0.0/0"],
            allow_public_endpoint_from_anywhere=True,
            deployer_cidrs=["198.51.100.7/32"],
        )
        .one("eks:index:Cluster")
        .inputs
    )
    assert inputs["publicAccessCidrs"] == ["0.0.0.0/0"]


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
    result = cluster(secrets_encryption=True, kms_key_administrators={"a": ADMIN_ARN})
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
    result = cluster(
        deletion_protection=True,
        secrets_encryption=True,
        kms_key_administrators={"a": ADMIN_ARN},
        kms_break_glass_principal_arn="arn:aws:iam::123456789012:role/BreakGlass",
    )
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
    # The role's name: the component's, plus a hash of the project and stack.
    assert outputs["node_role_arns"] == ["arn:aws:iam::123456789012:role/test-general-node-0bdfff"]
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
            {
                "access_entries": {
                    "admins": AccessEntrySpec(
                        principal_arn="arn:aws:iam::123456789012:group/admins"
                    )
                }
            },
            r"^access_entries\['admins'\].principal_arn: .* is not an IAM role or user ARN",
        ),
        (
            {"access_entries": {"x": AccessEntrySpec(principal_arn=ADMIN_ARN, policy="root")}},  # type: ignore[arg-type]
            r"^access_entries\['x'\].policy: 'root' is not one of cluster-admin",
        ),
        (
            {
                "access_entries": {
                    "x": AccessEntrySpec(
                        principal_arn=ADMIN_ARN, policy="cluster-admin", namespaces=["a"]
                    )
                }
            },
            r"^access_entries\['x'\].namespaces: cluster-admin is cluster-wide",
        ),
        (
            {"access_entries": [ADMIN_ARN]},
            "^access_entries: expected a mapping of names to AccessEntrySpecs",
        ),
        (
            {"access_entries": {"bad key": AccessEntrySpec(principal_arn=ADMIN_ARN)}},
            "^access_entries: key 'bad key'",
        ),
        (
            {"secrets_encryption": True},
            "^kms_key_administrators: the Secrets key this component creates needs administrators",
        ),
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
