"""The chart values the component manages (chart 2.9.x names), and the table of them.

The chart runs three Deployments: the controller, its validating webhook and the cert
controller that keeps the webhook's certificate valid. Each gets the ``resources``, the
tolerations and the node selector; the controller and the webhook get ``replicas``, their
spread over zones and a disruption budget.
"""

from __future__ import annotations

from typing import Any

from ..controller import placement_values, zone_spread
from ..helm import ManagedValues, deep_merge
from .args import FULLNAME, ExternalSecretsArgs

CONTROLLER_CONTAINER = "external-secrets"
"""Name of the controller's container in the chart's Deployment (``.Chart.Name``)."""
SKIP_CONTAINERS_ANNOTATION = "eks.amazonaws.com/skip-containers"
"""Pod annotation of EKS's pod identity webhook: the named containers get no IRSA
credentials. With IRSA the controller container gets none, so a ``SecretStore`` without
``auth`` (which any namespace editor may create) has no ambient role to fall back to."""

MANAGED_VALUES: ManagedValues = {
    ("installCRDs",): "the component (the stores need the CRDs)",
    ("fullnameOverride",): "the component",
    ("serviceAccount", "create"): "the component (the workload role creates the ServiceAccount)",
    ("serviceAccount", "name"): "the argument service_account",
    ("replicaCount",): "the argument replicas",
    ("leaderElect",): "the argument replicas (leader election is on with more than one)",
    ("webhook", "create"): "the component (the webhook checks stores and ExternalSecrets)",
    ("webhook", "replicaCount"): "the argument replicas",
    ("certController", "create"): "the component (it keeps the webhook's certificate valid)",
    ("processClusterStore",): "the component (it creates ClusterSecretStores)",
    ("processSecretStore",): "the component (tenants' SecretStores)",
    ("scopedNamespace",): "the component (ClusterSecretStores need the cluster-wide controller)",
    ("scopedRBAC",): "the component (ClusterSecretStores need the cluster-wide controller)",
    ("processPushSecret",): "the argument push_prefix",
    ("processClusterPushSecret",): "the argument push_prefix",
    ("rbac", "serviceAccountTokenCreate"): (
        "the component (stores authenticate with ServiceAccount tokens)"
    ),
    ("podAnnotations", SKIP_CONTAINERS_ANNOTATION): (
        "the component (with IRSA the controller container gets no ambient credentials)"
    ),
    ("tolerations",): "the argument tolerations",
    ("webhook", "tolerations"): "the argument tolerations",
    ("certController", "tolerations"): "the argument tolerations",
    ("nodeSelector",): "the argument node_selector",
    ("webhook", "nodeSelector"): "the argument node_selector",
    ("certController", "nodeSelector"): "the argument node_selector",
}
"""Chart values the component sets itself; callers use the argument named here instead, so
that there is one way to set each and ``values`` cannot silently undo the component."""

_PARTS = {"": FULLNAME, "webhook": f"{FULLNAME}-webhook", "certController": None}
"""Each Deployment's values key (``""``: the top level, the controller) and the
``app.kubernetes.io/name`` its replicas are spread by (the cert controller is not spread)."""


def chart_values(args: ExternalSecretsArgs) -> dict[str, Any]:
    """The chart values (chart 2.9.x names), with ``args.values`` merged last."""
    push = args.push_prefix is not None
    values: dict[str, Any] = {
        "installCRDs": True,
        "fullnameOverride": FULLNAME,
        "serviceAccount": {"create": False, "name": args.service_account},
        "replicaCount": args.replicas,
        "leaderElect": args.replicas > 1,
        "processClusterStore": True,
        "processSecretStore": True,
        "processPushSecret": push,
        "processClusterPushSecret": push,
        "rbac": {"serviceAccountTokenCreate": True},
        "webhook": {"create": True, "replicaCount": args.replicas},
        "certController": {"create": True},
    }
    if args.identity == "irsa":
        # The stores authenticate through auth.jwt; the controller itself holds no credentials,
        # so a SecretStore without auth (any namespace editor may write one) gets nothing.
        values["podAnnotations"] = {SKIP_CONTAINERS_ANNOTATION: CONTROLLER_CONTAINER}
    if args.replicas > 1:
        values["podDisruptionBudget"] = {"enabled": True, "maxUnavailable": 1}
        values["webhook"]["podDisruptionBudget"] = {"enabled": True, "maxUnavailable": 1}
    for key, app_name in _PARTS.items():
        target = values[key] if key else values
        target["resources"] = {kind: dict(amounts) for kind, amounts in args.resources.items()}
        if args.replicas > 1 and app_name is not None:
            target["topologySpreadConstraints"] = zone_spread(app_name)
        target.update(placement_values(args))
    return deep_merge(values, args.values)
