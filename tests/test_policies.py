"""Tests for the vendored IAM policies (components.policies) and the offline validators."""

from __future__ import annotations

import copy
import json
from collections import Counter
from importlib import resources
from typing import Any

import pytest

from components.policies import (
    ALB_CONTROLLER_POLICY_FILE,
    ALB_CONTROLLER_POLICY_VERSION,
    AWS_PARTITIONS,
    EXTERNAL_DNS_TUTORIAL_POLICY_FILE,
    load_balancer_controller_policy,
    load_policy,
    policy_sha256,
)
from tests.oracles.iam_validation import (
    assert_valid_ingress_class_params,
    assert_valid_k8s,
    assert_valid_permission_policy,
    supported_k8s_versions,
)

# Pins computed from the upstream documents when they were vendored. A change here means
# the vendored file changed: re-check it against upstream (components/policies/README.md).
ALB_POLICY_SHA256 = "bb9e48240ace4258c78d152ce98175ee6a118f0715faad4ff5a3e394c9d66171"
EXTERNAL_DNS_TUTORIAL_POLICY_SHA256 = (
    "fed4aa9e7ba9fbe8857c229100f90f9fc5eb3f2d8716765592b65e941078a0d0"
)
ALB_STATEMENTS = 16
ALB_ACTION_ENTRIES = 86  # entries over all statements, counting repeats
ALB_DISTINCT_ACTIONS = 80  # the "80 actions" upstream speaks of
# Actions granted by more than one statement (with different resources/conditions).
ALB_REPEATED_ACTIONS = {
    "ec2:AuthorizeSecurityGroupIngress": 2,
    "ec2:RevokeSecurityGroupIngress": 2,
    "ec2:CreateTags": 2,
    "elasticloadbalancing:AddTags": 3,
    "elasticloadbalancing:RemoveTags": 2,
}
# Statement index -> condition operators, as upstream has them.
ALB_CONDITIONS = {
    0: {"StringEquals"},
    5: {"StringEquals", "Null"},
    6: {"Null"},
    7: {"Null"},
    8: {"Null"},
    10: {"Null"},
    12: {"Null"},
    13: {"StringEquals", "Null"},
}
CLUSTER_TAG = "elbv2.k8s.aws/cluster"


def _actions(statement: dict[str, Any]) -> list[str]:
    value = statement["Action"]
    return [value] if isinstance(value, str) else list(value)


def _all_strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for item in value for s in _all_strings(item)]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _all_strings(item)]
    return []


@pytest.fixture(scope="module")
def alb_policy() -> dict[str, Any]:
    return load_balancer_controller_policy()


# --------------------------------------------------------------------------- vendored files


def test_constants_name_the_vendored_file() -> None:
    assert ALB_CONTROLLER_POLICY_VERSION == "v3.5.0"
    assert ALB_CONTROLLER_POLICY_VERSION in ALB_CONTROLLER_POLICY_FILE
    package = resources.files("components.policies")
    for name in (ALB_CONTROLLER_POLICY_FILE, EXTERNAL_DNS_TUTORIAL_POLICY_FILE, "README.md"):
        assert package.joinpath(name).is_file(), name


def test_alb_policy_is_pinned_to_upstream(alb_policy: dict[str, Any]) -> None:
    assert policy_sha256(alb_policy) == ALB_POLICY_SHA256
    assert policy_sha256(load_policy(ALB_CONTROLLER_POLICY_FILE)) == ALB_POLICY_SHA256


def test_alb_policy_statement_and_action_counts(alb_policy: dict[str, Any]) -> None:
    assert alb_policy["Version"] == "2012-10-17"
    statements = alb_policy["Statement"]
    assert len(statements) == ALB_STATEMENTS
    assert all(s["Effect"] == "Allow" and "NotAction" not in s for s in statements)
    entries = [action for s in statements for action in _actions(s)]
    assert len(entries) == ALB_ACTION_ENTRIES
    assert len(set(entries)) == ALB_DISTINCT_ACTIONS
    repeated = {action: n for action, n in Counter(entries).items() if n > 1}
    assert repeated == ALB_REPEATED_ACTIONS
    # No statement lists the same action twice: repeats are across statements only.
    assert all(len(_actions(s)) == len(set(_actions(s))) for s in statements)


def test_alb_policy_conditions_where_upstream_has_them(alb_policy: dict[str, Any]) -> None:
    statements = alb_policy["Statement"]
    conditions = {i: set(s["Condition"]) for i, s in enumerate(statements) if "Condition" in s}
    assert conditions == ALB_CONDITIONS
    # The service-linked role may only be created for Elastic Load Balancing.
    assert _actions(statements[0]) == ["iam:CreateServiceLinkedRole"]
    assert statements[0]["Condition"] == {
        "StringEquals": {"iam:AWSServiceName": "elasticloadbalancing.amazonaws.com"}
    }
    # Every other condition scopes by the controller's cluster tag.
    for index in ALB_CONDITIONS.keys() - {0}:
        null = statements[index]["Condition"]["Null"]
        assert any(key.endswith(f"Tag/{CLUSTER_TAG}") for key in null), index


def test_external_dns_tutorial_policy_is_pinned() -> None:
    doc = load_policy(EXTERNAL_DNS_TUTORIAL_POLICY_FILE)
    assert policy_sha256(doc) == EXTERNAL_DNS_TUTORIAL_POLICY_SHA256
    # Kept for reference: this is the broad grant the project narrows.
    assert "arn:aws:route53:::hostedzone/*" in _all_strings(doc)


def test_load_policy_returns_a_fresh_copy() -> None:
    first = load_policy(ALB_CONTROLLER_POLICY_FILE)
    first["Statement"].clear()
    second = load_policy(ALB_CONTROLLER_POLICY_FILE)
    assert len(second["Statement"]) == ALB_STATEMENTS
    assert second is not load_policy(ALB_CONTROLLER_POLICY_FILE)


@pytest.mark.parametrize("filename", ["../policies/x.json", "sub/x.json", "README.md", ""])
def test_load_policy_rejects_non_policy_names(filename: str) -> None:
    with pytest.raises(ValueError, match="filename"):
        load_policy(filename)


def test_load_policy_missing_file() -> None:
    with pytest.raises(FileNotFoundError):
        load_policy("no-such-policy.json")


def test_policy_sha256_ignores_key_order_and_whitespace() -> None:
    doc = load_policy(EXTERNAL_DNS_TUTORIAL_POLICY_FILE)
    reordered = json.loads(json.dumps(doc, indent=4, sort_keys=False))
    reordered = {"Statement": reordered["Statement"], "Version": reordered["Version"]}
    assert policy_sha256(reordered) == policy_sha256(doc)
    changed = copy.deepcopy(doc)
    changed["Statement"].reverse()
    assert policy_sha256(changed) != policy_sha256(doc)


# --------------------------------------------------------------------------- partitions


@pytest.mark.parametrize("partition", [p for p in AWS_PARTITIONS if p != "aws"])
def test_partition_rewrite(partition: str, alb_policy: dict[str, Any]) -> None:
    doc = load_balancer_controller_policy(partition)
    strings = _all_strings(doc)
    assert not [s for s in strings if "arn:aws:" in s]
    expected = sum(s.count("arn:aws:") for s in _all_strings(alb_policy))
    assert expected > 0
    assert sum(s.count(f"arn:{partition}:") for s in strings) == expected
    # Only ARNs change: same statements, actions and conditions.
    assert [_actions(s) for s in doc["Statement"]] == [_actions(s) for s in alb_policy["Statement"]]
    assert [s.get("Condition") for s in doc["Statement"]] == [
        s.get("Condition") for s in alb_policy["Statement"]
    ]


def test_partition_aws_is_the_vendored_document(alb_policy: dict[str, Any]) -> None:
    assert load_balancer_controller_policy("aws") == load_policy(ALB_CONTROLLER_POLICY_FILE)


@pytest.mark.parametrize("partition", ["aws-gov", "AWS", "", "arn:aws"])
def test_bad_partition_raises(partition: str) -> None:
    with pytest.raises(ValueError, match="partition"):
        load_balancer_controller_policy(partition)


# --------------------------------------------------------------------------- IAM validator


def test_vendored_alb_policy_is_valid(alb_policy: dict[str, Any]) -> None:
    assert_valid_permission_policy(alb_policy)


def test_vendored_alb_policy_is_valid_as_text() -> None:
    text = resources.files("components.policies").joinpath(ALB_CONTROLLER_POLICY_FILE)
    assert_valid_permission_policy(text.read_text(encoding="utf-8"))


def test_alb_policy_is_valid_in_aws_cn() -> None:
    assert_valid_permission_policy(load_balancer_controller_policy("aws-cn"))


def _policy(*actions: str, effect: str = "Allow", key: str = "Action") -> dict[str, Any]:
    statement = {"Effect": effect, key: list(actions), "Resource": "*"}
    return {"Version": "2012-10-17", "Statement": [statement]}


def test_made_up_action_is_rejected() -> None:
    with pytest.raises(AssertionError, match=r"statement 0: Action 'ec2:MakeCoffee'"):
        assert_valid_permission_policy(_policy("ec2:DescribeVpcs", "ec2:MakeCoffee"))


def test_made_up_not_action_is_rejected() -> None:
    with pytest.raises(AssertionError, match=r"NotAction 'iam:MakeCoffee'"):
        assert_valid_permission_policy(_policy("iam:MakeCoffee", effect="Deny", key="NotAction"))


def test_unknown_service_is_rejected() -> None:
    with pytest.raises(AssertionError, match="unknown service prefix 'coffee'"):
        assert_valid_permission_policy(_policy("coffee:Brew"))


def test_wildcards_must_match_a_real_action() -> None:
    assert_valid_permission_policy(
        _policy("ec2:Describe*", "elasticloadbalancing:*", "s3:Get?bject")
    )
    with pytest.raises(AssertionError, match="wildcard matches no ec2 action"):
        assert_valid_permission_policy(_policy("ec2:MakeCoffee*"))


def test_action_names_are_case_insensitive() -> None:
    assert_valid_permission_policy(_policy("EC2:describevpcs"))


def test_moto_rejects_what_policy_sentry_cannot_see() -> None:
    # Real actions, but "Allowed" is not an Effect: only moto's IAM catches this.
    with pytest.raises(AssertionError, match="moto IAM rejected the policy"):
        assert_valid_permission_policy(_policy("ec2:DescribeVpcs", effect="Allowed"))


def test_oversized_policy_is_rejected() -> None:
    statements = load_balancer_controller_policy()["Statement"]
    with pytest.raises(AssertionError, match="managed policy allows 6144"):
        assert_valid_permission_policy({"Version": "2012-10-17", "Statement": statements * 2})


def test_malformed_input_is_rejected() -> None:
    with pytest.raises(AssertionError, match="not valid JSON"):
        assert_valid_permission_policy("{")
    with pytest.raises(AssertionError, match="Statement"):
        assert_valid_permission_policy({"Version": "2012-10-17"})


# --------------------------------------------------------------------------- Kubernetes


def _service_account(**extra: Any) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": {
            "name": "aws-load-balancer-controller",
            "namespace": "kube-system",
            "annotations": {"eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/x"},
        },
        **extra,
    }


def test_k8s_versions_bundled() -> None:
    versions = supported_k8s_versions()
    assert "1.33" in versions
    assert versions == tuple(sorted(set(versions), key=lambda v: int(v.split(".")[1])))


@pytest.mark.parametrize("version", ["1.33", "v1.33", "1.33.4"])
def test_valid_k8s_object_passes(version: str) -> None:
    assert_valid_k8s(_service_account(automountServiceAccountToken=True), version)


def test_unknown_field_is_rejected_by_strict_k8s_validation() -> None:
    with pytest.raises(AssertionError, match=r"'automountToken' was unexpected"):
        assert_valid_k8s(_service_account(automountToken=True), "1.33")


def test_wrong_type_is_rejected_by_k8s_validation() -> None:
    with pytest.raises(AssertionError, match=r"at automountServiceAccountToken: 'yes' is not"):
        assert_valid_k8s(_service_account(automountServiceAccountToken="yes"), "1.33")


def test_custom_resource_has_no_builtin_schema() -> None:
    icp = {"apiVersion": "elbv2.k8s.aws/v1beta1", "kind": "IngressClassParams", "metadata": {}}
    with pytest.raises(AssertionError, match="Couldn't find schema"):
        assert_valid_k8s(icp, "1.33")


@pytest.mark.parametrize("version", ["1.24", "1.99", "latest", "1"])
def test_unsupported_k8s_version_is_a_usage_error(version: str) -> None:
    with pytest.raises(ValueError, match="k8s_version"):
        assert_valid_k8s(_service_account(), version)


# --------------------------------------------------------------------------- IngressClassParams


def _icp(**spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "elbv2.k8s.aws/v1beta1",
        "kind": "IngressClassParams",
        "metadata": {"name": "alb-public", "labels": {"app.kubernetes.io/part-of": "platform"}},
        "spec": spec,
    }


def test_ingress_class_params_internet_facing_ipv4_passes() -> None:
    assert_valid_ingress_class_params(_icp(scheme="internet-facing", ipAddressType="ipv4"))


def test_ingress_class_params_full_example_passes() -> None:
    assert_valid_ingress_class_params(
        _icp(
            scheme="internal",
            ipAddressType="dualstack",
            group={"name": "platform"},
            namespaceSelector={"matchLabels": {"team": "a"}},
            subnets={"ids": ["subnet-0abc123"]},
            tags=[{"key": "org", "value": "platform"}],
            loadBalancerAttributes=[{"key": "idle_timeout.timeout_seconds", "value": "120"}],
            listeners=[{"port": 443, "protocol": "HTTPS", "listenerAttributes": []}],
            targetType="ip",
        )
    )


def test_ingress_class_params_bad_scheme_is_rejected() -> None:
    with pytest.raises(AssertionError, match=r"at spec.scheme: 'public' is not one of"):
        assert_valid_ingress_class_params(_icp(scheme="public", ipAddressType="ipv4"))


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"schema": "internal"}, r"at spec: Additional properties .*'schema' was unexpected"),
        ({"group": {"name": "g", "order": 1}}, r"at spec.group: .*'order' was unexpected"),
        ({"tags": [{"key": "k"}]}, r"at spec.tags.0: 'value' is a required property"),
        ({"subnets": {"ids": ["sub-1"]}}, r"at spec.subnets.ids.0: 'sub-1' does not match"),
        ({"listeners": [{"port": 2**31}]}, r"at spec.listeners.0.port: .* is not a 'int32'"),
        ({"prefixListsIDs": ["pl-1"], "PrefixListsIDs": ["pl-1"]}, r"cannot specify both"),
    ],
)
def test_ingress_class_params_schema_violations(spec: dict[str, Any], message: str) -> None:
    with pytest.raises(AssertionError, match=message):
        assert_valid_ingress_class_params(_icp(**spec))


def test_ingress_class_params_object_level_checks() -> None:
    obj = _icp(scheme="internal")
    obj["apiVersion"] = "elbv2.k8s.aws/v1"
    obj["metadata"] = {"name": "Not_A_Name", "namespace": "default", "labelz": {}}
    with pytest.raises(AssertionError) as excinfo:
        assert_valid_ingress_class_params(obj)
    message = str(excinfo.value)
    assert "apiVersion must be 'elbv2.k8s.aws/v1beta1'" in message
    assert "metadata.name must be a DNS subdomain" in message
    assert "cluster-scoped" in message
    assert "'labelz' was unexpected" in message
