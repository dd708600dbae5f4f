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

Several trusts (blue/green clusters) yield one statement per provider, each admitting
the subjects meant for that cluster.

An :class:`~components.cluster.eks_cluster.EksCluster` owns its ``OidcTrust`` (``cluster.oidc``) and a
:class:`~components.identity.cluster_ref.ClusterRef` carries one, so workload roles find it through
the cluster.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from .. import validation as v

STS_AUDIENCE = "sts.amazonaws.com"
DEFAULT_TRUST_POLICY_MAX = 2048
"""IAM's default quota for a role trust policy, in characters (whitespace not counted);
it can be raised to 4096 through Service Quotas."""
# Longest plausible issuer host and provider ARN, to bound a policy's size before values are known.
_LONGEST_HOST = "oidc.eks.ap-southeast-7.amazonaws.com.cn/id/" + "F" * 32
_LONGEST_ARN_PREFIX = "arn:aws-us-gov:iam::123456789012:oidc-provider/"


@dataclass(frozen=True)
class ServiceAccountRef:
    """A Kubernetes ServiceAccount a role trusts; ``pattern=True`` allows ``*``/``?`` (StringLike).

    ``namespace`` and ``name`` may be Outputs (``ns.metadata.name``): the trust policy is then
    built once they are known.
    """

    namespace: pulumi.Input[str]
    """Namespace of the ServiceAccount."""
    name: pulumi.Input[str]
    """Name of the ServiceAccount."""
    pattern: bool = False
    """Treat namespace and name as IAM ``StringLike`` patterns. Only when you mean it: ``*`` admits
    every ServiceAccount that matches, in every namespace that matches."""

    @property
    def subject(self) -> str:
        """The token's ``sub`` claim for this ServiceAccount (plain names only)."""
        return f"system:serviceaccount:{self.namespace}:{self.name}"

    @property
    def deferred(self) -> bool:
        """Whether a part is an Output (known only when the program runs)."""
        return isinstance(self.namespace, pulumi.Output) or isinstance(self.name, pulumi.Output)

    def validate(self, field_name: str, owner: str | None = None) -> ServiceAccountRef:
        """Kubernetes names (or, for patterns, names with ``*``/``?``): plain ones now, Outputs
        once known (failing then with the same message, naming ``owner``); returns the
        reference to use."""
        if self.pattern:
            checks = (
                (lambda x, f: v.dns_label(_plain(x), f, "ServiceAccount namespace pattern")),
                (lambda x, f: v.dns_label(_plain(x), f, "ServiceAccount name pattern")),
            )
        else:
            checks = (
                (lambda x, f: v.dns_label(x, f, "namespace")),
                (lambda x, f: v.dns_subdomain(x, f, "ServiceAccount name")),
            )
        return ServiceAccountRef(
            v.when_known(self.namespace, checks[0], f"{field_name}.namespace", owner),
            v.when_known(self.name, checks[1], f"{field_name}.name", owner),
            self.pattern,
        )


def _plain(pattern: Any) -> Any:
    """A pattern with its wildcards replaced, to check the rest as a name."""
    return pattern.replace("*", "a").replace("?", "a") if isinstance(pattern, str) else pattern


def resolve_subjects(
    service_accounts: Sequence[ServiceAccountRef],
) -> pulumi.Output[list[ServiceAccountRef]]:
    """``service_accounts`` with every Output part resolved."""
    return pulumi.Output.all(
        *[pulumi.Output.all(sa.namespace, sa.name) for sa in service_accounts]
    ).apply(
        lambda names: [
            ServiceAccountRef(str(n[0]), str(n[1]), sa.pattern)
            for n, sa in zip(names, service_accounts, strict=True)
        ]
    )


def issuer_host(issuer_url: str) -> str:
    """``https://oidc.eks.../id/X`` (or without scheme) -> ``oidc.eks.../id/X``."""
    return issuer_url.removeprefix("https://").rstrip("/")


def provider_host(provider_arn: str) -> str:
    """``arn:aws:iam::123456789012:oidc-provider/oidc.eks.../id/X`` -> ``oidc.eks.../id/X``."""
    return provider_arn.split(":oidc-provider/", 1)[1]


def provider_arn_for(partition: str, account_id: str, issuer: str) -> str:
    """The ARN IAM gives the OIDC provider of ``issuer`` in ``account_id``."""
    return f"arn:{partition}:iam::{account_id}:oidc-provider/{issuer_host(issuer)}"


Conditions = Mapping[str, Mapping[str, Any]]
"""Extra IAM conditions: ``{"<operator>": {"<key>": value}}``, ANDed into each trust statement."""


def web_identity_trust_policy(
    trusts: Sequence[tuple[str, str, Sequence[ServiceAccountRef]]],
    conditions: Conditions | None = None,
) -> dict[str, Any]:
    """The trust policy admitting, through each (provider ARN, issuer host, service accounts),
    exactly those service accounts' tokens for STS.

    Exact subjects and patterns go into separate statements: IAM ANDs the operators
    of one statement, so mixing them in one would admit nothing. ``conditions`` are
    added to every statement (they may narrow, never replace, the ``sub``/``aud`` checks).
    """
    statements: list[dict[str, Any]] = []
    for provider_arn, host, service_accounts in trusts:
        exact = sorted({sa.subject for sa in service_accounts if not sa.pattern})
        patterns = sorted({sa.subject for sa in service_accounts if sa.pattern})
        for operator, subjects in (("StringEquals", exact), ("StringLike", patterns)):
            if not subjects:
                continue
            condition: dict[str, dict[str, Any]] = {"StringEquals": {f"{host}:aud": STS_AUDIENCE}}
            condition.setdefault(operator, {})[f"{host}:sub"] = (
                subjects[0] if len(subjects) == 1 else subjects
            )
            statements.append(
                {
                    "Effect": "Allow",
                    "Principal": {"Federated": provider_arn},
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    "Condition": merge_conditions(condition, conditions),
                }
            )
    return {"Version": "2012-10-17", "Statement": statements}


def merge_conditions(base: dict[str, dict[str, Any]], extra: Conditions | None) -> dict[str, Any]:
    """``extra`` ANDed into ``base``; refuses a key ``base`` already sets (it would replace it)."""
    merged = {operator: dict(keys) for operator, keys in base.items()}
    for operator, keys in (extra or {}).items():
        target = merged.setdefault(operator, {})
        for key, value in keys.items():
            v.require(
                key not in target,
                f"trust_conditions.{operator}",
                f"{key!r} is set by the component; extra conditions may only add keys",
            )
            target[key] = value
    return merged


def policy_size(doc: dict[str, Any]) -> int:
    """Characters IAM counts against the quota (JSON without whitespace)."""
    return len(json.dumps(doc, separators=(",", ":")))


@dataclass(kw_only=True)
class OidcTrustArgs:
    """Arguments of :class:`OidcTrust`: the cluster's issuer, and an existing provider to adopt.

    Give ``issuer_url`` to create the provider; ``provider_arn`` to adopt an existing one (the
    issuer is then derived from the ARN); both to adopt and check that they belong together.
    """

    issuer_url: pulumi.Input[str] | None = None
    """The cluster's OIDC issuer URL (``EksCluster.oidc_issuer_url``, or ``aws eks describe-cluster
    --query cluster.identity.oidc.issuer``); with or without ``https://``."""
    provider_arn: pulumi.Input[str] | None = None
    """ARN of an existing IAM OIDC provider for the issuer: adopt it and create nothing
    (IAM allows one provider per issuer and account)."""
    tags: dict[str, str] = field(default_factory=dict)
    """AWS tags on the created provider."""


class OidcTrust(pulumi.ComponentResource):
    """IAM's trust in one cluster's OIDC issuer: the identity provider, and trust policies through it.

    Creates an ``aws.iam.OpenIdConnectProvider`` for the issuer (audience
    ``sts.amazonaws.com``), or adopts an existing one by ARN and creates nothing.

    Args: :class:`OidcTrustArgs`. Outputs: ``provider_arn``, ``issuer_host``.
    :meth:`trust_policy` builds the trust policy that admits given ServiceAccounts.
    """

    provider_arn: pulumi.Output[str]
    """ARN of the IAM OIDC provider (created or adopted)."""
    issuer_host: pulumi.Output[str]
    """The issuer without ``https://``: the prefix of the ``:sub`` and ``:aud`` condition keys."""
    plain: tuple[str, str] | None
    """(provider ARN, issuer host) when both are known while the program runs (an adopted
    provider given as plain strings): trust policies through it are then plain JSON."""

    def __init__(
        self, name: str, args: OidcTrustArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        """Create or adopt the provider; see :class:`OidcTrustArgs`."""
        owner = f"OidcTrust {name!r}"
        with v.component_errors("OidcTrust", name):
            v.check_fields(args, OidcTrustArgs)
            validate_args(args)
        super().__init__("eks-platform:index:OidcTrust", name, None, opts)
        self.plain = None
        if args.provider_arn is not None:
            arn = v.when_known(args.provider_arn, _provider_arn, "provider_arn", owner)
            if args.issuer_url is not None:
                pair = pulumi.Output.all(arn, args.issuer_url).apply(
                    lambda a: _matching(a[0], a[1], owner)
                )
                self.provider_arn = pair.apply(lambda a: a[0])
            else:
                self.provider_arn = pulumi.Output.from_input(arn)
            self.issuer_host = self.provider_arn.apply(provider_host)
            if isinstance(args.provider_arn, str):
                self.plain = (args.provider_arn, provider_host(args.provider_arn))
        else:
            url = pulumi.Output.from_input(args.issuer_url).apply(
                lambda u: "https://" + issuer_host(str(u))
            )
            provider = aws.iam.OpenIdConnectProvider(
                name,
                url=url,
                client_id_lists=[STS_AUDIENCE],
                tags=args.tags,
                opts=pulumi.ResourceOptions(parent=self),
            )
            self.provider_arn = provider.arn
            self.issuer_host = url.apply(issuer_host)
        self.register_outputs({"providerArn": self.provider_arn, "issuerHost": self.issuer_host})

    def trust_policy(
        self, service_accounts: Sequence[ServiceAccountRef], conditions: Conditions | None = None
    ) -> pulumi.Input[str]:
        """The JSON trust policy admitting exactly ``service_accounts`` through this provider."""
        return combined_trust_policy([(self, service_accounts)], conditions)


def combined_trust_policy(
    trusts: Sequence[tuple[OidcTrust, Sequence[ServiceAccountRef]]],
    conditions: Conditions | None = None,
    limit: int | None = None,
    owner: str | None = None,
) -> pulumi.Input[str]:
    """One trust policy over several clusters' providers, each admitting its own subjects.

    Plain JSON when every provider, subject and condition is known while the program runs,
    else an Output. With ``limit``, a policy whose subjects were Outputs is checked against
    it once they are known (plain ones are bounded before: :func:`check_trust_policy_size`).
    """
    deferred = any(sa.deferred for _, sas in trusts for sa in sas)
    if (
        not deferred
        and all(t.plain is not None for t, _ in trusts)
        and not v.has_outputs(conditions)
    ):
        return json.dumps(
            web_identity_trust_policy(
                [(*t.plain, sas) for t, sas in trusts if t.plain is not None], conditions
            )
        )
    per_trust = [
        pulumi.Output.all(t.provider_arn, t.issuer_host, resolve_subjects(sas)) for t, sas in trusts
    ]

    def render(resolved: list[Any]) -> str:
        document = web_identity_trust_policy(
            [(p[0], p[1], p[2]) for p in resolved[1:]], resolved[0]
        )
        if deferred and limit is not None and policy_size(document) > limit:
            raise v.InvalidArgument(
                "service_account",
                f"the trust policy is {policy_size(document)} characters, over IAM's limit of "
                f"{limit}; split the service accounts over several roles, or raise the quota "
                "and pass max_trust_policy_size",
                owner,
            )
        return json.dumps(document)

    return pulumi.Output.all(pulumi.Output.from_input(conditions or {}), *per_trust).apply(render)


def check_trust_policy_size(
    subjects_per_provider: Sequence[Sequence[ServiceAccountRef]],
    field_name: str,
    limit: int = DEFAULT_TRUST_POLICY_MAX,
    conditions: Conditions | None = None,
) -> None:
    """Refuse a trust policy that could exceed IAM's quota, before any value is known.

    Bounds the size with the longest issuer host and provider ARN that exist.
    """
    worst = web_identity_trust_policy(
        [
            (
                _LONGEST_ARN_PREFIX + _LONGEST_HOST + str(i),
                _LONGEST_HOST + str(i),
                [_known_part(sa) for sa in subjects],
            )
            for i, subjects in enumerate(subjects_per_provider)
        ],
        conditions if not v.has_outputs(conditions) else None,
    )
    size = policy_size(worst)
    count = len({sa for subjects in subjects_per_provider for sa in subjects})
    v.require(
        size <= limit,
        field_name,
        f"the trust policy for {count} service account(s) and {len(subjects_per_provider)} OIDC "
        f"provider(s) may reach {size} characters, over IAM's limit of {limit}; split the service "
        "accounts over several roles, use a pattern (pattern=True), or raise the quota and pass "
        "max_trust_policy_size",
    )


def _known_part(sa: ServiceAccountRef) -> ServiceAccountRef:
    """``sa`` with an Output part counted as empty (checked again once known)."""
    return ServiceAccountRef(
        sa.namespace if isinstance(sa.namespace, str) else "",
        sa.name if isinstance(sa.name, str) else "",
        sa.pattern,
    )


def _provider_arn(value: Any, field_name: str) -> None:
    v.require(
        isinstance(value, str)
        and value.startswith("arn:")
        and ":oidc-provider/" in value
        and "/" in provider_host(value),
        field_name,
        f"{value!r} is not an IAM OIDC provider ARN "
        "(arn:<partition>:iam::<account>:oidc-provider/<issuer host>)",
    )


def _issuer_url(value: Any, field_name: str) -> None:
    host = issuer_host(value) if isinstance(value, str) else ""
    v.require(
        bool(host) and "/" in host and " " not in host and not host.startswith("http"),
        field_name,
        f"{value!r} is not an OIDC issuer URL (https://oidc.eks.<region>.amazonaws.com/id/<id>)",
    )


def _matching(
    arn: str,
    issuer_url: str,
    owner: str | None = None,
    fields: tuple[str, str] = ("provider_arn", "issuer_url"),
) -> tuple[str, str]:
    """Refuse a provider ARN whose host is not the issuer's (another cluster's provider)."""
    arn_field, issuer_field = fields
    _issuer_url(issuer_url, issuer_field)
    if provider_host(arn) != issuer_host(issuer_url):
        raise v.InvalidArgument(
            arn_field,
            f"{arn!r} is the provider of {provider_host(arn)!r}, not of {issuer_field} "
            f"{issuer_url!r}; give the provider of this cluster's issuer, or only one of the two",
            owner,
        )
    return arn, issuer_url


def validate_trust_inputs(
    provider_arn: Any, issuer_url: Any, fields: tuple[str, str] = ("provider_arn", "issuer_url")
) -> None:
    """The provider ARN and issuer URL given as plain strings (either may be absent or an
    Output: checked once known) are well formed and name the same issuer; raises naming
    ``fields`` (the caller's names for the two)."""
    arn_field, issuer_field = fields
    if isinstance(issuer_url, str):
        _issuer_url(issuer_url, issuer_field)
    if isinstance(provider_arn, str):
        _provider_arn(provider_arn, arn_field)
        if isinstance(issuer_url, str):
            _matching(provider_arn, issuer_url, fields=fields)


def validate_args(args: OidcTrustArgs) -> None:
    """Check OidcTrustArgs; raises InvalidArgument naming the field."""
    v.require(
        args.issuer_url is not None or args.provider_arn is not None,
        "issuer_url",
        "give the cluster's issuer URL (to create the provider) or provider_arn (to adopt one)",
    )
    validate_trust_inputs(args.provider_arn, args.issuer_url)
    v.aws_tags(args.tags, "tags")
