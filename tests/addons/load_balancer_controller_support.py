"""Shared by the LoadBalancerController tests: a controller under the mocks and readers of
its result."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import pulumi

from components.addons.load_balancer_controller import (
    LoadBalancerController,
    LoadBalancerControllerArgs,
)
from components.cluster import FargateProfileSpec, FargateSelector
from components.policies import ALB_CONTROLLER_POLICY_FILE
from components.synth import Recorded, SynthResult
from tests.support import doc, light_cluster, make_cluster, run

ROOT = Path(__file__).resolve().parent.parent.parent
K8S_VERSION = "1.35"
COMPONENT = "eks-platform:index:LoadBalancerController"
RELEASE = "kubernetes:helm.sh/v3:Release"
POLICY = "aws:iam/policy:Policy"
ROLE = "aws:iam/role:Role"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
SERVICE_ACCOUNT_TYPE = "kubernetes:core/v1:ServiceAccount"
INGRESS_CLASS = "kubernetes:networking.k8s.io/v1:IngressClass"
PARAMS = "kubernetes:elbv2.k8s.aws/v1beta1:IngressClassParams"
SUBJECT = "system:serviceaccount:kube-system:aws-load-balancer-controller"
FARGATE = {"system": FargateProfileSpec(selectors=[FargateSelector(namespace="kube-system")])}


def synth(
    region: str = "us-west-2",
    cluster: dict[str, Any] | None = None,
    full: bool = False,
    **overrides: Any,
) -> SynthResult:
    """A cluster and a controller named ``alb`` with ``overrides``: an EksCluster (with
    ``cluster`` args) when ``full`` or ``cluster`` is given, else a light ClusterRef."""

    def program() -> None:
        eks = make_cluster(**(cluster or {})) if full or cluster else light_cluster()
        controller = LoadBalancerController(
            "alb", LoadBalancerControllerArgs(cluster=eks, **overrides)
        )
        pulumi.export("roleArn", controller.role_arn)
        pulumi.export("policyArn", controller.policy_arn)
        pulumi.export("ingressClassName", controller.ingress_class_name)
        pulumi.export("releaseName", controller.release_name)
        pulumi.export("releaseStatus", controller.release_status)

    return run(program, region=region)


@functools.cache
def default_synth() -> SynthResult:
    """The controller with its defaults on a full EksCluster (run once per test session)."""
    return synth(full=True)


def values(result: SynthResult) -> dict[str, Any]:
    """The Helm release's values."""
    chart_values: dict[str, Any] = result.one(RELEASE).inputs["values"]
    return chart_values


def trust_conditions(role: Recorded) -> dict[str, Any]:
    """The conditions of the role's one web-identity trust statement."""
    (statement,) = doc(role, "assumeRolePolicy")["Statement"]
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    conditions: dict[str, Any] = statement["Condition"]
    return conditions


def vendored_policy(partition: str = "aws") -> dict[str, Any]:
    """The upstream policy as vendored (the file itself), its ``arn:aws:`` written for
    ``partition``."""
    text = (ROOT / "components" / "policies" / ALB_CONTROLLER_POLICY_FILE).read_text()
    parsed: dict[str, Any] = json.loads(text.replace("arn:aws:", f"arn:{partition}:"))
    return parsed
