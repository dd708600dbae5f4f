"""The two add-ons every stack gets whether its file sets them or not: ``eks-platform:storage``
(:class:`~components.addons.storage.EbsStorage`: the EBS CSI driver and the default StorageClass)
and ``eks-platform:metricsServer`` (:class:`~components.addons.metrics_server.MetricsServer`).

Their entries of the configuration table are made here, from the cluster's entry
(:func:`sections`), and listed in :data:`stacks.config.SECTIONS`. What they check against the
rest of the stack: the pods' node selector matches a node group (they would never schedule
otherwise), the cluster's own ``addons`` map does not install the same add-on, and, under
``cluster.compute: auto-mode``, ``storage`` is not installed (Auto Mode runs EBS itself and the
cluster makes the StorageClass), and refused when the stack file sets it.
"""

from __future__ import annotations

from typing import Any

from components import (
    AddonSpec,
    EbsStorage,
    EbsStorageArgs,
    EksClusterArgs,
    MetricsServer,
    MetricsServerArgs,
)
from components.addons import metrics_server, storage
from components.addons.metrics_server.args import ADDON_NAME as METRICS_ADDON
from components.addons.storage.args import ADDON_NAME as EBS_ADDON
from components.cluster.compute import AUTO_MODE
from components.validation import InvalidArgument

from .section import Addon, PlatformConfig, Reference, Section


def _placed(key: str, node_selector: dict[str, str], cluster: EksClusterArgs, what: str) -> None:
    """``node_selector`` matches the labels of a node group, when the cluster has any."""
    groups = cluster.node_groups
    if not node_selector or not groups:
        return
    if not any(
        all(group.labels.get(k) == value for k, value in node_selector.items())
        for group in groups.values()
    ):
        raise InvalidArgument(
            f"{key}.nodeSelector",
            f"{node_selector} matches no cluster.nodeGroups labels: {what} would never be "
            "scheduled",
        )


def _not_in_cluster_map(key: str, cluster: EksClusterArgs, addon: str, cluster_key: str) -> None:
    """The add-on is installed by this section, not also by the cluster's ``addons``."""
    if addon in cluster.addons:
        raise InvalidArgument(
            f"{cluster_key}.addons.{addon}",
            f"{addon} is installed by {key} (every stack gets it); configure it there and "
            "remove it here",
        )


def sections(cluster: Section[EksClusterArgs]) -> tuple[Addon[Any, Any], Addon[Any, Any]]:
    """The ``storage`` and ``metricsServer`` entries, checked against ``cluster``'s."""

    def check_storage(args: EbsStorageArgs, config: PlatformConfig) -> None:
        key, settings = config.key(storage_section), config[cluster]
        if settings.compute == AUTO_MODE:
            if config.is_set(storage_section):
                raise InvalidArgument(
                    key,
                    "the EBS CSI driver add-on is not installed with cluster.compute auto-mode, "
                    "which runs EBS itself (the cluster makes its StorageClass: "
                    "cluster.autoMode.storageClass); remove this key, or set cluster.compute to "
                    "managed",
                )
            return
        _not_in_cluster_map(key, settings, EBS_ADDON, config.key(cluster))
        _placed(key, args.node_selector, settings, "the EBS CSI controller")

    def check_metrics(args: MetricsServerArgs, config: PlatformConfig) -> None:
        key, settings = config.key(metrics_section), config[cluster]
        _not_in_cluster_map(key, settings, METRICS_ADDON, config.key(cluster))
        _placed(key, args.node_selector, settings, "the Metrics Server")

    storage_section: Addon[EbsStorageArgs, EbsStorage] = Addon(
        key="storage",
        summary="The EBS CSI driver (EKS add-on, with its own role) and the default gp3 "
        "StorageClass, encrypted with the cluster's Secrets key where it has one "
        "(EbsStorageArgs without `cluster`); installed on every managed-compute stack, set or "
        "not.",
        args=EbsStorageArgs,
        presence="always",
        installed=lambda config: config[cluster].compute != AUTO_MODE,
        validate=storage.validate_settings,
        check=check_storage,
        component=EbsStorage,
        name="ebs-csi-driver",
        exports=lambda c: {"storageClass": c.storage_class_name, "ebsCsiDriverRoleArn": c.role_arn},
    )
    metrics_section: Addon[MetricsServerArgs, MetricsServer] = Addon(
        key="metricsServer",
        summary="The Metrics Server (EKS community add-on `metrics-server`), for HPAs and "
        "`kubectl top` (MetricsServerArgs without `cluster`); installed on every stack, set or "
        "not.",
        args=MetricsServerArgs,
        presence="always",
        validate=metrics_server.validate_settings,
        check=check_metrics,
        component=MetricsServer,
        name="metrics-server",
        exports=lambda c: {"metricsApi": c.api},
    )
    return storage_section, metrics_section


ADDON_SPEC_REFERENCE = Reference(AddonSpec, "cluster.addons.<name>")
"""The reference of the cluster's ``addons`` map, for the cluster's entry."""
