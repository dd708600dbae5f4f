"""The arguments of :class:`~components.addons.load_balancer_controller.LoadBalancerController`
and the names and vocabularies they use."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pulumi

from ...identity.iam import RoleSettings
from ..controller import ControllerArgs
from ..helm import ChartSpec
from .cleanup import DEFAULT_TIMEOUT_SECONDS

DEFAULT_CHART = ChartSpec(
    chart="aws-load-balancer-controller",
    repository="https://aws.github.io/eks-charts",
    version="3.5.0",
)
"""The official chart, pinned (app version v3.5.0, the version of the vendored IAM policy)."""
NAMESPACE = "kube-system"
"""Namespace the controller runs in."""
SERVICE_ACCOUNT = "aws-load-balancer-controller"
"""The controller's ServiceAccount (created by this component, not by the chart)."""
FULLNAME = "aws-load-balancer-controller"
"""``fullnameOverride``: the Deployment, webhook Service and RBAC keep their usual names
whatever the component (and so the Helm release) is called."""
INGRESS_SCHEMES = ("internal", "internet-facing")
"""The schemes of an IngressClass's ALBs (``ingress_scheme``)."""
DEFAULT_SSL_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"
"""TLS 1.3 and 1.2 only: clients on TLS 1.0/1.1 are refused."""
DEFAULT_RESOURCES = {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"memory": "256Mi"}}
"""The controller pods' requests and limits unless ``resources`` says otherwise."""
IP_ADDRESS_TYPES = ("ipv4", "dualstack", "dualstack-without-public-ipv4")
"""The IP address types of an IngressClass's ALBs (``ip_address_type``)."""
TARGET_TYPES = ("ip", "instance")
"""The target types the chart's ``defaultTargetType`` accepts (``default_target_type``)."""


@dataclass(kw_only=True)
class LoadBalancerControllerArgs(ControllerArgs):
    """Arguments of :class:`LoadBalancerController`.

    Every field but ``cluster`` is a plain value, so a stack can read them from its
    configuration (``eks-platform:loadBalancerController``).
    """

    chart: ChartSpec = DEFAULT_CHART
    """The chart, pinned; override to upgrade (keep it in step with the vendored IAM policy).
    The CRDs follow: they are applied from the controller's repository at ``crds_version``."""
    crds_version: str | None = None
    """The controller release whose CRDs are applied, e.g. ``v3.5.0``. Default: ``v`` + the
    chart version (chart and controller versions are the same since 3.0)."""
    replicas: int = 2
    """Controller pods (``replicaCount``); one leads, the others wait. With more than one, a
    PodDisruptionBudget (``maxUnavailable: 1``) keeps one running through node drains."""
    ingress_class: str = "alb"
    """Name of the main IngressClass (and of its IngressClassParams) that Ingresses select with
    ``spec.ingressClassName``; a DNS-1123 subdomain. Its ALBs are internal unless
    ``ingress_scheme`` says otherwise."""
    default_ingress_class: bool = False
    """Mark the main IngressClass as the cluster's default (Ingresses without
    ``ingressClassName`` get it). Only one class in a cluster should be the default."""
    ingress_scheme: str = "internal"
    """Scheme of every ALB of the main class: ``internal`` (private subnets, tagged
    ``kubernetes.io/role/internal-elb=1``; the default) or ``internet-facing``. Set in the
    IngressClassParams, so it overrides an Ingress's ``scheme`` annotation. For internet-facing
    ALBs prefer ``public_ingress_class``, which is limited to chosen namespaces."""
    public_ingress_class: str | None = None
    """Also create an internet-facing class of this name (public subnets), usable only by
    Ingresses in ``public_namespaces``; None: no internet-facing class."""
    public_namespaces: list[str] = field(default_factory=list)
    """The namespaces whose Ingresses may use ``public_ingress_class`` (its IngressClassParams'
    ``namespaceSelector``); required with it."""
    ssl_policy: str = DEFAULT_SSL_POLICY
    """The ALBs' TLS policy (both classes): by default TLS 1.3 and 1.2 only."""
    certificate_arns: list[pulumi.Input[str]] = field(default_factory=list)
    """ACM certificates for every HTTPS listener of the classes; with them, HTTP redirects to
    HTTPS (``sslRedirectPort: 443``). Ingresses can still name their own."""
    access_logs_bucket: str | None = None
    """Write the ALBs' access logs to this S3 bucket (its policy must let the ELB service write)."""
    access_logs_prefix: str = ""
    """Key prefix of the access logs in ``access_logs_bucket``."""
    waf_acl_arn: pulumi.Input[str] | None = None
    """A WAFv2 web ACL (regional) in front of the internet-facing class's ALBs."""
    ip_address_type: str = "ipv4"
    """IP address type of every ALB of the class: ``ipv4``, ``dualstack`` or
    ``dualstack-without-public-ipv4`` (dual-stack needs IPv6 CIDRs on the subnets)."""
    default_target_type: str | None = None
    """Target type for Ingresses and Services that do not set ``alb.ingress.kubernetes.io/target-type``:
    ``ip`` (pods register directly, needs the VPC CNI; the only choice on Fargate) or ``instance``
    (nodes' NodePorts). Default: ``ip`` when the cluster runs Fargate pods, ``instance`` otherwise."""
    enable_service_mutator_webhook: bool = False
    """Let the controller's webhook claim every new Service of type LoadBalancer (it sets
    ``spec.loadBalancerClass: service.k8s.aws/nlb``). Off by default, unlike the chart: the
    webhook fails closed, so while the controller is not ready no Service of type LoadBalancer
    can be created anywhere in the cluster; and this platform's load balancers are ALBs made from
    Ingresses. A Service still gets an NLB from the controller by setting that
    ``loadBalancerClass`` itself."""
    resources: dict[str, dict[str, str]] = field(default_factory=lambda: dict(DEFAULT_RESOURCES))
    """CPU and memory requests and limits of the controller pods."""
    role: RoleSettings = field(default_factory=RoleSettings)
    """The controller role's name, path, permissions boundary, session length and tags (the
    path and tags also go on the controller's IAM policy)."""
    cleanup_on_delete: bool = True
    """Before the controller is deleted, delete every Ingress of its class and every Service of
    type LoadBalancer in the cluster and wait until their AWS resources are gone (see
    :mod:`components.addons.load_balancer_controller.cleanup`); fail, listing what is left, after
    ``cleanup_timeout_seconds``. Needs the cluster's kubeconfig (``ClusterRef.kubeconfig``)."""
    cleanup_timeout_seconds: int = DEFAULT_TIMEOUT_SECONDS
    """How long the cleanup waits for the controller to delete the load balancers."""
    values: dict[str, Any] = field(default_factory=dict)
    """Further chart values, deep-merged over the component's (e.g. ``resources``,
    ``enableShield``, ``defaultTags``). Values the component sets from an argument or from the
    cluster are refused here: use the argument."""
