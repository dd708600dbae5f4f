"""OidcTrust and the IRSA trust policy: exactly the intended ServiceAccount gets in."""

from __future__ import annotations

import json

import pulumi
import pytest

from components.identity.oidc import (
    OidcTrust,
    OidcTrustArgs,
    ServiceAccountRef,
    check_trust_policy_size,
    web_identity_trust_policy,
)
from tests.oracles.trust_policy import Token, admits
from tests.support import make_cluster, refused, run

ISSUER = "https://oidc.eks.us-west-2.amazonaws.com/id/AAAABBBBCCCCDDDDEEEEFFFF00001111"
HOST = ISSUER.removeprefix("https://")
PROVIDER = f"arn:aws:iam::123456789012:oidc-provider/{HOST}"
OTHER_ISSUER = "https://oidc.eks.us-west-2.amazonaws.com/id/99998888777766665555444433332222"
OTHER_PROVIDER = f"arn:aws:iam::123456789012:oidc-provider/{OTHER_ISSUER.removeprefix('https://')}"
APP = ServiceAccountRef("payments", "api")


def policy_for(*accounts: ServiceAccountRef) -> dict:
    return web_identity_trust_policy([(PROVIDER, HOST, accounts)])


def test_trust_policy_uses_string_equals_on_sub_and_aud() -> None:
    (statement,) = policy_for(APP)["Statement"]
    assert statement["Principal"] == {"Federated": PROVIDER}
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert statement["Condition"] == {
        "StringEquals": {
            f"{HOST}:sub": "system:serviceaccount:payments:api",
            f"{HOST}:aud": "sts.amazonaws.com",
        }
    }


def test_admits_the_intended_service_account() -> None:
    assert admits(policy_for(APP), Token(ISSUER, "system:serviceaccount:payments:api"), PROVIDER)


@pytest.mark.parametrize(
    "token, provider",
    [
        pytest.param(
            Token(ISSUER, "system:serviceaccount:other:api"), PROVIDER, id="other namespace"
        ),
        pytest.param(
            Token(ISSUER, "system:serviceaccount:payments:worker"),
            PROVIDER,
            id="other service account",
        ),
        pytest.param(
            Token(ISSUER, "system:serviceaccount:payments:api", aud="other"),
            PROVIDER,
            id="other audience",
        ),
        pytest.param(
            Token(OTHER_ISSUER, "system:serviceaccount:payments:api"),
            OTHER_PROVIDER,
            id="other cluster",
        ),
        pytest.param(
            Token(ISSUER, "system:serviceaccount:payments:api-x"), PROVIDER, id="name prefix"
        ),
    ],
)
def test_refuses_everyone_else(token: Token, provider: str) -> None:
    assert not admits(policy_for(APP), token, provider)


def test_several_service_accounts_are_one_list_of_exact_subjects() -> None:
    policy = policy_for(APP, ServiceAccountRef("payments", "worker"))
    assert policy["Statement"][0]["Condition"]["StringEquals"][f"{HOST}:sub"] == [
        "system:serviceaccount:payments:api",
        "system:serviceaccount:payments:worker",
    ]
    assert admits(policy, Token(ISSUER, "system:serviceaccount:payments:worker"), PROVIDER)
    assert not admits(policy, Token(ISSUER, "system:serviceaccount:payments:other"), PROVIDER)


def test_patterns_only_when_asked_and_audience_stays_exact() -> None:
    policy = policy_for(APP, ServiceAccountRef("jobs-*", "runner", pattern=True))
    exact, like = policy["Statement"]
    assert "StringLike" not in exact["Condition"]
    assert like["Condition"] == {
        "StringEquals": {f"{HOST}:aud": "sts.amazonaws.com"},
        "StringLike": {f"{HOST}:sub": "system:serviceaccount:jobs-*:runner"},
    }
    assert admits(policy, Token(ISSUER, "system:serviceaccount:jobs-nightly:runner"), PROVIDER)
    assert admits(policy, Token(ISSUER, "system:serviceaccount:payments:api"), PROVIDER)
    assert not admits(policy, Token(ISSUER, "system:serviceaccount:jobs-nightly:other"), PROVIDER)
    assert not admits(
        policy, Token(ISSUER, "system:serviceaccount:jobs-nightly:runner", aud="x"), PROVIDER
    )


def test_blue_green_gives_one_statement_per_provider_with_its_own_subjects() -> None:
    other_host = OTHER_ISSUER.removeprefix("https://")
    green = ServiceAccountRef("payments-v2", "api")
    policy = web_identity_trust_policy(
        [(PROVIDER, HOST, [APP]), (OTHER_PROVIDER, other_host, [green])]
    )
    assert len(policy["Statement"]) == 2
    assert admits(policy, Token(ISSUER, APP.subject), PROVIDER)
    assert admits(policy, Token(OTHER_ISSUER, green.subject), OTHER_PROVIDER)
    # Each cluster admits only its own subject ...
    assert not admits(policy, Token(OTHER_ISSUER, APP.subject), OTHER_PROVIDER)
    assert not admits(policy, Token(ISSUER, green.subject), PROVIDER)
    # ... and a token of one cluster presented through the other cluster's provider does not match.
    assert not admits(policy, Token(ISSUER, APP.subject), OTHER_PROVIDER)


def test_extra_conditions_narrow_and_never_replace() -> None:
    policy = web_identity_trust_policy(
        [(PROVIDER, HOST, [APP])], {"StringEquals": {"aws:SourceIp": "10.0.0.1"}}
    )
    conditions = policy["Statement"][0]["Condition"]["StringEquals"]
    assert conditions["aws:SourceIp"] == "10.0.0.1"
    assert conditions[f"{HOST}:sub"] == APP.subject
    with pytest.raises(ValueError, match="trust_conditions.StringEquals: .*set by the component"):
        web_identity_trust_policy([(PROVIDER, HOST, [APP])], {"StringEquals": {f"{HOST}:sub": "*"}})


def test_oidc_trust_creates_the_provider_for_the_issuer() -> None:
    def program() -> None:
        pulumi.export("host", make_cluster().oidc.issuer_host)

    result = run(program)
    provider = result.one("aws:iam/openIdConnectProvider:OpenIdConnectProvider")
    assert provider.inputs["clientIdLists"] == ["sts.amazonaws.com"]
    assert provider.inputs["url"] == "https://" + result.outputs["host"]
    assert not result.outputs["host"].startswith("https://")


def test_oidc_trust_accepts_the_issuer_without_scheme() -> None:
    result = run(lambda: OidcTrust("t", OidcTrustArgs(issuer_url=HOST)))
    assert result.one("aws:iam/openIdConnectProvider:OpenIdConnectProvider").inputs["url"] == ISSUER


def test_adopting_a_provider_creates_nothing() -> None:
    def program() -> None:
        oidc = OidcTrust("t", OidcTrustArgs(issuer_url=ISSUER, provider_arn=PROVIDER))
        pulumi.export("policy", oidc.trust_policy([APP]))

    result = run(program)
    assert result.by_type("aws:iam/openIdConnectProvider:OpenIdConnectProvider") == []
    assert admits(result.outputs["policy"], Token(ISSUER, APP.subject), PROVIDER)


def test_partition_follows_the_region() -> None:
    def program() -> None:
        oidc = OidcTrust(
            "t", OidcTrustArgs(issuer_url="https://oidc.eks.cn-north-1.amazonaws.com.cn/id/ABC")
        )
        pulumi.export("policy", oidc.trust_policy([APP]))

    policy = json.loads(run(program, region="cn-north-1").outputs["policy"])
    assert policy["Statement"][0]["Principal"]["Federated"].startswith("arn:aws-cn:iam::")


def test_the_issuer_is_derived_from_an_adopted_provider_arn() -> None:
    def program() -> None:
        oidc = OidcTrust("t", OidcTrustArgs(provider_arn=PROVIDER))
        pulumi.export("host", oidc.issuer_host)
        pulumi.export("policy", oidc.trust_policy([APP]))

    result = run(program)
    assert result.outputs["host"] == HOST
    assert admits(result.outputs["policy"], Token(ISSUER, APP.subject), PROVIDER)


def test_a_plain_adopted_provider_gives_a_plain_trust_policy() -> None:
    def program() -> None:
        policy = OidcTrust("t", OidcTrustArgs(provider_arn=PROVIDER)).trust_policy([APP])
        assert isinstance(policy, str)  # built while the program runs, no Output plumbing
        pulumi.export("policy", policy)

    assert admits(run(program).outputs["policy"], Token(ISSUER, APP.subject), PROVIDER)


def test_a_provider_of_another_issuer_is_refused_naming_both_fields() -> None:
    message = refused(
        lambda: OidcTrust("t", OidcTrustArgs(issuer_url=ISSUER, provider_arn=OTHER_PROVIDER))
    )
    assert message.startswith("OidcTrust 't': provider_arn: ")
    assert "issuer_url" in message and OTHER_PROVIDER in message


def test_a_mismatch_known_only_at_deploy_time_names_the_component_and_fields() -> None:
    def program() -> None:
        arn = pulumi.Output.from_input(OTHER_PROVIDER)
        oidc = OidcTrust("t", OidcTrustArgs(issuer_url=ISSUER, provider_arn=arn))
        pulumi.export("arn", oidc.provider_arn)

    with pytest.raises(Exception, match=r"OidcTrust 't': provider_arn: .*issuer_url"):
        run(program)


def test_trust_policy_size_is_checked_with_a_useful_message() -> None:
    many = [ServiceAccountRef("team-namespace", f"service-account-{i:03d}") for i in range(40)]
    with pytest.raises(
        ValueError, match=r"extra_service_accounts: .*40 service account\(s\) and 1 OIDC provider"
    ):
        check_trust_policy_size([many], "extra_service_accounts")
    check_trust_policy_size([many[:10]], "extra_service_accounts")  # fits
    check_trust_policy_size([many], "extra_service_accounts", limit=4096)  # fits a raised quota


@pytest.mark.parametrize(
    "args, field",
    [
        (OidcTrustArgs(issuer_url="not a url"), "issuer_url"),
        (OidcTrustArgs(), "issuer_url"),
        (
            OidcTrustArgs(issuer_url=ISSUER, provider_arn="arn:aws:iam::123456789012:role/x"),
            "provider_arn",
        ),
    ],
)
def test_bad_arguments_are_refused(args: OidcTrustArgs, field: str) -> None:
    assert refused(lambda: OidcTrust("t", args)).startswith(f"OidcTrust 't': {field}: ")
