"""The chart values Karpenter's component manages, and the CRD chart it installs first."""

from __future__ import annotations

from typing import Any

import pulumi

from ..helm import ChartSpec, ManagedValues, deep_merge
from .args import CRD_CHART, FULLNAME, NODEPOOL_LABEL, SERVICE_ACCOUNT, KarpenterArgs

MANAGED_VALUES: ManagedValues = {
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
"""Chart values the component sets itself; callers use the argument named here instead, so
that there is one way to set each and ``values`` cannot silently undo the component."""


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


def release_values(
    args: KarpenterArgs, cluster_name: pulumi.Input[str], queue_name: pulumi.Input[str]
) -> dict[str, Any]:
    """:func:`chart_values` with the cluster facts: the cluster's name and the queue's."""
    plain = chart_values(args)
    return {
        **plain,
        "settings": {
            **plain.get("settings", {}),
            "clusterName": cluster_name,
            "interruptionQueue": queue_name,
        },
    }


def crd_chart(chart: ChartSpec) -> ChartSpec:
    """The ``karpenter-crd`` chart at the controller chart's version, from the same repository."""
    return ChartSpec(chart=CRD_CHART, repository=chart.repository, version=chart.version)
