"""Check Helm values against the keys a pinned chart declares and reads (test helper).

``tests/oracles/charts/<chart>-<version>.json`` files are written by ``scripts/chart_keys.py``
from the chart's ``values.yaml`` and ``templates/``. :func:`assert_values_read` fails on
any values key that the chart neither declares in ``values.yaml`` nor reads in a
template, which catches typos and keys that a chart version renamed or dropped (Helm
itself silently ignores them).

Paths are dotted key paths; a key holding ``.``, ``[`` or ``"`` is written as a JSON
string in brackets (``nodeSelector["kubernetes.io/os"]``), see
:func:`scripts.chart_keys.format_path`.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Final

from scripts.chart_keys import format_path, parse_path

__all__ = [
    "CHARTS_DIR",
    "ChartKeys",
    "assert_values_read",
    "load_chart_keys",
    "values_leaf_paths",
]

#: Where the derived key lists (and vendored values.yaml copies) live.
CHARTS_DIR: Final[Path] = Path(__file__).parent / "charts"

_Path = tuple[str, ...]


@dataclass(frozen=True)
class ChartKeys:
    """One ``tests/oracles/charts/<chart>-<version>.json`` file, parsed."""

    chart: str
    version: str
    app_version: str
    source: str
    values_paths: frozenset[_Path]
    template_paths: frozenset[_Path]
    template_subtree_paths: frozenset[_Path]

    @property
    def label(self) -> str:
        return f"chart {self.chart} {self.version}"

    def is_declared(self, path: _Path) -> bool:
        return path in self.values_paths

    def is_read(self, path: _Path) -> bool:
        """Whether a template reads ``path``, itself, under a subtree read wholesale, or
        as an intermediate map of a key it reads."""
        if path in self.template_paths:
            return True
        if any(path[:length] in self.template_subtree_paths for length in range(1, len(path))):
            return True
        return any(read[: len(path)] == path for read in self.template_paths)


def _resolve(chart_json: str | Path) -> Path:
    path = Path(chart_json)
    if path.exists() or path.is_absolute():
        return path
    name = path.name if path.suffix == ".json" else f"{path.name}.json"
    return CHARTS_DIR / name


@cache
def _load(path: Path) -> ChartKeys:
    doc = json.loads(path.read_text(encoding="utf-8"))

    def paths(key: str) -> frozenset[_Path]:
        return frozenset(parse_path(text) for text in doc[key])

    return ChartKeys(
        chart=doc["chart"],
        version=doc["version"],
        app_version=doc["appVersion"],
        source=doc["source"],
        values_paths=paths("values_paths"),
        template_paths=paths("template_paths"),
        template_subtree_paths=paths("template_subtree_paths"),
    )


def load_chart_keys(chart_json: str | Path) -> ChartKeys:
    """Load a key-list file: a path, or a name such as ``"karpenter-1.14.1"`` that is
    looked up in :data:`CHARTS_DIR`."""
    path = _resolve(chart_json)
    if not path.is_file():
        raise FileNotFoundError(f"no chart key list {path}; run scripts/chart_keys.py")
    return _load(path.resolve())


def values_leaf_paths(values: Mapping[str, Any]) -> list[_Path]:
    """Key paths of every leaf in ``values``: scalars, lists and empty mappings (lists
    are not descended into)."""
    leaves: list[_Path] = []

    def walk(node: Mapping[str, Any], prefix: _Path) -> None:
        for key, value in node.items():
            path = (*prefix, str(key))
            if isinstance(value, Mapping) and value:
                walk(value, path)
            else:
                leaves.append(path)

    walk(values, ())
    return leaves


def assert_values_read(
    values: Mapping[str, Any],
    chart_json: str | Path,
    *,
    require_template_read: bool = False,
) -> None:
    """Assert that the chart reads every key path set in ``values``.

    A leaf path passes when the chart declares it in ``values.yaml`` or a template reads
    it (exactly, or under a subtree read wholesale, e.g. ``toYaml .Values.tolerations``).

    Args:
        values: The Helm values a component passes (nested mappings).
        chart_json: A ``tests/oracles/charts/*.json`` path, or its name such as
            ``"external-secrets-2.9.0"``.
        require_template_read: Also fail on keys that ``values.yaml`` declares but no
            template reads (dead keys, which have no effect).

    Raises:
        AssertionError: naming every offending path, with close declared keys.
    """
    if not isinstance(values, Mapping):
        raise AssertionError(f"values must be a mapping, got {type(values).__name__}")
    keys = load_chart_keys(chart_json)
    known = sorted(format_path(path) for path in keys.values_paths | keys.template_paths)
    problems: list[str] = []
    for path in values_leaf_paths(values):
        text = format_path(path)
        read = keys.is_read(path)
        if require_template_read and not read:
            reason = (
                "declared in values.yaml but read by no template"
                if keys.is_declared(path)
                else "neither declared in values.yaml nor read by a template"
            )
        elif not read and not keys.is_declared(path):
            reason = "neither declared in values.yaml nor read by a template"
        else:
            continue
        close = difflib.get_close_matches(text, known, n=3, cutoff=0.75)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        problems.append(f"{text}: {reason}{hint}")
    if problems:
        raise AssertionError(
            f"values not read by {keys.label} ({keys.source[:80]}...):\n  " + "\n  ".join(problems)
        )
