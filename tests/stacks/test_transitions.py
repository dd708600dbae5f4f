"""What `pulumi up` does to the stacks when a feature is turned off, an add-on removed, or the
cluster renamed: each change of a stack file, synthed before and after, asserting the safe outcome.

The plans come from :mod:`components.synth.transitions` (the engine's matching, replacement and
delete scheduling, offline); the scenarios of the upgrade, node groups, access entries, tenants
and NodePools are in ``test_transitions_changes.py``, destroy in ``test_transitions_destroy.py``.
docs/operations.md walks through the same cases.
"""

from __future__ import annotations

from typing import Any

import pytest

from components.synth import run_program
from components.synth.transitions import recording_options, render
from tests.stacks.transition_support import (
    ACCESS_ENTRY,
    ASSOCIATION,
    DYNAMIC,
    INGRESS_CLASS,
    INGRESS_CLASS_PARAMS,
    K8S_PROVIDER,
    NODE_CLASS,
    NODE_POOL,
    POD_IDENTITY,
    RELEASE,
    ROLE,
    changed,
    cleanups,
    named,
    of_type,
    plan,
    subtree,
    variant,
)
from tests.support import cluster_args

# --------------------------------------------------------------------------- turning a cleanup off


def _cleanups_off(config: dict[str, Any]) -> None:
    config["loadBalancerController"]["cleanupOnDelete"] = False
    config["karpenter"]["cleanupOnDelete"] = False


def test_turning_the_cleanups_off_disarms_them_and_deletes_nothing() -> None:
    v1, v2 = variant("dev"), variant("dev", "cleanups off", _cleanups_off)
    p = plan(v1, v2)
    both = cleanups(p)
    assert sorted(c.name for c in both) == [
        "dev-eks-aws-load-balancer-controller-cleanup",
        "dev-eks-karpenter-cleanup",
    ]
    assert named(changed(p, "create", "delete", "replace")) == [], render(p)
    assert named(p.updated) == named(both), render(p)
    for cleanup in both:
        assert cleanup.properties == ("armed",)  # an update: the provider's update runs nothing
        after = next(r for r in v2["resources"] if r["urn"] == cleanup.urn)
        assert after["inputs"]["armed"] is False  # so its later delete does nothing
    assert not p.delete_order


# --------------------------------------------------------------------------- disabling an add-on

ADDONS = {
    "loadBalancerController": "eks-platform:index:LoadBalancerController",
    "externalDns": "eks-platform:index:ExternalDns",
    "externalSecrets": "eks-platform:index:ExternalSecrets",
    "karpenter": "eks-platform:index:Karpenter",
}
NEEDED_BY_THE_CLEANUP = {
    "loadBalancerController": {RELEASE, INGRESS_CLASS, INGRESS_CLASS_PARAMS, ROLE},
    "karpenter": {RELEASE, NODE_POOL, NODE_CLASS, ROLE, POD_IDENTITY, ACCESS_ENTRY},
}
"""What must still exist while the cleanup runs, by add-on (at least these types; every
resource of the add-on is checked)."""
CONTROLLER_OBJECTS = {
    INGRESS_CLASS,
    INGRESS_CLASS_PARAMS,
    NODE_POOL,
    NODE_CLASS,
    "kubernetes:external-secrets.io/v1:ClusterSecretStore",
}
"""Objects a controller serves: deleted while it still runs (its finalizers, its webhooks)."""


def _without(key: str) -> dict[str, Any]:
    return variant("staging", f"without {key}", lambda config: config.pop(key))


@pytest.mark.parametrize("key", ADDONS)
def test_disabling_an_addon_deletes_it_and_nothing_outside_it(key: str) -> None:
    v1 = variant("staging")
    p = plan(v1, _without(key))
    assert {c.urn for c in p.deleted} == subtree(v1, ADDONS[key]), render(p)
    assert not p.created and not p.replaced and not p.collisions and not p.blocked
    outside = [(c.type, c.properties) for c in p.updated]
    if key == "karpenter":  # the subnets lose their discovery tag (in place)
        [(type_, properties)] = outside
        assert type_ == "awsx:ec2:Vpc"
        assert all(p.endswith('.tags["karpenter.sh/discovery"]') for p in properties)
    else:
        assert outside == []


@pytest.mark.parametrize("key", ["loadBalancerController", "karpenter"])
def test_a_removed_addons_cleanup_runs_before_anything_it_needs_is_deleted(key: str) -> None:
    p = plan(variant("staging"), _without(key))
    [cleanup] = [c for c in cleanups(p) if c.action == "delete"]
    others = [c for c in p.deleted if c.urn != cleanup.urn and c.type.startswith(("aws:", "kub"))]
    assert NEEDED_BY_THE_CLEANUP[key] <= {c.type for c in others}
    late = [c for c in others if not p.deleted_before(cleanup, c, forced=True)]
    assert late == [], f"may go before the cleanup: {named(late)}"


@pytest.mark.parametrize("key", ADDONS)
def test_a_removed_controller_outlives_the_objects_it_serves(key: str) -> None:
    p = plan(variant("staging"), _without(key))
    releases = [c for c in p.deleted if c.type == RELEASE]
    served = [c for c in p.deleted if c.type in CONTROLLER_OBJECTS]
    assert releases
    for release in releases:
        for obj in served:
            assert p.deleted_before(obj, release, forced=True), (obj.name, release.name)
        for role in [c for c in p.deleted if c.type == ROLE]:  # stopped before it loses rights
            assert p.deleted_before(release, role, forced=True), (release.name, role.name)


# --------------------------------------------------------------------------- renaming the cluster


def _renamed(stack: str) -> dict[str, Any]:
    def rename(config: dict[str, Any]) -> None:
        config["cluster"]["clusterName"] = f"{stack}-platform"

    return variant(stack, "renamed cluster", rename)


def _explained(p: Any, v1: dict[str, Any], v2: dict[str, Any]) -> list[Any]:
    """The collisions that are not Kubernetes objects created through a new provider (to the new
    cluster) beside objects of the old one."""
    new_providers = {c.urn for c in p.created if c.type == K8S_PROVIDER}
    by_urn = {r["urn"]: r for r in [*v1["resources"], *v2["resources"]]}
    return [
        x
        for x in p.collisions
        if not (
            x.type.startswith("kubernetes:")
            and by_urn[x.urn]["provider"] in new_providers
            and by_urn[x.old_urn]["provider"] != by_urn[x.urn]["provider"]
        )
    ]


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_renaming_the_cluster_builds_a_new_platform_then_deletes_the_old(stack: str) -> None:
    v1, v2 = variant(stack), _renamed(stack)
    p = plan(v1, v2)
    # Every name derives from the cluster's: nothing continues, everything is created anew
    # (a second VPC and cluster beside the first), then the old platform is deleted.
    assert not p.updated and not p.replaced and not p.same and not p.moved
    assert len(p.created) == len(v2["resources"]) and len(p.deleted) == len(v1["resources"])
    assert f"{stack}-eks-creator-access" in {c.name for c in p.deleted}  # does nothing
    [new_creator] = [c for c in p.created if c.name == f"{stack}-platform-creator-access"]
    inputs = next(r["inputs"] for r in v2["resources"] if r["urn"] == new_creator.urn)
    assert inputs["clusterName"] == f"{stack}-platform"  # removes the new cluster's entry
    assert p.delete_order  # the old platform goes at the end, cleanups first
    for cleanup in [c for c in cleanups(p) if c.action == "delete"]:
        for release in [c for c in p.deleted if c.type == RELEASE]:
            if cleanup.name.rsplit("-", 1)[0] == release.name:
                assert p.deleted_before(cleanup, release, forced=True)
    unexplained = [(x.type, x.urn.rsplit("::", 1)[1]) for x in _explained(p, v1, v2)]
    if stack == "dev":  # ACM gives the same validation record to the same domain and account
        assert unexplained == [
            ("aws:route53/record:Record", "dev-platform-game-2048-cert-validation")
        ]
    else:
        assert unexplained == []
    blocked = {c.type for c in p.blocked}
    if stack == "prod":  # the old platform's deletes fail on its protected resources
        assert {"eks:index:Cluster", "aws:kms/key:Key", "aws:eks/nodeGroup:NodeGroup"} <= blocked
    else:
        assert not blocked


def _cluster(cluster_name: str) -> dict[str, Any]:
    """A program that keeps the component's name and changes the EKS cluster's name."""

    def program() -> None:
        from components import EksCluster

        EksCluster("platform", cluster_args(cluster_name=cluster_name))

    config = {"aws:region": "us-west-2"}
    with recording_options():
        return run_program(program, "eks-platform", "test", config).as_json()


def test_a_new_cluster_name_under_the_same_component_replaces_what_names_the_cluster() -> None:
    p = plan(_cluster("blue"), _cluster("green"))
    assert not p.collisions, render(p)
    # The node groups are named after the cluster: a new group (and launch template) beside the
    # old one, which goes at the end, as for a replacement.
    node_group = {"aws:eks/nodeGroup:NodeGroup", "aws:ec2/launchTemplate:LaunchTemplate"}
    assert {c.type for c in p.created if c.type.startswith("aws:")} == node_group
    assert {c.type for c in p.deleted if c.type.startswith("aws:")} == node_group
    [creator] = of_type(p, DYNAMIC, "creator-access")
    assert creator.action == "replace" and "clusterName" in creator.properties
    assert not creator.delete_before_replace  # the new cluster's removal runs, then the old's
    cluster = p.of("eks:index:Cluster", "platform-eks")
    assert cluster.action == "update" and "name" in cluster.properties  # remote: its child
    # aws.eks.Cluster is replaced (a new name: created beside the old one)
    for type_ in (ACCESS_ENTRY, ASSOCIATION, "aws:eks/addon:Addon"):
        found = of_type(p, type_)
        assert found and all(c.action == "replace" for c in found), type_
        assert all("clusterName" in c.properties for c in found), type_
    for c in of_type(p, ASSOCIATION):
        assert c.delete_before_replace
