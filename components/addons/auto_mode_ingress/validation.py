"""The rules of :class:`~components.addons.auto_mode_ingress.AutoModeIngressArgs`: the
load-balancer controller's for the classes they share (Auto Mode's classes have no web ACL)."""

from __future__ import annotations

from ..load_balancer_controller.validation import validate_classes
from .args import AutoModeIngressArgs


def validate_settings(args: AutoModeIngressArgs) -> None:
    """Check the plain (configurable) fields; raises ValueError naming the field."""
    validate_classes(args)
