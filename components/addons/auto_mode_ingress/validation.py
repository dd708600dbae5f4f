"""The rules of :class:`~components.addons.auto_mode_ingress.AutoModeIngressArgs`: the same as
the load-balancer controller's for the classes they share."""

from __future__ import annotations

from ... import validation as v
from ..load_balancer_controller.validation import validate_classes
from .args import AutoModeIngressArgs


def validate_settings(args: AutoModeIngressArgs) -> None:
    """Check the plain (configurable) fields; raises ValueError naming the field."""
    validate_classes(args)  # the same rules as the load-balancer controller's classes
    v.unique(args.public_namespaces, "public_namespaces", "namespace")
    v.require(
        isinstance(args.ssl_policy, str) and args.ssl_policy.startswith("ELBSecurityPolicy-"),
        "ssl_policy",
        f"{args.ssl_policy!r} is not an ELB security policy name (ELBSecurityPolicy-...)",
    )
    for i, arn in enumerate(args.certificate_arns):
        if isinstance(arn, str):
            v.require(
                arn.startswith("arn:") and ":acm:" in arn and ":certificate/" in arn,
                f"certificate_arns[{i}]",
                f"{arn!r} is not an ACM certificate ARN",
            )
    if args.access_logs_bucket is not None:
        v.require(
            bool(args.access_logs_bucket) and "/" not in args.access_logs_bucket,
            "access_logs_bucket",
            f"{args.access_logs_bucket!r} is not an S3 bucket name",
        )
