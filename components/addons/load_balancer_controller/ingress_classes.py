"""The IngressClasses the controller serves, each with the IngressClassParams it points at.

The main class (``ingress_class``, internal ALBs unless ``ingress_scheme`` says otherwise) and,
with ``public_ingress_class``, an internet-facing one that only Ingresses in
``public_namespaces`` may use. The IngressClassParams fix what every ALB of the class gets
(scheme, IP address type, TLS policy, certificates, access logs, WAF), whatever an Ingress's
annotations say.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from .args import FULLNAME, LoadBalancerControllerArgs

CONTROLLER = "ingress.k8s.aws/alb"
"""``spec.controller`` of the IngressClasses this controller serves."""
PARAMS_API_GROUP = "elbv2.k8s.aws"
"""API group of the IngressClassParams (a CRD of the chart)."""
PARAMS_API_VERSION = f"{PARAMS_API_GROUP}/v1beta1"
"""``apiVersion`` of the IngressClassParams."""
PARAMS_KIND = "IngressClassParams"
"""``kind`` of the IngressClassParams."""
DEFAULT_CLASS_ANNOTATION = "ingressclass.kubernetes.io/is-default-class"
"""Marks the cluster's default IngressClass."""
NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"
"""The label every namespace carries with its name (the params' ``namespaceSelector``)."""


def labels() -> dict[str, str]:
    """The labels of the classes and their params."""
    return {"app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": FULLNAME}


def class_params_spec(
    args: LoadBalancerControllerArgs, scheme: str, namespaces: list[str] | None = None
) -> dict[str, Any]:
    """The IngressClassParams spec of a class: scheme, IP type, TLS policy, and where given the
    certificates (with the HTTP->HTTPS redirect), access logs, WAF and allowed namespaces."""
    spec: dict[str, Any] = {
        "scheme": scheme,
        "ipAddressType": args.ip_address_type,
        "sslPolicy": args.ssl_policy,
    }
    if args.certificate_arns:
        spec["certificateArn"] = list(args.certificate_arns)
        spec["sslRedirectPort"] = "443"
    spec.update(access_logs(args.access_logs_bucket, args.access_logs_prefix))
    if args.waf_acl_arn is not None and scheme == "internet-facing":
        spec["wafv2AclArn"] = args.waf_acl_arn
    spec.update(namespace_selector(namespaces))
    return spec


def access_logs(bucket: str | None, prefix: str) -> dict[str, Any]:
    """The params' ``loadBalancerAttributes`` that write the ALBs' access logs to ``bucket``."""
    if not bucket:
        return {}
    return {
        "loadBalancerAttributes": [
            {"key": "access_logs.s3.enabled", "value": "true"},
            {"key": "access_logs.s3.bucket", "value": bucket},
            {"key": "access_logs.s3.prefix", "value": prefix},
        ]
    }


def namespace_selector(namespaces: list[str] | None) -> dict[str, Any]:
    """The params' ``namespaceSelector`` limiting the class to ``namespaces`` (none: any)."""
    if not namespaces:
        return {}
    return {
        "namespaceSelector": {
            "matchExpressions": [
                {"key": NAMESPACE_NAME_LABEL, "operator": "In", "values": sorted(namespaces)}
            ]
        }
    }


def class_map(args: Any) -> dict[str, dict[str, Any]]:
    """The classes ``args`` asks for, by name: each one's scheme and the namespaces it admits
    (none listed: every namespace), as the component exports them (``ingressClasses``; the
    load-balancer controller's and EKS Auto Mode's)."""
    classes: dict[str, dict[str, Any]] = {
        args.ingress_class: {"scheme": args.ingress_scheme, "namespaces": []}
    }
    if args.public_ingress_class is not None:
        classes[args.public_ingress_class] = {
            "scheme": "internet-facing",
            "namespaces": sorted(args.public_namespaces),
        }
    return classes


def create_ingress_class(
    resource_name: str,
    class_name: str,
    args: LoadBalancerControllerArgs,
    opts: pulumi.ResourceOptions,
    *,
    scheme: str,
    default: bool,
    namespaces: list[str] | None = None,
) -> tuple[k8s.apiextensions.CustomResource, k8s.networking.v1.IngressClass]:
    """An IngressClassParams and the IngressClass that points at it (``opts``: the release's
    CRDs must exist first)."""
    return ingress_class_pair(
        resource_name,
        class_name,
        class_params_spec(args, scheme, namespaces),
        opts,
        default=default,
        controller=CONTROLLER,
        params_api_version=PARAMS_API_VERSION,
        labels=labels(),
    )


def ingress_class_pair(
    resource_name: str,
    class_name: str,
    params_spec: dict[str, Any],
    opts: pulumi.ResourceOptions,
    *,
    default: bool,
    controller: str,
    params_api_version: str,
    labels: dict[str, str],
) -> tuple[k8s.apiextensions.CustomResource, k8s.networking.v1.IngressClass]:
    """An ``IngressClassParams`` of ``params_api_version`` and the IngressClass of
    ``controller`` that points at it (this controller's, or EKS Auto Mode's)."""
    params = k8s.apiextensions.CustomResource(
        f"{resource_name}-params",
        api_version=params_api_version,
        kind=PARAMS_KIND,
        metadata=k8s.meta.v1.ObjectMetaArgs(name=class_name, labels=labels),
        spec=params_spec,
        opts=opts,
    )
    ingress_class = k8s.networking.v1.IngressClass(
        f"{resource_name}-class",
        metadata=k8s.meta.v1.ObjectMetaArgs(
            name=class_name,
            labels=labels,
            annotations={DEFAULT_CLASS_ANNOTATION: "true"} if default else None,
        ),
        spec=k8s.networking.v1.IngressClassSpecArgs(
            controller=controller,
            parameters=k8s.networking.v1.IngressClassParametersReferenceArgs(
                api_group=params_api_version.split("/")[0], kind=PARAMS_KIND, name=class_name
            ),
        ),
        opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[params])),
    )
    return params, ingress_class
