"""The load-balancer controller's classes and EKS Auto Mode's follow one set of rules for what
they share (names, namespaces, TLS, certificates, access logs): the same input is refused by both
with the same message."""

from __future__ import annotations

from typing import Any

import pytest

from components import (
    AutoModeIngress,
    AutoModeIngressArgs,
    LoadBalancerController,
    LoadBalancerControllerArgs,
)
from tests.support import light_cluster, refused, run

CASES = [
    (
        {"access_logs_bucket": "logs/alb"},
        "access_logs_bucket: 'logs/alb' is not an S3 bucket name",
    ),
    (
        {"access_logs_bucket": "Platform_Logs"},
        "access_logs_bucket: 'Platform_Logs' is not an S3 bucket name",
    ),
    (
        {"public_ingress_class": "alb-public", "public_namespaces": ["shop", "shop"]},
        "public_namespaces: ",
    ),
    ({"ssl_policy": "TLS13"}, "ssl_policy: 'TLS13' is not an ELB security policy name"),
    (
        {"certificate_arns": ["arn:aws:iam::123456789012:server-certificate/x"]},
        "certificate_arns[0]: 'arn:aws:iam::123456789012:server-certificate/x' is not an ACM",
    ),
]


def _controller(fields: dict[str, Any]) -> None:
    LoadBalancerController("lbc", LoadBalancerControllerArgs(cluster=light_cluster("c"), **fields))


def _auto_mode(fields: dict[str, Any]) -> None:
    AutoModeIngress("lbc", AutoModeIngressArgs(cluster=light_cluster("c"), **fields))


@pytest.mark.parametrize("fields, message", CASES)
def test_both_kinds_of_class_refuse_the_same_input_alike(
    fields: dict[str, Any], message: str
) -> None:
    controller = refused(lambda: _controller(fields), "lbc")
    auto_mode = refused(lambda: _auto_mode(fields), "lbc")
    assert controller.startswith(f"LoadBalancerController 'lbc': {message}"), controller
    assert auto_mode == controller.replace("LoadBalancerController", "AutoModeIngress", 1)


@pytest.mark.parametrize("make", [_controller, _auto_mode])
def test_a_valid_bucket_with_dots_is_accepted(make: Any) -> None:
    assert run(lambda: make({"access_logs_bucket": "platform.alb-logs"})).resources
