"""`pulumi destroy` of each stack, and a program moving from ``components`` to ``eks_platform``.

Destroy: every cleanup runs before anything it needs is deleted (its controller's release,
IngressClasses and params, NodePools, roles, associations, the cluster's access entries and its
Kubernetes provider); in prod the protected resources block it. The delete waves are the
engine's (each finishes before the next starts), so the bounds in docs/operations.md add up
along them. The move between layouts leaves the dynamic providers' state as it is.
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from components.addons.karpenter.cleanup import _Provider as KarpenterProvider
from components.addons.load_balancer_controller.cleanup import _Provider as LoadBalancerProvider
from components.cluster.creator_access import _Provider as CreatorProvider
from components.synth.transitions import Change, Plan, destroy, render
from stacks import ENVIRONMENTS
from tests.dynamic.test_by_value import globals_of
from tests.stacks import layout_program
from tests.stacks.harness import ROOT
from tests.stacks.transition_support import (
    ACCESS_ENTRY,
    ASSOCIATION,
    DYNAMIC,
    K8S_PROVIDER,
    cleanups,
    of_type,
    plan,
    subtree,
    variant,
)

LOAD_BALANCER = "eks-platform:index:LoadBalancerController"
KARPENTER = "eks-platform:index:Karpenter"
ADDON = "aws:eks/addon:Addon"
MAKES_A_LOAD_BALANCER = ("kubernetes:networking.k8s.io/v1:Ingress", "kubernetes:core/v1:Service")


def _needed(doc: dict[str, Any], p: Plan, cleanup: Change) -> list[Change]:
    """What ``cleanup`` needs to run: its add-on's resources (release, classes, NodePools,
    roles, associations...), the cluster's access entries and associations, the provider."""
    owner = next(r["parent"] for r in doc["resources"] if r["urn"] == cleanup.urn)
    component = next(r["type"] for r in doc["resources"] if r["urn"] == owner)
    own = subtree(doc, component) - {cleanup.urn}
    cluster_wide = (ACCESS_ENTRY, ASSOCIATION, K8S_PROVIDER)
    return [
        c
        for c in p.changes
        if (c.urn in own and c.type.startswith(("aws:", "kubernetes:"))) or c.type in cluster_wide
    ]


@pytest.mark.parametrize("stack", ENVIRONMENTS)
def test_destroy_runs_each_cleanup_before_anything_it_needs_is_deleted(stack: str) -> None:
    doc = variant(stack)
    p = destroy(doc)
    assert sorted(p.delete_order) == sorted(r["urn"] for r in doc["resources"])
    both = cleanups(p)
    assert len(both) == 2
    for cleanup in both:
        needed = _needed(doc, p, cleanup)
        assert {K8S_PROVIDER, ACCESS_ENTRY, "kubernetes:helm.sh/v3:Release"} <= {
            c.type for c in needed
        }
        late = [c.name for c in needed if not p.deleted_before(cleanup, c, forced=True)]
        assert late == [], f"{cleanup.name} may run after these are gone: {late}"


@pytest.mark.parametrize("stack", ENVIRONMENTS)
def test_destroy_removes_the_load_balancers_before_karpenter_drains_the_nodes(stack: str) -> None:
    """The controller and CoreDNS may run on Karpenter's nodes: the drain would evict them and
    leave the Ingresses' finalizers (and the load-balancer cleanup) waiting."""
    doc = variant(stack)
    p = destroy(doc)
    [drain] = [c for c in cleanups(p) if c.urn in subtree(doc, KARPENTER)]
    load_balancing = subtree(doc, LOAD_BALANCER)
    first = [c for c in p.changes if c.urn in load_balancing or c.type in MAKES_A_LOAD_BALANCER]
    assert [c for c in first if c.type == DYNAMIC]  # the load-balancer cleanup among them
    late = [c.name for c in first if not p.deleted_before(c, drain, forced=True)]
    assert late == [], render(p)


@pytest.mark.parametrize("stack", ENVIRONMENTS)
def test_the_ebs_driver_and_coredns_outlive_karpenters_drain(stack: str) -> None:
    """Evicted pods' volumes detach through the CSI driver, and Karpenter terminates a node only
    then. CoreDNS follows by dependency; the driver's add-on by the waves alone (each finishes
    before the next): this keeps it so."""
    doc = variant(stack)
    p = destroy(doc)
    [drain] = [c for c in cleanups(p) if c.urn in subtree(doc, KARPENTER)]
    addons = {c.name.removeprefix(f"{stack}-eks-"): c for c in of_type(p, ADDON)}
    assert p.deleted_before(drain, addons["coredns"], forced=True)
    assert p.deleted_before(drain, addons["ebs-csi-driver"])


@pytest.mark.parametrize("stack", ENVIRONMENTS)
def test_destroy_is_blocked_by_protection_in_prod_only(stack: str) -> None:
    doc = variant(stack)
    blocked = {c.urn for c in destroy(doc).blocked}
    assert blocked == {r["urn"] for r in doc["resources"] if r["protect"]}
    types = {r["type"] for r in doc["resources"] if r["urn"] in blocked}
    if stack == "prod":
        assert {"eks:index:Cluster", "aws:kms/key:Key", "aws:eks/nodeGroup:NodeGroup"} <= types
        assert "kubernetes:helm.sh/v3:Release" in types
    else:
        assert not blocked


BOUNDS = {  # seconds: load-balancer cleanup; Karpenter drain, sweep (docs/operations.md)
    "dev": (900, 1800, 600),
    "staging": (900, 1800, 600),
    "prod": (900, 24 * 3600 + 15 * 60, 600),
}


@pytest.mark.parametrize("stack", ENVIRONMENTS)
def test_the_cleanups_bounds_are_the_documented_ones(stack: str) -> None:
    inputs = {
        r["name"].removeprefix(f"{stack}-eks-"): r["inputs"]
        for r in variant(stack)["resources"]
        if r["type"] == DYNAMIC and r["name"].endswith("-cleanup")
    }
    balancer = inputs["aws-load-balancer-controller-cleanup"]
    karpenter = inputs["karpenter-cleanup"]
    found = (
        balancer["timeoutSeconds"],
        karpenter["drainTimeoutSeconds"],
        karpenter["sweepTimeoutSeconds"],
    )
    assert found == BOUNDS[stack]


# --------------------------------------------------------------------------- components -> eks_platform


@pytest.fixture(scope="module")
def layouts(eks_platform: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, dict]:
    """The program synthed from the repository (``components``, in this process) and from the
    installed name (``eks_platform``, a process where ``components`` cannot be imported)."""
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    installed = subprocess.Popen(
        [sys.executable, str(Path(layout_program.__file__)), "eks_platform"],
        cwd=elsewhere,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(eks_platform)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    repository = layout_program.synth("components")
    out, err = installed.communicate(timeout=120)
    assert installed.returncode == 0, err
    assert ROOT.name not in str(elsewhere)
    return repository, json.loads(out)


def _dynamic(doc: dict[str, Any]) -> dict[str, str]:
    return {r["name"]: r["inputs"]["__provider"] for r in doc["resources"] if r["type"] == DYNAMIC}


def test_moving_to_the_installed_package_changes_nothing_in_the_state(
    layouts: tuple[dict, dict],
) -> None:
    repository, installed = layouts
    p = plan(repository, installed)
    assert not p.has_changes, render(p)
    providers = _dynamic(repository)
    assert sorted(providers) == [
        "apps-alb-cleanup",
        "apps-creator-access",
        "apps-karpenter-cleanup",
    ]
    assert providers == _dynamic(installed)  # the same bytes: no module path in them
    for serialized in providers.values():
        assert globals_of(serialized) == ["builtins.eval"]


@pytest.mark.parametrize(
    ("name", "provider"),
    [
        ("apps-alb-cleanup", LoadBalancerProvider),
        ("apps-karpenter-cleanup", KarpenterProvider),
        ("apps-creator-access", CreatorProvider),
    ],
)
def test_new_provider_code_is_an_update_never_a_replacement(
    layouts: tuple[dict, dict], name: str, provider: type
) -> None:
    """A library upgrade changes ``__provider`` (the code): the harness and the provider's own
    ``diff`` make it an update, which records the new code for the next ``destroy``."""
    repository, _ = layouts
    upgraded = json.loads(json.dumps(repository))
    [resource] = [r for r in upgraded["resources"] if r["type"] == DYNAMIC and r["name"] == name]
    olds = dict(resource["inputs"])
    resource["inputs"]["__provider"] = base64.b64encode(b"new code").decode()
    p = plan(repository, upgraded)
    assert [(c.name, c.action, c.properties) for c in p.changes if c.action != "same"] == [
        (name, "update", ("__provider",))
    ]
    result = provider().diff("id", olds, resource["inputs"])
    assert result.changes and not result.replaces and not result.delete_before_replace
