"""A workload role by mechanism: what the add-ons create for their controller's ServiceAccount."""

from __future__ import annotations

import pulumi

from .irsa import IrsaRole
from .pod_identity import PodIdentityRole
from .workload_identity import IdentityMechanism, WorkloadRoleArgs


def create_workload_role(
    name: str,
    mechanism: IdentityMechanism,
    args: WorkloadRoleArgs,
    parent: pulumi.Resource,
) -> IrsaRole | PodIdentityRole:
    """An :class:`IrsaRole` or a :class:`PodIdentityRole` (per ``mechanism``) child of ``parent``."""
    opts = pulumi.ResourceOptions(parent=parent)
    if mechanism == "pod-identity":
        return PodIdentityRole(name, args, opts=opts)
    return IrsaRole(name, args, opts=opts)
