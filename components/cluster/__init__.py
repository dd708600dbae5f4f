"""The cluster: EksCluster (control plane, access entries, Secrets key, managed add-ons, node
groups, Fargate) and NodeGroup."""

from .eks_cluster import EksCluster, EksClusterArgs, FargateProfileSpec, FargateSelector

__all__ = ["EksCluster", "EksClusterArgs", "FargateProfileSpec", "FargateSelector"]
