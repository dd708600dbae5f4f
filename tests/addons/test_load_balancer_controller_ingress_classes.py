"""LoadBalancerController's IngressClasses and their IngressClassParams."""

from __future__ import annotations

import pytest

from components.synth import SynthResult
from tests.addons.load_balancer_controller_support import (
    INGRESS_CLASS,
    K8S_VERSION,
    PARAMS,
    RELEASE,
    default_synth,
    synth,
)
from tests.oracles.iam_validation import (
    assert_valid_ingress_class_params,
    assert_valid_k8s,
)
from tests.support import (
    manifest,
)


@pytest.fixture(scope="module")
def default() -> SynthResult:
    return default_synth()


def test_ingress_class_points_at_its_params(default: SynthResult) -> None:
    ingress_class, params = default.one(INGRESS_CLASS), default.one(PARAMS)
    spec = ingress_class.inputs["spec"]
    assert spec["controller"] == "ingress.k8s.aws/alb"
    assert spec["parameters"] == {
        "apiGroup": "elbv2.k8s.aws",
        "kind": "IngressClassParams",
        "name": params.inputs["metadata"]["name"],
    }
    assert ingress_class.inputs["metadata"]["name"] == "alb" == default.outputs["ingressClassName"]
    assert "annotations" not in ingress_class.inputs["metadata"]
    # Internal unless asked, and no TLS 1.0/1.1.
    assert params.inputs["spec"] == {
        "scheme": "internal",
        "ipAddressType": "ipv4",
        "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
    }
    assert_valid_k8s(manifest(ingress_class), K8S_VERSION)
    assert_valid_ingress_class_params(manifest(params))


def test_custom_resources_wait_for_the_chart(default: SynthResult) -> None:
    release = default.one(RELEASE)
    params, ingress_class = default.one(PARAMS), default.one(INGRESS_CLASS)
    assert release.urn in params.dependencies
    assert release.urn in ingress_class.dependencies
    assert params.urn in ingress_class.dependencies


@pytest.mark.parametrize(
    ("scheme", "ip_type"),
    [
        ("internal", "ipv4"),
        ("internet-facing", "dualstack"),
        ("internal", "dualstack-without-public-ipv4"),
    ],
)
def test_class_params(scheme: str, ip_type: str) -> None:
    result = synth(ingress_scheme=scheme, ip_address_type=ip_type, ingress_class="alb-internal")
    params = result.one(PARAMS)
    assert params.inputs["spec"]["scheme"] == scheme
    assert params.inputs["spec"]["ipAddressType"] == ip_type
    assert params.inputs["metadata"]["name"] == "alb-internal"
    assert_valid_ingress_class_params(manifest(params))


def test_default_ingress_class_annotation() -> None:
    result = synth(default_ingress_class=True)
    ingress_class = result.one(INGRESS_CLASS)
    assert ingress_class.inputs["metadata"]["annotations"] == {
        "ingressclass.kubernetes.io/is-default-class": "true"
    }
    assert_valid_k8s(manifest(ingress_class), K8S_VERSION)


def test_an_internet_facing_class_beside_the_internal_one_for_chosen_namespaces() -> None:
    cert = "arn:aws:acm:us-west-2:123456789012:certificate/11111111-2222-3333-4444-555555555555"
    waf = "arn:aws:wafv2:us-west-2:123456789012:regional/webacl/edge/1"
    result = synth(
        public_ingress_class="alb-public",
        public_namespaces=["shop", "game-2048"],
        certificate_arns=[cert],
        access_logs_bucket="example-alb-logs",
        waf_acl_arn=waf,
    )
    params = {p.inputs["metadata"]["name"]: p.inputs["spec"] for p in result.by_type(PARAMS)}
    assert params["alb"]["scheme"] == "internal"
    public = params["alb-public"]
    assert public["scheme"] == "internet-facing"
    assert public["namespaceSelector"] == {
        "matchExpressions": [
            {
                "key": "kubernetes.io/metadata.name",
                "operator": "In",
                "values": ["game-2048", "shop"],
            }
        ]
    }
    assert "namespaceSelector" not in params["alb"]
    for spec in params.values():
        assert spec["sslPolicy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06"
        assert spec["certificateArn"] == [cert] and spec["sslRedirectPort"] == "443"
        assert {"key": "access_logs.s3.bucket", "value": "example-alb-logs"} in spec[
            "loadBalancerAttributes"
        ]
    assert public["wafv2AclArn"] == waf and "wafv2AclArn" not in params["alb"]
    for p in result.by_type(PARAMS):
        assert_valid_ingress_class_params(manifest(p))
    classes = {c.inputs["metadata"]["name"] for c in result.by_type(INGRESS_CLASS)}
    assert classes == {"alb", "alb-public"}
    cleanup = [
        r for r in result.by_type("pulumi-python:dynamic:Resource") if r.name == "alb-cleanup"
    ]
    assert cleanup[0].inputs["ingressClasses"] == ["alb", "alb-public"]
