"""SampleApp: the 2048 game behind an ALB, with an optional DNS-validated ACM certificate."""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pytest

from components.config import config_error, from_config
from components.load_balancer_controller import LoadBalancerController, LoadBalancerControllerArgs
from components.sample_app import DEFAULT_IMAGE, SampleApp, SampleAppArgs, validate_settings
from components.synth import SynthResult
from tests.iam_validation import assert_valid_k8s
from tests.support import make_cluster, manifest, run

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


def synth(controller: dict[str, Any] | None = None, **overrides: Any) -> SynthResult:
    """A cluster, a controller (with ``controller`` args) and the app ``game`` with ``overrides``."""

    def program() -> None:
        eks = make_cluster()
        lbc = LoadBalancerController(
            "alb", LoadBalancerControllerArgs(cluster=eks, **(controller or {}))
        )
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
    assert plain.outputs["namespace"] == "game-2048"
    deployment = plain.one(DEPLOYMENT).inputs
    assert deployment["metadata"]["namespace"] == "game-2048"
    spec = deployment["spec"]
    assert spec["replicas"] == 2
    labels = spec["template"]["metadata"]["labels"]
    assert labels == {"app.kubernetes.io/name": "app-2048"}
    assert spec["selector"]["matchLabels"] == labels
    (container,) = spec["template"]["spec"]["containers"]
    assert container["image"] == DEFAULT_IMAGE == "public.ecr.aws/l6m2t8p7/docker-2048:latest"
    assert container["ports"][0]["containerPort"] == 80
    assert set(container["resources"]["requests"]) == {"cpu", "memory"}
    service = plain.one(SERVICE).inputs
    assert service["metadata"]["namespace"] == "game-2048"
    assert service["spec"]["type"] == "ClusterIP"
    assert service["spec"]["selector"] == labels
    assert service["spec"]["ports"][0]["port"] == 80


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
    assert ingress_annotations(plain) == {
        f"{ALB}/scheme": "internet-facing",
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


def test_ingress_uses_the_controller_class_and_scheme() -> None:
    result = synth(controller={"ingress_class": "alb-internal", "ingress_scheme": "internal"})
    assert result.one(INGRESS).inputs["spec"]["ingressClassName"] == "alb-internal"
    assert ingress_annotations(result)[f"{ALB}/scheme"] == "internal"


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
]


@pytest.mark.parametrize(("overrides", "message"), BAD_ARGS)
def test_bad_args_are_refused_before_anything_is_registered(
    overrides: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match="^SampleApp 'game': " + message):
        synth(**overrides)
    errors: list[ValueError] = []

    def program() -> None:
        eks = make_cluster()
        lbc = LoadBalancerController("alb", LoadBalancerControllerArgs(cluster=eks))
        try:
            SampleApp("game", SampleAppArgs(controller=lbc, **overrides))
        except ValueError as e:
            errors.append(e)

    result = run(program)
    assert len(errors) == 1
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
    }
    args = from_config(SampleAppArgs, raw, CONFIG_KEY, controller=None)
    validate_settings(args)
    assert (args.host, args.zone_id, args.namespace, args.replicas) == (HOST, ZONE, "games", 1)


def test_config_errors_name_the_config_key() -> None:
    args = from_config(SampleAppArgs, {"host": "bad_host"}, CONFIG_KEY, controller=None)
    with pytest.raises(
        ValueError, match=rf"^{CONFIG_KEY}\.host: 'bad_host' is not a valid domain name"
    ):
        try:
            validate_settings(args)
        except ValueError as e:
            raise config_error(CONFIG_KEY, e) from None
