"""Vendored External Secrets Operator 2.9.0 data (CRD schemas, chart keys) and the chart
key tooling every tests/oracles/charts/*.json file relies on (scripts/chart_keys.py, tests/oracles/charts.py)."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from scripts.chart_keys import format_path, parse_path, template_reads, values_paths
from tests.oracles.charts import CHARTS_DIR, assert_values_read, load_chart_keys
from tests.oracles.iam_validation import (
    CLUSTERSECRETSTORE_V1_SCHEMA,
    EXTERNALSECRET_V1_SCHEMA,
    SECRETSTORE_V1_SCHEMA,
    assert_valid_custom_resource,
    custom_resource_cel_rules,
)
from tests.support import with_path

CHART = "external-secrets-2.9.0"
ROLE_ARN = "arn:aws:iam::123456789012:role/platform-dev-external-secrets"

# --------------------------------------------------------------------------- CRD schemas

STORE_SPEC: dict[str, Any] = {
    "provider": {
        "aws": {
            "service": "SecretsManager",
            "region": "us-west-2",
            "auth": {
                "jwt": {
                    "serviceAccountRef": {
                        "name": "external-secrets",
                        "namespace": "external-secrets",
                    }
                }
            },
        }
    }
}

CLUSTER_STORE: dict[str, Any] = {
    "apiVersion": "external-secrets.io/v1",
    "kind": "ClusterSecretStore",
    "metadata": {"name": "aws-secrets-manager"},
    "spec": STORE_SPEC,
}

STORE: dict[str, Any] = {
    "apiVersion": "external-secrets.io/v1",
    "kind": "SecretStore",
    "metadata": {"name": "aws-secrets-manager", "namespace": "apps"},
    "spec": STORE_SPEC,
}

EXTERNAL_SECRET: dict[str, Any] = {
    "apiVersion": "external-secrets.io/v1",
    "kind": "ExternalSecret",
    "metadata": {"name": "database", "namespace": "apps"},
    "spec": {
        "refreshInterval": "1h",
        "secretStoreRef": {"kind": "ClusterSecretStore", "name": "aws-secrets-manager"},
        "target": {"name": "database", "creationPolicy": "Owner"},
        "data": [
            {"secretKey": "password", "remoteRef": {"key": "prod/db", "property": "password"}}
        ],
    },
}


def test_minimal_objects_are_valid() -> None:
    assert_valid_custom_resource(CLUSTER_STORE, CLUSTERSECRETSTORE_V1_SCHEMA)
    assert_valid_custom_resource(STORE, SECRETSTORE_V1_SCHEMA)
    assert_valid_custom_resource(EXTERNAL_SECRET, EXTERNALSECRET_V1_SCHEMA)
    # With Pod Identity (or IRSA through the operator's own ServiceAccount): no auth.
    no_auth = with_path(CLUSTER_STORE, "spec.provider.aws.auth", ...)
    assert_valid_custom_resource(no_auth, CLUSTERSECRETSTORE_V1_SCHEMA)


@pytest.mark.parametrize(
    ("obj", "schema", "path", "value", "message"),
    [
        (
            CLUSTER_STORE,
            CLUSTERSECRETSTORE_V1_SCHEMA,
            "spec.provider.aws.regon",
            "x",
            "('regon' was unexpected)",
        ),
        (
            CLUSTER_STORE,
            CLUSTERSECRETSTORE_V1_SCHEMA,
            "spec.provider.aws.region",
            ...,
            "'region' is a required property",
        ),
        (
            CLUSTER_STORE,
            CLUSTERSECRETSTORE_V1_SCHEMA,
            "spec.provider",
            {"vault": {}},
            "('vault' was unexpected)",
        ),
        (
            CLUSTER_STORE,
            CLUSTERSECRETSTORE_V1_SCHEMA,
            "spec.provider.aws.service",
            "S3",
            "is not one of",
        ),
        (
            CLUSTER_STORE,
            CLUSTERSECRETSTORE_V1_SCHEMA,
            "metadata.namespace",
            "apps",
            "cluster-scoped",
        ),
        (
            CLUSTER_STORE,
            CLUSTERSECRETSTORE_V1_SCHEMA,
            "spec.provider.aws.customSessionTags",
            {"esoNamespace": "x"},
            "customSessionTags cannot contain automatically injected reserved keys",
        ),
        (STORE, SECRETSTORE_V1_SCHEMA, "metadata.namespace", ..., "SecretStore is namespaced"),
        (STORE, SECRETSTORE_V1_SCHEMA, "kind", "ClusterSecretStore", "kind must be 'SecretStore'"),
        (
            EXTERNAL_SECRET,
            EXTERNALSECRET_V1_SCHEMA,
            "spec.secretStoreRef.kind",
            "Store",
            "is not one of",
        ),
        (
            EXTERNAL_SECRET,
            EXTERNALSECRET_V1_SCHEMA,
            "spec.data.0.remoteRef",
            ...,
            "'remoteRef' is a required property",
        ),
        (
            EXTERNAL_SECRET,
            EXTERNALSECRET_V1_SCHEMA,
            "spec.target.name",
            None,
            "None is not of type 'string'",
        ),
        (
            EXTERNAL_SECRET,
            EXTERNALSECRET_V1_SCHEMA,
            "spec.refreshIntervall",
            "1h",
            "('refreshIntervall' was unexpected)",
        ),
        (
            EXTERNAL_SECRET,
            EXTERNALSECRET_V1_SCHEMA,
            "apiVersion",
            "external-secrets.io/v1beta1",
            "apiVersion must be",
        ),
    ],
)
def test_invalid_objects_fail(
    obj: dict[str, Any], schema: str, path: str, value: Any, message: str
) -> None:
    with pytest.raises(AssertionError, match=re.escape(message)):
        assert_valid_custom_resource(with_path(obj, path, value), schema)


def test_cel_rules_are_inventoried() -> None:
    assert custom_resource_cel_rules(EXTERNALSECRET_V1_SCHEMA) == []
    for schema in (CLUSTERSECRETSTORE_V1_SCHEMA, SECRETSTORE_V1_SCHEMA):
        assert [(where, how) for where, _, how in custom_resource_cel_rules(schema)] == [
            ("<root>.spec.provider.aws.customSessionTags", "checked")
        ]


def test_secretstore_schema_is_the_clustersecretstore_schema() -> None:
    schemas = Path(__file__).parent / "oracles" / "schemas"
    cluster = json.loads((schemas / CLUSTERSECRETSTORE_V1_SCHEMA).read_text())
    namespaced = json.loads((schemas / SECRETSTORE_V1_SCHEMA).read_text())
    differing = {
        k for k in cluster.keys() | namespaced.keys() if cluster.get(k) != namespaced.get(k)
    }
    assert differing == {"$comment", "x-crd", "description"}
    assert namespaced["x-crd"]["scope"] == "Namespaced" and cluster["x-crd"]["scope"] == "Cluster"


# --------------------------------------------------------------------------- ESO chart keys


def test_vendored_values_match_the_key_list() -> None:
    keys_file = CHARTS_DIR / f"{CHART}.json"
    values_file = CHARTS_DIR / f"{CHART}-values.yaml"
    doc = json.loads(keys_file.read_text())
    raw = values_file.read_bytes()
    assert hashlib.sha256(raw).hexdigest() == doc["values_sha256"]
    assert values_paths(yaml.safe_load(raw)) == doc["values_paths"]
    assert (doc["chart"], doc["version"], doc["appVersion"]) == (
        "external-secrets",
        "2.9.0",
        "v2.9.0",
    )
    assert "cc5bfbc2234ace9cb0caff4ea89c435cf517b27b" in doc["source"]


def test_typical_eso_values_are_read() -> None:
    values = {
        "installCRDs": True,
        "replicaCount": 2,
        "serviceAccount": {
            "create": True,
            "name": "external-secrets",
            "annotations": {"eks.amazonaws.com/role-arn": ROLE_ARN},
        },
        "podDisruptionBudget": {"enabled": True, "minAvailable": 1},
        "resources": {"requests": {"cpu": "50m", "memory": "64Mi"}},
        "tolerations": [{"key": "CriticalAddonsOnly", "operator": "Exists"}],
        "nodeSelector": {"kubernetes.io/os": "linux"},
        "webhook": {"create": True, "replicaCount": 2, "podDisruptionBudget": {"enabled": True}},
        "certController": {"create": True, "resources": {"limits": {"memory": "128Mi"}}},
    }
    assert_values_read(values, CHART, require_template_read=True)
    # maxUnavailable is not in values.yaml, but the PDB template reads it.
    assert_values_read({"podDisruptionBudget": {"maxUnavailable": 1}}, CHART)


def test_unread_eso_values_fail() -> None:
    with pytest.raises(
        AssertionError, match=r"installCRD: neither declared .* \(did you mean installCRDs"
    ):
        assert_values_read({"installCRD": True}, CHART)
    with pytest.raises(AssertionError, match=r"serviceAccount\.annotation\b"):
        assert_values_read({"serviceAccount": {"annotation": {}}}, CHART)
    # Declared in values.yaml, read by no template in 2.9.0 (the CRD template for
    # SecretStore only checks installCRDs): passes by default, fails when strict.
    assert_values_read({"crds": {"createSecretStore": False}}, CHART)
    with pytest.raises(
        AssertionError,
        match="crds.createSecretStore: declared in values.yaml but read by no template",
    ):
        assert_values_read(
            {"crds": {"createSecretStore": False}}, CHART, require_template_read=True
        )


# --------------------------------------------------------------------------- every key list


@pytest.mark.parametrize("path", sorted(CHARTS_DIR.glob("*.json")), ids=lambda p: p.stem)
def test_chart_key_lists_are_well_formed(path: Path) -> None:
    doc = json.loads(path.read_text())
    assert path.stem == f"{doc['chart']}-{doc['version']}"
    assert re.fullmatch(r"[0-9a-f]{64}", doc["values_sha256"])
    assert re.search(r"\b[0-9a-f]{40}\b", doc["source"]), "source must name the exact commit"
    for key in ("values_paths", "template_paths", "template_subtree_paths", "subchart_paths"):
        assert doc[key] == sorted(set(doc[key])), key
        assert all(format_path(parse_path(p)) == p for p in doc[key]), key
    assert set(doc["template_subtree_paths"]) <= set(doc["template_paths"])
    values_copy = path.with_name(f"{path.stem}-values.yaml")
    if values_copy.exists():
        assert values_paths(yaml.safe_load(values_copy.read_bytes())) == doc["values_paths"]
    keys = load_chart_keys(path.stem)
    assert keys.chart == doc["chart"] and len(keys.values_paths) == len(doc["values_paths"])


def test_load_balancer_controller_and_external_dns_key_lists() -> None:
    lbc = load_chart_keys("aws-load-balancer-controller-3.5.0")
    assert_values_read(
        {
            "clusterName": "dev",
            "region": "us-west-2",
            "vpcId": "vpc-1",
            "serviceAccount": {"create": True, "name": "aws-load-balancer-controller"},
            "enableServiceMutatorWebhook": False,
            "replicaCount": 2,
        },
        "aws-load-balancer-controller-3.5.0",
        require_template_read=True,
    )
    assert lbc.is_read(("tolerations", "0"))  # read wholesale (toYaml)
    assert_values_read(
        {"txtOwnerId": "dev", "policy": "sync", "interval": "1m", "domainFilters": ["example.com"]},
        "external-dns-1.21.1",
        require_template_read=True,
    )
    with pytest.raises(AssertionError, match="txtOwnerID"):
        assert_values_read({"txtOwnerID": "dev"}, "external-dns-1.21.1")


# --------------------------------------------------------------------------- scripts/chart_keys.py


def _reads(template: str) -> tuple[set[str], set[str]]:
    reads = template_reads({"templates/t.yaml": template})
    return {format_path(p) for p in reads.paths}, {format_path(p) for p in reads.subtrees}


@pytest.mark.parametrize(
    ("template", "read", "wholesale"),
    [
        ("{{ .Values.a.b }}", {"a.b"}, set()),
        ("{{ $.Values.a.b }} {{ .context.Values.c }}", {"a.b", "c"}, set()),
        ('{{ index .Values "a-b" "c" }}', {"a-b.c"}, set()),
        ("{{ index .Values.a $key }}", {"a"}, {"a"}),
        (
            '{{ if hasKey .Values.pdb "maxUnavailable" }}{{ end }}',
            {"pdb", "pdb.maxUnavailable"},
            set(),
        ),
        ("{{- with .Values.a }}{{ .b.c }}{{ toYaml .d }}{{ end }}", {"a", "a.b.c", "a.d"}, {"a.d"}),
        ("{{- with .Values.a }}{{ toYaml . }}{{ else }}{{ .x }}{{ end }}", {"a"}, {"a"}),
        (
            "{{- with .Values.a | default .Values.b }}{{ toYaml . }}{{ end }}",
            {"a", "b"},
            {"a", "b"},
        ),
        ("{{- range .Values.list }}{{ .name }}{{ end }}", {"list"}, {"list"}),
        ("{{- $v := .Values.a }}{{ $v.b }}", {"a", "a.b"}, set()),
        ("{{ .Values.a | toYaml | nindent 4 }}", {"a"}, {"a"}),
        ('{{/* {{ .Values.commented }} */}}{{ "x.Values.y" }}', set(), set()),
        ("{{- with .Values.a }}{{ .Values.b }}{{ end }}", {"a", "b"}, set()),
    ],
)
def test_template_reads(template: str, read: set[str], wholesale: set[str]) -> None:
    assert _reads(template) == (read, wholesale)


def test_values_paths_and_path_format() -> None:
    values = {"a": {"b": 1, "c": [1, {"d": 2}]}, "nodeSelector": {"kubernetes.io/os": "linux"}}
    assert values_paths(values) == [
        "a",
        "a.b",
        "a.c",
        "nodeSelector",
        'nodeSelector["kubernetes.io/os"]',
    ]
    assert parse_path('nodeSelector["kubernetes.io/os"]') == ("nodeSelector", "kubernetes.io/os")
    with pytest.raises(ValueError, match="malformed"):
        parse_path("a..b")
