"""The EKS managed add-ons of a cluster: ``vpc-cni``, ``kube-proxy``, ``coredns`` and
``eks-pod-identity-agent``.

Each goes through :func:`~components.cluster.managed_addon.create_addon`, as every add-on does:
an ``aws.eks.Addon`` at the version of its spec in ``EksClusterArgs.addons`` (or the older
``addon_versions``) or at EKS's default for the cluster's Kubernetes version, resolved on every
run, so that a ``kubernetes_version`` bump moves the add-ons too; its ``configuration_values``
merged with what the cluster sets (CoreDNS's ``computeType`` on a Fargate-only cluster). The order: ``vpc-cni`` and ``kube-proxy`` before the nodes (a node
becomes Ready only with a CNI), ``coredns`` and the Pod Identity agent once there is capacity
to run them. The VPC CNI (``kube-system/aws-node``) gets a role of its own, an ordinary
:class:`~components.identity.irsa.IrsaRole` with ``AmazonEKS_CNI_Policy``, unless the nodes
carry that policy.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import pulumi
import pulumi_aws as aws

from .. import validation as v
from ..identity import iam
from ..identity.cluster_ref import POD_IDENTITY_AGENT, ClusterRef
from ..identity.irsa import IrsaRole
from ..identity.workload_identity import WorkloadRoleArgs
from .addon_spec import AddonSpec, validate_addon_map, validate_addon_spec
from .managed_addon import AddonPlace, create_addon

CORE_ADDONS = ("vpc-cni", "kube-proxy", "coredns")
MANAGED_ADDONS = (*CORE_ADDONS, POD_IDENTITY_AGENT)
"""The add-ons every (managed-compute) cluster installs (the names ``addon_versions`` may pin)."""
CORE_IDENTITY = {
    "vpc-cni": "the cluster gives it its role (cni_role)",
    "kube-proxy": "it calls no AWS API",
    "coredns": "it calls no AWS API",
    POD_IDENTITY_AGENT: "it runs with the node role",
}
"""Why the core add-ons take no role from their spec."""
CORE_MANAGED_VALUES = {"coredns": {"computeType": "the cluster (Fargate-only: Fargate)"}}
"""Configuration the cluster sets on the core add-ons, by add-on and path."""
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
    specs: Mapping[str, AddonSpec] = field(default_factory=dict)
    """The cluster's ``addons`` map: the core add-ons' specs among them."""

    def spec(self, addon_name: str) -> AddonSpec:
        """The add-on's spec, with a version pinned in ``addon_versions`` when it gives none."""
        spec = self.specs.get(addon_name) or AddonSpec()
        pinned = self.versions.get(addon_name)
        return replace(spec, version=pinned) if spec.version is None and pinned else spec

    def place(self) -> AddonPlace:
        """Where :func:`create_addon` puts the cluster's add-ons."""
        return AddonPlace(
            parent=self.parent,
            cluster_name=self.cluster_name,
            kubernetes_version=self.kubernetes_version,
            tags=dict(self.tags),
            protect=self.protect,
            owner=f"EksCluster {self.name!r}",
        )


def managed_addon(
    target: AddonTarget,
    addon_name: str,
    depends_on: Sequence[pulumi.Resource],
    config: dict | None = None,
    service_account_role_arn: pulumi.Input[str] | None = None,
) -> aws.eks.Addon:
    """A core add-on at its spec's version, or EKS's default for the cluster's version.

    Resolving the default on every run means a ``kubernetes_version`` bump moves the
    add-ons too (after the control plane, whose name they wait for).
    """
    return create_addon(
        target.place(),
        f"{target.name}-{addon_name}",
        addon_name,
        target.spec(addon_name),
        depends_on=depends_on,
        managed_values=config,
        service_account_role_arn=service_account_role_arn,
    ).addon


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
            managed_policy_arns=iam.managed(
                CNI_POLICY, provider=target.parent.get_provider("aws:index:provider")
            ),
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


def validate_cluster_addons(
    addons: Mapping[str, AddonSpec],
    addon_versions: Mapping[str, str],
    *,
    fargate_only: bool,
    pod_identity_agent: bool,
) -> None:
    """``EksClusterArgs.addons`` and ``addon_versions``; errors name the add-on and field."""
    for addon_name, version in addon_versions.items():
        v.one_of(addon_name, MANAGED_ADDONS, "addon_versions")
        with v.nested(f"addon_versions[{addon_name!r}]"):
            validate_addon_spec(addon_name, AddonSpec(version=version))
        spec = addons.get(addon_name)
        v.require(
            spec is None or spec.version is None,
            f"addons[{addon_name!r}].version",
            f"{addon_name}'s version is also pinned in addon_versions; give it in one place "
            "(addons, addon_versions being the older spelling)",
        )
    managed = {"coredns": CORE_MANAGED_VALUES["coredns"]} if fargate_only else {}
    validate_addon_map(addons, "addons", managed=managed, identity_owners=CORE_IDENTITY)
    v.require(
        pod_identity_agent or POD_IDENTITY_AGENT not in addons,
        f"addons[{POD_IDENTITY_AGENT!r}]",
        "is listed, but pod_identity_agent is false; remove one of them",
    )
    for addon_name, spec in addons.items():
        v.require(
            pod_identity_agent or spec.identity != "pod-identity" or spec.service_account is None,
            f"addons[{addon_name!r}].identity",
            f"pod-identity needs the {POD_IDENTITY_AGENT} add-on (pod_identity_agent is false); "
            "use irsa, or install the agent",
        )
