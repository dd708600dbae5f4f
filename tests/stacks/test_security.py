"""The security defaults, asserted on what each stack would deploy (the README lists them)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from components.synth import Recorded, SynthResult
from tests.oracles.trust_policy import Token, admits, pod_identity_admits, service_may_assume
from tests.stacks.harness import stack

STACKS = ["dev", "staging", "prod"]


def values(release: Recorded) -> dict[str, Any]:
    return dict(release.inputs["values"])


def releases(result: SynthResult) -> dict[str, Recorded]:
    return {
        r.inputs["chart"].rsplit("/", 1)[-1]: r
        for r in result.by_type("kubernetes:helm.sh/v3:Release")
    }


@pytest.mark.parametrize("name", STACKS)
def test_no_internet_facing_default_ingress_class(name: str) -> None:
    result = stack(name)
    params = {
        p.inputs["metadata"]["name"]: p.inputs["spec"]
        for p in result.by_type("kubernetes:elbv2.k8s.aws/v1beta1:IngressClassParams")
    }
    classes = result.by_type("kubernetes:networking.k8s.io/v1:IngressClass")
    assert {c.inputs["metadata"]["name"] for c in classes} == {"alb", "alb-public"}
    assert sorted(p["scheme"] for p in params.values()) == ["internal", "internet-facing"]
    for ingress_class in classes:
        spec = params[ingress_class.inputs["metadata"]["name"]]
        assert spec["sslPolicy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06"
        annotations = ingress_class.inputs["metadata"].get("annotations") or {}
        if annotations.get("ingressclass.kubernetes.io/is-default-class") == "true":
            assert spec["scheme"] == "internal"
        if spec["scheme"] == "internet-facing":
            assert spec["namespaceSelector"]["matchExpressions"][0]["values"], (
                "open to every namespace"
            )


@pytest.mark.parametrize("name", STACKS)
def test_nodes_get_only_what_nodes_need(name: str) -> None:
    result = stack(name)
    node_policies = {
        a.inputs["policyArn"].rsplit("/", 1)[1]
        for a in result.by_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
        # The managed node groups' roles and Karpenter's node role (not its controller's policies).
        if "-node-" in a.name and ":iam::aws:policy/" in a.inputs["policyArn"]
    }
    assert node_policies == {"AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryPullOnly"}
    for template in result.by_type("aws:ec2/launchTemplate:LaunchTemplate"):
        metadata = template.inputs["metadataOptions"]
        assert metadata["httpTokens"] == "required" and metadata["httpPutResponseHopLimit"] == 1
        assert all(d["ebs"]["encrypted"] == "true" for d in template.inputs["blockDeviceMappings"])


#: What each stack's public API endpoint admits: nothing (private only), or these CIDRs. Only dev
#: is open to the internet, on purpose (GitHub-hosted runners deploy it), and says so in its
#: stack file with allowPublicEndpointFromAnywhere.
PUBLIC_ENDPOINT = {
    "dev": ["0.0.0.0/0"],
    "staging": ["203.0.113.0/24", "198.51.100.16/28"],
    "prod": None,
}


@pytest.mark.parametrize("name", STACKS)
def test_the_api_endpoint_is_private_or_restricted(name: str) -> None:
    inputs = stack(name).one("eks:index:Cluster").inputs
    assert inputs["endpointPrivateAccess"] is True
    assert inputs["endpointPublicAccess"] is (PUBLIC_ENDPOINT[name] is not None)
    assert inputs.get("publicAccessCidrs") == PUBLIC_ENDPOINT[name]
    assert inputs["authenticationMode"] == "API"


@pytest.mark.parametrize("name", ["staging", "prod"])
def test_the_secrets_key_has_a_policy_that_guards_it(name: str) -> None:
    """staging: deletable by its administrators (destroy works); prod: deletion, disabling and
    policy changes by the break-glass principal only (evaluated in
    tests/cluster/test_secrets_key.py)."""
    key = stack(name).one("aws:kms/key:Key")
    policy = json.loads(key.inputs["policy"])
    denies = [s for s in policy["Statement"] if s["Effect"] == "Deny"]
    assert key.inputs["enableKeyRotation"] is True
    if name == "prod":
        (deny,) = denies
        assert set(deny["Action"]) == {
            "kms:ScheduleKeyDeletion",
            "kms:DisableKey",
            "kms:PutKeyPolicy",
        }
        assert "ArnNotEquals" in deny["Condition"]  # the break-glass principal and the root
    else:
        assert denies == [] and key.inputs["deletionWindowInDays"] == 7


@pytest.mark.parametrize("name", STACKS)
def test_flow_logs_in_prod_and_a_default_security_group_without_rules(name: str) -> None:
    result = stack(name)
    logs = result.by_type("aws:ec2/flowLog:FlowLog")
    if name == "prod":
        (flow_log,) = logs
        assert flow_log.inputs["trafficType"] == "ALL"
    (default_group,) = result.by_type("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup")
    assert not default_group.inputs.get("ingress") and not default_group.inputs.get("egress")


@pytest.mark.parametrize("name", STACKS)
def test_namespaces_the_library_creates_enforce_pod_security(name: str) -> None:
    namespaces = stack(name).by_type("kubernetes:core/v1:Namespace")
    assert len(namespaces) >= 2  # external-dns, external-secrets (and dev's demos)
    for namespace in namespaces:
        labels = namespace.inputs["metadata"].get("labels") or {}
        assert labels.get("pod-security.kubernetes.io/enforce") == "restricted", namespace.name


def test_prod_controllers_run_on_the_system_group_with_resources() -> None:
    result = stack("prod")
    found = releases(result)
    for chart in ("aws-load-balancer-controller", "external-dns", "external-secrets", "karpenter"):
        chart_values = values(found[chart])
        assert chart_values["nodeSelector"].get("workload") == "system", chart
        tolerated = {t.get("key") for t in chart_values["tolerations"]}
        assert "CriticalAddonsOnly" in tolerated, chart
        resources = chart_values.get("resources") or chart_values.get("controller", {}).get(
            "resources"
        )
        assert resources and resources.get("requests"), chart
    lbc = values(found["aws-load-balancer-controller"])
    assert lbc["podDisruptionBudget"] == {"maxUnavailable": 1}
    assert lbc["topologySpreadConstraints"][0]["topologyKey"] == "topology.kubernetes.io/zone"
    assert all(r.protect for r in found.values())


#: Who may assume each role of the stacks (name after ``<stack>-eks-``): an AWS service, the
#: ServiceAccount ``namespace:name`` through IRSA, or through Pod Identity.
TRUSTED: dict[str, tuple[str, str]] = {
    "cluster": ("service", "eks.amazonaws.com"),
    "system-node": ("service", "ec2.amazonaws.com"),
    "general-node": ("service", "ec2.amazonaws.com"),
    "karpenter-node": ("service", "ec2.amazonaws.com"),
    "flow-logs": ("service", "vpc-flow-logs.amazonaws.com"),
    "nat-instance": ("service", "ec2.amazonaws.com"),
    "vpc-cni": ("irsa", "kube-system:aws-node"),
    "aws-load-balancer-controller": ("irsa", "kube-system:aws-load-balancer-controller"),
    "external-dns": ("irsa", "external-dns:external-dns"),
    "external-secrets": ("irsa", "external-secrets:external-secrets"),
    "demo-irsa": ("irsa", "demo:demo-irsa"),
    "ebs-csi-driver": ("irsa", "kube-system:ebs-csi-controller-sa"),
    "karpenter": ("pod-identity", "kube-system:karpenter"),
    "demo-pod-identity": ("pod-identity", "demo:demo-pod-identity"),
}
_SERVICES = {who for kind, who in TRUSTED.values() if kind == "service"}
_ACCOUNTS = {who for kind, who in TRUSTED.values() if kind != "service"} | {"attacker:default"}


def _admitted(trust: str, cluster: str, provider_arn: str) -> set[tuple[str, str]]:
    """Everything in TRUSTED (and an attacker's ServiceAccount) that ``trust`` admits."""
    issuer = "https://" + provider_arn.split(":oidc-provider/", 1)[1]
    source = {"aws:SourceAccount": "123456789012"}
    flow_logs = {**source, "aws:SourceArn": "arn:aws:ec2:us-west-2:123456789012:vpc-flow-log/fl-1"}
    found = {
        ("service", service)
        for service in _SERVICES
        if service_may_assume(trust, service, **(flow_logs if "flow" in service else {}))
    }
    for account in _ACCOUNTS:
        namespace, name = account.split(":")
        if admits(trust, Token(issuer, f"system:serviceaccount:{account}"), provider_arn):
            found.add(("irsa", account))
        if pod_identity_admits(trust, cluster, namespace, name):
            found.add(("pod-identity", account))
    return found


@pytest.mark.parametrize("name", STACKS)
def test_every_role_trusts_exactly_its_principal(name: str) -> None:
    result = stack(name)
    cluster = result.outputs["clusterName"]
    provider_arn = result.outputs["oidcProviderArn"]
    roles = {r.name.removeprefix(f"{cluster}-"): r for r in result.by_type("aws:iam/role:Role")}
    assert len(roles) >= 8 and set(roles) <= set(TRUSTED)
    for role, resource in roles.items():
        trust = resource.inputs["assumeRolePolicy"]
        assert _admitted(trust, cluster, provider_arn) == {TRUSTED[role]}, role
        kind, who = TRUSTED[role]
        if kind != "service":  # the same ServiceAccount of another cluster is not admitted
            namespace, account = who.split(":")
            assert not pod_identity_admits(trust, "other-eks", namespace, account), role
            other = provider_arn[:-4] + "0000"  # another cluster's issuer and IAM provider
            issuer = "https://" + other.split(":oidc-provider/", 1)[1]
            assert not admits(trust, Token(issuer, f"system:serviceaccount:{who}"), other), role


def test_the_sample_app_is_pinned_non_root_and_on_the_internal_class() -> None:
    result = stack("dev")
    ingress = result.one("kubernetes:networking.k8s.io/v1:Ingress")
    assert ingress.inputs["spec"]["ingressClassName"] == "alb"  # internal: no public IPv4
    deployment = result.one("kubernetes:apps/v1:Deployment", "dev-eks-game-2048-deployment")
    pod = deployment.inputs["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert re.fullmatch(r"[a-z0-9./-]+@sha256:[0-9a-f]{64}", container["image"])  # pinned
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert container["securityContext"]["capabilities"]["drop"] == ["ALL"]
    assert set(container["resources"]["limits"]) == {"cpu", "memory"}
