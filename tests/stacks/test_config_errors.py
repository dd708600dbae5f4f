"""Bad stack files, as users write them: one line naming the key, the rule and the fix, before
anything is registered."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from components.synth import Recorded, main
from tests.stacks.harness import DEV, copy_program, edited, run_dev_with, set_path

CASES: list[tuple[str, str, str]] = [
    ("not a mapping", "- config\n- tags\n", "Pulumi.dev.yaml: must be a mapping"),
    ("config not a mapping", "config: [a, b]\n", "Pulumi.dev.yaml: config: must be a mapping"),
    (
        "duplicate key",
        edited("  eks-platform:demo:", "  eks-platform:tags:\n    a: b\n  eks-platform:demo:"),
        f"Pulumi.dev.yaml: line {DEV.splitlines().index('  eks-platform:demo:') + 1}: duplicate "
        "key 'eks-platform:tags' (also on line 7); keep one",
    ),
    (
        "unquoted version",
        edited('kubernetesVersion: "1.35"', "kubernetesVersion: 1.30"),
        "eks-platform:cluster.kubernetesVersion: expected a string, got 1.3 (YAML read a number: "
        'quote the value, e.g. "1.3" or "1.30")',
    ),
    (
        "version EKS does not offer",
        edited('kubernetesVersion: "1.35"', 'kubernetesVersion: "1.27"'),
        "eks-platform:cluster.kubernetesVersion: EKS does not offer Kubernetes 1.27",
    ),
    (
        "host bits",
        edited("cidrBlock: 10.10.0.0/16", "cidrBlock: 10.10.0.1/16"),
        "eks-platform:network.cidrBlock: '10.10.0.1/16' has host bits set: the block's network "
        "address is 10.10.0.0/16",
    ),
    (
        "camelCase in the rule",
        edited("        minSize: 1", "        minSize: 3"),
        "eks-platform:cluster.nodeGroups.system.minSize: must be <= desiredSize (3 > 1)",
    ),
    (
        "nested optional section",
        edited(
            "    natGatewayStrategy: Single",
            "    natGatewayStrategy: Single\n    existingVpc:\n      vpcId: 12\n"
            "      privateSubnetIds: [subnet-a, subnet-b]",
        ),
        "eks-platform:network.existingVpc.vpcId: expected a string, got 12",
    ),
    (
        "node group name",
        edited("      system:", "      sys.tem:"),
        "is not a node group name EKS accepts",
    ),
    (
        "AMI type",
        edited(
            "        capacityType: SPOT",
            "        capacityType: SPOT\n        amiType: AL2023_STANDARD",
        ),
        "eks-platform:cluster.nodeGroups.system.amiType: 'AL2023_STANDARD' is not an EKS AMI type",
    ),
    (
        "reserved tag key",
        edited("    environment: dev", "    aws:environment: dev"),
        "eks-platform:tags.aws:environment: tag keys starting with 'aws:' are reserved by AWS",
    ),
    (
        "zone outside the region",
        edited("availabilityZones: 2", "availabilityZones: [us-east-1a, us-east-1b]"),
        "eks-platform:network.availabilityZones[0]: 'us-east-1a' is not an availability zone of "
        "aws:region us-west-2",
    ),
    (
        "a demo where nothing reads it",
        edited(
            "  aws:region: us-west-2",
            "  aws:region: us-west-2\n  eks-platform:environment: staging",
        ),
        "eks-platform:demo: is set, but the staging composition",
    ),
    (
        "a boolean as YAML writes it",
        edited("    endpointPrivateAccess: true", "    endpointPrivateAccess: yes please"),
        "eks-platform:cluster.endpointPrivateAccess: expected true or false, got 'yes please'",
    ),
]


@pytest.mark.parametrize(("name", "text", "message"), CASES, ids=[c[0] for c in CASES])
def test_a_bad_stack_file_is_one_line_naming_the_key(
    name: str, text: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    program = copy_program(tmp_path, "dev", text)
    assert main(["--program", str(program), "--stack", "dev"]) == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err
    assert message in err, err


VALID: list[tuple[str, str]] = [
    ("longest cluster name", edited("clusterName: dev-eks", "clusterName: " + "a" * 100)),
    (
        "a sample host under a zone given by id only",
        edited(
            "      - domain: dev.example.com\n        zoneId: Z0123456789DEVEXAMPLE",
            "      - zoneId: Z0123456789DEVEXAMPLE",
        ),
    ),
]


@pytest.mark.parametrize(("name", "text"), VALID, ids=[c[0] for c in VALID])
def test_no_check_refuses_a_valid_configuration(
    name: str, text: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    program = copy_program(tmp_path, "dev", text)
    assert main(["--program", str(program), "--stack", "dev"]) == 0, capsys.readouterr().err


# -- the same, in-process: one value of the parsed dev config changed -----------------------------


@pytest.mark.parametrize(
    "path, value, message",
    [
        ("eks-platform:clusterName", "x", "^eks-platform:clusterName: unknown key"),
        ("eks-platform:cluster.nodeGroup", {}, "^eks-platform:cluster.nodeGroup: unknown key"),
        (
            "eks-platform:cluster.nodeGroups.system.minSize",
            3,
            r"^eks-platform:cluster.nodeGroups.system.minSize: must be <= desiredSize \(3 > 1\)",
        ),
        (
            "eks-platform:cluster.nodeGroups.system.desiredSize",
            3,
            "^eks-platform:cluster.nodeGroups.system.desiredSize: must be <= maxSize",
        ),
        (
            "eks-platform:cluster.nodeGroups.system.minSize",
            "one",
            "^eks-platform:cluster.nodeGroups.system.minSize: expected an integer",
        ),
        (
            "eks-platform:cluster.nodeGroups.system.capacityType",
            "SPOTTY",
            "^eks-platform:cluster.nodeGroups.system.capacityType: 'SPOTTY' is not one of",
        ),
        (
            "eks-platform:cluster.nodeGroups.system.labels",
            {"a b": "c"},
            "^eks-platform:cluster.nodeGroups.system.labels.a b: ",
        ),
        (
            "eks-platform:cluster.nodeGroups.system.taints",
            [{"key": "k", "effect": "Never"}],
            r"^eks-platform:cluster.nodeGroups.system.taints\[0\].effect: ",
        ),
        (
            "eks-platform:cluster.nodeGroups.system.taints",
            [{"key": "k"}],
            r"^eks-platform:cluster.nodeGroups.system.taints\[0\].effect: required key is missing",
        ),
        (
            "eks-platform:cluster.clusterName",
            "dev eks",
            "^eks-platform:cluster.clusterName: 'dev eks' is not a valid EKS cluster name",
        ),
        (
            "eks-platform:cluster.clusterName",
            KeyError,
            "^eks-platform:cluster.clusterName: required key is missing",
        ),
        (
            "eks-platform:cluster.accessEntries.platform.principalArn",
            "arn:aws:iam::123456789012:policy/x",
            r"^eks-platform:cluster.accessEntries.platform.principalArn: .* is not an IAM role or user ARN",
        ),
        (
            "eks-platform:cluster.accessEntries.platform.policy",
            "owner",
            r"^eks-platform:cluster.accessEntries.platform.policy: 'owner' is not one of",
        ),
        (
            "eks-platform:cluster.accessEntries",
            ["arn:aws:iam::123456789012:role/x"],
            r"^eks-platform:cluster.accessEntries: expected a mapping",
        ),
        (
            "eks-platform:cluster.allowPublicEndpointFromAnywhere",
            False,
            r"^eks-platform:cluster.publicAccessCidrs: 0.0.0.0/0 opens the API server",
        ),
        (
            "eks-platform:cluster.publicAccessCidrs",
            ["0.0.0.0"],
            r"^eks-platform:cluster.publicAccessCidrs\[0\]: ",
        ),
        ("eks-platform:network.availabilityZones", 1, "^eks-platform:network.availabilityZones: "),
        ("eks-platform:network.cidrBlock", "10.0.0.0", "^eks-platform:network.cidrBlock: "),
        (
            "eks-platform:network.existingVpc",
            {"vpcId": "vpc-1", "privateSubnetIds": ["subnet-1"]},
            "^eks-platform:network.existingVpc.privateSubnetIds: EKS needs at least 2",
        ),
        ("eks-platform:demo.namespace", "Demo", "^eks-platform:demo.namespace: "),
        (
            "eks-platform:loadBalancerController.ingressScheme",
            "public",
            "^eks-platform:loadBalancerController.ingressScheme: ",
        ),
        (
            "eks-platform:loadBalancerController.replicas",
            0,
            "^eks-platform:loadBalancerController.replicas: ",
        ),
        (
            "eks-platform:externalDns.zones",
            [],
            "^eks-platform:externalDns.zones: at least one hosted zone",
        ),
        ("eks-platform:externalDns.policy", "delete-all", "^eks-platform:externalDns.policy: "),
        ("eks-platform:externalDns.interval", "10s", "^eks-platform:externalDns.interval: "),
        (
            "eks-platform:sampleApp.host",
            "game.example.org",
            "^eks-platform:sampleApp.host: 'game.example.org' is not under any externalDns zone",
        ),
        ("eks-platform:sampleApp.host", "game..dev.example.com", "^eks-platform:sampleApp.host: "),
        ("eks-platform:sampleApp.zoneId", "z123", "^eks-platform:sampleApp.zoneId: "),
        (
            "eks-platform:loadBalancerController",
            KeyError,
            "^eks-platform:sampleApp: needs eks-platform:loadBalancerController",
        ),
        ("eks-platform:cluster", KeyError, "^eks-platform:cluster: required key is missing"),
        (
            "eks-platform:karpenter.nodeSelector",
            {"workload": "batch"},
            "^eks-platform:karpenter.nodeSelector: .* matches no cluster.nodeGroups labels",
        ),
        (
            "eks-platform:karpenter.nodePools.spot.limits",
            {"cpu": "8"},
            "^eks-platform:karpenter.nodePools.spot.limits",
        ),
        (
            "eks-platform:karpenter.nodePools.spot.expireAfter",
            "7 days",
            "^eks-platform:karpenter.nodePools.spot.expireAfter: ",
        ),
        (
            "eks-platform:externalSecrets.secretPrefixes",
            ["dev-eks/demo"],
            r"^eks-platform:externalSecrets.secretPrefixes\[0\]: 'dev-eks/demo' must end with '/'",
        ),
        (
            "eks-platform:demo.parameterPath",
            "dev-eks/demo",
            "^eks-platform:demo.parameterPath: ",
        ),
        (
            "eks-platform:karpenter.nodePools.spot.limits",
            KeyError,
            "^eks-platform:karpenter.nodePools.spot.limits: required key is missing",
        ),
        (
            "eks-platform:karpenter.cluster",
            "dev-eks",
            "^eks-platform:karpenter.cluster: unknown key",
        ),
    ],
)
def test_config_errors_name_the_key_before_anything_is_registered(
    path: str, value: Any, message: str
) -> None:
    recorded: list[Recorded] = []
    with pytest.raises(ValueError, match=message):
        run_dev_with(set_path(path, value), recorded)
    assert recorded == []


def test_a_valid_dev_config_registers_resources() -> None:
    """The counterpart of the test above: the same harness does record registrations (of the
    network and the cluster: without the add-ons and the demo, to be quick)."""

    def platform_only(config: dict[str, Any]) -> None:
        for key in ("loadBalancerController", "externalDns", "externalSecrets", "karpenter"):
            del config[f"eks-platform:{key}"]
        del config["eks-platform:sampleApp"], config["eks-platform:demo"]

    recorded: list[Recorded] = []
    run_dev_with(platform_only, recorded)
    assert len(recorded) > 20


def test_external_dns_zone_ids_are_checked_at_load() -> None:
    def edit(config: dict[str, Any]) -> None:
        config["eks-platform:externalDns"]["zones"][0]["zoneId"] = "Zabc"

    with pytest.raises(ValueError, match=r"^eks-platform:externalDns.zones\[0\].zoneId: "):
        run_dev_with(edit)
