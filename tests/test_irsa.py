"""IrsaRole: the role, its trust, its policies and the annotated ServiceAccount."""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pytest

from components.iam import RolePolicyArgs
from components.irsa import IrsaRole, IrsaRoleArgs
from components.naming import iam_name
from components.oidc import ServiceAccountRef
from components.synth import SynthResult
from stacks.demo import read_parameters_policy
from tests.iam_validation import assert_valid_permission_policy
from tests.support import doc, make_cluster, run
from tests.test_oidc import run_recording
from tests.trust_policy import Token, admits

READ_BUCKET = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:ListBucket"],
            "Resource": ["arn:aws:s3:::demo", "arn:aws:s3:::demo/*"],
        }
    ],
}


def irsa(name: str = "app", **overrides) -> SynthResult:
    def program() -> None:
        cluster, oidc = make_cluster()
        args: dict[str, Any] = dict(
            cluster=cluster.ref, oidc=oidc, namespace="payments", service_account="api"
        )
        args.update(overrides)
        role = IrsaRole(name, IrsaRoleArgs(**args))
        pulumi.export("roleArn", role.role_arn)
        pulumi.export("annotations", role.service_account_annotations)
        pulumi.export("issuerHost", oidc.issuer_host)
        pulumi.export("providerArn", oidc.provider_arn)

    return run(program)


def test_trust_admits_exactly_the_service_account() -> None:
    result = irsa()
    issuer = "https://" + result.outputs["issuerHost"]
    provider = result.outputs["providerArn"]
    trust = doc(result.one("aws:iam/role:Role", "app"), "assumeRolePolicy")
    assert admits(trust, Token(issuer, "system:serviceaccount:payments:api"), provider)
    assert not admits(trust, Token(issuer, "system:serviceaccount:payments:other"), provider)
    assert not admits(trust, Token(issuer, "system:serviceaccount:default:api"), provider)
    assert not admits(
        trust, Token(issuer, "system:serviceaccount:payments:api", aud="other"), provider
    )


def test_service_account_is_annotated_with_the_role_arn() -> None:
    result = irsa()
    sa = result.one("kubernetes:core/v1:ServiceAccount")
    annotations = sa.inputs["metadata"]["annotations"]
    assert annotations["eks.amazonaws.com/role-arn"] == result.outputs["roleArn"]
    assert annotations["eks.amazonaws.com/sts-regional-endpoints"] == "true"
    assert sa.inputs["metadata"]["namespace"] == "payments"
    assert sa.inputs["metadata"]["name"] == "api"
    assert result.one("aws:iam/role:Role", "app").urn in sa.dependencies


def test_namespace_is_created_when_asked() -> None:
    result = irsa(create_namespace=True)
    ns = result.one("kubernetes:core/v1:Namespace")
    assert ns.inputs["metadata"]["name"] == "payments"
    assert ns.urn in result.one("kubernetes:core/v1:ServiceAccount").dependencies


def test_without_service_account_the_annotations_are_exposed_for_chart_values() -> None:
    result = irsa(create_service_account=False)
    assert result.by_type("kubernetes:core/v1:ServiceAccount") == []
    assert result.outputs["annotations"]["eks.amazonaws.com/role-arn"] == result.outputs["roleArn"]


def test_policies_and_role_options() -> None:
    boundary = "arn:aws:iam::123456789012:policy/Boundary"
    result = irsa(
        policies=RolePolicyArgs(
            managed_policy_arns=["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"],
            inline_policies={"read-bucket": READ_BUCKET},
            role_name="payments-api",
            path="/eks/",
            permissions_boundary_arn=boundary,
            max_session_duration=7200,
            tags={"team": "payments"},
        )
    )
    role = result.one("aws:iam/role:Role", "app")
    assert role.inputs["name"] == "payments-api"
    assert role.inputs["path"] == "/eks/"
    assert role.inputs["permissionsBoundary"] == boundary
    assert role.inputs["maxSessionDuration"] == 7200
    assert role.inputs["tags"] == {"team": "payments"}
    attachment = result.one(
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "app-AmazonS3ReadOnlyAccess"
    )
    assert attachment.inputs["policyArn"] == "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
    inline = result.one("aws:iam/rolePolicy:RolePolicy")
    assert inline.inputs["name"] == "read-bucket"
    assert json.loads(inline.inputs["policy"]) == READ_BUCKET
    assert_valid_permission_policy(READ_BUCKET)


def test_role_name_is_derived_and_shortened_deterministically() -> None:
    long_name = "a-very-long-component-name-for-a-workload-in-a-team-namespace-x"
    role = irsa(name=long_name).one("aws:iam/role:Role", long_name)
    assert role.inputs["name"] == iam_name(long_name)
    assert len(role.inputs["name"]) <= 64
    assert (
        irsa(name=long_name + "y").one("aws:iam/role:Role", long_name + "y").inputs["name"]
        != role.inputs["name"]
    )
    assert irsa(name="short").one("aws:iam/role:Role", "short").inputs["name"] == "short"


def test_blue_green_trusts_both_clusters() -> None:
    def program() -> None:
        blue, blue_oidc = make_cluster()
        from components.oidc import OidcTrust, OidcTrustArgs

        green_oidc = OidcTrust(
            "green", OidcTrustArgs(issuer_url="https://oidc.eks.us-west-2.amazonaws.com/id/GREEN")
        )
        IrsaRole(
            "app",
            IrsaRoleArgs(
                cluster=blue.ref, oidc=[blue_oidc, green_oidc], namespace="a", service_account="b"
            ),
        )

    trust = doc(run(program).one("aws:iam/role:Role", "app"), "assumeRolePolicy")
    providers = [s["Principal"]["Federated"] for s in trust["Statement"]]
    assert len(providers) == 2 and providers[0] != providers[1]


def test_the_demo_permission_policy_is_valid_iam() -> None:
    def program() -> None:
        pulumi.export("policy", read_parameters_policy("/dev-eks/demo"))

    policy = run(program).outputs["policy"]
    assert (
        policy["Statement"][0]["Resource"][0]
        == "arn:aws:ssm:us-west-2:123456789012:parameter/dev-eks/demo"
    )
    assert_valid_permission_policy(policy)


def _bad(**overrides):
    def program() -> None:
        cluster, oidc = make_cluster()
        args: dict[str, Any] = dict(
            cluster=cluster.ref, oidc=oidc, namespace="payments", service_account="api"
        )
        args.update(overrides)
        IrsaRole("app", IrsaRoleArgs(**args))

    return program


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"namespace": "Payments"}, "^namespace: 'Payments' is not a valid namespace"),
        ({"namespace": "x" * 64}, "^namespace: "),
        ({"service_account": "api_v1"}, "^service_account: "),
        ({"oidc": None}, "^oidc: "),
        ({"policies": RolePolicyArgs(role_name="x" * 65)}, "^policies.role_name: "),
        ({"policies": RolePolicyArgs(role_name="bad name")}, "^policies.role_name: "),
        ({"policies": RolePolicyArgs(path="eks")}, "^policies.path: "),
        ({"policies": RolePolicyArgs(max_session_duration=60)}, "^policies.max_session_duration: "),
        (
            {"policies": RolePolicyArgs(managed_policy_arns=["AmazonS3ReadOnlyAccess"])},
            r"^policies.managed_policy_arns\[0\]: ",
        ),
        (
            {"policies": RolePolicyArgs(inline_policies={"p": {"Statement": []}})},
            "at least one statement",
        ),
        (
            {
                "policies": RolePolicyArgs(
                    managed_policy_arns=[
                        "arn:aws:iam::aws:policy/ReadOnlyAccess",
                        "arn:aws:iam::123456789012:policy/team/ReadOnlyAccess",
                    ]
                )
            },
            "^policies.managed_policy_arns: duplicate policy name 'ReadOnlyAccess'",
        ),
        (
            {
                "policies": RolePolicyArgs(
                    inline_policies={
                        "p": {"Statement": [{"Effect": "Allow", "Action": "s3:GetObject"}]}
                    }
                )
            },
            r"Statement\[0\]: needs a Resource",
        ),
        (
            {
                "extra_service_accounts": [
                    ServiceAccountRef("ns", f"service-account-{i:03d}") for i in range(60)
                ]
            },
            "^extra_service_accounts: the trust policy for 61 service account",
        ),
    ],
)
def test_bad_arguments_are_refused_before_anything_is_created(
    overrides: dict, message: str
) -> None:
    recorded: list = []
    with pytest.raises(ValueError, match=message):
        run_recording(_bad(**overrides), recorded)
    assert not [r for r in recorded if r.name.startswith("app")]
