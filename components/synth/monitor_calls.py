"""The SDK's calls to the offline monitor, answered in the program's thread.

The SDK sends every call to the monitor (a registration, an invoke) through the event loop's
executor, a thread pool, as suits a gRPC call to the engine. The offline monitor answers from
memory, and the hop to a pool thread and back (a wake-up of the loop, the GIL handed over
twice) was a third of a synth's time. :func:`monitor_calls_inline` makes the loop's executor
:class:`Inline`: what is submitted runs at once, in the calling thread, as in a pool thread:
outside the program's running loop, on an event loop of its own (the SDK's mock monitor runs a
coroutine to completion in each call; nested in the program's loop it would run other
registrations inside this one, deeper and deeper). A call that must reach back into the
program's loop (a transform callback: :mod:`.transforms`) does so through
:func:`on_program_loop`.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import threading
from collections.abc import Iterator
from typing import Any

_CALLER = threading.local()
"""``loop``: the program's loop an :class:`Inline` call on this thread was made from. (Not a
context variable: the SDK runs the call in a copy of the context taken before it.)"""


def _program_loop() -> asyncio.AbstractEventLoop | None:
    loop: asyncio.AbstractEventLoop | None = getattr(_CALLER, "loop", None)
    return loop


def _enter(loop: asyncio.AbstractEventLoop | None) -> tuple[Any, Any]:
    """Make ``loop`` the thread's running and current loop; what they were before."""
    before = asyncio.events._get_running_loop(), asyncio.get_event_loop_policy().get_event_loop()
    asyncio.events._set_running_loop(loop)
    return before


def _leave(before: tuple[Any, Any]) -> None:
    running, current = before
    asyncio.set_event_loop(current)
    asyncio.events._set_running_loop(running)


class Inline(concurrent.futures.ThreadPoolExecutor):
    """Runs what is submitted at once, in the calling thread, with an event loop of its own as
    the thread's loop (asyncio accepts only a ThreadPoolExecutor as a loop's default executor;
    no thread is ever started)."""

    def __init__(self) -> None:
        super().__init__(max_workers=1)
        self._loop = asyncio.new_event_loop()

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> concurrent.futures.Future[Any]:
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()
        caller = _program_loop()
        _CALLER.loop = asyncio.events._get_running_loop()
        before = _enter(None)
        asyncio.set_event_loop(self._loop)
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as error:  # the caller gets it, as from a pool thread
            future.set_exception(error)
        finally:
            _leave(before)
            _CALLER.loop = caller
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._loop.close()
        super().shutdown(wait, cancel_futures=cancel_futures)


@contextlib.contextmanager
def monitor_calls_inline() -> Iterator[None]:
    """The running program's event loop answers monitor calls with :class:`Inline`."""
    loop = asyncio.get_event_loop()
    previous = getattr(loop, "_default_executor", None)
    inline = Inline()
    loop.set_default_executor(inline)
    try:
        yield
    finally:
        loop._default_executor = previous  # type: ignore[attr-defined]
        inline.shutdown()


@contextlib.contextmanager
def on_program_loop(loop: asyncio.AbstractEventLoop) -> Iterator[bool]:
    """Inside an :class:`Inline` call made from ``loop``: ``loop`` is the running and current
    loop again for the block, which yields True (run a coroutine on it with the SDK's
    ``_sync_await``, as the program's own thread would); elsewhere nothing changes and it
    yields False."""
    if _program_loop() is not loop:
        yield False
        return
    before = _enter(loop)
    asyncio.set_event_loop(loop)
    try:
        yield True
    finally:
        _leave(before)
