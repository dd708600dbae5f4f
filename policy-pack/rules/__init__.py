"""The platform's rules, by area; ``POLICIES`` is what ``__main__.py`` hands to ``PolicyPack``.

Importing this package builds the policy objects and starts nothing: the gRPC server starts
only when ``pulumi_policy.PolicyPack`` is constructed (``__main__.py``, run by the Pulumi CLI).
"""

from __future__ import annotations

from . import addons, eks, iam, ingress, kms, kubernetes
from .common import Rule

PACK_NAME = "eks-platform"
PACK_DESCRIPTION = (
    "The eks-platform's rules for any program that deploys to it: workload IAM trust, wildcard "
    "permissions, the EKS control plane and nodes, pods, load balancers and controllers' objects."
)

_AREAS = [iam, kms, eks, kubernetes, ingress, addons]
RULES: list[Rule] = [rule for area in _AREAS for rule in area.RULES]
POLICIES = [policy for area in _AREAS for policy in area.POLICIES]

__all__ = ["PACK_DESCRIPTION", "PACK_NAME", "POLICIES", "RULES", "Rule"]
