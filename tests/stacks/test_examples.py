"""examples/: other teams' programs that import the installed ``eks_platform`` package."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from components.identity.cluster_ref import OPTIONAL_STACK_OUTPUTS, STACK_OUTPUTS
from components.synth import SynthResult, main, synth
from tests.oracles.iam_validation import assert_valid_permission_policy
from tests.oracles.trust_policy import Token, admits
from tests.stacks.harness import ROOT, stack
from tests.support import doc

EXAMPLES = ROOT / "examples"
EXISTING = EXAMPLES / "existing-cluster"
APP_TEAM = EXAMPLES / "app-team"
PLATFORM_STACK = "acme/eks-platform/staging"
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


def _app_team(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], program: Path = APP_TEAM
) -> tuple[int, str, dict[str, Any]]:
    """Synth the app team's program as its README says: the staging platform's synth document
    as the referenced stack's outputs, the platform's policy pack evaluated."""
    platform = tmp_path / "platform-staging.json"
    platform.write_text(json.dumps(stack("staging").as_json()))
    out = tmp_path / "app-team.json"
    code = main(
        [
            "--program",
            str(program),
            "--stack",
            "staging",
            "--stack-outputs",
            f"{PLATFORM_STACK}={platform}",
            "--policy-pack",
            str(ROOT / "policy-pack"),
            "--json",
            str(out),
        ]
    )
    err = capsys.readouterr().err
    return code, err, json.loads(out.read_text()) if out.exists() else {}


def test_the_platform_stacks_export_what_an_app_team_reads() -> None:
    for name in ("dev", "staging", "prod"):
        outputs = stack(name).outputs
        missing = [o for o in (*STACK_OUTPUTS, *OPTIONAL_STACK_OUTPUTS) if o not in outputs]
        assert missing == [], f"{name} does not export {missing} (ClusterRef.from_stack reads them)"


def test_app_team_program_runs_on_the_platforms_outputs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    platform = stack("staging").outputs
    code, err, app = _app_team(tmp_path, capsys)
    assert code == 0, err
    assert "0 mandatory and 0 advisory violations" in err
    resources = {(r["type"], r["name"]): r for r in app["resources"]}
    (reference,) = [r for r in app["resources"] if r["type"] == "pulumi:pulumi:StackReference"]
    assert reference["inputs"]["name"] == PLATFORM_STACK
    # Every Kubernetes object goes through the platform cluster's provider, none through the
    # deployer's kubeconfig.
    k8s_provider = resources[("pulumi:providers:kubernetes", "acme-eks-platform-staging-k8s")]
    assert k8s_provider["inputs"]["kubeconfig"] == "[secret]"
    objects = [r for r in app["resources"] if r["type"].startswith("kubernetes:") and r["custom"]]
    assert len(objects) == 6
    assert {r["provider"] for r in objects} == {k8s_provider["urn"]}

    namespace = resources[("kubernetes:core/v1:Namespace", "storefront")]["inputs"]["metadata"]
    assert namespace["name"] == "storefront"
    assert namespace["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"

    # The role trusts the platform cluster's issuer for storefront/api only.
    role = resources[("aws:iam/role:Role", "storefront-api")]
    trust = json.loads(role["inputs"]["assumeRolePolicy"])
    issuer, provider_arn = platform["oidcIssuerUrl"], platform["oidcProviderArn"]
    assert admits(trust, Token(issuer, "system:serviceaccount:storefront:api"), provider_arn)
    assert not admits(trust, Token(issuer, "system:serviceaccount:demo:api"), provider_arn)
    policy = json.loads(
        resources[("aws:iam/rolePolicy:RolePolicy", "storefront-api-permissions")]["inputs"][
            "policy"
        ]
    )
    resources_granted = {r for s in policy["Statement"] for r in s["Resource"]}
    assert "arn:aws:dynamodb:us-west-2:123456789012:table/storefront-orders" in resources_granted
    assert "arn:aws:s3:::acme-storefront-assets/public/*" in resources_granted
    assert_valid_permission_policy(policy)
    account = resources[("kubernetes:core/v1:ServiceAccount", "storefront-api-sa")]
    assert account["inputs"]["metadata"]["namespace"] == "storefront"

    # The ExternalSecret reads through the platform's store that serves the namespace.
    (served,) = [
        s
        for s in platform["externalSecretsStores"]
        if s["backend"] == "SecretsManager" and "storefront" in s["namespaces"]
    ]
    secret = resources[("kubernetes:external-secrets.io/v1:ExternalSecret", "storefront-db")]
    spec = secret["inputs"]["spec"]
    assert secret["inputs"]["metadata"]["namespace"] == "storefront"
    assert spec["secretStoreRef"] == {"kind": served["kind"], "name": served["name"]}
    assert {d["remoteRef"]["key"] for d in spec["data"]} == {"staging-eks/storefront/db"}

    # The Ingress is on the platform's internal class, and reaches the Service.
    (internal,) = [
        name for name, spec in platform["ingressClasses"].items() if spec["scheme"] == "internal"
    ]
    ingress = resources[("kubernetes:networking.k8s.io/v1:Ingress", "storefront-api")]["inputs"]
    assert ingress["spec"]["ingressClassName"] == internal
    (rule,) = ingress["spec"]["rules"]
    assert rule["http"]["paths"][0]["backend"]["service"]["name"] == "storefront-api"

    assert app["outputs"]["vpcId"] == platform["vpcId"]
    assert app["outputs"]["privateSubnetIds"] == platform["privateSubnetIds"]
    assert app["outputs"]["ingressClass"] == internal


def test_app_team_namespace_the_platform_does_not_serve_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    program = tmp_path / "app-team"
    shutil.copytree(APP_TEAM, program)
    stack_file = program / "Pulumi.staging.yaml"
    stack_file.write_text(
        stack_file.read_text().replace("namespace: storefront", "namespace: billing")
    )
    code, err, _ = _app_team(tmp_path, capsys, program)
    assert code == 1
    (line,) = err.strip().splitlines()
    assert (
        line.startswith("error: ")
        and (
            "external_secrets.store_for: namespace: no SecretsManager store of cluster "
            "'acme-eks-platform-staging' serves namespace 'billing'; the cluster has: "
        )
        in line
    ), line


def test_arm_node_group_joins_the_dev_cluster_from_another_program() -> None:
    dev = stack("dev").outputs
    result = synth(EXAMPLES / "arm-node-group", "dev", stack_outputs={"acme/eks-platform/dev": dev})
    group = result.one("aws:eks/nodeGroup:NodeGroup").inputs
    # Everything the platform's stack knows of its cluster comes from its outputs.
    assert group["clusterName"] == dev["clusterName"]
    assert group["subnetIds"] == dev["privateSubnetIds"]
    assert group["version"] == dev["kubernetesVersion"]
    assert group["releaseVersion"] == f"{dev['kubernetesVersion']}.0-20261101"
    assert group["amiType"] == "AL2023_ARM_64_STANDARD"
    assert group["capacityType"] == "SPOT"
    template = result.one("aws:ec2/launchTemplate:LaunchTemplate").inputs
    assert template["vpcSecurityGroupIds"] == [dev["nodeSecurityGroupId"]]
    assert template["metadataOptions"]["httpTokens"] == "required"
    # The program's own role, which the cluster learns of through an access entry made first.
    role = result.one("aws:iam/role:Role", "arm-batch-node")
    assert group["nodeRoleArn"] == f"arn:aws:iam::123456789012:role/{role.inputs['name']}"
    assert group["nodeRoleArn"] not in dev["nodeRoleArns"]
    entry = result.one("aws:eks/accessEntry:AccessEntry")
    assert entry.inputs == {
        "clusterName": dev["clusterName"],
        "principalArn": group["nodeRoleArn"],
        "type": "EC2_LINUX",
        "tags": {"team": "batch"},
    }
    node_group = result.one("aws:eks/nodeGroup:NodeGroup")
    assert entry.urn in node_group.dependencies
    assert result.outputs["nodeRoleArn"] == group["nodeRoleArn"]
