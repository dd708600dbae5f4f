"""The dev environment: the platform plus the demo workloads."""

from __future__ import annotations

from .config import load
from .platform import deploy


def main() -> None:
    deploy(load())
