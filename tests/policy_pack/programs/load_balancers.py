"""Bad and good programs of the pack's rules. Load balancers: internet-facing classes and namespaces, TLS policies, HTTP redirects."""

from __future__ import annotations

from typing import Any

import pulumi_aws as aws
import pulumi_kubernetes as k8s

from .base import ACCOUNT, case


def ingress(
    annotations: dict[str, str], ingress_class: str | None = "alb-public", namespace: str = "shop"
) -> None:
    spec: dict[str, Any] = {
        "rules": [
            {
                "host": "shop.example.com",
                "http": {
                    "paths": [
                        {
                            "path": "/",
                            "pathType": "Prefix",
                            "backend": {"service": {"name": "web", "port": {"number": 80}}},
                        }
                    ]
                },
            }
        ]
    }
    if ingress_class:
        spec["ingressClassName"] = ingress_class
    k8s.networking.v1.Ingress(
        "web",
        metadata={"name": "web", "namespace": namespace, "annotations": annotations},
        spec=spec,
    )


HTTPS = {
    "alb.ingress.kubernetes.io/certificate-arn": f"arn:aws:acm:us-west-2:{ACCOUNT}:certificate/abc",
    "alb.ingress.kubernetes.io/listen-ports": '[{"HTTP": 80}, {"HTTPS": 443}]',
    "alb.ingress.kubernetes.io/ssl-redirect": "443",
}


def class_params(name: str, **spec: Any) -> None:
    k8s.apiextensions.CustomResource(
        name,
        api_version="elbv2.k8s.aws/v1beta1",
        kind="IngressClassParams",
        metadata={"name": name},
        spec=spec,
    )


def load_balancer_service(annotations: dict[str, str], namespace: str = "shop") -> None:
    k8s.core.v1.Service(
        "web",
        metadata={"name": "web", "namespace": namespace, "annotations": annotations},
        spec={"type": "LoadBalancer", "selector": {"app": "web"}, "ports": [{"port": 443}]},
    )


INTERNET_FACING = {"alb.ingress.kubernetes.io/scheme": "internet-facing"}
PUBLIC_NLB = {"service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing"}


@case("lb-internet-facing-restricted", bad=True)
def bad_internet_facing_by_annotation() -> None:
    ingress({**HTTPS, **INTERNET_FACING}, ingress_class="alb")


@case("lb-internet-facing-restricted", bad=True)
def bad_params_for_every_namespace() -> None:
    class_params(
        "public", scheme="internet-facing", sslPolicy="ELBSecurityPolicy-TLS13-1-2-2021-06"
    )


@case("lb-internet-facing-restricted", bad=True)
def bad_internet_facing_service() -> None:
    load_balancer_service(PUBLIC_NLB)


@case(
    "lb-internet-facing-restricted",
    bad=True,
    config={"lb-internet-facing-restricted": {"internetFacingNamespaces": ["storefront"]}},
)
def bad_platform_class_outside_listed_namespaces() -> None:
    ingress(HTTPS)


@case("lb-internet-facing-restricted", bad=False)
def good_platform_class() -> None:
    ingress(HTTPS)


@case("lb-internet-facing-restricted", bad=False)
def good_params_with_namespace_selector() -> None:
    class_params(
        "public",
        scheme="internet-facing",
        sslPolicy="ELBSecurityPolicy-TLS13-1-2-2021-06",
        namespaceSelector={"matchLabels": {"exposure": "public"}},
    )


@case(
    "lb-internet-facing-restricted",
    bad=False,
    config={"lb-internet-facing-restricted": {"internetFacingNamespaces": ["shop"]}},
)
def good_internet_facing_service_in_listed_namespace() -> None:
    load_balancer_service(PUBLIC_NLB)


@case("lb-internet-facing-restricted", bad=False)
def good_internal_service() -> None:
    load_balancer_service({"service.beta.kubernetes.io/aws-load-balancer-scheme": "internal"})


@case("lb-tls-policy", bad=True)
def bad_tls_1_0_ingress() -> None:
    ingress({**HTTPS, "alb.ingress.kubernetes.io/ssl-policy": "ELBSecurityPolicy-2016-08"})


@case("lb-tls-policy", bad=True)
def bad_params_without_policy() -> None:
    class_params(
        "public",
        scheme="internet-facing",
        namespaceSelector={"matchLabels": {"exposure": "public"}},
    )


@case("lb-tls-policy", bad=True)
def bad_listener_default_policy() -> None:
    aws.lb.Listener(
        "https",
        load_balancer_arn=f"arn:aws:elasticloadbalancing:us-west-2:{ACCOUNT}:loadbalancer/app/web/1",
        port=443,
        protocol="HTTPS",
        certificate_arn=f"arn:aws:acm:us-west-2:{ACCOUNT}:certificate/abc",
        default_actions=[
            aws.lb.ListenerDefaultActionArgs(
                type="fixed-response",
                fixed_response={"content_type": "text/plain", "status_code": "404"},
            )
        ],
    )


@case("lb-tls-policy", bad=True)
def bad_nlb_tls_1_1() -> None:
    load_balancer_service(
        {
            "service.beta.kubernetes.io/aws-load-balancer-ssl-cert": f"arn:aws:acm:us-west-2:{ACCOUNT}:certificate/abc",
            "service.beta.kubernetes.io/aws-load-balancer-ssl-negotiation-policy": "ELBSecurityPolicy-TLS-1-1-2017-01",
        }
    )


@case("lb-tls-policy", bad=False)
def good_tls_1_2_everywhere() -> None:
    ingress(
        {**HTTPS, "alb.ingress.kubernetes.io/ssl-policy": "ELBSecurityPolicy-TLS13-1-2-2021-06"}
    )
    aws.lb.Listener(
        "https",
        load_balancer_arn=f"arn:aws:elasticloadbalancing:us-west-2:{ACCOUNT}:loadbalancer/app/web/1",
        port=443,
        protocol="HTTPS",
        ssl_policy="ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
        certificate_arn=f"arn:aws:acm:us-west-2:{ACCOUNT}:certificate/abc",
        default_actions=[
            aws.lb.ListenerDefaultActionArgs(
                type="fixed-response",
                fixed_response={"content_type": "text/plain", "status_code": "404"},
            )
        ],
    )


@case("lb-http-redirect", bad=True)
def bad_http_served() -> None:
    ingress({k: v for k, v in HTTPS.items() if not k.endswith("ssl-redirect")})


@case("lb-http-redirect", bad=True)
def bad_plain_http_only() -> None:
    ingress({})


@case("lb-http-redirect", bad=False)
def good_redirected() -> None:
    ingress(HTTPS)


@case("lb-http-redirect", bad=False)
def good_https_only() -> None:
    ingress(
        {
            "alb.ingress.kubernetes.io/certificate-arn": HTTPS[
                "alb.ingress.kubernetes.io/certificate-arn"
            ]
        }
    )


@case("lb-http-redirect", bad=False)
def good_internal_http() -> None:
    ingress({}, ingress_class=None)
