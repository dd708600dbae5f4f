"""Karpenter's own rules, beside its arguments.

:func:`validate_settings` is the one check of the plain (configurable) fields: the component
runs it before it registers anything, and a stack runs it on its configuration before the
cluster exists (``stacks/config.py``). :func:`validate_cluster` adds what needs the cluster.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ... import validation as v
from ...identity import iam
from ..controller import validate_shared
from .args import (
    ARCHITECTURES,
    CAPACITY_TYPES,
    CONSOLIDATION_POLICIES,
    DEFAULT_AMI_ALIAS,
    DISRUPTION_REASONS,
    INSTANCE_CATEGORIES,
    NAMESPACE,
    TAINT_EFFECTS,
    DisruptionBudgetSpec,
    KarpenterArgs,
    NodeClassSpec,
    NodePoolSpec,
)
from .chart import MANAGED_VALUES

if TYPE_CHECKING:
    from ...identity.cluster_ref import ClusterRef

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


def validate_settings(args: KarpenterArgs) -> None:
    """Check the plain (configurable) fields; raises InvalidArgument naming the field.

    The shared rules (:func:`~components.addons.controller.validate_shared`: identity, chart,
    protection, role, placement, resources, values that may not override
    :data:`~.chart.MANAGED_VALUES`), then Karpenter's own. A stack runs this on its configuration before the cluster exists.
    """
    # Before the shared rule (at least 1), so that the error gives the whole range.
    v.positive_int(args.replicas, "replicas", minimum=1, maximum=10)
    validate_shared(args, MANAGED_VALUES)
    v.dns_label(args.namespace, "namespace", "namespace")
    v.require(
        not (args.create_namespace and args.namespace == NAMESPACE),
        "create_namespace",
        f"{NAMESPACE} always exists; create_namespace is for a namespace of Karpenter's own",
    )
    for flag in (
        "create_namespace",
        "pod_disruption_budget",
        "fargate",
        "node_ssm_access",
        "node_cni_policy",
        "cleanup_on_delete",
    ):
        v.require(isinstance(getattr(args, flag), bool), flag, "must be true or false")
    if args.fargate:
        v.require(
            args.identity == "irsa",
            "identity",
            "the controller runs on Fargate (fargate: true), where the Pod Identity agent does "
            "not run; use 'irsa'",
        )
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


def validate_cluster(args: KarpenterArgs, cluster: ClusterRef) -> None:
    """What Karpenter needs of the cluster: its security group (the nodes join through it) and,
    with ``fargate``, Fargate pods."""
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
        v.one_of(taint.effect, TAINT_EFFECTS, f"{where}.effect")
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
