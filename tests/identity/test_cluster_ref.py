"""``ClusterRef.from_stack`` reads what the platform stacks export; ``ClusterRef.ingress_class``
picks the platform's class for an app team's Ingress."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest

from components.identity.cluster_ref import (
    OPTIONAL_STACK_OUTPUTS,
    STACK_OUTPUTS,
    ClusterRef,
)
from components.synth import run_program
from components.synth.mocks import default_stack_outputs
from tests.support import refused, shared

STACK = "acme/eks-platform/prod"
CLASSES = {
    "alb": {"scheme": "internal", "namespaces": []},
    "alb-public": {"scheme": "internet-facing", "namespaces": ["web"]},
}
STORES = [
    {
        "kind": "ClusterSecretStore",
        "name": "aws-secrets-manager",
        "backend": "SecretsManager",
        "namespaces": ["reports"],
    },
    {
        "kind": "SecretStore",
        "name": "aws-parameter-store",
        "backend": "ParameterStore",
        "namespaces": ["team-a"],
    },
]


def full_outputs() -> dict[str, Any]:
    """What a platform stack with the load-balancer controller and External Secrets exports."""
    return {
        **default_stack_outputs(STACK),
        "nodeSecurityGroupId": "sg-0node",
        "kubernetesVersion": "1.35",
        "compute": "managed",
        "ingressClasses": CLASSES,
        "externalSecretsStores": STORES,
    }


FIELDS = {
    "name": "clusterName",
    "vpc_id": "vpcId",
    **{field: output for output, field in OPTIONAL_STACK_OUTPUTS.items()},
}


def read(outputs: dict[str, Any], program: Any = None) -> dict[str, Any]:
    def body() -> None:
        cluster = ClusterRef.from_stack(STACK)
        for field in FIELDS:
            pulumi.export(field, getattr(cluster, field))
        assert cluster.oidc is not None
        pulumi.export("issuerHost", cluster.oidc.issuer_host)
        pulumi.export("providerArn", cluster.oidc.provider_arn)
        if program is not None:
            program(cluster)

    result = run_program(
        body, "app", "prod", {"aws:region": "us-west-2"}, stack_outputs={STACK: outputs}
    )
    return result.outputs


SCHEMES: list[tuple[str, str | None, str]] = [
    ("internal", None, "alb"),
    ("internal", "reports", "alb"),
    ("internet-facing", "web", "alb-public"),
]


@shared
def read_full() -> dict[str, Any]:
    """``read(full_outputs())``, also exporting ``class <scheme> <namespace>`` for each of
    SCHEMES: one synth per test process for the tests that read a full platform stack."""

    def classes(cluster: ClusterRef) -> None:
        for scheme, namespace, _ in SCHEMES:
            pulumi.export(f"class {scheme} {namespace}", cluster.ingress_class(scheme, namespace))

    return read(full_outputs(), classes)


def test_every_output_the_stacks_export_is_read() -> None:
    outputs = full_outputs()
    read_back = read_full()
    for field, output in FIELDS.items():
        assert read_back[field] == outputs[output], field
    assert read_back["providerArn"] == outputs["oidcProviderArn"]
    assert "https://" + read_back["issuerHost"] == outputs["oidcIssuerUrl"]
    assert set(STACK_OUTPUTS) | set(OPTIONAL_STACK_OUTPUTS) <= set(outputs)


def test_outputs_a_stack_does_not_export_are_none() -> None:
    outputs = {k: v for k, v in full_outputs().items() if k in STACK_OUTPUTS}
    read_back = read(outputs)
    assert all(read_back[field] is None for field in OPTIONAL_STACK_OUTPUTS.values())


@pytest.mark.parametrize(("scheme", "namespace", "expected"), SCHEMES)
def test_the_ingress_class_of_a_scheme(scheme: str, namespace: str | None, expected: str) -> None:
    assert read_full()[f"class {scheme} {namespace}"] == expected


def test_no_class_for_the_namespace_is_one_line_naming_the_reference() -> None:
    with pytest.raises(ValueError) as error:
        read(
            full_outputs(),
            lambda c: pulumi.export("c", c.ingress_class("internet-facing", "reports")),
        )
    assert (
        str(error.value)
        .splitlines()[-1]
        .endswith(
            "ClusterRef 'acme-eks-platform-prod': ingress_classes: no internet-facing IngressClass "
            "that admits namespace 'reports'; the cluster has: alb (internal), "
            "alb-public (internet-facing)"
        )
    )


def test_a_bad_stack_name_or_scheme_is_refused_before_anything_is_registered() -> None:
    assert refused(lambda: ClusterRef.from_stack("a/b/c/d")) == (
        "ClusterRef.from_stack 'a-b-c-d': stack: 'a/b/c/d' is not a stack name (<stack>, "
        "<project>/<stack> or <org>/<project>/<stack>)"
    )
    message = refused(lambda: ClusterRef.from_stack(STACK).ingress_class("public"), "nothing-of-it")
    assert message.startswith("ClusterRef 'acme-eks-platform-prod': scheme: ")
