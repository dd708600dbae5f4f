"""load_balancer_controller."""

from .component import *  # noqa: F403
