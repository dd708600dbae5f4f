"""EKS managed add-ons by name: :func:`create_addon`, the one path every add-on goes through
(the cluster's four core add-ons, its ``addons`` map, the platform's EBS driver and
metrics-server), and :class:`ManagedAddon`, the same for a cluster of another program.

An add-on is an ``aws.eks.Addon`` at the spec's version, or at EKS's default (``latest``: the
most recent) version for the cluster's Kubernetes version, looked up on every run, so that a
``kubernetes_version`` bump moves it too; its configuration is the spec's mapping (with the
values its installer sets) as JSON; its role, when the spec names a ServiceAccount, is attached
through ``serviceAccountRoleArn`` (IRSA) or the add-on's Pod Identity association
(:mod:`.addon_role`). Every add-on is claimed on its cluster, so two components of one program
never install the same one.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pulumi
import pulumi_aws as aws

from .. import aws_context, naming, run_state
from .. import validation as v
from ..identity.cluster_ref import ClusterRef, as_cluster_ref
from ..identity.iam import children_of
from ..identity.workload_identity import WorkloadRole
from .addon_role import create_addon_role
from .addon_spec import LATEST, AddonSpec, validate_addon_name, validate_addon_spec
from .args import validate_kubernetes_version

if TYPE_CHECKING:
    from .eks_cluster import EksCluster

ADDON_KIND = "EKS add-on"
"""What the claims on a cluster call an add-on."""


@dataclass(frozen=True, kw_only=True)
class AddonPlace:
    """Where an add-on goes, and what every add-on there shares."""

    parent: pulumi.Resource
    """The component the add-on (and its role) are children of."""
    cluster_name: pulumi.Input[str]
    """The EKS cluster name (an output of the control plane, so the add-on waits for it)."""
    kubernetes_version: pulumi.Input[str]
    """The cluster's Kubernetes version, whose default add-on versions are used."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """AWS tags on the add-on (and its role, unless the spec's role has tags)."""
    protect: bool = False
    """Pulumi ``protect`` on the add-on."""
    cluster: ClusterRef | None = None
    """The cluster, for the add-on's role (needed when the spec names a ServiceAccount)."""
    aws_provider: pulumi.ProviderResource | None = None
    """The AWS provider for the cluster's account and region (None: the default one)."""
    owner: str = ""
    """The installer as errors name it (``EksCluster 'dev-eks'``)."""


@dataclass(frozen=True)
class CreatedAddon:
    """An add-on and its role (None: the spec names no ServiceAccount)."""

    addon: aws.eks.Addon
    role: WorkloadRole | None


def create_addon(
    place: AddonPlace,
    resource_name: str,
    addon_name: str,
    spec: AddonSpec,
    *,
    depends_on: Sequence[pulumi.Resource] = (),
    managed_values: Mapping[str, Any] | None = None,
    service_account_role_arn: pulumi.Input[str] | None = None,
) -> CreatedAddon:
    """The add-on ``addon_name`` per ``spec`` (validated before), named ``resource_name``.

    ``managed_values``: configuration the installer sets (merged under the spec's, whose
    overlapping paths its validation refused); ``service_account_role_arn``: a role the
    installer made itself (the VPC CNI's), for a spec that names none.
    """
    version: pulumi.Input[str]
    if spec.version is not None and spec.version != LATEST:
        version = spec.version
    else:
        version = aws.eks.get_addon_version_output(
            addon_name=addon_name,
            kubernetes_version=place.kubernetes_version,
            most_recent=spec.version == LATEST,
            opts=pulumi.InvokeOutputOptions(parent=place.parent, provider=place.aws_provider),
        ).version
    values = _merge(dict(managed_values or {}), dict(spec.configuration_values))
    role: WorkloadRole | None = None
    cluster_name = place.cluster_name
    needs = list(depends_on)
    associations = None
    if spec.service_account is not None:
        assert place.cluster is not None, "an add-on's role needs the cluster"
        role = create_addon_role(
            resource_name,
            addon_name,
            spec,
            place.cluster,
            dict(place.tags),
            pulumi.ResourceOptions(
                parent=place.parent,
                providers=[place.aws_provider] if place.aws_provider is not None else None,
            ),
        )
        needs += children_of(role.role)
        if spec.identity == "pod-identity":
            cluster_name, agent = place.cluster.pod_identity_ready(place.owner, place.aws_provider)
            needs += agent
            associations = [
                aws.eks.AddonPodIdentityAssociationArgs(
                    role_arn=role.role_arn, service_account=spec.service_account
                )
            ]
        else:
            service_account_role_arn = role.role_arn
    addon = aws.eks.Addon(
        resource_name,
        cluster_name=cluster_name,
        addon_name=addon_name,
        addon_version=version,
        configuration_values=json.dumps(values) if values else None,
        service_account_role_arn=service_account_role_arn,
        pod_identity_associations=associations,
        resolve_conflicts_on_create="OVERWRITE",
        resolve_conflicts_on_update="OVERWRITE",
        tags=dict(place.tags),
        opts=pulumi.ResourceOptions(
            parent=place.parent,
            depends_on=needs,
            protect=place.protect,
            provider=place.aws_provider,
        ),
    )
    return CreatedAddon(addon, role)


def _merge(base: dict[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """``override`` merged into ``base``: mappings key by key, anything else replaces."""
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(base.get(key), Mapping):
            base[key] = _merge(dict(base[key]), value)
        else:
            base[key] = value
    return base


def _for_child() -> set[tuple[int, str]]:
    """(component, add-on) pairs a component claimed for the :class:`ManagedAddon` it creates
    (this program run's: the components live as long as the run)."""
    pairs: set[tuple[int, str]] = run_state.registry("addons-for-child", set)
    return pairs


def claim_addon(
    cluster: ClusterRef,
    addon_name: str,
    owner: str,
    by: object,
    field: str,
    *,
    for_child: bool = False,
) -> None:
    """Record that ``by`` installs ``addon_name`` on ``cluster``; a second installer in this
    program is refused, naming both (EKS refuses a second add-on of a name at deploy time).
    ``for_child``: ``by`` installs it through a :class:`ManagedAddon` child, which then holds
    the same claim (so that ``by`` is refused before it registers anything)."""
    if for_child:
        _for_child().add((id(by), addon_name))
    naming.claim_object(
        cluster.provider,
        cluster.key,
        ADDON_KIND,
        "",
        addon_name,
        owner=owner,
        by=by,
        field=field,
        hint="install it once (the cluster's addons map, or one ManagedAddon)",
    )


def create_cluster_addons(
    cluster: EksCluster, name: str, place: AddonPlace, specs: Mapping[str, AddonSpec]
) -> dict[str, WorkloadRole]:
    """An ``EksCluster``'s ``addons`` map: claims the add-ons it made already (the core ones, in
    ``cluster.addons``), then makes each of ``specs`` not among them, once pods can run (the
    reference's workload dependencies), as children of the cluster named ``<name>-<add-on>``,
    adding them to ``cluster.addons``. Returns the roles made, by add-on."""
    ref = cluster.ref
    for addon_name in cluster.addons:
        claim_addon(ref, addon_name, place.owner, cluster, f"addons[{addon_name!r}]")
    roles: dict[str, WorkloadRole] = {}
    for addon_name, spec in specs.items():
        if addon_name in cluster.addons:
            continue
        claim_addon(ref, addon_name, place.owner, cluster, f"addons[{addon_name!r}]")
        made = create_addon(
            dataclasses.replace(place, cluster=ref),
            f"{name}-{addon_name}",
            addon_name,
            spec,
            depends_on=ref.workload_dependencies,
        )
        cluster.addons[addon_name] = made.addon
        if made.role is not None:
            roles[addon_name] = made.role
    return roles


@dataclass(kw_only=True)
class ManagedAddonArgs(AddonSpec):
    """Arguments of :class:`ManagedAddon`: the cluster, the add-on's name, and its
    :class:`~components.cluster.addon_spec.AddonSpec` fields."""

    cluster: EksCluster | ClusterRef
    """The cluster (an ``EksCluster``, or a ``ClusterRef`` of another program or stack)."""
    addon_name: str
    """The EKS add-on name, e.g. ``aws-efs-csi-driver`` (see the vendored list)."""
    kubernetes_version: str | None = None
    """The cluster's Kubernetes version, whose default add-on version is used. None: the
    reference's (``ClusterRef.kubernetes_version``), else looked up (``aws.eks.get_cluster``)."""
    deletion_protection: bool = False
    """Protect the add-on (Pulumi ``protect``)."""
    tags: dict[str, str] = field(default_factory=dict)
    """AWS tags on the add-on and its role."""


class ManagedAddon(pulumi.ComponentResource):
    """An EKS managed add-on on a cluster, with the IAM role of its ServiceAccount when asked.

    Creates, as children: the ``aws.eks.Addon`` (named as the component), and with
    ``service_account`` an :class:`~components.identity.irsa.IrsaRole` (``identity: irsa``) or a
    :class:`~components.cluster.addon_role.PodIdentityAddonRole` (``pod-identity``, bound by the
    add-on's Pod Identity association). The add-on waits for the cluster's capacity (an
    ``EksCluster``'s node groups and CoreDNS) and, with Pod Identity, its agent.

    Args: :class:`ManagedAddonArgs`. Outputs: ``addon_version``, ``role_arn`` (None without a
    role); ``ready`` is what objects using the add-on depend on.
    """

    addon: aws.eks.Addon
    """The add-on."""
    addon_version: pulumi.Output[str]
    """The version installed."""
    role: WorkloadRole | None
    """The ServiceAccount's role, when the spec names one."""
    role_arn: pulumi.Output[str] | None
    """Its ARN."""
    ready: list[pulumi.Resource]
    """What objects that use the add-on depend on (created after it, deleted before it)."""

    def __init__(
        self, name: str, args: ManagedAddonArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        """Install the add-on; see :class:`ManagedAddon`."""
        owner = f"ManagedAddon {name!r}"
        with v.component_errors("ManagedAddon", name):
            v.check_fields(args, ManagedAddonArgs)
            cluster = as_cluster_ref(args.cluster)
            validate_addon_name(args.addon_name, args.allow_unlisted, "addon_name")
            validate_addon_spec(args.addon_name, args)
            if args.kubernetes_version is not None:
                validate_kubernetes_version(args.kubernetes_version, "kubernetes_version")
            v.aws_tags(args.tags, "tags")
            parent = opts.parent if opts is not None else None
            claimant = parent if (id(parent), args.addon_name) in _for_child() else self
            claim_addon(cluster, args.addon_name, owner, claimant, "addon_name")
        super().__init__("eks-platform:index:ManagedAddon", name, None, opts)
        provider = aws_context.provider_of(opts) or cluster.aws_provider
        place = AddonPlace(
            parent=self,
            cluster_name=cluster.name,
            kubernetes_version=_kubernetes_version(args, cluster, provider),
            tags=dict(args.tags),
            protect=args.deletion_protection,
            cluster=cluster,
            aws_provider=provider,
            owner=owner,
        )
        made = create_addon(
            place, name, args.addon_name, args, depends_on=cluster.workload_dependencies
        )
        self.addon, self.role = made.addon, made.role
        self.addon_version = self.addon.addon_version
        self.role_arn = self.role.role_arn if self.role is not None else None
        self.ready = [self.addon]
        self.register_outputs(
            {
                "addonName": self.addon.addon_name,
                "addonVersion": self.addon_version,
                **({"roleArn": self.role_arn} if self.role_arn is not None else {}),
            }
        )


def _kubernetes_version(
    args: ManagedAddonArgs, cluster: ClusterRef, provider: pulumi.ProviderResource | None
) -> pulumi.Input[str]:
    """The given version, else the reference's, else the cluster's as EKS reports it."""
    if args.kubernetes_version is not None:
        return args.kubernetes_version

    def looked_up(known: Any) -> Any:
        if known:
            return known
        return aws.eks.get_cluster_output(
            name=cluster.name, opts=aws_context.invoke_options(provider)
        ).version

    if cluster.kubernetes_version is None:
        return looked_up(None)
    return pulumi.Output.from_input(cluster.kubernetes_version).apply(looked_up)


__all__ = [
    "AddonPlace",
    "CreatedAddon",
    "ManagedAddon",
    "ManagedAddonArgs",
    "claim_addon",
    "create_addon",
    "create_cluster_addons",
]
