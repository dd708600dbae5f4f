"""The offline synth's stack trace is the SDK's own, frame for frame (only computed faster)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pulumi.runtime import resource as sdk_resource
from pulumi.runtime.proto import source_pb2

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


def test_the_frames_outside_the_constructors_are_the_sdks() -> None:
    sdk, ours = _program()
    assert len(ours.frames) > 3  # this test, pytest, ...: the program's frames
    assert ours == sdk
    assert ours.frames[0].pc.uri.endswith("/tests/synth/test_stack_trace.py")


def test_without_three_constructors_on_the_stack_both_are_empty() -> None:
    sdk, ours = _Custom(_both).traces
    assert ours == sdk == source_pb2.StackTrace()


def test_a_file_without_an_absolute_path_has_no_position_in_either() -> None:
    scope: dict[str, Any] = {"_Concrete": _Concrete, "_both": _both}
    exec(compile("traces = _Concrete(_both).traces", "<generated>", "exec"), scope)
    sdk, ours = scope["traces"]
    assert ours == sdk
    assert not ours.frames[0].HasField("pc")


def test_installed_only_inside_the_block() -> None:
    original = sdk_resource._get_stack_trace
    with faster_stack_traces():
        assert sdk_resource._get_stack_trace is stack_trace
    assert sdk_resource._get_stack_trace is original
