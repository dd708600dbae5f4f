"""Offline synth: run a Pulumi program under mocks and record what it would register.

    python -m components.synth [--program DIR] [--stack NAME] [--json PATH]
    python -m components.synth diff BASE.json HEAD.json [--markdown] [--exit-code]

No Pulumi CLI, provider plugin or cloud account is needed: the program runs
in-process under the Pulumi SDK's mock engine with :class:`~components.mocks.PlatformMocks`.
The resource tree goes to stdout; ``--json`` writes every resource's type, name,
parent, inputs (as the engine receives them, camelCase), dependencies and
``protect`` flag, and the stack outputs. Secrets are written as ``"[secret]"``.
A configuration or validation error prints one line naming the key or argument
and exits 1.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import runpy
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
import yaml
from google.protobuf import json_format
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import settings as pulumi_settings
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from .mocks import DEFAULT_REGION, PlatformMocks
from .synth_diff import SECRET, UNKNOWN

_SIG_KEY = "4dabf18193072939515e22adb298388d"
_SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
_RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e"
_OUTPUT_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4"
_UNKNOWN_VALUE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


class SynthError(Exception):
    """A problem with the program's files or configuration, reported as one line."""


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


class RecordingMonitor(pulumi_mocks.MockMonitor):
    """The SDK's mock monitor, also recording each registration's parent, dependencies and protect."""

    def __init__(self, mocks: pulumi.runtime.Mocks) -> None:
        super().__init__(mocks)
        self.recorded: list[Recorded] = []
        self.stack_urn: str | None = None

    def RegisterResource(self, request: Any) -> Any:
        response = super().RegisterResource(request)
        if request.type == "pulumi:pulumi:Stack":
            self.stack_urn = response.urn
            return response
        raw = json_format.MessageToDict(request.object, preserving_proto_field_name=True)
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


def load_project_name(program: Path) -> str:
    path = program / "Pulumi.yaml"
    if not path.is_file():
        raise SynthError(f"--program: {path} not found (not a Pulumi project directory)")
    doc = yaml.safe_load(path.read_text()) or {}
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
        doc = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as e:
        raise SynthError(f"{path.name}: not valid YAML ({str(e).splitlines()[0]})") from None
    config: dict[str, str] = {}
    secret_keys: list[str] = []
    for key, value in (doc.get("config") or {}).items():
        full = key if ":" in key else f"{project}:{key}"
        if isinstance(value, dict) and set(value) == {"secure"}:
            config[full] = SECRET  # ciphertext cannot be decrypted offline
            secret_keys.append(full)
        elif isinstance(value, str):
            config[full] = value
        else:
            config[full] = json.dumps(value)
    return config, secret_keys


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


def run_program(
    program_fn: Any,
    project: str,
    stack: str,
    config: dict[str, str] | None = None,
    secret_keys: list[str] | None = None,
    recorded: list[Recorded] | None = None,
) -> SynthResult:
    """Run ``program_fn()`` (a Pulumi program as a function) under mocks; return what it registered.

    Exceptions raised by the program propagate (after outstanding registrations settle);
    pass a list as ``recorded`` to see what was registered before the exception.
    """
    config = dict(config or {})
    region = config.get("aws:region", DEFAULT_REGION)
    monitor = RecordingMonitor(PlatformMocks(region))
    if recorded is not None:
        monitor.recorded = recorded
    pulumi_settings.ROOT.set(None)  # a fresh root stack for every run in this process
    pulumi.runtime.set_mocks(
        monitor.mocks, project=project, stack=stack, preview=False, monitor=monitor
    )
    pulumi.runtime.set_all_config(config, secret_keys or [])
    _sync_await(run_pulumi_func(program_fn))
    root = pulumi_settings.get_root_resource()
    outputs = _resolve_outputs(dict(getattr(root, "outputs", {}) or {}))
    resources = sorted(monitor.recorded, key=lambda r: r.urn)
    return SynthResult(project=project, stack=stack, resources=resources, outputs=outputs)


def synth(program: Path | str = ".", stack: str = "dev") -> SynthResult:
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
        )


# -- rendering ------------------------------------------------------------------------------

_FACTS: dict[str, tuple[str, ...]] = {
    "awsx:ec2:Vpc": (
        "cidrBlock",
        "numberOfAvailabilityZones",
        "availabilityZoneNames",
        "natGateways.strategy",
    ),
    "eks:index:Cluster": (
        "name",
        "version",
        "authenticationMode",
        "endpointPublicAccess",
        "endpointPrivateAccess",
        "enabledClusterLogTypes",
        "encryptionConfigKeyArn",
        "deletionProtection",
    ),
    "aws:eks/nodeGroup:NodeGroup": (
        "instanceTypes",
        "capacityType",
        "scalingConfig",
        "labels",
        "taints",
    ),
    "aws:ec2/launchTemplate:LaunchTemplate": (
        "metadataOptions.httpTokens",
        "metadataOptions.httpPutResponseHopLimit",
        "blockDeviceMappings[0].ebs.volumeSize",
    ),
    "aws:eks/addon:Addon": ("addonName", "addonVersion"),
    "aws:eks/accessEntry:AccessEntry": ("principalArn",),
    "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": ("policyArn",),
    "aws:eks/fargateProfile:FargateProfile": ("selectors",),
    "aws:eks/podIdentityAssociation:PodIdentityAssociation": ("namespace", "serviceAccount"),
    "aws:iam/role:Role": ("name",),
    "aws:iam/policy:Policy": ("name",),
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": ("policyArn",),
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": ("url", "clientIdLists"),
    "aws:kms/key:Key": ("enableKeyRotation",),
    "aws:acm/certificate:Certificate": ("domainName", "validationMethod"),
    "aws:route53/record:Record": ("name", "type"),
    "kubernetes:helm.sh/v3:Release": ("chart", "version", "namespace"),
    "kubernetes:core/v1:ServiceAccount": (
        "metadata.namespace",
        "metadata.name",
        "metadata.annotations.eks.amazonaws.com/role-arn",
    ),
    "kubernetes:core/v1:Namespace": ("metadata.name",),
    "kubernetes:networking.k8s.io/v1:Ingress": (
        "metadata.namespace",
        "spec.ingressClassName",
        "spec.rules",
    ),
    "kubernetes:networking.k8s.io/v1:IngressClass": ("spec.controller",),
}


def _get_path(doc: Any, path: str) -> Any:
    # Keys may contain dots (annotations): try the longest key first.
    if not path:
        return doc
    if isinstance(doc, dict):
        for key in sorted(
            (k for k in doc if path == k or path.startswith(k + ".") or path.startswith(k + "[")),
            key=len,
            reverse=True,
        ):
            rest = path[len(key) :].lstrip(".")
            return _get_path(doc[key], rest)
        return None
    if isinstance(doc, list) and path.startswith("["):
        index, _, rest = path[1:].partition("]")
        return _get_path(doc[int(index)], rest.lstrip(".")) if int(index) < len(doc) else None
    return None


def _summary(value: Any) -> str:
    if value == SECRET:
        return SECRET
    if isinstance(value, dict | list):
        text = json.dumps(value, separators=(",", ":"), sort_keys=True)
    else:
        text = str(value)
    return text if len(text) <= 90 else text[:87] + "..."


def facts(resource: Recorded) -> list[str]:
    """The few inputs of a resource that a reviewer looks at first."""
    found = []
    for path in _FACTS.get(resource.type, ()):
        value = _get_path(resource.inputs, path)
        if value not in (None, "", [], {}):
            found.append(
                f"{path.split('.')[-1] if '/' not in path else 'role-arn'}={_summary(value)}"
            )
    if resource.protect:
        found.append("protected")
    return found


def render_tree(result: SynthResult) -> str:
    children: dict[str | None, list[Recorded]] = {}
    for r in result.resources:
        children.setdefault(r.parent, []).append(r)
    lines = [f"{result.project}/{result.stack}: {len(result.resources)} resources"]

    def walk(parent: str | None, prefix: str) -> None:
        kids = children.get(parent, [])
        for i, r in enumerate(kids):
            last = i == len(kids) - 1
            found = facts(r)
            fact_text = "  " + ", ".join(found) if found else ""
            lines.append(f"{prefix}{'└─ ' if last else '├─ '}{r.type}  {r.name}{fact_text}")
            walk(r.urn, prefix + ("   " if last else "│  "))

    walk(None, "")
    if result.outputs:
        lines.append("outputs:")
        for key, value in result.outputs.items():
            lines.append(f"  {key}: {_summary(value)}")
    return "\n".join(lines)


# -- command line ---------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "diff":
        from .synth_diff import main as diff_main

        return diff_main(argv[1:])
    parser = argparse.ArgumentParser(
        prog="python -m components.synth", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--program", default=".", help="Pulumi project directory (default: .)")
    parser.add_argument(
        "--stack", default="dev", help="stack name: reads Pulumi.<stack>.yaml (default: dev)"
    )
    parser.add_argument(
        "--json", dest="json_path", help="also write the resources as JSON to this path"
    )
    args = parser.parse_args(argv)
    try:
        result = synth(args.program, args.stack)
    except (
        SynthError,
        ValueError,
        pulumi.RunError,
        pulumi.ConfigMissingError,
        pulumi.ConfigTypeError,
    ) as e:
        message = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        print(f"error: {message}", file=sys.stderr)
        return 1
    print(render_tree(result))
    if args.json_path:
        path = Path(args.json_path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(result.as_json(), indent=2, sort_keys=False) + "\n")
    return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    os._exit(code)  # skip interpreter teardown: the SDK's event loops complain when collected
