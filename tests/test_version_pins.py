"""Every install line the docs and examples give names the version the package declares: a
reader who copies one gets the code the page describes (0.2 programs use names 0.3 changed:
docs/upgrading.md)."""

from __future__ import annotations

import re
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"eks-platform\s*@\s*git\+\S+?@v(\d+\.\d+\.\d+)")


def test_every_pin_is_the_declared_version() -> None:
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    places = [
        ROOT / "README.md",
        *sorted((ROOT / "docs").glob("*.md")),
        *sorted((ROOT / "examples").glob("*/requirements.txt")),
    ]
    pins = {
        f"{path.relative_to(ROOT)}: v{pinned}"
        for path in places
        for pinned in PIN.findall(path.read_text())
    }
    assert len(pins) >= 7, sorted(pins)  # README, the user guide, five examples
    assert {pin for pin in pins if not pin.endswith(f": v{version}")} == set()
