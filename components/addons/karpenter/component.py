"""``Karpenter``: pending pods become EC2 nodes.

Karpenter watches for pods the scheduler cannot place, picks the cheapest EC2 instances that
fit them (within what a ``NodePool`` allows), launches them and lets them join the cluster;
when nodes are empty or underused it consolidates them away. The component owns everything
that takes, all children of it:

* the controller's IAM permissions: the six managed policies of Karpenter's v1.14
  getting-started CloudFormation template (vendored in :mod:`components.policies`), filled in
  with the partition, region, account, cluster, interruption queue and node role, attached to
  the controller's workload role (EKS Pod Identity by default, IRSA as the alternative) for
  the ServiceAccount ``<namespace>/karpenter``;
* the node role the instances run as (worker node, CNI unless the CNI has its own role, ECR
  pull, SSM optional) and its EKS access entry of type ``EC2_LINUX`` (no ``aws-auth``);
  Karpenter creates the instance profile itself from the EC2NodeClass;
* interruption handling: an SQS queue (SSE, 300 s retention, the upstream queue policy with
  its deny of non-TLS access) and the upstream EventBridge rules (Spot interruption warnings,
  rebalance recommendations, instance state changes, AWS Health scheduled changes, capacity
  reservation interruptions), each targeting the queue;
* discovery: the cluster security group tagged ``karpenter.sh/discovery: <cluster>`` (the
  private subnets carry the same tag when the :class:`~components.network.Network` is told
  ``karpenter_discovery``);
* the pinned Helm releases of the chart (``oci://public.ecr.aws/karpenter/karpenter``, the
  controller) and of ``karpenter-crd`` at the same version (the CRDs, so that a new pin
  upgrades them: Helm never upgrades a chart's ``crds/``);
* one ``EC2NodeClass`` (``karpenter.k8s.aws/v1``: AMI alias pinned, IMDSv2 with hop limit 1,
  encrypted gp3 root volume) and the ``NodePool`` objects (``karpenter.sh/v1``) the arguments
  describe, each with CPU and memory limits.

Destroy order is what keeps this safe: the NodePools and the EC2NodeClass depend on the
release, which depends on the node role, the queue, the access entry and the security group
tag. ``pulumi destroy`` deletes the NodePools first (their NodeClaims go with them, and
Karpenter drains and terminates their instances), then the EC2NodeClass, whose finalizer
waits until no NodeClaim uses it and then deletes the instance profile, then the controller,
and only then the AWS resources the nodes needed. See ``docs/karpenter.md``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from ... import aws_context, naming
from ... import validation as v
from ...cluster.eks_cluster import EksCluster
from ...cluster.node_group import Taint
from ...identity import iam
from ...identity.cluster_ref import ClusterRef, as_cluster_ref
from ...identity.iam import RoleSettings
from ...identity.irsa import IrsaRole
from ...identity.pod_identity import PodIdentityRole
from ...identity.workload_identity import IdentityMechanism, WorkloadRoleArgs, validate_mechanism
from ...identity.workload_role import create_workload_role
from ...network import KARPENTER_DISCOVERY_TAG
from ...policies import (
    KARPENTER_CONTROLLER_POLICIES_FILE,
    KARPENTER_EVENT_RULES_FILE,
    KARPENTER_POLICY_VERSION,
    KARPENTER_QUEUE_POLICY_FILE,
    karpenter_controller_policies,
    karpenter_event_rules,
    karpenter_node_role,
    karpenter_queue_policy,
    karpenter_queue_properties,
    load_policy,
)
from .. import helm
from ..helm import ChartSpec, deep_merge

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
QUEUE_NAME_MAX = 80
EVENT_RULE_NAME_MAX = 64

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
_AMI_ALIAS = re.compile(r"^al2023@(latest|v\d{8})$")
_DURATION = re.compile(r"^([0-9]+(s|m|h))+$")
_BUDGET_DURATION = re.compile(r"^((([0-9]+(h|m))|([0-9]+h[0-9]+m))(0s)?)$")
_BUDGET_NODES = re.compile(r"^((100|[0-9]{1,2})%|[0-9]+)$")
_CRON = re.compile(
    r"^(@(annually|yearly|monthly|weekly|daily|midnight|hourly)|\S+\s+\S+\s+\S+\s+\S+\s+\S+)$"
)
_RESTRICTED_LABEL_DOMAINS = ("kubernetes.io", "k8s.io", "karpenter.sh", "karpenter.k8s.aws")
_ALLOWED_LABEL_DOMAINS = ("node-restriction.kubernetes.io",)
_RESERVED_NODE_TAGS = (
    "eks:eks-cluster-name",
    "karpenter.sh/nodepool",
    "karpenter.sh/nodeclaim",
    "karpenter.k8s.aws/ec2nodeclass",
)
# Taint effects as the EKS API spells them (node_group.Taint accepts both) -> Kubernetes.
_TAINT_EFFECTS = {
    "NoSchedule": "NoSchedule",
    "NoExecute": "NoExecute",
    "PreferNoSchedule": "PreferNoSchedule",
    "NO_SCHEDULE": "NoSchedule",
    "NO_EXECUTE": "NoExecute",
    "PREFER_NO_SCHEDULE": "PreferNoSchedule",
}
NODE_CNI_POLICY = "AmazonEKS_CNI_Policy"
NODE_SSM_POLICY = "AmazonSSMManagedInstanceCore"

# Chart values the component sets itself; callers use the argument named here instead, so
# that there is one way to set each and `values` cannot silently undo the component.
_MANAGED_VALUES: dict[tuple[str, ...], str] = {
    ("settings", "clusterName"): "the cluster (cluster.name)",
    ("settings", "interruptionQueue"): "the component (it creates the interruption queue)",
    ("fullnameOverride",): "the component",
    ("serviceAccount", "create"): "the component (it creates the ServiceAccount)",
    ("serviceAccount", "name"): "the component (it creates the ServiceAccount)",
    ("serviceAccount", "annotations"): "the component (it creates the ServiceAccount)",
    ("replicas",): "the argument replicas",
    ("podDisruptionBudget", "maxUnavailable"): "the argument pod_disruption_budget",
    ("controller", "resources"): "the argument resources",
    ("tolerations",): "the argument tolerations",
    ("nodeSelector",): "the argument node_selector",
    ("affinity", "nodeAffinity"): (
        "the component (it keeps the controller off the nodes Karpenter launches)"
    ),
}


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
class KarpenterArgs:
    """Arguments of :class:`Karpenter`.

    Every field but ``cluster`` is a plain value, so a stack can read them from its
    configuration (``eks-platform:karpenter``).
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
    deletion_protection: bool = False
    """Protect the Helm releases (the controller and its CRDs; Pulumi ``protect``), as in prod:
    removing the controller, which would leave its nodes running unmanaged, then takes a
    deliberate ``pulumi state unprotect``."""
    values: dict[str, Any] = field(default_factory=dict)
    """Further chart values, deep-merged over the component's (e.g. ``logLevel``,
    ``settings.featureGates``). Values the component sets from an argument or from the cluster
    are refused here: use the argument."""


class Karpenter(pulumi.ComponentResource):
    """Karpenter: controller role and policies, node role, interruption queue, Helm release, NodePools.

    Creates, as children: the six controller IAM policies of the upstream v1.14 template and
    the controller's workload role with the ServiceAccount ``<namespace>/karpenter`` (Pod
    Identity or IRSA); the node role and its ``EC2_LINUX`` access entry; the interruption SQS
    queue, its policy and the EventBridge rules with their targets; the
    ``karpenter.sh/discovery`` tag on the cluster security group; the pinned Helm releases of
    the CRDs (``karpenter-crd``) and of the controller; one ``EC2NodeClass`` and the
    ``NodePool`` objects of ``node_pools``.

    Args: :class:`KarpenterArgs`. The custom resources depend on the release, the release on
    every AWS resource the nodes need, so ``pulumi destroy`` removes Karpenter's nodes while
    the controller still runs. Outputs: ``role_arn``, ``node_role_arn``, ``node_role_name``,
    ``queue_name``, ``queue_arn``, ``release_name``, ``release_status``, ``node_class_name``,
    ``node_pool_names``.
    """

    cluster: ClusterRef
    """The cluster Karpenter runs on."""
    namespace: str
    """Namespace of the controller."""
    workload_role: IrsaRole | PodIdentityRole
    """The controller's role and ServiceAccount."""
    role_arn: pulumi.Output[str]
    """ARN of the controller's IAM role."""
    policies: dict[str, aws.iam.Policy]
    """The controller's IAM policies, by upstream logical id (``NodeLifecyclePolicy`` ...)."""
    node_role: aws.iam.Role
    """The role Karpenter's instances run as."""
    node_role_arn: pulumi.Output[str]
    """ARN of the node role."""
    node_role_name: pulumi.Output[str]
    """Name of the node role (the EC2NodeClass's ``spec.role``)."""
    access_entry: aws.eks.AccessEntry
    """The node role's access entry (``EC2_LINUX``): lets the instances join the cluster."""
    queue: aws.sqs.Queue
    """The interruption queue."""
    queue_name: pulumi.Output[str]
    """Name of the interruption queue (``settings.interruptionQueue``)."""
    queue_arn: pulumi.Output[str]
    """ARN of the interruption queue."""
    queue_policy: aws.sqs.QueuePolicy
    """The queue's policy: EventBridge and SQS may send; nothing without TLS."""
    event_rules: dict[str, aws.cloudwatch.EventRule]
    """The EventBridge rules, by upstream logical id (``SpotInterruptionRule`` ...)."""
    event_targets: dict[str, aws.cloudwatch.EventTarget]
    """Each rule's target (the queue), by upstream logical id."""
    security_group_tag: aws.ec2.Tag
    """``karpenter.sh/discovery: <cluster>`` on the cluster security group."""
    crds_release: k8s.helm.v3.Release
    """The Helm release of the CRDs (chart ``karpenter-crd``, same version)."""
    release: k8s.helm.v3.Release
    """The Helm release of the controller (its chart's own CRDs skipped)."""
    release_name: pulumi.Output[str]
    """Name of the Helm release: the component name (see :func:`components.addons.helm.release_name`)."""
    release_status: pulumi.Output[str]
    """Status of the Helm release (``deployed`` once the controller runs)."""
    node_class: k8s.apiextensions.CustomResource
    """The EC2NodeClass."""
    node_class_name: str
    """Name of the EC2NodeClass."""
    node_pools: dict[str, k8s.apiextensions.CustomResource]
    """The NodePools by name."""
    node_pool_names: list[str]
    """Names of the NodePools."""

    def __init__(
        self, name: str, args: KarpenterArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        """Install Karpenter and its NodePools; see :class:`Karpenter`."""
        owner = f"Karpenter {name!r}"
        with v.component_errors("Karpenter", name):
            cluster = validate_args(args)
            with v.nested("node_role"):
                node_settings = iam.validate_role_settings(args.node_role, owner)
            node_role_name = iam.resolve_role_name(
                f"{name}-node", args.node_role, owner, self, "node_role"
            )
            policy_names = {
                key: naming.stack_unique(f"{name}-{_slug(key)}", naming.IAM_POLICY_NAME_MAX)
                for key in CONTROLLER_POLICY_KEYS
            }
            for policy_name in policy_names.values():
                naming.claim("policy", policy_name, owner, self, "role")
        super().__init__("eks-platform:index:Karpenter", name, None, opts)
        self.cluster = cluster
        self.namespace = args.namespace
        child = pulumi.ResourceOptions(parent=self)
        partition, region, account = (
            aws_context.partition(),
            aws_context.region(),
            aws_context.account_id(),
        )

        # The nodes' role: what the instances run as, and how they join the cluster.
        self.node_role = iam.create_role(
            f"{name}-node",
            role_name=node_role_name,
            trust_policy=partition.apply(
                lambda p: json.dumps(karpenter_node_role(partition=p)["AssumeRolePolicyDocument"])
            ),
            settings=node_settings,
            parent=self,
            managed_policy_arns=iam.managed(*node_policy_names(args)),
        )
        self.node_role_arn = self.node_role.arn
        self.node_role_name = self.node_role.name
        self.access_entry = aws.eks.AccessEntry(
            f"{name}-node",
            cluster_name=cluster.name,
            principal_arn=self.node_role.arn,
            type="EC2_LINUX",
            tags=args.tags,
            opts=child,
        )

        # Interruption handling: EventBridge -> SQS -> the controller.
        self.queue = aws.sqs.Queue(
            f"{name}-interruption",
            name=pulumi.Output.from_input(cluster.name).apply(queue_name),
            message_retention_seconds=QUEUE_PROPERTIES["MessageRetentionPeriod"],
            sqs_managed_sse_enabled=QUEUE_PROPERTIES["SqsManagedSseEnabled"],
            tags=args.tags,
            opts=child,
        )
        self.queue_name = self.queue.name
        # Built from the name (an SQS ARN is arn:<partition>:sqs:<region>:<account>:<name>).
        self.queue_arn = pulumi.Output.all(partition, region, account, self.queue.name).apply(
            lambda a: f"arn:{a[0]}:sqs:{a[1]}:{a[2]}:{a[3]}"
        )
        self.queue_policy = aws.sqs.QueuePolicy(
            f"{name}-interruption",
            queue_url=self.queue.url,
            policy=self.queue_arn.apply(
                lambda arn: json.dumps(karpenter_queue_policy(queue_arn=arn))
            ),
            opts=child,
        )
        self.event_rules = {}
        self.event_targets = {}
        for key, pattern in karpenter_event_rules().items():
            slug = _slug(key)
            rule = aws.cloudwatch.EventRule(
                f"{name}-{slug}",
                name=event_rule_name(name, key),
                description=f"Karpenter interruption handling ({key}) for {name}",
                event_pattern=json.dumps(pattern),
                tags=args.tags,
                opts=child,
            )
            self.event_rules[key] = rule
            self.event_targets[key] = aws.cloudwatch.EventTarget(
                f"{name}-{slug}",
                rule=rule.name,
                arn=self.queue_arn,
                target_id=EVENT_TARGET_ID,
                opts=child,
            )

        # Discovery: the EC2NodeClass selects the security group (and subnets) by tag.
        self.security_group_tag = aws.ec2.Tag(
            f"{name}-discovery",
            resource_id=_security_group_id(cluster, owner),
            key=KARPENTER_DISCOVERY_TAG,
            value=cluster.name,
            opts=child,
        )

        # The controller's permissions: the vendored upstream documents, filled in.
        documents = pulumi.Output.all(
            partition, region, account, cluster.name, self.queue_arn, self.node_role.arn
        ).apply(
            lambda a: karpenter_controller_policies(
                partition=a[0],
                region=a[1],
                account_id=a[2],
                cluster_name=a[3],
                queue_arn=a[4],
                node_role_arn=a[5],
            )
        )
        self.policies = {
            key: aws.iam.Policy(
                f"{name}-{_slug(key)}",
                name=policy_names[key],
                path=args.role.path,
                description=(
                    f"Karpenter {KARPENTER_POLICY_VERSION} controller: {key} (upstream "
                    "getting-started CloudFormation template)"
                ),
                policy=_document(documents, key),
                tags=args.role.tags,
                opts=child,
            )
            for key in CONTROLLER_POLICY_KEYS
        }
        self.workload_role = create_workload_role(
            name,
            args.identity,
            WorkloadRoleArgs(
                cluster=cluster,
                namespace=args.namespace,
                service_account=SERVICE_ACCOUNT,
                managed_policy_arns={_slug(k): p.arn for k, p in self.policies.items()},
                role=args.role,
                create_namespace=args.create_namespace,
            ),
            parent=self,
        )
        self.role_arn = self.workload_role.role_arn

        # The controller: after everything it and its nodes need; removed before any of it.
        plain = chart_values(args)
        values: dict[str, Any] = {
            **plain,
            "settings": {
                **plain.get("settings", {}),
                "clusterName": cluster.name,
                "interruptionQueue": self.queue.name,
            },
        }
        needs: list[pulumi.Resource] = [
            *cluster.workload_dependencies,
            self.workload_role,
            self.node_role,
            *iam.children_of(self.node_role),
            self.access_entry,
            self.queue,
            self.queue_policy,
            *self.event_rules.values(),
            *self.event_targets.values(),
            self.security_group_tag,
        ]
        # The CRDs first, from their own chart, so that a new pin upgrades them (after the
        # namespace, when the workload role creates it: Helm keeps the release there).
        self.crds_release = helm.release(
            helm.release_name(f"{name}-crd"),
            crd_chart(args.chart),
            args.namespace,
            {},
            opts=pulumi.ResourceOptions(
                parent=self,
                provider=cluster.provider,
                depends_on=[self.workload_role],
                protect=args.deletion_protection,
            ),
        )
        self.release = helm.release(
            helm.release_name(name),
            args.chart,
            args.namespace,
            values,
            opts=pulumi.ResourceOptions(
                parent=self,
                provider=cluster.provider,
                depends_on=[*needs, self.crds_release],
                protect=args.deletion_protection,
            ),
            skip_crds=True,
        )
        self.release_name = self.release.name.apply(lambda n: n or "")
        self.release_status = self.release.status.apply(lambda s: (s.status or "") if s else "")

        # The custom resources wait for the controller. On destroy the NodePools go first, then
        # the node class, whose finalizer holds until Karpenter has terminated every node that
        # used it; only then the controller.
        after_release = pulumi.ResourceOptions(
            parent=self, provider=cluster.provider, depends_on=[self.release]
        )
        self.node_class_name = args.node_class.name
        self.node_class = k8s.apiextensions.CustomResource(
            f"{name}-node-class",
            api_version=NODECLASS_API_VERSION,
            kind=NODECLASS_KIND,
            metadata=k8s.meta.v1.ObjectMetaArgs(name=args.node_class.name, labels=_labels()),
            spec=node_class_spec(args.node_class, self.node_role.name, cluster.name),
            opts=pulumi.ResourceOptions.merge(
                after_release,
                pulumi.ResourceOptions(custom_timeouts=pulumi.CustomTimeouts(delete="30m")),
            ),
        )
        self.node_pools = {
            pool_name: k8s.apiextensions.CustomResource(
                f"{name}-pool-{pool_name}",
                api_version=NODEPOOL_API_VERSION,
                kind="NodePool",
                metadata=k8s.meta.v1.ObjectMetaArgs(name=pool_name, labels=_labels()),
                spec=node_pool_spec(spec, args.node_class.name),
                opts=pulumi.ResourceOptions.merge(
                    after_release, pulumi.ResourceOptions(depends_on=[self.node_class])
                ),
            )
            for pool_name, spec in args.node_pools.items()
        }
        self.node_pool_names = list(args.node_pools)
        self.register_outputs(
            {
                "roleArn": self.role_arn,
                "nodeRoleArn": self.node_role_arn,
                "nodeRoleName": self.node_role_name,
                "queueName": self.queue_name,
                "queueArn": self.queue_arn,
                "releaseName": self.release_name,
                "releaseStatus": self.release_status,
                "nodeClassName": self.node_class_name,
                "nodePoolNames": self.node_pool_names,
            }
        )


# -- vendored data, as the component uses it -----------------------------------------------------

CONTROLLER_POLICY_KEYS: tuple[str, ...] = tuple(
    load_policy(KARPENTER_CONTROLLER_POLICIES_FILE)["policies"]
)
"""Upstream logical ids of the controller's managed policies, in template order."""
QUEUE_PROPERTIES: dict[str, Any] = load_policy(KARPENTER_QUEUE_POLICY_FILE)["queue"]
"""The queue's upstream properties (``QueueName`` is a placeholder, see :func:`queue_name`)."""
EVENT_TARGET_ID: str = load_policy(KARPENTER_EVENT_RULES_FILE)["targets"][0]["Id"]
"""Upstream's id of every rule's target (the queue)."""


def _document(documents: pulumi.Output[dict[str, Any]], key: str) -> pulumi.Output[str]:
    """One policy of the filled-in set, as JSON."""
    return documents.apply(lambda d: json.dumps(d[key]))


def _slug(logical_id: str) -> str:
    """``IAMIntegrationPolicy`` -> ``iam-integration``, ``SpotInterruptionRule`` -> ``spot-interruption``."""
    stem = re.sub(r"(Policy|Rule)$", "", logical_id)
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "-", stem).lower()


def queue_name(cluster_name: str) -> str:
    """The interruption queue's name: upstream's (the cluster name), within SQS's 80 characters."""
    return naming.shorten(
        karpenter_queue_properties(cluster_name=cluster_name)["QueueName"], QUEUE_NAME_MAX
    )


def event_rule_name(name: str, logical_id: str) -> str:
    """An EventBridge rule name for the component ``name``: unique per stack, at most 64 of
    ``[A-Za-z0-9._-]``."""
    base = re.sub(r"[^A-Za-z0-9._-]+", "-", f"{name}-{_slug(logical_id)}")
    return naming.stack_unique(base, EVENT_RULE_NAME_MAX)


def node_policy_names(args: KarpenterArgs) -> list[str]:
    """The AWS-managed policies of the node role: upstream's, less CNI and SSM when not wanted."""
    arns = karpenter_node_role(partition="aws")["ManagedPolicyArns"]
    names = [arn.rsplit("/", 1)[-1] for arn in arns]
    return [
        n
        for n in names
        if (n != NODE_CNI_POLICY or args.node_cni_policy)
        and (n != NODE_SSM_POLICY or args.node_ssm_access)
    ]


# -- Kubernetes objects ----------------------------------------------------------------------------


def _labels() -> dict[str, str]:
    return {"app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": FULLNAME}


def controller_affinity() -> dict[str, Any]:
    """The controller's affinity: never on a node Karpenter launched; one pod per node."""
    return {
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [
                    {"matchExpressions": [{"key": NODEPOOL_LABEL, "operator": "DoesNotExist"}]}
                ]
            }
        },
        "podAntiAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": [
                {"topologyKey": "kubernetes.io/hostname"}
            ]
        },
    }


def chart_values(args: KarpenterArgs) -> dict[str, Any]:
    """The chart's values but the cluster facts (``settings.clusterName``,
    ``settings.interruptionQueue``), with ``args.values`` merged last."""
    values: dict[str, Any] = {
        "fullnameOverride": FULLNAME,
        "serviceAccount": {"create": False, "name": SERVICE_ACCOUNT},
        "replicas": args.replicas,
        "podDisruptionBudget": {
            "maxUnavailable": 1 if args.pod_disruption_budget else args.replicas
        },
        "controller": {"resources": {k: dict(r) for k, r in args.resources.items()}},
        "nodeSelector": {"kubernetes.io/os": "linux", **args.node_selector},
        "tolerations": [dict(t) for t in args.tolerations],
        "affinity": controller_affinity(),
    }
    return deep_merge(values, args.values)


def node_class_spec(
    spec: NodeClassSpec, role_name: pulumi.Input[str], cluster_name: pulumi.Input[str]
) -> dict[str, Any]:
    """``spec`` of the EC2NodeClass: the role, the AMI alias, discovery by tag, IMDSv2 with hop
    limit 1 (pods cannot reach the node role's credentials), an encrypted gp3 root volume."""
    ebs: dict[str, Any] = {
        "volumeSize": f"{spec.root_volume_size_gib}Gi",
        "volumeType": "gp3",
        "encrypted": True,
        "deleteOnTermination": True,
    }
    if spec.root_volume_kms_key_arn:
        ebs["kmsKeyID"] = spec.root_volume_kms_key_arn
    discovery = [{"tags": {KARPENTER_DISCOVERY_TAG: cluster_name}}]
    result: dict[str, Any] = {
        "role": role_name,
        "amiSelectorTerms": [{"alias": spec.ami_alias}],
        "subnetSelectorTerms": discovery,
        "securityGroupSelectorTerms": discovery,
        "metadataOptions": {
            "httpEndpoint": "enabled",
            "httpProtocolIPv6": "disabled",
            "httpPutResponseHopLimit": 1,
            "httpTokens": "required",
        },
        "blockDeviceMappings": [{"deviceName": ROOT_DEVICE, "rootVolume": True, "ebs": ebs}],
    }
    if spec.tags:
        result["tags"] = dict(spec.tags)
    return result


def node_pool_spec(spec: NodePoolSpec, node_class_name: str) -> dict[str, Any]:
    """``spec`` of a NodePool: its requirements, limits, disruption and node template."""
    requirements: list[dict[str, Any]] = [
        {"key": "kubernetes.io/arch", "operator": "In", "values": list(spec.architectures)},
        {"key": "kubernetes.io/os", "operator": "In", "values": ["linux"]},
        {
            "key": "karpenter.sh/capacity-type",
            "operator": "In",
            "values": list(spec.capacity_types),
        },
    ]
    if spec.instance_categories:
        requirements.append(
            {
                "key": "karpenter.k8s.aws/instance-category",
                "operator": "In",
                "values": list(spec.instance_categories),
            }
        )
    if spec.min_generation is not None:
        requirements.append(
            {
                "key": "karpenter.k8s.aws/instance-generation",
                "operator": "Gt",
                "values": [str(spec.min_generation - 1)],
            }
        )
    node: dict[str, Any] = {
        "nodeClassRef": {"group": NODECLASS_GROUP, "kind": NODECLASS_KIND, "name": node_class_name},
        "requirements": requirements,
        "expireAfter": spec.expire_after,
    }
    if spec.termination_grace_period is not None:
        node["terminationGracePeriod"] = spec.termination_grace_period
    if spec.taints:
        node["taints"] = [
            {
                "key": t.key,
                **({"value": t.value} if t.value else {}),
                "effect": _TAINT_EFFECTS[t.effect],
            }
            for t in spec.taints
        ]
    template: dict[str, Any] = {"spec": node}
    if spec.labels:
        template["metadata"] = {"labels": dict(spec.labels)}
    budgets = []  # none given: the CRD's default (10% of the nodes) applies
    for budget in spec.budgets:
        entry: dict[str, Any] = {"nodes": budget.nodes}
        if budget.reasons:
            entry["reasons"] = list(budget.reasons)
        if budget.schedule is not None:
            entry["schedule"] = budget.schedule
        if budget.duration is not None:
            entry["duration"] = budget.duration
        budgets.append(entry)
    result: dict[str, Any] = {
        "template": template,
        "limits": {key: str(value) for key, value in spec.limits.items()},
        "disruption": {
            "consolidationPolicy": spec.consolidation_policy,
            "consolidateAfter": spec.consolidate_after,
            **({"budgets": budgets} if budgets else {}),
        },
    }
    if spec.weight is not None:
        result["weight"] = spec.weight
    return result


def crd_chart(chart: ChartSpec) -> ChartSpec:
    """The ``karpenter-crd`` chart at the controller chart's version, from the same repository."""
    return ChartSpec(chart=CRD_CHART, repository=chart.repository, version=chart.version)


def _security_group_id(cluster: ClusterRef, owner: str) -> pulumi.Input[str]:
    """The cluster security group's id; an Output that turns out None fails naming the cluster."""
    sg = cluster.cluster_security_group_id
    assert sg is not None  # validate_args refused it

    def known(value: Any) -> str:
        if not value:
            raise v.InvalidArgument(
                "cluster",
                "the cluster's security group id is empty (a stack of this project exports "
                "clusterSecurityGroupId; for another cluster use ClusterRef.existing)",
                owner,
            )
        return str(value)

    return pulumi.Output.from_input(sg).apply(known)


# -- validation ------------------------------------------------------------------------------------


def validate_settings(args: KarpenterArgs) -> None:
    """Check the plain (configurable) fields; raises InvalidArgument naming the field.

    A stack can run this on its configuration before the cluster exists.
    """
    validate_mechanism(args.identity)
    helm.validate_chart(args.chart)
    v.dns_label(args.namespace, "namespace", "namespace")
    v.require(
        not (args.create_namespace and args.namespace == NAMESPACE),
        "create_namespace",
        f"{NAMESPACE} always exists; create_namespace is for a namespace of Karpenter's own",
    )
    v.positive_int(args.replicas, "replicas", minimum=1, maximum=10)
    for flag in (
        "deletion_protection",
        "create_namespace",
        "pod_disruption_budget",
        "fargate",
        "node_ssm_access",
        "node_cni_policy",
    ):
        v.require(isinstance(getattr(args, flag), bool), flag, "must be true or false")
    if args.fargate:
        v.require(
            args.identity == "irsa",
            "identity",
            "the controller runs on Fargate (fargate: true), where the Pod Identity agent does "
            "not run; use 'irsa'",
        )
    v.tolerations(args.tolerations, "tolerations")
    v.labels(args.node_selector, "node_selector")
    v.resource_requirements(args.resources, "resources")
    with v.nested("role"):
        iam.validate_role_settings(args.role)
    with v.nested("node_role"):
        iam.validate_role_settings(args.node_role)
    v.aws_tags(args.tags, "tags")
    with v.nested("node_class"):
        validate_node_class(args.node_class)
    for pool_name, spec in args.node_pools.items():
        where = f"node_pools[{pool_name!r}]"
        v.require(
            isinstance(pool_name, str) and len(pool_name) <= 63,
            where,
            "a NodePool name is at most 63 characters (it becomes the karpenter.sh/nodepool label)",
        )
        v.dns_subdomain(pool_name, where, "NodePool name")
        with v.nested(where):
            validate_node_pool(spec)
    helm.validate_values(args.values, _MANAGED_VALUES, "values")


def validate_args(args: KarpenterArgs) -> ClusterRef:
    """Check KarpenterArgs; raises InvalidArgument naming the field."""
    v.check_fields(args, KarpenterArgs)
    cluster = as_cluster_ref(args.cluster)
    validate_settings(args)
    v.require(
        cluster.cluster_security_group_id is not None,
        "cluster",
        "the cluster's security group is not known, and Karpenter's nodes need it (an EksCluster "
        "and ClusterRef.existing know it; ClusterRef.from_stack reads clusterSecurityGroupId)",
    )
    if args.fargate:
        v.require(
            cluster.uses_fargate,
            "fargate",
            "the cluster runs no Fargate pods; give it a Fargate profile that selects "
            f"{args.namespace!r}, or run the controller on a managed node group",
        )
    return cluster


def validate_node_class(spec: NodeClassSpec) -> None:
    """The EC2NodeClass's fields; errors name the field."""
    name = spec.name
    v.dns_subdomain(name, "name", "EC2NodeClass name")
    v.require(len(name) <= 63, "name", "an EC2NodeClass name is at most 63 characters")
    v.require(
        isinstance(spec.ami_alias, str) and bool(_AMI_ALIAS.match(spec.ami_alias)),
        "ami_alias",
        f"{spec.ami_alias!r} is not an AL2023 AMI alias: al2023@v<YYYYMMDD> pins an EKS AMI "
        f"release (e.g. {DEFAULT_AMI_ALIAS}), al2023@latest follows every release",
    )
    v.positive_int(spec.root_volume_size_gib, "root_volume_size_gib", minimum=20, maximum=16384)
    if spec.root_volume_kms_key_arn is not None:
        v.kms_key_arn(spec.root_volume_kms_key_arn, "root_volume_kms_key_arn")
    v.aws_tags(spec.tags, "tags")
    for key in spec.tags:
        v.require(
            key not in _RESERVED_NODE_TAGS and not key.startswith("kubernetes.io/cluster"),
            f"tags.{key}",
            "Karpenter sets this tag itself",
        )


def validate_node_pool(spec: NodePoolSpec) -> None:
    """A NodePool's fields; errors name the field (prefix them with :func:`v.nested`)."""
    _subset(spec.architectures, ARCHITECTURES, "architectures", allow_empty=False)
    for i, capacity in enumerate(spec.capacity_types):
        v.require(
            capacity in CAPACITY_TYPES,
            f"capacity_types[{i}]",
            f"{capacity!r} is not one of {', '.join(CAPACITY_TYPES)} (Karpenter's spelling; "
            "managed node groups write SPOT and ON_DEMAND)",
        )
    _subset(spec.capacity_types, CAPACITY_TYPES, "capacity_types", allow_empty=False)
    _subset(spec.instance_categories, INSTANCE_CATEGORIES, "instance_categories", allow_empty=True)
    if spec.min_generation is not None:
        v.positive_int(spec.min_generation, "min_generation", minimum=1, maximum=20)
    if spec.weight is not None:
        v.positive_int(spec.weight, "weight", minimum=1, maximum=100)
    _validate_limits(spec.limits, "limits")
    v.one_of(spec.consolidation_policy, CONSOLIDATION_POLICIES, "consolidation_policy")
    _duration(spec.consolidate_after, "consolidate_after", never=True)
    _duration(spec.expire_after, "expire_after", never=True, zero=False)
    if spec.termination_grace_period is not None:
        _duration(spec.termination_grace_period, "termination_grace_period", never=False)
    v.require(len(spec.budgets) <= 50, "budgets", "at most 50 disruption budgets")
    for i, budget in enumerate(spec.budgets):
        with v.nested(f"budgets[{i}]"):
            _validate_budget(budget)
    for i, taint in enumerate(spec.taints):
        where = f"taints[{i}]"
        v.label_key(taint.key, f"{where}.key")
        if taint.value:
            v.label_value(taint.value, f"{where}.value")
        v.one_of(taint.effect, _TAINT_EFFECTS, f"{where}.effect")
    v.labels(spec.labels, "labels")
    for key in spec.labels:
        domain = key.split("/", 1)[0] if "/" in key else ""
        restricted = any(
            domain == d or domain.endswith(f".{d}") for d in _RESTRICTED_LABEL_DOMAINS
        ) and not any(domain == d or domain.endswith(f".{d}") for d in _ALLOWED_LABEL_DOMAINS)
        v.require(
            not restricted,
            f"labels.{key}",
            f"the {domain} domain belongs to Kubernetes or Karpenter, which set these labels "
            "themselves (select instances with the requirements; node-restriction.kubernetes.io/ "
            "is allowed)",
        )


def _subset(values: Any, allowed: tuple[str, ...], field_name: str, allow_empty: bool) -> None:
    v.require(
        allow_empty or len(values) > 0, field_name, f"give at least one of {', '.join(allowed)}"
    )
    for i, value in enumerate(values):
        v.one_of(value, allowed, f"{field_name}[{i}]")
    v.unique(values, field_name)


def _duration(value: Any, field_name: str, never: bool, zero: bool = True) -> None:
    """A Karpenter duration: ``30s``, ``5m``, ``720h``, ``1h30m`` (and ``Never`` where allowed)."""
    if never and value == "Never":
        return
    ok = isinstance(value, str) and bool(_DURATION.match(value))
    v.require(
        ok,
        field_name,
        f"{value!r} is not a duration such as 30s, 5m, 720h or 1h30m"
        + (" (or Never)" if never else ""),
    )
    if not zero:
        v.require(
            any(int(n) > 0 for n in re.findall(r"[0-9]+", value)),
            field_name,
            f"{value!r} is zero: every node would be replaced at once; use Never to keep nodes",
        )


def _validate_budget(budget: DisruptionBudgetSpec) -> None:
    v.require(
        isinstance(budget.nodes, str) and bool(_BUDGET_NODES.match(budget.nodes)),
        "nodes",
        f'{budget.nodes!r} is not a node count (e.g. "2") or a percentage (e.g. "10%")',
    )
    for i, reason in enumerate(budget.reasons):
        v.one_of(reason, DISRUPTION_REASONS, f"reasons[{i}]")
    v.require(
        (budget.schedule is None) == (budget.duration is None),
        "schedule",
        "schedule and duration go together (a window starts at schedule and lasts duration)",
    )
    if budget.schedule is not None:
        v.require(
            bool(_CRON.match(budget.schedule)),
            "schedule",
            f"{budget.schedule!r} is not a cron expression (5 fields, e.g. '0 9 * * mon-fri') "
            "or a macro such as @daily",
        )
    if budget.duration is not None:
        v.require(
            bool(_BUDGET_DURATION.match(budget.duration)),
            "duration",
            f"{budget.duration!r} is not a budget duration in hours and minutes (e.g. 8h, 30m, 1h30m)",
        )


def _validate_limits(limits: Any, field_name: str) -> None:
    missing = [key for key in ("cpu", "memory") if key not in limits]
    v.require(
        not missing,
        field_name,
        f"must set {' and '.join(missing)}: without limits a bug (a runaway Deployment, a pod "
        'that never fits) can launch unbounded capacity (e.g. {cpu: "32", memory: 128Gi})',
    )
    for key, value in limits.items():
        v.label_key(key, f"{field_name}.{key}")
        v.positive_quantity(value, f"{field_name}.{key}", "32, 500m, 128Gi")
