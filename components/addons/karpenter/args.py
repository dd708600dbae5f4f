"""What a :class:`~components.addons.karpenter.Karpenter` is told: its arguments, the NodePool,
EC2NodeClass and disruption-budget specs, and the constants they and the component share."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ...cluster import Taint
from ...identity.iam import RoleSettings
from ...identity.workload_identity import IdentityMechanism
from ..controller import ControllerArgs
from ..helm import ChartSpec

if TYPE_CHECKING:
    from ...cluster import EksCluster
    from ...identity.cluster_ref import ClusterRef

DEFAULT_CHART = ChartSpec(
    chart="karpenter", repository="oci://public.ecr.aws/karpenter", version="1.14.1"
)
"""The official chart, pinned (app version 1.14.1, the version of the vendored policies)."""
CRD_CHART = "karpenter-crd"
"""The chart of Karpenter's CRDs, published beside the controller's at the same versions. Helm
installs a chart's ``crds/`` once and never upgrades them, so the component installs the CRDs
from this chart (whose CRDs are templates, upgraded with every new pin) and tells the
controller's release to skip its own copy."""
NAMESPACE = "kube-system"
"""Namespace the controller runs in by default (Karpenter's recommendation since v0.33)."""
SERVICE_ACCOUNT = "karpenter"
"""The controller's ServiceAccount (created by this component, not by the chart)."""
FULLNAME = "karpenter"
"""``fullnameOverride``: the Deployment, Service and RBAC keep their usual names whatever the
component (and so the Helm release) is called."""
DEFAULT_AMI_ALIAS = "al2023@v20260520"
"""The EKS-optimized AL2023 AMI release the nodes boot by default. Karpenter's own end-to-end
suite resolves this release from SSM for current Kubernetes versions (aws/karpenter-provider-aws
``test/suites/ami/suite_test.go``, commit a58e3d0f, 2026-06-05). Moving it forward is a
reviewed change: Karpenter then replaces every node (drift). See ``docs/karpenter.md``."""
NODEPOOL_API_VERSION = "karpenter.sh/v1"
NODECLASS_GROUP = "karpenter.k8s.aws"
NODECLASS_API_VERSION = f"{NODECLASS_GROUP}/v1"
NODECLASS_KIND = "EC2NodeClass"
NODEPOOL_LABEL = "karpenter.sh/nodepool"
"""The label Karpenter puts on every node it launches (the controller avoids those nodes)."""
ROOT_DEVICE = "/dev/xvda"
"""The root device of AL2023 AMIs."""

ARCHITECTURES = ("amd64", "arm64")
CAPACITY_TYPES = ("spot", "on-demand")
"""Karpenter's spelling (``karpenter.sh/capacity-type``); ``reserved`` needs capacity
reservation selectors, which this component does not configure."""
INSTANCE_CATEGORIES = (
    "a", "c", "d", "dl", "f", "g", "gr", "h", "hpc", "i", "im", "inf", "is", "m", "mac", "p",
    "r", "t", "trn", "u", "vt", "x", "z",
)  # fmt: skip
"""Values of ``karpenter.k8s.aws/instance-category``: the letters before the generation in an
instance type's name (``c`` for ``c7g.large``, ``inf`` for ``inf2.xlarge``)."""
CONSOLIDATION_POLICIES = ("WhenEmptyOrUnderutilized", "WhenEmpty", "Balanced")
DISRUPTION_REASONS = ("Underutilized", "Empty", "Drifted")
TAINT_EFFECTS = {
    "NoSchedule": "NoSchedule",
    "NoExecute": "NoExecute",
    "PreferNoSchedule": "PreferNoSchedule",
    "NO_SCHEDULE": "NoSchedule",
    "NO_EXECUTE": "NoExecute",
    "PREFER_NO_SCHEDULE": "PreferNoSchedule",
}
"""Taint effects as the EKS API spells them (``node_group.Taint`` accepts both) -> Kubernetes."""
NODE_CNI_POLICY = "AmazonEKS_CNI_Policy"
NODE_SSM_POLICY = "AmazonSSMManagedInstanceCore"
"""Node role policies that arguments leave out (``node_cni_policy``, ``node_ssm_access``)."""


def _default_tolerations() -> list[dict[str, Any]]:
    return [{"key": "CriticalAddonsOnly", "operator": "Exists"}]


def _default_resources() -> dict[str, dict[str, str]]:
    return {"requests": {"cpu": "250m", "memory": "512Mi"}, "limits": {"memory": "1Gi"}}


@dataclass(kw_only=True)
class DisruptionBudgetSpec:
    """How many of a NodePool's nodes Karpenter may disrupt at once (``spec.disruption.budgets[]``)."""

    nodes: str
    """At most this many nodes at a time: a count (``"2"``) or a percentage of the pool
    (``"10%"``); ``"0"`` blocks disruption (for the ``schedule`` window, if one is given)."""
    reasons: list[str] = field(default_factory=list)
    """Which disruptions the budget limits: ``Underutilized``, ``Empty``, ``Drifted`` (empty:
    all of them)."""
    schedule: str | None = None
    """When the budget applies: a cron expression in UTC (``"0 9 * * mon-fri"``) or a macro
    (``@daily``); needs ``duration``. None: always."""
    duration: str | None = None
    """How long the budget applies from each ``schedule`` time, e.g. ``8h`` or ``1h30m``."""


@dataclass(kw_only=True)
class NodePoolSpec:
    """One ``NodePool``: which instances Karpenter may launch for it, how many, and when it may
    take them away again."""

    limits: dict[str, str | int]
    """The most the pool may hold, summed over its nodes: ``cpu`` and ``memory`` are required
    and positive (``{"cpu": "32", "memory": "128Gi"}``), so that a bug (a runaway Deployment, a
    pod that never fits) cannot launch unbounded capacity. Further resources (``nvidia.com/gpu``)
    may be limited too."""
    architectures: list[str] = field(default_factory=lambda: ["amd64"])
    """CPU architectures (``kubernetes.io/arch``): ``amd64``, ``arm64`` (Graviton, cheaper per
    vCPU; every image must be multi-arch), or both."""
    capacity_types: list[str] = field(default_factory=lambda: ["on-demand"])
    """``spot`` and/or ``on-demand`` (``karpenter.sh/capacity-type``). With both, Karpenter
    prefers Spot and falls back to on-demand when no Spot capacity fits."""
    instance_categories: list[str] = field(default_factory=lambda: ["c", "m", "r"])
    """Instance categories (``karpenter.k8s.aws/instance-category``): ``c`` (compute), ``m``
    (general), ``r`` (memory), ``t`` (burstable), ``g``/``p`` (GPU), ...; empty: any. The more
    Karpenter may choose from, the cheaper and the more available Spot capacity it finds."""
    min_generation: int | None = 5
    """Oldest instance generation allowed (``karpenter.k8s.aws/instance-generation`` greater
    than ``min_generation - 1``): 5 keeps to Nitro-based types. None: any generation."""
    weight: int | None = None
    """Priority among NodePools that fit a pod (1-100, higher first); None: no preference."""
    consolidation_policy: str = "WhenEmptyOrUnderutilized"
    """When Karpenter removes or replaces nodes to save cost: ``WhenEmptyOrUnderutilized``
    (empty nodes, and nodes whose pods fit elsewhere or on a cheaper node), ``Balanced`` (the
    same, only where the saving outweighs the disruption) or ``WhenEmpty`` (empty nodes only)."""
    consolidate_after: str = "1m"
    """How long a node must have had no pod scheduled or removed before it may be consolidated
    (``30s``, ``5m``, ``1h``), or ``Never``."""
    budgets: list[DisruptionBudgetSpec] = field(default_factory=list)
    """Disruption budgets (consolidation, drift, emptiness); the most restrictive active one
    wins. Empty: Karpenter's default, at most 10% of the pool's nodes at a time."""
    expire_after: str = "720h"
    """Replace every node after this long (``720h`` = 30 days), so nodes pick up new AMIs and
    do not live forever; or ``Never``."""
    termination_grace_period: str | None = None
    """The longest Karpenter waits for a node to drain (PodDisruptionBudgets, long grace
    periods) before it terminates it anyway, e.g. ``24h``. None: wait for as long as it takes,
    which can hold a node (and a ``pulumi destroy``) indefinitely."""
    taints: list[Taint] = field(default_factory=list)
    """Taints on every node of the pool (only pods that tolerate them run there)."""
    labels: dict[str, str] = field(default_factory=dict)
    """Labels on every node of the pool (pods select the pool with them); not in the
    ``kubernetes.io``, ``k8s.io``, ``karpenter.sh`` or ``karpenter.k8s.aws`` domains, which
    belong to Kubernetes and Karpenter (use the requirements above)."""


@dataclass(kw_only=True)
class NodeClassSpec:
    """The ``EC2NodeClass`` every NodePool of the component uses: how its instances boot."""

    name: str = "default"
    """Name of the EC2NodeClass (at most 63 characters: it becomes a label value)."""
    ami_alias: str = DEFAULT_AMI_ALIAS
    """The AMI, as a Karpenter alias: ``al2023@v<YYYYMMDD>`` pins an EKS-optimized AL2023
    release (the architecture is picked per instance); ``al2023@latest`` follows every new
    release, and Karpenter then replaces every node whenever AWS publishes one. Moving the pin
    forward also replaces the nodes (drift), as a reviewed change."""
    root_volume_size_gib: int = 50
    """Size of the encrypted gp3 root volume in GiB (20-16384): the OS, images and pod logs."""
    root_volume_kms_key_arn: str | None = None
    """KMS key that encrypts the root volumes; None: the account's default EBS key. Karpenter
    launches through EC2 Fleet, so a customer-managed key's policy must let the service-linked
    roles ``AWSServiceRoleForEC2Fleet`` (and ``AWSServiceRoleForEC2Spot``) use it, or instances
    terminate right after launch."""
    tags: dict[str, str] = field(default_factory=dict)
    """AWS tags on the instances, volumes, network interfaces and launch templates Karpenter
    creates (Karpenter adds its own ``karpenter.sh/*``, ``eks:eks-cluster-name`` and
    ``kubernetes.io/cluster/<name>`` tags, which may not be set here)."""


@dataclass(kw_only=True)
class KarpenterArgs(ControllerArgs):
    """Arguments of :class:`Karpenter`.

    Every field but ``cluster`` is a plain value, so a stack can read them from its
    configuration (``eks-platform:karpenter``). The fields every add-on shares
    (:class:`~components.addons.controller.ControllerArgs`) are repeated here with Karpenter's
    defaults and what they mean for it.
    """

    cluster: EksCluster | ClusterRef
    """The cluster Karpenter runs on and adds nodes to (an ``EksCluster``, or a ``ClusterRef``
    that knows the cluster security group)."""
    identity: IdentityMechanism = "pod-identity"
    """How the controller gets its AWS role: ``pod-identity`` (an EKS Pod Identity association;
    needs the ``eks-pod-identity-agent`` on the node the controller runs on) or ``irsa`` (a
    ServiceAccount annotation; the only choice when the controller runs on Fargate)."""
    role: RoleSettings = field(default_factory=RoleSettings)
    """The controller role's name, path, permissions boundary, session length and tags (the
    path and tags also go on the six controller policies)."""
    chart: ChartSpec = DEFAULT_CHART
    """The chart, pinned (an ``oci://`` repository); override to upgrade, in step with the
    vendored IAM policies."""
    node_pools: dict[str, NodePoolSpec] = field(default_factory=dict)
    """The NodePools by name (a DNS-1123 subdomain of at most 63 characters). Each must set
    CPU and memory ``limits``. Empty: the controller runs, but launches nothing until a
    NodePool exists."""
    node_class: NodeClassSpec = field(default_factory=NodeClassSpec)
    """The EC2NodeClass every NodePool uses (AMI alias, root volume, tags)."""
    node_role: RoleSettings = field(default_factory=RoleSettings)
    """The node role's name, path, permissions boundary and tags (the role the instances run
    as; its name goes into the EC2NodeClass)."""
    node_ssm_access: bool = False
    """Attach ``AmazonSSMManagedInstanceCore`` to the node role: a shell on nodes through
    Session Manager, with no SSH key or open port. Off by default (least privilege): turn it
    on where operators need to get onto nodes."""
    node_cni_policy: bool = True
    """Attach ``AmazonEKS_CNI_Policy`` to the node role. Set false when the ``vpc-cni`` add-on
    runs with a role of its own (IRSA or Pod Identity), so nodes do not hold ENI permissions."""
    namespace: str = NAMESPACE
    """Namespace of the controller (and its ServiceAccount). On Fargate, a namespace the
    cluster's Fargate profile selects (e.g. ``karpenter``)."""
    create_namespace: bool = False
    """Create ``namespace`` (not for ``kube-system``, nor for a namespace another component
    owns)."""
    replicas: int = 2
    """Controller pods; one leads, the others wait to take over. Two survive a node loss."""
    pod_disruption_budget: bool = True
    """Keep a controller pod running through voluntary disruptions (node drains, upgrades of
    the node group it runs on): the chart's PodDisruptionBudget allows one pod down at a time,
    so with two replicas one always runs. False lets a drain take all of them (``maxUnavailable``
    set to ``replicas``); the chart always renders the budget."""
    fargate: bool = False
    """The controller runs on Fargate: the cluster must have a Fargate profile that selects
    ``namespace`` (the profile is the cluster's, matched by namespace, not created here), and
    ``identity`` must be ``irsa``. Otherwise it runs on a managed node group (``node_selector``,
    ``tolerations``)."""
    node_selector: dict[str, str] = field(default_factory=dict)
    """Node labels the controller pods must run on, e.g. a system node group's label
    (``workload: system``). Whatever it says, an affinity keeps the controller off the nodes
    Karpenter launches (``karpenter.sh/nodepool`` DoesNotExist): it must never run on capacity
    it manages."""
    tolerations: list[dict[str, Any]] = field(default_factory=_default_tolerations)
    """Tolerations of the controller pods, as Kubernetes writes them (default: the chart's
    ``CriticalAddonsOnly`` Exists, so it runs on a system node group tainted for add-ons)."""
    resources: dict[str, dict[str, str]] = field(default_factory=_default_resources)
    """Requests and limits of the controller container (``controller.resources``); raise them
    for large clusters (upstream suggests 1 CPU and 1Gi). On Fargate the requests size the pod."""
    tags: dict[str, str] = field(default_factory=dict)
    """AWS tags on the interruption queue, the EventBridge rules and the node access entry."""
    cleanup_on_delete: bool = True
    """Before the controller is deleted, delete every NodePool and NodeClaim in the cluster (the
    teams' too), wait until the nodes are gone (at most the longest ``terminationGracePeriod``
    of ``node_pools`` plus 15 minutes, at least 30 minutes), delete the EC2NodeClasses and
    terminate any instance Karpenter launched for the cluster that is still running; fail,
    listing what is left, otherwise (see :mod:`components.addons.karpenter.cleanup`). False
    keeps the cleanup registered but disarmed: nothing runs. Needs the cluster's kubeconfig."""
    deletion_protection: bool = False
    """Protect the Helm releases (the controller and its CRDs; Pulumi ``protect``), as in prod:
    removing the controller, which would leave its nodes running unmanaged, then takes a
    deliberate ``pulumi state unprotect``."""
    values: dict[str, Any] = field(default_factory=dict)
    """Further chart values, deep-merged over the component's (e.g. ``logLevel``,
    ``settings.featureGates``). Values the component sets from an argument or from the cluster
    are refused here: use the argument."""
