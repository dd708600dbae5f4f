"""Karpenter's chart: the values the component sets are read by the pinned chart (its key
list, ``tests/oracles/charts``), and the controller never runs on the nodes it manages."""

from __future__ import annotations

import re
from typing import Any

import pytest

from components.synth import SynthResult
from tests.addons.karpenter_support import (
    CHART_KEYS,
    default_program,
    values,
)
from tests.oracles.charts import assert_values_read, load_chart_keys


@pytest.fixture(scope="module")
def default() -> SynthResult:
    return default_program()


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


# --------------------------------------------------------------------------- chart keys

CHART = CHART_KEYS
CLUSTER = "platform-dev"
NODE_ROLE_ARN = f"arn:aws:iam::123456789012:role/KarpenterNodeRole-{CLUSTER}"


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
