"""Upgrading a platform stack from 0.2 to this version: what the first ``pulumi up`` does.

``tests/fixtures/state-0.2/<stack>.synth.json.gz`` is what 0.2 (tag v0.2.0, commit cb3bbb8)
registered for the checked-in staging and prod stacks: its offline synth, with each
registration's provider reference added (0.2's ``--json`` did not record it; a Kubernetes
resource would otherwise look as if it changed provider, which the engine replaces). Those
documents stand in for the state a 0.2 deployment left; the plan to today's stacks is the
engine's model (:mod:`components.synth.transitions`), and the dynamic resources' own ``diff``
(which the engine asks instead of comparing inputs) is run on the 0.2 inputs.
docs/upgrading.md describes the same plan to its readers.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from components.addons.load_balancer_controller.cleanup import _Provider as LbCleanup
from components.cluster.creator_access import _Provider as CreatorAccess
from components.synth.transitions import Plan, render, transition
from tests.stacks.transition_support import DYNAMIC, ROLE, named, variant

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "state-0.2"
STACKS = ["staging", "prod"]
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"


def _before(stack: str) -> dict[str, Any]:
    with gzip.open(FIXTURES / f"{stack}.synth.json.gz", "rt") as f:
        document: dict[str, Any] = json.load(f)
    return document


def _upgrade(stack: str) -> tuple[dict[str, Any], dict[str, Any], Plan]:
    before, after = _before(stack), variant(stack)
    return before, after, transition(before, after)


@pytest.mark.parametrize("stack", STACKS)
def test_the_upgrade_replaces_nothing_and_deletes_only_the_node_roles_cni_grant(
    stack: str,
) -> None:
    """The VPC CNI runs on its own IRSA role in both versions; 0.2 also granted its policy to
    Karpenter's node role, which 0.3 drops (least privilege). Nothing else goes away."""
    _, _, p = _upgrade(stack)
    assert named(p.replaced) == [], render(p)
    assert named(p.deleted) == [(ATTACHMENT, f"{stack}-eks-karpenter-node-AmazonEKS_CNI_Policy")]
    assert p.blocked == [] and p.collisions == [], render(p)


@pytest.mark.parametrize("stack", STACKS)
def test_the_vpc_cni_role_moves_under_its_irsa_role_by_alias(stack: str) -> None:
    """0.3 builds it as an ordinary IrsaRole: the role and its attachment keep their state (a
    move), the IrsaRole component around them is new."""
    _, after, p = _upgrade(stack)
    prefix = f"urn:pulumi:{stack}::eks-platform::"
    assert named(p.moved) == [
        (ROLE, f"{stack}-eks-vpc-cni"),
        (ATTACHMENT, f"{stack}-eks-vpc-cni-AmazonEKS_CNI_Policy"),
    ]
    for change in p.moved:  # from the cluster's children, unchanged
        assert change.action == "same", render(p)
        assert (
            change.old_urn == f"{prefix}eks-platform:index:EksCluster${change.type}::{change.name}"
        )
    (irsa,) = [r for r in after["resources"] if r["urn"].endswith(f"IrsaRole::{stack}-eks-vpc-cni")]
    assert (
        irsa["parent"] == f"{prefix}pulumi:pulumi:Stack$eks-platform:index:EksCluster::{stack}-eks"
    )


@pytest.mark.parametrize("stack", STACKS)
def test_the_dynamic_resources_update_in_place_by_their_own_diff(stack: str) -> None:
    """The engine asks a dynamic provider whether to replace: both say no to the 0.2 inputs
    (the creator-removal's ``clusterIdentity`` is new, not changed), so the update records the
    new inputs (and the cleanup claims its cluster's marker) without running anything again."""
    before, after, p = _upgrade(stack)
    olds = {r["urn"]: r["inputs"] for r in before["resources"]}
    news = {r["urn"]: r["inputs"] for r in after["resources"]}
    # Each provider with its 0.2 state's outputs: the inputs, and the creator-removal's record
    # of the entries it removed.
    providers: dict[str, tuple[Any, dict[str, Any]]] = {
        "-creator-access": (CreatorAccess(), {"removed": []}),
        "-aws-load-balancer-controller-cleanup": (LbCleanup(), {}),
    }
    updated = [c for c in p.changes if c.type == DYNAMIC and c.action != "create"]
    assert sorted(c.name for c in updated) == [
        f"{stack}-eks-aws-load-balancer-controller-cleanup",
        f"{stack}-eks-creator-access",
    ]
    for change in updated:
        ((provider, outputs),) = [v for k, v in providers.items() if change.name.endswith(k)]
        old, new = olds[change.old_urn or change.urn], news[change.urn]
        diff = provider.diff("id", {**old, **outputs}, new)
        assert diff.changes and not diff.replaces, (change.name, diff.replaces)
