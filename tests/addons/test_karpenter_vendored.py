"""Vendored Karpenter v1.14 data: IAM policies, queue, EventBridge rules, node role.

Upstream is ``tests/oracles/upstream/karpenter-cloudformation-v1.14.yaml``, a copy of Karpenter's
getting-started CloudFormation template. The tests parse it (with its ``!Sub``,
``!GetAtt`` and ``!Ref`` tags, :mod:`tests.addons.karpenter_support`), fill its variables and
compare with what the loaders in ``components.addons.karpenter.iam`` return for the same values.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any

import pytest

from components.addons.karpenter.iam import (
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
)
from components.policies import AWS_PARTITIONS, load_policy, policy_sha256
from tests.addons.karpenter_support import (
    resolve,
    resources,
    sub,
    template,
    upstream_policy,
    upstream_variables,
)
from tests.oracles.iam_validation import assert_valid_permission_policy

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
VARIABLES = upstream_variables(CLUSTER, NODE_ROLE_ARN)


POLICY_COUNT = 6
STATEMENT_COUNT = 18
ACTION_ENTRIES = 37
DISTINCT_ACTIONS = 32
RULE_COUNT = 5


def _actions(statement: dict[str, Any]) -> list[str]:
    actions = statement["Action"]
    return [actions] if isinstance(actions, str) else list(actions)


@pytest.fixture(scope="module")
def policies() -> dict[str, dict[str, Any]]:
    return karpenter_controller_policies(**ARGUMENTS)


# --------------------------------------------------------------------------- vendored == upstream


def test_template_holds_only_resources_the_project_vendors() -> None:
    kinds = Counter(resource["Type"] for resource in template()["Resources"].values())
    assert kinds == {
        "AWS::IAM::Role": 1,
        "AWS::IAM::ManagedPolicy": POLICY_COUNT,
        "AWS::SQS::Queue": 1,
        "AWS::SQS::QueuePolicy": 1,
        "AWS::Events::Rule": RULE_COUNT,
    }
    assert list(template()["Parameters"]) == ["ClusterName"]


def test_controller_policies_equal_upstream(policies: dict[str, dict[str, Any]]) -> None:
    upstream = {
        name: upstream_policy(props, VARIABLES)
        for name, props in resources("AWS::IAM::ManagedPolicy").items()
    }
    assert policies == upstream
    # The vendored names are upstream's ManagedPolicyName (with ${ClusterName} kept).
    names = load_policy(KARPENTER_CONTROLLER_POLICIES_FILE)["policy_names"]
    for name, props in resources("AWS::IAM::ManagedPolicy").items():
        assert props["ManagedPolicyName"].value == names[name]
        assert props["Path"] == "/"


def test_queue_policy_and_properties_equal_upstream() -> None:
    (props,) = resources("AWS::SQS::QueuePolicy").values()
    assert resolve(props["Queues"], VARIABLES) == [VARIABLES["KarpenterInterruptionQueue"]]
    assert karpenter_queue_policy(queue_arn=QUEUE_ARN) == upstream_policy(props, VARIABLES)
    (queue,) = resources("AWS::SQS::Queue").values()
    assert karpenter_queue_properties(cluster_name=CLUSTER) == resolve(queue, VARIABLES)


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
    upstream = resources("AWS::Events::Rule")
    assert karpenter_event_rules() == {
        name: props["EventPattern"] for name, props in upstream.items()
    }
    assert list(karpenter_event_rules()) == list(upstream)  # same order as upstream
    assert len(upstream) == RULE_COUNT
    targets = load_policy(KARPENTER_EVENT_RULES_FILE)["targets"]
    for props in upstream.values():
        assert resolve(props["Targets"], VARIABLES) == _resolve_placeholders(targets)


def _resolve_placeholders(value: Any) -> Any:
    return json.loads(sub(json.dumps(value), VARIABLES))


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
    (props,) = resources("AWS::IAM::Role").values()
    upstream = resolve(props, upstream_variables(CLUSTER, NODE_ROLE_ARN, partition=partition))
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
    import components.policies as module  # the generic loader karpenter.iam reads through

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
    from tests.oracles.iam_validation import _action_problem

    policy = karpenter_queue_policy(queue_arn=QUEUE_ARN)
    assert [_action_problem(a) for s in policy["Statement"] for a in _actions(s)] == [None, None]
