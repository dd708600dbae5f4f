"""The rules of :class:`~components.addons.auto_mode_ingress.AutoModeIngressArgs`: the same as
the load-balancer controller's for the classes they share."""

from __future__ import annotations

from ... import validation as v
from ..load_balancer_controller.args import INGRESS_SCHEMES, IP_ADDRESS_TYPES
from .args import AutoModeIngressArgs


def validate_settings(args: AutoModeIngressArgs) -> None:
    """Check the plain (configurable) fields; raises ValueError naming the field."""
    v.dns_subdomain(args.ingress_class, "ingress_class", "IngressClass name")
    v.require(
        isinstance(args.default_ingress_class, bool),
        "default_ingress_class",
        "must be true or false",
    )
    v.one_of(args.ingress_scheme, INGRESS_SCHEMES, "ingress_scheme")
    v.one_of(args.ip_address_type, IP_ADDRESS_TYPES, "ip_address_type")
    if args.public_ingress_class is not None:
        v.dns_subdomain(args.public_ingress_class, "public_ingress_class", "IngressClass name")
        v.require(
            args.public_ingress_class != args.ingress_class,
            "public_ingress_class",
            f"{args.public_ingress_class!r} is the main class's name too; give it its own",
        )
        v.require(
            bool(args.public_namespaces),
            "public_namespaces",
            "list the namespaces whose Ingresses may use the internet-facing class",
        )
    else:
        v.require(
            not args.public_namespaces,
            "public_namespaces",
            "there is no internet-facing class (public_ingress_class) for them to use",
        )
    for i, namespace in enumerate(args.public_namespaces):
        v.dns_label(namespace, f"public_namespaces[{i}]", "namespace")
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
