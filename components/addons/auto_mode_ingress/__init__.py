"""``AutoModeIngress``: on an EKS Auto Mode cluster, the IngressClasses through which Auto Mode
makes ALBs, as the load-balancer controller makes them on a managed cluster.

Auto Mode runs the ALB controller itself, off the cluster: nothing is installed, no role is
made (the cluster role's ``AmazonEKSLoadBalancingPolicy`` does the work). What it needs is an
IngressClass with controller ``eks.amazonaws.com/alb`` and the ``IngressClassParams``
(``eks.amazonaws.com/v1``) it points at. This component makes the same classes
``LoadBalancerController`` makes: the main class (internal ALBs unless ``ingress_scheme`` says
otherwise, optionally the cluster's default) and, with ``public_ingress_class``, an
internet-facing one only the ``public_namespaces`` may use.

Ingresses of these classes should depend on :attr:`AutoModeIngress.ready`
(:meth:`AutoModeIngress.workload_options`): on destroy they go first, and Auto Mode deletes
their ALBs while the classes still exist.
"""

from __future__ import annotations

from typing import Any

import pulumi

from ... import validation as v
from ...identity.cluster_ref import ClusterRef, as_cluster_ref
from ..load_balancer_controller.ingress_classes import class_map
from .args import CONTROLLER, PARAMS_API_VERSION, AutoModeIngressArgs
from .ingress_classes import class_params_spec, create_ingress_class
from .validation import validate_settings

__all__ = [
    "CONTROLLER",
    "PARAMS_API_VERSION",
    "AutoModeIngress",
    "AutoModeIngressArgs",
    "class_params_spec",
    "validate_settings",
]


class AutoModeIngress(pulumi.ComponentResource):
    """EKS Auto Mode's IngressClasses and their IngressClassParams.

    Creates, as children: the main ``IngressClassParams`` and ``IngressClass`` and, with
    ``public_ingress_class``, an internet-facing pair limited to ``public_namespaces``.
    """

    cluster: ClusterRef
    """The cluster the classes are on."""
    ingress_class_name: pulumi.Output[str]
    """Name of the main IngressClass: what an Ingress puts in ``spec.ingressClassName``."""
    public_ingress_class: str | None
    """Name of the internet-facing IngressClass, when there is one."""
    internet_facing_class_name: pulumi.Output[str] | None
    """The internet-facing IngressClass's name once it exists (None without one)."""
    ingress_classes: dict[str, dict[str, Any]]
    """``{name: {"scheme", "namespaces"}}``, as ``ClusterRef.ingress_classes`` reads them."""
    ready: list[pulumi.Resource]
    """What Ingresses of the classes depend on."""

    def __init__(
        self, name: str, args: AutoModeIngressArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        """Create the classes; see :class:`AutoModeIngress`."""
        with v.component_errors("AutoModeIngress", name):
            v.check_fields(args, AutoModeIngressArgs)
            cluster = as_cluster_ref(args.cluster)
            if not v.was_validated(args):
                validate_settings(args)
            v.require(
                getattr(args.cluster, "compute", None) != "managed",
                "cluster",
                "the cluster's compute is managed: Auto Mode does not serve its Ingresses; use "
                "LoadBalancerController",
            )
        super().__init__("eks-platform:index:AutoModeIngress", name, None, opts)
        self.cluster = cluster
        on_cluster = pulumi.ResourceOptions(
            parent=self, provider=cluster.provider, protect=args.deletion_protection
        )
        params, main = create_ingress_class(
            name,
            args.ingress_class,
            args,
            on_cluster,
            scheme=args.ingress_scheme,
            default=args.default_ingress_class,
        )
        self.ingress_class_name = main.metadata.apply(lambda m: m.name or args.ingress_class)
        self.ingress_classes = class_map(args)
        self.public_ingress_class = args.public_ingress_class
        self.internet_facing_class_name = None
        self.ready = [params, main]
        if args.public_ingress_class is not None:
            public_name = args.public_ingress_class
            public_params, public = create_ingress_class(
                f"{name}-public",
                public_name,
                args,
                on_cluster,
                scheme="internet-facing",
                default=False,
                namespaces=args.public_namespaces,
            )
            self.internet_facing_class_name = public.metadata.apply(lambda m: m.name or public_name)
            self.ready += [public_params, public]
        self.register_outputs(
            {"ingressClassName": self.ingress_class_name, "ingressClasses": self.ingress_classes}
        )

    def workload_options(
        self, opts: pulumi.ResourceOptions | None = None
    ) -> pulumi.ResourceOptions:
        """Options for an Ingress of the classes: the cluster's Kubernetes provider and a
        dependency on :attr:`ready`, merged with ``opts``."""
        base = pulumi.ResourceOptions(provider=self.cluster.provider, depends_on=list(self.ready))
        return pulumi.ResourceOptions.merge(base, opts) if opts is not None else base
