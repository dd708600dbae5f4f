"""Shared by the Karpenter tests: two Karpenter programs under the mocks, readers of their
result, and upstream's getting-started CloudFormation template (the oracle the vendored data
and the component's AWS resources are compared with).

The programs are synthesized once per test process (``functools.cache``): the defaults (Pod
Identity, two NodePools) and the alternatives (IRSA on Fargate, no CNI/SSM policies, extra
values).
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
import yaml

from components.addons.karpenter import (
    DisruptionBudgetSpec,
    Karpenter,
    KarpenterArgs,
    NodeClassSpec,
    NodePoolSpec,
)
from components.cluster import FargateProfileSpec, FargateSelector, Taint
from components.identity.iam import RoleSettings
from components.synth import Recorded, SynthResult
from tests.support import make_cluster, run

ACCOUNT = "123456789012"
QUEUE_ARN = f"arn:aws:sqs:us-west-2:{ACCOUNT}:test"
CHART_KEYS = "karpenter-1.14.1"
POLICY = "aws:iam/policy:Policy"
ROLE = "aws:iam/role:Role"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
RELEASE = "kubernetes:helm.sh/v3:Release"
NODE_CLASS = "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass"
NODE_POOL = "kubernetes:karpenter.sh/v1:NodePool"
QUEUE = "aws:sqs/queue:Queue"
QUEUE_POLICY = "aws:sqs/queuePolicy:QueuePolicy"
EVENT_RULE = "aws:cloudwatch/eventRule:EventRule"
EVENT_TARGET = "aws:cloudwatch/eventTarget:EventTarget"
ACCESS_ENTRY = "aws:eks/accessEntry:AccessEntry"
TAG = "aws:ec2/tag:Tag"
POLICY_SLUGS = {
    "NodeLifecyclePolicy": "node-lifecycle",
    "IAMIntegrationPolicy": "iam-integration",
    "EKSIntegrationPolicy": "eks-integration",
    "InterruptionPolicy": "interruption",
    "ZonalShiftPolicy": "zonal-shift",
    "ResourceDiscoveryPolicy": "resource-discovery",
}
RULE_SLUGS = {
    "ScheduledChangeRule": "scheduled-change",
    "SpotInterruptionRule": "spot-interruption",
    "RebalanceRule": "rebalance",
    "InstanceStateChangeRule": "instance-state-change",
    "CapacityReservationInterruptionRule": "capacity-reservation-interruption",
}
SPOT = NodePoolSpec(
    limits={"cpu": "16", "memory": "64Gi"},
    capacity_types=["spot"],
    architectures=["amd64", "arm64"],
    weight=50,
    consolidate_after="30s",
    budgets=[
        DisruptionBudgetSpec(
            nodes="0", reasons=["Underutilized"], schedule="0 9 * * mon-fri", duration="8h"
        ),
        DisruptionBudgetSpec(nodes="20%"),
    ],
    termination_grace_period="24h",
    taints=[Taint(key="example.com/spot", value="true", effect="NO_SCHEDULE")],
    labels={"capacity": "spot", "node-restriction.kubernetes.io/pool": "spot"},
)
POOLS = {"spot": SPOT, "general": NodePoolSpec(limits={"cpu": 32, "memory": "128Gi"})}


def karpenter_program(cluster: dict[str, Any] | None = None, **overrides: Any) -> SynthResult:
    """A cluster and a Karpenter named ``karpenter`` with ``overrides``."""

    def program() -> None:
        eks = make_cluster(**(cluster or {}))
        karpenter = Karpenter("karpenter", KarpenterArgs(cluster=eks, **overrides))
        pulumi.export("roleArn", karpenter.role_arn)
        pulumi.export("nodeRoleArn", karpenter.node_role_arn)
        pulumi.export("nodeRoleName", karpenter.node_role_name)
        pulumi.export("queueArn", karpenter.queue_arn)
        pulumi.export("securityGroup", eks.cluster_security_group_id)
        pulumi.export("issuerHost", eks.oidc.issuer_host)
        pulumi.export("providerArn", eks.oidc.provider_arn)

    return run(program)


@functools.cache
def default_program() -> SynthResult:
    """The defaults: Pod Identity, the two NodePools of ``POOLS``."""
    return karpenter_program(node_pools=POOLS)


@functools.cache
def alternative_program() -> SynthResult:
    """IRSA, on Fargate in a namespace of its own, nodes without CNI and SSM policies."""
    return karpenter_program(
        cluster={
            "fargate_profiles": {
                "karpenter": FargateProfileSpec(selectors=[FargateSelector(namespace="karpenter")])
            }
        },
        identity="irsa",
        fargate=True,
        namespace="karpenter",
        create_namespace=True,
        replicas=1,
        pod_disruption_budget=False,
        node_ssm_access=False,
        node_cni_policy=False,
        role=RoleSettings(path="/eks/", tags={"team": "platform"}),
        node_class=NodeClassSpec(
            name="al2023-latest",
            ami_alias="al2023@latest",
            root_volume_size_gib=100,
            root_volume_kms_key_arn=f"arn:aws:kms:us-west-2:{ACCOUNT}:key/abcd-1234",
            tags={"team": "platform"},
        ),
        node_pools={
            "arm": NodePoolSpec(limits={"cpu": "8", "memory": "32Gi"}, architectures=["arm64"])
        },
        values={
            "logLevel": "debug",
            "settings": {"featureGates": {"spotToSpotConsolidation": True}},
        },
        deletion_protection=True,
    )


def values(result: SynthResult) -> dict[str, Any]:
    chart_values: dict[str, Any] = result.one(RELEASE, "karpenter").inputs["values"]
    return chart_values


def node_attachments(result: SynthResult) -> list[Recorded]:
    return [r for r in result.by_type(ATTACHMENT) if r.name.startswith("karpenter-node-Amazon")]


# --------------------------------------------------------------------------- upstream template

TEMPLATE = (
    Path(__file__).parent.parent / "oracles" / "upstream" / "karpenter-cloudformation-v1.14.yaml"
)


def upstream_variables(
    cluster: str,
    node_role_arn: str | None = None,
    partition: str = "aws",
    region: str = "us-west-2",
) -> dict[str, str]:
    """The template's variables, as CloudFormation would resolve them for ``cluster`` (the
    queue is named after it) in account ``ACCOUNT``; the node role upstream's unless given."""
    suffix = {"aws-cn": "amazonaws.com.cn", "aws-iso": "c2s.ic.gov", "aws-iso-b": "sc2s.sgov.gov"}
    return {
        "AWS::Partition": partition,
        "AWS::Region": region,
        "AWS::AccountId": ACCOUNT,
        "AWS::URLSuffix": suffix.get(partition, "amazonaws.com"),
        "ClusterName": cluster,
        # !Ref of an AWS::SQS::Queue is its URL.
        "KarpenterInterruptionQueue": f"https://sqs.{region}.amazonaws.com/{ACCOUNT}/{cluster}",
        "KarpenterInterruptionQueue.Arn": f"arn:{partition}:sqs:{region}:{ACCOUNT}:{cluster}",
        "KarpenterNodeRole.Arn": node_role_arn
        or f"arn:{partition}:iam::{ACCOUNT}:role/KarpenterNodeRole-{cluster}",
    }


@dataclass(frozen=True)
class Intrinsic:
    """A CloudFormation short-form intrinsic function (``!Sub``, ``!GetAtt``, ``!Ref``)."""

    name: str
    value: Any


class _CfnLoader(yaml.SafeLoader):
    """Safe YAML loader that keeps CloudFormation's ``!Sub``/``!GetAtt``/``!Ref`` tags."""


def _intrinsic(name: str) -> Any:
    def construct(loader: yaml.SafeLoader, node: yaml.Node) -> Intrinsic:
        if not isinstance(node, yaml.ScalarNode):
            raise yaml.constructor.ConstructorError(
                None, None, f"!{name} with a non-scalar argument is not supported", node.start_mark
            )
        return Intrinsic(name, loader.construct_scalar(node))

    return construct


for _name in ("Sub", "GetAtt", "Ref"):
    _CfnLoader.add_constructor(f"!{_name}", _intrinsic(_name))


@functools.cache
def template() -> dict[str, Any]:
    doc: dict[str, Any] = yaml.load(TEMPLATE.read_text(encoding="utf-8"), Loader=_CfnLoader)
    return doc


def resources(kind: str) -> dict[str, dict[str, Any]]:
    """The properties of the template's resources of type ``kind``, by logical id."""
    return {
        name: resource["Properties"]
        for name, resource in template()["Resources"].items()
        if resource["Type"] == kind
    }


def sub(text: str, variables: dict[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        return variables[match.group(1)]  # KeyError: a variable the test does not know

    return re.sub(r"\$\{([^}!]+)\}", replace, text)


def resolve(value: Any, variables: dict[str, str]) -> Any:
    """Evaluate the template's intrinsics the way CloudFormation would."""
    if isinstance(value, Intrinsic):
        if value.name == "Sub":
            return sub(value.value, variables)
        return variables[value.value]  # !GetAtt X.Arn and !Ref X
    if isinstance(value, list):
        return [resolve(item, variables) for item in value]
    if isinstance(value, dict):
        return {key: resolve(item, variables) for key, item in value.items()}
    return value


def upstream_policy(properties: dict[str, Any], variables: dict[str, str]) -> dict[str, Any]:
    """The policy document of a template resource, resolved with ``variables``."""
    document = properties["PolicyDocument"]
    if isinstance(document, Intrinsic):  # the managed policies are !Sub'd JSON strings
        parsed: dict[str, Any] = json.loads(resolve(document, variables))
        return parsed
    resolved: dict[str, Any] = resolve(document, variables)
    return resolved
