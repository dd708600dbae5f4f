"""Network with ``nat: instance``: one hardened NAT instance instead of NAT gateways."""

from __future__ import annotations

import configparser
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pulumi
import pytest
import yaml

from components.network import Network, NetworkArgs, nat_instance, validate_settings
from components.network import endpoints as endpoints_mod
from components.synth import SynthResult
from components.synth.mocks import PlatformMocks
from components.validation.config_reader import config_error, from_config
from tests.oracles.trust_policy import service_may_assume
from tests.support import doc, refused, run, shared

INSTANCE = "aws:ec2/instance:Instance"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
ROUTE = "aws:ec2/route:Route"
EIP = "aws:ec2/eip:Eip"
ROLE = "aws:iam/role:Role"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
PROFILE = "aws:iam/instanceProfile:InstanceProfile"
PARAMETER = "aws:ssm/getParameter:getParameter"
CIDR = "10.20.0.0/16"


@pytest.fixture
def lookups(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The private route tables the mocked awsx Vpc does not report, an instance's primary ENI
    (which the mocks do not make up), and the SSM parameters read."""
    return answer_lookups(monkeypatch)


def answer_lookups(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """What :func:`lookups` does, with ``monkeypatch``; the SSM parameters read."""
    tables = ["rtb-private-a", "rtb-private-b", "rtb-private-c"]
    vpc_azs: list[str] = []  # one entry per AZ of the awsx Vpc registered
    monkeypatch.setattr(
        endpoints_mod,
        "private_route_table_ids",
        lambda vpc: vpc.vpc_id.apply(lambda _: tables[: len(vpc_azs)]),
    )
    original_new, original_call = PlatformMocks.new_resource, PlatformMocks.call
    read: list[dict[str, Any]] = []

    def new_resource(self: PlatformMocks, args: Any) -> tuple[str | None, dict]:
        if args.typ == "awsx:ec2:Vpc":
            vpc_azs[:] = ["a"] * int(args.inputs.get("numberOfAvailabilityZones") or 2)
        resource_id, outputs = original_new(self, args)
        if args.typ == INSTANCE:
            outputs["primaryNetworkInterfaceId"] = f"eni-{resource_id}"
        return resource_id, outputs

    def call(self: PlatformMocks, args: Any) -> Any:
        if args.token == PARAMETER:
            read.append(dict(args.args))
            return {"name": args.args["name"], "value": "ami-0123456789abcdef0", "id": "x"}, []
        return original_call(self, args)

    monkeypatch.setattr(PlatformMocks, "new_resource", new_resource)
    monkeypatch.setattr(PlatformMocks, "call", call)
    return read


def network(**overrides: Any) -> SynthResult:
    args = NetworkArgs(cluster_name="dev", cidr_block=CIDR, nat="instance", **overrides)
    return run(lambda: Network("net", args))


@shared
def default_network() -> SynthResult:
    """``network()`` with the :func:`lookups` answered: one synth per test process."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        answer_lookups(monkeypatch)
        return network()


def test_no_nat_gateway_and_one_nat_instance(lookups: list[dict[str, Any]]) -> None:
    result = network(tags={"team": "platform"})
    assert result.one("awsx:ec2:Vpc").inputs["natGateways"] == {"strategy": "None"}
    vm = result.one(INSTANCE).inputs
    assert vm["instanceType"] == "t4g.nano"
    assert vm["tags"] == {"team": "platform", "Name": "dev-nat"}
    # The default stays the NAT gateway.
    default = run(lambda: Network("net", NetworkArgs(cluster_name="dev")))
    assert default.one("awsx:ec2:Vpc").inputs["natGateways"] == {"strategy": "Single"}
    for type_ in (INSTANCE, ROUTE, EIP, PROFILE):
        assert default.by_type(type_) == [], type_


def test_the_instance_is_hardened() -> None:
    result = default_network()
    vm = result.one(INSTANCE).inputs
    assert vm["metadataOptions"] == {
        "httpEndpoint": "enabled",
        "httpTokens": "required",
        "httpPutResponseHopLimit": 1,
    }
    root = vm["rootBlockDevice"]
    assert (root["encrypted"], root["volumeType"], root["volumeSize"]) == (True, "gp3", 8)
    assert root["deleteOnTermination"] is True
    assert "keyName" not in vm and result.by_type("aws:ec2/keyPair:KeyPair") == []
    assert vm["sourceDestCheck"] is False
    assert vm["maintenanceOptions"] == {"autoRecovery": "default"}
    assert vm["userDataReplaceOnChange"] is True
    # In the first public subnet, in its own security group only.
    public = run_vpc_outputs()["publicSubnetIds"]
    assert vm["subnetId"] == public[0]
    (group,) = vm["vpcSecurityGroupIds"]
    assert group.startswith(f"{result.one(SECURITY_GROUP).name}-")  # the mocks' id: name-hash
    assert "associatePublicIpAddress" not in vm  # the Elastic IP is its address
    assert result.one(PROFILE).inputs["name"] == vm["iamInstanceProfile"]


def run_vpc_outputs() -> dict[str, Any]:
    """What the mocked awsx Vpc ``net-vpc`` answers (subnet ids are derived from its name)."""
    mocks = PlatformMocks()
    _, outputs = mocks._awsx_ec2_Vpc("net-vpc", {"numberOfAvailabilityZones": 2})
    return outputs


def test_security_group_admits_the_vpc_only() -> None:
    sg = default_network().one(SECURITY_GROUP).inputs
    (rule,) = sg["ingress"]
    assert rule["cidrBlocks"] == [CIDR]
    assert (rule["protocol"], rule["fromPort"], rule["toPort"]) == ("-1", 0, 0)
    assert not rule.get("ipv6CidrBlocks") and not rule.get("securityGroups")
    assert not rule.get("self") and not rule.get("prefixListIds")
    (out,) = sg["egress"]
    assert out["cidrBlocks"] == ["0.0.0.0/0"] and out["protocol"] == "-1"


def test_role_may_only_use_session_manager() -> None:
    result = default_network()
    role = result.one(ROLE)
    trust = doc(role, "assumeRolePolicy")
    assert service_may_assume(trust, "ec2.amazonaws.com")
    assert not service_may_assume(trust, "lambda.amazonaws.com")
    (attachment,) = result.by_type(ATTACHMENT)
    assert attachment.inputs["policyArn"] == "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
    assert attachment.inputs["role"] == role.inputs["name"]
    assert result.by_type(ROLE_POLICY) == []
    assert result.one(PROFILE).inputs["role"] == role.inputs["name"]
    # The instance starts after its permissions exist.
    assert attachment.urn in result.one(INSTANCE).dependencies


def test_role_settings_apply(lookups: list[dict[str, Any]]) -> None:
    from components.identity.iam import RoleSettings

    boundary = "arn:aws:iam::123456789012:policy/boundary"
    settings = RoleSettings(name="dev-nat", path="/nat/", permissions_boundary_arn=boundary)
    result = network(nat_instance_role=settings)
    role = result.one(ROLE).inputs
    assert (role["name"], role["path"], role["permissionsBoundary"]) == (
        "dev-nat",
        "/nat/",
        boundary,
    )
    assert result.one(PROFILE).inputs["path"] == "/nat/"


@pytest.mark.parametrize("azs", [2, 3])
def test_a_default_route_in_every_private_route_table(
    lookups: list[dict[str, Any]], azs: int
) -> None:
    result = network(availability_zones=azs)
    routes = sorted(result.by_type(ROUTE), key=lambda r: r.name)
    assert [r.name for r in routes] == [f"net-nat-{i}" for i in range(1, azs + 1)]
    tables = ["rtb-private-a", "rtb-private-b", "rtb-private-c"][:azs]
    assert [r.inputs["routeTableId"] for r in routes] == tables
    # The mocks' instance id is i-<hash of its name>; this fixture names its ENI eni-<that id>.
    enis = {route.inputs["networkInterfaceId"] for route in routes}
    for route in routes:
        assert route.inputs["destinationCidrBlock"] == "0.0.0.0/0"
        assert set(route.inputs) == {"destinationCidrBlock", "routeTableId", "networkInterfaceId"}
    assert len(enis) == 1 and next(iter(enis)).startswith("eni-i-")


def test_an_elastic_ip_on_the_instance() -> None:
    result = default_network()
    eip = result.one(EIP).inputs
    assert eip["domain"] == "vpc"
    assert eip["instance"].startswith("i-")  # the instance's id (the mocks: i-<hash of its name>)


def test_route_table_count_is_checked() -> None:
    assert nat_instance._table(["rtb-1", "rtb-2"], 1, 2) == "rtb-2"
    with pytest.raises(ValueError, match="expected 3 private route tables .* reports 2"):
        nat_instance._table(["rtb-1", "rtb-2"], 0, 3)
    # What the offline synth's awsx mock reports: no tables, an unknown id.
    assert nat_instance._table([], 0, 2) is pulumi.output.UNKNOWN


def test_the_routes_take_over_awsxs_nat_gateway_routes() -> None:
    def program() -> None:
        net = Network("net", NetworkArgs(cluster_name="dev"))
        pulumi.export("network", net.urn)
        pulumi.export("alias", nat_instance._awsx_route_urn(net, "net-vpc", 2))

    outputs = run(program).outputs
    prefix = outputs["network"].rsplit("::", 1)[0]
    assert outputs["alias"] == (
        f"{prefix}$awsx:ec2:Vpc$aws:ec2/vpc:Vpc$aws:ec2/subnet:Subnet"
        "$aws:ec2/routeTable:RouteTable$aws:ec2/route:Route::net-vpc-private-2"
    )


# --------------------------------------------------------------------------------- the AMI


@pytest.mark.parametrize(
    "instance_type, arch",
    [("t4g.nano", "arm64"), ("c7gn.medium", "arm64"), ("t3.micro", "x86_64")],
)
def test_ami_is_the_newest_al2023_for_the_architecture(
    lookups: list[dict[str, Any]], instance_type: str, arch: str
) -> None:
    result = network(nat_instance_type=instance_type)
    (read,) = lookups
    assert read["name"] == f"/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-{arch}"
    assert result.one(INSTANCE).inputs["ami"] == "ami-0123456789abcdef0"


def test_a_pinned_ami_is_not_looked_up(lookups: list[dict[str, Any]]) -> None:
    result = network(nat_instance_ami="ami-0fedcba9876543210")
    assert lookups == []
    assert result.one(INSTANCE).inputs["ami"] == "ami-0fedcba9876543210"


# ---------------------------------------------------------------------------- the user data


def cloud_config() -> dict[str, Any]:
    text = nat_instance.user_data([CIDR])
    assert text.startswith("#cloud-config\n")
    return yaml.safe_load(text)


def written(path: str) -> str:
    (entry,) = [f for f in cloud_config()["write_files"] if f["path"] == path]
    return str(entry["content"])


def test_user_data_is_the_instances() -> None:
    assert default_network().one(INSTANCE).inputs["userData"] == nat_instance.user_data([CIDR])


def test_forwarding_is_on_persistently() -> None:
    settings = dict(
        line.split(" = ") for line in written("/etc/sysctl.d/90-nat-instance.conf").splitlines()
    )
    assert settings["net.ipv4.ip_forward"] == "1"
    assert settings["net.ipv4.conf.all.send_redirects"] == "0"


def test_the_vpc_is_masqueraded_on_the_primary_interface() -> None:
    script = written("/usr/local/sbin/nat-instance")
    assert script.startswith("#!/bin/bash\n")
    assert "sysctl -q -p /etc/sysctl.d/90-nat-instance.conf" in script
    assert "ip -4 route show default" in script  # the primary interface: the default route's
    assert f'oifname "$dev" ip saddr {{ {CIDR} }} ip daddr != {{ {CIDR} }} masquerade' in script
    # Only the VPC's traffic and the replies to it are forwarded.
    assert "type filter hook forward priority filter; policy drop;" in script
    assert "ct state established,related accept" in script
    assert f'iifname "$dev" oifname "$dev" ip saddr {{ {CIDR} }} accept' in script
    assert re.search(r"^EOF$", script, re.M), "the heredoc's end must start its line"
    if shutil.which("bash"):
        subprocess.run(["bash", "-n"], input=script, text=True, check=True)


def test_the_rules_are_applied_at_every_boot(tmp_path: Path) -> None:
    unit = configparser.ConfigParser(strict=True)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read_string(written(f"/etc/systemd/system/{nat_instance.SERVICE}"))
    assert unit["Service"]["ExecStart"] == "/usr/local/sbin/nat-instance"
    assert unit["Service"]["Type"] == "oneshot"
    assert unit["Install"]["WantedBy"] == "multi-user.target"
    assert unit["Unit"]["After"] == "network-online.target"
    config = cloud_config()
    assert ["systemctl", "enable", "--now", nat_instance.SERVICE] in config["runcmd"]
    modes = {f["path"]: f["permissions"] for f in config["write_files"]}
    assert modes["/usr/local/sbin/nat-instance"] == "0755"


# ------------------------------------------------------------------------------ refusals


@pytest.mark.parametrize(
    "overrides, message",
    [
        (
            {"nat_gateway_strategy": "OnePerAz"},
            r"^nat_gateway_strategy: 'OnePerAz' with nat: instance: .* use Single",
        ),
        ({"nat_gateway_strategy": "None"}, r"^nat_gateway_strategy: 'None' with nat: instance"),
        (
            {"existing_vpc": "existing"},
            r"^nat: 'instance' is for a new VPC",
        ),
        ({"nat": "nat-instance"}, r"^nat: 'nat-instance' is not one of gateway, instance"),
        ({"nat_instance_type": "nano"}, r"^nat_instance_type: 'nano' is not an EC2 instance type"),
        ({"nat_instance_ami": "al2023"}, r"^nat_instance_ami: 'al2023' is not an AMI id"),
    ],
)
def test_misuse_is_refused_naming_the_field(overrides: dict[str, Any], message: str) -> None:
    from components.network import ExistingVpcArgs

    if overrides.get("existing_vpc") == "existing":
        overrides["existing_vpc"] = ExistingVpcArgs(
            vpc_id="vpc-1", private_subnet_ids=["subnet-a", "subnet-b"]
        )
    args = {"cluster_name": "dev", "nat": "instance", **overrides}
    error = refused(lambda: Network("net", NetworkArgs(**args)))
    assert re.search(message.replace("^", "^Network 'net': "), error), error


def test_stack_configuration() -> None:
    raw = {"nat": "instance", "natInstanceType": "t4g.micro", "natGatewayStrategy": "OnePerAz"}
    args = from_config(NetworkArgs, raw, "eks-platform:network", cluster_name="dev")
    assert (args.nat, args.nat_instance_type) == ("instance", "t4g.micro")
    with pytest.raises(ValueError, match=r"^eks-platform:network\.natGatewayStrategy: 'OnePerAz'"):
        try:
            validate_settings(args)
        except ValueError as e:
            raise config_error("eks-platform:network", e) from None


def test_graviton_types_run_the_arm64_ami() -> None:
    for arm in ("t4g.nano", "c7gn.medium", "m7gd.large", "a1.large", "g5g.xlarge"):
        assert nat_instance.architecture(arm) == "arm64", arm
    for x86 in ("t3.micro", "c6in.large", "g5.xlarge", "m6a.large"):
        assert nat_instance.architecture(x86) == "x86_64", x86
