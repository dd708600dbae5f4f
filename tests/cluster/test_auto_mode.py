"""EksCluster with ``compute: auto-mode``: pulumi-eks's autoMode, the roles and their policies,
no core add-ons, the default StorageClass, declared NodePools checked against Auto Mode's CRDs;
and each compute choice refusing the other's settings, naming the field."""

from __future__ import annotations

import re
from typing import Any

import pulumi
import pytest

from components.cluster import (
    EksCluster,
    EksClusterArgs,
    FargateProfileSpec,
    FargateSelector,
    NodeGroupSpec,
)
from components.cluster.compute import AutoModeNodePoolSpec, AutoModeSpec
from components.synth import SynthResult
from tests.oracles.iam_validation import (
    NODEPOOL_V1_SCHEMA,
    assert_valid_custom_resource,
    assert_valid_k8s,
)
from tests.oracles.trust_policy import service_may_assume
from tests.support import (
    ADMIN_ARN,
    cluster_args,
    default_cluster,
    depends_on,
    manifest,
    refused,
    run,
)

NODECLASS_SCHEMA = "eks-nodeclasses-v1.json"
ARM_POOL = AutoModeNodePoolSpec(
    limits={"cpu": "32", "memory": "128Gi"},
    architectures=["arm64"],
    capacity_types=["spot", "on-demand"],
    labels={"team": "batch"},
)


def auto(**overrides: Any) -> EksClusterArgs:
    return cluster_args(compute="auto-mode", node_groups={}, **overrides)


def _attached(result: SynthResult, role: str) -> set[str]:
    return {
        a.inputs["policyArn"].rsplit("/", 1)[1]
        for a in result.by_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
        if a.name.startswith(f"{role}-")
    }


@pytest.fixture(scope="module")
def auto_mode() -> SynthResult:
    def program() -> None:
        cluster = EksCluster(
            "test",
            auto(
                secrets_encryption=True,
                kms_key_administrators={"admin": ADMIN_ARN},
                auto_mode=AutoModeSpec(node_pools={"arm": ARM_POOL}),
            ),
        )
        pulumi.export("nodeRoles", {k: r.name for k, r in cluster.node_roles.items()})
        pulumi.export("nodeRoleArns", cluster.node_role_arns)
        pulumi.export("refNodeRole", cluster.ref.node_role_arn)
        pulumi.export("compute", cluster.compute)
        pulumi.export("sg", cluster.cluster_security_group_id)

    return run(program)


def test_pulumi_eks_enables_auto_mode_with_the_platforms_node_role(auto_mode: SynthResult) -> None:
    inputs = auto_mode.one("eks:index:Cluster").inputs
    role = auto_mode.one("aws:iam/role:Role", "test-auto-node")
    assert inputs["autoMode"] == {
        "enabled": True,
        "createNodeRole": False,  # the role is the stack's, visible in a preview
        "computeConfig": {
            "nodePools": ["general-purpose", "system"],
            "nodeRoleArn": f"arn:aws:iam::123456789012:role/{role.inputs['name']}",
        },
    }
    assert inputs["authenticationMode"] == "API"  # Auto Mode requires access entries
    assert auto_mode.outputs["compute"] == "auto-mode"
    assert auto_mode.outputs["nodeRoles"] == {"auto-mode": role.inputs["name"]}
    assert auto_mode.outputs["nodeRoleArns"] == [inputs["autoMode"]["computeConfig"]["nodeRoleArn"]]
    assert auto_mode.outputs["refNodeRole"] is None  # no managed node group may share it


def test_the_roles_carry_auto_modes_policies(auto_mode: SynthResult) -> None:
    assert _attached(auto_mode, "test-cluster") == {
        "AmazonEKSClusterPolicy",
        "AmazonEKSComputePolicy",
        "AmazonEKSBlockStoragePolicy",
        "AmazonEKSLoadBalancingPolicy",
        "AmazonEKSNetworkingPolicy",
    }
    assert _attached(auto_mode, "test-auto-node") == {
        "AmazonEKSWorkerNodeMinimalPolicy",
        "AmazonEC2ContainerRegistryPullOnly",
    }
    node_role = auto_mode.one("aws:iam/role:Role", "test-auto-node")
    assert service_may_assume(node_role.inputs["assumeRolePolicy"], "ec2.amazonaws.com")
    # EKS checks the policies when it enables Auto Mode: they are attached first.
    control_plane = auto_mode.one("eks:index:Cluster")
    for attachment in auto_mode.by_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment"):
        assert depends_on(auto_mode, control_plane, attachment), attachment.name
    # EKS makes the node role's access entry itself (one per principal): none is declared.
    principals = {
        e.inputs["principalArn"] for e in auto_mode.by_type("aws:eks/accessEntry:AccessEntry")
    }
    assert principals == {ADMIN_ARN}


def test_auto_mode_runs_the_core_add_ons_itself(auto_mode: SynthResult) -> None:
    assert auto_mode.by_type("aws:eks/addon:Addon") == []
    assert auto_mode.by_type("aws:eks/nodeGroup:NodeGroup") == []
    assert auto_mode.by_type("eks-platform:index:IrsaRole") == []  # no VPC CNI role


def test_the_default_storage_class_is_auto_modes_encrypted_gp3(auto_mode: SynthResult) -> None:
    (storage_class,) = auto_mode.by_type("kubernetes:storage.k8s.io/v1:StorageClass")
    assert auto_mode.one("aws:kms/key:Key")
    obj = manifest(storage_class)
    for key_name in ("provisioner", "parameters", "volumeBindingMode", "allowVolumeExpansion"):
        obj[key_name] = storage_class.inputs[key_name]
    assert obj["provisioner"] == "ebs.csi.eks.amazonaws.com"
    key_arn = obj["parameters"].pop("kmsKeyId")  # the stack's key: the cluster's Secrets key
    assert re.fullmatch(r"arn:aws:kms:us-west-2:123456789012:key/[0-9a-f-]{36}", key_arn)
    assert obj["parameters"] == {"type": "gp3", "encrypted": "true"}
    assert obj["volumeBindingMode"] == "WaitForFirstConsumer"
    assert obj["allowVolumeExpansion"] is True
    assert obj["metadata"]["annotations"] == {"storageclass.kubernetes.io/is-default-class": "true"}
    assert_valid_k8s(obj, "1.35")


def test_declared_node_pools_fit_auto_modes_crds(auto_mode: SynthResult) -> None:
    node_class = auto_mode.one("kubernetes:eks.amazonaws.com/v1:NodeClass")
    pool = auto_mode.one("kubernetes:karpenter.sh/v1:NodePool")
    assert_valid_custom_resource(manifest(node_class), NODECLASS_SCHEMA)
    assert_valid_custom_resource(manifest(pool), NODEPOOL_V1_SCHEMA)
    spec = node_class.inputs["spec"]
    role = auto_mode.one("aws:iam/role:Role", "test-auto-node")
    assert spec["role"] == role.inputs["name"]  # the role whose access entry EKS made
    assert spec["subnetSelectorTerms"] == [{"id": "subnet-0a"}, {"id": "subnet-0b"}]
    assert spec["securityGroupSelectorTerms"] == [{"id": auto_mode.outputs["sg"]}]
    template = pool.inputs["spec"]["template"]
    assert template["spec"]["nodeClassRef"] == {
        "group": "eks.amazonaws.com",
        "kind": "NodeClass",
        "name": node_class.inputs["metadata"]["name"],
    }
    requirements = {r["key"]: r for r in template["spec"]["requirements"]}
    assert requirements["kubernetes.io/arch"]["values"] == ["arm64"]
    assert requirements["karpenter.sh/capacity-type"]["values"] == ["spot", "on-demand"]
    assert requirements["eks.amazonaws.com/instance-category"]["values"] == ["c", "m", "r"]
    assert requirements["eks.amazonaws.com/instance-generation"] == {
        "key": "eks.amazonaws.com/instance-generation",
        "operator": "Gt",
        "values": ["4"],
    }
    assert "kubernetes.io/os" not in requirements  # Auto Mode refuses it
    assert pool.inputs["spec"]["limits"] == {"cpu": "32", "memory": "128Gi"}
    assert depends_on(auto_mode, pool, node_class)


def test_managed_compute_is_unchanged() -> None:
    result = default_cluster()  # EksCluster("test", cluster_args())
    assert "autoMode" not in result.one("eks:index:Cluster").inputs
    assert _attached(result, "test-cluster") == {"AmazonEKSClusterPolicy"}
    assert result.by_type("kubernetes:storage.k8s.io/v1:StorageClass") == []
    assert len(result.by_type("aws:eks/addon:Addon")) == 4


def test_built_in_pools_can_be_narrowed_or_replaced() -> None:
    spec = AutoModeSpec(builtin_node_pools=[], node_pools={"arm": ARM_POOL})
    result = run(lambda: EksCluster("test", auto(auto_mode=spec)))
    assert result.one("eks:index:Cluster").inputs["autoMode"]["computeConfig"]["nodePools"] == []
    # Without a Secrets key, the account's aws/ebs key encrypts the volumes.
    parameters = result.one("kubernetes:storage.k8s.io/v1:StorageClass").inputs["parameters"]
    assert parameters == {"type": "gp3", "encrypted": "true"}


FARGATE = {"system": FargateProfileSpec(selectors=[FargateSelector(namespace="kube-system")])}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        # Auto Mode refuses what it runs or launches itself.
        (
            {"compute": "auto-mode", "node_groups": {"system": NodeGroupSpec()}},
            r"^node_groups: node groups are not used with compute auto-mode",
        ),
        (
            {"compute": "auto-mode", "node_groups": {}, "fargate_profiles": FARGATE},
            r"^fargate_profiles: Fargate are not used with compute auto-mode",
        ),
        (
            {"compute": "auto-mode", "node_groups": {}, "addon_versions": {"coredns": "v1"}},
            r"^addon_versions\['coredns'\]: coredns is not installed with compute auto-mode",
        ),
        (
            {
                "compute": "auto-mode",
                "node_groups": {},
                "auto_mode": AutoModeSpec(builtin_node_pools=["gpu"]),
            },
            r"^auto_mode.builtin_node_pools\[0\]: 'gpu' is not one of general-purpose, system",
        ),
        (
            {
                "compute": "auto-mode",
                "node_groups": {},
                "auto_mode": AutoModeSpec(builtin_node_pools=[]),
            },
            r"^auto_mode.builtin_node_pools: no NodePool at all",
        ),
        (
            {
                "compute": "auto-mode",
                "node_groups": {},
                "auto_mode": AutoModeSpec(
                    node_pools={"big": AutoModeNodePoolSpec(limits={"cpu": "8"})}
                ),
            },
            r"^auto_mode.node_pools\['big'\].limits: needs memory",
        ),
        (
            {
                "compute": "auto-mode",
                "node_groups": {},
                "auto_mode": AutoModeSpec(
                    node_pools={
                        "long": AutoModeNodePoolSpec(
                            limits={"cpu": "8", "memory": "32Gi"}, expire_after="720h"
                        )
                    }
                ),
            },
            r"^auto_mode.node_pools\['long'\].expire_after: 720h is longer than Auto Mode's",
        ),
        (
            {
                "compute": "auto-mode",
                "node_groups": {},
                "auto_mode": AutoModeSpec(
                    node_pools={
                        "system": AutoModeNodePoolSpec(limits={"cpu": "8", "memory": "1Gi"})
                    }
                ),
            },
            r"^auto_mode.node_pools\['system'\]: 'system' is the name of a built-in NodePool",
        ),
        # Managed compute refuses Auto Mode's settings.
        (
            {"auto_mode": AutoModeSpec(builtin_node_pools=["system"])},
            r"^auto_mode: Auto Mode settings need compute auto-mode",
        ),
        (
            {"compute": "fargate"},
            r"^compute: expected one of 'managed', 'auto-mode', got str 'fargate'",
        ),
    ],
)
def test_each_compute_refuses_the_others_settings_naming_the_field(
    overrides: dict, message: str
) -> None:
    error = refused(lambda: EksCluster("test", cluster_args(**overrides)))
    assert re.search(message.replace("^", "^EksCluster 'test': "), error), error


def test_the_ebs_add_on_is_refused_under_auto_mode() -> None:
    # The EBS CSI driver is Auto Mode's own; any map of add-ons by name is checked for it.
    error = refused(
        lambda: EksCluster("test", auto(addon_versions={"aws-ebs-csi-driver": "v1.40.0"}))
    )
    assert error.startswith(
        "EksCluster 'test': addon_versions['aws-ebs-csi-driver']: aws-ebs-csi-driver is not "
        "installed with compute auto-mode"
    ), error
