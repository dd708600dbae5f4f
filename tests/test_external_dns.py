"""ExternalDns: IAM scoped to the configured zones, the trust, the chart values, validation."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import pulumi
import pytest

from components.addons.external_dns import (
    DEFAULT_CHART,
    RECORD_NAMES_KEY,
    RECORD_TYPES_KEY,
    ExternalDns,
    ExternalDnsArgs,
    HostedZone,
    interval_seconds,
    route53_policy,
)
from components.addons.helm import ChartSpec
from components.identity.cluster_ref import ClusterRef
from components.identity.iam import RoleSettings
from components.policies import EXTERNAL_DNS_TUTORIAL_POLICY_FILE, load_policy
from components.synth import SynthResult
from components.synth.mocks import PlatformMocks
from tests.charts import assert_values_read
from tests.iam_validation import assert_valid_permission_policy
from tests.support import depends_on, doc, make_cluster, run
from tests.trust_policy import Token, admits, pod_identity_admits, service_may_assume

ISSUER_HOST = "oidc.eks.us-west-2.amazonaws.com/id/ABCDEF0123456789ABCDEF0123456789"
ZONE_ID = "Z0123456789ABCDEFGHIJ"
RECORD_ACTIONS = {
    "route53:ChangeResourceRecordSets",
    "route53:ListResourceRecordSets",
    "route53:ListTagsForResources",
}
RELEASE = "kubernetes:helm.sh/v3:Release"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
OWN_TYPES = (
    "eks-platform:index:ExternalDns",
    "eks-platform:index:IrsaRole",
    "eks-platform:index:PodIdentityRole",
    "aws:iam/role:Role",
    ROLE_POLICY,
    "kubernetes:core/v1:Namespace",
    "kubernetes:core/v1:ServiceAccount",
    RELEASE,
)


# -- fixtures ----------------------------------------------------------------------------------


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


# -- IAM ---------------------------------------------------------------------------------------


def test_no_record_permission_on_star_or_every_zone() -> None:
    granted = resources_by_action(policy_of(synth()))
    for action, resources in granted.items():
        assert not any(r.endswith("hostedzone/*") for r in resources), action
        if "*" in resources:
            assert action == "route53:ListHostedZones", f"{action} granted on *"
    assert granted["route53:ListHostedZones"] == {"*"}


def test_record_actions_only_on_configured_zones() -> None:
    result = synth(
        zones=[
            HostedZone(domain="dev.example.com"),
            HostedZone(zone_id=ZONE_ID),
            HostedZone(domain="b.example.org", zone_id="ZB0000000000000000000"),
        ]
    )
    zone_ids = result.outputs["zoneIds"]
    assert len(zone_ids) == 3 and ZONE_ID in zone_ids and "ZB0000000000000000000" in zone_ids
    expected = {f"arn:aws:route53:::hostedzone/{z}" for z in zone_ids}
    granted = resources_by_action(policy_of(result))
    assert set(granted) == {*RECORD_ACTIONS, "route53:ListHostedZones"}
    for action in RECORD_ACTIONS:
        assert granted[action] == expected
    assert set(result.outputs["zoneArns"]) == expected


def test_same_actions_as_the_upstream_tutorial_narrowed_to_the_zones() -> None:
    tutorial = resources_by_action(load_policy(EXTERNAL_DNS_TUTORIAL_POLICY_FILE))
    ours = resources_by_action(policy_of(synth()))
    assert set(ours) == set(tutorial)
    assert tutorial["route53:ChangeResourceRecordSets"] == {"arn:aws:route53:::hostedzone/*"}
    for action, resources in ours.items():
        if tutorial[action] == {"*"}:
            assert resources == {"*"}
        else:
            assert len(resources) == 1 and "*" not in next(iter(resources))


def test_policy_is_a_valid_iam_policy() -> None:
    assert_valid_permission_policy(policy_of(synth()))


def test_china_partition() -> None:
    result = synth(region="cn-north-1")
    policy = policy_of(result)
    arns = resources_by_action(policy)["route53:ChangeResourceRecordSets"]
    assert arns and all(a.startswith("arn:aws-cn:route53:::hostedzone/Z") for a in arns)
    assert "arn:aws:" not in str(policy)
    env = {e["name"]: e["value"] for e in values_of(result)["env"]}
    assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == "cn-north-1"


def _like(pattern: str, value: str) -> bool:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value) is not None


def change_allowed(
    policy: dict[str, Any], zone_arn: str, names: list[str], types: list[str]
) -> bool:
    """Whether ``policy`` lets ChangeResourceRecordSets change records ``names`` of ``types`` in
    the zone ``zone_arn``: IAM's evaluation of the Allow statements (no Deny in these policies)
    with the operators the policy uses. Route53 puts every name of the batch, normalized
    (lower-case, no trailing dot), in the NormalizedRecordNames key, every type in RecordTypes."""
    context: dict[str, list[str]] = {
        RECORD_NAMES_KEY: [n.lower().rstrip(".") for n in names],
        RECORD_TYPES_KEY: list(types),
    }
    operators = {
        "ForAllValues:StringLike": lambda want, got: all(
            any(_like(p, g) for p in want) for g in got
        ),
        "ForAllValues:StringEquals": lambda want, got: all(g in want for g in got),
        "Null": lambda want, got: (want == ["true"]) == (not got),
    }
    for stmt in as_list(policy["Statement"]):
        if stmt["Effect"] != "Allow":
            continue
        if not any(_like(a, "route53:ChangeResourceRecordSets") for a in as_list(stmt["Action"])):
            continue
        if not any(_like(r, zone_arn) for r in as_list(stmt["Resource"])):
            continue
        holds = True
        for operator, keys in stmt.get("Condition", {}).items():
            assert operator in operators, f"evaluator does not know {operator}"
            for key, want in keys.items():
                holds = holds and operators[operator](as_list(want), context.get(key, []))
        if holds:
            return True
    return False


def test_default_policy_limits_the_record_types() -> None:
    policy = policy_of(synth())
    (zone_arn,) = resources_by_action(policy)["route53:ChangeResourceRecordSets"]
    name = "app.dev.example.com"
    assert change_allowed(policy, zone_arn, [name, f"edns-a.{name}"], ["A", "TXT"])
    assert change_allowed(policy, zone_arn, [name], ["AAAA", "CNAME"])
    # An NS record would delegate the name elsewhere; MX would take its mail.
    assert not change_allowed(policy, zone_arn, [name], ["NS"])
    assert not change_allowed(policy, zone_arn, [name, name], ["A", "MX"])
    # Any name in the zone (no subdomains configured).
    assert change_allowed(policy, zone_arn, ["dev.example.com", "x.y.dev.example.com"], ["A"])
    (change,) = [s for s in policy["Statement"] if "Condition" in s]
    assert change["Action"] == ["route53:ChangeResourceRecordSets"]
    assert change["Condition"] == {
        "ForAllValues:StringEquals": {RECORD_TYPES_KEY: ["A", "AAAA", "CNAME", "TXT"]},
        "Null": {RECORD_TYPES_KEY: "false"},
    }


def test_subdomains_limit_the_record_names() -> None:
    result = synth(
        zones=[HostedZone(domain="example.com")],
        subdomains=["team-a.example.com", "b.team-c.example.com"],
    )
    policy = policy_of(result)
    (zone_arn,) = resources_by_action(policy)["route53:ChangeResourceRecordSets"]
    (change,) = [s for s in policy["Statement"] if "Condition" in s]
    assert change["Condition"]["ForAllValues:StringLike"] == {
        RECORD_NAMES_KEY: [
            "*.b.team-c.example.com",
            "*.team-a.example.com",
            "b.team-c.example.com",
            "team-a.example.com",
        ]
    }
    assert change["Condition"]["Null"] == {RECORD_NAMES_KEY: "false", RECORD_TYPES_KEY: "false"}

    def allowed(*names: str) -> bool:
        types = ["A", "TXT"]
        return change_allowed(policy, zone_arn, list(names), types)

    # The subdomain itself, names below it and their TXT ownership records.
    assert allowed("team-a.example.com", "edns-a.team-a.example.com")
    assert allowed("App.Team-A.example.com.", "edns-a.app.team-a.example.com")
    assert allowed("*.team-a.example.com", "x.y.b.team-c.example.com")
    # Names outside: the zone apex, siblings, look-alikes, the parent of b.team-c.
    for outside in (
        "example.com",
        "team-b.example.com",
        "xteam-a.example.com",
        "team-a.example.com.evil.com",
        "team-c.example.com",
        "www.example.com",
    ):
        assert not allowed(outside), outside
    # One name outside fails the whole batch.
    assert not allowed("app.team-a.example.com", "www.example.com")
    assert_valid_permission_policy(policy)
    values = values_of(result)
    assert values["domainFilters"] == ["team-a.example.com", "b.team-c.example.com"]
    assert result.outputs["domainFilters"] == values["domainFilters"]
    assert "--aws-zone-match-parent" in values["extraArgs"]


def test_condition_keys_are_route53_keys_of_the_action() -> None:
    from policy_sentry.querying.actions import get_action_data

    (data,) = {
        tuple(d["condition_keys"])
        for d in get_action_data("route53", "ChangeResourceRecordSets")["route53"]
    }
    assert {RECORD_NAMES_KEY, RECORD_TYPES_KEY} <= set(data)


def test_record_types_can_be_chosen_or_left_open() -> None:
    narrow = synth(record_types=["A", "TXT"])
    policy = policy_of(narrow)
    (zone_arn,) = resources_by_action(policy)["route53:ChangeResourceRecordSets"]
    assert change_allowed(policy, zone_arn, ["a.dev.example.com"], ["A", "TXT"])
    assert not change_allowed(policy, zone_arn, ["a.dev.example.com"], ["AAAA"])
    assert values_of(narrow)["managedRecordTypes"] == ["A"]
    assert_valid_permission_policy(policy)
    open_ = synth(record_types=[])
    policy = policy_of(open_)
    assert not any("Condition" in s for s in policy["Statement"])
    assert change_allowed(policy, zone_arn, ["a.dev.example.com"], ["NS", "MX"])
    assert "managedRecordTypes" not in values_of(open_)


def test_policy_function_never_degrades_to_every_zone() -> None:
    with pytest.raises(ValueError, match=r"^zones:"):
        route53_policy([])


# -- zones -------------------------------------------------------------------------------------


def test_zone_by_domain_is_looked_up() -> None:
    result = synth()
    (zone_id,) = result.outputs["zoneIds"]
    assert zone_id.startswith("Z") and "/" not in zone_id
    assert result.outputs["domainFilters"] == ["dev.example.com"]
    assert f"--zone-id-filter=/hostedzone/{zone_id}" in values_of(result)["extraArgs"]


def test_zone_by_id_is_looked_up_for_its_domain() -> None:
    result = synth(zones=[HostedZone(zone_id=ZONE_ID)])
    assert result.outputs["zoneIds"] == [ZONE_ID]
    # The mock answers a lookup by id with the domain example.com.
    assert result.outputs["domainFilters"] == ["example.com"]
    assert values_of(result)["domainFilters"] == ["example.com"]


@pytest.fixture
def zone_lookups(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Records every getZone invoke; zones whose id starts with ZP are private."""
    calls: list[dict[str, Any]] = []
    original = PlatformMocks.call

    def call(self: PlatformMocks, args: Any) -> Any:
        answer = original(self, args)
        if args.token == "aws:route53/getZone:getZone":
            calls.append(dict(args.args))
            if str(args.args.get("zoneId", "")).startswith("ZP"):
                answer[0]["privateZone"] = True
        return answer

    monkeypatch.setattr(PlatformMocks, "call", call)
    return calls


def test_zone_lookups(zone_lookups: list[dict[str, Any]]) -> None:
    synth(
        zones=[
            HostedZone(domain="dev.example.com"),
            HostedZone(domain="internal.example.com", private=True),
            HostedZone(zone_id=ZONE_ID),
            HostedZone(domain="both.example.com", zone_id="ZB0000000000000000000"),
        ]
    )
    # Invokes run concurrently: compare without regard to order.
    seen = sorted(
        (str(c.get("name")), str(c.get("privateZone")), str(c.get("zoneId"))) for c in zone_lookups
    )
    assert seen == sorted(
        [
            ("dev.example.com", "False", "None"),
            ("internal.example.com", "True", "None"),
            ("None", "None", ZONE_ID),
        ]
    )


def test_zone_by_id_takes_its_visibility_from_the_lookup(
    zone_lookups: list[dict[str, Any]],
) -> None:
    result = synth(zones=[HostedZone(zone_id="ZP0000000000000000000")])
    assert "--aws-zone-type=private" in values_of(result)["extraArgs"]
    assert len(zone_lookups) == 1


def test_zone_type_follows_the_zones() -> None:
    public = values_of(synth())["extraArgs"]
    private = values_of(synth(zones=[HostedZone(domain="internal.example.com", private=True)]))[
        "extraArgs"
    ]
    mixed = values_of(
        synth(
            zones=[
                HostedZone(domain="example.com"),
                HostedZone(domain="internal.example.com", private=True),
            ]
        )
    )["extraArgs"]
    assert "--aws-zone-type=public" in public
    assert "--aws-zone-type=private" in private
    assert not any(a.startswith("--aws-zone-type") for a in mixed)
    assert sum(a.startswith("--zone-id-filter=") for a in mixed) == 2


# -- the release -------------------------------------------------------------------------------


def test_release_values() -> None:
    result = synth()
    release = result.one(RELEASE)
    assert release.inputs["chart"] == "external-dns"
    assert release.inputs["version"] == "1.21.1"
    assert (
        release.inputs["repositoryOpts"]["repo"]
        == "https://kubernetes-sigs.github.io/external-dns/"
    )
    assert release.inputs["namespace"] == "external-dns"
    assert result.outputs["releaseName"] == release.inputs["name"] == "external-dns"
    values = values_of(result)
    assert values["provider"] == {"name": "aws"}
    assert values["sources"] == ["ingress", "service"]
    assert values["registry"] == "txt"
    assert values["txtOwnerId"] == "test" == result.outputs["txtOwnerId"]
    assert values["txtPrefix"] == "edns-%{record_type}."
    assert values["domainFilters"] == ["dev.example.com"]
    assert values["policy"] == "upsert-only"
    assert values["interval"] == "1m"
    assert values["serviceAccount"] == {"create": False, "name": "external-dns"}
    (zone_id,) = result.outputs["zoneIds"]
    assert values["extraArgs"] == [
        "--aws-zone-type=public",
        f"--zone-id-filter=/hostedzone/{zone_id}",
    ]
    # Requests and limits by default; ExternalDNS manages what IAM lets it change.
    assert values["resources"] == {
        "requests": {"cpu": "50m", "memory": "128Mi"},
        "limits": {"memory": "256Mi"},
    }
    assert values["managedRecordTypes"] == ["A", "AAAA", "CNAME"]
    for key in ("annotationFilter", "namespaced", "sourceNamespace", "topologySpreadConstraints"):
        assert key not in values
    assert_values_read(values, "external-dns-1.21.1", require_template_read=True)


def test_every_value_set_is_read_by_the_chart() -> None:
    values = values_of(
        synth(
            zones=[HostedZone(domain="example.com")],
            subdomains=["team-a.example.com"],
            record_types=["A", "AAAA", "TXT"],
            annotation_filter="external-dns.alpha.kubernetes.io/expose=true",
            source_namespace="team-a",
            tolerations=[{"key": "CriticalAddonsOnly", "operator": "Exists"}],
            node_selector={"workload": "system"},
        )
    )
    assert_values_read(values, "external-dns-1.21.1", require_template_read=True)


def test_annotation_filter() -> None:
    selector = "external-dns.alpha.kubernetes.io/expose in (true,yes),!legacy"
    values = values_of(synth(annotation_filter=selector))
    assert values["annotationFilter"] == selector


def test_source_namespace() -> None:
    result = synth(source_namespace="team-a")
    values = values_of(result)
    # The chart turns this into --namespace=team-a and a Role/RoleBinding in team-a.
    assert values["namespaced"] is True
    assert values["sourceNamespace"] == "team-a"
    # NodePort Services need Node addresses, which the namespaced RBAC does not grant.
    assert [a for a in values["extraArgs"] if a.startswith("--service-type-filter")] == [
        "--service-type-filter=LoadBalancer",
        "--service-type-filter=ClusterIP",
        "--service-type-filter=ExternalName",
    ]
    # Instances per namespace must not take each other's records for their own.
    assert values["txtOwnerId"] == "test.team-a" == result.outputs["txtOwnerId"]
    assert values_of(synth(source_namespace="team-a", txt_owner_id="a"))["txtOwnerId"] == "a"
    ingress_only = values_of(synth(source_namespace="team-a", sources=["ingress"]))
    assert not any(a.startswith("--service-type-filter") for a in ingress_only["extraArgs"])
    own_filter = values_of(
        synth(
            source_namespace="team-a",
            values={"extraArgs": ["--service-type-filter=LoadBalancer"]},
        )
    )
    assert [a for a in own_filter["extraArgs"] if a.startswith("--service-type-filter")] == [
        "--service-type-filter=LoadBalancer"
    ]


def test_subdomain_outside_a_zone_given_by_id_is_refused_once_looked_up() -> None:
    # The mock answers a lookup by id with example.com.
    with pytest.raises(Exception, match=r"subdomains\[0\]: 'a\.example\.org' is in none"):
        synth(zones=[HostedZone(zone_id=ZONE_ID)], subdomains=["a.example.org"])
    result = synth(zones=[HostedZone(zone_id=ZONE_ID)], subdomains=["a.example.com"])
    assert values_of(result)["domainFilters"] == ["a.example.com"]


def test_release_values_overrides_and_extra_values_merged_last() -> None:
    result = synth(
        policy="sync",
        interval="2m30s",
        txt_owner_id="dev-blue",
        txt_prefix="dev-",
        sources=["gateway-httproute", "ingress"],
        tolerations=[{"key": "CriticalAddonsOnly", "operator": "Exists"}],
        node_selector={"role": "system"},
        resources={"requests": {"cpu": "25m"}},
        values={
            "serviceAccount": {"automountServiceAccountToken": True},
            "logLevel": "debug",
            "extraArgs": ["--log-level=debug"],
        },
    )
    values = values_of(result)
    assert values["policy"] == "sync"
    assert values["interval"] == "2m30s"
    assert values["txtOwnerId"] == "dev-blue" == result.outputs["txtOwnerId"]
    assert values["txtPrefix"] == "dev-"
    assert values["sources"] == ["gateway-httproute", "ingress"]
    assert values["tolerations"] == [{"key": "CriticalAddonsOnly", "operator": "Exists"}]
    assert values["nodeSelector"] == {"role": "system"}
    # Merged last: mappings merge key by key; keys the component sets are refused (below).
    assert values["serviceAccount"] == {
        "create": False,
        "name": "external-dns",
        "automountServiceAccountToken": True,
    }
    assert values["logLevel"] == "debug"
    assert values["resources"] == {"requests": {"cpu": "25m"}}
    # extraArgs is appended, so the zone scoping survives.
    assert values["extraArgs"][-1] == "--log-level=debug"
    assert any(a.startswith("--zone-id-filter=") for a in values["extraArgs"])


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
    result = synth()
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


# -- who may assume the role -------------------------------------------------------------------


def test_trust_admits_exactly_the_external_dns_service_account() -> None:
    result = synth()
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


# -- validation --------------------------------------------------------------------------------

BAD_ARGS: list[tuple[dict[str, Any], str]] = [
    ({"tolerations": [{"key": "dedicated", "effect": "Never"}]}, r"^tolerations\[0\]\.effect: "),
    (
        {"tolerations": [{"key": "k", "colour": "red"}]},
        r"^tolerations\[0\]: unknown field 'colour'",
    ),
    ({"zones": []}, r"^zones: at least one hosted zone"),
    ({"zones": [HostedZone()]}, r"^zones\[0\]: give the zone's domain"),
    ({"zones": [HostedZone(domain="Dev.Example.com")]}, r"^zones\[0\]\.domain:"),
    ({"zones": [HostedZone(domain="localhost")]}, r"^zones\[0\]\.domain:"),
    ({"zones": [HostedZone(zone_id="z123")]}, r"^zones\[0\]\.zone_id: 'z123' is not a Route53"),
    ({"zones": [HostedZone(zone_id="Zabc")]}, r"^zones\[0\]\.zone_id:"),
    (
        {"zones": [HostedZone(domain="a.example.com"), HostedZone(zone_id="/hostedzone/Z1")]},
        r"^zones\[1\]\.zone_id:",
    ),
    (
        {"zones": [HostedZone(zone_id=ZONE_ID), HostedZone(zone_id=ZONE_ID)]},
        r"^zones: duplicate zone_id",
    ),
    ({"identity": "kiam"}, r"^identity:"),
    ({"cluster": None}, r"^cluster: expected an EksCluster or a ClusterRef"),
    ({"zones": "dev.example.com"}, r"^zones: expected a list of HostedZones, got str"),
    ({"zones": [{"domain": "dev.example.com"}]}, r"^zones\[0\]: expected a HostedZone, got dict"),
    ({"policy": "delete-all"}, r"^policy:"),
    ({"policy": ""}, r"^policy:"),
    ({"interval": "30s"}, r"^interval: '30s' is shorter than 1m"),
    ({"interval": "59s"}, r"^interval:"),
    ({"interval": "abc"}, r"^interval: 'abc' is not a duration"),
    ({"interval": "1.5m"}, r"^interval:"),
    ({"interval": ""}, r"^interval:"),
    ({"txt_prefix": "Edns-"}, r"^txt_prefix:"),
    ({"txt_prefix": "edns_*"}, r"^txt_prefix:"),
    ({"txt_prefix": ".edns"}, r"^txt_prefix:"),
    ({"txt_prefix": "a..b"}, r"^txt_prefix:"),
    ({"txt_prefix": "%{record_type}-%{record_type}."}, r"^txt_prefix:"),
    ({"txt_owner_id": "owner,with=comma"}, r"^txt_owner_id:"),
    ({"txt_owner_id": ""}, r"^txt_owner_id:"),
    ({"sources": ["ingress", "configmap"]}, r"^sources\[1\]: 'configmap' is not one of"),
    ({"sources": []}, r"^sources:"),
    ({"sources": ["ingress", "ingress"]}, r"^sources: duplicate"),
    ({"zone_type": "both"}, r"^zone_type:"),
    (
        {"zones": [HostedZone(domain="a.example.com", private=True)], "zone_type": "public"},
        r"^zone_type:",
    ),
    ({"zone_type": "private"}, r"^zone_type:"),
    ({"annotation_filter": "a,,b"}, r"^annotation_filter:"),
    ({"namespace": "External_DNS"}, r"^namespace:"),
    ({"service_account": "Bad Name"}, r"^service_account:"),
    (
        {
            "chart": ChartSpec(
                chart="external-dns", repository=DEFAULT_CHART.repository, version="1.x"
            )
        },
        r"^chart\.version:",
    ),
    ({"values": {"extraArgs": ["--zone-id-filter=Z999"]}}, r"^values\.extraArgs\[0\]:"),
    (
        {"values": {"extraArgs": ["--managed-record-types=NS"]}},
        r"^values\.extraArgs\[0\]: --managed-record-types is derived from record_types",
    ),
    ({"values": {"extraArgs": ["--namespace=x"]}}, r"^values\.extraArgs\[0\]: --namespace"),
    ({"values": {"extraArgs": ["--regex-domain-filter=.*"]}}, r"^values\.extraArgs\[0\]:"),
    (
        {"values": {"domainFilters": ["example.com"]}},
        r"^values\.domainFilters: is set by the arguments zones",
    ),
    (
        {"values": {"managedRecordTypes": ["NS"]}},
        r"^values\.managedRecordTypes: is set by the argument record_types",
    ),
    ({"values": {"resources": {}}}, r"^values\.resources: is set by the argument resources"),
    ({"values": {"txtOwnerId": "x"}}, r"^values\.txtOwnerId: is set by the argument txt_owner_id"),
    (
        {"values": {"serviceAccount": {"name": "x"}}},
        r"^values\.serviceAccount\.name: is set by the argument service_account",
    ),
    ({"values": {"namespaced": True}}, r"^values\.namespaced:"),
    ({"subdomains": ["Team.dev.example.com"]}, r"^subdomains\[0\]: 'Team.dev.example.com'"),
    ({"subdomains": ["team.dev.example.com."]}, r"^subdomains\[0\]:"),
    ({"subdomains": ["*.dev.example.com"]}, r"^subdomains\[0\]:"),
    ({"subdomains": ["team.example.org"]}, r"^subdomains\[0\]: 'team.example.org' is in none"),
    ({"subdomains": ["example.com"]}, r"^subdomains\[0\]: 'example.com' is in none"),
    ({"subdomains": ["a.dev.example.com", "a.dev.example.com"]}, r"^subdomains: duplicate"),
    (
        {"subdomains": ["a.dev.example.com"], "txt_prefix": "edns-"},
        r"^txt_prefix: 'edns-' must end with '\.' \(or be empty\) with subdomains",
    ),
    ({"record_types": ["A"]}, r"^record_types: must include TXT"),
    ({"record_types": ["TXT"]}, r"^record_types: needs A, AAAA or CNAME"),
    ({"record_types": ["A", "TXT", "SOA"]}, r"^record_types\[2\]: 'SOA' is not one of"),
    ({"record_types": ["a", "TXT"]}, r"^record_types\[0\]:"),
    ({"record_types": ["A", "A", "TXT"]}, r"^record_types: duplicate"),
    ({"annotation_filter": ""}, r"^annotation_filter: must be a non-empty selector"),
    ({"annotation_filter": "a=b=c"}, r"^annotation_filter:"),
    ({"annotation_filter": "expose in ()"}, r"^annotation_filter:"),
    ({"annotation_filter": "bad key!=x"}, r"^annotation_filter:"),
    ({"source_namespace": "Team_A"}, r"^source_namespace:"),
    (
        {"source_namespace": "team-a", "sources": ["ingress", "node"]},
        r"^sources: the 'node' source reads Nodes",
    ),
    (
        {"source_namespace": "team-a", "values": {"extraArgs": ["--service-type-filter=NodePort"]}},
        r"^values\.extraArgs: NodePort Services need Node addresses",
    ),
    ({"resources": {"requests": {"cpu": ""}}}, r"^resources\.requests\.cpu: '' is not a positive"),
    ({"resources": {"requests": {"cpu": 1}}}, r"^resources\['requests'\]\['cpu'\]: expected"),
    ({"resources": {"maximum": {"cpu": "1"}}}, r"^resources: 'maximum' is not one of"),
    ({"values": {"extraArgs": "--once"}}, r"^values\.extraArgs:"),
    ({"node_selector": {"bad key!": "x"}}, r"^node_selector\."),
    ({"role": RoleSettings(name="x" * 65)}, r"^role\.name:"),
]


@pytest.mark.parametrize(("overrides", "message"), BAD_ARGS, ids=[m for _, m in BAD_ARGS])
def test_validation_error_names_the_argument(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("^", "^ExternalDns 'external-dns': ")):
        synth(**overrides)


@pytest.mark.parametrize(
    "overrides",
    [{"zones": []}, {"zones": [HostedZone(zone_id="z123")]}, {"interval": "30s"}, {"cluster": "x"}],
)
def test_validation_fails_before_any_resource_is_registered(overrides: dict[str, Any]) -> None:
    errors: list[ValueError] = []

    def program() -> None:
        ref = light_cluster()
        args = ExternalDnsArgs(cluster=ref, zones=[HostedZone(domain="dev.example.com")])
        try:
            ExternalDns("external-dns", replace(args, **overrides))
        except ValueError as e:
            errors.append(e)

    result = run(program)
    assert len(errors) == 1
    assert [r for r in result.resources if r.type in OWN_TYPES] == []


def test_any_component_name_gives_a_valid_release_name() -> None:
    def program() -> None:
        ExternalDns(
            "External_DNS-" + "x" * 60,
            ExternalDnsArgs(cluster=light_cluster(), zones=[HostedZone(domain="a.example.com")]),
        )

    name = run(program).one(RELEASE).inputs["name"]
    assert len(name) <= 53 and re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", name)


@pytest.mark.parametrize(
    ("interval", "seconds"),
    [
        ("1m", 60),
        ("90s", 90),
        ("2m30s", 150),
        ("1h", 3600),
        ("1h2m3s", 3723),
        ("30s", 30),
        ("abc", None),
        ("1m1h", None),
    ],
)
def test_interval_parsing(interval: str, seconds: int | None) -> None:
    assert interval_seconds(interval) == seconds


def test_one_hour_interval_is_accepted() -> None:
    assert values_of(synth(interval="1h"))["interval"] == "1h"
