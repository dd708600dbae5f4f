"""eks-platform: Pulumi components for an Amazon EKS platform.

Installed, the package is ``eks_platform``; import the components from here::

    from eks_platform import ClusterRef, IrsaRole, WorkloadRoleArgs, permissions

    cluster = ClusterRef.from_stack("acme/eks-platform/prod")
    IrsaRole("reports-reader", WorkloadRoleArgs(
        cluster=cluster, namespace="reports", service_account="reader",
        permissions=[permissions.s3_read("acme-reports")]))

The layers, each importing only those before it (docs/architecture.md):

* ``validation`` (the error model, value rules, the runtime type check, the config reader),
  ``naming`` (IAM and Helm names), ``run_state`` (what one program run remembers),
  ``aws_context`` (partition, region and account of the deployment), ``policies`` (vendored upstream IAM documents), ``dynamic`` (what the dynamic
  providers share: pickled as source, the stack's AWS session, the Kubernetes client);
* ``identity``: ``oidc`` (OidcTrust), ``iam`` (role building blocks), ``permissions`` (the
  grant helpers) and ``arns`` (the ARN checks), ``cluster_ref`` (ClusterRef), ``kubeconfig``,
  ``service_accounts``, ``workload_identity`` (what IRSA and Pod
  Identity share), ``irsa``, ``pod_identity``, ``workload_role`` (a role by mechanism);
* ``network`` (Network) and ``cluster`` (EksCluster, access entries, the Secrets key, node
  groups, Fargate, EKS managed add-ons by name: AddonSpec, ManagedAddon);
* ``addons``: ``controller`` (the one add-on shape), ``helm``, and a package per add-on:
  ``load_balancer_controller``, ``external_dns``, ``external_secrets``, ``karpenter``,
  ``auto_mode_ingress`` (EKS Auto Mode's IngressClasses); ``storage`` (EbsStorage: the EBS
  CSI driver and the default StorageClass) and ``metrics_server`` (MetricsServer), on EKS
  add-ons;
* ``synth`` renders a program offline; ``_moved`` keeps the module paths and names of 0.2
  working (docs/upgrading.md).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from . import _moved

if TYPE_CHECKING:
    from .addons.auto_mode_ingress import AutoModeIngress, AutoModeIngressArgs
    from .addons.external_dns import ExternalDns, ExternalDnsArgs, HostedZone
    from .addons.external_secrets import (
        ExternalSecrets,
        ExternalSecretsArgs,
        SecretsTenantSpec,
        SecretValue,
        StoreRef,
    )
    from .addons.helm import ChartSpec
    from .addons.karpenter import (
        DisruptionBudgetSpec,
        Karpenter,
        KarpenterArgs,
        NodeClassSpec,
        NodePoolSpec,
    )
    from .addons.load_balancer_controller import LoadBalancerController, LoadBalancerControllerArgs
    from .addons.metrics_server import MetricsServer, MetricsServerArgs
    from .addons.storage import EbsStorage, EbsStorageArgs
    from .cluster import EksCluster, EksClusterArgs, FargateProfileSpec, FargateSelector
    from .cluster.access import AccessEntrySpec
    from .cluster.addon_spec import AddonSpec
    from .cluster.compute import AutoModeNodePoolSpec, AutoModeSpec
    from .cluster.managed_addon import ManagedAddon, ManagedAddonArgs
    from .cluster.node_group import NodeGroup, NodeGroupArgs, NodeGroupSpec, Taint
    from .identity import permissions
    from .identity.cluster_ref import ClusterRef
    from .identity.iam import RoleSettings
    from .identity.irsa import IrsaRole
    from .identity.oidc import OidcTrust, OidcTrustArgs, ServiceAccountRef
    from .identity.permissions import Grant
    from .identity.pod_identity import PodIdentityRole
    from .identity.workload_identity import ClusterBinding, IdentityMechanism, WorkloadRoleArgs
    from .network import ExistingVpcArgs, Network, NetworkArgs
    from .validation import InvalidArgument

# Imported on first use, so that `python -m eks_platform.synth diff` (and anything else that
# needs one module) does not load the provider SDKs.
_EXPORTS: dict[str, str] = {
    "AccessEntrySpec": "cluster.access",
    "AddonSpec": "cluster.addon_spec",
    "AutoModeIngress": "addons.auto_mode_ingress",
    "AutoModeIngressArgs": "addons.auto_mode_ingress",
    "AutoModeNodePoolSpec": "cluster.compute",
    "AutoModeSpec": "cluster.compute",
    "ChartSpec": "addons.helm",
    "ClusterBinding": "identity.workload_identity",
    "ClusterRef": "identity.cluster_ref",
    "DisruptionBudgetSpec": "addons.karpenter",
    "EbsStorage": "addons.storage",
    "EbsStorageArgs": "addons.storage",
    "EksCluster": "cluster",
    "EksClusterArgs": "cluster",
    "ExistingVpcArgs": "network",
    "ExternalDns": "addons.external_dns",
    "ExternalDnsArgs": "addons.external_dns",
    "ExternalSecrets": "addons.external_secrets",
    "ExternalSecretsArgs": "addons.external_secrets",
    "FargateProfileSpec": "cluster",
    "FargateSelector": "cluster",
    "Grant": "identity.permissions",
    "HostedZone": "addons.external_dns",
    "IdentityMechanism": "identity.workload_identity",
    "InvalidArgument": "validation",
    "IrsaRole": "identity.irsa",
    "Karpenter": "addons.karpenter",
    "KarpenterArgs": "addons.karpenter",
    "LoadBalancerController": "addons.load_balancer_controller",
    "LoadBalancerControllerArgs": "addons.load_balancer_controller",
    "ManagedAddon": "cluster.managed_addon",
    "ManagedAddonArgs": "cluster.managed_addon",
    "MetricsServer": "addons.metrics_server",
    "MetricsServerArgs": "addons.metrics_server",
    "Network": "network",
    "NetworkArgs": "network",
    "NodeClassSpec": "addons.karpenter",
    "NodeGroup": "cluster.node_group",
    "NodeGroupArgs": "cluster.node_group",
    "NodeGroupSpec": "cluster.node_group",
    "NodePoolSpec": "addons.karpenter",
    "OidcTrust": "identity.oidc",
    "OidcTrustArgs": "identity.oidc",
    "PodIdentityRole": "identity.pod_identity",
    "RoleSettings": "identity.iam",
    "SecretValue": "addons.external_secrets",
    "SecretsTenantSpec": "addons.external_secrets",
    "ServiceAccountRef": "identity.oidc",
    "StoreRef": "addons.external_secrets",
    "Taint": "cluster.node_group",
    "WorkloadRoleArgs": "identity.workload_identity",
}
_MODULES = {"permissions": "identity.permissions"}
"""Modules exported by name: ``from eks_platform import permissions``."""

__all__ = [
    "AccessEntrySpec",
    "AddonSpec",
    "AutoModeIngress",
    "AutoModeIngressArgs",
    "AutoModeNodePoolSpec",
    "AutoModeSpec",
    "ChartSpec",
    "ClusterBinding",
    "ClusterRef",
    "DisruptionBudgetSpec",
    "EbsStorage",
    "EbsStorageArgs",
    "EksCluster",
    "EksClusterArgs",
    "ExistingVpcArgs",
    "ExternalDns",
    "ExternalDnsArgs",
    "ExternalSecrets",
    "ExternalSecretsArgs",
    "FargateProfileSpec",
    "FargateSelector",
    "Grant",
    "HostedZone",
    "IdentityMechanism",
    "InvalidArgument",
    "IrsaRole",
    "Karpenter",
    "KarpenterArgs",
    "LoadBalancerController",
    "LoadBalancerControllerArgs",
    "ManagedAddon",
    "ManagedAddonArgs",
    "MetricsServer",
    "MetricsServerArgs",
    "Network",
    "NetworkArgs",
    "NodeClassSpec",
    "NodeGroup",
    "NodeGroupArgs",
    "NodeGroupSpec",
    "NodePoolSpec",
    "OidcTrust",
    "OidcTrustArgs",
    "PodIdentityRole",
    "RoleSettings",
    "SecretValue",
    "SecretsTenantSpec",
    "ServiceAccountRef",
    "StoreRef",
    "Taint",
    "WorkloadRoleArgs",
    "permissions",
]

_moved.install(__name__)


if not TYPE_CHECKING:  # type checkers see the imports above: a misspelt name is their error

    def __getattr__(name: str) -> Any:
        if name in _MODULES:
            return importlib.import_module(f".{_MODULES[name]}", __name__)
        module = _EXPORTS.get(name)
        if module is None:
            return _moved.old_name(__name__, name)
        return getattr(importlib.import_module(f".{module}", __name__), name)
