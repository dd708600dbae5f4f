"""The pack on the platform's own stacks and the examples, the synth's --policy-pack, and the pack
served to an engine exactly as the Pulumi CLI starts it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path
from typing import Any

import pytest

from components.synth import main, synth
from components.synth.policy import LoadedPack, evaluate, load_policy_pack
from tests.policy_pack.support import (
    PACK_DIR,
    ROOT,
    STACKS,
    snapshot_report,
    stack_config,
    violated,
)

# -- the platform's stacks and the examples -------------------------------------------------


@pytest.mark.parametrize("stack", STACKS)
def test_each_stack_passes_with_its_policy_config(pack: LoadedPack, stack: str) -> None:
    report = snapshot_report(pack, stack, stack_config(stack))
    assert report.violations == [], "\n".join(v.line() for v in report.violations)
    assert report.warnings == []


def test_the_stack_configs_declare_exactly_the_exceptions(pack: LoadedPack) -> None:
    """With the pack's defaults, each stack fails just what its policy config declares: dev's
    public, unencrypted control plane, every stack's cluster admins (the shared stores of
    staging and prod serve listed namespaces only: no exception)."""
    expected = {
        "dev": {
            ("eks-no-public-endpoint-anywhere", "dev-eks-eks"),
            ("eks-secrets-encryption", "dev-eks-eks"),
            ("eks-cluster-admin-declared", "dev-eks-access-deploy"),
            ("eks-cluster-admin-declared", "dev-eks-access-platform"),
        },
        "staging": {
            ("eks-cluster-admin-declared", "staging-eks-access-deploy"),
            ("eks-cluster-admin-declared", "staging-eks-access-platform"),
        },
        "prod": {
            ("eks-cluster-admin-declared", "prod-eks-access-break-glass"),
            ("eks-cluster-admin-declared", "prod-eks-access-deploy"),
            ("eks-cluster-admin-declared", "prod-eks-access-platform"),
        },
    }
    for stack, found in expected.items():
        report = snapshot_report(pack, stack, {})
        assert {(v.policy, v.name) for v in report.violations} == found, stack
        assert {v.level for v in report.violations} == {"mandatory"}


@pytest.mark.usefixtures("eks_platform")
@pytest.mark.parametrize(
    ("example", "stack"),
    [("existing-cluster", "example"), ("blue-green", "prod"), ("arm-node-group", "dev")],
)
def test_examples_pass_with_the_defaults(pack: LoadedPack, example: str, stack: str) -> None:
    result = synth(ROOT / "examples" / example, stack)
    report = evaluate(pack, result.resources, {})
    assert report.violations == [], "\n".join(v.line() for v in report.violations)


def test_the_cross_stack_example_passes(pack: LoadedPack, eks_platform: Path) -> None:
    dev = json.loads((ROOT / "tests" / "snapshots" / "dev.json").read_text())["outputs"]
    result = synth(
        ROOT / "examples" / "cross-stack", "dev", stack_outputs={"acme/eks-platform/dev": dev}
    )
    assert violated(evaluate(pack, result.resources, {})) == set()


# -- python -m components.synth --policy-pack ---------------------------------------------

BAD_PROGRAM = """
import json
import pulumi_aws as aws
import pulumi_kubernetes as k8s

aws.iam.Role("reader", assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow",
    "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/ABC"},
    "Action": "sts:AssumeRoleWithWebIdentity"}]}))
k8s.apps.v1.Deployment("web", metadata={"namespace": "shop"}, spec={
    "selector": {"matchLabels": {"app": "web"}},
    "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [
        {"name": "web", "image": "nginx", "resources": {"requests": {"cpu": "1", "memory": "1Gi"}}}]}}})
"""


def app_program(tmp_path: Path, source: str = BAD_PROGRAM) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "Pulumi.yaml").write_text("name: apps\nruntime: python\n")
    (tmp_path / "Pulumi.test.yaml").write_text("config:\n  aws:region: us-west-2\n")
    (tmp_path / "__main__.py").write_text(textwrap.dedent(source))
    return tmp_path


def run_cli(
    capsys: pytest.CaptureFixture[str], program: Path, *args: str
) -> tuple[int, list[str], str]:
    code = main(["--program", str(program), "--stack", "test", *args])
    captured = capsys.readouterr()
    lines = [line for line in captured.out.splitlines() if line.startswith("policy ")]
    return code, lines, captured.err


def test_cli_prints_one_line_per_violation_and_fails_on_mandatory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    program = app_program(tmp_path / "app")
    out = tmp_path / "app.json"
    code, lines, err = run_cli(capsys, program, "--json", str(out), "--policy-pack", str(PACK_DIR))
    assert code == 1
    assert (
        "policy mandatory iam-irsa-trust-pinned: aws:iam/role:Role reader: statement 0: "
        "oidc.eks.us-west-2.amazonaws.com/id/ABC:aud is not pinned" in "\n".join(lines)
    )
    assert any(
        line.startswith(
            "policy mandatory k8s-image-pinned: kubernetes:apps/v1:Deployment web: "
            "container web: image nginx has no tag"
        )
        for line in lines
    ), lines
    assert len(lines) == 3, lines  # aud, sub, the image
    assert "policy pack eks-platform: 22 policies, 3 mandatory and 0 advisory" in err
    assert json.loads(out.read_text())["resources"], "the JSON is written all the same"


def test_cli_config_sets_levels_and_allow_lists(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    program = app_program(tmp_path / "app")
    config = tmp_path / "policy-config.json"
    config.write_text(
        json.dumps(
            {
                "iam-irsa-trust-pinned": "advisory",
                "k8s-image-pinned": {"enforcementLevel": "disabled"},
            }
        )
    )
    code, lines, _ = run_cli(
        capsys, program, "--policy-pack", str(PACK_DIR), "--policy-config", str(config)
    )
    assert code == 0
    assert [line.split(":")[0] for line in lines] == ["policy advisory iam-irsa-trust-pinned"] * 2


def test_the_dev_stack_passes_through_the_cli(dev_cli: dict[str, Any]) -> None:
    """``--policy-pack policy-pack --policy-config policy-pack/config/dev.json`` on the dev
    stack (tests/synth/cli_runs.py: the synth the JSON contract's tests read too)."""
    assert dev_cli["status"] == 0, dev_cli["stderr"]
    assert dev_cli["stdout"].startswith("eks-platform/dev: ")
    assert "\npolicy " not in dev_cli["stdout"], dev_cli["stdout"]
    assert "policy pack eks-platform: 22 policies, 0 mandatory and 0 advisory" in dev_cli["stderr"]


@pytest.mark.parametrize(
    ("config", "error"),
    [
        ({"iam-irsa-trust-pinned": "strict"}, "'strict' is not an enforcement level"),
        (
            {"eks-secrets-encryption": {"allowedClusters": "dev-eks"}},
            "eks-secrets-encryption: allowedClusters: expected array",
        ),
        ({"eks-node-imdsv2": {"maxHopLimit": 0}}, "maxHopLimit: must be >= 1"),
        ([], "must be a JSON object"),
    ],
)
def test_a_bad_config_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], config: Any, error: str
) -> None:
    program = app_program(tmp_path / "app", "")
    path = tmp_path / "policy-config.json"
    path.write_text(json.dumps(config))
    code, _, err = run_cli(
        capsys, program, "--policy-pack", str(PACK_DIR), "--policy-config", str(path)
    )
    assert code == 1
    assert len(err.strip().splitlines()) == 1 and err.startswith("error: "), err
    assert error in err


def test_a_misspelt_config_key_is_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    program = app_program(tmp_path / "app", "")
    path = tmp_path / "policy-config.json"
    path.write_text(
        json.dumps({"eks-secret-encryption": "advisory", "eks-audit-logs": {"logTypes": []}})
    )
    code, _, err = run_cli(
        capsys, program, "--policy-pack", str(PACK_DIR), "--policy-config", str(path)
    )
    assert code == 0
    assert "warning: --policy-config: no policy named 'eks-secret-encryption'" in err
    assert "warning: --policy-config: eks-audit-logs has no property 'logTypes'" in err


def test_not_a_pack_and_a_broken_pack_are_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    program = app_program(tmp_path / "app", "")
    code, _, err = run_cli(capsys, program, "--policy-pack", str(tmp_path))
    assert code == 1 and "is not a Python policy pack" in err
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "PulumiPolicy.yaml").write_text("runtime: python\n")
    (broken / "__main__.py").write_text(
        "from pulumi_policy import PolicyPack\nPolicyPack('x', [])\n"
    )
    code, _, err = run_cli(capsys, program, "--policy-pack", str(broken))
    assert code == 1 and "policies must be a non-empty list" in err
    code, _, err = run_cli(capsys, program, "--policy-config", str(tmp_path / "c.json"))
    assert code == 1 and "--policy-config needs --policy-pack" in err


def test_loading_the_pack_leaves_the_programs_modules_alone() -> None:
    """The pack's ``rules`` package must neither see nor replace a program's own ``rules``."""
    sentinel = type(sys)("rules")
    sys.modules["rules"] = sentinel
    try:
        pack = load_policy_pack(PACK_DIR)
        assert sys.modules["rules"] is sentinel
        assert str(PACK_DIR) not in sys.path
    finally:
        del sys.modules["rules"]
    assert len(pack.policies) == 22


# -- the pack as the Pulumi CLI runs it -----------------------------------------------------


def test_the_pack_serves_the_engine_as_the_cli_starts_it() -> None:
    """``pulumi preview --policy-pack`` starts the CLI's ``pulumi-analyzer-policy-python`` shim
    in the pack's directory, which runs ``<virtualenv>/bin/python -u -m pulumi.policy <engine>
    .`` (PulumiPolicy.yaml's virtualenv), and reads the gRPC port from its stdout; then it asks
    for the pack's info, configures it, and sends each resource to Analyze and the stack to
    AnalyzeStack."""
    import grpc
    from google.protobuf import empty_pb2, struct_pb2
    from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

    env = {**os.environ, "PULUMI_PROJECT": "apps", "PULUMI_STACK": "test", "PULUMI_DRY_RUN": "true"}
    process = subprocess.Popen(
        [sys.executable, "-u", "-m", "pulumi.policy", "127.0.0.1:1", "."],
        cwd=PACK_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    timer = threading.Timer(60, process.kill)
    timer.start()
    try:
        port = (process.stdout.readline() if process.stdout else "").strip()
        assert port.isdigit(), process.stderr.read() if process.stderr else ""
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            analyzer = analyzer_pb2_grpc.AnalyzerStub(channel)
            info = analyzer.GetAnalyzerInfo(empty_pb2.Empty(), timeout=30)
            assert info.name == "eks-platform" and info.supportsConfig
            policies = {p.name: p for p in info.policies}
            assert len(policies) == 22
            assert policies["iam-irsa-trust-pinned"].enforcementLevel == analyzer_pb2.MANDATORY
            schema = policies["iam-no-wildcard-resource"].configSchema.properties
            assert "allowedActions" in schema

            def struct(value: dict[str, Any]) -> struct_pb2.Struct:
                message = struct_pb2.Struct()
                message.update(value)
                return message

            levels = {name: p.enforcementLevel for name, p in policies.items()}
            levels["k8s-image-pinned"] = analyzer_pb2.ADVISORY
            analyzer.Configure(
                analyzer_pb2.ConfigureAnalyzerRequest(
                    policyConfig={
                        name: analyzer_pb2.PolicyConfig(enforcementLevel=level)
                        for name, level in levels.items()
                    }
                ),
                timeout=30,
            )
            trust = {
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {
                            "Federated": "arn:aws:iam::123456789012:oidc-provider/"
                            "oidc.eks.us-west-2.amazonaws.com/id/ABC"
                        },
                        "Action": "sts:AssumeRoleWithWebIdentity",
                    }
                ]
            }
            response = analyzer.Analyze(
                analyzer_pb2.AnalyzeRequest(
                    type="aws:iam/role:Role",
                    properties=struct({"assumeRolePolicy": json.dumps(trust)}),
                    urn="urn:pulumi:test::apps::aws:iam/role:Role::reader",
                    name="reader",
                ),
                timeout=30,
            )
            found = {(d.policyName, d.enforcementLevel) for d in response.diagnostics}
            assert found == {("iam-irsa-trust-pinned", analyzer_pb2.MANDATORY)}
            deployment = {
                "metadata": {"namespace": "shop"},
                "spec": {"template": {"spec": {"containers": [{"name": "web", "image": "nginx"}]}}},
            }
            response = analyzer.Analyze(
                analyzer_pb2.AnalyzeRequest(
                    type="kubernetes:apps/v1:Deployment",
                    properties=struct(deployment),
                    urn="urn:pulumi:test::apps::kubernetes:apps/v1:Deployment::web",
                    name="web",
                ),
                timeout=30,
            )
            found = {(d.policyName, d.enforcementLevel) for d in response.diagnostics}
            assert found == {
                ("k8s-image-pinned", analyzer_pb2.ADVISORY),
                ("k8s-resource-requests", analyzer_pb2.MANDATORY),
            }
            account = {
                "metadata": {
                    "annotations": {
                        "eks.amazonaws.com/role-arn": "arn:aws:iam::999999999999:role/reader"
                    }
                }
            }
            response = analyzer.AnalyzeStack(
                analyzer_pb2.AnalyzeStackRequest(
                    resources=[
                        analyzer_pb2.AnalyzerResource(
                            type="aws:iam/role:Role",
                            properties=struct({"arn": "arn:aws:iam::123456789012:role/reader"}),
                            urn="urn:pulumi:test::apps::aws:iam/role:Role::reader",
                            name="reader",
                        ),
                        analyzer_pb2.AnalyzerResource(
                            type="kubernetes:core/v1:ServiceAccount",
                            properties=struct(account),
                            urn="urn:pulumi:test::apps::kubernetes:core/v1:ServiceAccount::reader",
                            name="reader",
                        ),
                    ]
                ),
                timeout=30,
            )
            (diagnostic,) = response.diagnostics
            assert diagnostic.policyName == "k8s-service-account-role-account"
            assert diagnostic.urn.endswith("ServiceAccount::reader")
            assert "account 999999999999, not 123456789012" in diagnostic.message
    finally:
        timer.cancel()
        process.kill()
        process.wait()
        for stream in (process.stdout, process.stderr):
            if stream:
                stream.close()
