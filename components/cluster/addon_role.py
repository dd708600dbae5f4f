"""The IAM role of an EKS add-on's ServiceAccount, by the spec's ``identity``.

* ``irsa``: an ordinary :class:`~components.identity.irsa.IrsaRole` for the ServiceAccount (which
  the add-on creates, so the role does not); the add-on carries its ARN as
  ``serviceAccountRoleArn``, and EKS annotates the ServiceAccount.
* ``pod-identity``: a :class:`PodIdentityAddonRole`, trusted by EKS Pod Identity for exactly the
  cluster, namespace and ServiceAccount; the association is the add-on's own
  (``podIdentityAssociations``), made and removed with it, so the role makes none (a second
  association for the same ServiceAccount would be refused by EKS).
"""

from __future__ import annotations

import dataclasses
import json

import pulumi

from .. import aws_context
from .. import validation as v
from ..identity.cluster_ref import ClusterRef
from ..identity.iam import RoleSettings
from ..identity.irsa import IrsaRole
from ..identity.pod_identity import pod_identity_trust_policy
from ..identity.workload_identity import WorkloadRole, WorkloadRoleArgs, plan
from .addon_spec import AddonSpec, addon_namespace


class PodIdentityAddonRole(WorkloadRole):
    """An IAM role for an EKS add-on's ServiceAccount through EKS Pod Identity, without an
    association: the add-on's ``podIdentityAssociations`` binds it.

    The trust policy is :class:`~components.identity.pod_identity.PodIdentityRole`'s:
    ``pods.eks.amazonaws.com`` (``sts:AssumeRole``, ``sts:TagSession``) for this account, and
    only with the session tags EKS sets for this cluster, namespace and ServiceAccount.

    Args: :class:`~components.identity.workload_identity.WorkloadRoleArgs` with one cluster and
    ``create_service_account=False`` (the add-on creates its ServiceAccount).
    """

    def __init__(
        self, name: str, args: WorkloadRoleArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        """Create the role and its policies; see :class:`PodIdentityAddonRole`."""
        with v.component_errors("PodIdentityAddonRole", name):
            planned = plan(self, "PodIdentityAddonRole", name, args, opts)
            v.require(
                len(planned.bindings) == 1 and not args.create_service_account,
                "cluster",
                "an add-on's role serves one cluster, whose add-on creates the ServiceAccount",
            )
        super().__init__("eks-platform:index:PodIdentityAddonRole", name, None, opts)
        (binding,) = planned.bindings
        trust = pulumi.Output.all(
            aws_context.account_id(planned.aws_provider),
            pulumi.Output.from_input(args.trust_conditions),
            binding.cluster.name,
            binding.namespace,
            binding.service_account,
        ).apply(lambda a: json.dumps(pod_identity_trust_policy([(a[2], a[3], a[4])], a[0], a[1])))
        self._create(name, args, planned, trust, lambda _: {})
        self.register_outputs(self._outputs())


def create_addon_role(
    name: str,
    addon_name: str,
    spec: AddonSpec,
    cluster: ClusterRef,
    tags: dict[str, str],
    opts: pulumi.ResourceOptions,
) -> IrsaRole | PodIdentityAddonRole:
    """The role ``spec`` asks for (its ``service_account`` is set: validated before)."""
    assert spec.service_account is not None
    namespace = addon_namespace(addon_name, spec)
    assert namespace is not None
    args = WorkloadRoleArgs(
        cluster=cluster,
        namespace=namespace,
        service_account=spec.service_account,
        permissions=spec.permissions,
        managed_policy_arns=dict(spec.managed_policy_arns),
        inline_policies=dict(spec.inline_policies),
        create_service_account=False,  # the add-on's ServiceAccount is EKS's
        role=spec.role if spec.role.tags else _with_tags(spec, tags),
    )
    if spec.identity == "pod-identity":
        return PodIdentityAddonRole(name, args, opts=opts)
    return IrsaRole(name, args, opts=opts)


def _with_tags(spec: AddonSpec, tags: dict[str, str]) -> RoleSettings:
    """The spec's role settings with the add-on's tags (when it gives none of its own)."""
    return dataclasses.replace(spec.role, tags=dict(tags))


__all__ = ["PodIdentityAddonRole", "create_addon_role"]
