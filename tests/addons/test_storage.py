"""EbsStorage: the EBS CSI driver as an EKS add-on with a role for exactly its ServiceAccount,
the key grants when volumes use a customer key, and the one default StorageClass."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest

from components import AddonSpec, EbsStorage, EbsStorageArgs
from components.cluster import EksCluster
from components.synth import Recorded, SynthResult
from tests.oracles.iam_validation import assert_valid_k8s
from tests.oracles.key_policy import may
from tests.oracles.trust_policy import Token, admits, pod_identity_admits
from tests.support import (
    ADMIN_ARN,
    cluster_args,
    depends_on,
    doc,
    light_cluster,
    manifest,
    refused,
    run,
    shared,
)

ADDON = "aws:eks/addon:Addon"
CLASS = "kubernetes:storage.k8s.io/v1:StorageClass"
PATCH = "kubernetes:storage.k8s.io/v1:StorageClassPatch"
DEFAULT = "storageclass.kubernetes.io/is-default-class"
SA = "system:serviceaccount:kube-system:ebs-csi-controller-sa"
KEY = "arn:aws:kms:us-west-2:123456789012:key/0a1b2c3d-0000-4000-8000-000000000001"
ENCRYPTED = dict(secrets_encryption=True, kms_key_administrators={"platform": ADMIN_ARN})


def storage(cluster: dict[str, Any] | None = None, **fields: Any) -> SynthResult:
    def program() -> None:
        c = EksCluster("test", cluster_args(**(cluster or {})))
        ebs = EbsStorage("ebs", EbsStorageArgs(cluster=c, **fields))
        pulumi.export("issuer", c.oidc_issuer_url)
        pulumi.export("provider", c.oidc_provider_arn)
        pulumi.export("key", c.secrets_key_arn or "")
        pulumi.export("role", ebs.role_arn)
        pulumi.export("class", ebs.storage_class_name)

    return run(program)


@shared
def default_storage() -> SynthResult:
    """``storage()`` with the defaults: one synth per test process, a fresh copy for each call
    (so that no test can change what another sees: :func:`tests.support.shared`)."""
    return storage()


def driver(result: SynthResult) -> Recorded:
    (found,) = [a for a in result.by_type(ADDON) if a.inputs["addonName"] == "aws-ebs-csi-driver"]
    return found


def test_the_driver_role_admits_exactly_its_service_account() -> None:
    result = default_storage()
    addon = driver(result)
    role = result.one("aws:iam/role:Role", "ebs")
    assert addon.inputs["serviceAccountRoleArn"] == result.outputs["role"]
    issuer, provider = result.outputs["issuer"], result.outputs["provider"]
    trust = doc(role, "assumeRolePolicy")
    assert admits(trust, Token(issuer, SA), provider)
    for other in (
        "system:serviceaccount:kube-system:ebs-csi-node-sa",
        "system:serviceaccount:default:ebs-csi-controller-sa",
        "system:serviceaccount:kube-system:aws-node",
    ):
        assert not admits(trust, Token(issuer, other), provider), other
    assert not admits(trust, Token(issuer, SA, aud="other"), provider)
    other_cluster = provider[:-4] + "0000"
    other_issuer = "https://" + other_cluster.split(":oidc-provider/", 1)[1]
    assert not admits(trust, Token(other_issuer, SA), other_cluster)
    # The AWS managed policy, under its /service-role/ path; no key, no inline policy.
    (attachment,) = [
        a
        for a in result.by_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
        if a.name.startswith("ebs-")
    ]
    assert attachment.inputs["policyArn"] == (
        "arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy"
    )
    assert not [
        p for p in result.by_type("aws:iam/rolePolicy:RolePolicy") if p.name.startswith("ebs")
    ]
    assert depends_on(result, addon, attachment)


def test_with_pod_identity_the_addons_association_binds_the_role() -> None:
    result = storage(identity="pod-identity")
    addon = driver(result)
    assert addon.inputs["podIdentityAssociations"] == [
        {"roleArn": result.outputs["role"], "serviceAccount": "ebs-csi-controller-sa"}
    ]
    assert "serviceAccountRoleArn" not in addon.inputs
    trust = doc(result.one("aws:iam/role:Role", "ebs"), "assumeRolePolicy")
    assert pod_identity_admits(trust, "test", "kube-system", "ebs-csi-controller-sa")
    assert not pod_identity_admits(trust, "test", "kube-system", "ebs-csi-node-sa")
    assert not pod_identity_admits(trust, "test", "default", "ebs-csi-controller-sa")
    assert not pod_identity_admits(trust, "other", "kube-system", "ebs-csi-controller-sa")
    agent = [a for a in result.by_type(ADDON) if a.inputs["addonName"] == "eks-pod-identity-agent"]
    assert depends_on(result, addon, agent[0])


def test_volumes_use_the_clusters_secrets_key_through_ec2_only() -> None:
    result = storage(cluster=ENCRYPTED)
    key = result.outputs["key"]
    assert key.startswith("arn:aws:kms:us-west-2:123456789012:key/")
    (inline,) = [
        p for p in result.by_type("aws:iam/rolePolicy:RolePolicy") if p.name == "ebs-permissions"
    ]
    statements = doc(inline, "policy")["Statement"]
    assert statements == [
        {
            "Effect": "Allow",
            "Action": ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
            "Resource": [key],
            "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}},
        },
        {
            "Effect": "Allow",
            "Action": [
                "kms:Encrypt",
                "kms:Decrypt",
                "kms:ReEncrypt*",
                "kms:GenerateDataKey*",
                "kms:DescribeKey",
            ],
            "Resource": [key],
        },
    ]
    parameters = result.one(CLASS).inputs["parameters"]
    assert parameters["kmsKeyId"] == key and parameters["encrypted"] == "true"
    # The key's policy lets the driver's role (whose IAM policy allows it) use the key through
    # EC2 in this region, and nothing else: not directly, not for Secrets.
    policy = doc(result.one("aws:kms/key:Key"), "policy")
    role = result.outputs["role"]
    ec2 = {"kms:ViaService": "ec2.us-west-2.amazonaws.com", "kms:CallerAccount": "123456789012"}
    grant = {**ec2, "kms:GrantIsForAWSResource": "true"}
    assert may(policy, role, "kms:GenerateDataKeyWithoutPlaintext", iam_allows=True, context=ec2)
    assert may(policy, role, "kms:CreateGrant", iam_allows=True, context=grant)
    assert not may(policy, role, "kms:CreateGrant", iam_allows=True, context=ec2)
    assert not may(policy, role, "kms:Decrypt", iam_allows=True)
    assert not may(policy, role, "kms:Decrypt", context=ec2)  # only as IAM allows it
    other_region = {**ec2, "kms:ViaService": "ec2.us-east-1.amazonaws.com"}
    assert not may(policy, role, "kms:Decrypt", iam_allows=True, context=other_region)
    assert not may(policy, role, "kms:ScheduleKeyDeletion", iam_allows=True, context=ec2)


def test_a_given_key_is_used_and_an_alias_is_refused() -> None:
    result = storage(kms_key_arn=KEY)
    assert result.one(CLASS).inputs["parameters"]["kmsKeyId"] == KEY
    alias = "arn:aws:kms:us-west-2:123456789012:alias/ebs"
    error = refused(
        lambda: EbsStorage("ebs", EbsStorageArgs(cluster=light_cluster(), kms_key_arn=alias)),
        "ebs",
    )
    assert error.startswith("EbsStorage 'ebs': kms_key_arn: ") and "alias ARN" in error


def test_without_a_customer_key_volumes_use_ebs_default_encryption() -> None:
    parameters = default_storage().one(CLASS).inputs["parameters"]
    assert parameters == {"type": "gp3", "csi.storage.k8s.io/fstype": "ext4", "encrypted": "true"}


def test_the_storage_class_is_the_only_default_and_valid() -> None:
    result = default_storage()
    storage_class = result.one(CLASS)
    obj = manifest(storage_class)
    assert obj["metadata"]["name"] == "gp3" == result.outputs["class"]
    assert obj["metadata"]["annotations"] == {DEFAULT: "true"}
    assert storage_class.inputs["provisioner"] == "ebs.csi.aws.com"
    assert storage_class.inputs["volumeBindingMode"] == "WaitForFirstConsumer"
    assert storage_class.inputs["allowVolumeExpansion"] is True
    assert storage_class.inputs["reclaimPolicy"] == "Delete"
    full = {k: storage_class.inputs[k] for k in storage_class.inputs if k != "apiVersion"}
    assert_valid_k8s({"apiVersion": "storage.k8s.io/v1", **full}, "1.35")
    patch = result.one(PATCH)
    assert patch.inputs["metadata"] == {
        "name": "gp2",
        "annotations": {DEFAULT: "false", "pulumi.com/patchForce": "true"},
    }
    # On the cluster, after the driver; the patch never protected.
    assert depends_on(result, storage_class, driver(result))
    assert storage_class.provider and storage_class.provider == patch.provider
    assert not patch.protect


def test_the_driver_follows_the_cluster_version_unless_pinned() -> None:
    def version(**kw: Any) -> str:
        return str(driver(storage(**kw) if kw else default_storage()).inputs["addonVersion"])

    assert version(cluster={"kubernetes_version": "1.34"}).startswith("v1.34.")
    assert version().startswith("v1.35.")
    assert version(cluster={"kubernetes_version": "1.34"}, version="v1.54.0-eksbuild.1") == (
        "v1.54.0-eksbuild.1"
    )


def test_placement_and_further_values_reach_the_addon() -> None:
    import json

    result = storage(
        node_selector={"workload": "system"},
        configuration_values={"controller": {"podDisruptionBudget": {"enabled": True}}},
        deletion_protection=True,
        default_class=False,
    )
    values = json.loads(driver(result).inputs["configurationValues"])
    assert values == {
        "controller": {
            "podDisruptionBudget": {"enabled": True},
            "tolerations": [{"key": "CriticalAddonsOnly", "operator": "Exists"}],
            "nodeSelector": {"workload": "system"},
        }
    }
    assert driver(result).protect and result.one(CLASS).protect
    assert "annotations" not in manifest(result.one(CLASS))["metadata"]
    assert not result.by_type(PATCH)  # not the default: gp2 is left as it is


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"storage_class": "gp2"}, "storage_class: 'gp2' is the class EKS creates"),
        ({"version": "1.54"}, "version: '1.54' is not an add-on version"),
        (
            {"configuration_values": {"controller": {"nodeSelector": {"a": "b"}}}},
            "configuration_values.controller.nodeSelector: is set by node_selector",
        ),
        ({"configuration_values": "controller: {}"}, "configuration_values: "),
        ({"fs_type": "btrfs"}, "fs_type: 'btrfs' is not one of"),
        ({"identity": "kiam"}, "identity: "),
        ({"tolerations": [{"operator": "Sometimes"}]}, "tolerations[0]"),
    ],
)
def test_misuse_is_refused_naming_the_field(fields: dict[str, Any], message: str) -> None:
    error = refused(
        lambda: EbsStorage("ebs", EbsStorageArgs(cluster=light_cluster(), **fields)), "ebs"
    )
    assert error.startswith("EbsStorage 'ebs': "), error
    assert message in error, error


def test_the_driver_is_installed_once_per_cluster() -> None:
    def program() -> None:
        c = EksCluster("test", cluster_args(addons={"aws-ebs-csi-driver": AddonSpec()}))
        EbsStorage("ebs", EbsStorageArgs(cluster=c))

    error = refused(program, "ebs")
    assert (
        "EKS add-on 'aws-ebs-csi-driver' on cluster 'test' is already created by EksCluster"
        in error
    )


def test_objects_with_volumes_go_before_the_driver() -> None:
    import pulumi_kubernetes as k8s

    def program() -> None:
        ebs = EbsStorage("ebs", EbsStorageArgs(cluster=light_cluster()))
        k8s.core.v1.PersistentVolumeClaim(
            "data",
            metadata={"name": "data", "namespace": "default"},
            spec={
                "accessModes": ["ReadWriteOnce"],
                "storageClassName": ebs.storage_class_name,
                "resources": {"requests": {"storage": "1Gi"}},
            },
            opts=ebs.workload_options(),
        )

    result = run(program)
    claim = result.one("kubernetes:core/v1:PersistentVolumeClaim")
    assert depends_on(result, claim, driver(result)) and depends_on(
        result, claim, result.one(CLASS)
    )
    assert claim.inputs["spec"]["storageClassName"] == "gp3"
    assert_valid_k8s(
        manifest(claim) | {"apiVersion": "v1", "kind": "PersistentVolumeClaim"}, "1.35"
    )
