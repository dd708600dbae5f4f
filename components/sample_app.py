"""``SampleApp``: the 2048 game behind an ALB, to see the load-balancer controller work.

The classic AWS Load Balancer Controller walkthrough: a Namespace, a Deployment of the
2048 web game, a ClusterIP Service, and an Ingress of the controller's class with
``target-type: ip``, so the ALB sends traffic straight to the pod IPs (which also works
for pods on Fargate, where there are no NodePorts).

With ``zone_id`` (the Route53 hosted zone of ``host``'s domain) the app also gets an
ACM certificate for ``host``, validated through a DNS record in that zone, and the ALB
listens on HTTPS 443 and redirects HTTP 80 there. Without it, the ALB listens on HTTP 80.
The Ingress names ``host`` in its rule; ExternalDNS, when installed, reads it from there
and points the name at the ALB.

The Namespace and the Ingress depend on the controller's ``ready`` resources, so on
``pulumi destroy`` the Ingress is deleted (and the controller deletes the ALB) before the
controller itself goes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from . import validation as v
from .load_balancer_controller import LoadBalancerController

DEFAULT_IMAGE = "public.ecr.aws/l6m2t8p7/docker-2048:latest"
APP_LABEL = "app-2048"
CONTAINER_PORT = 80
LISTEN_HTTP = '[{"HTTP":80}]'
LISTEN_HTTP_HTTPS = '[{"HTTP":80},{"HTTPS":443}]'
_ALB = "alb.ingress.kubernetes.io"


@dataclass(kw_only=True)
class SampleAppArgs:
    """Arguments of :class:`SampleApp`.

    Every field but ``controller`` is a plain value, so a stack can read them from its
    configuration (``eks-platform:sampleApp``).
    """

    controller: LoadBalancerController
    """The cluster's :class:`LoadBalancerController`; the app runs on its cluster, uses its
    IngressClass and waits for it."""
    host: str | None = None
    """The host name the Ingress rule matches, e.g. ``2048.dev.example.com``. Without it the
    rule matches any host and the app is reached at the ALB's own DNS name."""
    zone_id: str | None = None
    """Route53 hosted zone id (``Z...``) of ``host``'s domain: serve HTTPS with an ACM
    certificate validated through a record in this zone. Needs ``host``."""
    namespace: str = "game-2048"
    """Namespace of the app (created)."""
    image: str = DEFAULT_IMAGE
    """Container image of the game (an nginx serving static files on port 80)."""
    replicas: int = 2
    """Pods of the game."""


class SampleApp(pulumi.ComponentResource):
    """The 2048 game: Namespace, Deployment, Service and an Ingress that becomes an ALB."""

    namespace: pulumi.Output[str]
    """The app's namespace."""
    ingress_name: pulumi.Output[str]
    """Name of the Ingress."""
    hostname: pulumi.Output[str]
    """The ALB's DNS name, from the Ingress status (empty until the controller reports it)."""
    url: pulumi.Output[str]
    """Where to open the game: ``https://<host>`` with a zone, ``http://<host>`` without, or
    the ALB's DNS name when there is no host."""
    certificate_arn: pulumi.Output[str] | None
    """ARN of the validated ACM certificate, when ``zone_id`` is set."""

    def __init__(
        self, name: str, args: SampleAppArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        """Deploy the game; see :class:`SampleApp`."""
        with v.component_errors("SampleApp", name):
            validate_args(args)
        super().__init__("eks-platform:index:SampleApp", name, None, opts)
        controller = args.controller
        on_cluster = pulumi.ResourceOptions(parent=self, provider=controller.cluster.provider)
        # Created after the controller, deleted before it: everything in it goes first.
        after_controller = controller.workload_options(pulumi.ResourceOptions(parent=self))
        labels = {"app.kubernetes.io/name": APP_LABEL}

        ns = k8s.core.v1.Namespace(
            f"{name}-ns",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=args.namespace),
            opts=after_controller,
        )
        namespace = ns.metadata.apply(lambda m: m.name or args.namespace)
        self.namespace = namespace

        k8s.apps.v1.Deployment(
            f"{name}-deployment",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name="deployment-2048", namespace=namespace, labels=labels
            ),
            spec=k8s.apps.v1.DeploymentSpecArgs(
                replicas=args.replicas,
                selector=k8s.meta.v1.LabelSelectorArgs(match_labels=labels),
                template=k8s.core.v1.PodTemplateSpecArgs(
                    metadata=k8s.meta.v1.ObjectMetaArgs(labels=labels),
                    spec=k8s.core.v1.PodSpecArgs(
                        containers=[
                            k8s.core.v1.ContainerArgs(
                                name=APP_LABEL,
                                image=args.image,
                                image_pull_policy="IfNotPresent",
                                ports=[
                                    k8s.core.v1.ContainerPortArgs(
                                        container_port=CONTAINER_PORT, name="http"
                                    )
                                ],
                                resources=k8s.core.v1.ResourceRequirementsArgs(
                                    requests={"cpu": "100m", "memory": "64Mi"},
                                    limits={"memory": "128Mi"},
                                ),
                                readiness_probe=k8s.core.v1.ProbeArgs(
                                    http_get=k8s.core.v1.HTTPGetActionArgs(path="/", port="http"),
                                ),
                            )
                        ],
                    ),
                ),
            ),
            opts=on_cluster,
        )
        # With ip targets the ALB reaches the pods directly: a ClusterIP Service is enough
        # (the controller reads its endpoints).
        service = k8s.core.v1.Service(
            f"{name}-service",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name="service-2048", namespace=namespace, labels=labels
            ),
            spec=k8s.core.v1.ServiceSpecArgs(
                type="ClusterIP",
                selector=labels,
                ports=[
                    k8s.core.v1.ServicePortArgs(
                        name="http", port=80, target_port="http", protocol="TCP"
                    )
                ],
            ),
            opts=on_cluster,
        )

        annotations: dict[str, pulumi.Input[str]] = {
            f"{_ALB}/scheme": controller.ingress_scheme,
            f"{_ALB}/target-type": "ip",
            f"{_ALB}/healthcheck-path": "/",
        }
        self.certificate_arn = None
        if args.zone_id is not None:
            assert args.host is not None  # validate_args
            self.certificate_arn = self._certificate(name, args.host, args.zone_id)
            annotations[f"{_ALB}/certificate-arn"] = self.certificate_arn
            annotations[f"{_ALB}/listen-ports"] = LISTEN_HTTP_HTTPS
            annotations[f"{_ALB}/ssl-redirect"] = "443"
        else:
            annotations[f"{_ALB}/listen-ports"] = LISTEN_HTTP

        ingress = k8s.networking.v1.Ingress(
            f"{name}-ingress",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name="ingress-2048", namespace=namespace, labels=labels, annotations=annotations
            ),
            spec=k8s.networking.v1.IngressSpecArgs(
                ingress_class_name=controller.ingress_class_name,
                rules=[
                    k8s.networking.v1.IngressRuleArgs(
                        host=args.host,
                        http=k8s.networking.v1.HTTPIngressRuleValueArgs(
                            paths=[
                                k8s.networking.v1.HTTPIngressPathArgs(
                                    path="/",
                                    path_type="Prefix",
                                    backend=k8s.networking.v1.IngressBackendArgs(
                                        service=k8s.networking.v1.IngressServiceBackendArgs(
                                            name=service.metadata.apply(
                                                lambda m: m.name or "service-2048"
                                            ),
                                            port=k8s.networking.v1.ServiceBackendPortArgs(
                                                number=80
                                            ),
                                        )
                                    ),
                                )
                            ]
                        ),
                    )
                ],
            ),
            opts=after_controller,
        )
        self.ingress_name = ingress.metadata.apply(lambda m: m.name or "ingress-2048")
        self.hostname = ingress.status.apply(_load_balancer_hostname)
        if args.host is not None:
            scheme = "https" if args.zone_id is not None else "http"
            self.url = pulumi.Output.from_input(f"{scheme}://{args.host}")
        else:
            self.url = self.hostname.apply(lambda h: f"http://{h}" if h else "")
        outputs: dict[str, Any] = {
            "namespace": self.namespace,
            "ingressName": self.ingress_name,
            "hostname": self.hostname,
            "url": self.url,
        }
        if self.certificate_arn is not None:
            outputs["certificateArn"] = self.certificate_arn
        self.register_outputs(outputs)

    def _certificate(self, name: str, host: str, zone_id: str) -> pulumi.Output[str]:
        """An ACM certificate for ``host``, DNS-validated in ``zone_id``; returns the validated ARN."""
        child = pulumi.ResourceOptions(parent=self)
        certificate = aws.acm.Certificate(
            f"{name}-cert", domain_name=host, validation_method="DNS", opts=child
        )
        # One domain, so one validation record.
        option = certificate.domain_validation_options.apply(lambda options: options[0])
        record = aws.route53.Record(
            f"{name}-cert-validation",
            zone_id=zone_id,
            name=option.apply(lambda o: o.resource_record_name or ""),
            type=option.apply(lambda o: o.resource_record_type or ""),
            records=[option.apply(lambda o: o.resource_record_value or "")],
            ttl=60,
            allow_overwrite=True,
            opts=child,
        )
        validation = aws.acm.CertificateValidation(
            f"{name}-cert",
            certificate_arn=certificate.arn,
            validation_record_fqdns=[record.fqdn],
            opts=child,
        )
        # The validated ARN: the Ingress waits until the certificate is issued.
        return validation.certificate_arn


def _load_balancer_hostname(status: Any) -> str:
    """``status.loadBalancer.ingress[0].hostname``, or empty while there is none."""
    lb = getattr(status, "load_balancer", None) if status is not None else None
    ingresses = getattr(lb, "ingress", None) or []
    return str(getattr(ingresses[0], "hostname", None) or "") if ingresses else ""


def validate_args(args: SampleAppArgs) -> None:
    """Check SampleAppArgs; raises InvalidArgument naming the field."""
    v.check_fields(args, SampleAppArgs)
    v.require(
        isinstance(args.controller, LoadBalancerController),
        "controller",
        "must be the cluster's LoadBalancerController",
    )
    validate_settings(args)


def validate_settings(args: SampleAppArgs) -> None:
    """Check the plain (configurable) fields; a stack can run this on its configuration."""
    if args.host is not None:
        v.domain_name(args.host, "host")
    if args.zone_id is not None:
        v.hosted_zone_id(args.zone_id, "zone_id")
        v.require(args.host is not None, "zone_id", "needs host (the name the certificate is for)")
    v.dns_label(args.namespace, "namespace", "namespace")
    v.require(
        isinstance(args.image, str)
        and bool(args.image)
        and not any(c.isspace() for c in args.image),
        "image",
        f"{args.image!r} is not a container image reference",
    )
    v.positive_int(args.replicas, "replicas", minimum=1)
