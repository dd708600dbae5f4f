"""The cluster: :class:`EksCluster` and what it is made of, one module each.

* :mod:`.eks_cluster`: the component, a list of steps;
* :mod:`.args`: :class:`EksClusterArgs`, the Fargate profile specs, the Kubernetes versions
  EKS offers; :mod:`.validation`: their rules (``validate_args``);
* :mod:`.access`: access entries, and the removal of the creator's invisible admin entry;
* :mod:`.secrets_key`: the KMS key for Secrets and its key policy;
* :mod:`.addons`: the managed add-ons (``vpc-cni`` with its role, ``kube-proxy``, ``coredns``,
  ``eks-pod-identity-agent``); :mod:`.addon_spec` (:class:`AddonSpec`, the vendored list of
  add-on names), :mod:`.managed_addon` (the one path of every add-on, :class:`ManagedAddon`),
  :mod:`.addon_role` (an add-on's role);
* :mod:`.fargate`: Fargate profiles and their pod execution role;
* :mod:`.node_group`: :class:`NodeGroup`, a managed node group on a hardened launch template;
  :mod:`.node_cluster`: what a group takes from the cluster it joins, its role and access entry;
* :mod:`.compute`: ``compute: managed | auto-mode`` and the rules between them;
  :mod:`.auto_mode`: what EKS Auto Mode needs (node role, options, StorageClass, NodePools).
"""

from .access import AccessEntrySpec
from .args import EksClusterArgs, FargateProfileSpec, FargateSelector
from .eks_cluster import EksCluster
from .node_group import NodeGroup, NodeGroupArgs, NodeGroupSpec, Taint

__all__ = [
    "AccessEntrySpec",
    "EksCluster",
    "EksClusterArgs",
    "FargateProfileSpec",
    "FargateSelector",
    "NodeGroup",
    "NodeGroupArgs",
    "NodeGroupSpec",
    "Taint",
]
