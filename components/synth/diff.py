"""Compare two offline synth documents (``python -m eks_platform.synth --json``).

``python -m eks_platform.synth diff BASE.json HEAD.json [--markdown] [--output PATH] [--exit-code]``

The documents follow the synth's JSON contract (docs/offline-synth.md): ``resources`` (each with
``urn``, ``type``, ``name``, ``parent``, ``custom``, ``inputs``, ``dependencies``, ``provider``,
``protect``) and ``outputs``. Resources are matched by URN, so a rename or a type change
shows as one resource removed and another added, the way Pulumi would replace it.

Input paths are written ``tags.Name``, ``spec.containers[0].image`` or
``tags["kubernetes.io/role/elb"]`` when a key is not a plain identifier. Dicts are
compared key by key and lists element by element. A string holding a JSON object or
array (IAM policies in ``assumeRolePolicy`` / ``policy``, Helm ``values``) is parsed on
both sides and compared structurally, so a reviewer reads
``assumeRolePolicy.Statement[0].Condition.StringEquals["...:sub"]`` instead of one long
string change.

Secrets: the synth writes every secret as the string ``"[secret]"``. Two secrets never
compare as a change (their plain values are unknown), and when a value turns into or out
of a secret both sides are shown as ``[secret]``, never the plain value, because the
plain side may be the very value that is (or was) meant to be secret.

Exit status of :func:`main`: 0 when the diff was printed (with or without changes);
2 with ``--exit-code`` when there are changes (like ``git diff --exit-code``, but 1 is
taken); 1 when a document is missing or invalid, or on a usage error.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

SECRET: Final = "[secret]"
"""How the synth writes a secret value, and how this module shows one."""
UNKNOWN: Final = "[unknown]"
"""How the synth writes a value that is only known after deployment (shown unquoted)."""

TEXT_VALUE_WIDTH: Final = 120
MARKDOWN_VALUE_WIDTH: Final = 100
MARKDOWN_MAX_PATHS: Final = 50
"""Rows shown per changed resource in markdown; the rest are counted, not listed."""

EXIT_OK: Final = 0
EXIT_ERROR: Final = 1
EXIT_CHANGES: Final = 2


class _Missing:
    """The value on the side of a change where a key or list element does not exist."""

    _instance: _Missing | None = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING: Final = _Missing()


class SynthDocumentError(ValueError):
    """A synth document that cannot be read or does not follow the contract."""


# --------------------------------------------------------------------------- model


@dataclass(frozen=True)
class ValueChange:
    """One changed leaf: ``path`` went from ``old`` to ``new``.

    ``old`` is :data:`MISSING` for an added key or element, ``new`` is :data:`MISSING`
    for a removed one. Secret values are already masked (see the module docstring);
    ``note`` says why when both sides read ``[secret]``.
    """

    path: str
    old: Any
    new: Any
    note: str | None = None

    @property
    def kind(self) -> str:
        if self.old is MISSING:
            return "added"
        if self.new is MISSING:
            return "removed"
        return "changed"


@dataclass(frozen=True)
class ResourceSummary:
    """An added or removed resource."""

    urn: str
    type: str
    name: str
    custom: bool = True


@dataclass
class ResourceChange:
    """A resource present on both sides whose inputs or options differ."""

    urn: str
    type: str
    name: str
    inputs: list[ValueChange] = field(default_factory=list)
    protect: tuple[bool, bool] | None = None
    parent: tuple[str | None, str | None] | None = None
    provider: tuple[str | None, str | None] | None = None
    dependencies_added: list[str] = field(default_factory=list)
    dependencies_removed: list[str] = field(default_factory=list)

    @property
    def change_count(self) -> int:
        return (
            len(self.inputs)
            + (self.protect is not None)
            + (self.parent is not None)
            + (self.provider is not None)
            + len(self.dependencies_added)
            + len(self.dependencies_removed)
        )


@dataclass
class SynthDiff:
    """The difference between a base and a head synth document.

    ``added``, ``removed`` and ``changed`` are keyed by URN and ordered by URN;
    ``outputs`` lists changed stack outputs in output-name order.
    """

    project: str
    base_stack: str
    head_stack: str
    base_resource_count: int
    head_resource_count: int
    added: dict[str, ResourceSummary] = field(default_factory=dict)
    removed: dict[str, ResourceSummary] = field(default_factory=dict)
    changed: dict[str, ResourceChange] = field(default_factory=dict)
    outputs: list[ValueChange] = field(default_factory=list)

    @property
    def has_changes(self) -> bool:
        return bool(self.added or self.removed or self.changed or self.outputs)

    @property
    def title(self) -> str:
        if self.base_stack == self.head_stack:
            return f"{self.project}/{self.head_stack}"
        return f"{self.project}/{self.base_stack} -> {self.project}/{self.head_stack}"

    def counts(self) -> str:
        """``2 added, 1 removed, 3 changed, 1 output changed``."""
        outputs = len(self.outputs)
        return (
            f"{len(self.added)} added, {len(self.removed)} removed, "
            f"{len(self.changed)} changed, "
            f"{outputs} output{'' if outputs == 1 else 's'} changed"
        )


# --------------------------------------------------------------------------- paths

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")


def _join_key(prefix: str, key: str) -> str:
    if _IDENTIFIER.match(key):
        return f"{prefix}.{key}" if prefix else key
    return f"{prefix}[{json.dumps(key, ensure_ascii=False)}]"


def _join_index(prefix: str, index: int) -> str:
    return f"{prefix}[{index}]"


# --------------------------------------------------------------------------- values


def _parse_json_container(value: Any) -> Any:
    """The dict or list a JSON string holds, or :data:`MISSING` if it holds none."""
    if not isinstance(value, str):
        return MISSING
    stripped = value.strip()
    if not stripped or stripped[0] not in "{[":
        return MISSING
    try:
        parsed = json.loads(stripped)
    except ValueError:
        return MISSING
    return parsed if isinstance(parsed, (dict, list)) else MISSING


def _same_leaf(old: Any, new: Any) -> bool:
    # bool is an int in Python: keep true/1 and false/0 apart, as JSON does.
    if isinstance(old, bool) or isinstance(new, bool):
        return type(old) is type(new) and old == new
    if isinstance(old, (int, float)) and isinstance(new, (int, float)):
        return bool(old == new)
    return type(old) is type(new) and bool(old == new)


def _is_secret(value: Any) -> bool:
    return isinstance(value, str) and value == SECRET


def diff_values(old: Any, new: Any, path: str = "") -> list[ValueChange]:
    """Leaf changes between two JSON values, in a stable order.

    Dict keys are visited sorted, list elements by index; JSON strings holding an object
    or array on both sides are compared structurally; secrets are masked.
    """
    return list(_diff(old, new, path))


def _diff(old: Any, new: Any, path: str) -> Iterator[ValueChange]:
    if old is MISSING and new is MISSING:
        return
    old_secret, new_secret = _is_secret(old), _is_secret(new)
    if old_secret or new_secret:
        if old_secret and new_secret:
            return
        if old is MISSING or new is MISSING:
            yield ValueChange(
                path, old if old is MISSING else SECRET, new if new is MISSING else SECRET
            )
            return
        note = "became secret" if new_secret else "no longer secret"
        yield ValueChange(path, SECRET, SECRET, note)
        return
    if old is MISSING or new is MISSING:
        yield ValueChange(path, old, new)
        return
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new), key=str):
            yield from _diff(
                old.get(key, MISSING), new.get(key, MISSING), _join_key(path, str(key))
            )
        return
    if isinstance(old, list) and isinstance(new, list):
        for index in range(max(len(old), len(new))):
            yield from _diff(
                old[index] if index < len(old) else MISSING,
                new[index] if index < len(new) else MISSING,
                _join_index(path, index),
            )
        return
    if isinstance(old, str) and isinstance(new, str) and old != new:
        old_parsed, new_parsed = _parse_json_container(old), _parse_json_container(new)
        if old_parsed is not MISSING and new_parsed is not MISSING:
            yield from _diff(old_parsed, new_parsed, path)
            return
    if not _same_leaf(old, new):
        yield ValueChange(path, old, new)


# --------------------------------------------------------------------------- documents


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise SynthDocumentError(message)


def _index_resources(document: Mapping[str, Any], label: str) -> dict[str, Mapping[str, Any]]:
    _require(isinstance(document, Mapping), f"{label}: a synth document must be a JSON object")
    resources = document.get("resources", [])
    _require(isinstance(resources, list), f'{label}: "resources" must be a list')
    outputs = document.get("outputs", {})
    _require(isinstance(outputs, Mapping), f'{label}: "outputs" must be an object')
    index: dict[str, Mapping[str, Any]] = {}
    for position, resource in enumerate(resources):
        where = f"{label}: resources[{position}]"
        _require(isinstance(resource, Mapping), f"{where} must be an object")
        urn = resource.get("urn")
        _require(isinstance(urn, str) and bool(urn), f'{where} has no "urn" string')
        _require(urn not in index, f"{where}: duplicate urn {urn}")
        inputs = resource.get("inputs", {})
        _require(
            inputs is None or isinstance(inputs, Mapping), f'{where}: "inputs" must be an object'
        )
        dependencies = resource.get("dependencies", [])
        _require(
            dependencies is None
            or (isinstance(dependencies, list) and all(isinstance(d, str) for d in dependencies)),
            f'{where}: "dependencies" must be a list of URNs',
        )
        provider = resource.get("provider")
        _require(
            provider is None or isinstance(provider, str),
            f'{where}: "provider" must be a URN or null',
        )
        index[urn] = resource
    return index


def _type_and_name(urn: str, resource: Mapping[str, Any]) -> tuple[str, str]:
    # urn:pulumi:<stack>::<project>::<qualified type>::<name>
    parts = urn.split("::")
    fallback_type = parts[2].rsplit("$", 1)[-1] if len(parts) >= 4 else ""
    fallback_name = parts[-1] if len(parts) >= 4 else urn
    type_ = resource.get("type")
    name = resource.get("name")
    return (
        type_ if isinstance(type_, str) and type_ else fallback_type,
        name if isinstance(name, str) and name else fallback_name,
    )


def _summary(urn: str, resource: Mapping[str, Any]) -> ResourceSummary:
    type_, name = _type_and_name(urn, resource)
    return ResourceSummary(
        urn=urn, type=type_, name=name, custom=bool(resource.get("custom", True))
    )


def _compare_resource(urn: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> ResourceChange:
    type_, name = _type_and_name(urn, new)
    change = ResourceChange(
        urn=urn,
        type=type_,
        name=name,
        inputs=diff_values(old.get("inputs") or {}, new.get("inputs") or {}),
    )
    old_protect, new_protect = bool(old.get("protect", False)), bool(new.get("protect", False))
    if old_protect != new_protect:
        change.protect = (old_protect, new_protect)
    old_parent, new_parent = old.get("parent"), new.get("parent")
    if old_parent != new_parent:
        change.parent = (old_parent, new_parent)
    # The provider's URN (a move to another cluster); documents older than the key say nothing.
    old_provider, new_provider = old.get("provider"), new.get("provider")
    if "provider" in old and "provider" in new and old_provider != new_provider:
        change.provider = (old_provider, new_provider)
    old_deps, new_deps = set(old.get("dependencies") or []), set(new.get("dependencies") or [])
    change.dependencies_added = sorted(new_deps - old_deps)
    change.dependencies_removed = sorted(old_deps - new_deps)
    return change


def _text_field(document: Mapping[str, Any], key: str) -> str:
    value = document.get(key)
    return value if isinstance(value, str) else ""


def diff_documents(base: dict[str, Any], head: dict[str, Any]) -> SynthDiff:
    """Compare two synth documents; raises :class:`SynthDocumentError` if one is malformed."""
    base_index = _index_resources(base, "base")
    head_index = _index_resources(head, "head")
    result = SynthDiff(
        project=_text_field(head, "project") or _text_field(base, "project") or "?",
        base_stack=_text_field(base, "stack") or _text_field(head, "stack") or "?",
        head_stack=_text_field(head, "stack") or _text_field(base, "stack") or "?",
        base_resource_count=len(base_index),
        head_resource_count=len(head_index),
    )
    for urn in sorted(set(base_index) | set(head_index)):
        if urn not in base_index:
            result.added[urn] = _summary(urn, head_index[urn])
        elif urn not in head_index:
            result.removed[urn] = _summary(urn, base_index[urn])
        else:
            change = _compare_resource(urn, base_index[urn], head_index[urn])
            if change.change_count:
                result.changed[urn] = change
    result.outputs = diff_values(base.get("outputs") or {}, head.get("outputs") or {})
    return result


# --------------------------------------------------------------------------- rendering


def format_value(value: Any, width: int = TEXT_VALUE_WIDTH) -> str:
    """A value on one line: JSON (strings quoted), ``[secret]``, ``(absent)``; shortened."""
    if value is MISSING:
        return "(absent)"
    if isinstance(value, str) and value in (SECRET, UNKNOWN):
        return value
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return _shorten(text, width)


def _shorten(text: str, width: int) -> str:
    if len(text) <= width:
        return text
    keep = max(width - 12, 8)
    return f"{text[:keep]}… ({len(text)} chars)"


_TEXT_MARK = {"added": "+", "removed": "-", "changed": "~"}


def _text_value_change(change: ValueChange) -> str:
    mark = _TEXT_MARK[change.kind]
    if change.kind == "added":
        body = f"{change.path}: {format_value(change.new)}"
    elif change.kind == "removed":
        body = f"{change.path}: {format_value(change.old)}"
    else:
        body = f"{change.path}: {format_value(change.old)} -> {format_value(change.new)}"
    if change.note:
        body += f" ({change.note})"
    return f"{mark} {body}"


def render_text(diff: SynthDiff) -> str:
    """The diff for a terminal: a headline, then one block per resource."""
    lines: list[str] = []
    if not diff.has_changes:
        lines.append(f"Synth diff {diff.title}: no changes ({diff.head_resource_count} resources)")
        return "\n".join(lines) + "\n"
    lines.append(f"Synth diff {diff.title}: {diff.counts()}")
    for summary in diff.added.values():
        lines += ["", f"+ {summary.type}  {summary.name}", f"    urn: {summary.urn}"]
    for summary in diff.removed.values():
        lines += ["", f"- {summary.type}  {summary.name}", f"    urn: {summary.urn}"]
    for change in diff.changed.values():
        lines += ["", f"~ {change.type}  {change.name}", f"    urn: {change.urn}"]
        lines += [f"    {_text_value_change(value_change)}" for value_change in change.inputs]
        if change.protect is not None:
            old_protect, new_protect = change.protect
            lines.append(f"    ~ protect: {json.dumps(old_protect)} -> {json.dumps(new_protect)}")
        for label, moved in (("parent", change.parent), ("provider", change.provider)):
            if moved is not None:
                lines.append(f"    ~ {label}: {moved[0] or '(none)'} -> {moved[1] or '(none)'}")
        lines += [f"    + dependency: {urn}" for urn in change.dependencies_added]
        lines += [f"    - dependency: {urn}" for urn in change.dependencies_removed]
    if diff.outputs:
        lines += ["", "Outputs:"]
        lines += [f"    {_text_value_change(output)}" for output in diff.outputs]
    return "\n".join(lines) + "\n"
