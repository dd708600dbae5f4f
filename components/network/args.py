"""What :class:`~components.network.Network` takes: :class:`NetworkArgs` (and
:class:`ExistingVpcArgs` for a VPC it adopts), and the subnet tags EKS's load balancers and
Karpenter discover subnets by."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..identity.iam import RoleSettings

NAT_GATEWAY_STRATEGIES = ("None", "Single", "OnePerAz")
NAT_KINDS = ("gateway", "instance")
"""What ``nat`` takes: AWS NAT gateways, or one NAT instance (:mod:`.nat_instance`)."""
PUBLIC_ELB_TAG = "kubernetes.io/role/elb"
INTERNAL_ELB_TAG = "kubernetes.io/role/internal-elb"
KARPENTER_DISCOVERY_TAG = "karpenter.sh/discovery"
"""The tag Karpenter's EC2NodeClass selects subnets and security groups by (value: the cluster)."""
# The retention periods CloudWatch Logs accepts, in days.
LOG_RETENTION_DAYS: tuple[int, ...] = (
    *(1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731),
    *(1096, 1827, 2192, 2557, 2922, 3288, 3653),
)
DEFAULT_FLOW_LOG_RETENTION_DAYS = 90
"""Three months: long enough to investigate an incident noticed late, bounded in cost."""


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
    private_route_table_ids: list[str] | None = None
    """Route tables of the private subnets, for gateway endpoints (``vpc_endpoints``: ``s3``).
    None: looked up, as the route tables explicitly associated with the private subnets; a
    subnet that uses the VPC's main route table implicitly is not found that way, so list
    that table here."""


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
    """``Single`` (one NAT gateway, cheap: staging; or, with ``nat: instance``, one NAT instance:
    dev), ``OnePerAz`` (survives an AZ outage: prod), or ``None``."""
    nat: str = "gateway"
    """What the private subnets reach the internet through: ``gateway`` (AWS NAT gateways, as
    many as ``nat_gateway_strategy`` says) or ``instance`` (one EC2 NAT instance in the first
    public subnet, about a tenth of a NAT gateway's hourly price and no per-GB charge; a single
    instance: when it fails, the nodes have no egress until it is recovered or replaced; for
    dev). ``instance`` needs ``nat_gateway_strategy: Single`` and a new VPC."""
    nat_instance_type: str = "t4g.nano"
    """The NAT instance's type (``nat: instance``): Graviton (``t4g``, ``c7g``, ...) runs the
    arm64 AMI, any other the x86_64 one. A ``t4g.nano`` bursts to 5 Gbit/s, with a baseline of
    about 32 Mbit/s once its network credits are spent."""
    nat_instance_ami: str | None = None
    """Pin the NAT instance's AMI (``ami-...``). None: the newest Amazon Linux 2023 AMI for the
    type's architecture, read on every run from AWS's public SSM parameter
    ``/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-<arch>``; a new release
    then replaces the instance on the next ``pulumi up`` (its patches with it)."""
    nat_instance_role: RoleSettings = field(default_factory=RoleSettings)
    """The NAT instance role's name, path, permissions boundary and tags (the role has
    ``AmazonSSMManagedInstanceCore`` only: Session Manager instead of SSH)."""
    private_subnet_cidr_mask: int = 19
    """Prefix length of each private subnet. Pods take their IPs from these (VPC CNI), so keep them large."""
    public_subnet_cidr_mask: int = 22
    """Prefix length of each public subnet (load balancers and NAT gateways only)."""
    karpenter_discovery: bool = False
    """Tag the private subnets ``karpenter.sh/discovery: <cluster_name>``, so that Karpenter
    launches nodes in them (set when the stack runs Karpenter)."""
    existing_vpc: ExistingVpcArgs | None = None
    """Adopt this VPC instead of creating one; the fields above except ``cluster_name`` are then ignored."""
    restrict_default_security_group: bool | None = None
    """Remove every rule from the VPC's default security group (and keep it so), so that
    anything placed in it by mistake can neither send nor receive. None: yes for a new VPC,
    no for an existing one (its default group may be in use by something else)."""
    flow_logs: bool = False
    """Record the VPC's traffic (``ALL``: accepted and rejected) as flow logs in a CloudWatch
    log group, ``/aws/vpc-flow-logs/<cluster_name>``; on in prod."""
    flow_log_retention_days: int = DEFAULT_FLOW_LOG_RETENTION_DAYS
    """How long the flow logs are kept, in days: one of the periods CloudWatch Logs accepts
    (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, ..., 3653)."""
    flow_log_role: RoleSettings = field(default_factory=RoleSettings)
    """The flow-log delivery role's name, path, permissions boundary and tags."""
    vpc_endpoints: list[str] = field(default_factory=list)
    """VPC endpoints to create, by the service's short name: ``s3`` or ``dynamodb`` (gateway
    endpoints on the private route tables), or ``ecr.api``, ``ecr.dkr``, ``sts``, ``ec2``,
    ``logs``, ``ssm``, ``secretsmanager``, ``sqs``, ``eks``, ``eks-auth``,
    ``elasticloadbalancing``, ... (interface endpoints with private DNS in the private subnets,
    HTTPS from the VPC only); see ``VPC_ENDPOINT_SERVICES``. The service name is
    ``com.amazonaws.<region>.<name>``."""
    tags: dict[str, str] = field(default_factory=dict)
    """AWS tags for every resource the component creates."""


def restricts_default_security_group(args: NetworkArgs) -> bool:
    """Whether the component empties the VPC's default security group (see the argument)."""
    if args.restrict_default_security_group is not None:
        return args.restrict_default_security_group
    return args.existing_vpc is None
