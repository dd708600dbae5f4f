"""What `pulumi up` does to the stacks on ordinary changes: an upgrade (Kubernetes version, chart
pins), a node group's instance types or disk, an access entry's scope and policy, a removed
External Secrets tenant, a removed Karpenter NodePool. Each asserts the safe outcome (see
``test_transitions.py`` for the harness and docs/operations.md for the walkthrough).
"""

from __future__ import annotations

from typing import Any

import pytest

from components.synth.transitions import destroy, render
from tests.stacks.transition_support import (
    ACCESS_ENTRY,
    ASSOCIATION,
    DYNAMIC,
    NODE_CLASS,
    NODE_POOL,
    RELEASE,
    ROLE,
    changed,
    named,
    of_type,
    plan,
    variant,
)

NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
ADDON = "aws:eks/addon:Addon"
SECRET_STORE = "kubernetes:external-secrets.io/v1:SecretStore"

# --------------------------------------------------------------------------- upgrades


def test_a_kubernetes_upgrade_updates_the_control_plane_addons_and_node_groups_in_place() -> None:
    def upgrade(config: dict[str, Any]) -> None:
        config["cluster"]["kubernetesVersion"] = "1.36"

    v1 = variant("prod")
    p = plan(v1, variant("prod", "kubernetes 1.36", upgrade))
    assert named(changed(p, "create", "delete", "replace")) == [], render(p)
    assert not p.delete_order and not p.blocked  # nothing protected is touched
    updated = {(c.type, c.name): c.properties for c in p.updated}
    assert updated.pop(("eks:index:Cluster", "prod-eks-eks")) == ("version",)
    addons = {k: v for k, v in updated.items() if k[0] == ADDON}
    groups = {k: v for k, v in updated.items() if k[0] == NODE_GROUP}
    assert len(addons) == len([r for r in v1["resources"] if r["type"] == ADDON])
    assert set(addons.values()) == {("addonVersion",)}  # EKS's default for the new version
    assert sorted(k[1] for k in groups) == ["prod-eks-general", "prod-eks-system"]
    assert set(groups.values()) == {("releaseVersion", "version")}  # a rolling update
    assert len(updated) == len(addons) + len(groups)  # and nothing else


@pytest.mark.parametrize(
    ("key", "chart", "expected"),
    [
        (
            "karpenter",
            {"chart": "karpenter", "repository": "oci://public.ecr.aws/karpenter"},
            {(RELEASE, "staging-eks-karpenter"), (RELEASE, "staging-eks-karpenter-crd")},
        ),
        (
            "loadBalancerController",
            {
                "chart": "aws-load-balancer-controller",
                "repository": "https://aws.github.io/eks-charts",
            },
            {
                (RELEASE, "staging-eks-aws-load-balancer-controller"),
                ("kubernetes:yaml/v2:ConfigFile", "staging-eks-aws-load-balancer-controller-crds"),
                (
                    "kubernetes:yaml/v2:ConfigFile",
                    "staging-eks-aws-load-balancer-controller-gateway-crds",
                ),
            },
        ),
    ],
)
def test_a_new_chart_pin_updates_the_release_and_its_crds_in_place(
    key: str, chart: dict[str, str], expected: set[tuple[str, str]]
) -> None:
    def bump(config: dict[str, Any]) -> None:
        config[key]["chart"] = {**chart, "version": "9.9.9"}

    p = plan(variant("staging"), variant("staging", f"{key} chart 9.9.9", bump))
    assert named(changed(p, "create", "delete", "replace")) == [], render(p)
    assert set(named(p.updated)) == expected


# --------------------------------------------------------------------------- node groups


def _node_group(stack: str, **fields: Any) -> dict[str, Any]:
    group = "general"

    def edit(config: dict[str, Any]) -> None:
        config["cluster"]["nodeGroups"][group].update(fields)

    return variant(stack, f"node group {fields}", edit)


def test_new_instance_types_replace_the_node_group_beside_the_old_one() -> None:
    p = plan(variant("staging"), _node_group("staging", instanceTypes=["m7i.large"]))
    group = p.of(NODE_GROUP, "staging-eks-general")
    assert group.action == "replace" and group.properties == ("instanceTypes",)
    assert not group.delete_before_replace  # the new group first: no moment without nodes
    assert not p.collisions  # nodeGroupNamePrefix: EKS names each group uniquely
    assert p.of(LAUNCH_TEMPLATE, "staging-eks-general-lt").action == "same"  # no instance type
    assert [c.name for c in changed(p, "create", "delete", "update", "replace")] == [group.name]
    assert p.delete_order == [group.urn]  # the old group drains at the end of the update


def test_a_new_disk_size_is_a_new_launch_template_version_not_a_new_node_group() -> None:
    p = plan(variant("staging"), _node_group("staging", diskSizeGib=80))
    template = p.of(LAUNCH_TEMPLATE, "staging-eks-general-lt")
    assert template.action == "update"
    assert template.properties == ("blockDeviceMappings[0].ebs.volumeSize",)
    # The node group follows the template's latestVersion (known after the update: a rolling
    # update of the group, which the offline plan cannot show).
    assert p.of(NODE_GROUP, "staging-eks-general").action == "same"
    assert named(changed(p, "create", "delete", "replace")) == []


def test_in_prod_a_node_group_replacement_is_blocked_by_protection() -> None:
    p = plan(variant("prod"), _node_group("prod", instanceTypes=["m7i.xlarge"]))
    group = p.of(NODE_GROUP, "prod-eks-general")
    assert group.action == "replace" and "protected" in group.notes
    assert [c.name for c in p.blocked] == [group.name]


# --------------------------------------------------------------------------- access entries


def test_a_new_scope_and_policy_replace_the_association_first_and_keep_the_entry() -> None:
    def scope(config: dict[str, Any]) -> None:
        config["cluster"]["accessEntries"]["ci-preview"].update(
            policy="edit", namespaces=["storefront"]
        )

    p = plan(variant("staging"), variant("staging", "ci-preview scoped", scope))
    association = p.of(ASSOCIATION, "staging-eks-access-ci-preview")
    assert association.action == "replace"
    assert association.properties == ("accessScope", "policyArn")
    assert association.delete_before_replace  # same principal: the old one goes first
    assert not p.collisions and not p.delete_order
    assert p.of(ACCESS_ENTRY, "staging-eks-access-ci-preview").action == "same"
    [creator] = of_type(p, DYNAMIC, "creator-access")  # records the declared entries: no rerun
    assert creator.action == "update" and creator.properties
    assert all(x.startswith("declaredEntries[") for x in creator.properties)
    assert len(changed(p, "create", "delete", "update", "replace")) == 2


# --------------------------------------------------------------------------- tenants, NodePools

TENANTS = {
    "orders": {"secretPrefixes": ["staging-orders/"], "parameterPaths": ["/staging-orders"]},
    "billing": {"secretPrefixes": ["staging-billing/"], "createNamespace": True},
}


def _tenants(*keys: str) -> dict[str, Any]:
    def edit(config: dict[str, Any]) -> None:
        config["externalSecrets"]["tenants"] = {k: TENANTS[k] for k in keys}

    return variant("staging", f"tenants {keys}", edit)


def test_removing_a_tenant_deletes_its_role_account_and_stores_and_nothing_else() -> None:
    p = plan(_tenants("orders", "billing"), _tenants("billing"))
    assert named(changed(p, "create", "update", "replace")) == [], render(p)
    assert named(p.deleted) == [
        ("aws:iam/role:Role", "staging-eks-external-secrets-orders"),
        ("aws:iam/rolePolicy:RolePolicy", "staging-eks-external-secrets-orders-permissions"),
        ("eks-platform:index:IrsaRole", "staging-eks-external-secrets-orders"),
        ("kubernetes:core/v1:ServiceAccount", "staging-eks-external-secrets-orders-sa"),
        (SECRET_STORE, "staging-eks-external-secrets-orders-aws-parameter-store"),
        (SECRET_STORE, "staging-eks-external-secrets-orders-aws-secrets-manager"),
    ]
    [role] = [c for c in p.deleted if c.type == ROLE]
    for store in [c for c in p.deleted if c.type == SECRET_STORE]:
        assert p.deleted_before(store, role, forced=True)  # they authenticate as it


def _with_batch_pool(config: dict[str, Any]) -> None:
    pools = config["karpenter"]["nodePools"]
    pools["batch"] = {**pools["spot"], "instanceCategories": ["c"]}


def test_removing_a_nodepool_deletes_only_that_nodepool() -> None:
    v1 = variant("dev", "batch pool", _with_batch_pool)
    p = plan(v1, variant("dev"))
    assert named(changed(p, "create", "update", "replace")) == [], render(p)
    assert named(p.deleted) == [(NODE_POOL, "dev-eks-karpenter-pool-batch")]
    # Were the node class going too, the NodePool (which names it) would go first.
    gone = destroy(v1)
    [pool] = [c for c in gone.changes if c.name == "dev-eks-karpenter-pool-batch"]
    [node_class] = of_type(gone, NODE_CLASS)
    assert gone.deleted_before(pool, node_class, forced=True)
