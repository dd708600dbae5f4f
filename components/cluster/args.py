"""What :class:`~components.cluster.eks_cluster.EksCluster` takes: :class:`EksClusterArgs`, the
Fargate profile specs, and the vocabularies its fields draw from (Kubernetes versions EKS
offers, control-plane log types)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import pulumi

from .. import validation as v
from .access import AccessEntrySpec
from .addon_spec import AddonSpec
from .compute import AutoModeSpec
from .node_group import NodeGroupSpec

# In EKS standard support through 2026-11 and beyond (EKS 1.35: released early 2026, 14 months of standard support).
DEFAULT_KUBERNETES_VERSION = "1.35"
EKS_VERSIONS = ("1.32", "1.33", "1.34", "1.35", "1.36")
"""The Kubernetes versions EKS offers, standard and extended support, as of 2026-12-07 (1.31 left
extended support on 2026-11-26; 1.32 leaves it in 2027-03). Update when EKS adds or retires one."""
EKS_VERSIONS_AS_OF = "2026-12-07"
LOG_TYPES = ("api", "audit", "authenticator", "controllerManager", "scheduler")
DEFAULT_LOG_TYPES = ("api", "audit", "authenticator")


def validate_kubernetes_version(version: object, field: str) -> None:
    """``version`` is a Kubernetes ``major.minor`` that EKS offers (:data:`EKS_VERSIONS`);
    raises naming ``field``."""
    parts = version.split(".") if isinstance(version, str) else []
    v.require(
        len(parts) == 2 and all(p.isdigit() for p in parts),
        field,
        f"{version!r} is not a Kubernetes major.minor version such as "
        f"{DEFAULT_KUBERNETES_VERSION!r}",
    )
    v.require(
        version in EKS_VERSIONS,
        field,
        f"EKS does not offer Kubernetes {version} (it offers {', '.join(EKS_VERSIONS)} as of "
        f"{EKS_VERSIONS_AS_OF})",
    )


@dataclass(kw_only=True)
class FargateSelector:
    """Which pods a Fargate profile takes: a namespace, optionally narrowed by labels."""

    namespace: str
    """Namespace whose pods run on Fargate."""
    labels: dict[str, str] = field(default_factory=dict)
    """Only pods with all of these labels (empty: every pod in the namespace)."""


@dataclass(kw_only=True)
class FargateProfileSpec:
    """A Fargate profile: up to five selectors; its pods run in the private subnets."""

    selectors: list[FargateSelector]
    """The pods this profile schedules onto Fargate."""


@dataclass(kw_only=True)
class EksClusterArgs:
    """Arguments of :class:`EksCluster`."""

    cluster_name: str
    """The EKS cluster name: 1-100 letters, digits, ``-`` and ``_``, starting with a letter or digit."""
    vpc_id: pulumi.Input[str]
    """VPC to run in (``Network.vpc_id``)."""
    private_subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]]
    """Private subnets for the control plane's network interfaces, nodes and Fargate pods."""
    public_subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]] = field(default_factory=list)
    """Public subnets (internet-facing load balancers)."""
    kubernetes_version: str = DEFAULT_KUBERNETES_VERSION
    """Kubernetes ``major.minor`` version."""
    access_entries: Mapping[str, AccessEntrySpec] = field(default_factory=dict)
    """Who may use the Kubernetes API, keyed by names you choose (they name the entries):
    ``{"platform": AccessEntrySpec(principal_arn=..., policy="cluster-admin")}``. List the
    identity that runs ``pulumi up`` (the CI deploy role) as ``cluster-admin``: the entry EKS
    gives the creator is replaced by it (see ``remove_creator_admin``)."""
    remove_creator_admin: bool = True
    """Remove the access entry EKS gives the identity that created the cluster (in no code, no
    preview) during the first ``pulumi up``, once that identity has a declared entry; refuse
    with a clear message when it has none. With False the creator keeps that entry, and must
    not be declared in ``access_entries`` (EKS allows one entry per principal)."""
    upgrade_support: Literal["STANDARD", "EXTENDED"] = "STANDARD"
    """What happens when the Kubernetes version leaves EKS standard support: ``STANDARD`` (EKS
    upgrades the control plane to the next version) or ``EXTENDED`` (the cluster stays, on
    extended support, at $0.60 per cluster-hour instead of $0.10: about $438 a month more)."""
    enabled_log_types: list[str] = field(default_factory=lambda: list(DEFAULT_LOG_TYPES))
    """Control-plane log types sent to CloudWatch (``/aws/eks/<name>/cluster``)."""
    log_retention_days: int = 30
    """Days CloudWatch keeps the control-plane logs; the log group is the stack's (created before
    the cluster, deleted with it). One of CloudWatch's retention values (1, 3, 5, 7, 14, 30, 60,
    90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)."""
    log_kms_key_arn: pulumi.Input[str] | None = None
    """A KMS key to encrypt the control-plane log group with; its key policy must let
    ``logs.<region>.amazonaws.com`` use it."""
    secrets_encryption: bool = False
    """Envelope-encrypt Kubernetes Secrets with KMS (a new key with rotation unless ``kms_key_arn``)."""
    kms_key_arn: pulumi.Input[str] | None = None
    """An existing KMS key for Secrets encryption (its ARN); implies ``secrets_encryption``."""
    kms_key_administrators: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Who administers the Secrets key this component creates (IAM role/user ARNs, keyed by
    names you choose); required with ``secrets_encryption``. Include the identity that runs
    ``pulumi up``: KMS refuses a key policy that would lock its creator out."""
    kms_break_glass_principal_arn: pulumi.Input[str] | None = None
    """The only principal (with the account's root user) that may disable the Secrets key,
    schedule its deletion or change its key policy: everyone else, administrators and the
    deploy role included, is denied the three, and the deletion window is 30 days. Required
    with ``deletion_protection``. None: the administrators may delete the key (7-day window),
    so ``pulumi destroy`` works (docs/security.md, "The Secrets key")."""
    oidc_provider_arn: pulumi.Input[str] | None = None
    """An existing IAM OIDC provider for the cluster's issuer to adopt (e.g. when re-creating
    a cluster's stack); by default the cluster's :class:`OidcTrust` creates one."""
    endpoint_public_access: bool = False
    """Whether the API server endpoint is reachable from the internet, from
    ``public_access_cidrs`` only. Off by default: the deploy then runs inside or peered with the VPC."""
    endpoint_private_access: bool = True
    """Whether the API server endpoint is reachable from inside the VPC (nodes use it)."""
    public_access_cidrs: list[str] = field(default_factory=list)
    """CIDR blocks allowed to reach the public endpoint (required with it);
    ``0.0.0.0/0`` only with ``allow_public_endpoint_from_anywhere``."""
    allow_public_endpoint_from_anywhere: bool = False
    """Accept ``0.0.0.0/0`` in ``public_access_cidrs`` (an API server open to the internet,
    behind IAM authentication only)."""
    deployer_cidrs: list[str] = field(default_factory=list)
    """Egress CIDRs of the machines that run ``pulumi up`` against the public endpoint (CI
    runners): refused unless ``public_access_cidrs`` cover them, so a stack cannot lock its
    own deploy job out."""
    compute: Literal["managed", "auto-mode"] = "managed"
    """What pods run on (docs/compute.md): ``managed`` (``node_groups``, ``fargate_profiles``;
    a stack may add Karpenter) or ``auto-mode`` (EKS Auto Mode launches and patches the nodes
    and runs networking, DNS, the EBS driver and the ALB controller itself; no node groups)."""
    auto_mode: AutoModeSpec | None = None
    """EKS Auto Mode's NodePools and default StorageClass; only with ``compute: auto-mode``
    (None there: the built-in pools and a ``gp3`` class)."""
    node_groups: dict[str, NodeGroupSpec] = field(default_factory=dict)
    """Managed node groups by name."""
    fargate_profiles: dict[str, FargateProfileSpec] = field(default_factory=dict)
    """Fargate profiles by name."""
    addons: dict[str, AddonSpec] = field(default_factory=dict)
    """EKS managed add-ons by name (docs/storage-and-metrics.md): any add-on of the vendored
    list (``aws-efs-csi-driver``, ``snapshot-controller``...), each with its version (default:
    EKS's for the Kubernetes version), configuration values and, with ``service_account``, an
    IAM role. The core ones (``vpc-cni``, ``kube-proxy``, ``coredns``,
    ``eks-pod-identity-agent``) are always installed: listing one sets its version and
    configuration."""
    addon_versions: dict[str, str] = field(default_factory=dict)
    """Pinned versions of the core add-ons, the older spelling of ``addons[<name>].version``
    (give a version in one place only); EKS's default for the Kubernetes version otherwise."""
    pod_identity_agent: bool = True
    """Install the ``eks-pod-identity-agent`` add-on (needed by :class:`PodIdentityRole`)."""
    cni_role: bool = True
    """Give the VPC CNI (``kube-system/aws-node``) a role of its own through IRSA, with
    ``AmazonEKS_CNI_Policy``; the nodes' role then lacks ENI permissions. False: the nodes carry
    them (EKS's default)."""
    kubeconfig_aws_profile: str | None = None
    """The AWS CLI profile the kubeconfig's ``aws eks get-token`` uses (the stack's ``aws:profile``,
    when the program runs with one); none: the default credential chain."""
    deletion_protection: bool = False
    """Refuse deletion: Pulumi ``protect`` on the control plane and EKS deletion protection."""
    tags: dict[str, str] = field(default_factory=dict)
    """AWS tags for every resource the component creates."""
