"""ClusterRef.existing refuses a malformed OIDC provider or issuer under its own argument names,
before anything is registered (not under the OidcTrust it creates inside)."""

from __future__ import annotations

from typing import Any

import pytest

from components import ClusterRef
from tests.support import refused, run

HOST = "oidc.eks.us-west-2.amazonaws.com/id/0A1B2C3D4E5F"
ARN = f"arn:aws:iam::123456789012:oidc-provider/{HOST}"


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (
            {"oidc_provider_arn": "arn:aws:iam::123456789012:role/platform"},
            "oidc_provider_arn: 'arn:aws:iam::123456789012:role/platform' is not an IAM OIDC "
            "provider ARN",
        ),
        (
            {"oidc_issuer_url": "oidc.eks.us-west-2.amazonaws.com"},
            "oidc_issuer_url: 'oidc.eks.us-west-2.amazonaws.com' is not an OIDC issuer URL",
        ),
        (
            {"oidc_provider_arn": ARN, "oidc_issuer_url": "https://" + HOST[:-1] + "0"},
            f"oidc_provider_arn: {ARN!r} is the provider of {HOST!r}, not of oidc_issuer_url",
        ),
    ],
)
def test_a_bad_oidc_input_is_refused_under_its_own_name(
    kwargs: dict[str, Any], message: str
) -> None:
    error = refused(lambda: ClusterRef.existing("dev", **kwargs))
    assert error.startswith(f"ClusterRef.existing 'dev': {message}"), error


def test_a_matching_pair_is_accepted() -> None:
    result = run(
        lambda: ClusterRef.existing("dev", oidc_provider_arn=ARN, oidc_issuer_url=f"https://{HOST}")
    )
    assert any(r.type == "eks-platform:index:OidcTrust" for r in result.resources)
