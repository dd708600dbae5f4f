"""A synth diff as Markdown, for a pull-request comment (``synth diff --markdown``)."""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from typing import Any

from .diff import (
    MARKDOWN_MAX_PATHS,
    MARKDOWN_VALUE_WIDTH,
    MISSING,
    ResourceChange,
    ResourceSummary,
    SynthDiff,
    format_value,
)


def md_text(text: str) -> str:
    """Text that is safe inside a GitHub table cell, whatever it holds."""
    return html.escape(text, quote=False).replace("|", "&#124;")


def md_code(text: str) -> str:
    """Inline code that is safe inside a GitHub table cell, whatever the text holds."""
    if not text:
        return ""
    return "<code>" + md_text(text) + "</code>"


def _md_value(value: Any) -> str:
    if value is MISSING:
        return "<i>absent</i>"
    return md_code(format_value(value, MARKDOWN_VALUE_WIDTH))


def _md_rows(change: ResourceChange) -> list[tuple[str, str, str]]:
    rows: list[tuple[str, str, str]] = []
    for value_change in change.inputs:
        new = _md_value(value_change.new)
        if value_change.note:
            new += f" ({md_text(value_change.note)})"
        rows.append((md_code(value_change.path), _md_value(value_change.old), new))
    if change.protect is not None:
        old, new_protect = change.protect
        rows.append(("<i>protect</i>", md_code(json.dumps(old)), md_code(json.dumps(new_protect))))
    for label, moved in (("parent", change.parent), ("provider", change.provider)):
        if moved is not None:
            old_urn, new_urn = (md_code(urn) if urn else "<i>none</i>" for urn in moved)
            rows.append((f"<i>{label}</i>", old_urn, new_urn))
    for urn in change.dependencies_added:
        rows.append(("<i>dependency</i>", "<i>absent</i>", md_code(urn)))
    for urn in change.dependencies_removed:
        rows.append(("<i>dependency</i>", md_code(urn), "<i>absent</i>"))
    return rows


def _md_resource_table(resources: Sequence[ResourceSummary]) -> list[str]:
    lines = ["| Type | Name |", "|---|---|"]
    lines += [f"| {md_code(r.type)} | {md_code(r.name)} |" for r in resources]
    return lines


def render_markdown(diff: SynthDiff) -> str:
    """The diff for a GitHub job summary or PR comment.

    A headline with the counts, then sections Added / Removed / Changed (each changed
    resource with a table of path, old, new) and Stack outputs. Values are shortened to
    ``MARKDOWN_VALUE_WIDTH`` characters and at most ``MARKDOWN_MAX_PATHS`` rows are listed
    per resource, so that a big change still fits in a job summary.
    """
    title = md_code(diff.title)
    if not diff.has_changes:
        return (
            f"### Synth diff {title}: no changes\n\n"
            f"{diff.head_resource_count} resources, identical to the base.\n\n"
        )
    lines = [f"### Synth diff {title}: {diff.counts()}", ""]
    if diff.added:
        lines += [f"#### Added ({len(diff.added)})", ""]
        lines += _md_resource_table(list(diff.added.values()))
        lines.append("")
    if diff.removed:
        lines += [f"#### Removed ({len(diff.removed)})", ""]
        lines += _md_resource_table(list(diff.removed.values()))
        lines.append("")
    if diff.changed:
        lines += [f"#### Changed ({len(diff.changed)})", ""]
        for change in diff.changed.values():
            rows = _md_rows(change)
            lines += [
                f"**{md_code(change.type)} {md_code(change.name)}** "
                f"({len(rows)} change{'' if len(rows) == 1 else 's'})",
                "",
                "| Path | Old | New |",
                "|---|---|---|",
            ]
            lines += [f"| {path} | {old} | {new} |" for path, old, new in rows[:MARKDOWN_MAX_PATHS]]
            if len(rows) > MARKDOWN_MAX_PATHS:
                lines.append(f"| … {len(rows) - MARKDOWN_MAX_PATHS} more | | |")
            lines.append("")
    if diff.outputs:
        lines += [
            f"#### Stack outputs ({len(diff.outputs)})",
            "",
            "| Output | Old | New |",
            "|---|---|---|",
        ]
        for output in diff.outputs:
            new = _md_value(output.new)
            if output.note:
                new += f" ({html.escape(output.note)})"
            lines.append(f"| {md_code(output.path)} | {_md_value(output.old)} | {new} |")
        lines.append("")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- command line
