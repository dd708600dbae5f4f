"""Run the project's stacks under the offline mocks, as they are or with an edited stack file."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from components.synth import Recorded, SynthResult, run_program
from stacks.config import PlatformConfig
from tests.stacks import synths

ROOT = Path(__file__).resolve().parents[2]
DEV = (ROOT / "Pulumi.dev.yaml").read_text()


def stack(name: str) -> SynthResult:
    """The synth of stack ``name`` as checked in, as ``synth()`` returns it (once per test
    process, shared with the transition scenarios: :func:`tests.stacks.synths.plain`).
    Shared: read-only."""
    return synths.plain(name)


def edited(old: str, new: str, text: str = DEV) -> str:
    """``text`` (Pulumi.dev.yaml) with its first ``old`` replaced by ``new``."""
    assert old in text, old
    return text.replace(old, new, 1)


def copy_program(tmp_path: Path, stack: str, config_text: str) -> Path:
    """A copy of the project with one stack file, to synth bad or unusual configurations."""
    for name in ("Pulumi.yaml", "__main__.py"):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(
        ROOT / "stacks", tmp_path / "stacks", ignore=shutil.ignore_patterns("__pycache__")
    )
    (tmp_path / f"Pulumi.{stack}.yaml").write_text(config_text)
    return tmp_path


def _dev_config(edit: Callable[[dict[str, Any]], None]) -> tuple[dict[str, str], list[str]]:
    parsed, secrets = synths.parsed_config("dev")  # a fresh copy of the file's, read once
    edit(parsed)
    return {k: (v if isinstance(v, str) else json.dumps(v)) for k, v in parsed.items()}, secrets


def run_dev_with(
    edit: Callable[[dict[str, Any]], None], recorded: list[Recorded] | None = None
) -> SynthResult:
    """Run the dev composition with an edited copy of Pulumi.dev.yaml's parsed config."""

    def program() -> None:
        from stacks import dev
        from stacks.config import load

        dev.main(load())

    raw, secrets = _dev_config(edit)
    return run_program(program, "eks-platform", "dev", raw, secrets, recorded=recorded)


def load_dev_with(edit: Callable[[dict[str, Any]], None]) -> PlatformConfig:
    """The dev configuration as :func:`stacks.config.load` reads it, after ``edit``."""
    loaded: list[PlatformConfig] = []

    def program() -> None:
        from stacks.config import load

        loaded.append(load())

    raw, secrets = _dev_config(edit)
    run_program(program, "eks-platform", "dev", raw, secrets)
    return loaded[0]


def set_path(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """An edit that sets ``key.field.field`` to ``value`` (``KeyError``: deletes it)."""
    key, *rest = path.split(".")

    def edit(config: dict[str, Any]) -> None:
        if not rest:
            if value is KeyError:
                del config[key]
            else:
                config[key] = value
            return
        node = config[key]
        for part in rest[:-1]:
            node = node[part]
        if value is KeyError:
            del node[rest[-1]]
        else:
            node[rest[-1]] = value

    return edit
