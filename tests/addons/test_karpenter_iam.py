"""Karpenter's AWS side: the controller's policies and role, the node role and its access
entry, the interruption queue and rules, the discovery tag; compared with upstream's
getting-started CloudFormation template (``tests/oracles/upstream``), not with the loaders that fill
it in."""

from __future__ import annotations

import json
import re

import pytest

from components.identity import iam
from components.synth import SynthResult
from tests.addons.karpenter_support import (
    ACCESS_ENTRY,
    ATTACHMENT,
    EVENT_RULE,
    EVENT_TARGET,
    POLICY,
    POLICY_SLUGS,
    QUEUE,
    QUEUE_ARN,
    QUEUE_POLICY,
    ROLE,
    RULE_SLUGS,
    TAG,
    alternative_program,
    default_program,
    node_attachments,
    resolve,
    resources,
    upstream_policy,
    upstream_variables,
)
from tests.oracles.iam_validation import assert_valid_permission_policy
from tests.oracles.trust_policy import Token, admits, pod_identity_admits, service_may_assume
from tests.support import doc


@pytest.fixture(scope="module")
def default() -> SynthResult:
    return default_program()


@pytest.fixture(scope="module")
def alternative() -> SynthResult:
    return alternative_program()


# --------------------------------------------------------------------------- controller IAM


def test_controller_policies_are_the_vendored_documents_filled_in(default: SynthResult) -> None:
    variables = upstream_variables("test", default.outputs["nodeRoleArn"])
    expected = {
        key: upstream_policy(props, variables)
        for key, props in resources("AWS::IAM::ManagedPolicy").items()
    }
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
    (upstream,) = resources("AWS::IAM::Role").values()
    assert trust == resolve(upstream, upstream_variables("test"))["AssumeRolePolicyDocument"]
    assert trust == json.loads(iam.service_trust_policy("ec2.amazonaws.com"))


def test_node_role_policies_are_upstreams_less_what_is_not_wanted(
    default: SynthResult, alternative: SynthResult
) -> None:
    (props,) = resources("AWS::IAM::Role").values()
    upstream = set(resolve(props, upstream_variables("test"))["ManagedPolicyArns"])
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
    (props,) = resources("AWS::SQS::QueuePolicy").values()
    assert policy == upstream_policy(props, upstream_variables("test"))
    (deny,) = [s for s in policy["Statement"] if s["Effect"] == "Deny"]
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": False}}


def test_event_rules_have_the_upstream_patterns_and_target_the_queue(default: SynthResult) -> None:
    upstream = {key: props["EventPattern"] for key, props in resources("AWS::Events::Rule").items()}
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
