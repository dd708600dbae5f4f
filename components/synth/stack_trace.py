"""The stack trace the SDK attaches to every registration, computed without its per-frame cost.

The Pulumi SDK sends each registration with the call stack of the code that made it
(``pulumi.runtime.resource._get_stack_trace``): the frames outside the resource's constructors,
innermost first, each as a ``file://`` URI and a line. The engine uses them to point at the
program's line; so does the offline synth (:func:`~.errors.registration_location`).

The SDK builds it with ``traceback.extract_stack`` (which stats every frame's file through
``linecache``) and ``pathlib.Path.as_uri`` per frame: under a test runner's deep stack that is
a quarter of a synth's time. :func:`stack_trace` walks the frames directly, converts each file
once per process, and stops at the program's own innermost frame, the one the offline engine
reads: the result is the SDK's message up to that frame (tested against the SDK's function).
:func:`faster_stack_traces` installs it for the duration of an offline run only.
"""

from __future__ import annotations

import contextlib
import pathlib
import sys
from collections.abc import Iterator
from types import FrameType

from pulumi.runtime import resource as sdk_resource
from pulumi.runtime.proto import source_pb2

from .errors import is_library

_URIS: dict[str, str | None] = {}


def _uri(filename: str) -> str | None:
    """``file://`` URI of a frame's file, as the SDK makes it; ``None`` where it makes none (a
    relative path such as ``<string>``)."""
    try:
        return _URIS[filename]
    except KeyError:
        try:
            uri: str | None = pathlib.Path(filename).as_uri()
        except ValueError:
            uri = None
        _URIS[filename] = uri
        return uri


def _position(frame: FrameType) -> source_pb2.SourcePosition | None:
    filename, line = frame.f_code.co_filename, frame.f_lineno
    if not filename or line is None:
        return None
    uri = _uri(filename)
    return None if uri is None else source_pb2.SourcePosition(uri=uri, line=line)


def stack_trace() -> source_pb2.StackTrace:
    """What ``_get_stack_trace`` returns when called from the same place, up to the first frame
    of the user's code (:func:`~.errors.is_library`; the whole trace when there is none): the
    frames outside the third ``__init__`` from the top (the SDK's ``Resource``,
    ``CustomResource`` or ``ComponentResource``, then the concrete resource's), innermost
    first. The frames beyond (the program's callers: ``runpy``, a test runner) say nothing
    :func:`~.errors.registration_location` reads."""
    frame: FrameType | None = sys._getframe(1)
    inits = 0
    while frame is not None:
        if frame.f_code.co_name == "__init__":
            inits += 1
            if inits == 3:
                break
        frame = frame.f_back
    if frame is None:
        return source_pb2.StackTrace()
    frames = []
    caller = frame.f_back
    while caller is not None:
        position = _position(caller)
        frames.append(source_pb2.StackFrame(pc=position))
        if position is not None and not is_library(caller.f_code.co_filename):
            break
        caller = caller.f_back
    return source_pb2.StackTrace(frames=frames)


@contextlib.contextmanager
def faster_stack_traces() -> Iterator[None]:
    """Use :func:`stack_trace` for registrations made inside the block (an SDK without the
    function it replaces is left as it is)."""
    original = getattr(sdk_resource, "_get_stack_trace", None)
    if original is None:
        yield
        return
    sdk_resource._get_stack_trace = stack_trace
    try:
        yield
    finally:
        sdk_resource._get_stack_trace = original
