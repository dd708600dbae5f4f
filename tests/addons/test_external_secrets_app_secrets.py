"""The ExternalSecret helper: manifests checked first, and an ExternalSecret that reads both
shared stores into one Secret after the operator is ready."""

from __future__ import annotations

import re
from typing import Any

import pytest

from components.addons.external_secrets import (
    SecretValue,
    StoreRef,
    external_secret,
    external_secret_manifest,
)
from tests.addons.external_secrets_support import (
    EXTERNAL_SECRET,
    shared,
)
from tests.oracles.iam_validation import (
    EXTERNALSECRET_V1_SCHEMA,
    assert_valid_custom_resource,
)
from tests.support import manifest, refused


def test_the_external_secret_reads_both_stores_into_one_secret() -> None:
    resource = shared().one(EXTERNAL_SECRET)
    obj = manifest(resource)
    assert_valid_custom_resource(obj, EXTERNALSECRET_V1_SCHEMA)
    spec = obj["spec"]
    assert spec["refreshInterval"] == "15m"
    assert spec["target"] == {"name": "app-config", "creationPolicy": "Owner"}
    assert spec["secretStoreRef"] == {"kind": "ClusterSecretStore", "name": "aws-secrets-manager"}
    password, greeting = spec["data"]
    assert "sourceRef" not in password  # the ExternalSecret's own store
    assert greeting["sourceRef"]["storeRef"]["name"] == "aws-parameter-store"


SM = StoreRef(name="aws-secrets-manager")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"refresh_interval": "1 hour"}, "refresh_interval: '1 hour' is not a Go duration"),
        ({"creation_policy": "Adopt"}, "creation_policy: 'Adopt' is not one of"),
        ({"data": []}, "data: give at least one SecretValue"),
        (
            {"data": [SecretValue(secret_key="a", remote_key="x")] * 2},
            "data: duplicate secret_key 'a'",
        ),
        ({"data": [SecretValue(secret_key="a b", remote_key="x")]}, r"data\[0\]\.secret_key:"),
        ({"store": StoreRef(name="Bad_Store")}, "store.name:"),
        ({"name": "Demo"}, "name:"),
    ],
)
def test_bad_external_secrets_are_refused(overrides: dict[str, Any], message: str) -> None:
    kwargs: dict[str, Any] = {
        "name": "demo",
        "namespace": "demo",
        "store": SM,
        "data": [SecretValue(secret_key="a", remote_key="dev/a")],
        **overrides,
    }
    error = refused(lambda: external_secret("demo", **kwargs))
    assert re.match(f"ExternalSecret 'demo': {message}", error), error


def test_external_secret_manifest_defaults() -> None:
    obj = external_secret_manifest(
        name="demo",
        namespace="demo",
        store=StoreRef(kind="SecretStore", name="aws-parameter-store"),
        data=[SecretValue(secret_key="greeting", remote_key="/team-a/greeting")],
        refresh_interval="0",
    )
    assert_valid_custom_resource(obj, EXTERNALSECRET_V1_SCHEMA)
    assert obj["spec"]["target"] == {"name": "demo", "creationPolicy": "Owner"}
