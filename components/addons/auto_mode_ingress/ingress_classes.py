"""The IngressClasses EKS Auto Mode serves, each with its IngressClassParams
(``eks.amazonaws.com/v1``; fields per the EKS user guide's "IngressClassParams reference" and
the CRD EKS installs: no ``sslRedirectPort`` or ``wafv2AclArn`` there, unlike the controller's)."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from ..load_balancer_controller.ingress_classes import (
    access_logs,
    ingress_class_pair,
    namespace_selector,
)
from .args import CONTROLLER, PARAMS_API_VERSION, AutoModeIngressArgs

LABELS = {"app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": "eks-platform"}


def class_params_spec(
    args: AutoModeIngressArgs, scheme: str, namespaces: list[str] | None = None
) -> dict[str, Any]:
    """The IngressClassParams spec of a class: scheme, IP type, TLS policy, and where given the
    certificates, access logs and the namespaces that may use it."""
    spec: dict[str, Any] = {
        "scheme": scheme,
        "ipAddressType": args.ip_address_type,
        "sslPolicy": args.ssl_policy,
    }
    if args.certificate_arns:
        spec["certificateARNs"] = list(args.certificate_arns)
    spec.update(access_logs(args.access_logs_bucket, args.access_logs_prefix))
    spec.update(namespace_selector(namespaces))
    return spec


def create_ingress_class(
    resource_name: str,
    class_name: str,
    args: AutoModeIngressArgs,
    opts: pulumi.ResourceOptions,
    *,
    scheme: str,
    default: bool,
    namespaces: list[str] | None = None,
) -> tuple[k8s.apiextensions.CustomResource, k8s.networking.v1.IngressClass]:
    """An IngressClassParams and the IngressClass (controller ``eks.amazonaws.com/alb``) that
    points at it."""
    return ingress_class_pair(
        resource_name,
        class_name,
        class_params_spec(args, scheme, namespaces),
        opts,
        default=default,
        controller=CONTROLLER,
        params_api_version=PARAMS_API_VERSION,
        labels=LABELS,
    )
