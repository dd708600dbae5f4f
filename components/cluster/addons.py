"""The EKS managed add-ons of a cluster: ``vpc-cni``, ``kube-proxy``, ``coredns`` and
``eks-pod-identity-agent``.

Each is an ``aws.eks.Addon`` at its pinned version (``addon_versions``) or at EKS's default for
the cluster's Kubernetes version, resolved on every run, so that a ``kubernetes_version`` bump
moves the add-ons too. The order: ``vpc-cni`` and ``kube-proxy`` before the nodes (a node
becomes Ready only with a CNI), ``coredns`` and the Pod Identity agent once there is capacity
to run them. The VPC CNI (``kube-system/aws-node``) gets a role of its own, an ordinary
:class:`~components.identity.irsa.IrsaRole` with ``AmazonEKS_CNI_Policy``, unless the nodes
carry that policy.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from ..identity import iam
from ..identity.cluster_ref import POD_IDENTITY_AGENT, ClusterRef
from ..identity.irsa import IrsaRole
from ..identity.workload_identity import WorkloadRoleArgs

CORE_ADDONS = ("vpc-cni", "kube-proxy", "coredns")
MANAGED_ADDONS = (*CORE_ADDONS, POD_IDENTITY_AGENT)
"""Every add-on the cluster manages (the names ``addon_versions`` may pin)."""
CNI_POLICY = "AmazonEKS_CNI_Policy"
CNI_SERVICE_ACCOUNT = ("kube-system", "aws-node")


@dataclass(frozen=True)
class AddonTarget:
    """The cluster the add-ons run on, and what every add-on of it shares."""

    parent: pulumi.Resource
    """The ``EksCluster``: the add-ons' parent."""
    name: str
    """The component's name: the add-ons are ``<name>-<add-on>``."""
    cluster_name: pulumi.Input[str]
    """The EKS cluster name (an output of the control plane, so the add-ons wait for it)."""
    kubernetes_version: str
    """The cluster's Kubernetes version, whose default add-on versions are used."""
    versions: Mapping[str, str]
    """Pinned versions by add-on name (``addon_versions``)."""
    tags: Mapping[str, str]
    """AWS tags on every add-on."""
    protect: bool
    """Pulumi ``protect`` on every add-on (``deletion_protection``)."""


def managed_addon(
    target: AddonTarget,
    addon_name: str,
    depends_on: Sequence[pulumi.Resource],
    config: dict | None = None,
    service_account_role_arn: pulumi.Input[str] | None = None,
) -> aws.eks.Addon:
    """A managed add-on at its pinned version, or EKS's default for the cluster's version.

    Resolving the default on every run means a ``kubernetes_version`` bump moves the
    add-ons too (after the control plane, whose name they wait for).
    """
    version: pulumi.Input[str] | None = target.versions.get(addon_name)
    if version is None:
        version = aws.eks.get_addon_version_output(
            addon_name=addon_name,
            kubernetes_version=target.kubernetes_version,
            most_recent=False,
            opts=pulumi.InvokeOutputOptions(parent=target.parent),
        ).version
    return aws.eks.Addon(
        f"{target.name}-{addon_name}",
        cluster_name=target.cluster_name,
        addon_name=addon_name,
        addon_version=version,
        configuration_values=json.dumps(config) if config else None,
        service_account_role_arn=service_account_role_arn,
        resolve_conflicts_on_create="OVERWRITE",
        resolve_conflicts_on_update="OVERWRITE",
        tags=dict(target.tags),
        opts=pulumi.ResourceOptions(
            parent=target.parent, depends_on=list(depends_on), protect=target.protect
        ),
    )


def vpc_cni(
    target: AddonTarget, role_name: str | None, cluster: ClusterRef
) -> tuple[aws.eks.Addon, IrsaRole | None]:
    """The VPC CNI add-on, with a role of its own (an :class:`IrsaRole` named ``role_name`` for
    ``kube-system/aws-node``, whose ServiceAccount EKS creates); with no role name, none: the
    nodes carry its policy."""
    if role_name is None:
        return managed_addon(target, "vpc-cni", []), None
    namespace, service_account = CNI_SERVICE_ACCOUNT
    role = IrsaRole(
        f"{target.name}-vpc-cni",
        WorkloadRoleArgs(
            cluster=cluster,
            namespace=namespace,
            service_account=service_account,
            managed_policy_arns=iam.managed(CNI_POLICY),
            create_service_account=False,  # the add-on's ServiceAccount is EKS's
            role=iam.RoleSettings(name=role_name, tags=dict(target.tags)),
        ),
        opts=pulumi.ResourceOptions(
            parent=target.parent, transformations=[_formerly_child_of(target.parent)]
        ),
    )
    addon = managed_addon(
        target, "vpc-cni", iam.children_of(role.role), service_account_role_arn=role.role_arn
    )
    return addon, role


def _formerly_child_of(parent: pulumi.Resource) -> pulumi.ResourceTransformation:
    """Until 0.3 the CNI's role and its policy attachment were children of the cluster: an
    alias keeps their URNs, so that the engine sees the same resources (no replacement)."""

    def alias(
        args: pulumi.ResourceTransformationArgs,
    ) -> pulumi.ResourceTransformationResult | None:
        if args.type_ not in _MOVED_TYPES:
            return None  # unchanged (the IrsaRole itself is new)
        moved = pulumi.ResourceOptions(aliases=[pulumi.Alias(parent=parent)])
        return pulumi.ResourceTransformationResult(
            args.props, pulumi.ResourceOptions.merge(args.opts, moved)
        )

    return alias


_MOVED_TYPES = ("aws:iam/role:Role", "aws:iam/rolePolicyAttachment:RolePolicyAttachment")


def workload_addons(
    target: AddonTarget,
    capacity: Sequence[pulumi.Resource],
    *,
    fargate_only: bool,
    pod_identity_agent: bool,
) -> dict[str, aws.eks.Addon]:
    """CoreDNS and (when asked) the Pod Identity agent, once there is capacity to run them."""
    # CoreDNS needs somewhere to run; on a Fargate-only cluster it must be told so.
    created = {
        "coredns": managed_addon(
            target, "coredns", capacity, {"computeType": "Fargate"} if fargate_only else None
        )
    }
    if pod_identity_agent:
        created[POD_IDENTITY_AGENT] = managed_addon(target, POD_IDENTITY_AGENT, capacity)
    return created
