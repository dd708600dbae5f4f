"""The security defaults, asserted on what each stack would deploy (the README lists them)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.synth import Recorded, SynthResult
from tests.test_stacks import stack

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
    for ingress_class in result.by_type("kubernetes:networking.k8s.io/v1:IngressClass"):
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


@pytest.mark.parametrize("name", STACKS)
def test_the_api_endpoint_is_private_or_restricted(name: str) -> None:
    inputs = stack(name).one("eks:index:Cluster").inputs
    if name == "prod":
        assert inputs["endpointPublicAccess"] is False
    elif name == "staging":
        assert "0.0.0.0/0" not in inputs["publicAccessCidrs"]
    assert inputs["authenticationMode"] == "API"


@pytest.mark.parametrize("name", ["staging", "prod"])
def test_the_secrets_key_has_a_policy_that_guards_it(name: str) -> None:
    key = stack(name).one("aws:kms/key:Key")
    policy = json.loads(key.inputs["policy"])
    (deny,) = [s for s in policy["Statement"] if s["Effect"] == "Deny"]
    assert set(deny["Action"]) == {"kms:ScheduleKeyDeletion", "kms:DisableKey"}
    assert key.inputs["enableKeyRotation"] is True
    if name == "prod":
        assert "ArnNotEquals" in deny["Condition"]  # a break-glass principal, and only it


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
    for namespace in stack(name).by_type("kubernetes:core/v1:Namespace"):
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


@pytest.mark.parametrize("name", STACKS)
def test_every_trust_policy_names_its_principal(name: str) -> None:
    for role in stack(name).by_type("aws:iam/role:Role"):
        trust = json.loads(role.inputs["assumeRolePolicy"])
        for statement in trust["Statement"]:
            principal = statement["Principal"]
            assert principal != "*" and principal.get("AWS") != "*", role.name
            if "Federated" in principal:
                equals = statement["Condition"]["StringEquals"]
                assert any(k.endswith(":aud") for k in equals) and any(
                    k.endswith(":sub")
                    for k in {**equals, **statement["Condition"].get("StringLike", {})}
                ), role.name


def test_the_sample_app_is_pinned_non_root_and_on_the_internet_facing_class() -> None:
    result = stack("dev")
    ingress = result.one("kubernetes:networking.k8s.io/v1:Ingress")
    assert ingress.inputs["spec"]["ingressClassName"] == "alb-public"
    deployment = result.one("kubernetes:apps/v1:Deployment")
    pod = deployment.inputs["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert "@sha256:" in container["image"] or not container["image"].endswith(":latest")
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert container["securityContext"]["capabilities"]["drop"] == ["ALL"]
    assert container["resources"]["limits"]
