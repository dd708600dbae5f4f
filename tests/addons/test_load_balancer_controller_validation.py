"""LoadBalancerController's arguments: refused before anything is registered, read from stack configuration."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from components.addons.helm import ChartSpec
from components.addons.load_balancer_controller import (
    DEFAULT_CHART,
    LoadBalancerController,
    LoadBalancerControllerArgs,
    validate_settings,
)
from components.identity.iam import RoleSettings
from components.validation.config_reader import config_error, from_config
from tests.support import (
    light_cluster,
    refused,
)

BAD_ARGS: list[tuple[dict[str, Any], str]] = [
    (
        {"ingress_scheme": "public"},
        "ingress_scheme: 'public' is not one of internal, internet-facing",
    ),
    ({"ip_address_type": "ipv6"}, "ip_address_type: 'ipv6' is not one of"),
    ({"ingress_class": "ALB_Class"}, "ingress_class: 'ALB_Class' is not a valid IngressClass name"),
    ({"replicas": 0}, "replicas: 0 must be an integer at least 1"),
    ({"identity": "kiam"}, "identity: expected one of 'irsa', 'pod-identity', got str 'kiam'"),
    ({"default_target_type": "pod"}, "default_target_type: 'pod' is not one of ip, instance"),
    (
        {
            "chart": ChartSpec(
                chart="aws-load-balancer-controller",
                repository="https://aws.github.io/eks-charts",
                version="3.x",
            )
        },
        "chart.version",
    ),
    ({"tolerations": [{"key": "a", "operator": "Maybe"}]}, r"tolerations\[0\].operator"),
    ({"tolerations": [{"key": "a", "colour": "red"}]}, r"tolerations\[0\]: unknown field 'colour'"),
    ({"node_selector": {"bad key!": "x"}}, "node_selector"),
    ({"values": {"replicaCount": 3}}, "values.replicaCount: is set by the argument replicas"),
    ({"values": {"serviceAccount": {"name": "other"}}}, "values.serviceAccount.name"),
    ({"values": {"clusterName": "other"}}, "values.clusterName"),
    ({"role": RoleSettings(name="x" * 65)}, "role.name"),
    ({"role": None}, "role: expected a RoleSettings, got NoneType"),
    ({"crds_version": "3.5.0"}, "crds_version: .* is not a controller release tag"),
    ({"public_ingress_class": "alb-public"}, "public_namespaces: list the namespaces"),
    ({"public_namespaces": ["web"]}, "public_namespaces: there is no internet-facing class"),
    (
        {"public_ingress_class": "alb", "public_namespaces": ["a"]},
        "public_ingress_class: 'alb' is the main class",
    ),
    ({"ssl_policy": "TLS1.2"}, "ssl_policy: 'TLS1.2' is not an ELB security policy"),
    (
        {"waf_acl_arn": "arn:aws:wafv2:us-west-2:1:regional/webacl/x/1"},
        "waf_acl_arn: a web ACL protects internet-facing",
    ),
    ({"values": {"resources": {}}}, "values.resources: is set by the argument resources"),
    ({"resources": {"limits": {"memory": "256MB"}}}, "resources.limits.memory: '256MB' is not"),
    ({"resources": {"request": {"cpu": "1"}}}, "resources: 'request' is not one of requests"),
    ({"replicas": "2"}, "replicas: expected an integer, got str"),
]


def _refused(make_args: Callable[[Any], LoadBalancerControllerArgs]) -> str:
    """Build the cluster, then the controller ``alb``, which must be refused, registering nothing."""

    def program() -> None:
        LoadBalancerController("alb", make_args(light_cluster()))

    return refused(program, name="alb")


@pytest.mark.parametrize(("overrides", "message"), BAD_ARGS)
def test_bad_args_are_refused_before_anything_is_registered(
    overrides: dict[str, Any], message: str
) -> None:
    error = _refused(lambda eks: LoadBalancerControllerArgs(cluster=eks, **overrides))
    assert error.startswith("LoadBalancerController 'alb': ")
    assert re.search(message, error), error


def test_a_cluster_that_is_not_one_is_refused() -> None:
    error = _refused(lambda eks: LoadBalancerControllerArgs(cluster=eks.name))
    assert error.startswith(
        "LoadBalancerController 'alb': cluster: expected an EksCluster or a ClusterRef"
    )


CONFIG_KEY = "eks-platform:loadBalancerController"


def test_args_read_from_stack_configuration() -> None:
    raw = {
        "identity": "pod-identity",
        "chart": {
            "chart": "aws-load-balancer-controller",
            "repository": "https://aws.github.io/eks-charts",
            "version": "3.5.0",
        },
        "replicas": 3,
        "ingressClass": "alb-public",
        "defaultIngressClass": True,
        "ingressScheme": "internal",
        "ipAddressType": "dualstack",
        "defaultTargetType": "ip",
        "enableServiceMutatorWebhook": True,
        "tolerations": [{"key": "CriticalAddonsOnly", "operator": "Exists"}],
        "nodeSelector": {"role": "system"},
        "role": {"name": "alb-controller", "tags": {"team": "platform"}},
        "values": {"enableShield": False},
    }
    args = from_config(LoadBalancerControllerArgs, raw, CONFIG_KEY, cluster=None)
    validate_settings(args)
    assert args.chart == DEFAULT_CHART
    assert (args.replicas, args.ingress_scheme, args.ip_address_type) == (
        3,
        "internal",
        "dualstack",
    )
    assert args.role.name == "alb-controller"
    assert args.values == {"enableShield": False}


def test_config_errors_name_the_config_key() -> None:
    args = from_config(
        LoadBalancerControllerArgs, {"ingressScheme": "public"}, CONFIG_KEY, cluster=None
    )
    with pytest.raises(ValueError, match=rf"^{CONFIG_KEY}\.ingressScheme: 'public' is not one of"):
        try:
            validate_settings(args)
        except ValueError as e:
            raise config_error(CONFIG_KEY, e) from None
