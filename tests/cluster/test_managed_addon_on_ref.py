"""ManagedAddon: an EKS add-on on a cluster of another program (a ``ClusterRef``), one installer
per add-on and cluster, and the vendored list of add-on names with its sources and date."""

from __future__ import annotations

import datetime
from typing import Any

import pulumi
import pytest

from components import AddonSpec, ManagedAddon, ManagedAddonArgs
from components.cluster import EksCluster
from components.cluster.addon_spec import listed_addons
from components.identity.cluster_ref import ClusterRef
from components.policies import load_policy
from tests.support import cluster_args, doc, light_cluster, refused, run

ADDON = "aws:eks/addon:Addon"
EFS_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonEFSCSIDriverPolicy"
EFS = AddonSpec(service_account="efs-csi-controller-sa", managed_policy_arns={"efs": EFS_POLICY})


# -- ManagedAddon: an add-on on a cluster of another program -------------------------------------


def test_a_managed_addon_on_a_cluster_ref_follows_its_version() -> None:
    def program() -> None:
        ref = light_cluster("other")
        made = ManagedAddon(
            "efs", ManagedAddonArgs(cluster=ref, addon_name="aws-efs-csi-driver", **vars(EFS))
        )
        pulumi.export("role", made.role_arn)
        ManagedAddon(
            "snapshots",
            ManagedAddonArgs(
                cluster=ref, addon_name="snapshot-controller", kubernetes_version="1.33"
            ),
        )

    result = run(program)
    efs = result.one(ADDON, "efs")
    assert efs.inputs["clusterName"] == "other"
    # The reference knows no version: EKS's answer for the cluster (the mock's 1.35).
    assert efs.inputs["addonVersion"].startswith("v1.35.")
    assert result.one(ADDON, "snapshots").inputs["addonVersion"].startswith("v1.33.")
    assert result.one("eks-platform:index:ManagedAddon", "efs")
    trust = doc(result.one("aws:iam/role:Role", "efs"), "assumeRolePolicy")
    host = trust["Statement"][0]["Condition"]["StringEquals"]
    assert set(host.values()) == {
        "sts.amazonaws.com",
        "system:serviceaccount:kube-system:efs-csi-controller-sa",
    }
    assert efs.inputs["serviceAccountRoleArn"] == result.outputs["role"]


def test_a_managed_addon_on_a_stack_reference_uses_the_stacks_version() -> None:
    def program() -> None:
        ref = ClusterRef.from_stack("acme/eks-platform/dev")
        ManagedAddon("snapshots", ManagedAddonArgs(cluster=ref, addon_name="snapshot-controller"))

    result = run(program)
    made = result.one(ADDON, "snapshots")
    assert made.inputs["addonName"] == "snapshot-controller"
    assert made.inputs["addonVersion"].startswith("v1.")


def test_a_managed_addon_with_pod_identity_on_a_ref_checks_the_agent_at_deploy_time() -> None:
    def program() -> None:
        ref = light_cluster("other")
        ManagedAddon(
            "efs",
            ManagedAddonArgs(
                cluster=ref,
                addon_name="aws-efs-csi-driver",
                service_account="efs-csi-controller-sa",
                identity="pod-identity",
                managed_policy_arns={"efs": EFS_POLICY},
            ),
        )

    result = run(program)
    efs = result.one(ADDON, "efs")
    assert efs.inputs["podIdentityAssociations"][0]["serviceAccount"] == "efs-csi-controller-sa"
    assert efs.inputs["clusterName"] == "other"  # resolved once the agent was found


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"addon_name": "efs"}, "ManagedAddon 'x': addon_name: 'efs' is not in the list"),
        (
            {"addon_name": "Bad Name"},
            "ManagedAddon 'x': addon_name: 'Bad Name' is not an EKS add-on name",
        ),
        (
            {"addon_name": "snapshot-controller", "version": "8.1"},
            "ManagedAddon 'x': version: '8.1'",
        ),
        (
            {"addon_name": "snapshot-controller", "configuration_values": ["a"]},
            "ManagedAddon 'x': configuration_values: ",
        ),
        (
            {"addon_name": "snapshot-controller", "kubernetes_version": "1"},
            "ManagedAddon 'x': kubernetes_version: '1' is not a Kubernetes major.minor version",
        ),
        (
            {"addon_name": "snapshot-controller", "kubernetes_version": "1.3x"},
            "ManagedAddon 'x': kubernetes_version: '1.3x' is not a Kubernetes major.minor",
        ),
        (
            {"addon_name": "snapshot-controller", "kubernetes_version": "1.29"},
            "ManagedAddon 'x': kubernetes_version: EKS does not offer Kubernetes 1.29",
        ),
    ],
)
def test_a_managed_addon_refuses_misuse(fields: dict[str, Any], message: str) -> None:
    error = refused(
        lambda: ManagedAddon("x", ManagedAddonArgs(cluster=light_cluster("c"), **fields)), "x"
    )
    assert message in error, error


def test_one_addon_one_installer_per_cluster() -> None:
    def program() -> None:
        c = EksCluster("test", cluster_args(addons={"snapshot-controller": AddonSpec()}))
        ManagedAddon("snap", ManagedAddonArgs(cluster=c, addon_name="snapshot-controller"))

    error = refused(program, "snap")
    assert (
        "ManagedAddon 'snap': addon_name: EKS add-on 'snapshot-controller' on cluster 'test' is "
        in error
    )
    assert "already created by EksCluster 'test'" in error
    core = refused(
        lambda: ManagedAddon(
            "dns",
            ManagedAddonArgs(cluster=EksCluster("test", cluster_args()), addon_name="coredns"),
        ),
        "dns",
    )
    assert "already created by EksCluster 'test'" in core


# -- the vendored list --------------------------------------------------------------------------


def test_the_vendored_list_names_its_sources_and_date() -> None:
    data = load_policy("eks-addon-names.json")
    datetime.date.fromisoformat(data["asOf"])
    urls = [s["url"] for s in data["sources"]]
    assert (
        "https://docs.aws.amazon.com/eks/latest/userguide/workloads-add-ons-available-eks.html"
        in urls
    )
    assert "https://docs.aws.amazon.com/eks/latest/userguide/community-addons.html" in urls
    names = listed_addons()
    # The add-ons issue 20 names, the core ones, storage and metrics.
    assert {
        "aws-efs-csi-driver",
        "amazon-cloudwatch-observability",
        "snapshot-controller",
        "eks-node-monitoring-agent",
        "vpc-cni",
        "kube-proxy",
        "coredns",
        "eks-pod-identity-agent",
        "aws-ebs-csi-driver",
        "metrics-server",
    } <= set(names)
    assert names["metrics-server"]["owner"] == "community"
    assert names["aws-ebs-csi-driver"] == {
        "owner": "aws",
        "namespace": "kube-system",
        "serviceAccount": "ebs-csi-controller-sa",
    }
    for name, entry in names.items():
        assert entry["owner"] in ("aws", "community"), name
        assert "serviceAccount" not in entry or "namespace" in entry, name
