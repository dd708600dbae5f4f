"""SampleApp: the 2048 game behind an ALB, with an optional DNS-validated ACM certificate."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pulumi
import pytest

from components.addons.load_balancer_controller import (
    LoadBalancerController,
    LoadBalancerControllerArgs,
)
from components.synth import SynthResult
from components.validation.config_reader import config_error, from_config
from stacks.sample_app import (
    DEFAULT_IMAGE,
    DEFAULT_WRITABLE_PATHS,
    SampleApp,
    SampleAppArgs,
    image_is_pinned,
    validate_settings,
)
from tests.oracles.iam_validation import assert_valid_k8s
from tests.support import light_cluster, make_cluster, manifest, refusals, run, shared

K8S_VERSION = "1.35"
HOST = "2048.dev.example.com"
ZONE = "Z0123456789ABCDEFGHIJ"
COMPONENT = "eks-platform:index:SampleApp"
RELEASE = "kubernetes:helm.sh/v3:Release"
INGRESS_CLASS = "kubernetes:networking.k8s.io/v1:IngressClass"
NAMESPACE = "kubernetes:core/v1:Namespace"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
SERVICE = "kubernetes:core/v1:Service"
INGRESS = "kubernetes:networking.k8s.io/v1:Ingress"
CERTIFICATE = "aws:acm/certificate:Certificate"
RECORD = "aws:route53/record:Record"
VALIDATION = "aws:acm/certificateValidation:CertificateValidation"
ALB = "alb.ingress.kubernetes.io"


def synth(
    controller: dict[str, Any] | None = None,
    controller_attributes: dict[str, Any] | None = None,
    **overrides: Any,
) -> SynthResult:
    """A cluster, a controller (with ``controller`` args, and ``controller_attributes`` set on
    it, to stand in for attributes a newer controller has) and the app ``game`` with
    ``overrides``."""

    def program() -> None:
        lbc = LoadBalancerController(
            "alb", LoadBalancerControllerArgs(cluster=light_cluster(), **(controller or {}))
        )
        for attribute, value in (controller_attributes or {}).items():
            setattr(lbc, attribute, value)
        app = SampleApp("game", SampleAppArgs(controller=lbc, **overrides))
        pulumi.export("url", app.url)
        pulumi.export("hostname", app.hostname)
        pulumi.export("namespace", app.namespace)
        pulumi.export("certificateArn", app.certificate_arn)

    return run(program)


def ingress_annotations(result: SynthResult) -> dict[str, str]:
    found: dict[str, str] = result.one(INGRESS).inputs["metadata"]["annotations"]
    return found


@pytest.fixture(scope="module")
def plain() -> SynthResult:
    return synth()


@pytest.fixture(scope="module")
def https() -> SynthResult:
    return synth(host=HOST, zone_id=ZONE)


# --------------------------------------------------------------------------- objects


def test_every_object_is_valid_kubernetes(plain: SynthResult, https: SynthResult) -> None:
    for result in (plain, https):
        for type_ in (NAMESPACE, DEPLOYMENT, SERVICE, INGRESS):
            assert_valid_k8s(manifest(result.one(type_)), K8S_VERSION)


def test_namespace_deployment_and_service(plain: SynthResult) -> None:
    assert plain.one(NAMESPACE).inputs["metadata"]["name"] == "game-2048"
    assert plain.one(NAMESPACE).inputs["metadata"]["labels"] == {
        "pod-security.kubernetes.io/enforce": "restricted",
        "pod-security.kubernetes.io/warn": "restricted",
        "pod-security.kubernetes.io/audit": "restricted",
        "pod-security.kubernetes.io/enforce-version": "latest",
    }
    assert plain.outputs["namespace"] == "game-2048"
    deployment = plain.one(DEPLOYMENT).inputs
    assert deployment["metadata"]["namespace"] == "game-2048"
    spec = deployment["spec"]
    assert spec["replicas"] == 2
    labels = spec["template"]["metadata"]["labels"]
    assert labels == {"app.kubernetes.io/name": "app-2048"}
    assert spec["selector"]["matchLabels"] == labels
    (container,) = spec["template"]["spec"]["containers"]
    assert container["image"] == DEFAULT_IMAGE
    assert DEFAULT_IMAGE.startswith("docker.io/alexwhen/docker-2048@sha256:")
    assert container["ports"][0]["containerPort"] == 80
    assert set(container["resources"]["requests"]) == {"cpu", "memory"}
    assert set(container["resources"]["limits"]) == {"cpu", "memory"}
    service = plain.one(SERVICE).inputs
    assert service["metadata"]["namespace"] == "game-2048"
    assert service["spec"]["type"] == "ClusterIP"
    assert service["spec"]["selector"] == labels
    assert service["spec"]["ports"][0]["port"] == 80


def restricted_violations(pod: dict[str, Any]) -> list[str]:
    """What in ``pod`` (a PodSpec) the Pod Security Standard ``restricted`` refuses.

    The checks of the baseline and restricted profiles
    (https://kubernetes.io/docs/concepts/security/pod-security-standards/) that a Deployment
    can break; a test stand-in for the admission controller, which does not run offline.
    """
    found: list[str] = []
    pod_sc = pod.get("securityContext") or {}
    for host in ("hostNetwork", "hostPID", "hostIPC"):
        if pod.get(host):
            found.append(host)
    safe_sysctls = {
        "kernel.shm_rmid_forced",
        "net.ipv4.ip_local_port_range",
        "net.ipv4.ip_unprivileged_port_start",
        "net.ipv4.tcp_syncookies",
        "net.ipv4.ping_group_range",
        "net.ipv4.ip_local_reserved_ports",
        "net.ipv4.tcp_keepalive_time",
        "net.ipv4.tcp_fin_timeout",
        "net.ipv4.tcp_keepalive_intvl",
        "net.ipv4.tcp_keepalive_probes",
    }
    for sysctl in pod_sc.get("sysctls") or []:
        if sysctl["name"] not in safe_sysctls:
            found.append(f"sysctl {sysctl['name']}")
    allowed_volumes = {
        "configMap",
        "csi",
        "downwardAPI",
        "emptyDir",
        "ephemeral",
        "persistentVolumeClaim",
        "projected",
        "secret",
    }
    for volume in pod.get("volumes") or []:
        kinds = set(volume) - {"name"}
        if not kinds <= allowed_volumes:
            found.append(f"volume {volume['name']}: {kinds - allowed_volumes}")
    if pod_sc.get("runAsUser") == 0:
        found.append("pod runAsUser 0")
    pod_seccomp = (pod_sc.get("seccompProfile") or {}).get("type")
    for container in [*pod.get("initContainers", []), *pod["containers"]]:
        name = container["name"]
        sc = container.get("securityContext") or {}
        if sc.get("privileged"):
            found.append(f"{name}: privileged")
        if sc.get("allowPrivilegeEscalation") is not False:
            found.append(f"{name}: allowPrivilegeEscalation is not false")
        if not sc.get("runAsNonRoot", pod_sc.get("runAsNonRoot")):
            found.append(f"{name}: runAsNonRoot is not true")
        if sc.get("runAsUser", pod_sc.get("runAsUser")) == 0:
            found.append(f"{name}: runAsUser 0")
        seccomp = (sc.get("seccompProfile") or {}).get("type", pod_seccomp)
        if seccomp not in ("RuntimeDefault", "Localhost"):
            found.append(f"{name}: seccompProfile {seccomp!r}")
        capabilities = sc.get("capabilities") or {}
        if "ALL" not in (capabilities.get("drop") or []):
            found.append(f"{name}: capabilities do not drop ALL")
        if set(capabilities.get("add") or []) - {"NET_BIND_SERVICE"}:
            found.append(f"{name}: adds capabilities {capabilities['add']}")
        if any(port.get("hostPort") for port in container.get("ports") or []):
            found.append(f"{name}: hostPort")
    return found


def test_pod_meets_the_restricted_pod_security_standard(plain: SynthResult) -> None:
    pod = plain.one(DEPLOYMENT).inputs["spec"]["template"]["spec"]
    assert restricted_violations(pod) == []
    # The checker itself refuses what restricted refuses.
    assert restricted_violations(
        {"containers": [{"name": "c", "securityContext": {"runAsUser": 0}}]}
    ) == [
        "c: allowPrivilegeEscalation is not false",
        "c: runAsNonRoot is not true",
        "c: runAsUser 0",
        "c: seccompProfile None",
        "c: capabilities do not drop ALL",
    ]


def test_container_runs_hardened(plain: SynthResult) -> None:
    pod = plain.one(DEPLOYMENT).inputs["spec"]["template"]["spec"]
    assert pod["automountServiceAccountToken"] is False
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] == pod["securityContext"]["runAsGroup"] == 101
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    # nginx binds port 80 as non-root through the namespaced, "safe" sysctl, not a capability.
    assert pod["securityContext"]["sysctls"] == [
        {"name": "net.ipv4.ip_unprivileged_port_start", "value": "0"}
    ]
    (container,) = pod["containers"]
    assert container["securityContext"] == {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "runAsNonRoot": True,
        "capabilities": {"drop": ["ALL"]},
    }
    # Every place nginx writes is an emptyDir of bounded size.
    mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
    assert set(mounts) == set(DEFAULT_WRITABLE_PATHS)
    assert {"/var/cache/nginx", "/var/run", "/var/log/nginx", "/var/lib/nginx/tmp"} <= set(mounts)
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert set(volumes) == set(mounts.values())
    for volume in volumes.values():
        assert volume["emptyDir"] == {"sizeLimit": "64Mi"}


def test_writable_paths_can_be_chosen() -> None:
    pod = synth(writable_paths=["/tmp", "/var/cache/app"]).one(DEPLOYMENT).inputs["spec"]
    pod = pod["template"]["spec"]
    assert {m["mountPath"]: m["name"] for m in pod["containers"][0]["volumeMounts"]} == {
        "/tmp": "tmp",
        "/var/cache/app": "var-cache-app",
    }
    assert [v["name"] for v in pod["volumes"]] == ["tmp", "var-cache-app"]


@pytest.mark.parametrize(
    ("image", "pinned"),
    [
        (DEFAULT_IMAGE, True),
        ("public.ecr.aws/l6m2t8p7/docker-2048:latest", False),
        ("public.ecr.aws/l6m2t8p7/docker-2048", False),
        ("registry.example.com:5000/game", False),
        ("registry.example.com:5000/game:1.0", True),
        ("nginx:1.27-alpine", True),
        ("public.ecr.aws/l6m2t8p7/docker-2048:latest@sha256:" + "a" * 64, True),
        ("game@sha256:abc", False),
    ],
)
def test_image_must_be_pinned(image: str, pinned: bool) -> None:
    assert image_is_pinned(image) is pinned


def test_overrides() -> None:
    result = synth(namespace="games", image="example.com/2048:1.0", replicas=3)
    assert result.one(NAMESPACE).inputs["metadata"]["name"] == "games"
    spec = result.one(DEPLOYMENT).inputs["spec"]
    assert spec["replicas"] == 3
    assert spec["template"]["spec"]["containers"][0]["image"] == "example.com/2048:1.0"
    assert result.one(INGRESS).inputs["metadata"]["namespace"] == "games"


# --------------------------------------------------------------------------- Ingress


def test_ingress_without_zone_listens_on_http(plain: SynthResult) -> None:
    ingress = plain.one(INGRESS).inputs
    assert ingress["spec"]["ingressClassName"] == "alb"
    # No scheme annotation: the IngressClassParams of the class set it.
    assert ingress_annotations(plain) == {
        f"{ALB}/target-type": "ip",
        f"{ALB}/healthcheck-path": "/",
        f"{ALB}/listen-ports": '[{"HTTP":80}]',
    }
    (rule,) = ingress["spec"]["rules"]
    assert "host" not in rule
    (path,) = rule["http"]["paths"]
    assert path["path"] == "/"
    assert path["pathType"] == "Prefix"
    assert path["backend"]["service"] == {"name": "service-2048", "port": {"number": 80}}
    assert not plain.by_type(CERTIFICATE)
    assert not plain.by_type(RECORD)
    assert not plain.by_type(VALIDATION)
    # No host and no load balancer yet (mocks): nothing to open.
    assert plain.outputs["url"] == ""
    assert plain.outputs["hostname"] == ""


def test_host_without_zone() -> None:
    result = synth(host=HOST)
    (rule,) = result.one(INGRESS).inputs["spec"]["rules"]
    assert rule["host"] == HOST
    assert f"{ALB}/certificate-arn" not in ingress_annotations(result)
    assert not result.by_type(CERTIFICATE)
    assert result.outputs["url"] == f"http://{HOST}"


def test_ingress_depends_on_the_controller(plain: SynthResult) -> None:
    release, ingress_class = plain.one(RELEASE), plain.one(INGRESS_CLASS)
    ingress = plain.one(INGRESS)
    assert release.urn in ingress.dependencies
    assert ingress_class.urn in ingress.dependencies
    assert plain.one(SERVICE).urn in ingress.dependencies
    # The namespace too, so everything in it is created after the controller and deleted before it.
    assert release.urn in plain.one(NAMESPACE).dependencies
    namespace = plain.one(NAMESPACE).urn
    assert namespace in plain.one(DEPLOYMENT).dependencies
    assert namespace in plain.one(SERVICE).dependencies


def test_ingress_uses_the_controller_class_without_an_internet_facing_one() -> None:
    result = synth(controller={"ingress_class": "alb-internal", "ingress_scheme": "internal"})
    assert result.one(INGRESS).inputs["spec"]["ingressClassName"] == "alb-internal"
    assert f"{ALB}/scheme" not in ingress_annotations(result)


def test_ingress_prefers_the_controller_internet_facing_class() -> None:
    # A controller with an internal default class and an internet-facing one (the attributes
    # LoadBalancerController gains with it; set by hand here).
    by_name = synth(
        controller={"ingress_scheme": "internal"},
        controller_attributes={"public_ingress_class": "alb-public"},
    )
    assert by_name.one(INGRESS).inputs["spec"]["ingressClassName"] == "alb-public"
    by_output = synth(
        controller_attributes={
            "internet_facing_class_name": pulumi.Output.from_input("alb-internet-facing"),
            "public_ingress_class": "alb-public",
        }
    )
    assert by_output.one(INGRESS).inputs["spec"]["ingressClassName"] == "alb-internet-facing"
    # None (a controller without the internet-facing class): its default class.
    none = synth(controller_attributes={"public_ingress_class": None})
    assert none.one(INGRESS).inputs["spec"]["ingressClassName"] == "alb"


def test_ingress_class_can_be_chosen() -> None:
    result = synth(
        ingress_class="shared-alb", controller_attributes={"public_ingress_class": "alb-public"}
    )
    assert result.one(INGRESS).inputs["spec"]["ingressClassName"] == "shared-alb"


# --------------------------------------------------------------------------- ACM


def test_zone_gets_a_dns_validated_certificate(https: SynthResult) -> None:
    certificate = https.one(CERTIFICATE)
    assert certificate.inputs["domainName"] == HOST
    assert certificate.inputs["validationMethod"] == "DNS"
    (record,) = https.by_type(RECORD)
    assert record.inputs["zoneId"] == ZONE
    assert record.inputs["type"] == "CNAME"
    assert record.inputs["name"].endswith(f".{HOST}.")
    assert len(record.inputs["records"]) == 1
    assert record.inputs["records"][0].endswith(".acm-validations.aws.")
    assert record.inputs["ttl"] == 60
    assert record.inputs["allowOverwrite"] is True
    assert certificate.urn in record.dependencies
    validation = https.one(VALIDATION)
    assert len(validation.inputs["validationRecordFqdns"]) == 1
    assert record.urn in validation.dependencies
    assert certificate.urn in validation.dependencies


def test_https_ingress_carries_the_validated_certificate(https: SynthResult) -> None:
    validation = https.one(VALIDATION)
    arn = validation.inputs["certificateArn"]
    assert arn.startswith("arn:aws:acm:us-west-2:123456789012:certificate/")
    assert https.outputs["certificateArn"] == arn
    found = ingress_annotations(https)
    assert found[f"{ALB}/certificate-arn"] == arn
    assert json.loads(found[f"{ALB}/listen-ports"]) == [{"HTTP": 80}, {"HTTPS": 443}]
    assert found[f"{ALB}/listen-ports"] == '[{"HTTP":80},{"HTTPS":443}]'
    assert found[f"{ALB}/ssl-redirect"] == "443"
    assert found[f"{ALB}/target-type"] == "ip"
    # The Ingress waits for the certificate to be issued.
    assert validation.urn in https.one(INGRESS).dependencies
    (rule,) = https.one(INGRESS).inputs["spec"]["rules"]
    assert rule["host"] == HOST
    assert https.outputs["url"] == f"https://{HOST}"


# --------------------------------------------------------------------------- validation

BAD_ARGS: list[tuple[dict[str, Any], str]] = [
    (
        {"host": "Not_A_Host.example.com"},
        "host: 'Not_A_Host.example.com' is not a valid domain name",
    ),
    ({"host": "localhost"}, "host: 'localhost' is not a valid domain name"),
    ({"host": HOST, "zone_id": "z123"}, "zone_id: 'z123' is not a Route53 hosted zone id"),
    ({"host": HOST, "zone_id": "/hostedzone/Z123"}, "zone_id:"),
    ({"zone_id": ZONE}, "zone_id: needs host"),
    ({"namespace": "Game"}, "namespace: 'Game' is not a valid namespace"),
    ({"replicas": 0}, "replicas: 0 must be an integer at least 1"),
    ({"image": ""}, "image: '' is not a container image reference"),
    (
        {"image": "public.ecr.aws/l6m2t8p7/docker-2048:latest"},
        "image: 'public.ecr.aws/l6m2t8p7/docker-2048:latest' is not pinned",
    ),
    ({"image": "nginx"}, "image: 'nginx' is not pinned"),
    ({"ingress_class": "ALB"}, "ingress_class: 'ALB' is not a valid IngressClass name"),
    ({"writable_paths": ["tmp"]}, r"writable_paths\[0\]: 'tmp' is not an absolute directory"),
    ({"writable_paths": ["/"]}, r"writable_paths\[0\]: '/' is not an absolute directory"),
    ({"writable_paths": ["/var/run/"]}, r"writable_paths\[0\]: '/var/run/' is not"),
    ({"writable_paths": ["/tmp", "/tmp"]}, "writable_paths: duplicate path '/tmp'"),
    (
        {"writable_paths": ["/var/run", "/var.run"]},
        "writable_paths: duplicate volume name",
    ),
]


@shared
def refused_on_a_cluster() -> tuple[list[str | None], SynthResult]:
    """Every BAD_ARGS SampleApp, tried in turn in one program on a controller of a whole
    EksCluster (one synth of it for all of them)."""

    def setup() -> LoadBalancerController:
        return LoadBalancerController("alb", LoadBalancerControllerArgs(cluster=make_cluster()))

    def attempt(overrides: dict[str, Any]) -> Callable[[LoadBalancerController], object]:
        return lambda lbc: SampleApp("game", SampleAppArgs(controller=lbc, **overrides))

    return refusals(setup, [attempt(overrides) for overrides, _ in BAD_ARGS])


@pytest.mark.parametrize(("overrides", "message"), BAD_ARGS)
def test_bad_args_are_refused_before_anything_is_registered(
    overrides: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match="^SampleApp 'game': " + message):
        synth(**overrides)
    # On a whole cluster too, where nothing of the app may be registered (by any of the
    # attempts, which share the program).
    errors, result = refused_on_a_cluster()
    error = errors[BAD_ARGS.index((overrides, message))]
    assert error is not None and re.match("^SampleApp 'game': " + message, error), error
    assert not [r.urn for r in result.resources if COMPONENT in r.urn or r.name.startswith("game")]


# --------------------------------------------------------------------------- configuration

CONFIG_KEY = "eks-platform:sampleApp"


def test_args_read_from_stack_configuration() -> None:
    raw = {
        "host": HOST,
        "zoneId": ZONE,
        "namespace": "games",
        "image": DEFAULT_IMAGE,
        "replicas": 1,
        "ingressClass": "alb-public",
        "writablePaths": ["/tmp"],
    }
    args = from_config(SampleAppArgs, raw, CONFIG_KEY, controller=None)
    validate_settings(args)
    assert (args.host, args.zone_id, args.namespace, args.replicas) == (HOST, ZONE, "games", 1)
    assert (args.ingress_class, args.writable_paths) == ("alb-public", ["/tmp"])


def test_config_errors_name_the_config_key() -> None:
    args = from_config(SampleAppArgs, {"host": "Bad.Host"}, CONFIG_KEY, controller=None)
    with pytest.raises(
        ValueError, match=rf"^{CONFIG_KEY}\.host: 'Bad.Host' is not a valid domain name"
    ):
        try:
            validate_settings(args)
        except ValueError as e:
            raise config_error(CONFIG_KEY, e) from None
