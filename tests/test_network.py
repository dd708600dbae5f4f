"""Network: a VPC over several AZs with subnets tagged for load-balancer discovery."""

from __future__ import annotations

import pulumi
import pytest

from components.network import ExistingVpcArgs, Network, NetworkArgs
from tests.support import run
from tests.test_oidc import run_recording


def vpc_inputs(**overrides) -> dict:
    result = run(lambda: Network("net", NetworkArgs(cluster_name="dev", **overrides)))
    return result.one("awsx:ec2:Vpc").inputs


def test_new_vpc_spans_the_requested_azs_with_the_nat_strategy() -> None:
    inputs = vpc_inputs(
        availability_zones=3, nat_gateway_strategy="OnePerAz", cidr_block="10.1.0.0/16"
    )
    assert inputs["numberOfAvailabilityZones"] == 3
    assert inputs["natGateways"] == {"strategy": "OnePerAz"}
    assert inputs["cidrBlock"] == "10.1.0.0/16"
    assert inputs["enableDnsHostnames"] is True


def test_az_names_can_be_given() -> None:
    inputs = vpc_inputs(availability_zones=["us-west-2a", "us-west-2c"])
    assert inputs["availabilityZoneNames"] == ["us-west-2a", "us-west-2c"]
    assert "numberOfAvailabilityZones" not in inputs


def test_subnets_carry_the_load_balancer_discovery_tags() -> None:
    specs = {s["type"]: s for s in vpc_inputs(tags={"team": "platform"})["subnetSpecs"]}
    assert specs["Public"]["tags"] == {
        "team": "platform",
        "kubernetes.io/role/elb": "1",
        "kubernetes.io/cluster/dev": "shared",
    }
    assert specs["Private"]["tags"] == {
        "team": "platform",
        "kubernetes.io/role/internal-elb": "1",
        "kubernetes.io/cluster/dev": "shared",
    }


def test_existing_vpc_is_adopted_and_its_subnets_tagged() -> None:
    def program() -> None:
        net = Network(
            "net",
            NetworkArgs(
                cluster_name="dev",
                existing_vpc=ExistingVpcArgs(
                    vpc_id="vpc-123",
                    private_subnet_ids=["subnet-a", "subnet-b"],
                    public_subnet_ids=["subnet-c"],
                ),
            ),
        )
        pulumi.export("vpc", net.vpc_id)
        pulumi.export("private", net.private_subnet_ids)

    result = run(program)
    assert result.by_type("awsx:ec2:Vpc") == []
    assert result.outputs == {"vpc": "vpc-123", "private": ["subnet-a", "subnet-b"]}
    tags = {
        (t.inputs["resourceId"], t.inputs["key"]): t.inputs["value"]
        for t in result.by_type("aws:ec2/tag:Tag")
    }
    assert tags == {
        ("subnet-a", "kubernetes.io/role/internal-elb"): "1",
        ("subnet-a", "kubernetes.io/cluster/dev"): "shared",
        ("subnet-b", "kubernetes.io/role/internal-elb"): "1",
        ("subnet-b", "kubernetes.io/cluster/dev"): "shared",
        ("subnet-c", "kubernetes.io/role/elb"): "1",
        ("subnet-c", "kubernetes.io/cluster/dev"): "shared",
    }


@pytest.mark.parametrize(
    "args, message",
    [
        (NetworkArgs(cluster_name="dev", availability_zones=1), "^availability_zones: "),
        (
            NetworkArgs(cluster_name="dev", availability_zones=["us-west-2a"]),
            "^availability_zones: needs at least 2 AZs",
        ),
        (NetworkArgs(cluster_name="dev", cidr_block="10.0.0.0/33"), "^cidr_block: "),
        (NetworkArgs(cluster_name="dev", cidr_block="10.0.0.1/16"), "^cidr_block: "),
        (
            NetworkArgs(cluster_name="dev", nat_gateway_strategy="Many"),
            "^nat_gateway_strategy: 'Many' is not one of None, Single, OnePerAz",
        ),
        (
            NetworkArgs(cluster_name="dev", cidr_block="10.0.0.0/24", availability_zones=3),
            "^private_subnet_cidr_mask: ",
        ),
        (NetworkArgs(cluster_name="-dev"), "^cluster_name: "),
        (
            NetworkArgs(
                cluster_name="dev",
                existing_vpc=ExistingVpcArgs(vpc_id="vpc-1", private_subnet_ids=["subnet-a"]),
            ),
            "^existing_vpc.private_subnet_ids: EKS needs at least 2 private subnets",
        ),
        (
            NetworkArgs(
                cluster_name="dev",
                existing_vpc=ExistingVpcArgs(
                    vpc_id="vpc-1", private_subnet_ids=["subnet-a", "sn-b"]
                ),
            ),
            r"^existing_vpc.private_subnet_ids\[1\]: ",
        ),
        (
            NetworkArgs(
                cluster_name="dev",
                existing_vpc=ExistingVpcArgs(
                    vpc_id="abc", private_subnet_ids=["subnet-a", "subnet-b"]
                ),
            ),
            "^existing_vpc.vpc_id: ",
        ),
    ],
)
def test_bad_arguments_are_refused_before_anything_is_created(
    args: NetworkArgs, message: str
) -> None:
    recorded: list = []
    with pytest.raises(ValueError, match=message.replace("^", "^Network 'net': ")):
        run_recording(lambda: Network("net", args), recorded)
    assert recorded == []
