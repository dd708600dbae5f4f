"""eks-platform: Pulumi components for an Amazon EKS platform.

Installed, the package is ``eks_platform``; import the components from here::

    from eks_platform import ClusterRef, IrsaRole, WorkloadRoleArgs, permissions

    cluster = ClusterRef.from_stack("acme/eks-platform/prod")
    IrsaRole("reports-reader", WorkloadRoleArgs(
        cluster=cluster, namespace="reports", service_account="reader",
        permissions=[permissions.s3_read("acme-reports")]))

One module per concept: ``cluster`` (EksCluster), ``cluster_ref`` (ClusterRef), ``oidc``
(OidcTrust), ``workload_identity`` (what IRSA and Pod Identity share), ``irsa``,
``pod_identity``, ``permissions`` (the grant helpers), ``load_balancer_controller``,
``external_dns``, ``external_secrets``, ``karpenter``, ``network``, ``node_group``;
``synth`` renders a program offline.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from . import permissions
    from .cluster import EksCluster, EksClusterArgs, FargateProfileSpec, FargateSelector
    from .cluster_ref import ClusterRef
    from .external_dns import ExternalDns, ExternalDnsArgs, HostedZone
    from .external_secrets import (
        ExternalSecrets,
        ExternalSecretsArgs,
        SecretsTenantSpec,
        SecretValue,
        StoreRef,
    )
    from .helm import ChartSpec
    from .iam import RoleSettings
    from .irsa import IrsaRole, IrsaRoleArgs
    from .karpenter import (
        DisruptionBudgetSpec,
        Karpenter,
        KarpenterArgs,
        NodeClassSpec,
        NodePoolSpec,
    )
    from .load_balancer_controller import LoadBalancerController, LoadBalancerControllerArgs
    from .network import ExistingVpcArgs, Network, NetworkArgs
    from .node_group import NodeGroup, NodeGroupArgs, NodeGroupSpec, Taint
    from .oidc import OidcTrust, OidcTrustArgs, ServiceAccountRef
    from .permissions import Grant
    from .pod_identity import PodIdentityRole, PodIdentityRoleArgs
    from .sample_app import SampleApp, SampleAppArgs
    from .validation import InvalidArgument
    from .workload_identity import ClusterBinding, IdentityMechanism, WorkloadRoleArgs

# Imported on first use, so that `python -m eks_platform.synth diff` (and anything else that
# needs one module) does not load the provider SDKs.
_EXPORTS: dict[str, str] = {
    "ChartSpec": "helm",
    "ClusterBinding": "workload_identity",
    "ClusterRef": "cluster_ref",
    "EksCluster": "cluster",
    "EksClusterArgs": "cluster",
    "DisruptionBudgetSpec": "karpenter",
    "ExistingVpcArgs": "network",
    "ExternalDns": "external_dns",
    "ExternalDnsArgs": "external_dns",
    "ExternalSecrets": "external_secrets",
    "ExternalSecretsArgs": "external_secrets",
    "SecretsTenantSpec": "external_secrets",
    "SecretValue": "external_secrets",
    "StoreRef": "external_secrets",
    "FargateProfileSpec": "cluster",
    "FargateSelector": "cluster",
    "Grant": "permissions",
    "HostedZone": "external_dns",
    "IdentityMechanism": "workload_identity",
    "InvalidArgument": "validation",
    "IrsaRole": "irsa",
    "IrsaRoleArgs": "irsa",
    "Karpenter": "karpenter",
    "KarpenterArgs": "karpenter",
    "NodeClassSpec": "karpenter",
    "NodePoolSpec": "karpenter",
    "LoadBalancerController": "load_balancer_controller",
    "LoadBalancerControllerArgs": "load_balancer_controller",
    "Network": "network",
    "NetworkArgs": "network",
    "NodeGroup": "node_group",
    "NodeGroupArgs": "node_group",
    "NodeGroupSpec": "node_group",
    "OidcTrust": "oidc",
    "OidcTrustArgs": "oidc",
    "PodIdentityRole": "pod_identity",
    "PodIdentityRoleArgs": "pod_identity",
    "RoleSettings": "iam",
    "SampleApp": "sample_app",
    "SampleAppArgs": "sample_app",
    "ServiceAccountRef": "oidc",
    "Taint": "node_group",
    "WorkloadRoleArgs": "workload_identity",
    "permissions": "",
}

__all__ = [
    "ChartSpec",
    "ClusterBinding",
    "ClusterRef",
    "DisruptionBudgetSpec",
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
    "IrsaRoleArgs",
    "Karpenter",
    "KarpenterArgs",
    "LoadBalancerController",
    "LoadBalancerControllerArgs",
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
    "PodIdentityRoleArgs",
    "RoleSettings",
    "SampleApp",
    "SampleAppArgs",
    "SecretValue",
    "SecretsTenantSpec",
    "ServiceAccountRef",
    "StoreRef",
    "Taint",
    "WorkloadRoleArgs",
    "permissions",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    if module == "":
        return importlib.import_module(f".{name}", __name__)
    return getattr(importlib.import_module(f".{module}", __name__), name)
