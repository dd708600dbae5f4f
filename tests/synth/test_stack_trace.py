"""The offline synth's stack trace is the SDK's own, frame for frame, up to the program's
innermost frame (computed faster, and without the program's callers)."""

from __future__ import annotations

import sysconfig
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from pulumi.runtime import resource as sdk_resource
from pulumi.runtime.proto import source_pb2

from components.synth.errors import registration_location
from components.synth.stack_trace import faster_stack_traces, stack_trace

Traces = tuple[source_pb2.StackTrace, source_pb2.StackTrace]


def _both() -> Traces:
    return sdk_resource._get_stack_trace(), stack_trace()


class _Resource:  # stands for the SDK's Resource ...
    def __init__(self, probe: Callable[[], Traces]) -> None:
        self.traces = probe()


class _Custom(_Resource):  # ... CustomResource ...
    def __init__(self, probe: Callable[[], Traces]) -> None:
        super().__init__(probe)


class _Concrete(_Custom):  # ... and a provider's resource class
    def __init__(self, probe: Callable[[], Traces]) -> None:
        super().__init__(probe)


def _program() -> Any:
    return _Concrete(_both).traces


def _prefix(sdk: source_pb2.StackTrace, ours: source_pb2.StackTrace) -> bool:
    return list(ours.frames) == list(sdk.frames)[: len(ours.frames)]


def test_the_frames_up_to_the_programs_are_the_sdks() -> None:
    sdk, ours = _program()
    assert _prefix(sdk, ours)
    assert [f.pc.uri.rsplit("/", 1)[-1] for f in ours.frames] == ["test_stack_trace.py"]
    assert len(sdk.frames) > 3  # then pytest's frames, which the SDK sends too
    where = registration_location(SimpleNamespace(stackTrace=ours))
    assert where == registration_location(SimpleNamespace(stackTrace=sdk))
    assert where is not None and where.path == __file__


def test_library_frames_are_kept_until_the_users() -> None:
    """A registration made inside a library (a component, the SDK) reaches the program's line
    through the library's frames: they are all there, then the program's."""
    library = str(Path(sysconfig.get_paths()["purelib"], "some_library", "component.py"))
    scope: dict[str, Any] = {"_Concrete": _Concrete, "_both": _both}
    exec(compile("def build():\n    return _Concrete(_both).traces\n", library, "exec"), scope)
    sdk, ours = scope["build"]()
    assert _prefix(sdk, ours)
    assert [f.pc.uri.rsplit("/", 1)[-1] for f in ours.frames] == [
        "component.py",
        "test_stack_trace.py",
    ]


def test_without_three_constructors_on_the_stack_both_are_empty() -> None:
    sdk, ours = _Custom(_both).traces
    assert ours == sdk == source_pb2.StackTrace()


def test_a_file_without_an_absolute_path_has_no_position_in_either() -> None:
    scope: dict[str, Any] = {"_Concrete": _Concrete, "_both": _both}
    exec(compile("traces = _Concrete(_both).traces", "<generated>", "exec"), scope)
    sdk, ours = scope["traces"]
    assert _prefix(sdk, ours)
    assert not ours.frames[0].HasField("pc")
    assert ours.frames[1].pc.uri.endswith("/tests/synth/test_stack_trace.py")


def test_installed_only_inside_the_block() -> None:
    original = sdk_resource._get_stack_trace
    with faster_stack_traces():
        assert sdk_resource._get_stack_trace is stack_trace
    assert sdk_resource._get_stack_trace is original
