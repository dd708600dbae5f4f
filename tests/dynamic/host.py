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
import tempfile
import threading
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
    """One provider host process: ``cwd`` and ``pythonpath`` decide what it can import.

    Its standard error goes to a file (a long-lived host must never block on a full pipe), its
    standard output is read on after the port (a provider may print)."""

    def __init__(self, env: dict[str, str], cwd: Path, pythonpath: list[Path] | None = None):
        environment = {k: v for k, v in env.items() if k != "PYTHONPATH"}
        if pythonpath:
            environment["PYTHONPATH"] = os.pathsep.join(str(p) for p in pythonpath)
        self.cwd = cwd
        self.stderr = tempfile.TemporaryFile()  # noqa: SIM115 (closed by close())
        self.process = subprocess.Popen(
            [sys.executable, "-m", "pulumi.dynamic"],
            cwd=cwd,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line.strip():
            self.process.wait(timeout=10)
            raise HostError(self.errors())
        threading.Thread(target=self.process.stdout.read, daemon=True).start()
        self.channel = grpc.insecure_channel(f"127.0.0.1:{int(line)}")
        self.stub = ResourceProviderStub(self.channel)

    def alive(self) -> bool:
        return self.process.poll() is None

    def errors(self) -> str:
        """What the host wrote to its standard error so far."""
        self.stderr.seek(0)
        return self.stderr.read().decode(errors="replace")

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
        self.process.wait(timeout=10)
        self.stderr.close()

    def __enter__(self) -> Host:
        return self

    def __exit__(self, *_: Any) -> None:
        self.close()


class Hosts:
    """Provider hosts shared by the tests of a session, one per layout (``cwd`` and
    ``pythonpath``), started when first asked for and again if one died.

    A host costs half a second of CPU to start and about two more the first time it loads a
    cleanup (``kubernetes``' client above all, then ``boto3`` and the assumed role). Sharing
    one is what the engine does too (one host serves a whole deployment), and no test depends
    on what another did before: every test configures the host, works on a cluster and fake
    API servers of its own, and passes alone. The host keeps each provider it loaded (by its
    serialized bytes) configured with the first ``Configure``: every test sends the same stack
    configuration, and the hosts' environment is the session's (``Hosts.env``)."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self._hosts: dict[tuple[Path, tuple[Path, ...]], Host] = {}

    def get(self, cwd: Path, pythonpath: list[Path] | None = None) -> Host:
        key = (cwd, tuple(pythonpath or []))
        host = self._hosts.get(key)
        if host is None or not host.alive():
            if host is not None:
                host.close()
            host = self._hosts[key] = Host(self.env, cwd, pythonpath)
        return host

    def close(self) -> None:
        for host in self._hosts.values():
            host.close()
        self._hosts.clear()
