"""The outputs of the stacks a program references (``pulumi.StackReference``), held to what the
engine would find.

``--stack-outputs ORG/PROJECT/STACK=PATH`` gives a referenced stack's outputs from a file
(:func:`load_stack_outputs`). A name the program does not reference is refused, listing those
it does (:func:`check_referenced`): a typo would otherwise leave the program on invented
outputs. An output the program requires (``require_output``) that the stack does not have is
one line naming the stack, the output and the file (:func:`strict_require_output`), where the
SDK raises a bare ``KeyError`` inside an apply.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pulumi

from .errors import MissingStackOutput, SynthError

STACK_REFERENCE = "pulumi:pulumi:StackReference"


class StackOutputs(dict[str, Any]):
    """A referenced stack's outputs, and the file they came from."""

    def __init__(self, outputs: Mapping[str, Any], source: str) -> None:
        super().__init__(outputs)
        self.source = source


def load_stack_outputs(spec: str) -> tuple[str, dict[str, Any]]:
    """``org/project/stack=PATH`` -> (stack name, its outputs from the JSON file at PATH).

    The file is a synth document (``--json`` of that stack: its ``outputs`` are used) or a
    mapping of output names to values (``pulumi stack output --json``).
    """
    name, sep, path = spec.partition("=")
    if not sep or not name or not path:
        raise SynthError(f"--stack-outputs: {spec!r} is not <stack>=<path to a JSON file>")
    try:
        doc = json.loads(Path(path).read_text())
    except (OSError, ValueError) as e:
        raise SynthError(f"--stack-outputs: {path}: {e}") from None
    if not isinstance(doc, dict):
        raise SynthError(f"--stack-outputs: {path} does not hold a JSON object")
    outputs = doc["outputs"] if isinstance(doc.get("outputs"), dict) and "resources" in doc else doc
    return name, StackOutputs(outputs, path)


def check_referenced(given: Mapping[str, Any], referenced: set[str]) -> None:
    """Refuse outputs given for a stack the program does not reference."""
    for name in sorted(set(given) - referenced):
        source = getattr(given[name], "source", None)
        where = f" (from {source})" if source else ""
        listed = ", ".join(sorted(referenced)) if referenced else "none"
        raise SynthError(
            f"--stack-outputs: the program does not reference stack {name!r}{where}; "
            f"the stacks it references: {listed}"
        )


@contextlib.contextmanager
def strict_require_output(given: Mapping[str, Any]) -> Iterator[None]:
    """While the program runs, ``StackReference.require_output`` of an output the stack does
    not have fails with one line naming the stack, the output and where its outputs came
    from (``given``: the ``--stack-outputs``; else the synth's plausible defaults)."""
    original = pulumi.StackReference.require_output

    def require_output(self: pulumi.StackReference, name: pulumi.Input[str]) -> pulumi.Output[Any]:
        def check(key: Any, stack: Any, outputs: Any) -> Any:
            if isinstance(outputs, dict) and key not in outputs:
                raise MissingStackOutput(_missing(str(stack), str(key), outputs, given))
            return key

        # The outputs as they are (plain values from the engine), not lifted value by value
        # as ``Output.all`` would: the SDK's own ``require_output`` does that once already.
        checked: pulumi.Output[str] = pulumi.Output.all(
            pulumi.Output.from_input(name), self.name
        ).apply(lambda a: self.outputs.apply(lambda outputs: check(a[0], a[1], outputs)))
        return original(self, checked)

    pulumi.StackReference.require_output = require_output  # type: ignore[method-assign]
    try:
        yield
    finally:
        pulumi.StackReference.require_output = original  # type: ignore[method-assign]


def _missing(stack: str, key: str, outputs: dict[str, Any], given: Mapping[str, Any]) -> str:
    has = ", ".join(sorted(outputs)) or "none"
    source = getattr(given.get(stack), "source", None)
    if source is not None:
        origin = f"in {source}"
    elif stack in given:
        origin = "in the outputs given for it"
    else:
        origin = (
            f"in the synth's plausible outputs for it; give its real ones with "
            f"--stack-outputs {stack}=FILE"
        )
    return f"stack {stack!r} has no output {key!r} ({origin}; it has: {has})"
