"""The arguments of :class:`~components.addons.auto_mode_ingress.AutoModeIngress` and the
names of EKS Auto Mode's load balancing API it uses."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pulumi

from ..load_balancer_controller.args import DEFAULT_SSL_POLICY

if TYPE_CHECKING:
    from ...cluster import EksCluster
    from ...identity.cluster_ref import ClusterRef

CONTROLLER = "eks.amazonaws.com/alb"
"""``spec.controller`` of the IngressClasses EKS Auto Mode serves."""
PARAMS_API_GROUP = "eks.amazonaws.com"
"""API group of Auto Mode's IngressClassParams (a CRD EKS installs with Auto Mode)."""
PARAMS_API_VERSION = f"{PARAMS_API_GROUP}/v1"
PARAMS_KIND = "IngressClassParams"


@dataclass(kw_only=True)
class AutoModeIngressArgs:
    """Arguments of :class:`AutoModeIngress`: the same classes the load-balancer controller
    makes, for EKS Auto Mode's ALBs. Every field but ``cluster`` is a plain value, so a stack
    can read them from its configuration (``eks-platform:autoModeIngress``)."""

    cluster: EksCluster | ClusterRef
    """The cluster (``compute: auto-mode``), an ``EksCluster`` or a ``ClusterRef``."""
    ingress_class: str = "alb"
    """Name of the main IngressClass (and of its IngressClassParams); its ALBs are internal
    unless ``ingress_scheme`` says otherwise."""
    default_ingress_class: bool = False
    """Mark the main class as the cluster's default (Ingresses without ``ingressClassName``)."""
    ingress_scheme: str = "internal"
    """Scheme of every ALB of the main class: ``internal`` (the private subnets) or
    ``internet-facing``; fixed in the IngressClassParams, whatever an Ingress asks."""
    public_ingress_class: str | None = None
    """Also create an internet-facing class of this name, usable only by Ingresses in
    ``public_namespaces``; None: none."""
    public_namespaces: list[str] = field(default_factory=list)
    """The namespaces whose Ingresses may use ``public_ingress_class`` (its params'
    ``namespaceSelector``); required with it."""
    ssl_policy: str = DEFAULT_SSL_POLICY
    """The ALBs' TLS policy: by default TLS 1.3 and 1.2 only."""
    certificate_arns: list[pulumi.Input[str]] = field(default_factory=list)
    """ACM certificates for the HTTPS listeners of every ALB of the classes."""
    ip_address_type: str = "ipv4"
    """``ipv4``, ``dualstack`` or ``dualstack-without-public-ipv4``."""
    access_logs_bucket: str | None = None
    """Write the ALBs' access logs to this S3 bucket (its policy must let the ELB service write)."""
    access_logs_prefix: str = ""
    """Key prefix of the access logs in ``access_logs_bucket``."""
    deletion_protection: bool = False
    """Pulumi ``protect`` on the classes and their params."""
