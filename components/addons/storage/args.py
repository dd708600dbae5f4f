"""The arguments of :class:`~components.addons.storage.EbsStorage` and what it fixes: the EKS
add-on of the EBS CSI driver, its ServiceAccount and policy, the StorageClass's provisioner."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import pulumi

from ...identity.iam import RoleSettings
from ...identity.workload_identity import IdentityMechanism

if TYPE_CHECKING:
    from ...cluster import EksCluster
    from ...identity.cluster_ref import ClusterRef

ADDON_NAME = "aws-ebs-csi-driver"
"""The EKS add-on of the Amazon EBS CSI driver."""
NAMESPACE = "kube-system"
SERVICE_ACCOUNT = "ebs-csi-controller-sa"
"""The driver's controller ServiceAccount (EKS user guide, "Amazon EBS CSI driver")."""
DRIVER_POLICY = "AmazonEBSCSIDriverPolicy"
DRIVER_POLICY_PATH = "service-role/"
"""The AWS managed policy the driver needs: ``arn:aws:iam::aws:policy/service-role/
AmazonEBSCSIDriverPolicy`` (the EKS user guide's ``eksctl create iamserviceaccount
--attach-policy-arn``)."""
PROVISIONER = "ebs.csi.aws.com"
"""The driver's CSI name, the StorageClass's provisioner."""
EKS_GP2_CLASS = "gp2"
"""The class EKS creates on every new cluster (in-tree ``kubernetes.io/aws-ebs``, migrated to
the CSI driver); the default one on clusters created before Kubernetes 1.30."""
DEFAULT_CLASS_ANNOTATION = "storageclass.kubernetes.io/is-default-class"
FS_TYPES = ("ext4", "xfs")
RECLAIM_POLICIES = ("Delete", "Retain")
CRITICAL_ADDONS_ONLY = {"key": "CriticalAddonsOnly", "operator": "Exists"}


@dataclass(kw_only=True)
class EbsStorageArgs:
    """Arguments of :class:`~components.addons.storage.EbsStorage`. Every field but ``cluster``
    is a plain value, so a stack reads them from ``eks-platform:storage``."""

    cluster: EksCluster | ClusterRef
    """The cluster (an ``EksCluster``, or a ``ClusterRef``)."""
    identity: IdentityMechanism = "irsa"
    """How the driver's controller gets its role: ``irsa`` (the add-on's
    ``serviceAccountRoleArn``) or ``pod-identity`` (the add-on's Pod Identity association)."""
    version: str | None = None
    """The add-on's exact version (``v1.54.0-eksbuild.1``) or ``latest``; None: EKS's default
    for the cluster's Kubernetes version, so an upgrade of the cluster moves the driver too."""
    kms_key_arn: pulumi.Input[str] | None = None
    """The KMS key (its ARN, not an alias) the volumes are encrypted with; the driver's role
    may use it through EC2 only. None: the cluster's Secrets key when the cluster is an
    ``EksCluster`` with one (its key policy lets EC2 use it for the account's EBS volumes),
    else the account's EBS default key (``aws/ebs``)."""
    storage_class: str = "gp3"
    """Name of the StorageClass: gp3 volumes, encrypted, ``WaitForFirstConsumer``, expandable."""
    default_class: bool = True
    """Make it the cluster's default StorageClass (and ``gp2`` not: ``demote_gp2``)."""
    demote_gp2: bool = True
    """Patch the annotation of the ``gp2`` class EKS creates to ``is-default-class: "false"``,
    so that the new class is the only default on clusters created before Kubernetes 1.30
    (later ones create ``gp2`` without it). False where ``gp2`` was deleted."""
    fs_type: str = "ext4"
    """The file system of the volumes (``csi.storage.k8s.io/fstype``): ``ext4`` or ``xfs``."""
    reclaim_policy: Literal["Delete", "Retain"] = "Delete"
    """What happens to a volume when its claim is deleted: ``Delete`` it, or ``Retain`` it."""
    node_selector: dict[str, str] = field(default_factory=dict)
    """Node labels the driver's controller runs on (``controller.nodeSelector``), e.g. the
    system node group's; its node DaemonSet runs on every node."""
    tolerations: list[dict[str, Any]] = field(default_factory=lambda: [dict(CRITICAL_ADDONS_ONLY)])
    """Tolerations of the controller (``controller.tolerations``), as Kubernetes writes them."""
    configuration_values: dict[str, Any] = field(default_factory=dict)
    """Further configuration of the add-on (its schema: ``aws eks describe-addon-configuration
    --addon-name aws-ebs-csi-driver``); what the arguments above set is refused."""
    role: RoleSettings = field(default_factory=RoleSettings)
    """The driver role's name, path, permissions boundary, session length and tags."""
    deletion_protection: bool = False
    """Protect the add-on and the StorageClass (Pulumi ``protect``)."""
    tags: dict[str, str] = field(default_factory=dict)
    """AWS tags on the add-on and its role."""
