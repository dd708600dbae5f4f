"""``MetricsServer``: the Kubernetes Metrics Server, so HorizontalPodAutoscalers and
``kubectl top`` work.

Installed as the EKS community add-on ``metrics-server`` (the upstream chart, which EKS offers
since 2025; EKS user guide, "Community add-ons"), through the same path as every add-on
(:class:`~components.cluster.managed_addon.ManagedAddon`): its version follows the cluster's
Kubernetes version unless pinned, and it needs no IAM role. It runs on the system nodes
(``nodeSelector``, ``tolerations``: the chart's top-level values, which the add-on's
configuration schema takes) and serves the ``metrics.k8s.io`` API (APIService
``v1beta1.metrics.k8s.io``). Objects that need the metrics API, such as an HPA on CPU, depend on
:attr:`MetricsServer.ready` (:meth:`MetricsServer.workload_options`).
"""

from __future__ import annotations

from typing import Any

import pulumi

from ... import validation as v
from ...cluster.managed_addon import ManagedAddon, ManagedAddonArgs, claim_addon
from ...identity.cluster_ref import ClusterRef, as_cluster_ref
from ..controller import options_after
from .args import ADDON_NAME, METRICS_API, MetricsServerArgs
from .validation import validate_settings

__all__ = ["METRICS_API", "MetricsServer", "MetricsServerArgs", "validate_settings"]


class MetricsServer(pulumi.ComponentResource):
    """The Metrics Server, as the EKS add-on ``metrics-server``, on the system nodes.

    Creates, as children: a :class:`~components.cluster.managed_addon.ManagedAddon`
    ``metrics-server``. Args: :class:`MetricsServerArgs`. Outputs: ``addon_version``; ``api``
    is the API group it serves.
    """

    cluster: ClusterRef
    """The cluster."""
    addon: ManagedAddon
    """The add-on."""
    api: str
    """The API group it serves, ``metrics.k8s.io``."""
    ready: list[pulumi.Resource]
    """What objects that read the metrics API depend on."""

    def __init__(
        self, name: str, args: MetricsServerArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        """Install the add-on; see :class:`MetricsServer`."""
        with v.component_errors("MetricsServer", name):
            v.resource_options(opts)
            if not v.was_validated(args):  # else the stack's configuration checked them
                v.check_fields(args, MetricsServerArgs)
                validate_settings(args)
            cluster = as_cluster_ref(args.cluster)
            claim_addon(
                cluster, ADDON_NAME, f"MetricsServer {name!r}", self, "cluster", for_child=True
            )
        super().__init__("eks-platform:index:MetricsServer", name, None, opts)
        self.cluster, self.api = cluster, METRICS_API
        self.addon = ManagedAddon(
            name,
            ManagedAddonArgs(
                cluster=cluster,
                addon_name=ADDON_NAME,
                version=args.version,
                configuration_values=configuration(args),
                deletion_protection=args.deletion_protection,
                tags=dict(args.tags),
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.ready = [self.addon.addon]
        self.register_outputs({"addonVersion": self.addon.addon_version, "api": METRICS_API})

    def workload_options(
        self, opts: pulumi.ResourceOptions | None = None
    ) -> pulumi.ResourceOptions:
        """Options for an object that reads the metrics API (a HorizontalPodAutoscaler): the
        cluster's provider and a dependency on :attr:`ready`, merged with ``opts``."""
        return options_after(self.cluster, self.ready, opts)


def configuration(args: MetricsServerArgs) -> dict[str, Any]:
    """The add-on's configuration: the user's values and the placement the arguments set."""
    values = dict(args.configuration_values)
    values["tolerations"] = [dict(t) for t in args.tolerations]
    if args.node_selector:
        values["nodeSelector"] = dict(args.node_selector)
    if args.replicas is not None:
        values["replicas"] = args.replicas
    return values
