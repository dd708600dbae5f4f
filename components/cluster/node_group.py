"""``NodeGroup``: an EKS managed node group on its own EC2 launch template, on a cluster given
as ``cluster=`` (an ``EksCluster`` or a ``ClusterRef``: :mod:`.node_cluster` derives what the
group takes from it) or by name; and :func:`create_node_groups`, a cluster's node groups with
their node roles.

The launch template is where the node hardening lives:

* an encrypted gp3 root volume of a given size,
* IMDSv2 required with a hop limit of 1, so pods (one network hop further away
  than the node) cannot read the node role's credentials from the instance
  metadata service and must use their own role (IRSA or Pod Identity),
* AWS tags propagated to the instances and volumes,
* optional user data, wrapped in the MIME multipart envelope that managed node
  groups require.
"""

from __future__ import annotations

import base64
import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pulumi
import pulumi_aws as aws

from .. import aws_context, naming
from .. import validation as v
from ..identity import iam
from .node_cluster import (
    NODE_POLICIES,
    SSM_POLICY,
    create_access_entry,
    create_node_role,
    known_version,
    resolve,
)

if TYPE_CHECKING:
    from ..identity.cluster_ref import ClusterRef
    from .eks_cluster import EksCluster

# Taint effects as Kubernetes writes them -> as the EKS API wants them.
TAINT_EFFECTS = ("NO_SCHEDULE", "NO_EXECUTE", "PREFER_NO_SCHEDULE")
"""Taint effects as the EKS node group API spells them."""
CAPACITY_TYPES = ("ON_DEMAND", "SPOT")
"""Capacity types as the EKS node group API spells them (Karpenter spells them otherwise)."""
_TAINT_EFFECTS = {
    "NoSchedule": "NO_SCHEDULE",
    "NoExecute": "NO_EXECUTE",
    "PreferNoSchedule": "PREFER_NO_SCHEDULE",
    **{e: e for e in TAINT_EFFECTS},
}
_MIME_BOUNDARY = "==EKSPLATFORM=="

# The AMI types EKS offers for managed node groups, and where SSM publishes the newest release
# of each for a Kubernetes version ({v}); CUSTOM and Windows types have no release to follow.
AMI_RELEASE_PARAMETERS: dict[str, str | None] = {
    "AL2023_x86_64_STANDARD": "/aws/service/eks/optimized-ami/{v}/amazon-linux-2023/x86_64/standard/recommended/release_version",
    "AL2023_ARM_64_STANDARD": "/aws/service/eks/optimized-ami/{v}/amazon-linux-2023/arm64/standard/recommended/release_version",
    "AL2023_x86_64_NVIDIA": "/aws/service/eks/optimized-ami/{v}/amazon-linux-2023/x86_64/nvidia/recommended/release_version",
    "AL2023_ARM_64_NVIDIA": "/aws/service/eks/optimized-ami/{v}/amazon-linux-2023/arm64/nvidia/recommended/release_version",
    "AL2023_x86_64_NEURON": "/aws/service/eks/optimized-ami/{v}/amazon-linux-2023/x86_64/neuron/recommended/release_version",
    "AL2_x86_64": "/aws/service/eks/optimized-ami/{v}/amazon-linux-2/recommended/release_version",
    "AL2_x86_64_GPU": "/aws/service/eks/optimized-ami/{v}/amazon-linux-2-gpu/recommended/release_version",
    "AL2_ARM_64": "/aws/service/eks/optimized-ami/{v}/amazon-linux-2-arm64/recommended/release_version",
    "BOTTLEROCKET_x86_64": "/aws/service/bottlerocket/aws-k8s-{v}/x86_64/latest/image_version",
    "BOTTLEROCKET_ARM_64": "/aws/service/bottlerocket/aws-k8s-{v}/arm64/latest/image_version",
    "BOTTLEROCKET_x86_64_NVIDIA": "/aws/service/bottlerocket/aws-k8s-{v}-nvidia/x86_64/latest/image_version",
    "BOTTLEROCKET_ARM_64_NVIDIA": "/aws/service/bottlerocket/aws-k8s-{v}-nvidia/arm64/latest/image_version",
    "BOTTLEROCKET_x86_64_FIPS": "/aws/service/bottlerocket/aws-k8s-{v}-fips/x86_64/latest/image_version",
    "BOTTLEROCKET_ARM_64_FIPS": "/aws/service/bottlerocket/aws-k8s-{v}-fips/arm64/latest/image_version",
    "CUSTOM": None,
    "WINDOWS_CORE_2019_x86_64": None,
    "WINDOWS_FULL_2019_x86_64": None,
    "WINDOWS_CORE_2022_x86_64": None,
    "WINDOWS_FULL_2022_x86_64": None,
}
AMI_TYPES = tuple(AMI_RELEASE_PARAMETERS)
NODE_GROUP_PREFIX_MAX = 36
"""Longest node group name prefix: EKS adds a 26-character suffix, and names end at 63."""


@dataclass(kw_only=True)
class Taint:
    """A Kubernetes taint put on every node of the group."""

    key: str
    """Taint key, e.g. ``dedicated`` or ``example.com/gpu``."""
    effect: str
    """``NoSchedule``, ``NoExecute`` or ``PreferNoSchedule`` (or the EKS spelling ``NO_SCHEDULE`` ...)."""
    value: str = ""
    """Taint value (may be empty)."""


@dataclass(kw_only=True)
class NodeGroupSpec:
    """What a managed node group looks like; the part of :class:`NodeGroupArgs` a stack configures."""

    instance_types: list[str] = field(default_factory=lambda: ["t3.medium"])
    """EC2 instance types; several types make SPOT capacity more available."""
    capacity_type: str = "ON_DEMAND"
    """``ON_DEMAND`` or ``SPOT``."""
    min_size: int = 1
    """Minimum number of nodes."""
    desired_size: int = 2
    """Initial number of nodes (later changes by an autoscaler are not reverted by ``pulumi up``)."""
    max_size: int = 3
    """Maximum number of nodes."""
    disk_size_gib: int = 50
    """Size in GiB of the volume that holds images and pod data (encrypted gp3): the root volume,
    or on Bottlerocket the data volume (``/dev/xvdb``; its OS volume keeps its own size)."""
    ami_type: str = "AL2023_x86_64_STANDARD"
    """EKS AMI type, e.g. ``AL2023_x86_64_STANDARD``, ``AL2023_ARM_64_STANDARD``, ``BOTTLEROCKET_x86_64``."""
    labels: dict[str, str] = field(default_factory=dict)
    """Kubernetes labels on every node."""
    taints: list[Taint] = field(default_factory=list)
    """Kubernetes taints on every node."""
    tags: dict[str, str] = field(default_factory=dict)
    """AWS tags on the node group and, through the launch template, on its instances and volumes."""
    user_data: str | None = None
    """Extra user data: a shell script (wrapped in MIME multipart for you) or a full MIME multipart document."""
    ssm_access: bool = False
    """Let operators open a shell on the nodes through Session Manager
    (``AmazonSSMManagedInstanceCore`` on the group's role); no SSH key or open port either way."""
    release_version: str | None = None
    """Pin the AMI release (e.g. ``1.35.0-20261101``). Default: the newest release for the
    cluster's Kubernetes version and the AMI type, looked up on every run, so ``pulumi up``
    rolls the nodes onto AMI patches as AWS publishes them."""


@dataclass(kw_only=True)
class NodeGroupArgs:
    """Arguments of :class:`NodeGroup`: ``cluster``, or ``cluster_name``, ``node_role_arn`` and
    ``subnet_ids``."""

    cluster: EksCluster | ClusterRef | None = None
    """The cluster to join (an ``EksCluster``, or a ``ClusterRef`` such as
    ``ClusterRef.from_stack(...)``): its name, private subnets, Kubernetes version and node
    security group, and the node role it hands out (else the group creates one, with an access
    entry). The fields below override what it gives, except ``cluster_name``."""
    cluster_name: pulumi.Input[str] | None = None
    """Name of the EKS cluster to join, without ``cluster``."""
    node_role_arn: pulumi.Input[str] | None = None
    """IAM role the nodes run as (worker node and ECR pull policies attached); required without
    ``cluster``. With it: default the cluster's node role, else one the group creates."""
    subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]] | None = None
    """Subnets to launch nodes in; required without ``cluster`` (default: its private subnets)."""
    kubernetes_version: pulumi.Input[str] | None = None
    """The cluster's Kubernetes version: the nodes follow it (and its newest AMI release unless
    ``spec.release_version`` pins one). None: the cluster's, else EKS's choice at creation."""
    security_group_ids: list[pulumi.Input[str]] | None = None
    """Security groups of the nodes (they must include the cluster security group, or nodes and
    control plane cannot talk). Default: the cluster's node security group, else EKS's."""
    access_entry: bool | None = None
    """Create the ``EC2_LINUX`` access entry of the node role (before the group). Default: with
    ``cluster``, when the role is not the cluster's own; without, never."""
    cni_policy: bool | None = None
    """Give a role the group creates ``AmazonEKS_CNI_Policy`` (when the cluster's VPC CNI has no
    role of its own). Default: as the ``EksCluster``'s own groups; False on a ``ClusterRef``."""
    spec: NodeGroupSpec = field(default_factory=NodeGroupSpec)
    """Sizes, instance types, labels, taints, tags and user data."""


class NodeGroup(pulumi.ComponentResource):
    """An EKS managed node group on a hardened launch template."""

    node_group_name: pulumi.Output[str]
    """The node group's name in EKS."""
    launch_template_id: pulumi.Output[str]
    """The launch template id."""

    def __init__(
        self, name: str, args: NodeGroupArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        """Create the role and access entry (when the cluster has no role for it), the launch
        template and the node group; see :class:`NodeGroup`."""
        owner = f"NodeGroup {name!r}"
        with v.component_errors("NodeGroup", name):
            v.check_fields(args, NodeGroupArgs)
            validate_spec(args.spec, "spec")
            place = resolve(args, owner)
            role_name = (
                iam.resolve_role_name(f"{name}-node", iam.RoleSettings(), owner, self, "node_role")
                if place.role_arn is None
                else None
            )
        if place.aws_provider is not None and aws_context.provider_of(opts) is None:
            opts = pulumi.ResourceOptions.merge(
                opts, pulumi.ResourceOptions(providers={aws_context.AWS: place.aws_provider})
            )
        super().__init__("eks-platform:index:NodeGroup", name, None, opts)
        spec = args.spec
        child = pulumi.ResourceOptions(parent=self)
        self.role = (
            None
            if role_name is None
            else create_node_role(
                name, role_name, spec.ssm_access, place.cni_policy, spec.tags, self
            )
        )
        self.role_arn = pulumi.Output.from_input(self.role.arn if self.role else place.role_arn)
        self.access_entry = (
            create_access_entry(
                name, place.cluster_name, self.role_arn, spec.ami_type, spec.tags, child
            )
            if place.access_entry
            else None
        )
        version = (
            known_version(place.kubernetes_version, owner)
            if place.kubernetes_version is not None
            else None
        )

        template = aws.ec2.LaunchTemplate(
            f"{name}-lt",
            description=f"EKS managed node group {name}",
            update_default_version=True,
            block_device_mappings=[
                aws.ec2.LaunchTemplateBlockDeviceMappingArgs(
                    # Bottlerocket keeps images and pods on its second (data) volume.
                    device_name="/dev/xvdb"
                    if spec.ami_type.startswith("BOTTLEROCKET")
                    else "/dev/xvda",
                    ebs=aws.ec2.LaunchTemplateBlockDeviceMappingEbsArgs(
                        volume_size=spec.disk_size_gib,
                        volume_type="gp3",
                        encrypted="true",
                        delete_on_termination="true",
                    ),
                )
            ],
            metadata_options=aws.ec2.LaunchTemplateMetadataOptionsArgs(
                http_endpoint="enabled",
                http_tokens="required",
                http_put_response_hop_limit=1,
            ),
            tag_specifications=[
                aws.ec2.LaunchTemplateTagSpecificationArgs(
                    resource_type=kind, tags={**spec.tags, "Name": name}
                )
                for kind in ("instance", "volume")
            ],
            user_data=mime_user_data(spec.user_data) if spec.user_data else None,
            vpc_security_group_ids=place.security_group_ids,
            tags=spec.tags,
            opts=child,
        )
        group = aws.eks.NodeGroup(
            name,
            cluster_name=place.cluster_name,
            # A prefix, not a fixed name: a change that replaces the group (instance types,
            # capacity type, AMI type, disk, subnets) creates the new one beside the old one.
            # EKS appends 26 characters to the prefix and allows 63 in all.
            node_group_name_prefix=naming.shorten(name, NODE_GROUP_PREFIX_MAX) + "-",
            version=version,
            release_version=release_version(spec, version, self),
            node_role_arn=self.role_arn,
            subnet_ids=place.subnet_ids,
            ami_type=spec.ami_type,
            capacity_type=spec.capacity_type,
            instance_types=spec.instance_types,
            scaling_config=aws.eks.NodeGroupScalingConfigArgs(
                min_size=spec.min_size, desired_size=spec.desired_size, max_size=spec.max_size
            ),
            update_config=aws.eks.NodeGroupUpdateConfigArgs(max_unavailable=1),
            launch_template=aws.eks.NodeGroupLaunchTemplateArgs(
                id=template.id, version=template.latest_version.apply(str)
            ),
            labels=spec.labels,
            taints=[
                aws.eks.NodeGroupTaintArgs(
                    key=t.key, value=t.value or None, effect=_TAINT_EFFECTS[t.effect]
                )
                for t in spec.taints
            ],
            tags=spec.tags,
            # A component's depends_on does not reach its children: pass it on (e.g. the CNI
            # add-on), with the role's policies and access entry (the nodes go before them).
            # An autoscaler (Cluster Autoscaler, Karpenter) owns the current size once running.
            opts=pulumi.ResourceOptions(
                parent=self,
                depends_on=[
                    *_as_list(opts.depends_on if opts else None),
                    *place.depends_on,
                    *(iam.children_of(self.role) if self.role else []),
                    *([self.access_entry] if self.access_entry else []),
                ],
                ignore_changes=["scalingConfig.desiredSize"],
            ),
        )
        self.node_group_name = group.node_group_name
        self.launch_template_id = template.id
        self.resource = group
        self.register_outputs(
            {
                "nodeGroupName": self.node_group_name,
                "launchTemplateId": self.launch_template_id,
                "roleArn": self.role_arn,
            }
        )


def create_node_groups(
    *,
    groups: Mapping[str, NodeGroupSpec],
    role_prefix: str,
    cluster_name: str,
    eks_cluster_name: pulumi.Input[str],
    role_names: Mapping[str, str],
    extra_policies: Sequence[str],
    subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]],
    kubernetes_version: str,
    tags: dict[str, str],
    depends_on: Sequence[pulumi.Resource],
    protect: bool,
    parent: pulumi.Resource,
) -> tuple[dict[str, NodeGroup], dict[str, aws.iam.Role]]:
    """A cluster's node groups (``<cluster_name>-<group>``), each with its node role
    (``<role_prefix>-<group>-node``: :data:`NODE_POLICIES`, ``extra_policies``, and Session
    Manager for groups that ask), children of ``parent``; returns the groups and the roles.

    The nodes wait for ``depends_on`` (the CNI) and their role's policies (and are deleted
    before them); ``eks_cluster_name`` (an output of the control plane) is what they join.
    """
    created: dict[str, NodeGroup] = {}
    roles: dict[str, aws.iam.Role] = {}
    for group_name, spec in groups.items():
        policies = [*NODE_POLICIES, *extra_policies, *([SSM_POLICY] if spec.ssm_access else [])]
        roles[group_name] = role = iam.create_role(
            f"{role_prefix}-{group_name}-node",
            role_name=role_names[group_name],
            trust_policy=iam.service_trust_policy("ec2.amazonaws.com"),
            settings=iam.RoleSettings(tags=tags),
            parent=parent,
            managed_policy_arns=iam.managed(
                *policies, provider=parent.get_provider("aws:index:provider")
            ),
        )
        created[group_name] = NodeGroup(
            f"{cluster_name}-{group_name}",
            NodeGroupArgs(
                cluster_name=eks_cluster_name,
                node_role_arn=role.arn,
                subnet_ids=subnet_ids,
                kubernetes_version=kubernetes_version,
                spec=dataclasses.replace(spec, tags={**tags, **spec.tags}),
            ),
            opts=pulumi.ResourceOptions(
                parent=parent,
                depends_on=[*depends_on, *iam.children_of(role)],
                protect=protect,
            ),
        )
    return created, roles


def release_version(
    spec: NodeGroupSpec, kubernetes_version: pulumi.Input[str] | None, parent: pulumi.Resource
) -> pulumi.Input[str] | None:
    """The pinned AMI release, or the newest one SSM publishes for the version and AMI type."""
    if spec.release_version is not None:
        return spec.release_version
    parameter = AMI_RELEASE_PARAMETERS.get(spec.ami_type)
    if parameter is None or kubernetes_version is None:
        return None
    name = (
        parameter.format(v=kubernetes_version)
        if isinstance(kubernetes_version, str)
        else pulumi.Output.all(kubernetes_version).apply(lambda a: parameter.format(v=a[0]))
    )
    return aws.ssm.get_parameter_output(
        name=name, opts=pulumi.InvokeOutputOptions(parent=parent)
    ).value


def _as_list(value: object) -> list[pulumi.Resource]:
    """A ``depends_on`` option as a list (it may be one resource, a list, or None)."""
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]  # type: ignore[list-item]


def mime_user_data(user_data: str) -> str:
    """Base64 user data for a managed node group's launch template.

    Managed node groups merge their own bootstrap with the launch template's user
    data and require MIME multipart; a plain shell script is wrapped in one part.
    """
    if user_data.lstrip().startswith("MIME-Version"):
        document = user_data
    else:
        document = (
            f'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="{_MIME_BOUNDARY}"\n\n'
            f'--{_MIME_BOUNDARY}\nContent-Type: text/x-shellscript; charset="us-ascii"\n\n'
            f"{user_data.rstrip()}\n\n--{_MIME_BOUNDARY}--\n"
        )
    return base64.b64encode(document.encode()).decode()


def validate_spec(spec: NodeGroupSpec, field_name: str) -> None:
    """Check a node group spec; errors name ``<field_name>.<attribute>``."""
    f = field_name
    v.non_empty_strings(spec.instance_types, f"{f}.instance_types")
    v.one_of(spec.capacity_type, CAPACITY_TYPES, f"{f}.capacity_type")
    v.positive_int(spec.min_size, f"{f}.min_size", minimum=0)
    v.positive_int(spec.desired_size, f"{f}.desired_size", minimum=0)
    v.positive_int(spec.max_size, f"{f}.max_size", minimum=1)
    v.require(
        spec.min_size <= spec.desired_size,
        f"{f}.min_size",
        f"must be <= desired_size ({spec.min_size} > {spec.desired_size})",
    )
    v.require(
        spec.desired_size <= spec.max_size,
        f"{f}.desired_size",
        f"must be <= max_size ({spec.desired_size} > {spec.max_size})",
    )
    v.positive_int(spec.disk_size_gib, f"{f}.disk_size_gib", minimum=20, maximum=16384)
    v.require(
        spec.ami_type in AMI_TYPES,
        f"{f}.ami_type",
        f"{spec.ami_type!r} is not an EKS AMI type ({', '.join(AMI_TYPES)})",
    )
    v.labels(spec.labels, f"{f}.labels")
    for i, taint in enumerate(spec.taints):
        v.label_key(taint.key, f"{f}.taints[{i}].key")
        if taint.value:
            v.label_value(taint.value, f"{f}.taints[{i}].value")
        v.one_of(taint.effect, _TAINT_EFFECTS, f"{f}.taints[{i}].effect")
