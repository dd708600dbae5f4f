"""Karpenter's custom resources: the EC2NodeClass and the NodePools it renders are valid
against the vendored v1.14 CRD schemas (``tests/oracles/schemas``), hardened and bounded; and the schema
oracle itself refuses what the API server would."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import pytest

from components.addons.karpenter import DEFAULT_AMI_ALIAS, NodeClassSpec
from components.synth import SynthResult
from tests.addons.karpenter_support import (
    NODE_CLASS,
    NODE_POOL,
    alternative_program,
    default_program,
)
from tests.oracles.iam_validation import (
    EC2NODECLASS_V1_SCHEMA,
    NODEPOOL_V1_SCHEMA,
    assert_valid_custom_resource,
    custom_resource_cel_rules,
)
from tests.support import manifest, with_path


@pytest.fixture(scope="module")
def default() -> SynthResult:
    return default_program()


@pytest.fixture(scope="module")
def alternative() -> SynthResult:
    return alternative_program()


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
    from tests.oracles.iam_validation import _cel_check

    with pytest.raises(KeyError, match=re.escape("self.startsWith('x')")):
        _cel_check("self.startsWith('x')")
