"""The dev environment: the platform plus the demo workloads (``eks-platform:demo``)."""

from __future__ import annotations

from .config import load
from .demo import deploy_demo
from .platform import deploy


def main() -> None:
    config = load()
    platform = deploy(config)
    if config.demo is not None:
        deploy_demo(platform, config.demo)
