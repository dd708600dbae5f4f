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
  its NAT cost) inside the VPC;
* a NAT instance instead of NAT gateways when asked (``nat: instance``, dev): IMDSv2 with a hop
  limit of 1, an encrypted root volume, no key pair (Session Manager, the SSM core policy
  only), a security group admitting the VPC's CIDR block only (:mod:`.nat_instance`).

The modules: :mod:`.args` (:class:`NetworkArgs`, :class:`ExistingVpcArgs`, the subnet tags),
:mod:`.validation` (their rules), :mod:`.flow_logs`, :mod:`.endpoints`, :mod:`.nat_instance`;
the component is here.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_awsx as awsx

from .. import validation as v
from ..identity import iam
from .args import (
    DEFAULT_FLOW_LOG_RETENTION_DAYS,
    INTERNAL_ELB_TAG,
    KARPENTER_DISCOVERY_TAG,
    LOG_RETENTION_DAYS,
    NAT_GATEWAY_STRATEGIES,
    NAT_KINDS,
    PUBLIC_ELB_TAG,
    ExistingVpcArgs,
    NetworkArgs,
    cluster_tag,
    restricts_default_security_group,
    subnet_tags,
)
from .endpoints import (
    GATEWAY_ENDPOINTS,
    INTERFACE_ENDPOINTS,
    VPC_ENDPOINT_SERVICES,
    create_endpoints,
    endpoint_service_name,
)
from .flow_logs import create_flow_logs, flow_log_group_name
from .nat_instance import NatInstance, create_nat_instance
from .validation import validate_args, validate_settings

__all__ = [
    "DEFAULT_FLOW_LOG_RETENTION_DAYS",
    "GATEWAY_ENDPOINTS",
    "INTERFACE_ENDPOINTS",
    "INTERNAL_ELB_TAG",
    "KARPENTER_DISCOVERY_TAG",
    "LOG_RETENTION_DAYS",
    "NAT_GATEWAY_STRATEGIES",
    "NAT_KINDS",
    "PUBLIC_ELB_TAG",
    "VPC_ENDPOINT_SERVICES",
    "ExistingVpcArgs",
    "NatInstance",
    "Network",
    "NetworkArgs",
    "cluster_tag",
    "endpoint_service_name",
    "flow_log_group_name",
    "restricts_default_security_group",
    "subnet_tags",
    "validate_args",
    "validate_settings",
]


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
    nat_instance: NatInstance | None
    """The NAT instance, its security group, role, address and routes (None without
    ``nat: instance``)."""
    aws_provider: pulumi.ProviderResource | None
    """The AWS provider of ``opts`` (``provider=``, ``providers=`` or the parent's; None: the
    program's default one): every child and lookup goes through it."""

    def __init__(
        self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        """Create or adopt the VPC; see :class:`Network`.

        ``opts``: as for any component; its AWS provider (``provider=``, ``providers=`` or the
        parent's) creates the VPC and makes the lookups, and the flow-log trust and the
        endpoints' service names are for its partition, region and account."""
        owner = f"Network {name!r}"
        with v.component_errors("Network", name):
            v.resource_options(opts)
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
            nat_role_name, nat_settings = None, args.nat_instance_role
            if args.nat == "instance":
                with v.nested("nat_instance_role"):
                    nat_settings = iam.validate_role_settings(args.nat_instance_role, owner)
                nat_role_name = iam.resolve_role_name(
                    f"{name}-nat-instance",
                    args.nat_instance_role,
                    owner,
                    self,
                    "nat_instance_role",
                )
        super().__init__("eks-platform:index:Network", name, None, opts)
        self.aws_provider = self.get_provider("aws:index:provider")
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
                    # A NAT instance replaces the gateways (validation: `Single` only).
                    strategy=awsx.ec2.NatGatewayStrategy(
                        "None" if nat_role_name else args.nat_gateway_strategy
                    )
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
            self.flow_log_group, self.flow_log_role, self.flow_log = create_flow_logs(
                name,
                cluster_name=args.cluster_name,
                vpc_id=self.vpc_id,
                retention_days=args.flow_log_retention_days,
                role_name=flow_role_name,
                settings=role_settings,
                tags=tags,
                parent=self,
                provider=self.aws_provider,
            )

        # -- VPC endpoints -------------------------------------------------------------------
        self.vpc_endpoints = {}
        self.endpoint_security_group = None
        if args.vpc_endpoints:
            self.vpc_endpoints, self.endpoint_security_group = create_endpoints(
                name,
                args,
                vpc=vpc,
                vpc_id=self.vpc_id,
                private_subnet_ids=self.private_subnet_ids,
                parent=self,
                provider=self.aws_provider,
            )

        # -- NAT instance --------------------------------------------------------------------
        self.nat_instance = None
        if nat_role_name is not None:
            assert vpc is not None  # validation: a new VPC only
            azs = args.availability_zones
            self.nat_instance = create_nat_instance(
                name,
                args,
                vpc=vpc,
                vpc_name=f"{name}-vpc",
                az_count=len(azs) if isinstance(azs, list) else azs,
                role_name=nat_role_name,
                settings=nat_settings,
                parent=self,
                provider=self.aws_provider,
            )

        outputs: dict[str, Any] = {
            "vpcId": self.vpc_id,
            "publicSubnetIds": self.public_subnet_ids,
            "privateSubnetIds": self.private_subnet_ids,
        }
        if self.flow_log_group is not None:
            outputs["flowLogGroupName"] = self.flow_log_group.name
        if self.nat_instance is not None:
            outputs["natInstanceId"] = self.nat_instance.instance.id
            outputs["natPublicIp"] = self.nat_instance.eip.public_ip
        if self.vpc_endpoints:
            outputs["vpcEndpointIds"] = pulumi.Output.all(
                **{service: ep.id for service, ep in self.vpc_endpoints.items()}
            )
        self.register_outputs(outputs)
