"""NodeGroup on a cluster: what it derives from an EksCluster or a ClusterRef, the role and the
access entry it makes when the cluster has no role for it; EksCluster's node roles."""

from __future__ import annotations

import dataclasses
import re

import pulumi
import pulumi_aws as aws
import pytest

from components.cluster import (
    EksCluster,
    FargateProfileSpec,
    FargateSelector,
    NodeGroup,
    NodeGroupArgs,
    NodeGroupSpec,
)
from components.identity.cluster_ref import ClusterRef
from components.synth import Recorded, SynthResult
from tests.support import cluster_args, depends_on, light_cluster, refused, run

ARM = NodeGroupSpec(ami_type="AL2023_ARM_64_STANDARD", instance_types=["m7g.large"])
ENTRY = "aws:eks/accessEntry:AccessEntry"
GROUP = "aws:eks/nodeGroup:NodeGroup"


def _ref(**overrides: object) -> ClusterRef:
    """A reference to another program's cluster with what ``from_stack`` reads."""
    fields: dict[str, object] = {
        "private_subnet_ids": ["subnet-0private1", "subnet-0private2"],
        "kubernetes_version": "1.34",
        "node_security_group_id": "sg-0nodes",
        **overrides,
    }
    return dataclasses.replace(light_cluster("shared"), **fields)  # type: ignore[arg-type]


def _group(result: SynthResult, name: str) -> Recorded:
    return next(r for r in result.by_type(GROUP) if r.name == name)


def _entries(result: SynthResult, prefix: str) -> list[Recorded]:
    return [e for e in result.by_type(ENTRY) if e.name.startswith(prefix)]


@pytest.fixture(scope="module")
def on_eks_cluster() -> SynthResult:
    def program() -> None:
        cluster = EksCluster("test", cluster_args())
        NodeGroup("arm", NodeGroupArgs(cluster=cluster, spec=ARM))
        pulumi.export("roles", {k: r.name for k, r in cluster.node_roles.items()})
        pulumi.export("names", cluster.node_role_names)
        pulumi.export("sg", cluster.cluster_security_group_id)
        pulumi.export(
            "isRole", all(isinstance(r, aws.iam.Role) for r in cluster.node_roles.values())
        )

    return run(program)


def test_the_cluster_exposes_its_node_roles_as_roles(on_eks_cluster: SynthResult) -> None:
    assert on_eks_cluster.outputs["isRole"] is True
    (role,) = [r for r in on_eks_cluster.by_type("aws:iam/role:Role") if "general-node" in r.name]
    assert on_eks_cluster.outputs["roles"] == {"general": role.inputs["name"]}
    assert on_eks_cluster.outputs["names"] == on_eks_cluster.outputs["roles"]


def test_a_group_on_an_eks_cluster_derives_every_field(on_eks_cluster: SynthResult) -> None:
    group, own = _group(on_eks_cluster, "arm"), _group(on_eks_cluster, "test-general")
    for key in ("clusterName", "subnetIds", "version", "nodeRoleArn"):
        assert group.inputs[key] == own.inputs[key], key
    assert group.inputs["clusterName"] == "test"
    assert group.inputs["subnetIds"] == ["subnet-0a", "subnet-0b"]
    assert group.inputs["version"] == "1.35"
    assert group.inputs["releaseVersion"] == "1.35.0-20261101"
    assert group.inputs["amiType"] == "AL2023_ARM_64_STANDARD"
    template = next(r for r in on_eks_cluster.resources if r.name == "arm-lt")
    assert template.inputs["vpcSecurityGroupIds"] == [on_eks_cluster.outputs["sg"]]
    # The cluster's own role already has its entry (EKS made it with the cluster's groups).
    assert _entries(on_eks_cluster, "arm") == []
    assert not [r for r in on_eks_cluster.by_type("aws:iam/role:Role") if r.name == "arm-node"]
    # The nodes wait for the CNI, as the cluster's own do.
    cni = next(a for a in on_eks_cluster.by_type("aws:eks/addon:Addon") if "vpc-cni" in a.name)
    assert depends_on(on_eks_cluster, group, cni)


def test_a_group_on_a_reference_creates_its_role_and_access_entry() -> None:
    result = run(lambda: NodeGroup("arm", NodeGroupArgs(cluster=_ref(), spec=ARM)))
    group = _group(result, "arm")
    role = result.one("aws:iam/role:Role", "arm-node")
    assert group.inputs["clusterName"] == "shared"
    assert group.inputs["subnetIds"] == ["subnet-0private1", "subnet-0private2"]
    assert group.inputs["version"] == "1.34"
    assert group.inputs["releaseVersion"] == "1.34.0-20261101"
    assert group.inputs["nodeRoleArn"].endswith(f":role/{role.inputs['name']}")
    template = result.one("aws:ec2/launchTemplate:LaunchTemplate")
    assert template.inputs["vpcSecurityGroupIds"] == ["sg-0nodes"]
    (entry,) = _entries(result, "arm")
    assert entry.inputs["type"] == "EC2_LINUX"
    assert entry.inputs["principalArn"] == group.inputs["nodeRoleArn"]
    assert entry.inputs["clusterName"] == "shared"
    # The entry exists before the group (EKS would make one itself, and a later one collides);
    # the role's policies too.
    assert depends_on(result, group, entry)
    attachments = result.by_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    assert {a.inputs["policyArn"].rsplit("/", 1)[1] for a in attachments} == {
        "AmazonEKSWorkerNodePolicy",
        "AmazonEC2ContainerRegistryPullOnly",
    }
    assert all(depends_on(result, group, a) for a in attachments)


def test_a_references_own_role_gets_no_entry_and_a_foreign_one_does() -> None:
    cluster_role = "arn:aws:iam::123456789012:role/shared-system-node"

    def program() -> None:
        ref = _ref(node_role_arn=cluster_role)
        NodeGroup("same", NodeGroupArgs(cluster=ref, spec=ARM))
        NodeGroup("given", NodeGroupArgs(cluster=ref, node_role_arn=cluster_role, spec=ARM))
        NodeGroup(
            "foreign",
            NodeGroupArgs(
                cluster=ref, node_role_arn="arn:aws:iam::123456789012:role/gpu", spec=ARM
            ),
        )
        NodeGroup(
            "declined",
            NodeGroupArgs(
                cluster=ref,
                node_role_arn="arn:aws:iam::123456789012:role/gpu2",
                access_entry=False,
                spec=ARM,
            ),
        )

    result = run(program)
    assert result.by_type("aws:iam/role:Role") == []
    assert _group(result, "same").inputs["nodeRoleArn"] == cluster_role
    assert [e.name for e in result.by_type(ENTRY)] == ["foreign-node"]


def test_explicit_fields_override_the_cluster_and_windows_nodes_get_their_entry_type() -> None:
    spec = NodeGroupSpec(ami_type="WINDOWS_CORE_2022_x86_64")
    result = run(
        lambda: NodeGroup(
            "win",
            NodeGroupArgs(
                cluster=_ref(), subnet_ids=["subnet-0only"], kubernetes_version="1.33", spec=spec
            ),
        )
    )
    group = _group(result, "win")
    assert group.inputs["subnetIds"] == ["subnet-0only"]
    assert group.inputs["version"] == "1.33"
    assert result.one(ENTRY).inputs["type"] == "EC2_WINDOWS"


def test_without_a_cluster_the_explicit_fields_work_as_before() -> None:
    result = run(
        lambda: NodeGroup(
            "plain",
            NodeGroupArgs(
                cluster_name="legacy",
                node_role_arn="arn:aws:iam::123456789012:role/nodes",
                subnet_ids=["subnet-0a", "subnet-0b"],
            ),
        )
    )
    group = _group(result, "plain")
    assert group.inputs["clusterName"] == "legacy"
    assert "version" not in group.inputs
    assert result.by_type(ENTRY) == [] and result.by_type("aws:iam/role:Role") == []
    assert "vpcSecurityGroupIds" not in result.one("aws:ec2/launchTemplate:LaunchTemplate").inputs


def test_a_cluster_without_its_own_cni_role_gives_new_roles_the_cni_policy() -> None:
    fargate = {"system": FargateProfileSpec(selectors=[FargateSelector(namespace="kube-system")])}

    def program() -> None:
        cluster = EksCluster(
            "test", cluster_args(cni_role=False, node_groups={}, fargate_profiles=fargate)
        )
        NodeGroup("extra", NodeGroupArgs(cluster=cluster, spec=ARM))

    result = run(program)
    # No node group to share a role with: the group makes its own, with the CNI's policy.
    policies = {
        a.inputs["policyArn"].rsplit("/", 1)[1]
        for a in result.by_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
        if a.name.startswith("extra-node")
    }
    assert policies == {
        "AmazonEKSWorkerNodePolicy",
        "AmazonEC2ContainerRegistryPullOnly",
        "AmazonEKS_CNI_Policy",
    }
    assert [e.name for e in _entries(result, "extra")] == ["extra-node"]


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda: NodeGroupArgs(cluster=_ref(), cluster_name="shared"),
            "^cluster_name: give cluster or cluster_name, not both",
        ),
        (lambda: NodeGroupArgs(), "^cluster: give cluster .*, or cluster_name, node_role_arn"),
        (
            lambda: NodeGroupArgs(cluster_name="legacy", subnet_ids=["subnet-0a"]),
            "^node_role_arn: give cluster",
        ),
        (
            lambda: NodeGroupArgs(
                cluster_name="legacy", node_role_arn="arn:aws:iam::123456789012:role/n"
            ),
            "^subnet_ids: give cluster",
        ),
        (
            lambda: NodeGroupArgs(cluster=_ref(private_subnet_ids=None)),
            "^subnet_ids: the cluster reference 'shared' carries no private subnets",
        ),
        (
            lambda: NodeGroupArgs(cluster="prod-eks"),  # type: ignore[arg-type]
            "^cluster: expected an EksCluster or a ClusterRef",
        ),
    ],
)
def test_ambiguous_or_missing_placement_is_refused_naming_the_field(
    build: object, message: str
) -> None:
    error = refused(lambda: NodeGroup("g", build()), name="g")  # type: ignore[operator]
    assert error.startswith("NodeGroup 'g': "), error
    assert re.search(message.replace("^", "^NodeGroup 'g': "), error), error


def test_an_auto_mode_cluster_takes_no_node_group() -> None:
    def program() -> None:
        cluster = EksCluster("test", cluster_args(compute="auto-mode", node_groups={}))
        NodeGroup("arm", NodeGroupArgs(cluster=cluster, spec=ARM))

    error = refused(program, name="arm")
    assert error.startswith("NodeGroup 'arm': cluster: the cluster runs EKS Auto Mode"), error
