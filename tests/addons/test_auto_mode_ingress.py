"""AutoModeIngress: EKS Auto Mode's IngressClasses and IngressClassParams, the same classes the
load-balancer controller makes, checked against Auto Mode's vendored CRD schema."""

from __future__ import annotations

import copy
import re
from typing import Any

import pulumi
import pytest

from components.addons.auto_mode_ingress import AutoModeIngress, AutoModeIngressArgs
from components.cluster import EksCluster
from components.synth import Recorded, SynthResult
from tests.oracles.iam_validation import assert_valid_custom_resource, assert_valid_k8s
from tests.support import cluster_args, depends_on, light_cluster, manifest, refused, run

SCHEMA = "eks-ingressclassparams-v1.json"
PARAMS = "kubernetes:eks.amazonaws.com/v1:IngressClassParams"
CLASS = "kubernetes:networking.k8s.io/v1:IngressClass"
CERT = "arn:aws:acm:us-west-2:123456789012:certificate/0f0e0d0c-1111-2222-3333-444455556666"


def synth(**overrides: Any) -> SynthResult:
    def program() -> None:
        ingress = AutoModeIngress(
            "ingress", AutoModeIngressArgs(cluster=light_cluster("auto"), **overrides)
        )
        pulumi.export("ingressClassName", ingress.ingress_class_name)
        pulumi.export("classes", ingress.ingress_classes)

    return run(program)


@pytest.fixture(scope="module")
def both() -> SynthResult:
    return synth(
        default_ingress_class=True,
        public_ingress_class="alb-public",
        public_namespaces=["storefront", "api"],
        certificate_arns=[CERT],
        access_logs_bucket="alb-logs",
        access_logs_prefix="auto",
    )


def _by_name(result: SynthResult, typ: str) -> dict[str, Recorded]:
    return {r.inputs["metadata"]["name"]: r for r in result.by_type(typ)}


def test_the_internal_default_class_points_at_auto_modes_params(both: SynthResult) -> None:
    classes, params = _by_name(both, CLASS), _by_name(both, PARAMS)
    main = classes["alb"]
    assert main.inputs["spec"] == {
        "controller": "eks.amazonaws.com/alb",
        "parameters": {
            "apiGroup": "eks.amazonaws.com",
            "kind": "IngressClassParams",
            "name": "alb",
        },
    }
    assert main.inputs["metadata"]["annotations"] == {
        "ingressclass.kubernetes.io/is-default-class": "true"
    }
    assert params["alb"].inputs["spec"]["scheme"] == "internal"
    assert "namespaceSelector" not in params["alb"].inputs["spec"]
    assert depends_on(both, main, params["alb"])
    assert both.outputs["ingressClassName"] == "alb"


def test_the_internet_facing_class_admits_only_the_listed_namespaces(both: SynthResult) -> None:
    classes, params = _by_name(both, CLASS), _by_name(both, PARAMS)
    public = params["alb-public"].inputs["spec"]
    assert public["scheme"] == "internet-facing"
    assert public["namespaceSelector"] == {
        "matchExpressions": [
            {
                "key": "kubernetes.io/metadata.name",
                "operator": "In",
                "values": ["api", "storefront"],
            }
        ]
    }
    assert "annotations" not in classes["alb-public"].inputs["metadata"]
    assert both.outputs["classes"] == {
        "alb": {"scheme": "internal", "namespaces": []},
        "alb-public": {"scheme": "internet-facing", "namespaces": ["api", "storefront"]},
    }


def test_every_object_fits_auto_modes_crd_and_kubernetes(both: SynthResult) -> None:
    for params in both.by_type(PARAMS):
        assert_valid_custom_resource(manifest(params), SCHEMA)
        spec = params.inputs["spec"]
        assert spec["sslPolicy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06"
        assert spec["certificateARNs"] == [CERT]  # Auto Mode's spelling (not certificateArn)
        assert {"key": "access_logs.s3.bucket", "value": "alb-logs"} in spec[
            "loadBalancerAttributes"
        ]
    for ingress_class in both.by_type(CLASS):
        assert_valid_k8s(manifest(ingress_class), "1.35")


def test_the_schema_refuses_what_only_the_controller_knows(both: SynthResult) -> None:
    params = copy.deepcopy(manifest(both.by_type(PARAMS)[0]))  # the fixture is shared
    params["spec"]["sslRedirectPort"] = "443"
    with pytest.raises(AssertionError, match="sslRedirectPort"):
        assert_valid_custom_resource(params, SCHEMA)


def test_minimal_classes() -> None:
    result = synth()
    (params,) = result.by_type(PARAMS)
    assert params.inputs["spec"] == {
        "scheme": "internal",
        "ipAddressType": "ipv4",
        "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
    }
    assert "annotations" not in result.one(CLASS).inputs["metadata"]
    assert_valid_custom_resource(manifest(params), SCHEMA)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"public_ingress_class": "alb-public"}, r"^public_namespaces: list the namespaces"),
        ({"public_namespaces": ["web"]}, r"^public_namespaces: there is no internet-facing class"),
        ({"ingress_scheme": "public"}, r"^ingress_scheme: 'public' is not one of"),
        ({"certificate_arns": ["arn:aws:iam::1:x"]}, r"^certificate_arns\[0\]: "),
        ({"public_ingress_class": "alb", "public_namespaces": ["a"]}, r"^public_ingress_class: "),
    ],
)
def test_bad_settings_are_refused_naming_the_field(overrides: dict, message: str) -> None:
    error = refused(
        lambda: AutoModeIngress(
            "ingress", AutoModeIngressArgs(cluster=light_cluster("auto"), **overrides)
        ),
        name="ingress",
    )
    assert re.search(message.replace("^", "^AutoModeIngress 'ingress': "), error), error


def test_a_managed_cluster_is_refused() -> None:
    def program() -> None:
        cluster = EksCluster("test", cluster_args())
        AutoModeIngress("ingress", AutoModeIngressArgs(cluster=cluster))

    error = refused(program, name="ingress")
    assert error.startswith("AutoModeIngress 'ingress': cluster: the cluster's compute is managed")


@pytest.mark.parametrize("kind", ["LoadBalancerController", "Karpenter"])
def test_controllers_auto_mode_replaces_refuse_an_auto_mode_cluster(kind: str) -> None:
    from components import (
        Karpenter,
        KarpenterArgs,
        LoadBalancerController,
        LoadBalancerControllerArgs,
        NodePoolSpec,
    )

    def program() -> None:
        cluster = EksCluster("test", cluster_args(compute="auto-mode", node_groups={}))
        if kind == "Karpenter":
            pools = {"general": NodePoolSpec(limits={"cpu": "8", "memory": "32Gi"})}
            Karpenter("addon", KarpenterArgs(cluster=cluster, node_pools=pools))
        else:
            LoadBalancerController("addon", LoadBalancerControllerArgs(cluster=cluster))

    error = refused(program, name="addon")
    assert error.startswith(
        f"{kind} 'addon': cluster: the cluster runs EKS Auto Mode (compute auto-mode), which "
        f"does {kind}'s work itself"
    ), error
