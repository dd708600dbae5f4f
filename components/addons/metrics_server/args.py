"""The arguments of :class:`~components.addons.metrics_server.MetricsServer`, and the API it
serves."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ...cluster import EksCluster
    from ...identity.cluster_ref import ClusterRef

ADDON_NAME = "metrics-server"
"""The EKS community add-on of the Kubernetes Metrics Server (EKS user guide, "Community
add-ons"; in the catalog since 2025-03-31)."""
METRICS_API = "metrics.k8s.io"
"""The API group it serves (APIService ``v1beta1.metrics.k8s.io``): what HorizontalPodAutoscalers
on CPU or memory and ``kubectl top`` read."""
CRITICAL_ADDONS_ONLY = {"key": "CriticalAddonsOnly", "operator": "Exists"}


@dataclass(kw_only=True)
class MetricsServerArgs:
    """Arguments of :class:`~components.addons.metrics_server.MetricsServer`. Every field but
    ``cluster`` is a plain value, so a stack reads them from ``eks-platform:metricsServer``."""

    cluster: EksCluster | ClusterRef
    """The cluster (an ``EksCluster``, or a ``ClusterRef``)."""
    version: str | None = None
    """The add-on's exact version (``v0.8.0-eksbuild.2``) or ``latest``; None: EKS's default for
    the cluster's Kubernetes version, so an upgrade of the cluster moves it too."""
    replicas: int | None = None
    """Metrics Server pods (``replicas``); None: the add-on's default (2, for an API every HPA
    depends on to survive a node loss)."""
    node_selector: dict[str, str] = field(default_factory=dict)
    """Node labels its pods run on (``nodeSelector``), e.g. the system node group's."""
    tolerations: list[dict[str, Any]] = field(default_factory=lambda: [dict(CRITICAL_ADDONS_ONLY)])
    """Tolerations of its pods (``tolerations``), as Kubernetes writes them; by default the
    ``CriticalAddonsOnly`` taint of system nodes."""
    configuration_values: dict[str, Any] = field(default_factory=dict)
    """Further configuration of the add-on (the keys of the upstream chart's values that the
    add-on's schema accepts: ``aws eks describe-addon-configuration --addon-name
    metrics-server``); what the arguments above set is refused."""
    deletion_protection: bool = False
    """Protect the add-on (Pulumi ``protect``)."""
    tags: dict[str, str] = field(default_factory=dict)
    """AWS tags on the add-on."""
