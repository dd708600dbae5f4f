"""Run a Pulumi program under mocks and record what it would register.

No Pulumi CLI, provider plugin or cloud account is needed: the program runs in-process
under the Pulumi SDK's mock engine with :class:`~.mocks.PlatformMocks`. :func:`synth`
runs a program directory for one stack; :func:`run_program` runs a Python function (the
tests use it). Each returns a :class:`SynthResult`: every resource's type, name, parent,
inputs (as the engine receives them, camelCase), dependencies, ``protect`` flag and explicit
provider, and the stack outputs, with secrets written as ``"[secret]"``.

``pulumi.StackReference`` works: the referenced stack's outputs come from ``stack_outputs``
(a synth JSON document of that stack, or a mapping of its outputs), else from
:func:`~.mocks.default_stack_outputs`; outputs given for a stack the program does not
reference, or an output the program requires that its stack lacks, are refused
(:mod:`.stack_refs`).

What the engine refuses is refused (:mod:`.engine`, through the monitor): the exception the
engine would have reported first (an :class:`~.errors.EngineRefusal`) is the one raised.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import os
import runpy
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pulumi
import yaml
from pulumi.runtime import settings as pulumi_settings
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from .diff import SECRET
from .mocks import DEFAULT_REGION, PlatformMocks
from .monitor_calls import monitor_calls_inline
from .record import Recorded, RecordingMonitor, SynthError, SynthResult
from .stack_refs import STACK_REFERENCE, check_referenced, strict_require_output
from .stack_refs import load_stack_outputs as load_stack_outputs
from .stack_trace import faster_stack_traces

_SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""PyYAML's safe loader, parsing with libyaml where PyYAML was built with it (ten times faster
on a stack file; the same documents, errors worded a little differently)."""


def load_project_name(program: Path) -> str:
    path = program / "Pulumi.yaml"
    if not path.is_file():
        raise SynthError(f"--program: {path} not found (not a Pulumi project directory)")
    doc = yaml.load(path.read_text(), Loader=_SAFE_LOADER) or {}
    name = doc.get("name")
    if not isinstance(name, str) or not name:
        raise SynthError(f"{path}: 'name' is missing")
    return name


def load_stack_config(program: Path, project: str, stack: str) -> tuple[dict[str, str], list[str]]:
    """``Pulumi.<stack>.yaml`` as the engine passes it: namespaced keys, string values."""
    path = program / f"Pulumi.{stack}.yaml"
    if not path.is_file():
        available = sorted(
            p.name[len("Pulumi.") : -len(".yaml")] for p in program.glob("Pulumi.*.yaml")
        )
        raise SynthError(
            f"--stack: {path.name} not found; stacks here: {', '.join(available) or 'none'}"
        )
    try:
        doc = yaml.load(path.read_text(), Loader=_UniqueKeyLoader) or {}
    except _DuplicateKey as e:
        raise SynthError(f"{path.name}: {e}") from None
    except yaml.YAMLError as e:
        raise SynthError(f"{path.name}: not valid YAML ({' '.join(str(e).split())})") from None
    if not isinstance(doc, dict):
        raise SynthError(
            f"{path.name}: must be a mapping (secretsprovider:, config:, ...), got a "
            f"{type(doc).__name__}"
        )
    raw = doc.get("config") or {}
    if not isinstance(raw, dict):
        raise SynthError(
            f"{path.name}: config: must be a mapping of keys to values "
            f"(e.g. 'eks-platform:cluster: {{...}}'), got a {type(raw).__name__}"
        )
    config: dict[str, str] = {}
    secret_keys: list[str] = []
    for key, value in raw.items():
        full = key if ":" in key else f"{project}:{key}"
        if isinstance(value, dict) and set(value) == {"secure"}:
            config[full] = SECRET  # ciphertext cannot be decrypted offline
            secret_keys.append(full)
        elif isinstance(value, str):
            config[full] = value
        else:
            config[full] = json.dumps(value)
    return config, secret_keys


class _DuplicateKey(Exception):
    """A mapping that names the same key twice."""


class _UniqueKeyLoader(_SAFE_LOADER):
    """PyYAML keeps the last of two equal keys without a word; a stack file with the same node
    group twice is a mistake, so it is refused, naming the key and both lines."""

    def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            line = key_node.start_mark.line + 1
            if key in seen:
                raise _DuplicateKey(
                    f"line {line}: duplicate key {key!r} (also on line {seen[key]}); keep one"
                )
            seen[key] = line
        return super().construct_mapping(node, deep=deep)


@contextlib.contextmanager
def _program_context(program: Path) -> Iterator[None]:
    """Run with the program directory as cwd and first on sys.path, as the Pulumi runtime does."""
    old_cwd, old_path = os.getcwd(), list(sys.path)
    os.chdir(program)
    sys.path.insert(0, str(program))
    try:
        yield
    finally:
        os.chdir(old_cwd)
        sys.path[:] = old_path


def _resolve_outputs(outputs: dict[str, Any]) -> dict[str, Any]:
    async def resolve(value: Any) -> Any:
        if isinstance(value, pulumi.Output):
            if await value.is_secret():
                return SECRET
            return await resolve(await value.future())
        if isinstance(value, dict):
            return {k: await resolve(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [await resolve(v) for v in value]
        if isinstance(value, pulumi.Resource):
            return await value.urn.future()
        return value

    return {k: _sync_await(resolve(v)) for k, v in sorted(outputs.items())}


@contextlib.contextmanager
def _tracked_tasks() -> Iterator[list[asyncio.Future[Any]]]:
    """The tasks created on the event loop inside the block. (``asyncio.all_tasks`` would also
    walk every finished task of earlier runs that is not yet garbage: slow in a test process.)"""
    loop = asyncio.get_event_loop()
    previous = loop.get_task_factory()
    tasks: list[asyncio.Future[Any]] = []

    def factory(loop: asyncio.AbstractEventLoop, coro: Any, **kwargs: Any) -> Any:
        task = (
            previous(loop, coro, **kwargs) if previous else asyncio.Task(coro, loop=loop, **kwargs)
        )
        tasks.append(task)
        return task

    loop.set_task_factory(factory)
    try:
        yield tasks
    finally:
        loop.set_task_factory(previous)


@contextlib.contextmanager
def _collected_after() -> Iterator[None]:
    """Fewer cyclic garbage collections while a program runs: every 50,000 allocations instead
    of 700 (or rarer still, where the process already says so). A run makes many short-lived objects in reference cycles (Outputs, futures, tasks),
    and each full collection they trigger walks the whole heap, mostly the provider SDKs'
    modules. (Turning collection off for the run was faster still in a test process, but left
    a whole process more to collect at its end.)"""
    before = gc.get_threshold()
    gc.set_threshold(
        *(max(now, least) for now, least in zip(before, (50_000, 20, 20), strict=True))
    )
    try:
        yield
    finally:
        gc.set_threshold(*before)


def _cancel_pending(tasks: list[asyncio.Future[Any]]) -> None:
    """Cancel what a failed program left running, so that a next run in this process is clean."""
    pending = [t for t in tasks if not t.done()]
    for task in pending:
        task.cancel()
    if pending:
        asyncio.get_event_loop().run_until_complete(
            asyncio.gather(*pending, return_exceptions=True)
        )
    with pulumi_settings.SETTINGS.lock:
        pulumi_settings.SETTINGS.outputs.clear()  # failed applies the SDK would await next run


def run_program(
    program_fn: Any,
    project: str,
    stack: str,
    config: dict[str, str] | None = None,
    secret_keys: list[str] | None = None,
    recorded: list[Recorded] | None = None,
    stack_outputs: dict[str, dict[str, Any]] | None = None,
    mocks: PlatformMocks | None = None,
) -> SynthResult:
    """Run ``program_fn()`` (a Pulumi program as a function) under mocks; return what it registered.

    ``stack_outputs`` maps a referenced stack's name (``org/project/stack``) to its outputs;
    a name the program does not reference is a :class:`SynthError`.
    Exceptions raised by the program propagate (after outstanding registrations settle),
    except that a registration the engine refuses raises that refusal (the first one);
    pass a list as ``recorded`` to see what was registered before the exception.
    """
    config = dict(config or {})
    region = config.get("aws:region", DEFAULT_REGION)
    monitor = RecordingMonitor(mocks or PlatformMocks(region, stack_outputs))
    if recorded is not None:
        monitor.recorded = recorded
    pulumi_settings.ROOT.set(None)  # a fresh root stack for every run in this process
    pulumi.runtime.set_mocks(
        monitor.mocks, project=project, stack=stack, preview=False, monitor=monitor
    )
    pulumi.runtime.set_all_config(config, secret_keys or [])
    with _tracked_tasks() as tasks:
        try:
            with (
                strict_require_output(stack_outputs or {}),
                faster_stack_traces(),
                _collected_after(),
                monitor_calls_inline(),
            ):
                _sync_await(run_pulumi_func(program_fn))
        except BaseException as error:
            _cancel_pending(tasks)  # a failed program leaves applies behind; they must not leak
            if monitor.registry.refusals and isinstance(error, Exception):
                raise monitor.registry.refusals[0] from None
            raise
    if monitor.registry.refusals:  # refused where nothing awaited the result
        raise monitor.registry.refusals[0]
    referenced = {str(r.inputs.get("name")) for r in monitor.recorded if r.type == STACK_REFERENCE}
    check_referenced(stack_outputs or {}, referenced)
    root = pulumi_settings.get_root_resource()
    outputs = _resolve_outputs(dict(getattr(root, "outputs", {}) or {}))
    resources = sorted(monitor.recorded, key=lambda r: r.urn)
    return SynthResult(project=project, stack=stack, resources=resources, outputs=outputs)


def synth(
    program: Path | str = ".",
    stack: str = "dev",
    stack_outputs: dict[str, dict[str, Any]] | None = None,
) -> SynthResult:
    """Synth the Pulumi program in ``program`` for ``stack`` (its ``Pulumi.<stack>.yaml``)."""
    program = Path(program).resolve()
    project = load_project_name(program)
    config, secret_keys = load_stack_config(program, project, stack)
    main = program / "__main__.py"
    if not main.is_file():
        raise SynthError(f"--program: {main} not found")
    with _program_context(program):
        return run_program(
            lambda: runpy.run_path(str(main), run_name="__main__"),
            project,
            stack,
            config,
            secret_keys,
            stack_outputs=stack_outputs,
        )
