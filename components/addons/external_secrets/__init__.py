"""external_secrets."""

from .component import *  # noqa: F403
