"""Shared by the ExternalDns tests: an ExternalDns under the mocks and readers of its result."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pulumi

from components.addons.external_dns import ExternalDns, ExternalDnsArgs, HostedZone
from components.identity.cluster_ref import ClusterRef
from components.synth import SynthResult
from tests.support import doc, run, shared

ISSUER_HOST = "oidc.eks.us-west-2.amazonaws.com/id/ABCDEF0123456789ABCDEF0123456789"
ZONE_ID = "Z0123456789ABCDEFGHIJ"
RELEASE = "kubernetes:helm.sh/v3:Release"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"


def light_cluster(name: str = "test") -> ClusterRef:
    """Inside a program: a ClusterRef for an existing cluster that has an OIDC provider (fast)."""
    return ClusterRef.existing(
        name, oidc_provider_arn=f"arn:aws:iam::123456789012:oidc-provider/{ISSUER_HOST}"
    )


def synth(region: str = "us-west-2", **overrides: Any) -> SynthResult:
    """Run an ExternalDns (zone dev.example.com unless overridden) and export its outputs."""

    def program() -> None:
        ref = light_cluster()
        args = replace(
            ExternalDnsArgs(cluster=ref, zones=[HostedZone(domain="dev.example.com")]),
            **overrides,
        )
        edns = ExternalDns("external-dns", args)
        pulumi.export("roleArn", edns.role_arn)
        pulumi.export("zoneIds", edns.zone_ids)
        pulumi.export("zoneArns", edns.zone_arns)
        pulumi.export("domainFilters", edns.domain_filters)
        pulumi.export("txtOwnerId", edns.txt_owner_id)
        pulumi.export("releaseName", edns.release_name)

    return run(program, region=region)


@shared
def default() -> SynthResult:
    """``synth()`` with no overrides: one synth per test process, a fresh copy for each call
    (so that no test can change what another sees: :func:`tests.support.shared`)."""
    return synth()


def policy_of(result: SynthResult) -> dict[str, Any]:
    doc_ = doc(result.one(ROLE_POLICY), "policy")
    assert isinstance(doc_, dict)
    return doc_


def values_of(result: SynthResult) -> dict[str, Any]:
    values = result.one(RELEASE).inputs["values"]
    assert isinstance(values, dict)
    return values


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def resources_by_action(policy: dict[str, Any]) -> dict[str, set[str]]:
    """action -> every resource an Allow statement grants it on."""
    granted: dict[str, set[str]] = {}
    for stmt in as_list(policy["Statement"]):
        assert stmt["Effect"] == "Allow"
        assert "NotAction" not in stmt and "NotResource" not in stmt
        for action in as_list(stmt["Action"]):
            granted.setdefault(action, set()).update(as_list(stmt["Resource"]))
    return granted
