"""A state written by 0.2 can still be refreshed and destroyed: its dynamic providers resolve.

Pulumi stores a dynamic resource's provider in the state as a pickle (base64, under
``__provider``), and ``refresh`` and ``destroy`` load it again in the provider host (``dill``,
as ``pulumi/dynamic/__main__.py`` does). A class is pickled by reference: its module path and
name. The fixtures in ``tests/fixtures/state-0.2/`` are exactly what 0.2 recorded,
``pulumi.dynamic.dynamic.serialize_provider(_Provider())`` of ``components.load_balancer_cleanup`` and
``components.cluster_access``; those modules have moved since, and ``components/_moved.py``
maps the old paths to the new ones. The wheel installs the package as ``eks_platform``, so a
user's state records ``eks_platform.<module>``: the same references under that name must
resolve too. Since 0.3 a provider is pickled by value (``components/dynamic/by_value.py``): the
next ``pulumi up`` of such a state records that instead.
"""

from __future__ import annotations

import base64
import importlib
import pickletools
import struct
from pathlib import Path
from typing import Any

import dill
import pulumi.dynamic
import pytest
from pulumi.dynamic.dynamic import serialize_provider

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "state-0.2"
RECORDED = {
    # module path recorded by 0.2 -> where the class lives now
    "components.load_balancer_cleanup": "components.addons.load_balancer_controller.cleanup",
    "components.cluster_access": "components.cluster.access",
}
CLASS = "_Provider"
OPCODES = [
    "PROTO",
    "FRAME",
    "SHORT_BINUNICODE",
    "MEMOIZE",
    "SHORT_BINUNICODE",
    "MEMOIZE",
    "STACK_GLOBAL",
    "MEMOIZE",
    "EMPTY_TUPLE",
    "NEWOBJ",
    "MEMOIZE",
    "STOP",
]
"""A class pickled by reference and instantiated without arguments (protocol 4)."""


def recorded(module: str) -> str:
    """The base64 provider string 0.2 recorded for ``module``'s ``_Provider``."""
    return (FIXTURES / f"{module}.b64").read_text().strip()


def load(provider: str) -> Any:
    """What the dynamic provider host does with the state's ``__provider``."""
    return dill.loads(base64.b64decode(provider))


def reference(module: str, name: str = CLASS) -> str:
    """``module.name()`` pickled by reference, opcode for opcode as ``serialize_provider``
    writes it (protocol 4: one frame, the two names, ``STACK_GLOBAL``, ``NEWOBJ``)."""

    def text(value: str) -> bytes:
        data = value.encode()
        assert len(data) < 256  # SHORT_BINUNICODE
        return b"\x8c" + bytes([len(data)]) + data + b"\x94"  # ... MEMOIZE

    body = text(module) + text(name) + b"\x93\x94" + b")\x81\x94."  # STACK_GLOBAL ... STOP
    frame = b"\x95" + struct.pack("<Q", len(body))
    return base64.b64encode(b"\x80\x04" + frame + body).decode()


def module_of(provider: str) -> str:
    """The module path a provider string names (checking it is a plain reference)."""
    ops = list(pickletools.genops(base64.b64decode(provider)))
    assert [op.name for op, _, _ in ops] == OPCODES
    assert ops[4][1] == CLASS
    module = ops[2][1]
    assert isinstance(module, str)
    return module


@pytest.mark.parametrize("old", sorted(RECORDED))
def test_the_fixtures_are_references_to_the_old_paths(old: str) -> None:
    assert module_of(recorded(old)) == old
    # The builder writes the very bytes 0.2 recorded, so the eks_platform ones below are real.
    assert reference(old) == recorded(old)


@pytest.mark.parametrize(("old", "new"), sorted(RECORDED.items()))
def test_references_recorded_by_0_2_resolve_to_the_current_provider(old: str, new: str) -> None:
    provider = load(recorded(old))
    assert type(provider) is getattr(importlib.import_module(new), CLASS)
    assert isinstance(provider, pulumi.dynamic.ResourceProvider)


@pytest.mark.parametrize(("old", "new"), sorted(RECORDED.items()))
def test_the_installed_names_resolve_too(eks_platform: Path, old: str, new: str) -> None:
    installed = "eks_platform." + old.removeprefix("components.")
    provider = load(reference(installed))
    current = importlib.import_module("eks_platform." + new.removeprefix("components."))
    assert type(provider) is getattr(current, CLASS)


@pytest.mark.parametrize("new", sorted(RECORDED.values()))
def test_the_current_providers_are_recorded_by_value_not_by_module_path(new: str) -> None:
    """What 0.3 writes into states: no module path at all (``components.dynamic.by_value``), so
    the classes may move again; the old paths above only serve the states 0.2 wrote."""
    provider = getattr(importlib.import_module(new), CLASS)()
    serialized = serialize_provider(provider)
    names = [op.name for op, _, _ in pickletools.genops(base64.b64decode(serialized))]
    assert names != OPCODES
    strings = [
        arg
        for op, arg, _ in pickletools.genops(base64.b64decode(serialized))
        if "UNICODE" in op.name
    ]
    assert strings[:2] == ["builtins", "eval"]  # the one global
    assert not [s for s in strings if str(s).startswith(("components.", "eks_platform."))]
    loaded = load(serialized)
    assert isinstance(loaded, pulumi.dynamic.ResourceProvider)
    assert type(loaded).__qualname__ == type(provider).__qualname__
