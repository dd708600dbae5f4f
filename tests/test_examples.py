"""examples/existing-cluster: the components imported by another program, for a cluster made elsewhere."""

from __future__ import annotations

import functools
import json
import shutil
from pathlib import Path

import pytest

from components.synth import SynthResult, main, synth
from tests.iam_validation import assert_valid_permission_policy
from tests.trust_policy import Token, admits

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "existing-cluster"
ISSUER = "https://oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF"


@functools.cache
def example() -> SynthResult:
    return synth(EXAMPLE, "example")


def test_example_creates_the_oidc_provider_controller_and_app_role() -> None:
    result = example()
    provider = result.one("aws:iam/openIdConnectProvider:OpenIdConnectProvider")
    assert provider.inputs["url"] == ISSUER
    release = result.one("kubernetes:helm.sh/v3:Release")
    assert release.inputs["values"]["clusterName"] == "legacy-eks"
    assert release.inputs["values"]["vpcId"] == "vpc-0a1b2c3d4e5f67890"
    assert release.inputs["values"]["region"] == "eu-west-1"
    assert result.by_type("eks:index:Cluster") == []  # the cluster is not managed here


def test_example_app_role_admits_only_its_service_account() -> None:
    result = example()
    trust = json.loads(
        result.one("aws:iam/role:Role", "legacy-eks-reports-reader").inputs["assumeRolePolicy"]
    )
    provider_arn = result.outputs["oidcProviderArn"]
    assert admits(trust, Token(ISSUER, "system:serviceaccount:reports:reader"), provider_arn)
    assert not admits(trust, Token(ISSUER, "system:serviceaccount:reports:writer"), provider_arn)
    policy = json.loads(result.one("aws:iam/rolePolicy:RolePolicy").inputs["policy"])
    assert_valid_permission_policy(policy)


def test_example_adopts_an_existing_provider(tmp_path: Path) -> None:
    program = tmp_path / "existing-cluster"
    shutil.copytree(EXAMPLE, program)
    arn = "arn:aws:iam::123456789012:oidc-provider/" + ISSUER.removeprefix("https://")
    stack_file = program / "Pulumi.example.yaml"
    stack_file.write_text(
        stack_file.read_text() + f"  existing-cluster-addons:oidcProviderArn: {arn}\n"
    )
    result = synth(program, "example")
    assert result.by_type("aws:iam/openIdConnectProvider:OpenIdConnectProvider") == []
    assert result.outputs["oidcProviderArn"] == arn


def test_example_missing_config_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    program = tmp_path / "existing-cluster"
    shutil.copytree(EXAMPLE, program)
    stack_file = program / "Pulumi.example.yaml"
    stack_file.write_text(
        "\n".join(line for line in stack_file.read_text().splitlines() if ":vpcId:" not in line)
    )
    assert main(["--program", str(program), "--stack", "example"]) == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert "existing-cluster-addons:vpcId" in err
