"""The load-balancer controller's own rules: CRDs version, IngressClasses, schemes, TLS, WAF,
target type, cleanup; beside the checks every add-on shares."""

from __future__ import annotations

import re
from typing import Any

from ... import validation as v
from ...identity.arns import BUCKET
from ..controller import validate_shared
from .args import INGRESS_SCHEMES, IP_ADDRESS_TYPES, TARGET_TYPES, LoadBalancerControllerArgs
from .chart import MANAGED_VALUES


def validate_settings(args: LoadBalancerControllerArgs) -> None:
    """Check the plain (configurable) fields; raises ValueError naming the field.

    A stack can run this on its configuration before the cluster exists.
    """
    validate_shared(args, MANAGED_VALUES)
    if args.crds_version is not None:
        v.require(
            bool(re.fullmatch(r"v\d+\.\d+\.\d+", args.crds_version)),
            "crds_version",
            f"{args.crds_version!r} is not a controller release tag such as v3.5.0",
        )
    validate_classes(args)
    _validate_waf(args)
    if args.default_target_type is not None:
        v.one_of(args.default_target_type, TARGET_TYPES, "default_target_type")
    v.require(
        isinstance(args.enable_service_mutator_webhook, bool),
        "enable_service_mutator_webhook",
        "must be true or false",
    )
    v.positive_int(args.cleanup_timeout_seconds, "cleanup_timeout_seconds", 60, 3600)


def validate_classes(args: Any) -> None:
    """The IngressClasses: names, default flag, scheme, the internet-facing class's namespaces,
    and their ALBs' TLS policy, certificates and access logs (the load-balancer controller's,
    and EKS Auto Mode's through the same fields)."""
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
    _validate_listeners(args)


def _validate_listeners(args: Any) -> None:
    """What every ALB of the classes gets (both kinds of class): TLS policy, certificates,
    access logs."""
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
            bool(BUCKET.match(str(args.access_logs_bucket))),
            "access_logs_bucket",
            f"{args.access_logs_bucket!r} is not an S3 bucket name",
        )


def _validate_waf(args: LoadBalancerControllerArgs) -> None:
    """The web ACL of the internet-facing ALBs (EKS Auto Mode's classes have none)."""
    if isinstance(args.waf_acl_arn, str):
        v.require(
            args.waf_acl_arn.startswith("arn:") and ":wafv2:" in args.waf_acl_arn,
            "waf_acl_arn",
            f"{args.waf_acl_arn!r} is not a WAFv2 web ACL ARN",
        )
    v.require(
        args.waf_acl_arn is None
        or args.public_ingress_class is not None
        or args.ingress_scheme == "internet-facing",
        "waf_acl_arn",
        "a web ACL protects internet-facing ALBs; there is no internet-facing class",
    )
