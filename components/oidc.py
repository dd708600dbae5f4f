"""``OidcTrust``: IAM's trust in a cluster's OIDC issuer, and the IRSA trust policy.

EKS signs a projected ServiceAccount token for each pod; its issuer is the
cluster's OIDC issuer, its subject ``system:serviceaccount:<namespace>:<name>``
and its audience ``sts.amazonaws.com``. STS exchanges such a token for role
credentials (``sts:AssumeRoleWithWebIdentity``) when

1. IAM has an OIDC identity provider for that issuer (created here, or adopted by ARN), and
2. the role's trust policy names that provider and conditions on the token's
   ``sub`` and ``aud`` claims, which :func:`web_identity_trust_policy` builds:
   ``StringEquals`` on both by default, ``StringLike`` on ``sub`` only for the
   subjects the caller explicitly marks as patterns.

Several trusts (blue/green clusters) yield one statement per provider.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from . import validation as v

STS_AUDIENCE = "sts.amazonaws.com"
DEFAULT_TRUST_POLICY_MAX = 2048
"""IAM's default quota for a role trust policy, in characters (whitespace not counted);
it can be raised to 4096 through Service Quotas."""
# Longest plausible issuer host and provider ARN, to bound a policy's size before values are known.
_LONGEST_HOST = "oidc.eks.ap-southeast-7.amazonaws.com.cn/id/" + "F" * 32
_LONGEST_ARN_PREFIX = "arn:aws-us-gov:iam::123456789012:oidc-provider/"


@dataclass(frozen=True)
class ServiceAccountRef:
    """A Kubernetes ServiceAccount a role trusts; ``pattern=True`` allows ``*``/``?`` (StringLike)."""

    namespace: str
    """Namespace of the ServiceAccount."""
    name: str
    """Name of the ServiceAccount."""
    pattern: bool = False
    """Treat namespace and name as IAM ``StringLike`` patterns. Only when you mean it: ``*`` admits
    every ServiceAccount that matches, in every namespace that matches."""

    @property
    def subject(self) -> str:
        """The token's ``sub`` claim for this ServiceAccount."""
        return f"system:serviceaccount:{self.namespace}:{self.name}"

    def validate(self, field_name: str) -> None:
        """Kubernetes names (or, for patterns, names with ``*``/``?``)."""
        if self.pattern:
            for part, what in ((self.namespace, "namespace"), (self.name, "name")):
                plain = part.replace("*", "a").replace("?", "a")
                v.dns_label(plain, f"{field_name}.{what}", f"ServiceAccount {what} pattern")
        else:
            v.dns_label(self.namespace, f"{field_name}.namespace", "namespace")
            v.dns_subdomain(self.name, f"{field_name}.name", "ServiceAccount name")


def issuer_host(issuer_url: str) -> str:
    """``https://oidc.eks.../id/X`` (or without scheme) -> ``oidc.eks.../id/X``."""
    return issuer_url.removeprefix("https://").rstrip("/")


def web_identity_trust_policy(
    providers: Sequence[tuple[str, str]], service_accounts: Sequence[ServiceAccountRef]
) -> dict[str, Any]:
    """The trust policy admitting exactly ``service_accounts`` from each (provider ARN, issuer host).

    Exact subjects and patterns go into separate statements: IAM ANDs the operators
    of one statement, so mixing them in one would admit nothing.
    """
    statements: list[dict[str, Any]] = []
    exact = sorted({sa.subject for sa in service_accounts if not sa.pattern})
    patterns = sorted({sa.subject for sa in service_accounts if sa.pattern})
    for provider_arn, host in providers:
        for operator, subjects in (("StringEquals", exact), ("StringLike", patterns)):
            if not subjects:
                continue
            conditions: dict[str, dict[str, Any]] = {"StringEquals": {f"{host}:aud": STS_AUDIENCE}}
            conditions.setdefault(operator, {})[f"{host}:sub"] = (
                subjects[0] if len(subjects) == 1 else subjects
            )
            statements.append(
                {
                    "Effect": "Allow",
                    "Principal": {"Federated": provider_arn},
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    "Condition": conditions,
                }
            )
    return {"Version": "2012-10-17", "Statement": statements}


def policy_size(doc: dict[str, Any]) -> int:
    """Characters IAM counts against the quota (JSON without whitespace)."""
    return len(json.dumps(doc, separators=(",", ":")))


@dataclass
class OidcTrustArgs:
    """Arguments of :class:`OidcTrust`."""

    issuer_url: pulumi.Input[str]
    """The cluster's OIDC issuer URL (``EksCluster.oidc_issuer_url``, or ``aws.eks.get_cluster(...)
    .identities[0].oidcs[0].issuer`` for a cluster created elsewhere); with or without ``https://``."""
    provider_arn: pulumi.Input[str] | None = None
    """ARN of an existing IAM OIDC provider for this issuer: adopt it and create nothing."""
    tags: dict[str, str] = field(default_factory=dict)
    """AWS tags on the created provider."""


class OidcTrust(pulumi.ComponentResource):
    """The IAM OIDC identity provider for one cluster issuer, and trust policies through it."""

    provider_arn: pulumi.Output[str]
    """ARN of the IAM OIDC provider (created or adopted)."""
    issuer_host: pulumi.Output[str]
    """The issuer without ``https://``: the prefix of the ``:sub`` and ``:aud`` condition keys."""

    def __init__(
        self, name: str, args: OidcTrustArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        validate_args(args)
        super().__init__("eks-platform:index:OidcTrust", name, None, opts)
        url = pulumi.Output.from_input(args.issuer_url).apply(lambda u: "https://" + issuer_host(u))
        self.issuer_host = url.apply(issuer_host)
        if args.provider_arn is not None:
            self.provider_arn = pulumi.Output.from_input(args.provider_arn)
        else:
            provider = aws.iam.OpenIdConnectProvider(
                name,
                url=url,
                client_id_lists=[STS_AUDIENCE],
                tags=args.tags,
                opts=pulumi.ResourceOptions(parent=self),
            )
            self.provider_arn = provider.arn
        self.register_outputs({"providerArn": self.provider_arn, "issuerHost": self.issuer_host})

    def trust_policy(self, service_accounts: Sequence[ServiceAccountRef]) -> pulumi.Output[str]:
        """The JSON trust policy admitting exactly ``service_accounts`` through this provider."""
        return combined_trust_policy([self], service_accounts)


def combined_trust_policy(
    trusts: Sequence[OidcTrust], service_accounts: Sequence[ServiceAccountRef]
) -> pulumi.Output[str]:
    """One trust policy over several clusters' providers (one statement per provider)."""
    pairs = [pulumi.Output.all(t.provider_arn, t.issuer_host) for t in trusts]
    return pulumi.Output.all(*pairs).apply(
        lambda resolved: json.dumps(
            web_identity_trust_policy([(p[0], p[1]) for p in resolved], service_accounts)
        )
    )


def check_trust_policy_size(
    provider_count: int,
    service_accounts: Sequence[ServiceAccountRef],
    field_name: str,
    limit: int = DEFAULT_TRUST_POLICY_MAX,
) -> None:
    """Refuse a trust policy that could exceed IAM's quota, before any value is known.

    Bounds the size with the longest issuer host and provider ARN that exist.
    """
    worst = web_identity_trust_policy(
        [
            (_LONGEST_ARN_PREFIX + _LONGEST_HOST + str(i), _LONGEST_HOST + str(i))
            for i in range(provider_count)
        ],
        service_accounts,
    )
    size = policy_size(worst)
    v.require(
        size <= limit,
        field_name,
        f"the trust policy for {len(service_accounts)} service account(s) and {provider_count} OIDC "
        f"provider(s) may reach {size} characters, over IAM's limit of {limit}; split the service "
        "accounts over several roles, use a pattern (pattern=True), or raise the quota and pass "
        "max_trust_policy_size",
    )


def validate_args(args: OidcTrustArgs) -> None:
    """Check OidcTrustArgs; raises ValueError naming the field."""
    if isinstance(args.issuer_url, str):
        host = issuer_host(args.issuer_url)
        v.require(
            bool(host) and "/" in host and " " not in host,
            "issuer_url",
            f"{args.issuer_url!r} is not an OIDC issuer URL (https://oidc.eks.<region>.amazonaws.com/id/<id>)",
        )
    if isinstance(args.provider_arn, str):
        v.require(
            args.provider_arn.startswith("arn:") and ":oidc-provider/" in args.provider_arn,
            "provider_arn",
            f"{args.provider_arn!r} is not an IAM OIDC provider ARN (arn:<partition>:iam::<account>:oidc-provider/<host>)",
        )
