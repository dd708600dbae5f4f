"""The IngressClasses EKS Auto Mode serves, each with its IngressClassParams
(``eks.amazonaws.com/v1``; fields per the EKS user guide's "IngressClassParams reference" and
the CRD EKS installs: no ``sslRedirectPort`` or ``wafv2AclArn`` there, unlike the controller's)."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from ..load_balancer_controller.ingress_classes import (
    DEFAULT_CLASS_ANNOTATION,
    NAMESPACE_NAME_LABEL,
)
from .args import CONTROLLER, PARAMS_API_GROUP, PARAMS_API_VERSION, PARAMS_KIND, AutoModeIngressArgs

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
    if args.access_logs_bucket:
        spec["loadBalancerAttributes"] = [
            {"key": "access_logs.s3.enabled", "value": "true"},
            {"key": "access_logs.s3.bucket", "value": args.access_logs_bucket},
            {"key": "access_logs.s3.prefix", "value": args.access_logs_prefix},
        ]
    if namespaces:
        spec["namespaceSelector"] = {
            "matchExpressions": [
                {"key": NAMESPACE_NAME_LABEL, "operator": "In", "values": sorted(namespaces)}
            ]
        }
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
    params = k8s.apiextensions.CustomResource(
        f"{resource_name}-params",
        api_version=PARAMS_API_VERSION,
        kind=PARAMS_KIND,
        metadata=k8s.meta.v1.ObjectMetaArgs(name=class_name, labels=LABELS),
        spec=class_params_spec(args, scheme, namespaces),
        opts=opts,
    )
    ingress_class = k8s.networking.v1.IngressClass(
        f"{resource_name}-class",
        metadata=k8s.meta.v1.ObjectMetaArgs(
            name=class_name,
            labels=LABELS,
            annotations={DEFAULT_CLASS_ANNOTATION: "true"} if default else None,
        ),
        spec=k8s.networking.v1.IngressClassSpecArgs(
            controller=CONTROLLER,
            parameters=k8s.networking.v1.IngressClassParametersReferenceArgs(
                api_group=PARAMS_API_GROUP, kind=PARAMS_KIND, name=class_name
            ),
        ),
        opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[params])),
    )
    return params, ingress_class
