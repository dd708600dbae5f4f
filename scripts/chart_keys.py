"""Derive which ``values`` keys a Helm chart declares and reads, as a JSON key list.

Usage::

    .venv/bin/python -m scripts.chart_keys CHART --source TEXT [--out-dir tests/oracles/charts]
                                           [--copy-values]

``CHART`` is a chart directory (the one holding ``Chart.yaml``) or the ``.tgz`` that
``helm pull <chart> --version X`` downloads. The script writes
``<out-dir>/<chart>-<version>.json``::

    {
      "chart": ..., "version": ..., "appVersion": ..., "source": ...,
      "values_sha256": sha256 of the chart's values.yaml bytes,
      "templates_sha256": sha256 over the (path, text) of every file under templates/,
      "values_paths": dotted path of every key in values.yaml (not into lists),
      "template_paths": dotted .Values paths referenced anywhere under templates/,
      "template_subtree_paths": the subset read wholesale (toYaml, tpl, range, include,
                                ...), so every key below them is read as well,
      "subchart_paths": values keys handed to subcharts (Chart.yaml dependencies)
    }

With ``--copy-values`` it also copies ``values.yaml`` to ``<out-dir>/<chart>-<version>-values.yaml``.

Only the derived key lists are meant to be committed; templates are read, never copied.
``tests/oracles/charts.py`` checks a component's values against such a file.

Template analysis is a static approximation of Go templates, good enough for the charts
in this project (``tests/oracles/charts/*.json``):

* ``.Values.a.b``, ``$.Values.a.b``, ``$root.Values.a.b``, ``.context.Values.a.b``: a.b
* ``index .Values "a" "b"``, ``index .Values.a "b"``, ``hasKey .Values.a "b"``,
  ``get .Values.a "b"``: a.b (a non-literal key makes the part before it a wholesale read)
* ``with .Values.a`` (nested ``with .b``) sets the dot; ``.c`` below it is a.b.c and a bare
  ``.`` is a.b; ``with .Values.a | default .Values.b`` makes the dot either; ``{{ else }}``
  of a ``with`` restores the outer dot; ``range`` makes it unknown (an item)
* ``$x := .Values.a`` binds ``$x``; ``$x.b`` is a.b
* a path used in an action that calls one of :data:`WHOLESALE_FUNCTIONS` (``toYaml``,
  ``tpl``, ``include``, ``range`` ...) is read wholesale;
* Chart.yaml dependencies: the subchart's key (alias or name) is read wholesale and its
  ``condition`` paths are read.

Known limits: templates defined with ``define`` are assumed to get the root context
(``include "x" .``); a subtree passed to a helper is read wholesale instead. Files that
a chart generates at release time and does not keep in git (for example
external-secrets' ``templates/crds/``) must be added before running this on a git
checkout; a ``helm pull`` archive has them.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import sys
import tarfile
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import yaml

__all__ = [
    "WHOLESALE_FUNCTIONS",
    "TemplateReads",
    "chart_keys",
    "format_path",
    "main",
    "parse_path",
    "template_reads",
    "values_paths",
]

#: Template functions that consume a whole value (map or list) rather than one scalar.
WHOLESALE_FUNCTIONS: Final[frozenset[str]] = frozenset(
    {
        "toYaml",
        "toJson",
        "toPrettyJson",
        "toRawJson",
        "toToml",
        "tpl",
        "include",
        "template",
        "range",
        "merge",
        "mergeOverwrite",
        "mustMerge",
        "mustMergeOverwrite",
        "deepCopy",
        "mustDeepCopy",
        "keys",
        "values",
        "pick",
        "omit",
        "dict",
        "list",
        "join",
        "concat",
        "uniq",
        "compact",
        "without",
        "sortAlpha",
        "first",
        "last",
        "rest",
        "initial",
        "dig",
        "pluck",
        "set",
        "unset",
    }
)

_COMMENT_RE: Final = re.compile(r"\{\{-?\s*/\*.*?\*/\s*-?\}\}", re.DOTALL)
_ACTION_RE: Final = re.compile(r"\{\{-?(.*?)-?\}\}", re.DOTALL)
_STRING_RE: Final = re.compile(r'"(?:[^"\\]|\\.)*"|`[^`]*`')
_PLACEHOLDER_RE: Final = re.compile(r"\x00(\d+)\x00")
_IDENT: Final = r"[A-Za-z_][A-Za-z0-9_]*"
_VALUES_RE: Final = re.compile(rf"\.Values(?![A-Za-z0-9_])((?:\.{_IDENT})*)")
_VAR_RE: Final = re.compile(rf"\$({_IDENT})((?:\.{_IDENT})*)")
#: A field chain relative to the dot: ``.a.b`` not preceded by a name, ``)``, ``$`` or ``.``.
_DOT_FIELD_RE: Final = re.compile(rf"(?<![A-Za-z0-9_)\]$.])\.({_IDENT}(?:\.{_IDENT})*)")
#: A bare dot: ``.`` not part of a field chain or a number.
_BARE_DOT_RE: Final = re.compile(r"(?<![A-Za-z0-9_)\]$.])\.(?![A-Za-z0-9_.])")
_WORD_RE: Final = re.compile(rf"(?<![.$A-Za-z0-9_]){_IDENT}")
_ASSIGN_RE: Final = re.compile(rf"^\$({_IDENT})\s*:?=\s*(.+)$", re.DOTALL)
#: ``index X "a" "b"``, ``hasKey X "a"``, ``get X "a"``: X's key a (and b) is read.
_INDEX_RE: Final = re.compile(r"\b(index|hasKey|get)\s+([^\s()|]+)((?:\s+[^\s()|]+)*)")
#: Root-context fields that are not values.
_ROOT_FIELDS: Final[frozenset[str]] = frozenset(
    {"Values", "Release", "Chart", "Capabilities", "Template", "Files", "Subcharts"}
)

Path_ = tuple[str, ...]


# --------------------------------------------------------------------------- values.yaml


def format_path(parts: tuple[str, ...] | list[str]) -> str:
    """Join key segments with dots; a segment holding ``.``, ``[`` or ``"`` is written as
    a JSON string in brackets: ``("nodeSelector", "kubernetes.io/os")`` becomes
    ``nodeSelector["kubernetes.io/os"]``. :func:`parse_path` reverses it."""
    out = ""
    for part in parts:
        if not part or any(c in part for c in '.["]'):
            out += f"[{json.dumps(part)}]"
        else:
            out += f".{part}" if out else part
    return out


_SEGMENT_RE: Final = re.compile(r'\.?([^.\["\]]+)|\[("(?:[^"\\]|\\.)*")\]')


def parse_path(text: str) -> tuple[str, ...]:
    """Split a path written by :func:`format_path` into its key segments."""
    parts: list[str] = []
    position = 0
    while position < len(text):
        match = _SEGMENT_RE.match(text, position)
        if match is None or (match.group(1) is not None and position == 0 and text[0] == "."):
            raise ValueError(f"malformed values path {text!r} at {position}")
        parts.append(match.group(1) if match.group(1) is not None else json.loads(match.group(2)))
        position = match.end()
    return tuple(parts)


def values_paths(values: Mapping[str, Any]) -> list[str]:
    """Return the path (:func:`format_path`) of every key in ``values``, sorted.

    Intermediate keys are included (``a`` and ``a.b`` for ``{"a": {"b": 1}}``); lists
    are leaves (their items are not descended into).
    """
    found: set[str] = set()

    def walk(node: Mapping[str, Any], prefix: tuple[str, ...]) -> None:
        for key, value in node.items():
            path = (*prefix, str(key))
            found.add(format_path(path))
            if isinstance(value, Mapping):
                walk(value, path)

    walk(values, ())
    return sorted(found)


# --------------------------------------------------------------------------- templates


@dataclass
class TemplateReads:
    """The values paths templates read: all of them, and those read wholesale."""

    paths: set[Path_] = field(default_factory=set)
    subtrees: set[Path_] = field(default_factory=set)

    def add(self, path: Path_, wholesale: bool) -> None:
        self.paths.add(path)
        if wholesale:
            self.subtrees.add(path)


#: The dot of a template scope: the root context, the values paths it may stand for
#: (``with .Values.a | default .Values.b`` makes it a or b), or something else (None).
_ROOT: Final = "root"
Dot = tuple[Path_, ...] | str | None


@dataclass
class _Frame:
    keyword: str
    outer: Dot
    dot: Dot


def _strip_strings(text: str) -> tuple[str, list[str]]:
    literals: list[str] = []

    def repl(match: re.Match[str]) -> str:
        literals.append(match.group(0))
        return f"\x00{len(literals) - 1}\x00"

    return _STRING_RE.sub(repl, text), literals


def _literal(token: str, literals: list[str]) -> str | None:
    """The string a literal token stands for, or None if it is no plain literal."""
    match = _PLACEHOLDER_RE.fullmatch(token)
    if match is None:
        return None
    raw = literals[int(match.group(1))]
    if raw.startswith("`"):
        return raw[1:-1]
    parsed = json.loads(raw)
    return parsed if isinstance(parsed, str) else None


def _chain(text: str) -> Path_:
    return tuple(part for part in text.split(".") if part)


class _Analyzer:
    def __init__(self) -> None:
        self.reads = TemplateReads()
        self.variables: dict[str, tuple[Path_, ...]] = {}

    def resolve(self, token: str, dot: Dot) -> tuple[Path_, ...]:
        """The values paths a single operand (no pipeline) stands for; () if none."""
        token = token.strip()
        while token.startswith("(") and token.endswith(")"):
            token = token[1:-1].strip()
        match = _VALUES_RE.search(token)
        if match and match.end() == len(token) and "(" not in token and " " not in token:
            return (_chain(match.group(1)),)
        match = _VAR_RE.fullmatch(token)
        if match and match.group(1) in self.variables:
            return tuple(base + _chain(match.group(2)) for base in self.variables[match.group(1)])
        if isinstance(dot, tuple):
            if token == ".":
                return dot
            match = _DOT_FIELD_RE.fullmatch(token)
            if match and match.group(1).split(".")[0] not in _ROOT_FIELDS:
                return tuple(base + _chain(match.group(1)) for base in dot)
        return ()

    def refs(self, expr: str, literals: list[str], dot: Dot) -> list[tuple[Path_, bool]]:
        """Every values path ``expr`` refers to, each with whether it is incomplete (a
        non-literal ``index`` key follows it, so the whole subtree may be read)."""
        found: list[tuple[Path_, bool]] = []
        for match in _VALUES_RE.finditer(expr):
            found.append((_chain(match.group(1)), False))
        for match in _VAR_RE.finditer(expr):
            for base in self.variables.get(match.group(1), ()):
                found.append((base + _chain(match.group(2)), False))
        if isinstance(dot, tuple):
            for match in _DOT_FIELD_RE.finditer(expr):
                chain = _chain(match.group(1))
                if chain[0] not in _ROOT_FIELDS:
                    found.extend((base + chain, False) for base in dot)
            if _BARE_DOT_RE.search(expr):
                found.extend((base, False) for base in dot)
        for match in _INDEX_RE.finditer(expr):
            tokens = match.group(3).split()
            if match.group(1) != "index":
                tokens = tokens[:1]
            for base in self.resolve(match.group(2), dot):
                path = base
                complete = True
                for token in tokens:
                    key = _literal(token, literals)
                    if key is None:
                        complete = False
                        break
                    path = (*path, key)
                found.append((path, not complete))
        return found

    def collect(self, expr: str, literals: list[str], dot: Dot, wholesale: bool) -> None:
        for path, incomplete in self.refs(expr, literals, dot):
            if path or wholesale or incomplete:  # a bare .Values (e.g. index's base) is no read
                self.reads.add(path, wholesale or incomplete)

    def target(self, expr: str, literals: list[str], dot: Dot) -> Dot:
        """The dot inside ``with <expr>``: the operand's path(s), else every values path
        the expression mentions (``.Values.a | default .Values.b``), else None."""
        single = self.resolve(expr, dot)
        if single:
            return single
        paths = tuple(dict.fromkeys(path for path, _ in self.refs(expr, literals, dot)))
        return paths or None

    def action(self, body: str, stack: list[_Frame]) -> None:
        expr, literals = _strip_strings(body.strip())
        dot = stack[-1].dot if stack else _ROOT
        words = expr.split(None, 1)
        keyword = words[0] if words else ""
        rest = words[1] if len(words) > 1 else ""
        wholesale = bool(set(_WORD_RE.findall(expr)) & WHOLESALE_FUNCTIONS)

        if keyword == "end":
            if stack:
                stack.pop()
            return
        if keyword == "define":
            stack.append(_Frame("define", dot, _ROOT))
            return
        if keyword == "else":
            if stack:
                frame = stack[-1]
                sub = rest.split(None, 1)
                self.collect(rest, literals, frame.outer, wholesale)
                if sub and sub[0] == "with":
                    frame.dot = self.target(sub[1] if len(sub) > 1 else "", literals, frame.outer)
                else:
                    frame.dot = frame.outer
            return
        if keyword == "with":
            self.collect(rest, literals, dot, wholesale)
            assign = _ASSIGN_RE.match(rest)
            new_dot = self.target(assign.group(2) if assign else rest, literals, dot)
            if assign and isinstance(new_dot, tuple):
                self.variables[assign.group(1)] = new_dot
            stack.append(_Frame("with", dot, new_dot))
            return
        if keyword == "range":
            # Everything a range iterates over is read wholesale; the dot is an item.
            self.collect(rest, literals, dot, True)
            stack.append(_Frame("range", dot, None))
            return
        if keyword in ("if", "block"):
            self.collect(rest, literals, dot, wholesale)
            stack.append(_Frame(keyword, dot, dot))
            return

        assign = _ASSIGN_RE.match(expr)
        if assign:
            bound = self.resolve(assign.group(2), dot)
            if bound:
                self.variables[assign.group(1)] = bound
            else:
                self.variables.pop(assign.group(1), None)
        self.collect(expr, literals, dot, wholesale)

    def template(self, text: str) -> None:
        text = _COMMENT_RE.sub("", text)
        stack: list[_Frame] = []
        self.variables = {}
        for match in _ACTION_RE.finditer(text):
            self.action(match.group(1), stack)


def template_reads(templates: Mapping[str, str]) -> TemplateReads:
    """Analyse template texts (path -> text) for the values paths they read."""
    analyzer = _Analyzer()
    for _, text in sorted(templates.items()):
        analyzer.template(text)
    reads = analyzer.reads
    if () in reads.subtrees:
        print(
            "warning: a template reads .Values wholesale; every key counts as read",
            file=sys.stderr,
        )
    return reads


# --------------------------------------------------------------------------- charts


def _dotted(path: Path_) -> str:
    return format_path(path)


def _iter_templates(chart_dir: Path) -> Iterator[tuple[str, str]]:
    templates = chart_dir / "templates"
    for path in sorted(templates.rglob("*")):
        if path.is_file():
            yield path.relative_to(chart_dir).as_posix(), path.read_text(encoding="utf-8")


def chart_keys(chart_dir: Path, source: str) -> dict[str, Any]:
    """Return the key-list document for the chart in ``chart_dir``."""
    chart = yaml.safe_load((chart_dir / "Chart.yaml").read_text(encoding="utf-8"))
    values_bytes = (chart_dir / "values.yaml").read_bytes()
    values = yaml.safe_load(values_bytes) or {}
    if not isinstance(values, dict):
        raise ValueError(f"{chart_dir}/values.yaml does not hold a mapping")
    declared = values_paths(values)

    templates = dict(_iter_templates(chart_dir))
    reads = template_reads(templates)

    subcharts: set[str] = set()
    for dependency in chart.get("dependencies") or []:
        key = dependency.get("alias") or dependency["name"]
        subcharts.add(key)
        reads.add((key,), True)
        for condition in str(dependency.get("condition") or "").split(","):
            if condition.strip():
                reads.add(tuple(condition.strip().split(".")), False)

    digest = hashlib.sha256()
    for name, text in sorted(templates.items()):
        digest.update(name.encode() + b"\0" + text.encode() + b"\0")

    return {
        "chart": chart["name"],
        "version": str(chart["version"]),
        "appVersion": str(chart.get("appVersion", "")),
        "source": source,
        "values_sha256": hashlib.sha256(values_bytes).hexdigest(),
        "templates_sha256": digest.hexdigest(),
        "values_paths": declared,
        "template_paths": sorted(_dotted(path) for path in reads.paths if path),
        "template_subtree_paths": sorted(_dotted(path) for path in reads.subtrees if path),
        "subchart_paths": sorted(subcharts),
    }


def _chart_root(extracted: Path) -> Path:
    candidates = [path.parent for path in extracted.glob("*/Chart.yaml")]
    if len(candidates) != 1:
        raise ValueError(f"expected one chart in the archive, found {len(candidates)}")
    return candidates[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("chart", type=Path, help="chart directory or .tgz")
    parser.add_argument(
        "--source",
        required=True,
        help="where the chart came from (repository, path and commit, or repo URL and version)",
    )
    parser.add_argument("--out-dir", type=Path, default=Path("tests/oracles/charts"))
    parser.add_argument(
        "--copy-values",
        action="store_true",
        help="also copy values.yaml to <out-dir>/<chart>-<version>-values.yaml",
    )
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        chart_dir: Path = args.chart
        if chart_dir.is_file():
            with tarfile.open(chart_dir) as archive:
                archive.extractall(tmp, filter="data")
            chart_dir = _chart_root(Path(tmp))
        doc = chart_keys(chart_dir, args.source)
        args.out_dir.mkdir(parents=True, exist_ok=True)
        stem = f"{doc['chart']}-{doc['version']}"
        out = args.out_dir / f"{stem}.json"
        out.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
        print(
            f"{out}: {len(doc['values_paths'])} values paths, "
            f"{len(doc['template_paths'])} template paths "
            f"({len(doc['template_subtree_paths'])} read wholesale)"
        )
        if args.copy_values:
            copy = args.out_dir / f"{stem}-values.yaml"
            shutil.copyfile(chart_dir / "values.yaml", copy)
            print(f"{copy}: copied")
    return 0


if __name__ == "__main__":
    sys.exit(main())
