"""What ``pulumi up`` would do, under ``synth diff``: the engine's model of the two documents.

When both documents were written with ``--record-options`` (aliases, ``deleteBeforeReplace``,
``replaceOnChanges``, ... recorded), :func:`plan_of` runs :func:`.transitions.transition` on
them; :func:`render_plan_text` and :func:`render_plan_markdown` show what a diff of inputs
cannot: which changes replace a resource (and why, and in which order), which resources move
by alias instead of being deleted, what is deleted and in which waves, what protection
blocks, and physical names that collide. Creates and updates are in the diff itself.
"""

from __future__ import annotations

from typing import Any

from .diff_markdown import md_code, md_text
from .transition_engine import has_options, split_urn, type_of
from .transitions import Change, Plan, transition

TITLE = "What `pulumi up` would do (the engine's model, offline)"


def plan_of(base: dict[str, Any], head: dict[str, Any]) -> Plan | None:
    """The plan from ``base`` to ``head``, or None unless both recorded their options, the
    head registers something and ``pulumi up`` would do something."""
    olds = {r["urn"]: r for r in base.get("resources") or []}
    news = {r["urn"]: r for r in head.get("resources") or []}
    if not news or not has_options(olds) or not has_options(news):
        return None
    plan = transition(base, head)
    return plan if plan.has_changes or plan.collisions else None


def _counts(plan: Plan) -> str:
    return (
        f"{len(plan.created)} to create, {len(plan.updated)} to update, "
        f"{len(plan.replaced)} to replace, {len(plan.deleted)} to delete, "
        f"{len(plan.moved)} moved by alias, {sum(not c.moved for c in plan.same)} unchanged"
    )


def _notable(plan: Plan) -> list[Change]:
    """Replacements, deletes, moves and what protection blocks, in the plan's order."""
    return [
        c
        for c in plan.changes
        if c.action in ("replace", "delete") or c.moved or "protected" in c.notes
    ]


def _why(change: Change) -> str:
    if change.action == "replace":
        order = "delete first" if change.delete_before_replace else "create first"
        return f"replace ({order}): {', '.join(change.properties)}"
    if change.action == "delete":
        return "delete"
    if change.moved:
        return f"move from {change.old_urn}" + (
            f", then {change.action}" if change.action != "same" else ""
        )
    return change.action


def render_plan_text(plan: Plan) -> str:
    lines = ["", f"{TITLE}: {_counts(plan)}"]
    for c in _notable(plan):
        notes = f"  [{'; '.join(c.notes)}]" if c.notes else ""
        lines.append(f"  {c.type}  {c.name}: {_why(c)}{notes}")
    lines += [
        f"  ! collision: {x.type} {split_urn(x.urn)[3]}: {x.consequence}" for x in plan.collisions
    ]
    if plan.delete_waves:
        lines.append("  deletes run last, in this order:")
        for index, wave in enumerate(plan.delete_waves, 1):
            lines += [f"    {index}. {type_of(u)}  {split_urn(u)[3]}" for u in wave]
    lines += [f"  note: {n}" for n in plan.notes]
    return "\n".join(lines) + "\n"


def render_plan_markdown(plan: Plan) -> str:
    lines = ["", f"#### {TITLE}", "", _counts(plan) + ".", ""]
    notable = _notable(plan)
    if notable:
        lines += ["| Type | Name | What | Notes |", "|---|---|---|---|"]
        for c in notable:
            notes = md_text("; ".join(c.notes))
            lines.append(
                f"| {md_code(c.type)} | {md_code(c.name)} | {md_text(_why(c))} | {notes} |"
            )
        lines.append("")
    lines += [
        f"- **collision** {md_code(x.type)} {md_code(split_urn(x.urn)[3])}: "
        f"{md_text(x.consequence)}"
        for x in plan.collisions
    ]
    if plan.delete_waves:
        order = ", then ".join(
            " and ".join(md_code(split_urn(u)[3]) for u in wave) for wave in plan.delete_waves
        )
        lines.append(f"Deletes run last: {order}.")
    lines += [f"- <i>{md_text(n)}</i>" for n in plan.notes]
    return "\n".join(lines) + "\n"
