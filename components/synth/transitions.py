"""What ``pulumi up`` would do going from one synth document to the next, and ``pulumi destroy``.

    with recording_options():                  # also record aliases, deleteBeforeReplace, ...
        v1, v2 = run_program(...), run_program(...)
    plan = transition(v1, v2)                  # documents (``--json``) or SynthResults
    plan.created, plan.deleted, plan.updated, plan.replaced, plan.moved, plan.collisions
    plan.of("aws:iam/role:Role", "dev-eks-cluster").properties
    plan.delete_order, plan.deleted_before(a, b, forced=True); destroy(doc); print(render(plan))

The model follows the engine (pulumi/pulumi@1b5949891b3c, pkg/resource/deploy/step_generator.go,
pkg/resource/graph/dependency_graph.go):

* a new resource is matched to an old one by URN, then by alias: its own, and those it inherits
  from a parent found by alias (``generateAliases``, ``inheritedChildAlias``); a match by alias is
  a move. Unmatched resources are created or deleted.
* a matched custom resource is replaced when its provider reference changed (``providerChanged``)
  or its provider is replaced, when an input its provider replaces on changed
  (:mod:`.replacements`), one named in ``replaceOnChanges``, or its ``deletedWith`` is replaced;
  else updated when an input changed (``ignoreChanges`` honoured). A replacement creates first
  unless ``deleteBeforeReplace`` is set, or the Kubernetes provider asks for it.
* creates run before the deletes of removed resources, so a create-before-delete replacement or
  a new resource with the fixed physical name of a removed one collides (:class:`Collision`).
* deletes run in waves (``ScheduleDeletes``): a resource goes in a wave before everything it
  depends on among those deleted (dependencies, parent, provider, ``deletedWith``, and a
  component dependency's children registered before it); each wave finishes before the next.

What it cannot know offline:

* the provider's own diff: it sees the old state (outputs, drift) and normalises (equivalent IAM
  policies, defaults, set order); an input change it would suppress shows here as an update. Values
  only known after deployment (``[unknown]``) and secrets (``[secret]``) compare equal.
* ``DiffConfig``: a changed provider reference is a replacement here; the engine replaces only
  if the new provider's ``DiffConfig`` says so (a Kubernetes provider for the same cluster does
  not). A secret kubeconfig never shows a change.
* remote components' children (``awsx:ec2:Vpc``, ``eks:index:Cluster``,
  ``kubernetes:yaml/v2:ConfigFile``): their provider registers them, the mocks record none, so
  their changes, replacements and deletes are invisible; dynamic providers decide their own diff.
* dependents the engine also replaces around a delete-before-replace
  (``calculateDependentReplacements``), and what a delete does beyond the engine (finalizers,
  cloud objects controllers made, a Namespace's contents).
* the snapshot's order: registration order (recorded under :func:`recording_options`) stands in
  for it when expanding a component dependency to its children; without it, no expansion.
* record.py does not record aliases, ``deleteBeforeReplace``, ``replaceOnChanges``,
  ``ignoreChanges``, ``retainOnDelete`` or ``deletedWith``: :func:`recording_options` adds them;
  without them every URN change is a delete and a create, and ``plan.notes`` says so.
* URNs are the mock's (a child's type is qualified by its parent's type only); alias URNs are
  built the same way, so matches agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .diff import diff_values
from .input_paths import covers, identity
from .replacements import rule_for
from .transition_engine import has_options, match, recording_options, schedule, split_urn, type_of

__all__ = ["Change", "Collision", "Plan", "destroy", "recording_options", "render", "transition"]
NO_OPTIONS = (
    "aliases and resource options were not recorded (synth outside recording_options()): "
    "a URN change is a delete and a create, deleteBeforeReplace is unknown"
)
REMOTE = ("awsx:", "eks:index:", "kubernetes:yaml/")


@dataclass(frozen=True)
class Change:
    """What the engine does with one resource."""

    action: str
    """``create``, ``delete``, ``update``, ``replace`` or ``same``."""
    urn: str
    """The URN in the new document (in the old one for a delete)."""
    type: str
    name: str
    old_urn: str | None = None
    """The old URN when it differs (found by alias: a move)."""
    properties: tuple[str, ...] = ()
    """Changed inputs (update), or why it is replaced: inputs, ``provider``, ..."""
    delete_before_replace: bool = False
    notes: tuple[str, ...] = ()

    @property
    def moved(self) -> bool:
        return self.old_urn is not None

    @property
    def condemned_urn(self) -> str:
        """The URN of the old resource this change deletes (delete, replace)."""
        return self.old_urn or self.urn


@dataclass(frozen=True)
class Collision:
    """A create that meets an existing object of the same identity, still to be deleted."""

    urn: str
    old_urn: str
    type: str
    identity: tuple[tuple[str, Any], ...]
    consequence: str


@dataclass
class Plan:
    """What the engine would do: a :class:`Change` per resource (sorted by type and name),
    the deletes run at the end in waves, the collisions, and what the model could not see."""

    title: str
    changes: list[Change]
    delete_waves: list[list[str]]
    """Old URNs deleted at the end of the update, wave by wave, in execution order."""
    collisions: list[Collision] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    edges: dict[str, frozenset[str]] = field(default_factory=dict)
    """Condemned URN -> condemned URNs it must be deleted before (what it depends on)."""

    def _with(self, action: str) -> list[Change]:
        return [c for c in self.changes if c.action == action]

    created = property(lambda self: self._with("create"))
    deleted = property(lambda self: self._with("delete"))
    updated = property(lambda self: self._with("update"))
    replaced = property(lambda self: self._with("replace"))
    same = property(lambda self: self._with("same"))
    moved = property(lambda self: [c for c in self.changes if c.moved])
    blocked = property(lambda self: [c for c in self.changes if "protected" in c.notes])

    @property
    def delete_order(self) -> list[str]:
        return [urn for wave in self.delete_waves for urn in wave]

    @property
    def has_changes(self) -> bool:
        return any(c.action != "same" or c.moved for c in self.changes)

    def of(self, type_: str, name: str) -> Change:
        """The one change of resource ``type_`` named ``name`` (AssertionError otherwise)."""
        found = [c for c in self.changes if c.type == type_ and c.name == name]
        if len(found) != 1:
            names = sorted(c.name for c in self.changes if c.type == type_)
            raise AssertionError(f"expected one {type_} named {name!r}; {type_}: {names}")
        return found[0]

    def wave_of(self, resource: str | Change) -> int:
        urn = resource.condemned_urn if isinstance(resource, Change) else resource
        for index, wave in enumerate(self.delete_waves):
            if urn in wave:
                return index
        raise AssertionError(f"{urn} is not deleted at the end of this plan")

    def deleted_before(self, a: str | Change, b: str | Change, forced: bool = False) -> bool:
        """``a``'s wave runs before ``b``'s; with ``forced``, because ``a`` depends on ``b``
        through resources deleted too (so no other order is possible)."""
        if not forced:
            return self.wave_of(a) < self.wave_of(b)
        start, goal = (x.condemned_urn if isinstance(x, Change) else x for x in (a, b))
        for urn in (start, goal):
            self.wave_of(urn)
        seen, todo = set(), [start]
        while todo:
            for dep in self.edges.get(todo.pop(), ()):
                if dep == goal:
                    return True
                if dep not in seen:
                    seen.add(dep)
                    todo.append(dep)
        return False


# --------------------------------------------------------------------------- diffing


def _document(doc: Any) -> dict[str, Any]:
    return doc.as_json() if hasattr(doc, "as_json") else dict(doc)


def _changed(old: Any, new: Any, ignore: Iterable[str]) -> list[str]:
    paths = dict.fromkeys(c.path for c in diff_values(old, new))
    return [p for p in paths if not any(covers(i, p) for i in ignore)]


def _provider_changed(old: dict, new: dict, continued: Mapping[str, str]) -> bool:
    before, after = old.get("provider"), new.get("provider")
    if before is None and after is None:
        return False
    return continued.get(before, before) != after if before and after else True


def _reasons(old: dict, new: dict, changed: list[str], extra: tuple[str, ...]) -> list[str]:
    rule = rule_for(new["type"])
    wanted = (rule.replace_on if rule else ()) + extra + tuple(new.get("replaceOnChanges") or ())
    if "*" in wanted:
        return changed
    return sorted({w for w in wanted for p in changed if covers(w, p)})


def transition(v1: Any, v2: Any, replace_on: Mapping[str, Iterable[str]] | None = None) -> Plan:
    """The plan of ``pulumi up`` from ``v1`` to ``v2`` (documents or SynthResults).

    ``replace_on`` adds replace-on-change inputs by type token or URN (a dynamic provider's).
    """
    old_doc, new_doc = _document(v1), _document(v2)
    olds = {r["urn"]: r for r in old_doc["resources"]}
    news = {r["urn"]: r for r in new_doc["resources"]}
    recorded = has_options(olds) and has_options(news)
    notes = [] if recorded else [NO_OPTIONS]
    matched = match(news, olds, new_doc["stack"], new_doc["project"], recorded)
    continued = {old: new for new, old in matched.items()}
    extra = {k: tuple(v) for k, v in (replace_on or {}).items()}

    state: dict[str, tuple[str, list[str]]] = {}
    for urn, old_urn in matched.items():
        old, new = olds[old_urn], news[urn]
        changed = _changed(old["inputs"], new["inputs"], new.get("ignoreChanges") or ())
        reasons: list[str] = []
        if new["custom"]:
            if _provider_changed(old, new, continued):
                reasons.append("provider")
            more = extra.get(new["type"], ()) + extra.get(urn, ())
            reasons += _reasons(old, new, changed, more)
        state[urn] = ("replace" if reasons else "update" if changed else "same", reasons or changed)
    cascading = True
    while cascading:  # a replaced provider or deletedWith replaces its resources
        cascading = False
        for urn, (action, why) in state.items():
            for link, reason in (
                (news[urn].get("provider"), "provider replaced"),
                (news[urn].get("deletedWith"), "deletedWith"),
            ):
                if link in state and state[link][0] == "replace" and reason not in why:
                    state[urn] = ("replace", [*(why if action == "replace" else []), reason])
                    cascading = True

    changes: list[Change] = []
    for urn, (action, why) in state.items():
        old_urn, new = matched[urn], news[urn]
        changes.append(
            _change(action, urn, new, olds[old_urn], why, old_urn if old_urn != urn else None)
        )
    changes += [_change("create", u, news[u], news[u], []) for u in news if u not in matched]
    changes += [_change("delete", u, olds[u], olds[u], []) for u in olds if u not in continued]
    changes.sort(key=lambda c: (c.type, c.name, c.urn))

    condemned = {
        c.condemned_urn
        for c in changes
        if c.action == "delete" or (c.action == "replace" and not c.delete_before_replace)
    }
    waves, edges = schedule(olds, condemned)
    if any(r["type"].startswith(REMOTE) for r in [*olds.values(), *news.values()]):
        notes.append("remote components present: their children are not in the documents")
    title = f"{old_doc['project']}/{old_doc['stack']} -> {new_doc['project']}/{new_doc['stack']}"
    return Plan(title, changes, waves, _collisions(changes, olds, news), notes, edges)


def _change(
    action: str, urn: str, r: dict, old: dict, why: list[str], old_urn: str | None = None
) -> Change:
    notes: list[str] = []
    dbr = False
    if action == "replace":
        dbr = bool(r.get("deleteBeforeReplace"))
        rule = rule_for(r["type"])
        if r.get("deleteBeforeReplace") is None and rule and rule.provider_replaces_first:
            kept = identity(rule, r["inputs"])
            same = kept is not None and kept == identity(rule, old["inputs"])
            dbr = same and "provider" not in why and "provider replaced" not in why
        if r["type"] == "pulumi-python:dynamic:Resource":
            notes.append("a dynamic provider's diff decides")
    if action in ("delete", "replace"):
        if old.get("protect"):
            notes.append("protected")
        if old.get("retainOnDelete"):
            notes.append("retained: dropped from the state, not deleted")
    return Change(action, urn, r["type"], r["name"], old_urn, tuple(why), dbr, tuple(notes))


def _collisions(changes: list[Change], olds: dict, news: dict) -> list[Collision]:
    found: list[Collision] = []
    removed: dict[tuple[str, Any], str] = {}
    for c in changes:
        rule = rule_for(c.type)
        if c.action == "delete" and (key := identity(rule, olds[c.urn]["inputs"])):
            removed[(c.type, key)] = c.urn
    for c in changes:
        rule = rule_for(c.type)
        if rule is None or c.action not in ("create", "replace") or c.delete_before_replace:
            continue
        key = identity(rule, news[c.urn]["inputs"])
        if key is None:
            continue
        if c.action == "create" and (c.type, key) in removed:
            found.append(Collision(c.urn, removed[(c.type, key)], c.type, key, rule.on_collision))
        elif c.action == "replace" and key == identity(rule, olds[c.condemned_urn]["inputs"]):
            consequence = rule.on_collision
            if "provider" in c.properties:
                consequence += " (if the new provider reaches the same cluster or account)"
            found.append(Collision(c.urn, c.condemned_urn, c.type, key, consequence))
    return found


# --------------------------------------------------------------------------- deletes


def destroy(doc: Any) -> Plan:
    """The plan of ``pulumi destroy``: every resource deleted, in waves."""
    d = _document(doc)
    olds = {r["urn"]: r for r in d["resources"]}
    changes = sorted(
        (_change("delete", u, r, r, []) for u, r in olds.items()),
        key=lambda c: (c.type, c.name, c.urn),
    )
    waves, edges = schedule(olds, set(olds))
    notes = [] if has_options(olds) else [NO_OPTIONS]
    return Plan(f"destroy {d['project']}/{d['stack']}", changes, waves, [], notes, edges)


# --------------------------------------------------------------------------- output

_SYMBOLS = {"create": "+ create", "delete": "- delete", "update": "~ update", "same": "> move"}


def render(plan: Plan) -> str:
    """One line per resource that changes, then collisions, notes and the delete waves."""
    counts = {a: len(plan._with(a)) for a in ("create", "update", "replace", "delete", "same")}
    lines = [
        f"{plan.title}: {counts['create']} to create, {counts['update']} to update, "
        f"{counts['replace']} to replace, {counts['delete']} to delete, "
        f"{len(plan.moved)} moved, {counts['same']} unchanged"
    ]
    for c in plan.changes:
        if c.action == "same" and not c.moved:
            continue
        if c.action == "replace":
            head = "-+ replace" if c.delete_before_replace else "+- replace"
            order = "delete-before-replace" if c.delete_before_replace else "create-before-delete"
            detail = f"({', '.join(c.properties)}) {order}"
        else:
            head, detail = _SYMBOLS[c.action], ", ".join(c.properties[:6])
        parts = [f"{head:<10}", c.type, c.name, detail]
        parts += [f"moved from {c.old_urn}" if c.moved else "", "; ".join(c.notes)]
        lines.append("  ".join(p for p in parts if p))
    for x in plan.collisions:
        lines.append(f"! collision  {x.type}  {split_urn(x.urn)[3]}: {x.consequence}")
    lines += [f"note: {n}" for n in plan.notes]
    if plan.delete_waves:
        waves = len(plan.delete_waves)
        lines.append(f"delete order ({waves} wave{'' if waves == 1 else 's'}):")
        for index, wave in enumerate(plan.delete_waves, 1):
            lines += [f"  {index:>3}  {type_of(u)}  {split_urn(u)[3]}" for u in wave]
    return "\n".join(lines)
