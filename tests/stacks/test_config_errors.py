"""Bad stack files, as users write them: one line naming the key, the rule and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from components.synth import main
from tests.test_synth import ROOT, copy_program

DEV = (ROOT / "Pulumi.dev.yaml").read_text()


def edited(old: str, new: str) -> str:
    assert old in DEV, old
    return DEV.replace(old, new, 1)


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
        "eks-platform:cluster.nodeGroups.system.minSize: must be <= desiredSize (3 > 2)",
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
            "        capacityType: ON_DEMAND",
            "        capacityType: ON_DEMAND\n        amiType: AL2023_STANDARD",
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
