"""What the synth records: every registration the program makes, as the engine would receive it.

:class:`RecordingMonitor` is the SDK's mock monitor, extended to do what the engine does with a
registration before any provider sees it: run the transforms (:mod:`.transforms`) and refuse
what the engine refuses (:mod:`.engine`: duplicate URNs, unknown parents, providers and
dependencies); then it keeps each resource's type, name, parent, inputs (camelCase),
dependencies, ``protect`` flag and explicit provider as a :class:`Recorded`.
:class:`SynthResult` holds them with the stack outputs, secrets written as ``"[secret]"``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pulumi
from google.protobuf import json_format
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import rpc

from .diff import SECRET, UNKNOWN
from .engine import Registry
from .errors import SynthError as SynthError
from .transforms import Transforms

# The SDK's wire sentinels: how the engine marks secrets, resource references, output values
# and unknowns inside property maps.
_SIG_KEY = rpc._special_sig_key
_SECRET_SIG = rpc._special_secret_sig
_RESOURCE_SIG = rpc._special_resource_sig
_OUTPUT_SIG = rpc._special_output_value_sig
_UNKNOWN_VALUE = rpc.UNKNOWN


@dataclass
class Recorded:
    """One registered resource."""

    urn: str
    type: str
    name: str
    parent: str | None
    custom: bool
    inputs: dict[str, Any]
    dependencies: list[str]
    protect: bool
    provider: str | None = None
    """URN of the provider the resource was given (``opts.provider``, or inherited from its
    parent); None for the default provider of its package."""

    def as_json(self) -> dict[str, Any]:
        return {
            "urn": self.urn,
            "type": self.type,
            "name": self.name,
            "parent": self.parent,
            "custom": self.custom,
            "inputs": self.inputs,
            "dependencies": self.dependencies,
            "protect": self.protect,
            "provider": self.provider,
        }


@dataclass
class SynthResult:
    """What a program registered under mocks."""

    project: str
    stack: str
    resources: list[Recorded] = field(default_factory=list)
    outputs: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "project": self.project,
            "stack": self.stack,
            "resources": [r.as_json() for r in self.resources],
            "outputs": self.outputs,
        }

    def by_type(self, type_: str) -> list[Recorded]:
        """Every resource of the given type token, in registration order."""
        return [r for r in self.resources if r.type == type_]

    def one(self, type_: str, name: str | None = None) -> Recorded:
        """The single resource of ``type_`` (and ``name``), or an AssertionError listing what exists."""
        found = [r for r in self.by_type(type_) if name is None or r.name == name]
        if len(found) != 1:
            names = [r.name for r in self.by_type(type_)]
            raise AssertionError(f"expected one {type_} named {name!r}, found {names}")
        return found[0]


def _provider_urn(reference: str) -> str | None:
    """The URN in a provider reference (``<urn>::<id>``), or None for the default provider."""
    return reference.rsplit("::", 1)[0] if reference else None


class RecordingMonitor(pulumi_mocks.MockMonitor):
    """The SDK's mock monitor, also running transforms, refusing what the engine refuses and
    recording each registration's parent, dependencies and protect."""

    def __init__(self, mocks: pulumi.runtime.Mocks) -> None:
        super().__init__(mocks)
        self.recorded: list[Recorded] = []
        self.stack_urn: str | None = None
        self.registry = Registry()
        self.transforms = Transforms()

    def RegisterResource(self, request: Any) -> Any:
        if request.type == "pulumi:pulumi:Stack":
            response = super().RegisterResource(request)
            self.stack_urn = response.urn
            self.registry.add_stack(response.urn)
            return response
        urn = self.make_urn(request.parent, request.type, request.name)
        request = self.transforms.apply(request, self.registry.parent_of)
        self.registry.register(urn, request)
        self.transforms.remember(urn, request)
        response = super().RegisterResource(request)
        raw = json_format.MessageToDict(request.object, preserving_proto_field_name=True)
        if "__provider" in raw:  # a dynamic provider, serialised: code, not configuration
            raw["__provider"] = "[dynamic provider]"
        parent = request.parent or None
        self.recorded.append(
            Recorded(
                urn=response.urn,
                type=request.type,
                name=request.name,
                parent=None if parent == self.stack_urn else parent,
                custom=bool(request.custom),
                inputs=_plain(raw),
                dependencies=sorted(set(request.dependencies)),
                protect=bool(request.protect),
                provider=_provider_urn(request.provider),
            )
        )
        return response

    # Resource references (a resource passed as an input, e.g. a Role to pulumi-eks) are written
    # as the resource's id: the SDK's mock monitor would otherwise re-create the referenced
    # resource on its own thread's event loop, which the program's loop cannot await.
    def SupportsFeature(self, request: Any) -> Any:
        if request.id == "resourceReferences":
            return type("SupportsFeatureResponse", (object,), {"hasSupport": False})
        return super().SupportsFeature(request)

    def GetDeploymentInfo(self, request: Any) -> Any:
        from pulumi.runtime.proto import resource_pb2

        info = super().GetDeploymentInfo(request)
        features = [
            f
            for f in info.supportedFeatures
            if f != resource_pb2.RESOURCE_MONITOR_FEATURE_RESOURCE_REFERENCES
        ]
        return resource_pb2.DeploymentInfo(supportedFeatures=features)

    def RegisterStackTransform(self, request: Any) -> Any:
        self.transforms.add_stack(request)
        return super().RegisterStackTransform(request)

    def RegisterStackInvokeTransform(self, request: Any) -> Any:
        self.transforms.add_stack_invoke(request)
        return super().RegisterStackInvokeTransform(request)

    def Invoke(self, request: Any) -> Any:
        self.registry.check_invoke(request)
        return super().Invoke(self.transforms.apply_invoke(request))

    def ReadResource(self, request: Any) -> Any:
        """A resource read, not created (``pulumi.StackReference``, ``get`` of an existing one)."""
        self.registry.register(self.make_urn(request.parent, request.type, request.name), request)
        response = super().ReadResource(request)
        raw = json_format.MessageToDict(request.properties, preserving_proto_field_name=True)
        parent = request.parent or None
        self.recorded.append(
            Recorded(
                urn=response.urn,
                type=request.type,
                name=request.name,
                parent=None if parent == self.stack_urn else parent,
                custom=True,
                inputs=_plain(raw),
                dependencies=sorted(set(request.dependencies)),
                protect=False,
                provider=_provider_urn(request.provider),
            )
        )
        return response


def _plain(value: Any) -> Any:
    """Engine wire values -> JSON: secrets masked, resource references as URNs, unknowns marked."""
    if isinstance(value, dict):
        sig = value.get(_SIG_KEY)
        if sig == _SECRET_SIG:
            return SECRET
        if sig == _RESOURCE_SIG:
            return value.get("urn")
        if sig == _OUTPUT_SIG:
            if value.get("secret"):
                return SECRET
            return _plain(value["value"]) if "value" in value else UNKNOWN
        if sig is not None:
            return "[asset]"
        return {k: _plain(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if value == _UNKNOWN_VALUE:
        return UNKNOWN
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# -- loading a program ----------------------------------------------------------------------
