"""Karpenter: controller role and policies, node role, interruption queue, release, NodePools.

Two programs are synthesized once each (module fixtures): the defaults (Pod Identity, two
NodePools) and the alternatives (IRSA on Fargate, no CNI/SSM policies, extra values). Everything
else is checked on what they registered; refusals run without a cluster.
"""

from __future__ import annotations

import json
import pydoc
import re
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
import pytest

from components.addons.karpenter import (
    DEFAULT_AMI_ALIAS,
    DEFAULT_CHART,
    DisruptionBudgetSpec,
    Karpenter,
    KarpenterArgs,
    NodeClassSpec,
    NodePoolSpec,
    validate_settings,
)
from components.cluster.eks_cluster import FargateProfileSpec, FargateSelector
from components.cluster.node_group import Taint
from components.identity import iam
from components.identity.cluster_ref import ClusterRef
from components.identity.iam import RoleSettings
from components.policies import (
    karpenter_controller_policies,
    karpenter_event_rules,
    karpenter_node_role,
    karpenter_queue_policy,
)
from components.synth import Recorded, SynthResult
from components.validation import InvalidArgument
from components.validation.config_reader import config_error, from_config
from tests.charts import assert_values_read
from tests.iam_validation import (
    EC2NODECLASS_V1_SCHEMA,
    NODEPOOL_V1_SCHEMA,
    assert_valid_custom_resource,
    assert_valid_permission_policy,
)
from tests.support import depends_on, doc, make_cluster, manifest, refused, run
from tests.trust_policy import Token, admits, pod_identity_admits, service_may_assume

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


@pytest.fixture(scope="module")
def default() -> SynthResult:
    return karpenter_program(node_pools=POOLS)


@pytest.fixture(scope="module")
def alternative() -> SynthResult:
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


# --------------------------------------------------------------------------- controller IAM


def test_controller_policies_are_the_vendored_documents_filled_in(default: SynthResult) -> None:
    expected = karpenter_controller_policies(
        partition="aws",
        region="us-west-2",
        account_id=ACCOUNT,
        cluster_name="test",
        queue_arn=QUEUE_ARN,
        node_role_arn=default.outputs["nodeRoleArn"],
    )
    assert default.outputs["queueArn"] == QUEUE_ARN
    found = {r.name: doc(r, "policy") for r in default.by_type(POLICY)}
    assert found == {f"karpenter-{POLICY_SLUGS[key]}": policy for key, policy in expected.items()}
    assert "${" not in json.dumps(found)


def test_every_controller_policy_is_known_to_policy_sentry_and_accepted_by_iam(
    default: SynthResult,
) -> None:
    for policy in default.by_type(POLICY):
        assert_valid_permission_policy(policy.inputs["policy"])


def test_policies_are_attached_to_the_controller_role_with_stack_unique_names(
    default: SynthResult,
) -> None:
    role = default.one(ROLE, "karpenter")
    for key, slug in POLICY_SLUGS.items():
        policy = default.one(POLICY, f"karpenter-{slug}")
        assert re.fullmatch(rf"karpenter-{slug}-[0-9a-f]{{6}}", policy.inputs["name"])
        assert key in policy.inputs["description"]
        attachment = default.one(ATTACHMENT, f"karpenter-{slug}")
        assert attachment.inputs["role"] == role.inputs["name"]
        assert attachment.inputs["policyArn"].endswith(f":policy/{policy.inputs['name']}")
    assert default.outputs["roleArn"].endswith(f":role/{role.inputs['name']}")


def test_pod_identity_trust_admits_only_the_controller_service_account(
    default: SynthResult,
) -> None:
    trust = doc(default.one(ROLE, "karpenter"), "assumeRolePolicy")
    assert pod_identity_admits(trust, "test", "kube-system", "karpenter")
    assert not pod_identity_admits(trust, "test", "kube-system", "default")
    assert not pod_identity_admits(trust, "test", "karpenter", "karpenter")
    assert not pod_identity_admits(trust, "other", "kube-system", "karpenter")
    assert not service_may_assume(trust, "ec2.amazonaws.com")
    association = default.one("aws:eks/podIdentityAssociation:PodIdentityAssociation")
    assert (association.inputs["namespace"], association.inputs["serviceAccount"]) == (
        "kube-system",
        "karpenter",
    )
    assert association.inputs["roleArn"] == default.outputs["roleArn"]


def test_irsa_trust_admits_only_the_controller_service_account(alternative: SynthResult) -> None:
    trust = doc(alternative.one(ROLE, "karpenter"), "assumeRolePolicy")
    issuer, provider = (
        "https://" + alternative.outputs["issuerHost"],
        alternative.outputs["providerArn"],
    )
    assert admits(trust, Token(issuer, "system:serviceaccount:karpenter:karpenter"), provider)
    assert not admits(trust, Token(issuer, "system:serviceaccount:kube-system:karpenter"), provider)
    assert not admits(trust, Token(issuer, "system:serviceaccount:karpenter:other"), provider)
    assert not admits(
        trust, Token(issuer, "system:serviceaccount:karpenter:karpenter", aud="x"), provider
    )
    sa = alternative.one("kubernetes:core/v1:ServiceAccount", "karpenter-sa")
    assert (
        sa.inputs["metadata"]["annotations"]["eks.amazonaws.com/role-arn"]
        == (alternative.outputs["roleArn"])
    )
    # The role's path and tags go on the six policies too.
    for policy in alternative.by_type(POLICY):
        assert policy.inputs["path"] == "/eks/"
        assert policy.inputs["tags"] == {"team": "platform"}


# --------------------------------------------------------------------------- node role


def test_node_role_trusts_only_ec2(default: SynthResult) -> None:
    trust = doc(default.one(ROLE, "karpenter-node"), "assumeRolePolicy")
    assert service_may_assume(trust, "ec2.amazonaws.com")
    for other in ("pods.eks.amazonaws.com", "eks.amazonaws.com", "lambda.amazonaws.com"):
        assert not service_may_assume(trust, other)
    assert trust == karpenter_node_role(partition="aws")["AssumeRolePolicyDocument"]
    assert trust == json.loads(iam.service_trust_policy("ec2.amazonaws.com"))


def test_node_role_policies_are_upstreams_less_what_is_not_wanted(
    default: SynthResult, alternative: SynthResult
) -> None:
    upstream = set(karpenter_node_role(partition="aws")["ManagedPolicyArns"])
    role_name = default.outputs["nodeRoleName"]
    # Upstream's, less SSM (opt-in here: node_ssm_access).
    ssm = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
    assert {a.inputs["policyArn"] for a in node_attachments(default)} == upstream - {ssm}
    assert {a.inputs["role"] for a in node_attachments(default)} == {role_name}
    assert {a.inputs["policyArn"].rsplit("/", 1)[1] for a in node_attachments(alternative)} == {
        "AmazonEKSWorkerNodePolicy",
        "AmazonEC2ContainerRegistryPullOnly",
    }


def test_node_role_joins_through_an_ec2_linux_access_entry(default: SynthResult) -> None:
    entry = default.one(ACCESS_ENTRY, "karpenter-node")
    assert entry.inputs["type"] == "EC2_LINUX"
    assert entry.inputs["principalArn"] == default.outputs["nodeRoleArn"]
    assert entry.inputs["clusterName"] == "test"
    assert not [
        r
        for r in default.by_type("kubernetes:core/v1:ConfigMap")
        if r.inputs.get("metadata", {}).get("name") == "aws-auth"
    ]


# --------------------------------------------------------------------------- interruption


def test_interruption_queue_is_encrypted_short_lived_and_tls_only(default: SynthResult) -> None:
    queue = default.one(QUEUE).inputs
    assert queue["name"] == "test"
    assert queue["messageRetentionSeconds"] == 300
    assert queue["sqsManagedSseEnabled"] is True
    policy = doc(default.one(QUEUE_POLICY), "policy")
    assert policy == karpenter_queue_policy(queue_arn=QUEUE_ARN)
    (deny,) = [s for s in policy["Statement"] if s["Effect"] == "Deny"]
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": False}}


def test_event_rules_have_the_upstream_patterns_and_target_the_queue(default: SynthResult) -> None:
    upstream = karpenter_event_rules()
    assert set(upstream) == set(RULE_SLUGS)
    assert len(default.by_type(EVENT_RULE)) == len(upstream)
    for key, pattern in upstream.items():
        rule = default.one(EVENT_RULE, f"karpenter-{RULE_SLUGS[key]}")
        assert json.loads(rule.inputs["eventPattern"]) == pattern
        assert re.fullmatch(r"[A-Za-z0-9._-]{1,64}", rule.inputs["name"])
        target = default.one(EVENT_TARGET, f"karpenter-{RULE_SLUGS[key]}").inputs
        assert target["rule"] == rule.inputs["name"]
        assert target["arn"] == QUEUE_ARN
        assert target["targetId"] == "KarpenterInterruptionQueueTarget"


def test_cluster_security_group_carries_the_discovery_tag(default: SynthResult) -> None:
    tag = default.one(TAG, "karpenter-discovery").inputs
    assert tag == {
        "resourceId": default.outputs["securityGroup"],
        "key": "karpenter.sh/discovery",
        "value": "test",
    }


# --------------------------------------------------------------------------- Helm release


def test_release_installs_the_pinned_oci_chart_and_its_crds_chart(default: SynthResult) -> None:
    release, crds = default.one(RELEASE, "karpenter"), default.one(RELEASE, "karpenter-crd")
    assert release.inputs["chart"] == "oci://public.ecr.aws/karpenter/karpenter"
    assert release.inputs["version"] == "1.14.1" == DEFAULT_CHART.version
    assert "repositoryOpts" not in release.inputs
    assert (release.inputs["name"], release.inputs["namespace"]) == ("karpenter", "kube-system")
    assert release.inputs["atomic"] is True
    # Helm never upgrades a chart's crds/: they come from karpenter-crd, at the same version.
    assert release.inputs["skipCrds"] is True
    assert crds.inputs["chart"] == "oci://public.ecr.aws/karpenter/karpenter-crd"
    assert crds.inputs["version"] == "1.14.1"
    assert (crds.inputs["name"], crds.inputs["namespace"]) == ("karpenter-crd", "kube-system")
    assert not crds.inputs.get("values") and "skipCrds" not in crds.inputs
    assert depends_on(default, release, crds)
    assert not release.protect and not crds.protect


def test_release_values_are_read_by_the_pinned_chart(default: SynthResult) -> None:
    chart = values(default)
    assert chart["settings"] == {"clusterName": "test", "interruptionQueue": "test"}
    assert chart["serviceAccount"] == {"create": False, "name": "karpenter"}
    assert chart["replicas"] == 2
    assert chart["podDisruptionBudget"] == {"maxUnavailable": 1}
    assert chart["tolerations"] == [{"key": "CriticalAddonsOnly", "operator": "Exists"}]
    assert chart["nodeSelector"] == {"kubernetes.io/os": "linux"}
    assert chart["controller"]["resources"]["requests"] == {"cpu": "250m", "memory": "512Mi"}
    assert_values_read(chart, CHART_KEYS)


def test_controller_never_runs_on_nodes_it_manages(default: SynthResult) -> None:
    affinity = values(default)["affinity"]["nodeAffinity"]
    (term,) = affinity["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"]
    assert term == {
        "matchExpressions": [{"key": "karpenter.sh/nodepool", "operator": "DoesNotExist"}]
    }


def test_fargate_irsa_extra_values_and_protection(alternative: SynthResult) -> None:
    release = alternative.one(RELEASE, "karpenter")
    assert release.protect and alternative.one(RELEASE, "karpenter-crd").protect
    chart = values(alternative)
    assert release.inputs["namespace"] == "karpenter"
    assert chart["logLevel"] == "debug"
    assert chart["settings"] == {
        "featureGates": {"spotToSpotConsolidation": True},
        "clusterName": "test",
        "interruptionQueue": "test",
    }
    assert chart["replicas"] == 1 and chart["podDisruptionBudget"] == {"maxUnavailable": 1}
    namespace = alternative.one("kubernetes:core/v1:Namespace", "karpenter-ns")
    assert namespace.inputs["metadata"]["name"] == "karpenter"
    assert depends_on(alternative, release, namespace)
    assert depends_on(alternative, alternative.one(RELEASE, "karpenter-crd"), namespace)
    assert not alternative.by_type("aws:eks/podIdentityAssociation:PodIdentityAssociation")
    assert_values_read(chart, CHART_KEYS)


# --------------------------------------------------------------------------- custom resources


def test_node_class_is_valid_and_hardened(default: SynthResult, alternative: SynthResult) -> None:
    node_class = manifest(default.one(NODE_CLASS))
    assert_valid_custom_resource(node_class, EC2NODECLASS_V1_SCHEMA)
    spec = node_class["spec"]
    assert node_class["metadata"]["name"] == "default"
    assert spec["role"] == default.outputs["nodeRoleName"]
    assert spec["amiSelectorTerms"] == [{"alias": DEFAULT_AMI_ALIAS}]
    discovery = [{"tags": {"karpenter.sh/discovery": "test"}}]
    assert spec["subnetSelectorTerms"] == spec["securityGroupSelectorTerms"] == discovery
    assert spec["metadataOptions"]["httpTokens"] == "required"
    assert spec["metadataOptions"]["httpPutResponseHopLimit"] == 1
    (root,) = spec["blockDeviceMappings"]
    assert root["rootVolume"] is True
    assert root["ebs"] == {
        "volumeSize": "50Gi",
        "volumeType": "gp3",
        "encrypted": True,
        "deleteOnTermination": True,
    }
    other = manifest(alternative.one(NODE_CLASS))
    assert_valid_custom_resource(other, EC2NODECLASS_V1_SCHEMA)
    assert other["spec"]["amiSelectorTerms"] == [{"alias": "al2023@latest"}]
    assert other["spec"]["blockDeviceMappings"][0]["ebs"]["kmsKeyID"].startswith("arn:aws:kms:")
    assert other["spec"]["tags"] == {"team": "platform"}
    pool = manifest(alternative.one(NODE_POOL))
    assert pool["spec"]["template"]["spec"]["nodeClassRef"]["name"] == "al2023-latest"


def test_default_ami_alias_is_a_pinned_release() -> None:
    assert re.fullmatch(r"al2023@v20\d{6}", DEFAULT_AMI_ALIAS)
    assert NodeClassSpec().ami_alias == DEFAULT_AMI_ALIAS


def test_node_pools_are_valid_and_bounded(default: SynthResult) -> None:
    pools = {r.name: manifest(r) for r in default.by_type(NODE_POOL)}
    assert set(pools) == {"karpenter-pool-spot", "karpenter-pool-general"}
    for pool in pools.values():
        assert_valid_custom_resource(pool, NODEPOOL_V1_SCHEMA)
        assert {"cpu", "memory"} <= set(pool["spec"]["limits"])
    spot, general = pools["karpenter-pool-spot"]["spec"], pools["karpenter-pool-general"]["spec"]
    requirements = {r["key"]: r for r in spot["template"]["spec"]["requirements"]}
    assert requirements["karpenter.sh/capacity-type"]["values"] == ["spot"]
    assert requirements["kubernetes.io/arch"]["values"] == ["amd64", "arm64"]
    assert requirements["karpenter.k8s.aws/instance-category"]["values"] == ["c", "m", "r"]
    assert requirements["karpenter.k8s.aws/instance-generation"] == {
        "key": "karpenter.k8s.aws/instance-generation",
        "operator": "Gt",
        "values": ["4"],
    }
    assert spot["limits"] == {"cpu": "16", "memory": "64Gi"}
    assert general["limits"] == {"cpu": "32", "memory": "128Gi"}
    assert spot["disruption"] == {
        "consolidationPolicy": "WhenEmptyOrUnderutilized",
        "consolidateAfter": "30s",
        "budgets": [
            {
                "nodes": "0",
                "reasons": ["Underutilized"],
                "schedule": "0 9 * * mon-fri",
                "duration": "8h",
            },
            {"nodes": "20%"},
        ],
    }
    assert "budgets" not in general["disruption"]  # the CRD's default: 10% of the nodes
    node = spot["template"]["spec"]
    assert node["expireAfter"] == "720h" and node["terminationGracePeriod"] == "24h"
    assert node["taints"] == [{"key": "example.com/spot", "value": "true", "effect": "NoSchedule"}]
    assert node["nodeClassRef"] == {
        "group": "karpenter.k8s.aws",
        "kind": "EC2NodeClass",
        "name": "default",
    }
    assert spot["template"]["metadata"]["labels"]["capacity"] == "spot"
    assert spot["weight"] == 50


# --------------------------------------------------------------------------- destroy order


def test_destroy_order_nodes_go_while_the_controller_runs(default: SynthResult) -> None:
    release = default.one(RELEASE, "karpenter")
    node_class = default.one(NODE_CLASS)
    needed = [
        default.one(ROLE, "karpenter"),
        default.one(ROLE, "karpenter-node"),
        *node_attachments(default),
        default.one(ACCESS_ENTRY, "karpenter-node"),
        default.one(QUEUE),
        default.one(QUEUE_POLICY),
        *default.by_type(EVENT_RULE),
        *default.by_type(EVENT_TARGET),
        default.one(TAG, "karpenter-discovery"),
        default.one("aws:eks/nodeGroup:NodeGroup"),
        default.one(RELEASE, "karpenter-crd"),
        *[a for a in default.by_type(ATTACHMENT) if a.name.startswith("karpenter-")],
    ]
    assert len(node_attachments(default)) == 3  # worker, CNI, ECR pull (SSM is opt-in)
    for resource in needed:
        assert depends_on(default, release, resource), resource.name
        assert not depends_on(default, resource, release), resource.name
    assert depends_on(default, node_class, release)
    for pool in default.by_type(NODE_POOL):
        assert depends_on(default, pool, release)
        assert depends_on(default, pool, node_class)
        assert not depends_on(default, release, pool)
    assert not depends_on(default, release, node_class)


# --------------------------------------------------------------------------- validation


def _ref(**overrides: Any) -> ClusterRef:
    """A ClusterRef that registers nothing (the refusals come before it is used)."""
    fields: dict[str, Any] = {
        "key": "test",
        "name": "test",
        "provider": k8s.Provider.__new__(k8s.Provider),  # never registered
        "vpc_id": "vpc-0123456789abcdef0",
        "cluster_security_group_id": "sg-0123456789abcdef0",
    }
    fields.update(overrides)
    return ClusterRef(**fields)


def _pool(**overrides: Any) -> dict[str, NodePoolSpec]:
    fields: dict[str, Any] = {"limits": {"cpu": "16", "memory": "64Gi"}}
    fields.update(overrides)
    return {"spot": NodePoolSpec(**fields)}


BAD_ARGS: list[tuple[dict[str, Any], str]] = [
    ({"node_pools": _pool(limits={"cpu": "16"})}, "node_pools['spot'].limits: must set memory"),
    ({"node_pools": _pool(limits={})}, "node_pools['spot'].limits: must set cpu and memory"),
    (
        {"node_pools": _pool(limits={"cpu": "0", "memory": "64Gi"})},
        "node_pools['spot'].limits.cpu: '0' is not a positive quantity",
    ),
    (
        {"node_pools": _pool(limits={"cpu": "16", "memory": "-1Gi"})},
        "node_pools['spot'].limits.memory: '-1Gi' is not a positive quantity",
    ),
    (
        {"node_pools": _pool(expire_after="30d")},
        "node_pools['spot'].expire_after: '30d' is not a duration",
    ),
    ({"node_pools": _pool(expire_after="0h")}, "node_pools['spot'].expire_after: '0h' is zero"),
    (
        {"node_pools": _pool(consolidate_after="1 minute")},
        "node_pools['spot'].consolidate_after: '1 minute' is not a duration",
    ),
    (
        {"node_pools": _pool(termination_grace_period="Never")},
        "node_pools['spot'].termination_grace_period: 'Never' is not a duration",
    ),
    (
        {
            "node_pools": _pool(
                budgets=[DisruptionBudgetSpec(nodes="1", schedule="@daily", duration="30s")]
            )
        },
        r"node_pools\['spot'\].budgets\[0\].duration: '30s' is not a budget duration",
    ),
    (
        {"node_pools": _pool(budgets=[DisruptionBudgetSpec(nodes="1", schedule="@daily")])},
        r"node_pools\['spot'\].budgets\[0\].schedule: schedule and duration go together",
    ),
    (
        {"node_pools": _pool(capacity_types=["SPOT"])},
        r"node_pools\['spot'\].capacity_types\[0\]: 'SPOT' is not one of spot, on-demand",
    ),
    (
        {"node_pools": _pool(capacity_types=[])},
        "node_pools['spot'].capacity_types: give at least one",
    ),
    (
        {"node_pools": _pool(instance_categories=["m5"])},
        r"node_pools\['spot'\].instance_categories\[0\]: 'm5' is not one of",
    ),
    ({"node_pools": _pool(architectures=["x86_64"])}, r"architectures\[0\]: 'x86_64'"),
    (
        {"node_pools": _pool(consolidation_policy="Always")},
        "consolidation_policy: 'Always' is not one of",
    ),
    (
        {"node_pools": _pool(labels={"karpenter.sh/capacity-type": "spot"})},
        "node_pools['spot'].labels.karpenter.sh/capacity-type: the karpenter.sh domain",
    ),
    (
        {"node_pools": _pool(taints=[Taint(key="a", effect="Sometimes")])},
        r"taints\[0\].effect: 'Sometimes' is not one of",
    ),
    (
        {"node_pools": {"Spot_Pool": NodePoolSpec(limits={"cpu": 1, "memory": "1Gi"})}},
        "node_pools['Spot_Pool']",
    ),
    (
        {"node_class": NodeClassSpec(ami_alias="al2023@2026-05-20")},
        "node_class.ami_alias: 'al2023@2026-05-20' is not an AL2023 AMI alias",
    ),
    ({"node_class": NodeClassSpec(ami_alias="bottlerocket@latest")}, "node_class.ami_alias"),
    ({"node_class": NodeClassSpec(ami_alias="al2023@v2026052")}, "node_class.ami_alias"),
    (
        {"node_class": NodeClassSpec(tags={"karpenter.sh/nodepool": "x"})},
        "node_class.tags.karpenter.sh/nodepool: Karpenter sets this tag itself",
    ),
    ({"node_class": NodeClassSpec(root_volume_size_gib=8)}, "node_class.root_volume_size_gib"),
    ({"values": {"replicas": 3}}, "values.replicas: is set by the argument replicas"),
    ({"values": {"settings": {"clusterName": "x"}}}, "values.settings.clusterName"),
    ({"values": {"affinity": {"nodeAffinity": {}}}}, "values.affinity.nodeAffinity"),
    ({"values": {"serviceAccount": {"annotations": {}}}}, "values.serviceAccount.annotations"),
    ({"fargate": True}, "identity: the controller runs on Fargate"),
    ({"fargate": True, "identity": "irsa"}, "fargate: the cluster runs no Fargate pods"),
    ({"create_namespace": True}, "create_namespace: kube-system always exists"),
    ({"identity": "kiam"}, "identity: expected one of 'irsa', 'pod-identity'"),
    ({"replicas": 0}, "replicas: 0 must be an integer between 1 and 10"),
    ({"resources": {"requests": {"cpu": "lots"}}}, "resources.requests.cpu: 'lots'"),
    ({"node_role": RoleSettings(name="x" * 65)}, "node_role.name"),
    ({"cluster": None}, "cluster: expected an EksCluster or a ClusterRef"),
    ({"cluster": _ref(cluster_security_group_id=None)}, "cluster: the cluster's security group"),
]


@pytest.mark.parametrize(("overrides", "message"), BAD_ARGS)
def test_bad_args_are_refused_before_anything_is_registered(
    overrides: dict[str, Any], message: str
) -> None:
    fields: dict[str, Any] = {"cluster": _ref()}
    fields.update(overrides)
    error = refused(lambda: Karpenter("x", KarpenterArgs(**fields)))
    assert error.startswith("Karpenter 'x': "), error
    assert re.search(message if "\\" in message else re.escape(message), error), error


def test_refused_on_a_real_cluster_too() -> None:
    errors: list[ValueError] = []

    def program() -> None:
        eks = make_cluster()
        try:
            Karpenter("karpenter", KarpenterArgs(cluster=eks, node_pools=_pool(limits={"cpu": 4})))
        except ValueError as error:
            errors.append(error)

    result = run(program)
    assert [str(e) for e in errors] == [
        "Karpenter 'karpenter': node_pools['spot'].limits: must set memory: without limits a bug "
        "(a runaway Deployment, a pod that never fits) can launch unbounded capacity "
        '(e.g. {cpu: "32", memory: 128Gi})'
    ]
    assert not [r for r in result.resources if "karpenter" in r.name or "Karpenter" in r.type]


def test_limits_are_required_in_code_and_in_config() -> None:
    with pytest.raises(TypeError, match="limits"):
        NodePoolSpec()  # type: ignore[call-arg]
    with pytest.raises(InvalidArgument) as missing:
        from_config(
            NodePoolSpec, {"capacityTypes": ["spot"]}, "eks-platform:karpenter.nodePools.spot"
        )
    assert (
        str(missing.value)
        == "eks-platform:karpenter.nodePools.spot.limits: required key is missing"
    )


def test_config_errors_name_the_key() -> None:
    config = {
        "replicas": 1,
        "nodePools": {
            "spot": {
                "capacityTypes": ["spot"],
                "limits": {"cpu": 8, "memory": "32Gi"},
                "expireAfter": "30 days",
            }
        },
        "nodeClass": {"amiAlias": DEFAULT_AMI_ALIAS},
    }
    args = from_config(KarpenterArgs, config, "eks-platform:karpenter", cluster=None)
    assert args.node_pools["spot"].limits == {"cpu": 8, "memory": "32Gi"}
    with pytest.raises(InvalidArgument) as error:
        validate_settings(args)
    assert str(config_error("eks-platform:karpenter", error.value)).startswith(
        "eks-platform:karpenter.nodePools.spot.expireAfter: '30 days' is not a duration"
    )


def test_help_shows_what_the_component_creates_and_its_args() -> None:
    text = pydoc.render_doc(Karpenter, renderer=pydoc.plaintext)  # type: ignore[attr-defined]
    first_line = (Karpenter.__doc__ or "").strip().splitlines()[0]
    assert first_line in text and "KarpenterArgs" in text
    assert "ComponentResource" not in (Karpenter.__init__.__doc__ or "")
