"""The SDK's dynamic provider host, run as the engine runs it, and driven over gRPC.

``python -m pulumi.dynamic`` (``pulumi/dynamic/__main__.py``) starts a gRPC server on a free
port of 127.0.0.1 and prints the port on stdout; the engine then calls ``Configure`` with the
stack's configuration and ``Check``/``Diff``/``Create``/``Update``/``Delete`` with the
resource's properties, the pickled provider among them as ``__provider``. :class:`Host` does
the same. Properties travel as ``google.protobuf.Struct`` (numbers become floats), without
secrets: the host answers ``Configure`` with ``acceptSecrets: false``, so the engine sends plain
values.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import json_format, struct_pb2
from pulumi.runtime.proto import provider_pb2
from pulumi.runtime.proto.provider_pb2_grpc import ResourceProviderStub

URN = "urn:pulumi:dev::eks-platform::pulumi-python:dynamic:Resource::{name}"
PROVIDER_KEY = "__provider"


def struct(values: dict[str, Any]) -> struct_pb2.Struct:
    message = struct_pb2.Struct()
    message.update(values)
    return message


def plain(message: struct_pb2.Struct) -> dict[str, Any]:
    return dict(json_format.MessageToDict(message))


class HostError(Exception):
    """A call failed in the host; the message is the provider's traceback."""


class Host:
    """One provider host process: ``cwd`` and ``pythonpath`` decide what it can import."""

    def __init__(self, env: dict[str, str], cwd: Path, pythonpath: list[Path] | None = None):
        environment = {k: v for k, v in env.items() if k != "PYTHONPATH"}
        if pythonpath:
            environment["PYTHONPATH"] = os.pathsep.join(str(p) for p in pythonpath)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "pulumi.dynamic"],
            cwd=cwd,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line.strip():
            raise HostError(self.process.communicate(timeout=10)[1].decode())
        self.channel = grpc.insecure_channel(f"127.0.0.1:{int(line)}")
        self.stub = ResourceProviderStub(self.channel)

    def _call(self, method: str, request: Any) -> Any:
        try:
            return getattr(self.stub, method)(request, timeout=60)
        except grpc.RpcError as error:
            raise HostError(f"{method}: {error.details()}") from None

    def configure(self, config: dict[str, Any]) -> None:
        """The stack's configuration, as the engine sends it: ``aws:region`` ... (strings)."""
        self._call(
            "Configure",
            provider_pb2.ConfigureRequest(
                args=struct(config), variables={k: str(v) for k, v in config.items()}
            ),
        )

    def check(self, name: str, olds: dict[str, Any], news: dict[str, Any]) -> dict[str, Any]:
        response = self._call(
            "Check",
            provider_pb2.CheckRequest(
                urn=URN.format(name=name), olds=struct(olds), news=struct(news)
            ),
        )
        assert not response.failures, response.failures
        return plain(response.inputs)

    def diff(self, name: str, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> Any:
        return self._call(
            "Diff",
            provider_pb2.DiffRequest(
                id=id_, urn=URN.format(name=name), olds=struct(olds), news=struct(news)
            ),
        )

    def create(self, name: str, props: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        response = self._call(
            "Create",
            provider_pb2.CreateRequest(urn=URN.format(name=name), properties=struct(props)),
        )
        return response.id, plain(response.properties)

    def update(
        self, name: str, id_: str, olds: dict[str, Any], news: dict[str, Any]
    ) -> dict[str, Any]:
        response = self._call(
            "Update",
            provider_pb2.UpdateRequest(
                id=id_, urn=URN.format(name=name), olds=struct(olds), news=struct(news)
            ),
        )
        return plain(response.properties)

    def delete(self, name: str, id_: str, props: dict[str, Any]) -> None:
        self._call(
            "Delete",
            provider_pb2.DeleteRequest(id=id_, urn=URN.format(name=name), properties=struct(props)),
        )

    def close(self) -> None:
        self.channel.close()
        self.process.kill()
        self.process.communicate(timeout=10)

    def __enter__(self) -> Host:
        return self

    def __exit__(self, *_: Any) -> None:
        self.close()
