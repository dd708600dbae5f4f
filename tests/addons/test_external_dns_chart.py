"""ExternalDns's chart values: what it sets, what users may add, and that the chart reads it."""

from __future__ import annotations

from components.addons.external_dns import (
    HostedZone,
)
from tests.addons.external_dns_support import (
    RELEASE,
    default,
    synth,
    values_of,
)
from tests.oracles.charts import assert_values_read


def test_release_values() -> None:
    result = default()
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
