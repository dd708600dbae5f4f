"""The transition harness: what the engine would do from one synth to the next, and on destroy."""

from __future__ import annotations

import contextlib
import importlib
import inspect
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s
import pytest

from components.synth import run_program, synth
from components.synth.replacements import KUBERNETES_KINDS, RULES, rule_for
from components.synth.transitions import (
    Plan,
    destroy,
    recording_options,
    render,
    transition,
)
from tests.stacks import synths

ROOT = Path(__file__).resolve().parents[2]
ROLE = "aws:iam/role:Role"
TRUST = json.dumps({"Version": "2012-10-17", "Statement": []})
CLUSTER = "test"
PRINCIPAL = "arn:aws:iam::123456789012:role/Deployer"
ADMIN = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSAdminPolicy"


def run(program: Callable[[], Any], options: bool = True) -> dict[str, Any]:
    """The document of ``program``, with aliases and resource options recorded."""
    with recording_options() if options else contextlib.nullcontext():
        result = run_program(program, "eks-platform", "test", {"aws:region": "us-west-2"})
    return result.as_json()


def plan_of(v1: Callable[[], Any], v2: Callable[[], Any], options: bool = True) -> Plan:
    return transition(run(v1, options), run(v2, options))


class App(pulumi.ComponentResource):
    def __init__(self, name: str, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("test:index:App", name, None, opts)


def role(resource_name: str, **kwargs: Any) -> aws.iam.Role:
    opts = kwargs.pop("opts", None)
    return aws.iam.Role(resource_name, assume_role_policy=TRUST, opts=opts, **kwargs)


# --------------------------------------------------------------------------- URN changes


def test_a_rename_without_alias_is_a_delete_and_a_create() -> None:
    plan = plan_of(lambda: role("app"), lambda: role("service"))
    assert [(c.type, c.name) for c in plan.deleted] == [(ROLE, "app")]
    assert [(c.type, c.name) for c in plan.created] == [(ROLE, "service")]
    assert not plan.moved and not plan.collisions  # autonamed: no fixed name to collide
    assert plan.delete_order == [plan.of(ROLE, "app").urn]


def test_a_rename_with_an_alias_is_a_move() -> None:
    moved = pulumi.ResourceOptions(aliases=[pulumi.Alias(name="app")])
    plan = plan_of(lambda: role("app"), lambda: role("service", opts=moved))
    change = plan.of(ROLE, "service")
    assert change.moved and change.action == "same"
    assert change.old_urn is not None and change.old_urn.endswith("::app")
    assert not plan.created and not plan.deleted and not plan.delete_order
    assert render(plan).splitlines()[1].startswith("> move")


def test_a_new_parent_with_an_alias_moves_the_children_too() -> None:
    def v1() -> None:
        role("web-role", opts=pulumi.ResourceOptions(parent=App("web")))

    def v2() -> None:
        app = App("site", pulumi.ResourceOptions(aliases=[pulumi.Alias(name="web")]))
        role("site-role", opts=pulumi.ResourceOptions(parent=app))
        role("loose", opts=pulumi.ResourceOptions(aliases=[pulumi.Alias(parent=app)]))

    plan = plan_of(v1, v2)
    assert plan.of("test:index:App", "site").moved
    assert plan.of(ROLE, "site-role").moved  # inherited: web-role -> site-role under site
    assert [c.name for c in plan.created] == ["loose"]  # never was under site: a create
    assert not plan.deleted


def test_without_recorded_aliases_a_move_is_a_delete_and_a_create_and_the_plan_says_so() -> None:
    moved = pulumi.ResourceOptions(aliases=[pulumi.Alias(name="app")])
    plan = plan_of(lambda: role("app"), lambda: role("service", opts=moved), options=False)
    assert [c.name for c in plan.deleted] == ["app"] and [c.name for c in plan.created] == [
        "service"
    ]
    assert any("not recorded" in n for n in plan.notes)


# --------------------------------------------------------------------------- replacements


def test_a_force_new_property_change_is_a_replace_that_names_the_property() -> None:
    def entry(principal: str) -> Callable[[], Any]:
        return lambda: aws.eks.AccessEntry(
            "deployer", cluster_name=CLUSTER, principal_arn=principal
        )

    plan = plan_of(entry(PRINCIPAL), entry(PRINCIPAL + "-2"))
    change = plan.of("aws:eks/accessEntry:AccessEntry", "deployer")
    assert change.action == "replace" and change.properties == ("principalArn",)
    assert not change.delete_before_replace and not plan.collisions  # a new principal
    assert plan.delete_order == [change.urn]  # the old one goes at the end
    assert "+- replace" in render(plan) and "create-before-delete" in render(plan)


def test_an_in_place_change_is_an_update_and_ignore_changes_is_honoured() -> None:
    def v(description: str, ignore: list[str] | None = None) -> Callable[[], Any]:
        opts = pulumi.ResourceOptions(ignore_changes=ignore)
        return lambda: role("app", description=description, opts=opts)

    updated = plan_of(v("one"), v("two")).of(ROLE, "app")
    assert updated.action == "update" and updated.properties == ("description",)
    assert plan_of(v("one"), v("two", ["description"])).of(ROLE, "app").action == "same"


def test_a_scope_change_of_an_access_policy_association_collides_silently() -> None:
    def association(namespaces: list[str]) -> Callable[[], Any]:
        return lambda: aws.eks.AccessPolicyAssociation(
            "deployer",
            cluster_name=CLUSTER,
            principal_arn=PRINCIPAL,
            policy_arn=ADMIN,
            access_scope={"type": "namespace", "namespaces": namespaces},
        )

    plan = plan_of(association(["a"]), association(["a", "b"]))
    assert plan.of(
        "aws:eks/accessPolicyAssociation:AccessPolicyAssociation", "deployer"
    ).properties == ("accessScope",)
    [collision] = plan.collisions
    assert "silently" in collision.consequence


def test_a_fixed_name_create_before_delete_replacement_collides() -> None:
    def v(path: str, dbr: bool | None = None) -> Callable[[], Any]:
        opts = pulumi.ResourceOptions(delete_before_replace=dbr)
        return lambda: role("app", name="platform-app", path=path, opts=opts)

    plan = plan_of(v("/a/"), v("/b/"))
    change = plan.of(ROLE, "app")
    assert change.action == "replace" and change.properties == ("path",)
    [collision] = plan.collisions
    assert collision.urn == change.urn and dict(collision.identity) == {"name": "platform-app"}
    assert "already exists" in collision.consequence.lower() or "Exists" in collision.consequence

    plan = plan_of(v("/a/", True), v("/b/", True))
    change = plan.of(ROLE, "app")
    assert change.delete_before_replace and not plan.collisions
    assert not plan.delete_order  # deleted inline, before its replacement is created
    assert "-+ replace" in render(plan) and "delete-before-replace" in render(plan)


def test_renaming_a_fixed_name_resource_without_alias_collides_with_the_old_one() -> None:
    plan = plan_of(
        lambda: role("app", name="platform-app"), lambda: role("svc", name="platform-app")
    )
    [collision] = plan.collisions
    assert (
        collision.urn == plan.of(ROLE, "svc").urn and collision.old_urn == plan.of(ROLE, "app").urn
    )


def test_a_changed_provider_replaces_and_a_named_kubernetes_object_collides() -> None:
    def v(provider: str) -> Callable[[], Any]:
        def program() -> None:
            chosen = {p: k8s.Provider(p, kubeconfig="{}") for p in ("one", "two")}[provider]
            k8s.core.v1.ConfigMap(
                "settings",
                metadata={"name": "settings", "namespace": "apps"},
                data={"a": "1"},
                opts=pulumi.ResourceOptions(provider=chosen),
            )

        return program

    plan = plan_of(v("one"), v("two"))
    change = plan.of("kubernetes:core/v1:ConfigMap", "settings")
    assert change.action == "replace" and change.properties == ("provider",)
    assert [c.type for c in plan.collisions] == ["kubernetes:core/v1:ConfigMap"]


def test_kubernetes_asks_to_delete_first_when_a_replaced_object_keeps_its_name() -> None:
    def v(data: str) -> Callable[[], Any]:
        return lambda: k8s.core.v1.ConfigMap(
            "settings", metadata={"name": "settings", "namespace": "apps"}, data={"a": data}
        )

    change = plan_of(v("1"), v("2")).of("kubernetes:core/v1:ConfigMap", "settings")
    assert change.action == "replace" and change.properties == ("data",)
    assert change.delete_before_replace  # provider.go: named, same name and namespace


# --------------------------------------------------------------------------- deletes


def _tree() -> None:
    app = App("app")
    under = pulumi.ResourceOptions(parent=app)
    r = role("app-role", opts=under)
    aws.iam.RolePolicyAttachment(
        "app-read", role=r.name, policy_arn="arn:aws:iam::aws:policy/ReadOnlyAccess", opts=under
    )
    provider = k8s.Provider("k8s", kubeconfig="{}", opts=under)
    in_cluster = pulumi.ResourceOptions(parent=app, provider=provider)
    ns = k8s.core.v1.Namespace("team", metadata={"name": "team"}, opts=in_cluster)
    k8s.core.v1.ConfigMap(
        "settings", metadata={"name": "settings", "namespace": ns.metadata["name"]}, opts=in_cluster
    )


def test_removing_resources_deletes_dependents_and_children_first() -> None:
    plan = plan_of(_tree, lambda: None)
    assert len(plan.deleted) == 6 and len(plan.delete_order) == 6
    of = plan.of
    pairs = [
        (of("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "app-read"), of(ROLE, "app-role")),
        (
            of("kubernetes:core/v1:ConfigMap", "settings"),
            of("kubernetes:core/v1:Namespace", "team"),
        ),
        (of("kubernetes:core/v1:Namespace", "team"), of("pulumi:providers:kubernetes", "k8s")),
        (of(ROLE, "app-role"), of("test:index:App", "app")),
        (of("pulumi:providers:kubernetes", "k8s"), of("test:index:App", "app")),
    ]
    for first, then in pairs:
        assert plan.deleted_before(first, then, forced=True), (first.name, then.name)
    assert plan.delete_order[-1] == of("test:index:App", "app").urn
    role_ = of(ROLE, "app-role")
    assert not plan.deleted_before(role_, of("kubernetes:core/v1:Namespace", "team"), forced=True)


def test_destroy_deletes_everything_each_before_what_it_depends_on() -> None:
    doc = run(_tree)
    plan = destroy(doc)
    assert sorted(plan.delete_order) == sorted(r["urn"] for r in doc["resources"])
    for r in doc["resources"]:
        for dep in [*r["dependencies"], r["parent"], r["provider"]]:
            if dep is not None:
                assert plan.deleted_before(r["urn"], dep, forced=True), (r["name"], dep)
    assert render(plan).startswith("destroy eks-platform/test: 0 to create")


def test_a_dependency_on_a_component_waits_for_its_children() -> None:
    def program() -> None:
        app = App("app")
        role("early", opts=pulumi.ResourceOptions(parent=app))
        role("user", opts=pulumi.ResourceOptions(depends_on=[app]))
        role("late", opts=pulumi.ResourceOptions(parent=app))

    plan = destroy(run(program))  # the SDK expands the component to its custom children
    for child in ("early", "late"):
        assert plan.deleted_before(plan.of(ROLE, "user"), plan.of(ROLE, child), forced=True)


def _resource(name: str, sequence: int, **fields: Any) -> dict[str, Any]:
    base = {"type": "t:index:T", "name": name, "custom": True, "inputs": {}, "protect": False}
    return {
        **base,
        "urn": f"urn:pulumi:s::p::t:index:T::{name}",
        "parent": None,
        "provider": None,
        "dependencies": [],
        "aliases": [],
        "sequence": sequence,
        **fields,
    }


def test_the_engine_expands_a_component_dependency_to_children_registered_before() -> None:
    component = {**_resource("c", 0), "custom": False, "type": "t:index:C"}
    component["urn"] = "urn:pulumi:s::p::t:index:C::c"
    early = _resource("early", 1, parent=component["urn"])
    user = _resource("user", 2, dependencies=[component["urn"]])  # a remote component's
    late = _resource("late", 3, parent=component["urn"])
    plan = destroy({"project": "p", "stack": "s", "resources": [component, early, user, late]})
    assert plan.deleted_before(user["urn"], early["urn"], forced=True)
    assert not plan.deleted_before(user["urn"], late["urn"], forced=True)


# --------------------------------------------------------------------------- the table


def _snapshot_types() -> set[str]:
    found = set()
    for path in sorted((ROOT / "tests" / "snapshots").glob("*.json")):
        found |= {r["type"] for r in json.loads(path.read_text())["resources"] if r["custom"]}
    return found


def test_every_custom_type_in_the_snapshots_has_a_rule() -> None:
    assert _snapshot_types(), "no snapshots"
    assert sorted(t for t in _snapshot_types() if rule_for(t) is None) == []


def _inputs(module: str, cls: str) -> set[str]:
    args = getattr(importlib.import_module(module), f"{cls}Args")
    props = inspect.getmembers(args, lambda m: isinstance(m, property))
    return {getattr(p.fget, "_pulumi_name", name) for name, p in props}  # pulumi.getter's name


def _module_of(type_: str) -> tuple[str, str]:
    package, module, cls = type_.split(":")
    if package == "pulumi":
        return "pulumi_kubernetes", "Provider"
    if package == "aws":
        return f"pulumi_aws.{module.split('/')[0]}", cls
    group, version = module.split("/")
    return f"pulumi_kubernetes.{group.split('.')[0]}.{version}", cls


@pytest.mark.parametrize(
    "type_",
    sorted(t for t in RULES if t.startswith(("aws:", "kubernetes:", "pulumi:providers:kubernetes")))
    + sorted(f"kubernetes:{k}" for k in KUBERNETES_KINDS),
)
def test_the_table_names_real_inputs(type_: str) -> None:
    rule = rule_for(type_)
    assert rule is not None
    inputs = _inputs(*_module_of(type_))
    named = {p.split(".")[0] for p in (*rule.replace_on, *rule.identity, *rule.scope)}
    assert named <= inputs, sorted(named - inputs)
    assert rule.source


# --------------------------------------------------------------------------- the real stack


@pytest.fixture
def dev() -> dict[str, Any]:
    """dev's document with options recorded, as --json writes it (synthed once per process,
    shared with tests/stacks: read-only)."""
    return synths.document("dev")


def test_the_same_dev_config_twice_changes_nothing(dev: dict[str, Any]) -> None:
    with recording_options():
        first = synth(ROOT, "dev").as_json()  # a run of its own, beside the shared one
    plan = transition(first, dev)
    assert not plan.has_changes, render(plan)
    assert len(plan.same) == len(first["resources"]) == len(dev["resources"])
    assert not plan.delete_order


def test_destroying_dev_deletes_every_ingress_before_the_load_balancer_controller(
    dev: dict[str, Any],
) -> None:
    plan = destroy(dev)
    release = [
        c
        for c in plan.changes
        if c.type == "kubernetes:helm.sh/v3:Release" and "load-balancer-controller" in c.name
    ]
    ingresses = [c for c in plan.changes if c.type == "kubernetes:networking.k8s.io/v1:Ingress"]
    assert len(release) == 1 and ingresses
    for ingress in ingresses:
        assert plan.deleted_before(ingress, release[0], forced=True), ingress.name
