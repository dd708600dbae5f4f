"""Vendored Karpenter v1.14 data: IAM policies, queue, EventBridge rules, CRD schemas, chart keys.

Upstream is ``tests/upstream/karpenter-cloudformation-v1.14.yaml``, a copy of Karpenter's
getting-started CloudFormation template. The tests parse it (with its ``!Sub``,
``!GetAtt`` and ``!Ref`` tags), fill its variables and compare with what the loaders in
``components.policies`` return for the same values.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from components.policies import (
    AWS_PARTITIONS,
    KARPENTER_CONTROLLER_POLICIES_FILE,
    KARPENTER_EVENT_RULES_FILE,
    KARPENTER_NODE_ROLE_FILE,
    KARPENTER_POLICY_VERSION,
    KARPENTER_QUEUE_POLICY_FILE,
    karpenter_controller_policies,
    karpenter_event_rules,
    karpenter_node_role,
    karpenter_queue_policy,
    karpenter_queue_properties,
    load_policy,
    policy_sha256,
)
from tests.charts import assert_values_read, load_chart_keys
from tests.iam_validation import (
    EC2NODECLASS_V1_SCHEMA,
    NODEPOOL_V1_SCHEMA,
    assert_valid_custom_resource,
    assert_valid_permission_policy,
    custom_resource_cel_rules,
)
from tests.support import with_path

TEMPLATE = Path(__file__).parent / "upstream" / "karpenter-cloudformation-v1.14.yaml"

PARTITION, REGION, ACCOUNT, CLUSTER = "aws", "us-west-2", "123456789012", "platform-dev"
QUEUE_ARN = f"arn:aws:sqs:{REGION}:{ACCOUNT}:{CLUSTER}"
NODE_ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/KarpenterNodeRole-{CLUSTER}"
#: The arguments of karpenter_controller_policies for this account and cluster.
ARGUMENTS: dict[str, str] = {
    "partition": PARTITION,
    "region": REGION,
    "account_id": ACCOUNT,
    "cluster_name": CLUSTER,
    "queue_arn": QUEUE_ARN,
    "node_role_arn": NODE_ROLE_ARN,
}
#: The template's variables, as CloudFormation would resolve them for the values above.
VARIABLES = {
    "AWS::Partition": PARTITION,
    "AWS::Region": REGION,
    "AWS::AccountId": ACCOUNT,
    "AWS::URLSuffix": "amazonaws.com",
    "ClusterName": CLUSTER,
    # !Ref of an AWS::SQS::Queue is its URL.
    "KarpenterInterruptionQueue": f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{CLUSTER}",
    "KarpenterInterruptionQueue.Arn": QUEUE_ARN,
    "KarpenterNodeRole.Arn": NODE_ROLE_ARN,
}

POLICY_COUNT = 6
STATEMENT_COUNT = 18
ACTION_ENTRIES = 37
DISTINCT_ACTIONS = 32
RULE_COUNT = 5


# --------------------------------------------------------------------------- upstream template


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


@cache
def _template() -> dict[str, Any]:
    doc: dict[str, Any] = yaml.load(TEMPLATE.read_text(encoding="utf-8"), Loader=_CfnLoader)
    return doc


def _resources(kind: str) -> dict[str, dict[str, Any]]:
    return {
        name: resource["Properties"]
        for name, resource in _template()["Resources"].items()
        if resource["Type"] == kind
    }


def _sub(text: str, variables: dict[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        return variables[match.group(1)]  # KeyError: a variable the test does not know

    return re.sub(r"\$\{([^}!]+)\}", replace, text)


def _resolve(value: Any, variables: dict[str, str]) -> Any:
    """Evaluate the template's intrinsics the way CloudFormation would."""
    if isinstance(value, Intrinsic):
        if value.name == "Sub":
            return _sub(value.value, variables)
        return variables[value.value]  # !GetAtt X.Arn and !Ref X
    if isinstance(value, list):
        return [_resolve(item, variables) for item in value]
    if isinstance(value, dict):
        return {key: _resolve(item, variables) for key, item in value.items()}
    return value


def _upstream_policy(properties: dict[str, Any]) -> dict[str, Any]:
    document = properties["PolicyDocument"]
    if isinstance(document, Intrinsic):  # the managed policies are !Sub'd JSON strings
        parsed: dict[str, Any] = json.loads(_resolve(document, VARIABLES))
        return parsed
    resolved: dict[str, Any] = _resolve(document, VARIABLES)
    return resolved


def _actions(statement: dict[str, Any]) -> list[str]:
    actions = statement["Action"]
    return [actions] if isinstance(actions, str) else list(actions)


@pytest.fixture(scope="module")
def policies() -> dict[str, dict[str, Any]]:
    return karpenter_controller_policies(**ARGUMENTS)


# --------------------------------------------------------------------------- vendored == upstream


def test_template_holds_only_resources_the_project_vendors() -> None:
    kinds = Counter(resource["Type"] for resource in _template()["Resources"].values())
    assert kinds == {
        "AWS::IAM::Role": 1,
        "AWS::IAM::ManagedPolicy": POLICY_COUNT,
        "AWS::SQS::Queue": 1,
        "AWS::SQS::QueuePolicy": 1,
        "AWS::Events::Rule": RULE_COUNT,
    }
    assert list(_template()["Parameters"]) == ["ClusterName"]


def test_controller_policies_equal_upstream(policies: dict[str, dict[str, Any]]) -> None:
    upstream = {
        name: _upstream_policy(props)
        for name, props in _resources("AWS::IAM::ManagedPolicy").items()
    }
    assert policies == upstream
    # The vendored names are upstream's ManagedPolicyName (with ${ClusterName} kept).
    names = load_policy(KARPENTER_CONTROLLER_POLICIES_FILE)["policy_names"]
    for name, props in _resources("AWS::IAM::ManagedPolicy").items():
        assert props["ManagedPolicyName"].value == names[name]
        assert props["Path"] == "/"


def test_queue_policy_and_properties_equal_upstream() -> None:
    (props,) = _resources("AWS::SQS::QueuePolicy").values()
    assert _resolve(props["Queues"], VARIABLES) == [VARIABLES["KarpenterInterruptionQueue"]]
    assert karpenter_queue_policy(queue_arn=QUEUE_ARN) == _upstream_policy(props)
    (queue,) = _resources("AWS::SQS::Queue").values()
    assert karpenter_queue_properties(cluster_name=CLUSTER) == _resolve(queue, VARIABLES)


def test_queue_policy_denies_everything_without_tls() -> None:
    policy = karpenter_queue_policy(queue_arn=QUEUE_ARN)
    allow, deny = policy["Statement"]
    assert allow["Effect"] == "Allow" and allow["Action"] == "sqs:SendMessage"
    assert allow["Principal"] == {"Service": ["events.amazonaws.com", "sqs.amazonaws.com"]}
    assert deny == {
        "Sid": "DenyHTTP",
        "Effect": "Deny",
        "Action": "sqs:*",
        "Resource": QUEUE_ARN,
        "Condition": {"Bool": {"aws:SecureTransport": False}},
        "Principal": "*",
    }
    # As upstream has it: no Version element (SQS then assumes 2008-10-17).
    assert "Version" not in policy


def test_event_rules_equal_upstream_exactly() -> None:
    upstream = _resources("AWS::Events::Rule")
    assert karpenter_event_rules() == {
        name: props["EventPattern"] for name, props in upstream.items()
    }
    assert list(karpenter_event_rules()) == list(upstream)  # same order as upstream
    assert len(upstream) == RULE_COUNT
    targets = load_policy(KARPENTER_EVENT_RULES_FILE)["targets"]
    for props in upstream.values():
        assert _resolve(props["Targets"], VARIABLES) == _resolve_placeholders(targets)


def _resolve_placeholders(value: Any) -> Any:
    return json.loads(_sub(json.dumps(value), VARIABLES))


def test_event_rules_cover_every_interruption_source() -> None:
    patterns = karpenter_event_rules()
    assert {(p["source"][0], p["detail-type"][0]) for p in patterns.values()} == {
        ("aws.health", "AWS Health Event"),
        ("aws.ec2", "EC2 Spot Instance Interruption Warning"),
        ("aws.ec2", "EC2 Instance Rebalance Recommendation"),
        ("aws.ec2", "EC2 Instance State-change Notification"),
        ("aws.ec2", "EC2 Capacity Reservation Instance Interruption Warning"),
    }


@pytest.mark.parametrize("partition", AWS_PARTITIONS)
def test_node_role_equals_upstream(partition: str) -> None:
    (props,) = _resources("AWS::IAM::Role").values()
    suffix = {"aws-cn": "amazonaws.com.cn", "aws-iso": "c2s.ic.gov", "aws-iso-b": "sc2s.sgov.gov"}
    variables = {
        **VARIABLES,
        "AWS::Partition": partition,
        "AWS::URLSuffix": suffix.get(partition, "amazonaws.com"),
    }
    upstream = _resolve(props, variables)
    role = karpenter_node_role(partition=partition)
    assert role["AssumeRolePolicyDocument"] == upstream["AssumeRolePolicyDocument"]
    assert role["ManagedPolicyArns"] == upstream["ManagedPolicyArns"]


# --------------------------------------------------------------------------- placeholders


def test_vendored_files_declare_the_template_variables() -> None:
    found = {}
    for filename in (
        KARPENTER_CONTROLLER_POLICIES_FILE,
        KARPENTER_QUEUE_POLICY_FILE,
        KARPENTER_NODE_ROLE_FILE,
    ):
        doc = load_policy(filename)
        data = {key: value for key, value in doc.items() if key not in ("$comment", "source")}
        data.pop("placeholders")
        used = sorted(set(re.findall(r"\$\{[^}]+\}", json.dumps(data))))
        assert doc["placeholders"] == used, filename
        assert KARPENTER_POLICY_VERSION in filename and doc["version"] == KARPENTER_POLICY_VERSION
        found[filename] = used
    assert found[KARPENTER_CONTROLLER_POLICIES_FILE] == [
        "${AWS::AccountId}",
        "${AWS::Partition}",
        "${AWS::Region}",
        "${ClusterName}",
        "${KarpenterInterruptionQueue.Arn}",
        "${KarpenterNodeRole.Arn}",
    ]
    assert "${" not in json.dumps(load_policy(KARPENTER_EVENT_RULES_FILE)["rules"])


def test_filled_policies_have_no_placeholder_left(policies: dict[str, dict[str, Any]]) -> None:
    text = json.dumps(policies)
    assert "${" not in text
    assert f"aws:ResourceTag/kubernetes.io/cluster/{CLUSTER}" in text  # keys are filled too


def test_loaders_fail_loudly_on_an_unfilled_placeholder(monkeypatch: pytest.MonkeyPatch) -> None:
    import components.policies as module

    real = module._read_policy

    def with_extra_placeholder(filename: str) -> dict[str, Any]:
        doc = json.loads(json.dumps(real(filename)))
        if filename == KARPENTER_CONTROLLER_POLICIES_FILE:
            doc["policies"]["EKSIntegrationPolicy"]["Statement"][0]["Resource"] = (
                "${AWS::NoSuchThing}"
            )
        return doc

    monkeypatch.setattr(module, "_read_policy", with_extra_placeholder)
    with pytest.raises(ValueError, match=r"no value for placeholder\(s\) \$\{AWS::NoSuchThing\}"):
        karpenter_controller_policies(**ARGUMENTS)


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"partition": "aws-moon"}, "partition must be one of"),
        ({"region": "uswest2"}, "region must look like"),
        ({"account_id": "12345"}, "account_id must be 12 digits"),
        ({"cluster_name": "-bad"}, "not a valid EKS cluster name"),
        ({"cluster_name": "${ClusterName}"}, "not a valid EKS cluster name"),
        ({"queue_arn": f"arn:aws:sqs:eu-west-1:{ACCOUNT}:q"}, "queue_arn must be an SQS queue ARN"),
        (
            {"node_role_arn": "arn:aws:iam::210987654321:role/x"},
            "node_role_arn must be an IAM role",
        ),
        ({"node_role_arn": f"arn:aws:iam::{ACCOUNT}:user/x"}, "node_role_arn must be an IAM role"),
    ],
)
def test_controller_policies_reject_bad_arguments(override: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        karpenter_controller_policies(**{**ARGUMENTS, **override})


def test_other_loaders_reject_bad_arguments() -> None:
    with pytest.raises(ValueError, match="SQS queue ARN"):
        karpenter_queue_policy(queue_arn="arn:aws:sns:us-west-2:123456789012:topic/x")
    with pytest.raises(ValueError, match="cluster name"):
        karpenter_queue_properties(cluster_name="")
    with pytest.raises(ValueError, match="partition"):
        karpenter_node_role(partition="aws-moon")


def test_loaders_return_fresh_copies(policies: dict[str, dict[str, Any]]) -> None:
    karpenter_event_rules()["SpotInterruptionRule"]["source"].append("x")
    assert karpenter_event_rules()["SpotInterruptionRule"]["source"] == ["aws.ec2"]
    policies_again = karpenter_controller_policies(**ARGUMENTS)
    assert policies_again == policies and policies_again is not policies


# --------------------------------------------------------------------------- counts, pins, IAM


def test_counts_and_pins(policies: dict[str, dict[str, Any]]) -> None:
    assert list(policies) == [
        "NodeLifecyclePolicy",
        "IAMIntegrationPolicy",
        "EKSIntegrationPolicy",
        "InterruptionPolicy",
        "ZonalShiftPolicy",
        "ResourceDiscoveryPolicy",
    ]
    statements = [s for doc in policies.values() for s in doc["Statement"]]
    entries = [action for s in statements for action in _actions(s)]
    assert len(statements) == STATEMENT_COUNT
    assert len(entries) == ACTION_ENTRIES
    assert len(set(entries)) == DISTINCT_ACTIONS
    assert all(s["Effect"] == "Allow" for s in statements)
    assert all(doc["Version"] == "2012-10-17" for doc in policies.values())
    data = {
        name: {k: v for k, v in load_policy(name).items() if k not in ("$comment", "source")}
        for name in PINS
    }
    assert {name: policy_sha256(doc) for name, doc in data.items()} == PINS


#: Pins: policy_sha256 of each vendored file without "$comment" and "source" (placeholders
#: unfilled). A change to the data must be re-checked against upstream first
#: (components/policies/README.md).
PINS = {
    KARPENTER_CONTROLLER_POLICIES_FILE: "a22fdbaa3a152383963a3309e0939230ba2f66a7d4eedc8ec29578fdae8296cf",
    KARPENTER_QUEUE_POLICY_FILE: "c614b6a697ff2fced8db82a5c68ef202e6f870370e68bbdf23b8c202300ef445",
    KARPENTER_EVENT_RULES_FILE: "cf6c3c2e36d60acdb68a58a092855645c1e72924edde7b21aad527f821566c84",
    KARPENTER_NODE_ROLE_FILE: "2efa5cae75b334d54bc1d99a10582ec6fa39f757cf03a1a61e2aa978ff325fe8",
}


def test_every_action_is_known_and_iam_accepts_each_policy(
    policies: dict[str, dict[str, Any]],
) -> None:
    for name, document in policies.items():
        try:
            assert_valid_permission_policy(document)
        except AssertionError as exc:  # pragma: no cover - the message names the policy
            raise AssertionError(f"{name}: {exc}") from None


def test_queue_policy_actions_are_known() -> None:
    from tests.iam_validation import _action_problem

    policy = karpenter_queue_policy(queue_arn=QUEUE_ARN)
    assert [_action_problem(a) for s in policy["Statement"] for a in _actions(s)] == [None, None]


# --------------------------------------------------------------------------- CRD schemas

NODEPOOL: dict[str, Any] = {
    "apiVersion": "karpenter.sh/v1",
    "kind": "NodePool",
    "metadata": {"name": "general"},
    "spec": {
        "template": {
            "metadata": {"labels": {"team": "platform"}},
            "spec": {
                "nodeClassRef": {
                    "group": "karpenter.k8s.aws",
                    "kind": "EC2NodeClass",
                    "name": "default",
                },
                "requirements": [
                    {
                        "key": "karpenter.sh/capacity-type",
                        "operator": "In",
                        "values": ["spot", "on-demand"],
                    },
                    {
                        "key": "karpenter.k8s.aws/instance-generation",
                        "operator": "Gt",
                        "values": ["5"],
                    },
                ],
                "expireAfter": "720h",
            },
        },
        "limits": {"cpu": "100"},
        "disruption": {
            "consolidationPolicy": "WhenEmptyOrUnderutilized",
            "consolidateAfter": "1m",
            "budgets": [{"nodes": "10%"}],
        },
    },
}

EC2NODECLASS: dict[str, Any] = {
    "apiVersion": "karpenter.k8s.aws/v1",
    "kind": "EC2NodeClass",
    "metadata": {"name": "default"},
    "spec": {
        "role": "KarpenterNodeRole-platform-dev",
        "amiSelectorTerms": [{"alias": "al2023@latest"}],
        "subnetSelectorTerms": [{"tags": {"karpenter.sh/discovery": "platform-dev"}}],
        "securityGroupSelectorTerms": [{"tags": {"karpenter.sh/discovery": "platform-dev"}}],
        "metadataOptions": {"httpTokens": "required", "httpPutResponseHopLimit": 1},
        "blockDeviceMappings": [
            {
                "deviceName": "/dev/xvda",
                "rootVolume": True,
                "ebs": {"volumeSize": "50Gi", "encrypted": True},
            }
        ],
    },
}


def test_minimal_nodepool_and_ec2nodeclass_are_valid() -> None:
    assert_valid_custom_resource(NODEPOOL, NODEPOOL_V1_SCHEMA)
    assert_valid_custom_resource(EC2NODECLASS, EC2NODECLASS_V1_SCHEMA)


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("spec.template.spec.nodeClasRef", {"name": "x"}, "Additional properties are not allowed"),
        ("spec.template.spec.nodeClassRef", ..., "'nodeClassRef' is a required property"),
        ("spec.disruption.consolidationPolicy", "Sometimes", "is not one of"),
        ("metadata.namespace", "default", "cluster-scoped"),
        ("spec.weight", 101, "101 is greater than the maximum of 100"),
        (
            "spec.template.metadata.labels",
            {"karpenter.sh/nodepool": "x"},
            'label "karpenter.sh/nodepool" is restricted',
        ),
        (
            "spec.template.metadata.labels",
            {"karpenter.k8s.aws/foo": "x"},
            'label domain "karpenter.k8s.aws" is restricted',
        ),
        ("spec.template.spec.requirements.1.values", ["-1"], "must have a single positive integer"),
        ("spec.template.spec.requirements.0.values", [], "must have a value defined"),
        (
            "spec.disruption.budgets",
            [{"nodes": "1", "schedule": "@daily"}],
            "'schedule' must be set with 'duration'",
        ),
        ("spec.replicas", 3, "only 'limits.nodes' is supported on static NodePools"),
        ("status", {}, "status must not be set"),
    ],
)
def test_invalid_nodepools_fail(path: str, value: Any, message: str) -> None:
    with pytest.raises(AssertionError, match=re.escape(message)):
        assert_valid_custom_resource(with_path(NODEPOOL, path, value), NODEPOOL_V1_SCHEMA)


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("spec.rolee", "x", "Additional properties are not allowed ('rolee' was unexpected)"),
        ("spec.subnetSelectorTerms", ..., "'subnetSelectorTerms' is a required property"),
        (
            "spec.instanceProfile",
            "profile",
            "must specify exactly one of ['role', 'instanceProfile']",
        ),
        (
            "spec.amiSelectorTerms",
            [{"alias": "windows2022@v1"}],
            "windows families may only specify version 'latest'",
        ),
        (
            "spec.amiSelectorTerms",
            [{"alias": "al2023@latest"}, {"id": "ami-12345678"}],
            "'alias' is mutually exclusive",
        ),
        ("spec.amiFamily", "Bottlerocket", "amiFamily must be 'AL2023' or 'Custom'"),
        (
            "spec.amiSelectorTerms",
            [{"id": "ami-12345678"}],
            "must specify amiFamily if amiSelectorTerms does not contain an alias",
        ),
        (
            "spec.subnetSelectorTerms",
            [{"id": "subnet-1", "tags": {"a": "b"}}],
            "'id' is mutually exclusive",
        ),
        (
            "spec.tags",
            {"kubernetes.io/cluster/x": "owned"},
            "restricted tag matching kubernetes.io/cluster/",
        ),
        (
            "spec.blockDeviceMappings.0.ebs",
            {"encrypted": True},
            "snapshotID or volumeSize must be defined",
        ),
        ("spec.metadataOptions.httpTokens", "sometimes", "is not one of"),
        ("metadata.name", "Default", "metadata.name must be a DNS subdomain"),
    ],
)
def test_invalid_ec2nodeclasses_fail(path: str, value: Any, message: str) -> None:
    with pytest.raises(AssertionError, match=re.escape(message)):
        assert_valid_custom_resource(with_path(EC2NODECLASS, path, value), EC2NODECLASS_V1_SCHEMA)


def test_cel_rules_are_inventoried() -> None:
    """Every CEL rule is translated, except transition rules (update only). A schema
    update that brings a new rule fails loading until the rule is translated."""
    nodepool = Counter(how for _, _, how in custom_resource_cel_rules(NODEPOOL_V1_SCHEMA))
    assert nodepool == {"checked": 17, "transition (update only, not checked)": 3}
    nodeclass = Counter(how for _, _, how in custom_resource_cel_rules(EC2NODECLASS_V1_SCHEMA))
    assert nodeclass == {"checked": 44}


def test_unknown_cel_rule_fails_loudly() -> None:
    from tests.iam_validation import _cel_check

    with pytest.raises(KeyError, match=re.escape("self.startsWith('x')")):
        _cel_check("self.startsWith('x')")


# --------------------------------------------------------------------------- chart keys

CHART = "karpenter-1.14.1"


def test_chart_key_list_is_for_the_release_chart() -> None:
    keys = load_chart_keys(CHART)
    assert (keys.chart, keys.version, keys.app_version) == ("karpenter", "1.14.1", "1.14.1")
    assert "c88abbbad455186e69e30296c595e474123e9bc1" in keys.source
    # settings.awsFeatureGates is on main after 1.14.1, not in the released chart.
    assert ("settings", "awsFeatureGates") not in keys.values_paths | keys.template_paths


def test_typical_karpenter_values_are_read() -> None:
    values = {
        "settings": {"clusterName": CLUSTER, "interruptionQueue": CLUSTER},
        "replicas": 2,
        "podDisruptionBudget": {"name": "karpenter", "maxUnavailable": 1},
        "controller": {"resources": {"requests": {"cpu": "1", "memory": "1Gi"}}},
        "serviceAccount": {
            "create": True,
            "name": "karpenter",
            "annotations": {"eks.amazonaws.com/role-arn": NODE_ROLE_ARN},
        },
        "tolerations": [{"key": "CriticalAddonsOnly", "operator": "Exists"}],
        "nodeSelector": {"kubernetes.io/os": "linux"},
        "affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {}}},
        "topologySpreadConstraints": [],
        "dnsPolicy": "Default",
        "priorityClassName": "system-cluster-critical",
    }
    assert_values_read(values, CHART, require_template_read=True)


@pytest.mark.parametrize(
    ("values", "bad"),
    [
        ({"webhook": {"enabled": False}}, "webhook.enabled"),
        (
            {"settings": {"awsFeatureGates": {"nodeClassCEL": True}}},
            "settings.awsFeatureGates.nodeClassCEL",
        ),
        ({"podDisruptionBudget": {"minAvailable": 1}}, "podDisruptionBudget.minAvailable"),
        ({"settings": {"clustername": "x"}}, "settings.clustername"),
    ],
)
def test_unread_karpenter_values_fail(values: dict[str, Any], bad: str) -> None:
    with pytest.raises(AssertionError, match=re.escape(bad)):
        assert_values_read(values, CHART)
