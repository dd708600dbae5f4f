"""The dev environment: the platform plus the demo workloads and the 2048 sample app."""

from __future__ import annotations

from .config import PlatformConfig
from .demo.workloads import deploy_demo, deploy_sample_app
from .platform import deploy


def main(config: PlatformConfig) -> None:
    platform = deploy(config)
    deploy_demo(platform)
    deploy_sample_app(platform)
