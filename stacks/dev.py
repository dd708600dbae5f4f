"""The dev environment: the platform plus the demo workloads and the 2048 sample app."""

from __future__ import annotations

import dataclasses

import pulumi

from stacks.sample_app import SampleApp

from .config import PlatformConfig
from .demo import deploy_demo
from .platform import deploy


def main(config: PlatformConfig) -> None:
    platform = deploy(config)
    if config.demo is not None:
        deploy_demo(platform, config.demo)
    if config.sample_app is not None and platform.load_balancer_controller is not None:
        app = SampleApp(
            f"{config.cluster.cluster_name}-game-2048",
            dataclasses.replace(config.sample_app, controller=platform.load_balancer_controller),
        )
        pulumi.export("sampleAppUrl", app.url)
