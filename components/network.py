"""``Network``: the VPC an EKS cluster runs in.

Either a new VPC (pulumi-awsx ``ec2.Vpc``) with a public and a private subnet in
each of at least two availability zones, or an existing VPC adopted by its ids.
The subnets carry the tags the AWS Load Balancer Controller discovers them by:

* public subnets: ``kubernetes.io/role/elb=1`` (internet-facing load balancers),
* private subnets: ``kubernetes.io/role/internal-elb=1`` (internal load balancers),
* both: ``kubernetes.io/cluster/<cluster-name>=shared``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws
import pulumi_awsx as awsx

from . import validation as v

NAT_GATEWAY_STRATEGIES = ("None", "Single", "OnePerAz")
PUBLIC_ELB_TAG = "kubernetes.io/role/elb"
INTERNAL_ELB_TAG = "kubernetes.io/role/internal-elb"
KARPENTER_DISCOVERY_TAG = "karpenter.sh/discovery"
"""The tag Karpenter's EC2NodeClass selects subnets and security groups by (value: the cluster)."""


def cluster_tag(cluster_name: str) -> str:
    """The subnet tag key that marks a subnet as usable by cluster ``cluster_name``."""
    return f"kubernetes.io/cluster/{cluster_name}"


def subnet_tags(cluster_name: str, public: bool, karpenter: bool = False) -> dict[str, str]:
    """The discovery tags for a public or a private subnet of ``cluster_name``: load balancers,
    and (private subnets, when ``karpenter``) Karpenter's nodes."""
    role = PUBLIC_ELB_TAG if public else INTERNAL_ELB_TAG
    tags = {role: "1", cluster_tag(cluster_name): "shared"}
    if karpenter and not public:
        tags[KARPENTER_DISCOVERY_TAG] = cluster_name
    return tags


@dataclass(kw_only=True)
class ExistingVpcArgs:
    """An existing VPC to adopt instead of creating one."""

    vpc_id: str
    """The VPC id, ``vpc-...``."""
    private_subnet_ids: list[str]
    """Private subnets for nodes, Fargate pods and internal load balancers; at least two, in different AZs."""
    public_subnet_ids: list[str] = field(default_factory=list)
    """Public subnets for internet-facing load balancers; may be empty for a private-only cluster."""
    tag_subnets: bool = True
    """Add the load-balancer discovery tags to the subnets (``aws.ec2.Tag``, one per subnet and key)."""


@dataclass(kw_only=True)
class NetworkArgs:
    """Arguments of :class:`Network`."""

    cluster_name: str
    """Name of the EKS cluster that will use the subnets (for the ``kubernetes.io/cluster/<name>`` tag)."""
    availability_zones: int | list[str] = 2
    """How many AZs to spread over (at least 2), or their names, e.g. ``["us-west-2a", "us-west-2b"]``."""
    cidr_block: str = "10.0.0.0/16"
    """The VPC's IPv4 CIDR block."""
    nat_gateway_strategy: str = "Single"
    """``Single`` (one NAT gateway, cheap: dev), ``OnePerAz`` (survives an AZ outage: prod), or ``None``."""
    private_subnet_cidr_mask: int = 19
    """Prefix length of each private subnet. Pods take their IPs from these (VPC CNI), so keep them large."""
    public_subnet_cidr_mask: int = 22
    """Prefix length of each public subnet (load balancers and NAT gateways only)."""
    karpenter_discovery: bool = False
    """Tag the private subnets ``karpenter.sh/discovery: <cluster_name>``, so that Karpenter
    launches nodes in them (set when the stack runs Karpenter)."""
    existing_vpc: ExistingVpcArgs | None = None
    """Adopt this VPC instead of creating one; the fields above except ``cluster_name`` are then ignored."""
    tags: dict[str, str] = field(default_factory=dict)
    """AWS tags for every resource the component creates."""


class Network(pulumi.ComponentResource):
    """A VPC over at least two AZs with subnets tagged for EKS load-balancer discovery."""

    vpc_id: pulumi.Output[str]
    """The VPC id."""
    public_subnet_ids: pulumi.Output[list[str]]
    """Public subnet ids (one per AZ)."""
    private_subnet_ids: pulumi.Output[list[str]]
    """Private subnet ids (one per AZ); nodes and Fargate pods run here."""

    def __init__(
        self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        """Create or adopt the VPC; see :class:`Network`."""
        with v.component_errors("Network", name):
            v.check_fields(args, NetworkArgs)
            validate_args(args)
        super().__init__("eks-platform:index:Network", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        if args.existing_vpc is not None:
            existing = args.existing_vpc
            self.vpc_id = pulumi.Output.from_input(existing.vpc_id)
            self.public_subnet_ids = pulumi.Output.from_input(list(existing.public_subnet_ids))
            self.private_subnet_ids = pulumi.Output.from_input(list(existing.private_subnet_ids))
            if existing.tag_subnets:
                for public, ids in (
                    (True, existing.public_subnet_ids),
                    (False, existing.private_subnet_ids),
                ):
                    for subnet_id in ids:
                        tags = subnet_tags(args.cluster_name, public, args.karpenter_discovery)
                        for key, value in tags.items():
                            aws.ec2.Tag(
                                f"{name}-{subnet_id}-{key.rsplit('/', 1)[-1]}",
                                resource_id=subnet_id,
                                key=key,
                                value=value,
                                opts=child,
                            )
        else:
            az_args: dict[str, object] = (
                {"availability_zone_names": list(args.availability_zones)}
                if isinstance(args.availability_zones, list)
                else {"number_of_availability_zones": args.availability_zones}
            )
            vpc = awsx.ec2.Vpc(
                f"{name}-vpc",
                cidr_block=args.cidr_block,
                enable_dns_hostnames=True,
                enable_dns_support=True,
                subnet_strategy=awsx.ec2.SubnetAllocationStrategy.AUTO,
                nat_gateways=awsx.ec2.NatGatewayConfigurationArgs(
                    strategy=awsx.ec2.NatGatewayStrategy(args.nat_gateway_strategy)
                ),
                subnet_specs=[
                    awsx.ec2.SubnetSpecArgs(
                        type=awsx.ec2.SubnetType.PUBLIC,
                        cidr_mask=args.public_subnet_cidr_mask,
                        tags={**args.tags, **subnet_tags(args.cluster_name, public=True)},
                    ),
                    awsx.ec2.SubnetSpecArgs(
                        type=awsx.ec2.SubnetType.PRIVATE,
                        cidr_mask=args.private_subnet_cidr_mask,
                        tags={
                            **args.tags,
                            **subnet_tags(
                                args.cluster_name, public=False, karpenter=args.karpenter_discovery
                            ),
                        },
                    ),
                ],
                tags={**args.tags, "Name": f"{args.cluster_name}-vpc"},
                opts=child,
                **az_args,
            )
            self.vpc_id = vpc.vpc_id
            self.public_subnet_ids = vpc.public_subnet_ids
            self.private_subnet_ids = vpc.private_subnet_ids

        self.register_outputs(
            {
                "vpcId": self.vpc_id,
                "publicSubnetIds": self.public_subnet_ids,
                "privateSubnetIds": self.private_subnet_ids,
            }
        )


def validate_args(args: NetworkArgs) -> None:
    """Check NetworkArgs; raises ValueError naming the field."""
    v.cluster_name(args.cluster_name, "cluster_name")
    if args.existing_vpc is not None:
        existing = args.existing_vpc
        v.require(
            isinstance(existing.vpc_id, str) and existing.vpc_id.startswith("vpc-"),
            "existing_vpc.vpc_id",
            f"{existing.vpc_id!r} is not a VPC id (vpc-...)",
        )
        v.require(
            len(existing.private_subnet_ids) >= 2,
            "existing_vpc.private_subnet_ids",
            f"EKS needs at least 2 private subnets in different AZs, got {len(existing.private_subnet_ids)}",
        )
        for key in ("private_subnet_ids", "public_subnet_ids"):
            ids = getattr(existing, key)
            for i, subnet_id in enumerate(ids):
                v.require(
                    isinstance(subnet_id, str) and subnet_id.startswith("subnet-"),
                    f"existing_vpc.{key}[{i}]",
                    f"{subnet_id!r} is not a subnet id (subnet-...)",
                )
            v.unique(ids, f"existing_vpc.{key}", "subnet id")
        return

    azs = args.availability_zones
    if isinstance(azs, list):
        v.require(len(azs) >= 2, "availability_zones", f"needs at least 2 AZs, got {len(azs)}")
        v.unique(azs, "availability_zones", "AZ")
        az_count = len(azs)
    else:
        az_count = v.positive_int(azs, "availability_zones", minimum=2, maximum=6)
    v.cidr(args.cidr_block, "cidr_block")
    v.one_of(args.nat_gateway_strategy, NAT_GATEWAY_STRATEGIES, "nat_gateway_strategy")
    vpc_prefix = int(args.cidr_block.split("/")[1])
    v.require(
        16 <= vpc_prefix <= 24, "cidr_block", f"VPC prefix must be /16 to /24, got /{vpc_prefix}"
    )
    private = v.positive_int(args.private_subnet_cidr_mask, "private_subnet_cidr_mask", 16, 28)
    public = v.positive_int(args.public_subnet_cidr_mask, "public_subnet_cidr_mask", 16, 28)
    az_prefix = vpc_prefix + math.ceil(math.log2(az_count))
    v.require(
        2 ** (32 - private) + 2 ** (32 - public) <= 2 ** (32 - az_prefix),
        "private_subnet_cidr_mask",
        f"a /{private} private and a /{public} public subnet do not fit in each AZ's /{az_prefix} "
        f"share of {args.cidr_block}; use longer masks or a larger VPC",
    )
