"""Outputs where Pulumi users pass Outputs: a namespace created in the same program is passed
as ``ns.metadata.name``, the usual Pulumi way.

The trust policy and the ServiceAccount are built once the names are known; resource names
never derive from them; a bad name is refused with the same message as a plain one.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_kubernetes as k8s
import pytest

from components.identity.irsa import IrsaRole
from components.identity.pod_identity import PodIdentityRole
from components.identity.workload_identity import ClusterBinding, WorkloadRoleArgs
from components.validation import KnownValueRefused
from tests.oracles.trust_policy import Token, admits, pod_identity_admits
from tests.support import doc, light_cluster, refused, run


def _namespace(cluster: Any, name: str = "reports") -> k8s.core.v1.Namespace:
    return k8s.core.v1.Namespace(
        "team-namespace",
        metadata=k8s.meta.v1.ObjectMetaArgs(name=name),
        opts=pulumi.ResourceOptions(provider=cluster.provider),
    )


def test_a_namespace_output_yields_the_right_trust_policy() -> None:
    def program() -> None:
        cluster = light_cluster()
        ns = _namespace(cluster)
        role = IrsaRole(
            "reports-reader",
            WorkloadRoleArgs(cluster=cluster, namespace=ns.metadata.name, service_account="reader"),
        )
        assert cluster.oidc is not None
        pulumi.export("issuer", cluster.oidc.issuer_host)
        pulumi.export("provider", cluster.oidc.provider_arn)
        pulumi.export("namespace", role.service_account_namespace)

    result = run(program)
    issuer, provider = "https://" + result.outputs["issuer"], result.outputs["provider"]
    role = result.one("aws:iam/role:Role", "reports-reader")
    trust = doc(role, "assumeRolePolicy")
    assert admits(trust, Token(issuer, "system:serviceaccount:reports:reader"), provider)
    assert not admits(trust, Token(issuer, "system:serviceaccount:default:reader"), provider)
    assert not admits(trust, Token(issuer, "system:serviceaccount:reports:other"), provider)
    # Names derive from the component's name, never from the Output.
    assert role.inputs["name"].startswith("reports-reader-")
    sa = result.one("kubernetes:core/v1:ServiceAccount", "reports-reader-sa")
    assert sa.inputs["metadata"]["namespace"] == "reports"
    assert sa.inputs["metadata"]["annotations"]["eks.amazonaws.com/role-arn"].endswith(
        role.inputs["name"]
    )
    # The ServiceAccount waits for the namespace it lives in.
    assert result.one("kubernetes:core/v1:Namespace", "team-namespace").urn in sa.dependencies
    assert result.outputs["namespace"] == "reports"


def test_outputs_for_both_names_and_for_a_cluster_binding() -> None:
    def program() -> None:
        blue, green = light_cluster("blue"), light_cluster("green")
        IrsaRole(
            "orders",
            WorkloadRoleArgs(
                cluster={
                    "blue": blue,
                    "green": ClusterBinding(
                        cluster=green, namespace=pulumi.Output.from_input("orders-v2")
                    ),
                },
                namespace=pulumi.Output.from_input("orders"),
                service_account=pulumi.Output.from_input("api"),
            ),
        )
        for ref in (blue, green):
            assert ref.oidc is not None
            pulumi.export(f"{ref.key}Issuer", ref.oidc.issuer_host)
            pulumi.export(f"{ref.key}Provider", ref.oidc.provider_arn)

    result = run(program)
    out = result.outputs
    trust = doc(result.one("aws:iam/role:Role", "orders"), "assumeRolePolicy")
    blue = ("https://" + out["blueIssuer"], out["blueProvider"])
    green = ("https://" + out["greenIssuer"], out["greenProvider"])
    assert admits(trust, Token(blue[0], "system:serviceaccount:orders:api"), blue[1])
    assert admits(trust, Token(green[0], "system:serviceaccount:orders-v2:api"), green[1])
    assert not admits(trust, Token(green[0], "system:serviceaccount:orders:api"), green[1])


def test_pod_identity_with_a_namespace_output() -> None:
    def program() -> None:
        cluster = light_cluster()
        ns = _namespace(cluster)
        PodIdentityRole(
            "reports-reader",
            WorkloadRoleArgs(cluster=cluster, namespace=ns.metadata.name, service_account="reader"),
        )

    result = run(program)
    trust = doc(result.one("aws:iam/role:Role", "reports-reader"), "assumeRolePolicy")
    assert pod_identity_admits(trust, "test", "reports", "reader")
    assert not pod_identity_admits(trust, "test", "default", "reader")
    association = result.one("aws:eks/podIdentityAssociation:PodIdentityAssociation")
    assert association.inputs["namespace"] == "reports"


@pytest.mark.parametrize(
    ("field", "value"),
    [("namespace", "Reports"), ("service_account", "reader_v1")],
)
def test_a_bad_output_is_refused_once_known_with_the_plain_message(field: str, value: str) -> None:
    def program(as_output: bool) -> Any:
        def body() -> None:
            args: dict[str, Any] = dict(
                cluster=light_cluster(), namespace="reports", service_account="reader"
            )
            args[field] = pulumi.Output.from_input(value) if as_output else value
            IrsaRole("reports-reader", WorkloadRoleArgs(**args))

        return body

    plain = refused(program(False), "reports-reader")
    assert plain.startswith(f"IrsaRole 'reports-reader': {field}: '{value}' is not a valid ")
    # Raised as a RunError, which `pulumi up` prints as one line: the library's message.
    with pytest.raises(KnownValueRefused) as error:
        run(program(True))
    assert str(error.value) == plain


def test_a_plain_string_is_still_checked_before_anything_is_registered() -> None:
    def program() -> None:
        IrsaRole(
            "reports-reader",
            WorkloadRoleArgs(cluster=light_cluster(), namespace="reports", service_account=""),
        )

    assert refused(program, "reports-reader").startswith(
        "IrsaRole 'reports-reader': service_account: "
    )
