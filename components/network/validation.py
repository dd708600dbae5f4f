"""Network's rules, beside its args: :func:`validate_args` checks :class:`NetworkArgs` before
anything is registered; every field is a plain value, so the stack configuration runs the same
check (``validate_settings``)."""

from __future__ import annotations

import math
import re

from .. import validation as v
from .args import LOG_RETENTION_DAYS, NAT_GATEWAY_STRATEGIES, NAT_KINDS, NetworkArgs
from .endpoints import GATEWAY_ENDPOINTS, INTERFACE_ENDPOINTS, VPC_ENDPOINT_SERVICES


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
        _validate_nat(args)
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
    _validate_nat(args)


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


_INSTANCE_TYPE = re.compile(r"^[a-z][a-z0-9-]*\d[a-z0-9-]*\.[a-z0-9]+$")
_AMI_ID = re.compile(r"^ami-[0-9a-f]{8}([0-9a-f]{9})?$")


def _validate_nat(args: NetworkArgs) -> None:
    v.one_of(args.nat, NAT_KINDS, "nat")
    if args.nat != "instance":
        return
    v.require(
        args.existing_vpc is None,
        "nat",
        "'instance' is for a new VPC: an existing VPC keeps the egress it has",
    )
    v.require(
        args.nat_gateway_strategy == "Single",
        "nat_gateway_strategy",
        f"{args.nat_gateway_strategy!r} with nat: instance: the component makes one NAT "
        "instance, for every AZ; use Single (or nat: gateway for a NAT per AZ)",
    )
    v.require(
        isinstance(args.nat_instance_type, str)
        and _INSTANCE_TYPE.fullmatch(args.nat_instance_type) is not None,
        "nat_instance_type",
        f"{args.nat_instance_type!r} is not an EC2 instance type (e.g. t4g.nano)",
    )
    v.require(
        args.nat_instance_ami is None
        or (
            isinstance(args.nat_instance_ami, str)
            and _AMI_ID.fullmatch(args.nat_instance_ami) is not None
        ),
        "nat_instance_ami",
        f"{args.nat_instance_ami!r} is not an AMI id (ami-...)",
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
