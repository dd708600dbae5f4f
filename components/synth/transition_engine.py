"""The engine's mechanics that :mod:`.transitions` reproduces, and what they need recorded.

* :func:`match`: which old resource a new one continues: its URN, then its aliases and those
  inherited from a parent found by alias (pulumi/pulumi@1b5949891b3c,
  ``step_generator.go``: ``generateAliases``, ``collapseAliasToUrn``, ``inheritedChildAlias``).
* :func:`schedule`: the waves of deletes (``ScheduleDeletes``; ``DependencyGraph.DependenciesOf``
  in ``pkg/resource/graph/dependency_graph.go``).
* :func:`recording_options`: record.py keeps neither aliases nor the options that decide a
  replacement or a delete; within this context the synth records them too.

URNs are the mock monitor's: a child's type is qualified by its parent's type only (the engine
uses the whole chain), and stack-level resources carry ``pulumi:pulumi:Stack$``; alias URNs are
built the same way, so they match the documents' URNs.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

STACK_TYPE = "pulumi:pulumi:Stack"
OPTION_KEYS = (
    "aliases",
    "deleteBeforeReplace",
    "replaceOnChanges",
    "ignoreChanges",
    "retainOnDelete",
    "deletedWith",
    "remote",
    "sequence",
)
"""What :func:`recording_options` adds to each resource of a document."""


def split_urn(urn: str) -> tuple[str, str, str, str]:
    """``(stack, project, qualified type, name)`` of a URN."""
    head, project, qualified, name = urn.split("::", 3)
    return head.rsplit(":", 1)[1], project, qualified, name


def type_of(urn: str) -> str:
    return split_urn(urn)[2].split("$")[-1]


def make_urn(stack: str, project: str, parent: str | None, type_: str, name: str) -> str:
    """A URN as the mock monitor makes it (no parent: the stack's child)."""
    return f"urn:pulumi:{stack}::{project}::{type_of(parent) if parent else STACK_TYPE}${type_}::{name}"


def has_options(resources: Mapping[str, dict[str, Any]]) -> bool:
    """The resources were recorded under :func:`recording_options` (or there are none)."""
    return not resources or any("aliases" in r for r in resources.values())


# --------------------------------------------------------------------------- matching


def _parent_first(resources: Mapping[str, dict[str, Any]]) -> list[str]:
    order: list[str] = []
    placed: set[str] = set()

    def place(urn: str) -> None:
        if urn not in placed:
            placed.add(urn)
            if resources[urn].get("parent") in resources:
                place(resources[urn]["parent"])
            order.append(urn)

    for urn in sorted(resources):
        place(urn)
    return order


def _aliases(r: dict[str, Any], moved: Mapping[str, str], stack: str, project: str) -> list[str]:
    parent = r.get("parent")
    own: list[str] = []
    for spec in r.get("aliases") or ():
        if "urn" in spec:
            own.append(spec["urn"])
            continue
        at = spec.get("parentUrn") or parent
        at = moved.get(at, at) if at else None
        if spec.get("noParent") or (at and split_urn(at)[2] == STACK_TYPE):
            at = None
        own.append(
            make_urn(
                spec.get("stack") or stack,
                spec.get("project") or project,
                at,
                spec.get("type") or r["type"],
                spec.get("name") or r["name"],
            )
        )
    found = list(own)
    if parent is not None and parent in moved:  # inherited from a parent found by alias
        parent_name, old_parent = split_urn(parent)[3], moved[parent]
        for type_, name in [(r["type"], r["name"])] + [(type_of(u), split_urn(u)[3]) for u in own]:
            if name.startswith(parent_name):
                name = split_urn(old_parent)[3] + name[len(parent_name) :]
            found.append(make_urn(stack, project, old_parent, type_, name))
    return found


def match(
    news: Mapping[str, dict[str, Any]],
    olds: Mapping[str, dict[str, Any]],
    stack: str,
    project: str,
    aliases: bool = True,
) -> dict[str, str]:
    """New URN -> the old URN it continues (its own, or one found by alias)."""
    matched: dict[str, str] = {}
    claimed: set[str] = set()
    moved: dict[str, str] = {}
    for urn in _parent_first(news):
        candidates = [urn] + (_aliases(news[urn], moved, stack, project) if aliases else [])
        for candidate in candidates:
            if candidate in olds and candidate not in claimed:
                matched[urn] = candidate
                claimed.add(candidate)
                if candidate != urn:
                    moved[urn] = candidate
                break
    return matched


# --------------------------------------------------------------------------- deletes


def dependencies_of(resources: Mapping[str, dict[str, Any]]) -> dict[str, set[str]]:
    """Each resource -> what must outlive it: its dependencies, provider, parent and
    ``deletedWith``; for a component it depends on, that component's descendants registered
    before it (``sequence``; without it, none)."""
    edges: dict[str, set[str]] = {}
    children: dict[str, list[str]] = {}
    for urn, r in resources.items():
        links = {
            *r.get("dependencies", ()),
            r.get("provider"),
            r.get("parent"),
            r.get("deletedWith"),
        }
        edges[urn] = {u for u in links if u in resources}
        if r.get("parent") in resources:
            children.setdefault(r["parent"], []).append(urn)
    for urn, r in resources.items():
        position = r.get("sequence")
        if position is None:
            continue
        for dep in r.get("dependencies", ()):
            if dep not in resources or resources[dep]["custom"]:
                continue
            todo = list(children.get(dep, ()))
            while todo:
                child = todo.pop()
                todo += children.get(child, ())
                if child != urn and resources[child].get("sequence", position) < position:
                    edges[urn].add(child)
    return edges


def schedule(
    resources: Mapping[str, dict[str, Any]], condemned: set[str]
) -> tuple[list[list[str]], dict[str, frozenset[str]]]:
    """The delete waves of ``condemned`` in execution order, and each one's condemned
    dependencies (each wave deletes what nothing left to delete depends on, reversed)."""
    edges = {
        u: frozenset(deps & condemned)
        for u, deps in dependencies_of(resources).items()
        if u in condemned
    }
    remaining, waves = set(condemned), []
    while remaining:
        wave = sorted(u for u in remaining if not edges[u] & remaining)
        if not wave:
            raise ValueError(f"dependency cycle among {sorted(remaining)}")
        remaining -= set(wave)
        waves.append(wave)
    waves.reverse()
    return waves, edges


# --------------------------------------------------------------------------- recording


def _options(request: Any, sequence: int) -> dict[str, Any]:
    aliases: list[dict[str, Any]] = [{"urn": u} for u in request.aliasURNs]
    for alias in request.aliases:
        if alias.WhichOneof("alias") == "urn":
            aliases.append({"urn": alias.urn})
            continue
        s = alias.spec
        pairs = [("name", s.name), ("type", s.type), ("stack", s.stack), ("project", s.project)]
        spec = {k: v for k, v in [*pairs, ("parentUrn", s.parentUrn)] if v}
        aliases.append({**spec, **({"noParent": True} if s.noParent else {})})
    defined = request.deleteBeforeReplaceDefined
    return {
        "aliases": aliases,
        "deleteBeforeReplace": request.deleteBeforeReplace if defined else None,
        "replaceOnChanges": sorted(request.replaceOnChanges),
        "ignoreChanges": sorted(request.ignoreChanges),
        "retainOnDelete": request.retainOnDelete if request.HasField("retainOnDelete") else None,
        "deletedWith": request.deletedWith or None,
        "remote": bool(request.remote),
        "sequence": sequence,
    }


@contextlib.contextmanager
def recording_options() -> Iterator[None]:
    """Within: ``synth()`` and ``run_program()`` also record, per resource, the keys in
    :data:`OPTION_KEYS` (``sequence`` is the registration order)."""
    from . import record, runner

    base = runner.RecordingMonitor

    @dataclass
    class WithOptions(record.Recorded):
        options: dict[str, Any] = field(default_factory=dict)

        def as_json(self) -> dict[str, Any]:
            return {**super().as_json(), **self.options}

    class OptionsMonitor(base):  # type: ignore[misc, valid-type]
        def __init__(self, mocks: Any) -> None:
            super().__init__(mocks)
            self.counter = itertools.count()

        def RegisterResource(self, request: Any) -> Any:
            response = super().RegisterResource(request)
            if request.type == STACK_TYPE:
                return response
            options = _options(request, next(self.counter))
            for index in range(len(self.recorded) - 1, -1, -1):
                r = self.recorded[index]
                if r.urn == response.urn:
                    plain = {f.name: getattr(r, f.name) for f in fields(record.Recorded)}
                    self.recorded[index] = WithOptions(**plain, options=options)
                    break
            return response

    runner.RecordingMonitor = OptionsMonitor  # type: ignore[misc]
    try:
        yield
    finally:
        runner.RecordingMonitor = base  # type: ignore[misc]
