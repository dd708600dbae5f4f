"""external_dns."""

from .component import *  # noqa: F403
