"""MetricsServer: the EKS community add-on ``metrics-server`` on the system nodes, following the
cluster's version, and what an HPA needs of it."""

from __future__ import annotations

import json
from typing import Any

import pulumi_kubernetes as k8s
import pytest

from components import AddonSpec, MetricsServer, MetricsServerArgs
from components.addons.metrics_server import METRICS_API
from components.cluster import EksCluster
from components.synth import Recorded, SynthResult
from tests.support import cluster_args, depends_on, light_cluster, refused, run

ADDON = "aws:eks/addon:Addon"


def metrics(cluster: dict[str, Any] | None = None, **fields: Any) -> SynthResult:
    def program() -> None:
        c = EksCluster("test", cluster_args(**(cluster or {})))
        server = MetricsServer("metrics", MetricsServerArgs(cluster=c, **fields))
        k8s.autoscaling.v2.HorizontalPodAutoscaler(
            "web",
            metadata={"name": "web", "namespace": "default"},
            spec={
                "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
                "maxReplicas": 3,
                "metrics": [
                    {
                        "type": "Resource",
                        "resource": {
                            "name": "cpu",
                            "target": {"type": "Utilization", "averageUtilization": 70},
                        },
                    }
                ],
            },
            opts=server.workload_options(),
        )

    return run(program)


def server(result: SynthResult) -> Recorded:
    (found,) = [a for a in result.by_type(ADDON) if a.inputs["addonName"] == "metrics-server"]
    return found


def test_the_community_addon_runs_on_the_system_nodes_without_a_role() -> None:
    result = metrics(node_selector={"workload": "system"})
    addon = server(result)
    assert addon.name == "metrics"
    assert json.loads(addon.inputs["configurationValues"]) == {
        "tolerations": [{"key": "CriticalAddonsOnly", "operator": "Exists"}],
        "nodeSelector": {"workload": "system"},
    }
    assert "serviceAccountRoleArn" not in addon.inputs
    assert "podIdentityAssociations" not in addon.inputs
    assert not [r for r in result.by_type("aws:iam/role:Role") if r.name.startswith("metrics")]
    # After the nodes and CoreDNS; the HPA after it (and deleted before it).
    assert depends_on(result, addon, result.one("aws:eks/nodeGroup:NodeGroup"))
    hpa = result.one("kubernetes:autoscaling/v2:HorizontalPodAutoscaler")
    assert depends_on(result, hpa, addon)
    assert METRICS_API == "metrics.k8s.io"


def test_it_follows_the_cluster_version_unless_pinned() -> None:
    assert (
        server(metrics(cluster={"kubernetes_version": "1.34"}))
        .inputs["addonVersion"]
        .startswith("v1.34.")
    )
    pinned = server(metrics(version="v0.8.0-eksbuild.2", replicas=1))
    assert pinned.inputs["addonVersion"] == "v0.8.0-eksbuild.2"
    assert json.loads(pinned.inputs["configurationValues"])["replicas"] == 1


@pytest.mark.parametrize(
    "fields, message",
    [
        (
            {"configuration_values": {"nodeSelector": {"a": "b"}}},
            "configuration_values.nodeSelector: is set by node_selector",
        ),
        (
            {"configuration_values": {"replicas": 3}},
            "configuration_values.replicas: is set by replicas",
        ),
        ({"version": "0.8.0"}, "version: '0.8.0' is not an add-on version"),
        ({"replicas": 0}, "replicas: "),
        ({"node_selector": {"bad key!": "x"}}, "node_selector"),
    ],
)
def test_misuse_is_refused_naming_the_field(fields: dict[str, Any], message: str) -> None:
    error = refused(
        lambda: MetricsServer("metrics", MetricsServerArgs(cluster=light_cluster(), **fields)),
        "metrics",
    )
    assert error.startswith("MetricsServer 'metrics': "), error
    assert message in error, error


def test_the_metrics_server_is_installed_once_per_cluster() -> None:
    def program() -> None:
        c = EksCluster("test", cluster_args(addons={"metrics-server": AddonSpec()}))
        MetricsServer("metrics", MetricsServerArgs(cluster=c))

    error = refused(program, "metrics")
    assert error.startswith("MetricsServer 'metrics': cluster: EKS add-on 'metrics-server'"), error
