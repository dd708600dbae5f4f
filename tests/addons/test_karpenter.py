"""Karpenter as a whole: the pinned releases of the controller and of its CRDs, the
alternatives (IRSA on Fargate, protection, extra values), the destroy order, and help().

The AWS side is in ``test_karpenter_iam``, the chart values in ``test_karpenter_chart``, the
custom resources in ``test_karpenter_nodepools``, the refusals in ``test_karpenter_validation``,
the vendored upstream data in ``test_karpenter_vendored``.
"""

from __future__ import annotations

import pydoc

import pytest

from components.addons.karpenter import DEFAULT_CHART, Karpenter
from components.synth import SynthResult
from tests.addons.karpenter_support import (
    ACCESS_ENTRY,
    ATTACHMENT,
    CHART_KEYS,
    EVENT_RULE,
    EVENT_TARGET,
    NODE_CLASS,
    NODE_POOL,
    QUEUE,
    QUEUE_POLICY,
    RELEASE,
    ROLE,
    TAG,
    alternative_program,
    default_program,
    node_attachments,
    values,
)
from tests.oracles.charts import assert_values_read
from tests.support import depends_on


@pytest.fixture(scope="module")
def default() -> SynthResult:
    return default_program()


@pytest.fixture(scope="module")
def alternative() -> SynthResult:
    return alternative_program()


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


def test_help_shows_what_the_component_creates_and_its_args() -> None:
    text = pydoc.render_doc(Karpenter, renderer=pydoc.plaintext)  # type: ignore[attr-defined]
    first_line = (Karpenter.__doc__ or "").strip().splitlines()[0]
    assert first_line in text and "KarpenterArgs" in text
    assert "ComponentResource" not in (Karpenter.__init__.__doc__ or "")
