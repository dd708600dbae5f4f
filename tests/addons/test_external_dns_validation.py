"""ExternalDns's validation: every error names the argument, and comes before any resource."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from components.addons.external_dns import (
    DEFAULT_CHART,
    ExternalDns,
    ExternalDnsArgs,
    HostedZone,
    interval_seconds,
)
from components.addons.helm import ChartSpec
from components.identity.iam import RoleSettings
from tests.addons.external_dns_support import (
    RELEASE,
    ROLE_POLICY,
    ZONE_ID,
    light_cluster,
    synth,
    values_of,
)
from tests.support import run

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
    ({"replicas": 2}, r"^replicas: must be 1, not 2: ExternalDNS runs as one pod"),
    ({"replicas": 0}, r"^replicas: 0 must be an integer at least 1"),
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
