"""The project's stacks synthed once per test process for each configuration.

A synth of a whole stack takes about a second, and the tests read the same few configurations
again and again: what a stack deploys (``tests/stacks/test_*.py``, and tests elsewhere through
:func:`tests.stacks.harness.stack`), the transition scenarios (before and after a change), Auto
Mode. :func:`result` runs each distinct ``(stack, configuration)`` once per process (each
pytest-xdist worker has its own), keyed by the configuration itself: the JSON of the parsed
``Pulumi.<stack>.yaml`` after the edits, in its order (the order of a mapping can matter, e.g.
the access entries'), so two scenarios that reach the same configuration share one run.
It runs under :func:`~components.synth.transitions.recording_options`, so that one run serves
every reader:

* :func:`result`: the :class:`~components.synth.SynthResult`, with the options recorded;
* :func:`plain`: the same without them, as ``synth()`` returns it (what the snapshots hold);
* :func:`document`: the ``--json`` document (the transition scenarios compare these).

A stack as checked in runs through the project's own entry point (``synth(ROOT, stack)``:
``__main__.py``); an edited configuration runs the stack's composition on the edited values.

Every reader shares what these return: treat them as read-only (copy what a test changes).
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from components.synth import Recorded, SynthResult, load_stack_config, run_program, synth
from components.synth.transitions import recording_options

ROOT = Path(__file__).resolve().parents[2]
PROJECT = "eks-platform"

Edit = Callable[[dict[str, Any]], Any]
"""Changes the parsed configuration, keyed as in the stack file (``eks-platform:cluster``)."""

_Key = tuple[str, str, tuple[str, ...]]


def _parse(value: str) -> Any:
    return json.loads(value) if value[:1] in ("[", "{") else value


@functools.cache
def _checked_in(stack: str) -> tuple[str, tuple[str, ...]]:
    config, secrets = load_stack_config(ROOT, PROJECT, stack)
    parsed = {k: v if k in secrets else _parse(v) for k, v in config.items()}
    return json.dumps(parsed), tuple(secrets)


def parsed_config(stack: str) -> tuple[dict[str, Any], list[str]]:
    """``Pulumi.<stack>.yaml``'s configuration, its structured values parsed (a fresh copy),
    and its secret keys."""
    canonical, secrets = _checked_in(stack)
    return json.loads(canonical), list(secrets)


def _key(stack: str, edits: tuple[Edit, ...]) -> _Key:
    config, secrets = parsed_config(stack)
    for edit in edits:
        edit(config)
    return stack, json.dumps(config), tuple(secrets)


def changes(stack: str, *edits: Edit) -> bool:
    """``edits`` change ``Pulumi.<stack>.yaml``'s configuration."""
    return _key(stack, edits) != _key(stack, ())


@functools.cache
def _synth(key: _Key) -> SynthResult:
    stack, canonical, secrets = key
    if (canonical, secrets) == _checked_in(stack):
        with recording_options():
            return synth(ROOT, stack)
    config = {
        k: v if isinstance(v, str) else json.dumps(v) for k, v in json.loads(canonical).items()
    }

    def program() -> None:
        from stacks.config import load

        importlib.import_module(f"stacks.{stack}").main(load())

    with recording_options():
        return run_program(program, PROJECT, stack, config, list(secrets))


def result(stack: str, *edits: Edit) -> SynthResult:
    """The synth of ``stack`` after ``edits`` (none: as checked in), with each resource's
    options recorded; once per process for each configuration. Read-only."""
    return _synth(_key(stack, edits))


@functools.cache
def _plain(key: _Key) -> SynthResult:
    full = _synth(key)
    names = [f.name for f in dataclasses.fields(Recorded)]
    resources = [Recorded(**{n: getattr(r, n) for n in names}) for r in full.resources]
    return SynthResult(full.project, full.stack, resources, full.outputs)


def plain(stack: str, *edits: Edit) -> SynthResult:
    """:func:`result` without the recorded options: what ``synth()`` returns. Read-only."""
    return _plain(_key(stack, edits))


@functools.cache
def _document(key: _Key) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(json.dumps(_synth(key).as_json()))
    return document


def document(stack: str, *edits: Edit) -> dict[str, Any]:
    """:func:`result` as ``--json`` writes it (options included). Read-only."""
    return _document(_key(stack, edits))
