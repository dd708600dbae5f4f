"""The staging environment: the platform, nothing else (sizes and switches in Pulumi.staging.yaml)."""

from __future__ import annotations

from .config import PlatformConfig
from .platform import deploy


def main(config: PlatformConfig) -> None:
    deploy(config)
