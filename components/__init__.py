"""eks-platform: Pulumi components for an Amazon EKS platform.

Import the components from here or from their modules (one module per concept)::

    from components import EksCluster, EksClusterArgs, OidcTrust, IrsaRole

See the README for what each one owns and the stacks/ directory for a full composition.
"""

from .cluster import EksCluster, EksClusterArgs, FargateProfileSpec, FargateSelector
from .cluster_ref import ClusterRef
from .external_dns import ExternalDns, ExternalDnsArgs, HostedZone
from .helm import ChartSpec
from .iam import RolePolicyArgs
from .irsa import IrsaRole, IrsaRoleArgs
from .load_balancer_controller import LoadBalancerController, LoadBalancerControllerArgs
from .network import ExistingVpcArgs, Network, NetworkArgs
from .node_group import NodeGroup, NodeGroupArgs, NodeGroupSpec, Taint
from .oidc import OidcTrust, OidcTrustArgs, ServiceAccountRef
from .pod_identity import PodIdentityRole, PodIdentityRoleArgs
from .sample_app import SampleApp, SampleAppArgs

__all__ = [
    "ChartSpec",
    "ClusterRef",
    "EksCluster",
    "EksClusterArgs",
    "ExistingVpcArgs",
    "ExternalDns",
    "ExternalDnsArgs",
    "FargateProfileSpec",
    "FargateSelector",
    "HostedZone",
    "IrsaRole",
    "IrsaRoleArgs",
    "LoadBalancerController",
    "LoadBalancerControllerArgs",
    "Network",
    "NetworkArgs",
    "NodeGroup",
    "NodeGroupArgs",
    "NodeGroupSpec",
    "OidcTrust",
    "OidcTrustArgs",
    "PodIdentityRole",
    "PodIdentityRoleArgs",
    "RolePolicyArgs",
    "SampleApp",
    "SampleAppArgs",
    "ServiceAccountRef",
    "Taint",
]
