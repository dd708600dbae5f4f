"""Network: a VPC over several AZs with subnets tagged for load-balancer discovery."""

from __future__ import annotations

import dataclasses
import re
from types import SimpleNamespace
from typing import Any

import pulumi
import pytest

from components.identity.iam import RoleSettings
from components.network import (
    ExistingVpcArgs,
    Network,
    NetworkArgs,
    restricts_default_security_group,
    validate_settings,
)
from components.network import endpoints as endpoints_mod
from components.synth import SynthResult
from components.synth.mocks import PlatformMocks
from components.validation.config_reader import config_error, from_config
from tests.oracles.iam_validation import assert_valid_permission_policy
from tests.oracles.trust_policy import service_may_assume
from tests.support import doc, refused, run


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
    error = refused(lambda: Network("net", args))
    assert re.search(message.replace("^", "^Network 'net': "), error), error


# --------------------------------------------------------------------------- security defaults

FLOW_LOG = "aws:ec2/flowLog:FlowLog"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
DEFAULT_SG = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
EXISTING = ExistingVpcArgs(vpc_id="vpc-123", private_subnet_ids=["subnet-a", "subnet-b"])


def network(region: str = "us-west-2", **overrides: Any) -> SynthResult:
    return run(lambda: Network("net", NetworkArgs(cluster_name="dev", **overrides)), region=region)


def test_defaults_create_no_flow_log_and_no_endpoints() -> None:
    result = network()
    for type_ in (FLOW_LOG, LOG_GROUP, ROLE, ENDPOINT, SECURITY_GROUP):
        assert result.by_type(type_) == [], type_


def test_new_vpc_default_security_group_has_no_rules() -> None:
    result = network(tags={"team": "platform"})
    sg = result.one(DEFAULT_SG)
    assert sg.inputs["ingress"] == [] and sg.inputs["egress"] == []
    assert sg.inputs["vpcId"].startswith("vpc-")
    assert sg.inputs["tags"]["team"] == "platform"
    assert network(restrict_default_security_group=False).by_type(DEFAULT_SG) == []


def test_existing_vpc_default_security_group_only_when_asked() -> None:
    assert network(existing_vpc=EXISTING).by_type(DEFAULT_SG) == []
    sg = network(existing_vpc=EXISTING, restrict_default_security_group=True).one(DEFAULT_SG)
    assert sg.inputs["vpcId"] == "vpc-123"
    assert sg.inputs["ingress"] == [] and sg.inputs["egress"] == []


def test_flow_logs_to_a_log_group_with_retention() -> None:
    result = network(flow_logs=True, flow_log_retention_days=365, tags={"team": "platform"})
    group = result.one(LOG_GROUP)
    assert group.inputs["name"] == "/aws/vpc-flow-logs/dev"
    assert group.inputs["retentionInDays"] == 365
    flow_log = result.one(FLOW_LOG)
    assert flow_log.inputs["trafficType"] == "ALL"
    assert flow_log.inputs["logDestinationType"] == "cloud-watch-logs"
    assert flow_log.inputs["vpcId"].startswith("vpc-")
    role = result.one(ROLE)
    assert flow_log.inputs["iamRoleArn"].endswith(f":role/{role.inputs['name']}")
    assert role.inputs["name"].startswith("net-flow-logs-")
    assert role.inputs["tags"] == {"team": "platform"}
    # Delivery starts with the flow log: the role's permissions exist by then.
    assert result.one(ROLE_POLICY).urn in flow_log.dependencies
    policy = doc(result.one(ROLE_POLICY), "policy")
    (stmt,) = policy["Statement"]
    assert set(stmt["Action"]) == {
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "logs:DescribeLogStreams",
    }
    group_arn = flow_log.inputs["logDestination"]
    assert stmt["Resource"] == [group_arn, f"{group_arn}:*"]
    assert_valid_permission_policy(policy)


def test_flow_log_role_trusts_only_flow_logs_of_this_account_and_region() -> None:
    trust = doc(network(flow_logs=True).one(ROLE), "assumeRolePolicy")
    own = {
        "aws:SourceAccount": "123456789012",
        "aws:SourceArn": "arn:aws:ec2:us-west-2:123456789012:vpc-flow-log/fl-0123456789abcdef0",
    }
    assert service_may_assume(trust, "vpc-flow-logs.amazonaws.com", **own)
    assert not service_may_assume(trust, "ec2.amazonaws.com", **own)
    for key, value in (
        ("aws:SourceAccount", "210987654321"),
        ("aws:SourceArn", "arn:aws:ec2:us-west-2:210987654321:vpc-flow-log/fl-1"),
        ("aws:SourceArn", "arn:aws:ec2:eu-west-1:123456789012:vpc-flow-log/fl-1"),
        ("aws:SourceArn", "arn:aws:ec2:us-west-2:123456789012:instance/i-1"),
    ):
        assert not service_may_assume(trust, "vpc-flow-logs.amazonaws.com", **{**own, key: value})
    # Without the source keys (a request not made on behalf of a flow log) it is refused.
    assert not service_may_assume(trust, "vpc-flow-logs.amazonaws.com")


def test_flow_logs_in_another_partition() -> None:
    result = network(region="cn-north-1", flow_logs=True)
    trust = doc(result.one(ROLE), "assumeRolePolicy")
    (stmt,) = trust["Statement"]
    arn = "arn:aws-cn:ec2:cn-north-1:123456789012:vpc-flow-log/*"
    assert stmt["Condition"]["ArnLike"] == {"aws:SourceArn": arn}


def test_flow_logs_on_an_existing_vpc() -> None:
    assert network(existing_vpc=EXISTING, flow_logs=True).one(FLOW_LOG).inputs["vpcId"] == "vpc-123"


@pytest.fixture
def private_route_tables(monkeypatch: pytest.MonkeyPatch) -> None:
    """The mocked awsx Vpc has no route tables: stand in for the lookup of the private ones."""
    monkeypatch.setattr(
        endpoints_mod,
        "private_route_table_ids",
        lambda vpc: pulumi.Output.from_input(["rtb-private-a", "rtb-private-b"]),
    )


def test_vpc_endpoints_gateway_and_interface(private_route_tables: None) -> None:
    result = network(vpc_endpoints=["s3", "ecr.api", "ecr.dkr", "sts"], cidr_block="10.7.0.0/16")
    endpoints = {e.name.removeprefix("net-"): e.inputs for e in result.by_type(ENDPOINT)}
    assert set(endpoints) == {"s3", "ecr.api", "ecr.dkr", "sts"}
    s3 = endpoints.pop("s3")
    assert s3["serviceName"] == "com.amazonaws.us-west-2.s3"
    assert s3["vpcEndpointType"] == "Gateway"
    assert s3["routeTableIds"] == ["rtb-private-a", "rtb-private-b"]
    sg = result.one(SECURITY_GROUP)
    (rule,) = sg.inputs["ingress"]
    assert (rule["protocol"], rule["fromPort"], rule["toPort"]) == ("tcp", 443, 443)
    assert rule["cidrBlocks"] == ["10.7.0.0/16"]
    assert sg.inputs["egress"] == []
    for service, inputs in endpoints.items():
        assert inputs["serviceName"] == f"com.amazonaws.us-west-2.{service}"
        assert inputs["vpcEndpointType"] == "Interface"
        assert inputs["privateDnsEnabled"] is True
        assert len(inputs["subnetIds"]) == 2
        assert all(s.startswith("subnet-") for s in inputs["subnetIds"])
        assert len(inputs["securityGroupIds"]) == 1


def test_gateway_endpoint_alone_needs_no_security_group(private_route_tables: None) -> None:
    result = network(vpc_endpoints=["s3"])
    assert result.by_type(SECURITY_GROUP) == []
    assert result.one(ENDPOINT).inputs["vpcEndpointType"] == "Gateway"


def test_private_route_tables_of_a_new_vpc_are_picked_by_their_subnet_type() -> None:
    def table(table_id: str, subnet_type: str) -> SimpleNamespace:
        return SimpleNamespace(
            id=pulumi.Output.from_input(table_id),
            tags=pulumi.Output.from_input({"Name": table_id, "SubnetType": subnet_type}),
        )

    def program() -> None:
        tables = [table("rtb-1", "Public"), table("rtb-2", "Private"), table("rtb-3", "Private")]
        vpc = SimpleNamespace(route_tables=pulumi.Output.from_input(tables))
        pulumi.export("ids", endpoints_mod.private_route_table_ids(vpc))

    assert run(program).outputs["ids"] == ["rtb-2", "rtb-3"]


@pytest.fixture
def vpc_lookups(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any]]]:
    """Answers the existing VPC's lookups (its CIDR blocks, its subnets' route tables)."""
    calls: list[tuple[str, dict[str, Any]]] = []
    original = PlatformMocks.call

    def call(self: PlatformMocks, args: Any) -> Any:
        if args.token == "aws:ec2/getVpc:getVpc":
            calls.append((args.token, dict(args.args)))
            blocks = ["10.50.0.0/16", "100.64.0.0/16"]
            return {
                "id": args.args["id"],
                "cidrBlock": blocks[0],
                "cidrBlockAssociations": [
                    {"associationId": f"a-{i}", "cidrBlock": b, "state": "associated"}
                    for i, b in enumerate(blocks)
                ],
            }, []
        if args.token == "aws:ec2/getRouteTables:getRouteTables":
            calls.append((args.token, dict(args.args)))
            return {"id": "us-west-2", "ids": ["rtb-b", "rtb-a"]}, []
        return original(self, args)

    monkeypatch.setattr(PlatformMocks, "call", call)
    return calls


def test_vpc_endpoints_in_an_existing_vpc(vpc_lookups: list[tuple[str, dict[str, Any]]]) -> None:
    result = network(existing_vpc=EXISTING, vpc_endpoints=["s3", "sts"])
    endpoints = {e.name.removeprefix("net-"): e.inputs for e in result.by_type(ENDPOINT)}
    assert endpoints["s3"]["routeTableIds"] == ["rtb-a", "rtb-b"]
    assert endpoints["sts"]["subnetIds"] == ["subnet-a", "subnet-b"]
    (rule,) = result.one(SECURITY_GROUP).inputs["ingress"]
    assert rule["cidrBlocks"] == ["10.50.0.0/16", "100.64.0.0/16"]
    route_lookup = next(a for t, a in vpc_lookups if t.endswith("getRouteTables"))
    assert route_lookup["vpcId"] == "vpc-123"
    assert route_lookup["filters"] == [
        {"name": "association.subnet-id", "values": ["subnet-a", "subnet-b"]}
    ]


def test_existing_vpc_route_tables_can_be_given(
    vpc_lookups: list[tuple[str, dict[str, Any]]],
) -> None:
    existing = ExistingVpcArgs(
        vpc_id="vpc-123",
        private_subnet_ids=["subnet-a", "subnet-b"],
        private_route_table_ids=["rtb-main"],
    )
    result = network(existing_vpc=existing, vpc_endpoints=["s3"])
    assert result.one(ENDPOINT).inputs["routeTableIds"] == ["rtb-main"]
    assert vpc_lookups == []


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"flow_log_retention_days": 91}, r"^flow_log_retention_days: 91 is not a retention"),
        ({"flow_log_retention_days": 0}, r"^flow_log_retention_days: 0 is not"),
        ({"vpc_endpoints": ["s3", "ecr"]}, r"^vpc_endpoints\[1\]: 'ecr' is not a VPC endpoint"),
        (
            {"vpc_endpoints": ["com.amazonaws.us-west-2.s3"]},
            r"^vpc_endpoints\[0\]: .* use a short name",
        ),
        ({"vpc_endpoints": ["sts", "sts"]}, r"^vpc_endpoints: duplicate endpoint 'sts'"),
        (
            {
                "existing_vpc": ExistingVpcArgs(
                    vpc_id="vpc-1",
                    private_subnet_ids=["subnet-a", "subnet-b"],
                    private_route_table_ids=["rt-1"],
                )
            },
            r"^existing_vpc\.private_route_table_ids\[0\]: 'rt-1' is not a route table id",
        ),
        ({"flow_log_role": RoleSettings(name="x" * 65)}, r"^flow_log_role\.name:"),
        ({"tags": {"aws:owner": "x"}}, r"^tags\.aws:owner:"),
    ],
)
def test_bad_security_settings_are_refused_before_anything_is_created(
    overrides: dict[str, Any], message: str
) -> None:
    error = refused(lambda: Network("net", NetworkArgs(cluster_name="dev", **overrides)))
    assert re.search(message.replace("^", "^Network 'net': "), error), error


def test_args_read_from_stack_configuration() -> None:
    raw = {
        "availabilityZones": 3,
        "flowLogs": True,
        "flowLogRetentionDays": 365,
        "vpcEndpoints": ["s3", "ecr.api", "ecr.dkr", "sts"],
        "restrictDefaultSecurityGroup": True,
        "existingVpc": {
            "vpcId": "vpc-1",
            "privateSubnetIds": ["subnet-a", "subnet-b"],
            "privateRouteTableIds": ["rtb-1"],
        },
    }
    args = from_config(NetworkArgs, raw, "eks-platform:network", cluster_name="prod")
    validate_settings(args)
    assert args.flow_logs and args.flow_log_retention_days == 365
    assert args.vpc_endpoints == ["s3", "ecr.api", "ecr.dkr", "sts"]
    assert args.existing_vpc is not None
    assert args.existing_vpc.private_route_table_ids == ["rtb-1"]
    assert restricts_default_security_group(args) is True
    with pytest.raises(ValueError, match=r"^eks-platform:network\.flowLogRetentionDays: 100 "):
        try:
            validate_settings(dataclasses.replace(args, flow_log_retention_days=100))
        except ValueError as e:
            raise config_error("eks-platform:network", e) from None
