"""What a cluster's pods run on: ``compute: managed`` or ``compute: auto-mode``, and the rules
that keep the two apart.

* ``managed`` (the default): managed node groups on hardened launch templates (and Fargate
  profiles); a stack may add Karpenter. The platform installs the VPC CNI, kube-proxy, CoreDNS,
  the Pod Identity agent and the load-balancer controller.
* ``auto-mode``: EKS Auto Mode (pulumi-eks ``autoMode``). AWS launches and patches the nodes
  (its built-in NodePools ``general-purpose`` and ``system``, and the NodePools declared in
  :attr:`AutoModeSpec.node_pools`), and runs pod networking, DNS, the Pod Identity agent, the
  EBS CSI driver and the ALB controller itself: none of them is installed as an add-on, and
  node groups, Fargate profiles, Karpenter and the load-balancer controller are refused.

:func:`validate_compute` is the one implementation of these rules (``EksCluster`` and the
stack configuration both run it); :mod:`.auto_mode` creates what Auto Mode needs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pulumi

from .. import validation as v
from .node_group import Taint

if TYPE_CHECKING:
    from .args import EksClusterArgs

MANAGED = "managed"
AUTO_MODE = "auto-mode"
COMPUTE_CHOICES = (MANAGED, AUTO_MODE)
"""The values of ``EksClusterArgs.compute``."""
BUILTIN_NODE_POOLS = ("general-purpose", "system")
"""The NodePools EKS Auto Mode offers itself (``computeConfig.nodePools``): ``system`` is
tainted ``CriticalAddonsOnly`` (amd64 and arm64), ``general-purpose`` takes any pod (amd64);
both on-demand C, M and R instances of generation 5 or newer, on the ``default`` NodeClass."""
CLUSTER_ROLE_POLICIES: Mapping[str, tuple[str, ...]] = {
    MANAGED: ("AmazonEKSClusterPolicy",),
    AUTO_MODE: (
        "AmazonEKSClusterPolicy",
        "AmazonEKSComputePolicy",
        "AmazonEKSBlockStoragePolicy",
        "AmazonEKSLoadBalancingPolicy",
        "AmazonEKSNetworkingPolicy",
    ),
}
"""The AWS-managed policies of the cluster's service role, by compute (Auto Mode's list: EKS
user guide, "Learn about identity and access in EKS Auto Mode"; pulumi-eks attaches the same
when it creates the role)."""
AUTO_MODE_NODE_POLICIES = ("AmazonEKSWorkerNodeMinimalPolicy", "AmazonEC2ContainerRegistryPullOnly")
"""The policies of the role Auto Mode's nodes run as (EKS user guide, "Amazon EKS Auto Mode
node IAM role"); EKS gives the role its access entry (``AmazonEKSAutoNodePolicy``) itself."""
AUTO_MODE_NODE_ROLE = "auto-mode"
"""The key of the Auto Mode node role in ``EksCluster.node_roles``."""
EBS_CSI_ADDON = "aws-ebs-csi-driver"
"""The EKS add-on of the EBS CSI driver: Auto Mode brings its own (provisioner
:data:`EBS_PROVISIONER`)."""
EBS_PROVISIONER = "ebs.csi.eks.amazonaws.com"
"""The provisioner of Auto Mode's block storage, for StorageClasses."""
BUILT_IN_ADDONS = ("vpc-cni", "kube-proxy", "coredns", "eks-pod-identity-agent", EBS_CSI_ADDON)
"""EKS add-ons Auto Mode runs itself: not installed, and refused, under ``auto-mode``."""
ADDON_MAP_FIELDS = ("addon_versions", "addons")
"""The ``EksClusterArgs`` fields keyed by add-on name that ``auto-mode`` checks."""
ARCHITECTURES = ("amd64", "arm64")
CAPACITY_TYPES = ("on-demand", "spot")
CONSOLIDATION_POLICIES = ("WhenEmptyOrUnderutilized", "WhenEmpty")
TAINT_EFFECTS = ("NoSchedule", "NoExecute", "PreferNoSchedule")
MAX_NODE_LIFETIME_HOURS = 21 * 24
"""Auto Mode replaces every node after at most 21 days (EKS user guide, "Automate cluster
infrastructure with EKS Auto Mode")."""
RESERVED_LABEL_DOMAINS = ("kubernetes.io", "k8s.io", "karpenter.sh", "eks.amazonaws.com")
_DURATION = re.compile(r"^([0-9]+)(s|m|h)$")


@dataclass(kw_only=True)
class AutoModeNodePoolSpec:
    """A NodePool of your own on an Auto Mode cluster (``karpenter.sh/v1``, on the platform's
    NodeClass): which instances Auto Mode may launch for it and how many."""

    limits: dict[str, str | int]
    """The most the pool may hold, summed over its nodes: ``cpu`` and ``memory`` are required
    (``{"cpu": "32", "memory": "128Gi"}``), so that a runaway Deployment cannot launch unbounded
    capacity."""
    architectures: list[str] = field(default_factory=lambda: ["amd64"])
    """``amd64`` and/or ``arm64`` (Graviton: cheaper per vCPU; the images must be multi-arch)."""
    capacity_types: list[str] = field(default_factory=lambda: ["on-demand"])
    """``on-demand`` and/or ``spot`` (``karpenter.sh/capacity-type``)."""
    instance_categories: list[str] = field(default_factory=lambda: ["c", "m", "r"])
    """``eks.amazonaws.com/instance-category`` values (``c``, ``m``, ``r``, ``t``, ``g``...);
    empty: any."""
    min_generation: int | None = 5
    """Oldest instance generation (``eks.amazonaws.com/instance-generation``); None: any."""
    labels: dict[str, str] = field(default_factory=dict)
    """Labels on every node of the pool (not in the ``kubernetes.io``, ``k8s.io``,
    ``karpenter.sh`` or ``eks.amazonaws.com`` domains)."""
    taints: list[Taint] = field(default_factory=list)
    """Taints on every node (``NoSchedule``, ``NoExecute`` or ``PreferNoSchedule``)."""
    consolidation_policy: str = "WhenEmptyOrUnderutilized"
    """When Auto Mode removes or replaces nodes to save cost: ``WhenEmptyOrUnderutilized`` or
    ``WhenEmpty``."""
    consolidate_after: str = "1m"
    """How long a node must be unchanged before it may be consolidated (``30s``, ``5m``...)."""
    expire_after: str = "336h"
    """Replace every node after this long (at most ``504h``, Auto Mode's 21 days)."""
    weight: int | None = None
    """Priority among NodePools that fit a pod (1-100, higher first)."""


@dataclass(kw_only=True)
class AutoModeSpec:
    """EKS Auto Mode's settings (``compute: auto-mode`` only)."""

    builtin_node_pools: list[str] = field(default_factory=lambda: list(BUILTIN_NODE_POOLS))
    """Auto Mode's own NodePools to enable: ``general-purpose`` and/or ``system``; empty: only
    the pools of ``node_pools``."""
    node_pools: dict[str, AutoModeNodePoolSpec] = field(default_factory=dict)
    """NodePools of your own by name, on a NodeClass of the platform (the cluster's private
    subnets and security group, the Auto Mode node role)."""
    ephemeral_storage_gib: int = 80
    """Size of the data volume of the nodes of ``node_pools`` (their NodeClass)."""
    storage_class: str = "gp3"
    """Name of the default StorageClass the cluster creates: gp3 through Auto Mode's EBS
    provisioner, encrypted, ``WaitForFirstConsumer``, volume expansion allowed."""
    storage_kms_key_arn: pulumi.Input[str] | None = None
    """The KMS key the StorageClass's volumes are encrypted with. None: the cluster's Secrets
    key when it has one (its policy lets the cluster role, which Auto Mode's EBS driver runs
    as, use it), else the account's ``aws/ebs`` key."""


def validate_compute(args: EksClusterArgs) -> None:
    """Refuse what one compute choice does not take from the other, naming the field."""
    v.one_of(args.compute, COMPUTE_CHOICES, "compute")
    if args.compute == MANAGED:
        v.require(
            args.auto_mode is None,
            "auto_mode",
            "Auto Mode settings need compute auto-mode (this cluster's compute is managed: node "
            "groups); remove them, or set compute to auto-mode",
        )
        return
    for field_name, what in (("node_groups", "node groups"), ("fargate_profiles", "Fargate")):
        v.require(
            not getattr(args, field_name),
            field_name,
            f"{what} are not used with compute auto-mode: EKS Auto Mode launches the nodes "
            "(auto_mode.builtin_node_pools, auto_mode.node_pools); for "
            f"{what} set compute to managed",
        )
    for field_name in ADDON_MAP_FIELDS:
        for name in getattr(args, field_name, None) or {}:
            v.require(
                name not in BUILT_IN_ADDONS,
                f"{field_name}[{name!r}]",
                f"{name} is not installed with compute auto-mode: EKS Auto Mode runs it itself",
            )
    spec = args.auto_mode or AutoModeSpec()
    with v.nested("auto_mode"):
        validate_auto_mode(spec)


def validate_auto_mode(spec: AutoModeSpec) -> None:
    """Check :class:`AutoModeSpec`; errors name ``<field>`` (callers nest them)."""
    for i, builtin in enumerate(spec.builtin_node_pools):
        v.one_of(builtin, BUILTIN_NODE_POOLS, f"builtin_node_pools[{i}]")
    v.unique(spec.builtin_node_pools, "builtin_node_pools", "NodePool")
    v.require(
        bool(spec.builtin_node_pools) or bool(spec.node_pools),
        "builtin_node_pools",
        "no NodePool at all: pods would have nowhere to run; enable general-purpose, or "
        "declare node_pools",
    )
    for name, pool in spec.node_pools.items():
        where = f"node_pools[{name!r}]"
        v.dns_label(name, where, "NodePool name")
        v.require(
            name not in BUILTIN_NODE_POOLS,
            where,
            f"{name!r} is the name of a built-in NodePool; choose another",
        )
        with v.nested(where):
            _validate_pool(pool)
    v.positive_int(spec.ephemeral_storage_gib, "ephemeral_storage_gib", minimum=20, maximum=59000)
    v.dns_subdomain(spec.storage_class, "storage_class", "StorageClass name")
    if isinstance(spec.storage_kms_key_arn, str):
        v.kms_key_arn(spec.storage_kms_key_arn, "storage_kms_key_arn", allow_alias=False)


def _validate_pool(pool: AutoModeNodePoolSpec) -> None:
    for resource in ("cpu", "memory"):
        v.require(
            resource in pool.limits,
            "limits",
            f"needs {resource} (e.g. {{cpu: '32', memory: 128Gi}}): a pool without limits can "
            "grow without bound",
        )
    for key, quantity in pool.limits.items():
        v.positive_quantity(str(quantity), f"limits.{key}", "32, 128Gi")
    for name, values, allowed in (
        ("architectures", pool.architectures, ARCHITECTURES),
        ("capacity_types", pool.capacity_types, CAPACITY_TYPES),
    ):
        v.require(bool(values), name, f"choose at least one of {', '.join(allowed)}")
        for i, value in enumerate(values):
            v.one_of(value, allowed, f"{name}[{i}]")
    for i, category in enumerate(pool.instance_categories):
        v.require(
            isinstance(category, str) and category.isalpha() and category.islower(),
            f"instance_categories[{i}]",
            f"{category!r} is not an instance category such as c, m or r",
        )
    if pool.min_generation is not None:
        v.positive_int(pool.min_generation, "min_generation")
    v.labels(pool.labels, "labels")
    for key in pool.labels:
        domain = key.split("/")[0] if "/" in key else ""
        v.require(
            not any(domain == d or domain.endswith("." + d) for d in RESERVED_LABEL_DOMAINS),
            f"labels.{key}",
            f"the {domain} domain belongs to Kubernetes and Auto Mode; choose your own",
        )
    for i, taint in enumerate(pool.taints):
        v.label_key(taint.key, f"taints[{i}].key")
        if taint.value:
            v.label_value(taint.value, f"taints[{i}].value")
        v.one_of(taint.effect, TAINT_EFFECTS, f"taints[{i}].effect")
    v.one_of(pool.consolidation_policy, CONSOLIDATION_POLICIES, "consolidation_policy")
    _duration(pool.consolidate_after, "consolidate_after")
    v.require(
        _duration(pool.expire_after, "expire_after") <= MAX_NODE_LIFETIME_HOURS * 3600,
        "expire_after",
        f"{pool.expire_after} is longer than Auto Mode's node lifetime "
        f"({MAX_NODE_LIFETIME_HOURS}h, 21 days)",
    )
    if pool.weight is not None:
        v.positive_int(pool.weight, "weight", minimum=1, maximum=100)


def _duration(value: Any, field_name: str) -> int:
    """Seconds of a duration such as ``30s``, ``5m`` or ``336h``."""
    match = _DURATION.match(value) if isinstance(value, str) else None
    if match is None:
        raise v.fail(field_name, f"{value!r} is not a duration such as 30s, 5m or 336h")
    return int(match.group(1)) * {"s": 1, "m": 60, "h": 3600}[match.group(2)]
