"""Paths into a resource's inputs (``spec.template.metadata``, ``tags["a/b"]``, ``rules[0]``):
how the transition harness reads the properties that force a replacement and the identity of a
physical object."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from .diff import SECRET, UNKNOWN
from .replacements import Rule

_SEGMENT = re.compile(r'\[(\d+|\*)\]|\[("(?:[^"\\]|\\.)*")\]|([^.\[\]]+)')


def segments(path: str) -> list[str]:
    """``a.b[0]["c.d"]`` -> ``["a", "b", "0", "c.d"]`` (diff.py's paths; ``*`` is kept)."""
    return [i or (json.loads(q) if q else p) for i, q, p in _SEGMENT.findall(path)]


def covers(prefix: str, path: str) -> bool:
    """``path`` is ``prefix`` or inside it (``*`` matches any one segment)."""
    p, q = segments(prefix), segments(path)
    return len(p) <= len(q) and all(a in ("*", b) for a, b in zip(p, q, strict=False))


def value_at(inputs: Mapping[str, Any], path: str) -> Any:
    """The input at ``path``; None when absent, secret or unknown."""
    node: Any = inputs
    for part in segments(path):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return None if isinstance(node, str) and node in (SECRET, UNKNOWN) else node


def identity(rule: Rule | None, inputs: Mapping[str, Any]) -> tuple[tuple[str, Any], ...] | None:
    """The physical identity the inputs fix, or None (autonamed, unknown, or no rule)."""
    if rule is None or not rule.identity:
        return None
    values = [(k, value_at(inputs, k)) for k in rule.identity]
    if any(v is None for _, v in values):
        return None
    return tuple(values + [(k, value_at(inputs, k)) for k in rule.scope])
