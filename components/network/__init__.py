"""``Network``: the VPC an EKS cluster runs in.

Either a new VPC (pulumi-awsx ``ec2.Vpc``) with a public and a private subnet in
each of at least two availability zones, or an existing VPC adopted by its ids.
The subnets carry the tags the AWS Load Balancer Controller discovers them by:

* public subnets: ``kubernetes.io/role/elb=1`` (internet-facing load balancers),
* private subnets: ``kubernetes.io/role/internal-elb=1`` (internal load balancers),
* both: ``kubernetes.io/cluster/<cluster-name>=shared``.

Security defaults, per VPC:

* the VPC's default security group holds no rules (``aws.ec2.DefaultSecurityGroup`` adopts
  it with none): nothing that lands in it by accident can talk to anything. On by default
  for a new VPC; for an existing VPC only when asked (``restrict_default_security_group``),
  since something of someone else's may rely on its rules;
* VPC flow logs when asked (``flow_logs``): every accepted and rejected connection to a
  CloudWatch log group with a retention period, written through a role that only the VPC
  Flow Logs service of this account, for flow logs of this region, may assume, and that may
  only write to that log group;
* VPC endpoints when asked (``vpc_endpoints``): ``s3`` (and ``dynamodb``) as gateway
  endpoints on the private subnets' route tables, the others (``ecr.api``, ``ecr.dkr``,
  ``sts``, ...) as interface endpoints with private DNS in the private subnets, behind a
  security group that admits HTTPS from the VPC's CIDR blocks only. A cluster whose nodes
  have no route to the internet needs them; one with a NAT gateway keeps that traffic (and
  its NAT cost) inside the VPC.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_awsx as awsx

from . import aws_context
from . import validation as v
from .cluster.eks_cluster import LOG_RETENTION_DAYS
from .identity import iam
from .identity.iam import RoleSettings

NAT_GATEWAY_STRATEGIES = ("None", "Single", "OnePerAz")
PUBLIC_ELB_TAG = "kubernetes.io/role/elb"
INTERNAL_ELB_TAG = "kubernetes.io/role/internal-elb"
KARPENTER_DISCOVERY_TAG = "karpenter.sh/discovery"
"""The tag Karpenter's EC2NodeClass selects subnets and security groups by (value: the cluster)."""


FLOW_LOGS_SERVICE = "vpc-flow-logs.amazonaws.com"
"""The service principal that delivers VPC flow logs to CloudWatch Logs."""
FLOW_LOG_ACTIONS = ("logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams")
"""What the flow-log role may do, on its own log group only."""
FLOW_LOG_POLICY_NAME = "flow-logs"
DEFAULT_FLOW_LOG_RETENTION_DAYS = 90
"""Three months: long enough to investigate an incident noticed late, bounded in cost."""
GATEWAY_ENDPOINTS = ("s3", "dynamodb")
"""Services reached through a gateway endpoint (a route in the private route tables; free)."""
INTERFACE_ENDPOINTS = (
    "ecr.api",
    "ecr.dkr",
    "sts",
    "ec2",
    "ec2messages",
    "ssm",
    "ssmmessages",
    "logs",
    "monitoring",
    "secretsmanager",
    "kms",
    "sqs",
    "sns",
    "events",
    "eks",
    "eks-auth",
    "elasticloadbalancing",
    "autoscaling",
    "elasticfilesystem",
    "xray",
    "aps-workspaces",
)
"""Services reached through an interface endpoint (network interfaces in the private subnets,
private DNS; billed per AZ and hour). What a private EKS cluster typically needs: ``ecr.api``,
``ecr.dkr`` and ``s3`` (images), ``sts`` (IRSA), ``eks-auth`` (Pod Identity), ``ec2`` and
``elasticloadbalancing`` (the controllers), ``logs``."""
VPC_ENDPOINT_SERVICES = GATEWAY_ENDPOINTS + INTERFACE_ENDPOINTS
"""Every short service name ``vpc_endpoints`` accepts."""


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


class Network(pulumi.ComponentResource):
    """A VPC over at least two AZs with subnets tagged for EKS load-balancer discovery."""

    vpc_id: pulumi.Output[str]
    """The VPC id."""
    public_subnet_ids: pulumi.Output[list[str]]
    """Public subnet ids (one per AZ)."""
    private_subnet_ids: pulumi.Output[list[str]]
    """Private subnet ids (one per AZ); nodes and Fargate pods run here."""
    default_security_group: aws.ec2.DefaultSecurityGroup | None
    """The VPC's default security group, emptied of rules (None: left as it is)."""
    flow_log: aws.ec2.FlowLog | None
    """The VPC's flow log (None without ``flow_logs``)."""
    flow_log_group: aws.cloudwatch.LogGroup | None
    """The log group the flow logs go to (None without ``flow_logs``)."""
    flow_log_role: aws.iam.Role | None
    """The role the VPC Flow Logs service writes with (None without ``flow_logs``)."""
    vpc_endpoints: dict[str, aws.ec2.VpcEndpoint]
    """The VPC endpoints by service short name (``s3``, ``ecr.api``, ...)."""
    endpoint_security_group: aws.ec2.SecurityGroup | None
    """The security group of the interface endpoints (None without any)."""

    def __init__(
        self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        """Create or adopt the VPC; see :class:`Network`."""
        owner = f"Network {name!r}"
        with v.component_errors("Network", name):
            v.check_fields(args, NetworkArgs)
            validate_args(args)
            with v.nested("flow_log_role"):
                role_settings = iam.validate_role_settings(args.flow_log_role, owner)
            flow_role_name = (
                iam.resolve_role_name(
                    f"{name}-flow-logs", args.flow_log_role, owner, self, "flow_log_role"
                )
                if args.flow_logs
                else None
            )
        super().__init__("eks-platform:index:Network", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        vpc: awsx.ec2.Vpc | None = None

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

        tags = dict(args.tags)
        # -- the default security group: no rules ----------------------------------------------
        self.default_security_group = None
        if restricts_default_security_group(args):
            self.default_security_group = aws.ec2.DefaultSecurityGroup(
                f"{name}-default-sg",
                vpc_id=self.vpc_id,
                ingress=[],
                egress=[],
                tags={**tags, "Name": f"{args.cluster_name}-default-no-rules"},
                opts=child,
            )

        # -- flow logs -----------------------------------------------------------------------
        self.flow_log = self.flow_log_group = self.flow_log_role = None
        if flow_role_name is not None:
            self._flow_logs(name, args, flow_role_name, role_settings)

        # -- VPC endpoints -------------------------------------------------------------------
        self.vpc_endpoints = {}
        self.endpoint_security_group = None
        if args.vpc_endpoints:
            self._endpoints(name, args, vpc)

        outputs: dict[str, Any] = {
            "vpcId": self.vpc_id,
            "publicSubnetIds": self.public_subnet_ids,
            "privateSubnetIds": self.private_subnet_ids,
        }
        if self.flow_log_group is not None:
            outputs["flowLogGroupName"] = self.flow_log_group.name
        if self.vpc_endpoints:
            outputs["vpcEndpointIds"] = pulumi.Output.all(
                **{service: ep.id for service, ep in self.vpc_endpoints.items()}
            )
        self.register_outputs(outputs)

    def _flow_logs(
        self, name: str, args: NetworkArgs, role_name: str, settings: RoleSettings
    ) -> None:
        """A log group, the role VPC Flow Logs writes with, and the VPC's flow log."""
        child = pulumi.ResourceOptions(parent=self)
        tags = dict(args.tags)
        self.flow_log_group = aws.cloudwatch.LogGroup(
            f"{name}-flow-logs",
            name=flow_log_group_name(args.cluster_name),
            retention_in_days=args.flow_log_retention_days,
            tags=tags,
            opts=child,
        )
        trust = pulumi.Output.all(
            aws_context.partition(), aws_context.region(), aws_context.account_id()
        ).apply(lambda a: json.dumps(flow_logs_trust_policy(a[0], a[1], a[2])))
        self.flow_log_role = iam.create_role(
            f"{name}-flow-logs",
            role_name=role_name,
            trust_policy=trust,
            settings=dataclasses.replace(settings, tags={**tags, **settings.tags}),
            parent=self,
            inline_policies={
                FLOW_LOG_POLICY_NAME: self.flow_log_group.arn.apply(
                    lambda arn: json.dumps(flow_logs_policy(arn))
                )
            },
        )
        self.flow_log = aws.ec2.FlowLog(
            f"{name}-flow-log",
            vpc_id=self.vpc_id,
            traffic_type="ALL",
            log_destination_type="cloud-watch-logs",
            log_destination=self.flow_log_group.arn,
            iam_role_arn=self.flow_log_role.arn,
            tags={**tags, "Name": f"{args.cluster_name}-vpc"},
            # Delivery starts at once: the role's permissions first.
            opts=pulumi.ResourceOptions(
                parent=self, depends_on=iam.children_of(self.flow_log_role)
            ),
        )

    def _endpoints(self, name: str, args: NetworkArgs, vpc: awsx.ec2.Vpc | None) -> None:
        """Gateway endpoints on the private route tables, interface endpoints in the private
        subnets behind a security group that admits HTTPS from the VPC."""
        child = pulumi.ResourceOptions(parent=self)
        invoke = pulumi.InvokeOutputOptions(parent=self)
        tags = dict(args.tags)
        region = aws_context.region()
        existing = args.existing_vpc
        interface = [s for s in args.vpc_endpoints if s in INTERFACE_ENDPOINTS]
        security_groups: list[pulumi.Output[str]] = []
        if interface:
            cidrs: pulumi.Input[Sequence[str]] = (
                [args.cidr_block] if existing is None else _vpc_cidrs(existing.vpc_id, invoke)
            )
            self.endpoint_security_group = aws.ec2.SecurityGroup(
                f"{name}-endpoints",
                vpc_id=self.vpc_id,
                description=f"Interface VPC endpoints of {args.cluster_name}: HTTPS from the VPC",
                ingress=[
                    aws.ec2.SecurityGroupIngressArgs(
                        description="HTTPS from the VPC",
                        protocol="tcp",
                        from_port=443,
                        to_port=443,
                        cidr_blocks=cidrs,
                    )
                ],
                # No egress rules: an endpoint answers, it never connects out.
                egress=[],
                tags={**tags, "Name": f"{args.cluster_name}-vpc-endpoints"},
                opts=child,
            )
            security_groups = [self.endpoint_security_group.id]
        route_tables: pulumi.Input[Sequence[str]] = []
        if any(s in GATEWAY_ENDPOINTS for s in args.vpc_endpoints):
            if existing is None:
                assert vpc is not None
                route_tables = private_route_table_ids(vpc)
            elif existing.private_route_table_ids is not None:
                route_tables = list(existing.private_route_table_ids)
            else:
                route_tables = _associated_route_tables(
                    existing.vpc_id, existing.private_subnet_ids, invoke
                )
        for service in args.vpc_endpoints:
            service_name = region.apply(functools.partial(endpoint_service_name, service=service))
            endpoint_tags = {**tags, "Name": f"{args.cluster_name}-{service}"}
            if service in GATEWAY_ENDPOINTS:
                endpoint = aws.ec2.VpcEndpoint(
                    f"{name}-{service}",
                    vpc_id=self.vpc_id,
                    service_name=service_name,
                    vpc_endpoint_type="Gateway",
                    route_table_ids=route_tables,
                    tags=endpoint_tags,
                    opts=child,
                )
            else:
                endpoint = aws.ec2.VpcEndpoint(
                    f"{name}-{service}",
                    vpc_id=self.vpc_id,
                    service_name=service_name,
                    vpc_endpoint_type="Interface",
                    private_dns_enabled=True,
                    subnet_ids=self.private_subnet_ids,
                    security_group_ids=security_groups,
                    tags=endpoint_tags,
                    opts=child,
                )
            self.vpc_endpoints[service] = endpoint


# -- pure helpers (importable for tests and other programs) ----------------------------------


def restricts_default_security_group(args: NetworkArgs) -> bool:
    """Whether the component empties the VPC's default security group (see the argument)."""
    if args.restrict_default_security_group is not None:
        return args.restrict_default_security_group
    return args.existing_vpc is None


def flow_log_group_name(cluster_name: str) -> str:
    """The flow logs' CloudWatch log group: ``/aws/vpc-flow-logs/<cluster_name>``."""
    return f"/aws/vpc-flow-logs/{cluster_name}"


def flow_logs_trust_policy(partition: str, region: str, account: str) -> dict[str, Any]:
    """Who may assume the flow-log role: the VPC Flow Logs service, for flow logs of this
    account and region only (``aws:SourceAccount``, ``aws:SourceArn``: no confused deputy)."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": FLOW_LOGS_SERVICE},
                "Action": "sts:AssumeRole",
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": account},
                    "ArnLike": {
                        "aws:SourceArn": f"arn:{partition}:ec2:{region}:{account}:vpc-flow-log/*"
                    },
                },
            }
        ],
    }


def flow_logs_policy(log_group_arn: str) -> dict[str, Any]:
    """What the flow-log role may do: create and write log streams in its one log group
    (the group's ARN, and ``<ARN>:*`` for its streams)."""
    group = log_group_arn.removesuffix(":*")
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "WriteFlowLogs",
                "Effect": "Allow",
                "Action": list(FLOW_LOG_ACTIONS),
                "Resource": [group, f"{group}:*"],
            }
        ],
    }


def endpoint_service_name(region: str, service: str) -> str:
    """``com.amazonaws.<region>.<service>``, the endpoint service of an AWS service."""
    return f"com.amazonaws.{region}.{service}"


def private_route_table_ids(vpc: awsx.ec2.Vpc) -> pulumi.Output[list[str]]:
    """Ids of a new VPC's private route tables: awsx makes one per subnet and tags it with
    the subnet's type (``SubnetType: Private``)."""

    def pick(tables: Sequence[Any] | None) -> pulumi.Output[list[str]]:
        pairs = [pulumi.Output.all(t.id, t.tags) for t in tables or []]
        return pulumi.Output.all(*pairs).apply(
            lambda found: [
                str(table_id)
                for table_id, tags in found
                if (tags or {}).get("SubnetType") == "Private"
            ]
        )

    return vpc.route_tables.apply(pick)


def _associated_route_tables(
    vpc_id: str, subnet_ids: Sequence[str], invoke: pulumi.InvokeOutputOptions
) -> pulumi.Output[list[str]]:
    """The route tables explicitly associated with ``subnet_ids`` in an existing VPC."""
    found = aws.ec2.get_route_tables_output(
        vpc_id=vpc_id,
        filters=[
            aws.ec2.GetRouteTablesFilterArgs(name="association.subnet-id", values=list(subnet_ids))
        ],
        opts=invoke,
    )
    return found.apply(lambda r: sorted(r.ids or []))


def _vpc_cidrs(vpc_id: str, invoke: pulumi.InvokeOutputOptions) -> pulumi.Output[list[str]]:
    """Every IPv4 CIDR block of an existing VPC (its primary and associated blocks)."""

    def cidrs(found: Any) -> list[str]:
        blocks = [a.cidr_block for a in found.cidr_block_associations or [] if a.cidr_block]
        if found.cidr_block and found.cidr_block not in blocks:
            blocks.insert(0, found.cidr_block)
        if not blocks:
            raise v.InvalidArgument(
                "existing_vpc.vpc_id", f"found no IPv4 CIDR block of VPC {vpc_id}"
            )
        return blocks

    return aws.ec2.get_vpc_output(id=vpc_id, opts=invoke).apply(cidrs)


def validate_args(args: NetworkArgs) -> None:
    """Check NetworkArgs; raises ValueError naming the field."""
    v.cluster_name(args.cluster_name, "cluster_name")
    _validate_flow_logs(args)
    _validate_endpoints(args.vpc_endpoints)
    v.aws_tags(args.tags, "tags")
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
        if existing.private_route_table_ids is not None:
            for i, table_id in enumerate(existing.private_route_table_ids):
                v.require(
                    isinstance(table_id, str) and table_id.startswith("rtb-"),
                    f"existing_vpc.private_route_table_ids[{i}]",
                    f"{table_id!r} is not a route table id (rtb-...)",
                )
            v.unique(
                existing.private_route_table_ids,
                "existing_vpc.private_route_table_ids",
                "route table id",
            )
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


validate_settings = validate_args
"""Every field of NetworkArgs is a plain value: the stack's check is the component's."""


def _validate_flow_logs(args: NetworkArgs) -> None:
    days = args.flow_log_retention_days
    v.require(
        isinstance(days, int) and not isinstance(days, bool) and days in LOG_RETENTION_DAYS,
        "flow_log_retention_days",
        f"{days!r} is not a retention period CloudWatch Logs accepts "
        f"({', '.join(map(str, LOG_RETENTION_DAYS))})",
    )


def _validate_endpoints(services: list[str]) -> None:
    for i, service in enumerate(services):
        v.require(
            service in VPC_ENDPOINT_SERVICES,
            f"vpc_endpoints[{i}]",
            f"{service!r} is not a VPC endpoint service this component knows; use a short name "
            f"(gateway: {', '.join(GATEWAY_ENDPOINTS)}; interface: {', '.join(INTERFACE_ENDPOINTS)})",
        )
    v.unique(services, "vpc_endpoints", "endpoint")
