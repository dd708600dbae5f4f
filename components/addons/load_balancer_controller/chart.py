"""The chart values the component manages, and the CRDs it applies beside the chart."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pulumi

from ... import aws_context
from ..controller import zone_spread
from ..helm import ManagedValues, deep_merge
from .args import FULLNAME, SERVICE_ACCOUNT, LoadBalancerControllerArgs

if TYPE_CHECKING:
    from ...identity.cluster_ref import ClusterRef

CRD_URLS = (
    "https://raw.githubusercontent.com/kubernetes-sigs/aws-load-balancer-controller/"
    "{version}/helm/aws-load-balancer-controller/crds/crds.yaml",
    "https://raw.githubusercontent.com/kubernetes-sigs/aws-load-balancer-controller/"
    "{version}/helm/aws-load-balancer-controller/crds/gateway-crds.yaml",
)
"""The chart's CRDs at a controller version. Helm installs a chart's ``crds/`` once and never
upgrades them, so the component applies them itself (and tells Helm to skip them): a new
pin upgrades the CRDs with the controller."""

# Chart values the component sets itself; callers use the argument named here instead, so
# that there is one way to set each and `values` cannot silently undo the component.
MANAGED_VALUES: ManagedValues = {
    ("clusterName",): "the cluster (cluster.name)",
    ("region",): "the region of the component's AWS provider",
    ("vpcId",): "the cluster (cluster.vpc_id)",
    ("fullnameOverride",): "the component",
    ("serviceAccount", "create"): "the component (it creates the ServiceAccount)",
    ("serviceAccount", "name"): "the component (it creates the ServiceAccount)",
    ("replicaCount",): "the argument replicas",
    ("ingressClass",): "the argument ingress_class",
    ("createIngressClassResource",): "the component (it creates the IngressClass)",
    ("ingressClassParams", "create"): "the component (it creates the IngressClassParams)",
    ("defaultTargetType",): "the argument default_target_type",
    ("enableServiceMutatorWebhook",): "the argument enable_service_mutator_webhook",
    ("tolerations",): "the argument tolerations",
    ("nodeSelector",): "the argument node_selector",
    ("resources",): "the argument resources",
    ("topologySpreadConstraints",): "the component (it spreads the replicas over zones)",
}


def crd_urls(args: LoadBalancerControllerArgs) -> list[str]:
    """The CRD files to apply: :data:`CRD_URLS` at ``crds_version``, else ``v`` + the chart
    version."""
    version = args.crds_version or f"v{args.chart.version}"
    return [url.format(version=version) for url in CRD_URLS]


def resolve_target_type(args: LoadBalancerControllerArgs, cluster: ClusterRef) -> str:
    """The default target type: the argument, else ``ip`` on a cluster with Fargate pods, else ``instance``."""
    if args.default_target_type is not None:
        return args.default_target_type
    return "ip" if cluster.uses_fargate else "instance"


def chart_values(args: LoadBalancerControllerArgs, target_type: str) -> dict[str, Any]:
    """The chart's values but the cluster facts (``clusterName``, ``region``, ``vpcId``), with
    ``args.values`` merged last (it may not set those three, nor the other managed values)."""
    values: dict[str, Any] = {
        "fullnameOverride": FULLNAME,
        "serviceAccount": {"create": False, "name": SERVICE_ACCOUNT},
        "replicaCount": args.replicas,
        "ingressClass": args.ingress_class,
        "createIngressClassResource": False,
        "ingressClassParams": {"create": False},
        "defaultTargetType": target_type,
        "enableServiceMutatorWebhook": args.enable_service_mutator_webhook,
        "tolerations": [dict(t) for t in args.tolerations],
        "nodeSelector": dict(args.node_selector),
        "resources": {k: dict(v) for k, v in args.resources.items()},
    }
    if args.replicas > 1:
        values["podDisruptionBudget"] = {"maxUnavailable": 1}
        # One replica per zone where possible: a zone outage leaves a leader candidate.
        values["topologySpreadConstraints"] = zone_spread(FULLNAME)
    return deep_merge(values, args.values)


def cluster_values(
    cluster: ClusterRef, provider: pulumi.ProviderResource | None = None
) -> dict[str, pulumi.Input[str]]:
    """The values that come from the cluster and the component's AWS provider (``provider``;
    None: the default one): the only Outputs among the values, so a preview shows every other
    one."""
    return {
        "clusterName": cluster.name,
        # Explicit: with IMDSv2 hop limit 1 on the nodes the controller cannot look them up.
        "region": aws_context.region(provider),
        "vpcId": cluster.vpc_id,
    }
