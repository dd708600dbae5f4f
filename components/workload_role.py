"""A workload's AWS role through either mechanism: IRSA (default) or EKS Pod Identity.

The controllers take a ``mechanism`` argument and call :func:`create_workload_role`,
so the choice is one string in their args.
"""

from __future__ import annotations

from typing import Any

import pulumi

from . import validation as v
from .cluster_ref import ClusterRef
from .iam import RolePolicyArgs
from .irsa import IrsaRole, IrsaRoleArgs
from .oidc import OidcTrust
from .pod_identity import PodIdentityRole, PodIdentityRoleArgs

MECHANISMS = ("irsa", "pod-identity")


def validate_mechanism(
    mechanism: str, oidc: OidcTrust | None, field_name: str = "mechanism"
) -> None:
    """``irsa`` needs an OidcTrust; ``pod-identity`` does not."""
    v.one_of(mechanism, MECHANISMS, field_name)
    v.require(
        mechanism != "irsa" or oidc is not None,
        "oidc",
        "IRSA (the default mechanism) needs the cluster's OidcTrust",
    )


def create_workload_role(
    name: str,
    mechanism: str,
    cluster: ClusterRef,
    oidc: OidcTrust | None,
    namespace: str,
    service_account: str,
    policies: RolePolicyArgs,
    parent: pulumi.Resource,
    create_service_account: bool = True,
    create_namespace: bool = False,
) -> IrsaRole | PodIdentityRole:
    """An :class:`IrsaRole` or a :class:`PodIdentityRole` for ``namespace/service_account``."""
    opts = pulumi.ResourceOptions(parent=parent)
    shared: dict[str, Any] = {
        "cluster": cluster,
        "namespace": namespace,
        "service_account": service_account,
        "policies": policies,
        "create_service_account": create_service_account,
        "create_namespace": create_namespace,
    }
    if mechanism == "pod-identity":
        return PodIdentityRole(name, PodIdentityRoleArgs(**shared), opts=opts)
    return IrsaRole(name, IrsaRoleArgs(oidc=oidc, **shared), opts=opts)
