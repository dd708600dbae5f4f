"""Ingress and load balancers: internet-facing only through the platform's class and namespaces,
TLS 1.2 or newer, HTTP redirected to HTTPS.

The AWS Load Balancer Controller turns an Ingress into an ALB and a Service of type
LoadBalancer into an NLB; its IngressClassParams set the scheme, TLS policy and allowed
namespaces for every Ingress of a class. The rules read what each resource declares: an
Ingress whose class gets its certificate or redirect from the class's IngressClassParams (not
visible from the Ingress) is listed in ``redirectingClasses``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import ResourceValidationArgs

from .common import (
    MANDATORY,
    Rule,
    as_list,
    get,
    k8s_annotations,
    kubernetes_namespace,
    mapping,
    resource_policy,
    string_list,
)

INGRESSES = (
    "kubernetes:networking.k8s.io/v1:Ingress",
    "kubernetes:networking.k8s.io/v1beta1:Ingress",
    "kubernetes:extensions/v1beta1:Ingress",
)
PARAMS = "kubernetes:elbv2.k8s.aws/v1beta1:IngressClassParams"
SERVICE = "kubernetes:core/v1:Service"
LISTENERS = ("aws:lb/listener:Listener", "aws:alb/listener:Listener")

ALB = "alb.ingress.kubernetes.io/"
SERVICE_LB = "service.beta.kubernetes.io/aws-load-balancer-"
INTERNET_FACING = "internet-facing"
# ELB security policies whose lowest protocol is TLS 1.2 (or 1.3): TLS13-1-2-*, TLS13-1-3-*,
# TLS-1-2-*, FS-1-2-*. Every other predefined policy (2016-08, TLS-1-1-*, TLS13-1-0-*, FS-2018-06,
# ...) also accepts TLS 1.0 or 1.1.
MODERN_TLS = re.compile(r"^ELBSecurityPolicy-(TLS13-1-[23]|TLS-1-2|FS-1-2)(-.+)?$")
CONTROLLER_DEFAULT_TLS = "ELBSecurityPolicy-2016-08"
LBC_DOCS = "https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide"

CLASSES = string_list(
    "IngressClass names of the platform's internet-facing class(es).", ["alb-public"]
)


def ingress_class(props: Mapping[str, Any]) -> Any:
    return get(props, "spec", "ingressClassName") or k8s_annotations(props).get(
        "kubernetes.io/ingress.class"
    )


def internet_facing(props: Mapping[str, Any], config: Mapping[str, Any]) -> bool:
    """An Ingress that asks for an internet-facing ALB, by annotation or by its class."""
    scheme = k8s_annotations(props).get(f"{ALB}scheme")
    return scheme == INTERNET_FACING or ingress_class(props) in config["internetFacingClasses"]


def _selects_namespaces(selector: Any) -> bool:
    return bool(get(selector, "matchLabels")) or bool(get(selector, "matchExpressions"))


PUBLIC = Rule(
    name="lb-internet-facing-restricted",
    description="Internet-facing load balancers only through the platform's internet-facing "
    "class and in its allowed namespaces",
    level=MANDATORY,
    area="ingress",
    rationale="An internet-facing ALB or NLB publishes a workload to the internet; the "
    "platform makes load balancers internal by default and admits internet-facing ones "
    "through one class whose IngressClassParams pin the namespaces, TLS policy and options. "
    "An Ingress that asks for internet-facing by annotation on another class, an "
    "IngressClassParams with scheme internet-facing and no namespaceSelector (any namespace may "
    "use it), or an internet-facing Service outside the listed namespaces bypasses that.",
    source="EKS Best Practices Guide: Network security (restrict internet exposure) and "
    "Load balancing; AWS Load Balancer Controller: IngressClassParams namespaceSelector",
    url=f"{LBC_DOCS}/ingress/ingress_class/",
    remediation="Use the internet-facing class (internetFacingClasses) from an allowed "
    "namespace; give internet-facing IngressClassParams a namespaceSelector; list the "
    "namespaces of internet-facing Services in internetFacingNamespaces.",
    config={
        "internetFacingClasses": CLASSES,
        "internetFacingNamespaces": string_list(
            "Namespaces that may have internet-facing load balancers. Ingresses: empty means "
            "the class's IngressClassParams namespaceSelector decides. Services (no class): "
            "empty means none."
        ),
    },
)


def _public(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    props = args.props
    namespaces = list(config["internetFacingNamespaces"])
    namespace = kubernetes_namespace(props)
    if args.resource_type in INGRESSES:
        if not internet_facing(props, config):
            return
        cls = ingress_class(props)
        if cls not in config["internetFacingClasses"]:
            yield (
                f"asks for an internet-facing ALB on class {cls or '(default)'}; only "
                f"{list(config['internetFacingClasses'])} may be internet-facing"
            )
        if namespaces and namespace not in namespaces:
            yield f"internet-facing Ingress in namespace {namespace}, not one of {namespaces}"
    elif args.resource_type == PARAMS:
        spec = mapping(get(props, "spec"))
        if spec.get("scheme") == INTERNET_FACING and not _selects_namespaces(
            spec.get("namespaceSelector")
        ):
            yield "scheme internet-facing without a namespaceSelector: every namespace may use it"
    elif (
        get(props, "spec", "type") == "LoadBalancer"
        and k8s_annotations(props).get(f"{SERVICE_LB}scheme") == INTERNET_FACING
        and namespace not in namespaces
    ):
        yield (
            f"internet-facing Service of type LoadBalancer in namespace {namespace}, not one "
            f"of internetFacingNamespaces {namespaces}"
        )


TLS = Rule(
    name="lb-tls-policy",
    description="HTTPS and TLS listeners use an ELB security policy of TLS 1.2 or newer",
    level=MANDATORY,
    area="ingress",
    rationale="TLS 1.0 and 1.1 are deprecated (RFC 8996) and their cipher suites are weak; "
    "ELBSecurityPolicy-2016-08, the default of both ELB and the AWS Load Balancer Controller "
    "when none is named, still accepts them. Internet-facing IngressClassParams must name a "
    "policy, since every Ingress of the class inherits it.",
    source="CIS Amazon EKS Benchmark 5.4.5 (encrypt traffic to HTTPS load balancers with TLS "
    "certificates); Elastic Load Balancing: Security policies for your Application Load "
    "Balancer; RFC 8996",
    url="https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html",
    remediation="ELBSecurityPolicy-TLS13-1-2-2021-06 (alb.ingress.kubernetes.io/ssl-policy, "
    "IngressClassParams spec.sslPolicy, the Service's ssl-negotiation-policy annotation, or a "
    "listener's sslPolicy).",
    config={
        "allowedSslPolicies": string_list(
            "Further policy names that pass (e.g. a custom policy of TLS 1.2 or newer)."
        )
    },
    cis="5.4.5",
)


def _tls_problem(policy: Any, config: Mapping[str, Any]) -> str | None:
    if not isinstance(policy, str):
        return None
    if MODERN_TLS.match(policy) or policy in config["allowedSslPolicies"]:
        return None
    return f"{policy} accepts TLS versions older than 1.2"


def _tls(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    props = args.props
    if args.resource_type in INGRESSES:
        named = k8s_annotations(props).get(f"{ALB}ssl-policy")
    elif args.resource_type == PARAMS:
        named = get(props, "spec", "sslPolicy")
        if named is None and get(props, "spec", "scheme") == INTERNET_FACING:
            yield (
                f"no sslPolicy on an internet-facing class: its Ingresses get the controller's "
                f"default {CONTROLLER_DEFAULT_TLS} (TLS 1.0)"
            )
    elif args.resource_type == SERVICE:
        named = k8s_annotations(props).get(f"{SERVICE_LB}ssl-negotiation-policy")
        if named is None and k8s_annotations(props).get(f"{SERVICE_LB}ssl-cert"):
            yield f"TLS listener without ssl-negotiation-policy: defaults to {CONTROLLER_DEFAULT_TLS}"
    else:
        if str(get(props, "protocol") or "").upper() not in ("HTTPS", "TLS"):
            return
        named = get(props, "sslPolicy")
        if named is None:
            yield f"{get(props, 'protocol')} listener without sslPolicy: AWS defaults to {CONTROLLER_DEFAULT_TLS}"
    problem = _tls_problem(named, config)
    if problem:
        yield problem


REDIRECT = Rule(
    name="lb-http-redirect",
    description="An internet-facing Ingress that listens on HTTP redirects it to HTTPS",
    level=MANDATORY,
    area="ingress",
    rationale="A plain-HTTP listener on the internet sends cookies and tokens in clear text "
    "and invites downgrade; the listener may stay for convenience only if it redirects to "
    "HTTPS (alb.ingress.kubernetes.io/ssl-redirect).",
    source="CIS Amazon EKS Benchmark 5.4.5 (encrypt traffic to HTTPS load balancers); AWS Load "
    "Balancer Controller: Ingress annotations > ssl-redirect",
    url=f"{LBC_DOCS}/ingress/annotations/#ssl-redirect",
    remediation="alb.ingress.kubernetes.io/ssl-redirect: '443' with a certificate, or listen "
    "on HTTPS only; list a class in redirectingClasses when its IngressClassParams set "
    "certificateArn and sslRedirectPort.",
    config={
        "internetFacingClasses": CLASSES,
        "redirectingClasses": string_list(
            "IngressClass names whose IngressClassParams give every Ingress a certificate and "
            "an HTTP->HTTPS redirect (certificateArn, sslRedirectPort)."
        ),
    },
    cis="5.4.5",
)


def listen_protocols(props: Mapping[str, Any]) -> set[str]:
    """The Ingress's listener protocols: listen-ports, else HTTPS with a certificate, else HTTP."""
    marks = k8s_annotations(props)
    raw = marks.get(f"{ALB}listen-ports")
    if isinstance(raw, str):
        try:
            ports = json.loads(raw)
        except ValueError:
            ports = []
        return {str(k).upper() for port in as_list(ports) for k in mapping(port)}
    secure = marks.get(f"{ALB}certificate-arn") or as_list(get(props, "spec", "tls"))
    return {"HTTPS"} if secure else {"HTTP"}


def _redirect(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    props = args.props
    if not internet_facing(props, config) or ingress_class(props) in config["redirectingClasses"]:
        return
    protocols = listen_protocols(props)
    if "HTTP" not in protocols:
        return
    if "HTTPS" not in protocols:
        yield "internet-facing over plain HTTP only: add a certificate and listen on HTTPS"
    elif not k8s_annotations(props).get(f"{ALB}ssl-redirect"):
        yield f"listens on HTTP without {ALB}ssl-redirect: HTTP is served, not redirected"


POLICIES = [
    resource_policy(PUBLIC, [*INGRESSES, PARAMS, SERVICE], _public),
    resource_policy(TLS, [*INGRESSES, PARAMS, SERVICE, *LISTENERS], _tls),
    resource_policy(REDIRECT, INGRESSES, _redirect),
]
RULES = [PUBLIC, TLS, REDIRECT]
