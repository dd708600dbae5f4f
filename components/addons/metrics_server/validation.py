"""MetricsServer's rules, beside its args: :func:`validate_settings` is the one implementation
the component and the stack configuration (``eks-platform:metricsServer``) run."""

from __future__ import annotations

from ... import validation as v
from ...cluster.addon_spec import AddonSpec, validate_addon_spec
from .args import ADDON_NAME, MetricsServerArgs

MANAGED_VALUES = {
    "nodeSelector": "node_selector",
    "tolerations": "tolerations",
    "replicas": "replicas",
}
"""Configuration keys MetricsServer sets (the chart's top-level ``nodeSelector``,
``tolerations`` and ``replicas``), each with the argument that sets it."""


def validate_settings(args: MetricsServerArgs) -> None:
    """Check the plain fields; raises InvalidArgument naming the field."""
    spec = AddonSpec(version=args.version, configuration_values=args.configuration_values)
    validate_addon_spec(ADDON_NAME, spec, managed=MANAGED_VALUES)
    if args.replicas is not None:
        v.positive_int(args.replicas, "replicas", minimum=1, maximum=10)
    v.labels(args.node_selector, "node_selector")
    v.tolerations(args.tolerations, "tolerations")
    v.require(
        isinstance(args.deletion_protection, bool), "deletion_protection", "must be true or false"
    )
    v.aws_tags(args.tags, "tags")
