"""examples/: other teams' programs that import the installed ``eks_platform`` package."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from components.synth import SynthResult, main, synth
from tests.iam_validation import assert_valid_permission_policy
from tests.stacks.harness import ROOT, stack
from tests.support import doc
from tests.trust_policy import Token, admits

EXAMPLES = ROOT / "examples"
EXISTING = EXAMPLES / "existing-cluster"
pytestmark = pytest.mark.usefixtures("eks_platform")


def test_existing_cluster_gets_the_oidc_provider_controller_and_app_role() -> None:
    result = synth(EXISTING, "example")
    provider = result.one("aws:iam/openIdConnectProvider:OpenIdConnectProvider")
    issuer = provider.inputs["url"]
    assert issuer.startswith("https://oidc.eks.eu-west-1.amazonaws.com/id/")
    values = result.one("kubernetes:helm.sh/v3:Release").inputs["values"]
    assert values["clusterName"] == "legacy-eks"
    assert values["vpcId"].startswith("vpc-")  # looked up, not configured
    assert values["region"] == "eu-west-1"
    assert result.by_type("eks:index:Cluster") == []  # the cluster is not managed here

    trust = doc(result.one("aws:iam/role:Role", "reports-reader"), "assumeRolePolicy")
    provider_arn = result.outputs["oidcProviderArn"]
    assert admits(trust, Token(issuer, "system:serviceaccount:reports:reader"), provider_arn)
    assert not admits(trust, Token(issuer, "system:serviceaccount:reports:writer"), provider_arn)
    policy = json.loads(result.one("aws:iam/rolePolicy:RolePolicy").inputs["policy"])
    assert {r for s in policy["Statement"] for r in s["Resource"]} == {
        "arn:aws:s3:::example-reports",
        "arn:aws:s3:::example-reports/*",
    }
    assert_valid_permission_policy(policy)


def test_existing_cluster_adopts_the_provider_by_default(tmp_path: Path) -> None:
    program = tmp_path / "existing-cluster"
    shutil.copytree(EXISTING, program)
    stack_file = program / "Pulumi.example.yaml"
    stack_file.write_text(
        "\n".join(
            line
            for line in stack_file.read_text().splitlines()
            if "createOidcProvider:" not in line
        )
    )
    result = synth(program, "example")
    assert result.by_type("aws:iam/openIdConnectProvider:OpenIdConnectProvider") == []
    arn = result.outputs["oidcProviderArn"]
    assert arn.startswith("arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.")


def test_existing_cluster_missing_config_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    program = tmp_path / "existing-cluster"
    shutil.copytree(EXISTING, program)
    stack_file = program / "Pulumi.example.yaml"
    stack_file.write_text(
        "\n".join(
            line for line in stack_file.read_text().splitlines() if ":clusterName:" not in line
        )
    )
    assert main(["--program", str(program), "--stack", "example"]) == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert "existing-cluster-addons:clusterName" in err


def test_cross_stack_program_references_the_dev_stack() -> None:
    dev = stack("dev").outputs
    assert dev["kubeconfig"] == "[secret]"

    result = synth(EXAMPLES / "cross-stack", "dev", stack_outputs={"acme/eks-platform/dev": dev})
    reference = result.one("pulumi:pulumi:StackReference")
    assert reference.inputs["name"] == "acme/eks-platform/dev"
    trust = doc(result.one("aws:iam/role:Role", "payments-api"), "assumeRolePolicy")
    subject = "system:serviceaccount:payments:api"
    # The token of the dev cluster, through the dev cluster's provider, is admitted.
    assert admits(trust, Token(dev["oidcIssuerUrl"], subject), dev["oidcProviderArn"])
    assert not admits(
        trust,
        Token(dev["oidcIssuerUrl"], "system:serviceaccount:default:api"),
        dev["oidcProviderArn"],
    )
    provider = result.one("pulumi:providers:kubernetes")
    assert provider.inputs["kubeconfig"] == "[secret]"
    policy = json.loads(result.one("aws:iam/rolePolicy:RolePolicy").inputs["policy"])
    assert_valid_permission_policy(policy)


def test_cross_stack_outputs_come_from_a_file_on_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outputs = tmp_path / "outputs.json"
    outputs.write_text(
        json.dumps(
            {
                "clusterName": "shared-prod",
                "kubeconfig": "[secret]",
                "vpcId": "vpc-0abc",
                "oidcIssuerUrl": "https://oidc.eks.us-west-2.amazonaws.com/id/00112233445566778899AABBCCDDEEFF",
                "oidcProviderArn": "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/00112233445566778899AABBCCDDEEFF",
            }
        )
    )
    out = tmp_path / "payments.json"
    code = main(
        [
            "--program",
            str(EXAMPLES / "cross-stack"),
            "--stack",
            "dev",
            "--stack-outputs",
            f"acme/eks-platform/dev={outputs}",
            "--json",
            str(out),
        ]
    )
    assert code == 0, capsys.readouterr().err
    resources = json.loads(out.read_text())["resources"]
    (role,) = [r for r in resources if r["type"] == "aws:iam/role:Role"]
    assert "00112233445566778899AABBCCDDEEFF:sub" in role["inputs"]["assumeRolePolicy"]


def test_blue_green_example_binds_the_role_on_both_clusters() -> None:
    result: SynthResult = synth(EXAMPLES / "blue-green", "prod")
    sas = {
        sa.name: sa.inputs["metadata"] for sa in result.by_type("kubernetes:core/v1:ServiceAccount")
    }
    assert sas["orders-api-blue-sa"]["namespace"] == "orders"
    assert sas["orders-api-green-sa"]["namespace"] == "orders-v2"
    trust = doc(result.one("aws:iam/role:Role", "orders-api"), "assumeRolePolicy")
    hosts = [s["Principal"]["Federated"].split("oidc-provider/")[1] for s in trust["Statement"]]
    assert len(set(hosts)) == 2
    blue, green = (f"https://{h}" for h in hosts)
    arns = [s["Principal"]["Federated"] for s in trust["Statement"]]
    assert admits(trust, Token(blue, "system:serviceaccount:orders:api"), arns[0])
    assert admits(trust, Token(green, "system:serviceaccount:orders-v2:api"), arns[1])
    assert not admits(trust, Token(green, "system:serviceaccount:orders:api"), arns[1])
    policy = json.loads(result.one("aws:iam/rolePolicy:RolePolicy").inputs["policy"])
    assert_valid_permission_policy(policy)
