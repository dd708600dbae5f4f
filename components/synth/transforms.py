"""Transforms, run as the engine runs them.

The SDK hands ``ResourceOptions(transforms=[...])`` and ``pulumi.runtime.register_resource_transform``
(and ``register_invoke_transform``) to the engine as callbacks: tokens of functions that the
program's callbacks server runs when the engine asks. The SDK's mock monitor records them and
runs none. :class:`Transforms` runs them for the :class:`~.record.RecordingMonitor` the way the
engine does (``resmon.RegisterResource`` in ``pkg/resource/deploy/source_eval.go``):

* before anything else of the registration, the resource's own transforms, then its parent's,
  its grandparent's and so on, then the stack's (those registered before the resource), each
  receiving the properties and options the previous one returned;
* the stack's invoke transforms on every invoke's arguments and options;
* a transform receives the properties and options as the engine sends them
  (``TransformRequest``) and the SDK's own callback function answers, in-process and on the
  program's event loop, exactly as it answers the engine through the callbacks server.

The old ``transformations=`` run inside the SDK, before the registration reaches any
monitor; they need nothing here.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

from google.protobuf.message import Message
from pulumi.runtime._callbacks import _CallbackServicer
from pulumi.runtime.proto import alias_pb2, resource_pb2
from pulumi.runtime.sync_await import _sync_await

from .errors import SynthError
from .monitor_calls import on_program_loop


def _run(token: str, request: Message) -> Any:
    """Run the program's callback ``token`` on ``request``, as the callbacks server would."""
    for servicer in list(_CallbackServicer._servicers):
        callback = servicer._callbacks.get(token)
        if callback is not None:
            break
    else:
        raise SynthError(f"transform callback {token} is not registered with the program")
    coroutine: Any = callback(request.SerializeToString())
    with on_program_loop(servicer._loop) as inline:
        if inline:  # the monitor answers in the program's thread (.monitor_calls)
            return _sync_await(coroutine)
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if running is servicer._loop:  # called on the program's own thread
        return _sync_await(coroutine)
    return asyncio.run_coroutine_threadsafe(coroutine, servicer._loop).result()


def _options(request: Any) -> Any:
    """A registration's options as the engine sends them to a transform."""
    aliases = [alias_pb2.Alias(urn=u) for u in request.aliasURNs] + list(request.aliases)
    opts = resource_pb2.TransformResourceOptions(
        depends_on=list(request.dependencies),
        ignore_changes=list(request.ignoreChanges),
        replace_on_changes=list(request.replaceOnChanges),
        version=request.version,
        aliases=aliases,
        provider=request.provider,
        plugin_download_url=request.pluginDownloadURL,
        deleted_with=request.deletedWith,
        additional_secret_outputs=list(request.additionalSecretOutputs),
        providers=dict(request.providers),
        plugin_checksums=dict(request.pluginChecksums),
        hide_diff=list(request.hideDiffs),
        replace_with=list(request.replace_with),
    )
    setattr(opts, "import", request.importId)
    for field, source in (
        ("protect", "protect"),
        ("retain_on_delete", "retainOnDelete"),
    ):
        if request.HasField(source):
            setattr(opts, field, getattr(request, source))
    if request.deleteBeforeReplaceDefined or request.deleteBeforeReplace:
        opts.delete_before_replace = request.deleteBeforeReplace
    for field, source in (
        ("custom_timeouts", "customTimeouts"),
        ("hooks", "hooks"),
        ("replacement_trigger", "replacement_trigger"),
    ):
        if request.HasField(source):
            getattr(opts, field).CopyFrom(getattr(request, source))
    return opts


def _apply(request: Any, props: Any, opts: Any, own: bool) -> Any:
    """The registration with the properties and options the transforms returned."""
    new: Any = resource_pb2.RegisterResourceRequest()
    new.CopyFrom(request)
    new.object.CopyFrom(props)
    for field, value in (
        ("ignoreChanges", opts.ignore_changes),
        ("replaceOnChanges", opts.replace_on_changes),
        ("additionalSecretOutputs", opts.additional_secret_outputs),
        ("hideDiffs", opts.hide_diff),
        ("replace_with", opts.replace_with),
        ("aliasURNs", []),
    ):
        del getattr(new, field)[:]
        getattr(new, field).extend(value)
    del new.aliases[:]
    new.aliases.extend(opts.aliases)
    new.version, new.provider = opts.version, opts.provider
    new.pluginDownloadURL, new.deletedWith = opts.plugin_download_url, opts.deleted_with
    new.importId = getattr(opts, "import")
    for mapping, value in (
        ("providers", opts.providers),
        ("pluginChecksums", opts.plugin_checksums),
    ):
        getattr(new, mapping).clear()
        getattr(new, mapping).update(value)
    for field, source in (("protect", "protect"), ("retainOnDelete", "retain_on_delete")):
        if opts.HasField(source):
            setattr(new, field, getattr(opts, source))
        else:
            new.ClearField(field)
    new.deleteBeforeReplaceDefined = opts.HasField("delete_before_replace")
    new.deleteBeforeReplace = opts.delete_before_replace
    for field, source in (
        ("customTimeouts", "custom_timeouts"),
        ("hooks", "hooks"),
        ("replacement_trigger", "replacement_trigger"),
    ):
        if opts.HasField(source):
            getattr(new, field).CopyFrom(getattr(opts, source))
        else:
            new.ClearField(field)
    if own:
        # The engine reparses the dependencies from the transforms' result only when the
        # resource has transforms of its own: the options' depends_on, and the dependencies
        # the remaining properties carry.
        dependencies = set(opts.depends_on)
        for key in list(new.propertyDependencies):
            if key in new.object.fields:
                dependencies.update(new.propertyDependencies[key].urns)
            else:
                del new.propertyDependencies[key]
        del new.dependencies[:]
        new.dependencies.extend(sorted(dependencies))
    return new


class Transforms:
    """The transforms of a deployment: each resource's own (which its children inherit), and
    the stack's, for resources and for invokes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._own: dict[str, list[str]] = {}
        self._stack: list[str] = []
        self._invoke: list[str] = []

    def add_stack(self, callback: Any) -> None:
        """``register_resource_transform``: for every resource registered from now on."""
        with self._lock:
            self._stack.append(callback.token)

    def add_stack_invoke(self, callback: Any) -> None:
        """``register_invoke_transform``: for every invoke from now on."""
        with self._lock:
            self._invoke.append(callback.token)

    def remember(self, urn: str, request: Any) -> None:
        """A registered resource's own transforms, which also run for its children."""
        if request.transforms:
            with self._lock:
                self._own[urn] = [c.token for c in request.transforms]

    def apply(self, request: Any, parent_of: Callable[[str], str | None]) -> Any:
        """The registration as the transforms leave it: its own, then its ancestors', then the
        stack's."""
        own = [c.token for c in request.transforms]
        with self._lock:
            tokens = list(own)
            parent: str | None = request.parent
            while parent:
                tokens += self._own.get(parent, [])
                parent = parent_of(parent)
            tokens += self._stack
        if not tokens:
            return request
        props, opts = request.object, _options(request)
        for token in tokens:
            response = _run(
                token,
                resource_pb2.TransformRequest(
                    type=request.type,
                    name=request.name,
                    custom=request.custom,
                    parent=request.parent,
                    properties=props,
                    options=opts,
                ),
            )
            if response.HasField("properties"):
                props = response.properties
            if response.HasField("options"):
                opts = response.options
        return _apply(request, props, opts, own=bool(own))

    def apply_invoke(self, request: Any) -> Any:
        """An invoke as the stack's invoke transforms leave it."""
        with self._lock:
            tokens = list(self._invoke)
        if not tokens or request.tok == "pulumi:pulumi:getResource":
            return request
        args = request.args
        opts = resource_pb2.TransformInvokeOptions(
            provider=request.provider,
            plugin_download_url=request.pluginDownloadURL,
            version=request.version,
            plugin_checksums=dict(request.pluginChecksums),
        )
        for token in tokens:
            response = _run(
                token,
                resource_pb2.TransformInvokeRequest(token=request.tok, args=args, options=opts),
            )
            if response.HasField("args"):
                args = response.args
            if response.HasField("options"):
                opts = response.options
        new = resource_pb2.ResourceInvokeRequest()
        new.CopyFrom(request)
        new.args.CopyFrom(args)
        new.provider, new.version = opts.provider, opts.version
        new.pluginDownloadURL = opts.plugin_download_url
        new.pluginChecksums.clear()
        new.pluginChecksums.update(opts.plugin_checksums)
        return new
