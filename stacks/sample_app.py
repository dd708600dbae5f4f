"""``SampleApp``: the 2048 game behind an ALB, to see the load-balancer controller work.

The classic AWS Load Balancer Controller walkthrough: a Namespace, a Deployment of the
2048 web game, a ClusterIP Service, and an Ingress with ``target-type: ip``, so the ALB
sends traffic straight to the pod IPs (which also works for pods on Fargate, where there
are no NodePorts). The Ingress uses the controller's internet-facing IngressClass when it
has one (else its default class): the game is meant to be reached from outside, and the
class, not the Ingress, decides the scheme.

Unlike the walkthrough, the game runs hardened, and its namespace enforces the Pod
Security Standard ``restricted`` (``pod-security.kubernetes.io/enforce``, plus ``warn``
and ``audit``):

* the image is pinned by digest (:data:`DEFAULT_IMAGE`), and a different image must be
  pinned too (a tag other than ``latest``, or a digest);
* the container runs as a non-root user, without privilege escalation, with every
  capability dropped, the runtime's default seccomp profile and a read-only root
  filesystem; nginx writes to emptyDir volumes (``writable_paths``) instead, and binds
  port 80 without ``NET_BIND_SERVICE`` through the namespaced sysctl
  ``net.ipv4.ip_unprivileged_port_start=0`` (a "safe" sysctl, allowed by ``restricted``);
* it has CPU and memory requests and limits, and no ServiceAccount token.

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

import posixpath
import re
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from components import validation as v
from components.addons.load_balancer_controller import LoadBalancerController
from components.identity.workload_identity import pod_security_labels

DEFAULT_IMAGE = (
    "docker.io/alexwhen/docker-2048"
    "@sha256:4913452e5bd092db9c8b005523127b8f62821867021e23a9acb1ae0f7d2432e1"
)
"""The walkthrough's original image (``alexwhen/docker-2048``, unchanged since 2017: Alpine
with nginx serving the game on port 80), pinned by digest, so every deploy runs the image
that was reviewed."""
DEFAULT_WRITABLE_PATHS = (
    "/tmp",
    "/var/cache/nginx",
    "/var/lib/nginx/tmp",
    "/var/log/nginx",
    "/var/run",
    "/var/run/nginx",
)
"""Where nginx writes: its temporary files, logs and pid file (Alpine's nginx uses
``/var/lib/nginx/tmp`` and ``/var/run/nginx``, Debian's ``/var/cache/nginx`` and ``/var/run``)."""
RUN_AS_USER = 101
"""The (non-root) user and group the game runs as; nginx only reads files every user may."""
POD_SECURITY_LEVEL = "restricted"
UNPRIVILEGED_PORT_SYSCTL = "net.ipv4.ip_unprivileged_port_start"
RESOURCES = {
    "requests": {"cpu": "50m", "memory": "64Mi"},
    "limits": {"cpu": "200m", "memory": "128Mi"},
}
"""The game's requests and limits: nginx serving static files needs little."""
WRITABLE_VOLUME_SIZE = "64Mi"
"""Size limit of each writable emptyDir (nginx's access log grows there)."""
APP_LABEL = "app-2048"
CONTAINER_PORT = 80
LISTEN_HTTP = '[{"HTTP":80}]'
LISTEN_HTTP_HTTPS = '[{"HTTP":80},{"HTTPS":443}]'
_ALB = "alb.ingress.kubernetes.io"
_DIGEST = re.compile(r"@sha256:[0-9a-f]{64}$")
_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")


@dataclass(kw_only=True)
class SampleAppArgs:
    """Arguments of :class:`SampleApp`.

    Every field but ``controller`` is a plain value, so a stack can read them from its
    configuration (``eks-platform:sampleApp``).
    """

    controller: LoadBalancerController
    """The cluster's :class:`LoadBalancerController`; the app runs on its cluster, uses its
    IngressClass and waits for it."""
    ingress_class: str | None = None
    """The IngressClass of the ALB. Default: the controller's internet-facing class if it has
    one, else its default class. The class's IngressClassParams decide the scheme."""
    host: str | None = None
    """The host name the Ingress rule matches, e.g. ``2048.dev.example.com``. Without it the
    rule matches any host and the app is reached at the ALB's own DNS name."""
    zone_id: str | None = None
    """Route53 hosted zone id (``Z...``) of ``host``'s domain: serve HTTPS with an ACM
    certificate validated through a record in this zone. Needs ``host``."""
    namespace: str = "game-2048"
    """Namespace of the app (created)."""
    image: str = DEFAULT_IMAGE
    """Container image of the game (an nginx serving static files on port 80), pinned: a tag
    other than ``latest`` (``repo:1.2.3``) or a digest (``repo@sha256:...``). It runs as user
    101 with a read-only root filesystem (see ``writable_paths``)."""
    replicas: int = 2
    """Pods of the game."""
    writable_paths: list[str] = field(default_factory=lambda: list(DEFAULT_WRITABLE_PATHS))
    """Directories the container may write to, each an emptyDir volume (the root filesystem is
    read-only). Default: where nginx writes temporary files, logs and its pid file."""


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
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=args.namespace, labels=pod_security_labels(POD_SECURITY_LEVEL)
            ),
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
                        # The game never calls the Kubernetes API.
                        automount_service_account_token=False,
                        security_context=k8s.core.v1.PodSecurityContextArgs(
                            run_as_non_root=True,
                            run_as_user=RUN_AS_USER,
                            run_as_group=RUN_AS_USER,
                            fs_group=RUN_AS_USER,
                            seccomp_profile=k8s.core.v1.SeccompProfileArgs(type="RuntimeDefault"),
                            # nginx listens on port 80 as a non-root user.
                            sysctls=[
                                k8s.core.v1.SysctlArgs(name=UNPRIVILEGED_PORT_SYSCTL, value="0")
                            ],
                        ),
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
                                security_context=k8s.core.v1.SecurityContextArgs(
                                    allow_privilege_escalation=False,
                                    read_only_root_filesystem=True,
                                    run_as_non_root=True,
                                    capabilities=k8s.core.v1.CapabilitiesArgs(drop=["ALL"]),
                                ),
                                resources=k8s.core.v1.ResourceRequirementsArgs(
                                    requests=dict(RESOURCES["requests"]),
                                    limits=dict(RESOURCES["limits"]),
                                ),
                                readiness_probe=k8s.core.v1.ProbeArgs(
                                    http_get=k8s.core.v1.HTTPGetActionArgs(path="/", port="http"),
                                ),
                                volume_mounts=[
                                    k8s.core.v1.VolumeMountArgs(
                                        name=volume_name(path), mount_path=path
                                    )
                                    for path in args.writable_paths
                                ],
                            )
                        ],
                        volumes=[
                            k8s.core.v1.VolumeArgs(
                                name=volume_name(path),
                                empty_dir=k8s.core.v1.EmptyDirVolumeSourceArgs(
                                    size_limit=WRITABLE_VOLUME_SIZE
                                ),
                            )
                            for path in args.writable_paths
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

        # No scheme annotation: the class's IngressClassParams set the scheme (and override
        # an annotation anyway).
        annotations: dict[str, pulumi.Input[str]] = {
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
                ingress_class_name=ingress_class_name(args),
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


def ingress_class_name(args: SampleAppArgs) -> pulumi.Input[str]:
    """``args.ingress_class``, else the controller's internet-facing class, else its default
    class (a controller without an internet-facing class has only that one)."""
    if args.ingress_class is not None:
        return args.ingress_class
    controller = args.controller
    public: pulumi.Input[str] | None = getattr(controller, "internet_facing_class_name", None)
    if public is None:
        public = getattr(controller, "public_ingress_class", None)
    return public if public is not None else controller.ingress_class_name


def volume_name(path: str) -> str:
    """The emptyDir volume for a writable path: ``/var/log/nginx`` -> ``var-log-nginx``."""
    return re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "root"


def image_is_pinned(image: str) -> bool:
    """Whether ``image`` names one image for good: a digest, or a tag other than ``latest``."""
    if _DIGEST.search(image):
        return True
    if "@" in image:  # a digest, but not a sha256 one
        return False
    last = image.rsplit("/", 1)[-1]
    _, colon, tag = last.partition(":")
    return bool(colon) and bool(_TAG.match(tag)) and tag != "latest"


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
    v.require(
        image_is_pinned(args.image),
        "image",
        f"{args.image!r} is not pinned: give a tag other than latest (repo:1.2.3) or a digest "
        "(repo@sha256:...), so that every deploy runs the image that was reviewed",
    )
    v.positive_int(args.replicas, "replicas", minimum=1)
    if args.ingress_class is not None:
        v.dns_subdomain(args.ingress_class, "ingress_class", "IngressClass name")
    _validate_writable_paths(args.writable_paths)


def _validate_writable_paths(paths: Any) -> None:
    for i, path in enumerate(paths):
        v.require(
            isinstance(path, str)
            and path.startswith("/")
            and path != "/"
            and posixpath.normpath(path) == path,
            f"writable_paths[{i}]",
            f"{path!r} is not an absolute directory path below / (e.g. /var/cache/nginx)",
        )
        v.dns_label(volume_name(path), f"writable_paths[{i}]", "volume name derived from it")
    v.unique(paths, "writable_paths", "path")
    v.unique([volume_name(p) for p in paths], "writable_paths", "volume name (from the path)")
