"""A VPC's endpoints: gateway endpoints (``s3``, ``dynamodb``) on the private subnets' route
tables, interface endpoints (``ecr.api``, ``ecr.dkr``, ``sts``, ...) with private DNS in the
private subnets, behind a security group that admits HTTPS from the VPC's CIDR blocks only.

A cluster whose nodes have no route to the internet needs them; one with a NAT gateway keeps
that traffic (and its NAT cost) inside the VPC.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_awsx as awsx

from .. import aws_context
from .. import validation as v
from .args import NetworkArgs

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


def create_endpoints(
    name: str,
    args: NetworkArgs,
    *,
    vpc: awsx.ec2.Vpc | None,
    vpc_id: pulumi.Input[str],
    private_subnet_ids: pulumi.Input[Sequence[str]],
    parent: pulumi.Resource,
    provider: pulumi.ProviderResource | None = None,
) -> tuple[dict[str, aws.ec2.VpcEndpoint], aws.ec2.SecurityGroup | None]:
    """The endpoints of ``args.vpc_endpoints`` by service, and the interface endpoints'
    security group (None without interface endpoints), children of ``parent``. ``vpc``: the
    new VPC (None for an existing one). ``provider``: ``parent``'s AWS provider (None: the
    default one), which looks the existing VPC up and whose region the services are in."""
    child = pulumi.ResourceOptions(parent=parent)
    invoke = pulumi.InvokeOutputOptions(parent=parent, provider=provider)
    tags = dict(args.tags)
    region = aws_context.region(provider)
    existing = args.existing_vpc
    interface = [s for s in args.vpc_endpoints if s in INTERFACE_ENDPOINTS]
    security_group: aws.ec2.SecurityGroup | None = None
    security_groups: list[pulumi.Output[str]] = []
    if interface:
        cidrs: pulumi.Input[Sequence[str]] = (
            [args.cidr_block] if existing is None else _vpc_cidrs(existing.vpc_id, invoke)
        )
        security_group = aws.ec2.SecurityGroup(
            f"{name}-endpoints",
            vpc_id=vpc_id,
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
        security_groups = [security_group.id]
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
    endpoints: dict[str, aws.ec2.VpcEndpoint] = {}
    for service in args.vpc_endpoints:
        service_name = region.apply(functools.partial(endpoint_service_name, service=service))
        endpoint_tags = {**tags, "Name": f"{args.cluster_name}-{service}"}
        if service in GATEWAY_ENDPOINTS:
            endpoints[service] = aws.ec2.VpcEndpoint(
                f"{name}-{service}",
                vpc_id=vpc_id,
                service_name=service_name,
                vpc_endpoint_type="Gateway",
                route_table_ids=route_tables,
                tags=endpoint_tags,
                opts=child,
            )
        else:
            endpoints[service] = aws.ec2.VpcEndpoint(
                f"{name}-{service}",
                vpc_id=vpc_id,
                service_name=service_name,
                vpc_endpoint_type="Interface",
                private_dns_enabled=True,
                subnet_ids=private_subnet_ids,
                security_group_ids=security_groups,
                tags=endpoint_tags,
                opts=child,
            )
    return endpoints, security_group


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
