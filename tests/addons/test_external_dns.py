"""ExternalDns, the component: its role's trust, namespace and ServiceAccount, the release's
dependencies and name, and what waits for it."""

from __future__ import annotations

import re

import pulumi
import pulumi_kubernetes as k8s

from components.addons.external_dns import (
    ExternalDns,
    ExternalDnsArgs,
    HostedZone,
)
from tests.addons.external_dns_support import (
    ISSUER_HOST,
    RELEASE,
    ROLE_POLICY,
    default,
    light_cluster,
    policy_of,
    resources_by_action,
    synth,
    values_of,
)
from tests.oracles.trust_policy import Token, admits, pod_identity_admits, service_may_assume
from tests.support import depends_on, doc, make_cluster, run


def test_txt_owner_id_defaults_to_the_cluster_name_of_a_real_cluster() -> None:
    def program() -> None:
        cluster = make_cluster(cluster_name="dev-blue")
        edns = ExternalDns(
            "external-dns",
            ExternalDnsArgs(cluster=cluster, zones=[HostedZone(domain="dev.example.com")]),
        )
        pulumi.export("txtOwnerId", edns.txt_owner_id)

    result = run(program)
    assert values_of(result)["txtOwnerId"] == "dev-blue" == result.outputs["txtOwnerId"]
    release = result.one(RELEASE)
    # Waits for capacity (node group, CoreDNS), the role and the ServiceAccount in its namespace.
    for type_, name in (
        ("aws:eks/nodeGroup:NodeGroup", None),
        ("aws:eks/addon:Addon", "test-coredns"),
        (ROLE_POLICY, None),
        ("kubernetes:core/v1:ServiceAccount", None),
        ("kubernetes:core/v1:Namespace", None),
    ):
        assert depends_on(result, release, result.one(type_, name)), type_


def test_service_account_in_a_namespace_created_first() -> None:
    result = default()
    ns = result.one("kubernetes:core/v1:Namespace")
    sa = result.one("kubernetes:core/v1:ServiceAccount")
    assert ns.inputs["metadata"]["name"] == "external-dns"
    assert sa.inputs["metadata"]["namespace"] == "external-dns"
    assert sa.inputs["metadata"]["name"] == "external-dns"
    assert ns.urn in sa.dependencies
    role_arn = result.outputs["roleArn"]
    assert sa.inputs["metadata"]["annotations"]["eks.amazonaws.com/role-arn"] == role_arn


def test_existing_namespace_is_not_created() -> None:
    result = synth(namespace="kube-system", create_namespace=False)
    assert result.by_type("kubernetes:core/v1:Namespace") == []
    assert (
        result.one("kubernetes:core/v1:ServiceAccount").inputs["metadata"]["namespace"]
        == "kube-system"
    )
    assert result.one(RELEASE).inputs["namespace"] == "kube-system"


def test_trust_admits_exactly_the_external_dns_service_account() -> None:
    result = default()
    trust = doc(result.one("aws:iam/role:Role", "external-dns"), "assumeRolePolicy")
    provider = f"arn:aws:iam::123456789012:oidc-provider/{ISSUER_HOST}"
    issuer = f"https://{ISSUER_HOST}"
    sa = "system:serviceaccount:external-dns:external-dns"
    (stmt,) = trust["Statement"]
    assert stmt["Condition"] == {
        "StringEquals": {f"{ISSUER_HOST}:sub": sa, f"{ISSUER_HOST}:aud": "sts.amazonaws.com"}
    }
    assert admits(trust, Token(issuer, sa), provider)
    refused = [
        (Token(issuer, "system:serviceaccount:default:external-dns"), provider),
        (Token(issuer, "system:serviceaccount:external-dns:default"), provider),
        (Token(issuer, "system:serviceaccount:external-dns:external-dns-x"), provider),
        (Token(issuer, sa, aud="something-else"), provider),
        (Token(issuer, sa), "arn:aws:iam::123456789012:oidc-provider/other"),
    ]
    for token, provider_arn in refused:
        assert not admits(trust, token, provider_arn), token


def test_trust_follows_custom_namespace_and_service_account() -> None:
    result = synth(namespace="dns", service_account="edns")
    trust = doc(result.one("aws:iam/role:Role", "external-dns"), "assumeRolePolicy")
    provider = f"arn:aws:iam::123456789012:oidc-provider/{ISSUER_HOST}"
    issuer = f"https://{ISSUER_HOST}"
    assert admits(trust, Token(issuer, "system:serviceaccount:dns:edns"), provider)
    assert not admits(
        trust, Token(issuer, "system:serviceaccount:external-dns:external-dns"), provider
    )
    assert values_of(result)["serviceAccount"] == {"create": False, "name": "edns"}


def test_pod_identity_mechanism() -> None:
    result = synth(identity="pod-identity")
    assoc = result.one("aws:eks/podIdentityAssociation:PodIdentityAssociation")
    assert assoc.inputs["namespace"] == "external-dns"
    assert assoc.inputs["serviceAccount"] == "external-dns"
    assert assoc.inputs["roleArn"] == result.outputs["roleArn"]
    assert result.by_type("eks-platform:index:IrsaRole") == []
    trust = doc(result.one("aws:iam/role:Role", "external-dns"), "assumeRolePolicy")
    assert pod_identity_admits(trust, "test", "external-dns", "external-dns")
    assert not pod_identity_admits(trust, "test", "default", "external-dns")
    assert not service_may_assume(trust, "ec2.amazonaws.com")
    sa = result.one("kubernetes:core/v1:ServiceAccount")
    assert not sa.inputs["metadata"].get("annotations")
    assert resources_by_action(policy_of(result))["route53:ListHostedZones"] == {"*"}


def test_any_component_name_gives_a_valid_release_name() -> None:
    def program() -> None:
        ExternalDns(
            "External_DNS-" + "x" * 60,
            ExternalDnsArgs(cluster=light_cluster(), zones=[HostedZone(domain="a.example.com")]),
        )

    name = run(program).one(RELEASE).inputs["name"]
    assert len(name) <= 53 and re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", name)


def test_workload_options_wait_for_the_release() -> None:
    def program() -> None:
        cluster = light_cluster()
        edns = ExternalDns(
            "external-dns",
            ExternalDnsArgs(cluster=cluster, zones=[HostedZone(domain="dev.example.com")]),
        )
        assert edns.ready == [edns.release]
        other = k8s.core.v1.ConfigMap(
            "first", opts=pulumi.ResourceOptions(provider=cluster.provider)
        )
        k8s.core.v1.ConfigMap(
            "workload", opts=edns.workload_options(pulumi.ResourceOptions(depends_on=[other]))
        )

    result = run(program)
    workload = result.one("kubernetes:core/v1:ConfigMap", "workload")
    assert set(workload.dependencies) == {
        result.one(RELEASE).urn,
        result.one("kubernetes:core/v1:ConfigMap", "first").urn,
    }
    assert workload.provider == result.one(RELEASE).provider is not None
