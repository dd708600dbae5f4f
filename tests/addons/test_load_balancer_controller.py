"""LoadBalancerController: the pinned release and its CRDs, what it waits for, what waits for it."""

from __future__ import annotations

import re
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
import pytest

from components.addons.helm import ChartSpec
from components.addons.helm import release_name as helm_release_name
from components.addons.load_balancer_controller import (
    DEFAULT_CHART,
    LoadBalancerController,
    LoadBalancerControllerArgs,
)
from components.synth import SynthResult
from tests.addons.load_balancer_controller_support import (
    ATTACHMENT,
    INGRESS_CLASS,
    PARAMS,
    RELEASE,
    SERVICE_ACCOUNT_TYPE,
    default_synth,
    synth,
)
from tests.support import (
    depends_on,
    make_cluster,
    run,
)


@pytest.fixture(scope="module")
def default() -> SynthResult:
    return default_synth()


def test_release_pins_the_chart(default: SynthResult) -> None:
    inputs = default.one(RELEASE).inputs
    assert inputs["chart"] == "aws-load-balancer-controller" == DEFAULT_CHART.chart
    assert inputs["version"] == "3.5.0"
    assert inputs["repositoryOpts"] == {"repo": "https://aws.github.io/eks-charts"}
    assert inputs["namespace"] == "kube-system"
    assert inputs["atomic"] is True
    assert default.outputs["releaseName"] == "alb"


def test_chart_version_override() -> None:
    chart = ChartSpec(
        chart=DEFAULT_CHART.chart, repository=DEFAULT_CHART.repository, version="3.6.0"
    )
    assert synth(chart=chart).one(RELEASE).inputs["version"] == "3.6.0"


def test_release_waits_for_capacity_and_the_service_account(default: SynthResult) -> None:
    release = default.one(RELEASE)
    assert depends_on(default, release, default.one("aws:eks/nodeGroup:NodeGroup"))
    assert depends_on(default, release, default.one("aws:eks/addon:Addon", "test-coredns"))
    assert depends_on(default, release, default.one(SERVICE_ACCOUNT_TYPE))
    assert depends_on(default, release, default.one(ATTACHMENT, "alb-policy"))


def test_crds_are_applied_by_pulumi_at_the_pinned_version_and_skipped_by_helm(
    default: SynthResult,
) -> None:
    crds = default.by_type("kubernetes:yaml/v2:ConfigFile")
    files = sorted(c.inputs["file"] for c in crds)
    assert files == [
        "https://raw.githubusercontent.com/kubernetes-sigs/aws-load-balancer-controller/v3.5.0/helm/aws-load-balancer-controller/crds/crds.yaml",
        "https://raw.githubusercontent.com/kubernetes-sigs/aws-load-balancer-controller/v3.5.0/helm/aws-load-balancer-controller/crds/gateway-crds.yaml",
    ]
    release = default.one(RELEASE)
    assert release.inputs["skipCrds"] is True  # Helm never upgrades crds/: Pulumi does
    for crd in crds:
        assert depends_on(default, release, crd)
    assert depends_on(default, default.one(PARAMS), release)


def test_a_new_chart_pin_upgrades_the_crds() -> None:
    chart = ChartSpec(
        chart=DEFAULT_CHART.chart, repository=DEFAULT_CHART.repository, version="3.6.0"
    )
    source = "https://raw.githubusercontent.com/kubernetes-sigs/aws-load-balancer-controller"
    path = "helm/aws-load-balancer-controller/crds"

    def crd_files(**overrides: Any) -> list[str]:
        configs = synth(chart=chart, **overrides).by_type("kubernetes:yaml/v2:ConfigFile")
        return sorted(c.inputs["file"] for c in configs)

    for tag, overrides in (("v3.6.0", {}), ("v3.5.1", {"crds_version": "v3.5.1"})):
        assert crd_files(**overrides) == [
            f"{source}/{tag}/{path}/crds.yaml",
            f"{source}/{tag}/{path}/gateway-crds.yaml",
        ]


def test_workload_options_depend_on_ready() -> None:
    def program() -> None:
        eks = make_cluster()
        controller = LoadBalancerController("alb", LoadBalancerControllerArgs(cluster=eks))
        assert controller.ready == [controller.release, controller.ingress_class]
        other = k8s.core.v1.ConfigMap("first", opts=pulumi.ResourceOptions(provider=eks.provider))
        k8s.core.v1.ConfigMap(
            "workload", opts=controller.workload_options(pulumi.ResourceOptions(depends_on=[other]))
        )

    result = run(program)
    workload = result.one("kubernetes:core/v1:ConfigMap", "workload")
    assert result.one(RELEASE).urn in workload.dependencies
    assert result.one(INGRESS_CLASS).urn in workload.dependencies
    assert result.one("kubernetes:core/v1:ConfigMap", "first").urn in workload.dependencies


@pytest.mark.parametrize(
    ("name", "expected"),
    [("dev-alb", "dev-alb"), ("Dev_Cluster-alb", "dev-cluster-alb"), ("x" * 60, None)],
)
def test_helm_release_name_is_a_valid_release_name(name: str, expected: str | None) -> None:
    release_name = helm_release_name(name)
    assert release_name == helm_release_name(name)  # deterministic
    assert len(release_name) <= 53
    assert re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", release_name)
    if expected is not None:
        assert release_name == expected


def test_long_component_name_still_deploys() -> None:
    def program() -> None:
        LoadBalancerController("a" * 70, LoadBalancerControllerArgs(cluster=make_cluster()))

    assert run(program).one(RELEASE).inputs["name"] == helm_release_name("a" * 70)
