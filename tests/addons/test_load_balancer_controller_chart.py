"""LoadBalancerController's chart values: what it sets, what users may add, and that the chart reads them."""

from __future__ import annotations

import pytest

from components.addons.load_balancer_controller import (
    SERVICE_ACCOUNT,
)
from components.synth import SynthResult
from tests.addons.load_balancer_controller_support import (
    FARGATE,
    RELEASE,
    default_synth,
    synth,
    values,
)
from tests.support import (
    depends_on,
)


@pytest.fixture(scope="module")
def default() -> SynthResult:
    return default_synth()


def test_release_values(default: SynthResult) -> None:
    chart = values(default)
    assert chart["clusterName"] == "test"
    assert chart["region"] == "us-west-2"
    assert chart["vpcId"] == "vpc-0123456789abcdef0"
    assert chart["serviceAccount"] == {"create": False, "name": SERVICE_ACCOUNT}
    assert chart["replicaCount"] == 2
    assert chart["podDisruptionBudget"] == {"maxUnavailable": 1}
    assert chart["ingressClass"] == "alb"
    assert chart["createIngressClassResource"] is False
    assert chart["ingressClassParams"] == {"create": False}
    assert chart["defaultTargetType"] == "instance"
    assert chart["enableServiceMutatorWebhook"] is False
    assert chart["tolerations"] == []
    assert chart["nodeSelector"] == {}


def test_single_replica_has_no_disruption_budget() -> None:
    chart = values(synth(replicas=1))
    assert chart["replicaCount"] == 1
    assert "podDisruptionBudget" not in chart


def test_scheduling_and_webhook_pass_through() -> None:
    toleration = {"key": "CriticalAddonsOnly", "operator": "Exists", "effect": "NoSchedule"}
    chart = values(
        synth(
            tolerations=[toleration],
            node_selector={"role": "system"},
            enable_service_mutator_webhook=True,
            ingress_class="alb-public",
        )
    )
    assert chart["tolerations"] == [toleration]
    assert chart["nodeSelector"] == {"role": "system"}
    assert chart["enableServiceMutatorWebhook"] is True
    assert chart["ingressClass"] == "alb-public"


def test_extra_values_are_merged_last() -> None:
    chart = values(
        synth(
            values={
                "enableShield": False,
                "priorityClassName": "system-cluster-critical",
                "serviceAccount": {"automountServiceAccountToken": True},
                "podDisruptionBudget": {"maxUnavailable": 2},
            }
        )
    )
    assert chart["enableShield"] is False
    assert chart["priorityClassName"] == "system-cluster-critical"
    # Merged key by key: the component's serviceAccount settings stay.
    assert chart["serviceAccount"] == {
        "create": False,
        "name": SERVICE_ACCOUNT,
        "automountServiceAccountToken": True,
    }
    assert chart["podDisruptionBudget"] == {"maxUnavailable": 2}
    assert chart["clusterName"] == "test"


def test_replicas_spread_over_zones_with_resources() -> None:
    chart = values(synth(replicas=2))
    assert chart["resources"]["requests"] == {"cpu": "100m", "memory": "128Mi"}
    (spread,) = chart["topologySpreadConstraints"]
    assert spread["topologyKey"] == "topology.kubernetes.io/zone"
    assert "topologySpreadConstraints" not in values(synth(replicas=1))


def test_fargate_cluster_targets_pod_ips() -> None:
    result = synth(cluster={"node_groups": {}, "fargate_profiles": FARGATE})
    assert values(result)["defaultTargetType"] == "ip"
    release = result.one(RELEASE)
    assert depends_on(result, release, result.one("aws:eks/fargateProfile:FargateProfile"))


@pytest.mark.parametrize("target_type", ["ip", "instance"])
def test_target_type_can_be_forced(target_type: str) -> None:
    assert values(synth(default_target_type=target_type))["defaultTargetType"] == target_type


def test_every_values_key_is_read_by_the_pinned_chart() -> None:
    from tests.oracles.charts import assert_values_read

    chart = values(
        synth(replicas=2, tolerations=[{"key": "CriticalAddonsOnly", "operator": "Exists"}])
    )
    assert_values_read(chart, "aws-load-balancer-controller-3.5.0")
