"""Evaluate a CrossGuard policy pack on what the offline synth recorded.

``python -m eks_platform.synth --policy-pack DIR [--policy-config FILE]`` runs the same pack
``pulumi preview --policy-pack DIR [--policy-pack-config FILE]`` runs, with the same code:

* :func:`load_policy_pack` runs the pack's ``__main__.py`` as the CLI does (``runpy``, the pack
  directory first on ``sys.path`` and as the working directory) with ``pulumi_policy.PolicyPack``
  swapped for a recorder, so the policies are collected and no gRPC server starts;
* :func:`~.policy_config.configure` reconciles the config as the CLI does: each policy's default enforcement
  level and schema defaults, then the pack's ``initial_config``, then the config file (``all``
  sets every level), validated against each policy's schema;
* :func:`evaluate` builds the SDK's own ``ResourceValidationArgs`` (per recorded resource) and
  ``StackValidationArgs`` (``PolicyResource``s linked to parents and dependencies), with the
  props wrapped in the SDK's unknown-checking proxy, and runs every enabled policy.

What differs from the engine: a policy sees the inputs the program registered, also where the
engine would show outputs (stack policies see outputs under the engine); secrets and values
unknown offline (``"[secret]"``, ``"[unknown]"``) read as unknown, which the SDK reports as
"can't run" (advisory) like an unknown during preview; resources the program only read
(``.get``) are evaluated too except ``pulumi:pulumi:StackReference``; no stack tags, and no
default providers. A remote component (``eks:index:Cluster``) is seen with the inputs the
program gave it, its children not at all; under the engine it is the other way around.

Only ``pulumi-policy`` is imported, and only when a pack is loaded; no provider SDK.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import os
import re
import runpy
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from .diff import SECRET, UNKNOWN
from .policy_config import PolicyPackError, configure, load_policy_config

if TYPE_CHECKING:
    from .runner import Recorded, SynthResult

NOT_ANALYZED = {"pulumi:pulumi:StackReference"}  # reads: the engine never sends them to a pack
_PACK_NAME = re.compile(r"^[a-zA-Z0-9-_.]{1,100}$")


@dataclass(frozen=True)
class Violation:
    """One violation, as the engine would report it."""

    policy: str
    level: str
    """``mandatory`` or ``advisory`` (``remediate`` reports as mandatory, like the SDK)."""
    message: str
    urn: str | None = None
    type: str | None = None
    name: str | None = None

    def line(self) -> str:
        where = f"{self.type} {self.name}" if self.type else "stack"
        message = " ".join(self.message.split())
        return f"policy {self.level} {self.policy}: {where}: {message}"


@dataclass
class LoadedPack:
    """What the pack's ``__main__.py`` passed to ``PolicyPack``."""

    name: str
    policies: list[Any]
    enforcement_level: str
    initial_config: dict[str, Any] = field(default_factory=dict)
    directory: Path = Path(".")


@dataclass
class PolicyReport:
    pack: str
    violations: list[Violation]
    warnings: list[str]

    @property
    def mandatory(self) -> list[Violation]:
        return [v for v in self.violations if v.level == "mandatory"]


def _sdk() -> Any:
    try:
        import pulumi_policy
    except ImportError:
        raise PolicyPackError(
            "--policy-pack needs the pulumi-policy package (pip install pulumi-policy)"
        ) from None
    return pulumi_policy


# -- loading ------------------------------------------------------------------------------


def _local_names(directory: Path) -> set[str]:
    """Top-level modules and packages the pack directory provides (``rules``, ...)."""
    names = set()
    for path in directory.iterdir():
        if path.suffix == ".py" and path.stem != "__main__":
            names.add(path.stem)
        elif path.is_dir() and (path / "__init__.py").is_file():
            names.add(path.name)
    return names


@contextlib.contextmanager
def pack_imports(directory: Path) -> Iterator[None]:
    """The pack's directory first on sys.path and as cwd; its modules never shadow the
    program's (or another pack's) of the same name, before or after."""
    local = _local_names(directory)

    def ours(module: str) -> bool:
        return module.split(".", 1)[0] in local

    saved = {name: module for name, module in sys.modules.items() if ours(name)}
    for name in saved:
        del sys.modules[name]
    old_path, old_cwd = list(sys.path), os.getcwd()
    sys.path.insert(0, str(directory))
    os.chdir(directory)
    try:
        yield
    finally:
        os.chdir(old_cwd)
        sys.path[:] = old_path
        for name in [name for name in sys.modules if ours(name)]:
            del sys.modules[name]
        sys.modules.update(saved)


def load_policy_pack(directory: Path | str) -> LoadedPack:
    """Run the pack's ``__main__.py`` with ``PolicyPack`` recorded instead of served."""
    sdk = _sdk()
    directory = Path(directory).resolve()
    main = directory / "__main__.py"
    if not (directory / "PulumiPolicy.yaml").is_file() or not main.is_file():
        raise PolicyPackError(
            f"--policy-pack: {directory} is not a Python policy pack (PulumiPolicy.yaml and "
            "__main__.py)"
        )
    captured: list[LoadedPack] = []

    def record(
        name: str,
        policies: list[Any],
        enforcement_level: Any = None,
        initial_config: dict[str, Any] | None = None,
        *_: Any,
        **__: Any,
    ) -> None:
        level = enforcement_level.value if enforcement_level is not None else "advisory"
        captured.append(LoadedPack(name, policies, level, dict(initial_config or {}), directory))

    modules = [sdk, sys.modules["pulumi_policy.policy"]]
    originals = [module.PolicyPack for module in modules]
    try:
        with pack_imports(directory):
            for module in modules:
                module.PolicyPack = record
            runpy.run_path(str(main), run_name="__main__")
    except Exception as error:  # the pack's own code: report it in one line
        raise PolicyPackError(f"{main}: {type(error).__name__}: {_one_line(error)}") from error
    finally:
        for module, original in zip(modules, originals, strict=True):
            module.PolicyPack = original
    if len(captured) != 1:
        raise PolicyPackError(f"{main} constructed {len(captured)} PolicyPacks, not one")
    pack = captured[0]
    _check_pack(pack, sdk)
    return pack


def _check_pack(pack: LoadedPack, sdk: Any) -> None:
    """What ``PolicyPack`` itself refuses, and duplicate policy names."""
    where = f"{pack.directory}: PolicyPack"
    if not isinstance(pack.name, str) or not _PACK_NAME.match(pack.name):
        raise PolicyPackError(f"{where}: invalid name {pack.name!r}")
    if not pack.policies or not isinstance(pack.policies, list):
        raise PolicyPackError(f"{where}: policies must be a non-empty list")
    names = []
    for policy in pack.policies:
        if not isinstance(policy, sdk.Policy):
            raise PolicyPackError(f"{where}: {policy!r} is not a pulumi_policy.Policy")
        names.append(policy.name)
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise PolicyPackError(f"{where}: duplicate policy names {duplicates}")


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return text or type(error).__name__


# -- evaluation ---------------------------------------------------------------------------


def _engine_value(value: Any, unknown: str) -> Any:
    """Recorded inputs -> what the pack would see: offline secrets and unknowns are unknown."""
    if isinstance(value, dict):
        return {k: _engine_value(v, unknown) for k, v in value.items()}
    if isinstance(value, list):
        return [_engine_value(v, unknown) for v in value]
    if value in (SECRET, UNKNOWN):
        return unknown
    return value


def _run(result: Any) -> None:
    """Await what a validate function returned, on a loop of its own (as the SDK's server)."""
    if inspect.isawaitable(result):
        loop = asyncio.new_event_loop()
        try:
            loop.run_until_complete(result)
        finally:
            loop.close()


class _Context:
    """The SDK objects for the recorded resources, built once per evaluation."""

    def __init__(self, sdk: Any, resources: Sequence[Recorded]) -> None:
        from pulumi_policy import proxy

        self.sdk = sdk
        self.unknown_error = proxy.UnknownValueError
        self.by_urn = {r.urn: r for r in resources}
        self.props = {
            r.urn: proxy.unknown_checking_proxy(_engine_value(r.inputs, proxy.UNKNOWN_STRING_VALUE))
            for r in resources
        }

    def options(self, r: Recorded) -> Any:
        return self.sdk.PolicyResourceOptions(
            protect=r.protect,
            ignore_changes=[],
            delete_before_replace=None,
            aliases=[],
            custom_timeouts=self.sdk.PolicyCustomTimeouts(0, 0, 0),
            additional_secret_outputs=[],
            parent=r.parent,
        )

    def provider(self, r: Recorded) -> Any:
        provider = self.by_urn.get(r.provider) if r.provider else None
        if provider is None:
            return None  # the package's default provider: not recorded offline
        return self.sdk.PolicyProviderResource(
            provider.type, self.props[provider.urn], provider.urn, provider.name
        )

    def stack_resources(self, resources: Sequence[Recorded]) -> list[Any]:
        built = {
            r.urn: self.sdk.PolicyResource(
                r.type,
                self.props[r.urn],
                r.urn,
                r.name,
                self.options(r),
                self.provider(r),
                None,
                [],
                {},
            )
            for r in resources
        }
        for r in resources:
            resource = built[r.urn]
            resource.parent = built.get(r.parent) if r.parent else None
            resource.dependencies = [built[d] for d in r.dependencies if d in built]
        return list(built.values())


def evaluate(
    pack: LoadedPack, resources: Iterable[Recorded], config: Mapping[str, Any] | None = None
) -> PolicyReport:
    """Run every enabled policy of ``pack`` on ``resources`` with ``config`` (a policy config)."""
    sdk = _sdk()
    settings, warnings = configure(pack, config)
    analyzed = [r for r in resources if r.type not in NOT_ANALYZED]
    context = _Context(sdk, analyzed)
    violations: list[Violation] = []
    for policy in pack.policies:
        entry = settings[policy.name]
        if entry.level == "disabled":
            continue
        level = "mandatory" if entry.level == "remediate" else entry.level
        if isinstance(policy, sdk.ResourceValidationPolicy):
            if policy.has_validation():
                for r in analyzed:
                    args = sdk.ResourceValidationArgs(
                        r.type,
                        context.props[r.urn],
                        r.urn,
                        r.name,
                        context.options(r),
                        context.provider(r),
                        entry.config,
                        {},
                    )
                    violations += _validate(policy, args, level, context, r)
        elif isinstance(policy, sdk.StackValidationPolicy):
            args = sdk.StackValidationArgs(context.stack_resources(analyzed), entry.config, {})
            violations += _validate(policy, args, level, context, None)
    return PolicyReport(pack.name, violations, warnings)


def _validate(
    policy: Any, args: Any, level: str, context: _Context, resource: Recorded | None
) -> list[Violation]:
    found: list[Violation] = []

    def add(message: str, urn: str | None, as_level: str) -> None:
        subject = resource or context.by_urn.get(urn or "")
        found.append(
            Violation(
                policy=policy.name,
                level=as_level,
                message=message or policy.description,
                urn=subject.urn if subject else urn,
                type=subject.type if subject else None,
                name=subject.name if subject else None,
            )
        )

    def report(message: str, urn: str | None = None) -> None:
        add(message, urn, level)

    try:
        _run(policy.validate(args, report))
    except context.unknown_error as error:
        add(f"can't run: {error.message}", None, "advisory")  # as the SDK reports it
    except Exception as error:
        if type(error).__name__ == "_NotApplicableError":  # args.not_applicable(...)
            return []
        where = f" on {resource.type} {resource.name}" if resource else ""
        raise PolicyPackError(
            f"policy {policy.name} failed{where}: {type(error).__name__}: {_one_line(error)}"
        ) from error
    return found


# -- the command line's part --------------------------------------------------------------


def run_policy_pack(
    result: SynthResult,
    pack_dir: str | Path | None,
    config_path: str | Path | None = None,
    out: IO[str] | None = None,
    err: IO[str] | None = None,
) -> int:
    """``--policy-pack``/``--policy-config``: print each violation as one line; 1 on a
    mandatory violation or a broken pack or config, else 0."""
    out, err = out or sys.stdout, err or sys.stderr
    try:
        if not pack_dir:
            raise PolicyPackError("--policy-config needs --policy-pack")
        pack = load_policy_pack(pack_dir)
        config = load_policy_config(config_path) if config_path else {}
        report = evaluate(pack, result.resources, config)
    except PolicyPackError as error:
        print(f"error: {error}", file=err)
        return 1
    for warning in report.warnings:
        print(f"warning: {warning}", file=err)
    for violation in report.violations:
        print(violation.line(), file=out)
    mandatory = len(report.mandatory)
    print(
        f"policy pack {report.pack}: {len(pack.policies)} policies, {mandatory} mandatory and "
        f"{len(report.violations) - mandatory} advisory violations",
        file=err,
    )
    return 1 if mandatory else 0


def records(document: Mapping[str, Any]) -> list[Recorded]:
    """The resources of a synth ``--json`` document (tests/snapshots/<stack>.json)."""
    from .runner import Recorded

    return [Recorded(**resource) for resource in document["resources"]]
