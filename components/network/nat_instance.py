"""A NAT instance (``nat: instance``): one EC2 instance in the first public subnet that forwards
and masquerades the VPC's outbound IPv4 traffic, and a ``0.0.0.0/0`` route to it in every private
route table. The pattern of AWS's "NAT instances" (VPC User Guide) and of fck-nat, built from
the stock Amazon Linux 2023 AMI rather than a third-party one.

Hardened as the nodes are: IMDSv2 required with a hop limit of 1, an encrypted gp3 root volume,
no SSH key pair (Session Manager through an instance role holding only
``AmazonSSMManagedInstanceCore``), a security group that admits the VPC's CIDR block only. Its
address is an Elastic IP, so the VPC's egress address stays the same across a replacement (an
allow-list elsewhere keeps working). The instance keeps EC2's simplified automatic recovery
(``auto_recovery: default``: a host failure moves it to a new host, same ENI and address).

One instance, one AZ: when it stops (or its AZ does), the private subnets have no egress until
it is recovered or replaced. Meant for dev; staging and prod keep NAT gateways.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
import pulumi_awsx as awsx
from pulumi.output import UNKNOWN

from ..identity import iam
from ..identity.iam import RoleSettings
from . import endpoints
from .args import NetworkArgs

AMI_PARAMETER = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-{arch}"
"""AWS's public SSM parameter with the newest Amazon Linux 2023 AMI id (``arm64``, ``x86_64``)."""
SSM_POLICY = "AmazonSSMManagedInstanceCore"
"""The one policy of the instance role: Session Manager (and SSM's inventory, patching)."""
ROOT_VOLUME_GIB = 8
"""The AL2023 AMI's root snapshot size, the smallest root volume it takes."""
SERVICE = "nat-instance.service"
"""The systemd unit that applies forwarding and masquerade at every boot."""
_FAMILY = re.compile(r"^([a-z]+)(\d+)([a-z-]*)\.")


def architecture(instance_type: str) -> str:
    """``arm64`` for a Graviton type (``a1``, or a family with a ``g`` after its generation:
    ``t4g``, ``c7gn``, ``m7gd``), else ``x86_64``."""
    found = _FAMILY.match(instance_type)
    graviton = found is not None and (f"{found[1]}{found[2]}" == "a1" or "g" in found[3])
    return "arm64" if graviton else "x86_64"


def ami_parameter(instance_type: str) -> str:
    """The public SSM parameter of the newest AL2023 AMI for ``instance_type``'s architecture."""
    return AMI_PARAMETER.format(arch=architecture(instance_type))


def user_data(cidrs: Sequence[str]) -> str:
    """cloud-init (``#cloud-config``) that makes the instance a NAT for ``cidrs``, persistently:
    a sysctl.d file turns on ``net.ipv4.ip_forward`` (and off ICMP redirects: replies leave by
    the interface they arrived on); a systemd unit (:data:`SERVICE`, enabled, run at every boot)
    installs nftables if missing and loads a table that masquerades ``cidrs`` out of the primary
    interface (the one of the default route) and forwards only their traffic and its replies."""
    sources = ", ".join(cidrs)
    return f"""#cloud-config
# NAT instance (components/network/nat_instance.py): forwards and masquerades {sources}.
write_files:
  - path: /etc/sysctl.d/90-nat-instance.conf
    permissions: "0644"
    content: |
      net.ipv4.ip_forward = 1
      net.ipv4.conf.all.send_redirects = 0
      net.ipv4.conf.default.send_redirects = 0
  - path: /usr/local/sbin/nat-instance
    permissions: "0755"
    content: |
      #!/bin/bash
      # Forwarding and masquerade of {sources} on the primary interface; run at every boot.
      set -euo pipefail
      until command -v nft >/dev/null || dnf install -y nftables; do sleep 10; done
      sysctl -q -p /etc/sysctl.d/90-nat-instance.conf
      dev=""
      until [ -n "$dev" ]; do
        dev=$(ip -4 route show default | awk '{{print $5; exit}}'); [ -n "$dev" ] || sleep 2
      done
      nft -f - <<EOF
      table ip nat_instance
      delete table ip nat_instance
      table ip nat_instance {{
        chain forward {{
          type filter hook forward priority filter; policy drop;
          ct state established,related accept
          iifname "$dev" oifname "$dev" ip saddr {{ {sources} }} accept
        }}
        chain postrouting {{
          type nat hook postrouting priority srcnat; policy accept;
          oifname "$dev" ip saddr {{ {sources} }} ip daddr != {{ {sources} }} masquerade
        }}
      }}
      EOF
  - path: /etc/systemd/system/{SERVICE}
    permissions: "0644"
    content: |
      [Unit]
      Description=NAT: IPv4 forwarding and masquerade of the VPC's traffic
      Wants=network-online.target
      After=network-online.target
      [Service]
      Type=oneshot
      RemainAfterExit=yes
      ExecStart=/usr/local/sbin/nat-instance
      Restart=on-failure
      RestartSec=10
      [Install]
      WantedBy=multi-user.target
runcmd:
  - [systemctl, daemon-reload]
  - [systemctl, enable, --now, {SERVICE}]
"""


@dataclass
class NatInstance:
    """What :func:`create_nat_instance` made."""

    instance: aws.ec2.Instance
    security_group: aws.ec2.SecurityGroup
    role: aws.iam.Role
    instance_profile: aws.iam.InstanceProfile
    eip: aws.ec2.Eip
    routes: list[aws.ec2.Route]
    ami: pulumi.Output[str]
    """The AMI id: ``nat_instance_ami``, or what the public parameter held at this run."""


def create_nat_instance(
    name: str,
    args: NetworkArgs,
    *,
    vpc: awsx.ec2.Vpc,
    vpc_name: str,
    az_count: int,
    role_name: str,
    settings: RoleSettings,
    parent: pulumi.Resource,
    provider: pulumi.ProviderResource | None = None,
) -> NatInstance:
    """The NAT instance of a new VPC (``vpc``, the awsx ``Vpc`` named ``vpc_name`` with
    ``az_count`` private subnets) and its routes, children of ``parent``; ``provider``:
    ``parent``'s AWS provider (None: the default one), which also reads the AMI parameter."""
    child = pulumi.ResourceOptions(parent=parent)
    tags = dict(args.tags)
    label = f"{args.cluster_name}-nat"
    ami: pulumi.Output[str] = (
        pulumi.Output.from_input(args.nat_instance_ami)
        if args.nat_instance_ami
        # A public AMI id: not a secret (the data source marks every parameter value as one).
        else pulumi.Output.unsecret(
            aws.ssm.get_parameter_output(
                name=ami_parameter(args.nat_instance_type),
                opts=pulumi.InvokeOutputOptions(parent=parent, provider=provider),
            ).value
        )
    )
    security_group = aws.ec2.SecurityGroup(
        f"{name}-nat",
        vpc_id=vpc.vpc_id,
        description=f"NAT instance of {args.cluster_name}: the VPC's traffic in, all out",
        ingress=[
            aws.ec2.SecurityGroupIngressArgs(
                description="What the VPC sends out through the NAT",
                protocol="-1",
                from_port=0,
                to_port=0,
                cidr_blocks=[args.cidr_block],
            )
        ],
        egress=[
            aws.ec2.SecurityGroupEgressArgs(
                description="The forwarded traffic, packages and Session Manager",
                protocol="-1",
                from_port=0,
                to_port=0,
                cidr_blocks=["0.0.0.0/0"],
            )
        ],
        tags={**tags, "Name": label},
        opts=child,
    )
    role = iam.create_role(
        f"{name}-nat-instance",
        role_name=role_name,
        trust_policy=iam.service_trust_policy("ec2.amazonaws.com"),
        settings=dataclasses.replace(settings, tags={**tags, **settings.tags}),
        parent=parent,
        managed_policy_arns=iam.managed(SSM_POLICY, provider=provider),
    )
    profile = aws.iam.InstanceProfile(
        f"{name}-nat-instance",
        name=role_name,
        path=settings.path,
        role=role.name,
        tags={**tags, **settings.tags},
        # A fixed name, like the role's: a replacement deletes the old profile first.
        opts=pulumi.ResourceOptions(parent=parent, delete_before_replace=True),
    )
    instance = aws.ec2.Instance(
        f"{name}-nat-instance",
        ami=ami,
        instance_type=args.nat_instance_type,
        subnet_id=vpc.public_subnet_ids.apply(lambda ids: ids[0]),
        vpc_security_group_ids=[security_group.id],
        source_dest_check=False,
        iam_instance_profile=profile.name,
        metadata_options=aws.ec2.InstanceMetadataOptionsArgs(
            http_endpoint="enabled", http_tokens="required", http_put_response_hop_limit=1
        ),
        root_block_device=aws.ec2.InstanceRootBlockDeviceArgs(
            volume_type="gp3",
            volume_size=ROOT_VOLUME_GIB,
            encrypted=True,
            delete_on_termination=True,
            tags={**tags, "Name": label},
        ),
        maintenance_options=aws.ec2.InstanceMaintenanceOptionsArgs(auto_recovery="default"),
        user_data=user_data([args.cidr_block]),
        user_data_replace_on_change=True,
        tags={**tags, "Name": label},
        # Its permissions first; a replacement (a new AMI, new user data) is created before the
        # old one goes, and the routes and the address move to it in between.
        opts=pulumi.ResourceOptions(parent=parent, depends_on=iam.children_of(role)),
    )
    eip = aws.ec2.Eip(
        f"{name}-nat",
        domain="vpc",
        instance=instance.id,
        tags={**tags, "Name": label},
        opts=child,
    )
    tables = endpoints.private_route_table_ids(vpc)
    routes = [
        aws.ec2.Route(
            f"{name}-nat-{az}",
            route_table_id=tables.apply(functools.partial(_table, index=az - 1, expected=az_count)),
            destination_cidr_block="0.0.0.0/0",
            network_interface_id=instance.primary_network_interface_id,
            # The route awsx made to its NAT gateway in the same table, when a VPC moves from
            # `nat: gateway` to `instance`: updated in place (a table holds one route per
            # destination, so a second one could not be created beside it).
            opts=pulumi.ResourceOptions(
                parent=parent, aliases=[_awsx_route_urn(parent, vpc_name, az)]
            ),
        )
        for az in range(1, az_count + 1)
    ]
    return NatInstance(instance, security_group, role, profile, eip, routes, ami)


def _table(ids: Sequence[str], index: int, expected: int) -> str:
    """The ``index``-th private route table; awsx makes one per private subnet."""
    if not ids:
        # Only the offline synth's awsx mock reports no route tables: unknown there.
        return UNKNOWN  # type: ignore[return-value]
    if len(ids) != expected:
        raise ValueError(
            f"expected {expected} private route tables (one per AZ), awsx reports {len(ids)}"
        )
    return ids[index]


def _awsx_route_urn(parent: pulumi.Resource, vpc_name: str, az: int) -> pulumi.Output[str]:
    """The URN of the route awsx makes in private subnet ``az``'s table (its route, route
    table and subnet are named ``<vpc>-private-<az>``)."""
    chain = "awsx:ec2:Vpc$aws:ec2/vpc:Vpc$aws:ec2/subnet:Subnet$aws:ec2/routeTable:RouteTable"
    return parent.urn.apply(
        lambda urn: f"{urn.rsplit('::', 1)[0]}${chain}$aws:ec2/route:Route::{vpc_name}-private-{az}"
    )
