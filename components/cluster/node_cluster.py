"""Where a :class:`~components.cluster.node_group.NodeGroup` goes: what it takes from the cluster
it joins (``cluster=``, an ``EksCluster`` or a ``ClusterRef``) or from its explicit fields, and
the node role and access entry it creates when the cluster has no role for it.

:func:`resolve` turns the arguments into a :class:`NodePlacement`, refusing a mix that would be
ambiguous (``cluster`` with ``cluster_name``; neither), naming the field:

* ``cluster=``: the name, the private subnets, the Kubernetes version and the node security
  group are the cluster's; the node role is ``node_role_arn``, else the reference's
  (``ClusterRef.node_role_arn``: an ``EksCluster`` hands out its first node group's), else a
  role the group creates (:data:`NODE_POLICIES`). A role that is not the cluster's gets an
  ``EC2_LINUX`` access entry (``EC2_WINDOWS`` for Windows AMIs), created before the group: EKS
  makes one itself for a managed node group's role unless one exists, and one made after it
  would collide (409). ``access_entry`` overrides the choice.
* without it: ``cluster_name``, ``node_role_arn`` and ``subnet_ids`` are all required, and no
  access entry is made unless ``access_entry`` asks (``EksCluster``'s own groups: EKS makes
  theirs).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pulumi
import pulumi_aws as aws

from .. import validation as v
from ..identity import iam
from ..identity.cluster_ref import ClusterRef, as_cluster_ref

if TYPE_CHECKING:
    from .node_group import NodeGroupArgs

NODE_POLICIES = ("AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryPullOnly")
"""What every node needs: join the cluster, pull images. The CNI's ENI permissions go to the
CNI's own role; Session Manager (``AmazonSSMManagedInstanceCore``) only to groups that ask."""
SSM_POLICY = "AmazonSSMManagedInstanceCore"
CNI_POLICY = "AmazonEKS_CNI_Policy"
WINDOWS_AMI_PREFIX = "WINDOWS_"


@dataclass(frozen=True)
class NodePlacement:
    """What a node group joins and runs as, resolved from its arguments."""

    cluster_name: pulumi.Input[str]
    subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]]
    kubernetes_version: pulumi.Input[str] | None
    security_group_ids: pulumi.Input[Sequence[pulumi.Input[str]]] | None
    role_arn: pulumi.Input[str] | None
    """The node role; None: the group creates one."""
    access_entry: bool
    """Whether the group creates the access entry of its role."""
    cni_policy: bool
    """Whether a role the group creates carries ``AmazonEKS_CNI_Policy``."""
    aws_provider: pulumi.ProviderResource | None
    """The cluster reference's AWS provider (None: the default one)."""
    depends_on: tuple[pulumi.Resource, ...] = ()
    """What the nodes need before they boot (the cluster's VPC CNI and kube-proxy)."""


def resolve(args: NodeGroupArgs, owner: str) -> NodePlacement:
    """The placement of a node group; raises ``InvalidArgument`` naming the field."""
    if args.cluster is None:
        return _explicit(args)
    ref = as_cluster_ref(args.cluster, "cluster")
    v.require(
        args.cluster_name is None,
        "cluster_name",
        "give cluster or cluster_name, not both: with cluster the name is the cluster's",
    )
    v.require(
        getattr(args.cluster, "compute", None) != "auto-mode",
        "cluster",
        "the cluster runs EKS Auto Mode (compute auto-mode), which launches its own nodes; "
        "managed node groups need compute managed (or declare auto_mode.node_pools)",
    )
    subnets = args.subnet_ids if args.subnet_ids is not None else ref.private_subnet_ids
    v.require(
        subnets is not None,
        "subnet_ids",
        f"the cluster reference {ref.key!r} carries no private subnets: give subnet_ids, or "
        "build the reference with them (ClusterRef.existing(private_subnet_ids=...))",
    )
    assert subnets is not None
    groups: Any = args.security_group_ids
    if groups is None and ref.node_security_group_id is not None:
        groups = pulumi.Output.from_input(ref.node_security_group_id).apply(
            lambda sg: [sg] if sg else None
        )
    role = args.node_role_arn if args.node_role_arn is not None else ref.node_role_arn
    cluster_role = role is not None and (
        role is ref.node_role_arn or (isinstance(role, str) and role == ref.node_role_arn)
    )
    addons = getattr(args.cluster, "addons", None) or {}
    return NodePlacement(
        cluster_name=ref.name,
        subnet_ids=_known(subnets, "subnet_ids", owner, "privateSubnetIds"),
        kubernetes_version=args.kubernetes_version
        if args.kubernetes_version is not None
        else ref.kubernetes_version,
        security_group_ids=groups,
        role_arn=role,
        # The reference's own role has its entry; any other role needs one.
        access_entry=args.access_entry if args.access_entry is not None else not cluster_role,
        cni_policy=args.cni_policy if args.cni_policy is not None else _cni_on_nodes(args, ref),
        aws_provider=ref.aws_provider,
        depends_on=tuple(addons[k] for k in ("vpc-cni", "kube-proxy") if k in addons),
    )


def _explicit(args: NodeGroupArgs) -> NodePlacement:
    for field_name in ("cluster_name", "node_role_arn", "subnet_ids"):
        v.require(
            getattr(args, field_name) is not None,
            "cluster" if field_name == "cluster_name" else field_name,
            "give cluster (an EksCluster or a ClusterRef), or cluster_name, node_role_arn "
            "and subnet_ids",
        )
    assert args.cluster_name is not None and args.subnet_ids is not None
    return NodePlacement(
        cluster_name=args.cluster_name,
        subnet_ids=args.subnet_ids,
        kubernetes_version=args.kubernetes_version,
        security_group_ids=args.security_group_ids,
        role_arn=args.node_role_arn,
        access_entry=bool(args.access_entry),
        cni_policy=bool(args.cni_policy),
        aws_provider=None,
    )


def _cni_on_nodes(args: NodeGroupArgs, ref: ClusterRef) -> bool:
    """An ``EksCluster`` whose VPC CNI has no role of its own (``cni_role=False``) gives the
    nodes its policy; a reference's CNI is assumed to have one (the platform's stacks do)."""
    return args.cluster is not ref and getattr(args.cluster, "cni_role", True) is None


def _known(value: Any, field_name: str, owner: str, output: str) -> Any:
    """``value``; an Output of the reference that resolves to nothing fails, naming the field."""
    if not isinstance(value, pulumi.Output):
        return value

    def check(resolved: Any) -> Any:
        if resolved is None:
            raise v.InvalidArgument(
                field_name,
                f"the cluster's stack exports no {output}: give {field_name}",
                owner,
            )
        return resolved

    return value.apply(check)


def known_version(version: pulumi.Input[str], owner: str) -> pulumi.Input[str]:
    """The Kubernetes version, failing at deploy time, naming the field, when the cluster's
    stack exports none."""
    return _known(version, "kubernetes_version", owner, "kubernetesVersion")


def create_node_role(
    name: str,
    role_name: str,
    ssm_access: bool,
    cni_policy: bool,
    tags: dict[str, str],
    parent: pulumi.Resource,
) -> aws.iam.Role:
    """The role a group on a cluster without one for it runs as: ``<name>-node``."""
    policies = [
        *NODE_POLICIES,
        *([CNI_POLICY] if cni_policy else []),
        *([SSM_POLICY] if ssm_access else []),
    ]
    return iam.create_role(
        f"{name}-node",
        role_name=role_name,
        trust_policy=iam.service_trust_policy("ec2.amazonaws.com"),
        settings=iam.RoleSettings(tags=tags),
        parent=parent,
        managed_policy_arns=iam.managed(
            *policies, provider=parent.get_provider("aws:index:provider")
        ),
    )


def create_access_entry(
    name: str,
    cluster_name: pulumi.Input[str],
    role_arn: pulumi.Input[str],
    ami_type: str,
    tags: dict[str, str],
    opts: pulumi.ResourceOptions,
) -> aws.eks.AccessEntry:
    """The access entry that lets the nodes of a role join the cluster (``EC2_LINUX``, or
    ``EC2_WINDOWS`` for Windows AMIs); EKS grants such entries their permissions itself."""
    return aws.eks.AccessEntry(
        f"{name}-node",
        cluster_name=cluster_name,
        principal_arn=role_arn,
        type="EC2_WINDOWS" if ami_type.startswith(WINDOWS_AMI_PREFIX) else "EC2_LINUX",
        tags=tags,
        opts=opts,
    )
