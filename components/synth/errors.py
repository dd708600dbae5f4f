"""The synth's errors, and the one line it prints for any error a program raises.

:func:`describe` finds what went wrong, wherever it was raised: at construction, inside an
``apply`` while Outputs resolve (the SDK wraps those in ``While processing input: ...`` lines;
the library's :class:`~components.validation.errors.InvalidArgument` is found in the exception
chain), in the engine's checks (:class:`EngineRefusal`), or a ``TypeError`` from a misspelt
keyword (``<file>:<line>: WorkloadRoleArgs: unknown argument 'nmespace' (did you mean
'namespace'?)``). Locations are the user's code: the first frame outside the SDKs, the
standard library and this library (:func:`is_library`).
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import inspect
import os
import re
import sys
import sysconfig
import types
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import pulumi

from ..validation.errors import InvalidArgument, KnownValueRefused


class SynthError(Exception):
    """A problem with the program's files or configuration, reported as one line."""


class EngineRefusal(SynthError):
    """A registration the Pulumi engine refuses: one line, with the engine's meaning, where the
    program made it and, for a duplicate, where it made the first (shown relative to the
    working directory when the message is printed)."""

    def __init__(
        self, problem: str, where: Location | None = None, also: Location | None = None
    ) -> None:
        super().__init__(problem)
        self.problem, self.where, self.also = problem, where, also

    def __str__(self) -> str:
        also = f" (also registered at {self.also})" if self.also is not None else ""
        return f"{at(self.where)}{self.problem}{also}"


class MissingStackOutput(SynthError):
    """The program requires an output the referenced stack does not have."""


@dataclass(frozen=True)
class Location:
    """Where the program did something: a file and a line, the file shown relative to the
    working directory when it is below it."""

    path: str
    line: int

    def __str__(self) -> str:
        try:
            shown = os.path.relpath(self.path)
        except ValueError:  # another drive (Windows)
            shown = self.path
        if shown.startswith(os.pardir):
            shown = self.path
        return f"{shown}:{self.line}"


@functools.cache
def _library_roots() -> tuple[Path, ...]:
    paths = sysconfig.get_paths()
    roots = {Path(paths[k]).resolve() for k in ("stdlib", "platstdlib", "purelib", "platlib")}
    roots.add(Path(__file__).resolve().parents[1])  # components/ (eks_platform/ installed)
    return tuple(sorted(roots))


@functools.lru_cache(maxsize=4096)
def is_library(path: str) -> bool:
    """Whether ``path`` is not the user's code: the standard library, an installed package (the
    Pulumi and provider SDKs, this library once installed) or this library's source."""
    if not path or path.startswith("<"):
        return True  # frozen modules (<frozen runpy>), <string>
    resolved = Path(path).resolve()
    if {"site-packages", "dist-packages"} & set(resolved.parts):
        return True
    return any(resolved.is_relative_to(root) for root in _library_roots())


def registration_location(request: Any) -> Location | None:
    """Where the program made a registration or an invoke: the first frame of the request's
    stack trace (innermost first, as the SDK sends it) that is the user's code."""
    trace = getattr(request, "stackTrace", None)
    for frame in trace.frames if trace is not None else ():
        uri, line = frame.pc.uri, frame.pc.line
        if uri and line:
            path = unquote(urlparse(uri).path)
            if not is_library(path):
                return Location(path, line)
    return None


def traceback_location(tb: types.TracebackType | None) -> Location | None:
    """The innermost frame of a traceback that is the user's code."""
    found = None
    while tb is not None:
        path = tb.tb_frame.f_code.co_filename
        if not is_library(path):
            found = Location(path, tb.tb_lineno)
        tb = tb.tb_next
    return found


def at(location: Location | None) -> str:
    """``"<file>:<line>: "``, or nothing when the location is not known."""
    return f"{location}: " if location is not None else ""


# -- one line for any error ------------------------------------------------------------------

_SDK_WRAPPER = re.compile(r"^While processing (input|resource)\b")
"""How the SDK rewraps a ValueError raised while it serializes a resource's inputs."""
_RISEN = "has risen: "
_UNEXPECTED_KEYWORD = re.compile(
    r"^(?P<callee>[\w.<>]+)\(\) got an unexpected keyword argument '(?P<arg>\w+)'$"
)


def _chain(error: BaseException) -> list[BaseException]:
    """Every exception reachable from ``error`` through causes and contexts, outermost first.

    The SDK re-raises an RPC's failure from itself (``raise exn from cause``), so the chain
    may loop; each exception appears once.
    """
    found: list[BaseException] = []
    seen: set[int] = set()
    queue = [error]
    while queue:
        current = queue.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        found.append(current)
        if current.__cause__ is not None:
            queue.append(current.__cause__)
        if current.__context__ is not None and (
            current.__cause__ is current or not current.__suppress_context__
        ):
            queue.append(current.__context__)
    return found


def _is_sdk_wrapper(error: BaseException) -> bool:
    return isinstance(error, ValueError | AssertionError) and bool(_SDK_WRAPPER.match(str(error)))


def root_cause(error: BaseException) -> BaseException:
    """What went wrong, under the SDK's wrapping: the library's :class:`InvalidArgument` when
    there is one in the chain, else the synth's own error, else the first exception that is
    not the SDK's ``While processing ...`` wrapper."""
    chain = _chain(error)
    for kind in (KnownValueRefused, InvalidArgument, SynthError):
        for candidate in chain:
            if isinstance(candidate, kind):
                return candidate
    for candidate in chain:
        if not _is_sdk_wrapper(candidate):
            return candidate
    return chain[-1]


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    if _is_sdk_wrapper(error) and _RISEN in text:
        text = text.rsplit(_RISEN, 1)[1].strip()  # the wrapped error's own message
    if isinstance(error, KeyError) and len(error.args) == 1:
        text = repr(error.args[0])  # KeyError('x') prints as "'x'"
    return text.splitlines()[0] if text else type(error).__name__


def describe(error: BaseException) -> str:
    """The one line the synth prints for ``error`` (without ``error: ``)."""
    root = root_cause(error)
    if isinstance(root, KnownValueRefused | InvalidArgument | SynthError):
        return _first_line(root)
    where = traceback_location(root.__traceback__)
    if isinstance(root, TypeError):
        keyword = _unknown_keyword(root, where)
        if keyword is not None:
            return keyword
    message = _first_line(root)
    if isinstance(root, pulumi.RunError):
        return message  # written for the user: pulumi up prints a RunError's message alone
    return f"{at(where)}{type(root).__name__}: {message}"


def _unknown_keyword(error: TypeError, where: Location | None) -> str | None:
    """``<file>:<line>: WorkloadRoleArgs: unknown argument 'nmespace' (did you mean 'namespace'?)``
    for a call with a keyword the callee does not take."""
    match = _UNEXPECTED_KEYWORD.match(str(error))
    if match is None:
        return None
    qualname, argument = match["callee"], match["arg"]
    names = _parameters(_find_callee(qualname, error.__traceback__))
    # A class is named for its constructor (the provider SDKs' resources construct through
    # _internal_init).
    callee = qualname.removesuffix(".__init__").removesuffix("._internal_init")
    hint = ""
    if names:
        close = difflib.get_close_matches(argument, names, n=1, cutoff=0.6)
        hint = f" (did you mean '{close[0]}'?)" if close else f" (it takes: {', '.join(names)})"
    return f"{at(where)}{callee}: unknown argument '{argument}'{hint}"


def _find_callee(qualname: str, tb: types.TracebackType | None) -> Any:
    """The class or function named ``qualname``, looked up where the call was made (the
    innermost frames first), then in every loaded module."""
    head, *rest = qualname.split(".")
    frames = []
    while tb is not None:
        frames.append(tb.tb_frame)
        tb = tb.tb_next
    scopes: list[dict[str, Any]] = []
    for frame in reversed(frames):
        scopes += [frame.f_locals, frame.f_globals]
        scopes += [m.__dict__ for m in frame.f_globals.values() if isinstance(m, types.ModuleType)]
    scopes += [m.__dict__ for m in list(sys.modules.values()) if isinstance(m, types.ModuleType)]
    for scope in scopes:
        found = scope.get(head)
        for part in rest:
            found = getattr(found, part, None)
        if found is not None and getattr(found, "__qualname__", None) == qualname:
            return found
    return None


def _parameters(callee: Any) -> list[str]:
    """The keyword arguments ``callee`` takes: a dataclass's init fields, else its signature."""
    if callee is None:
        return []
    if dataclasses.is_dataclass(callee):
        return [f.name for f in dataclasses.fields(callee) if f.init]
    try:
        signature = inspect.signature(callee)
    except (TypeError, ValueError):
        return []
    return [
        name
        for name, p in signature.parameters.items()
        if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and name != "self"
    ]
