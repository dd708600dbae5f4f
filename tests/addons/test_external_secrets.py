"""ExternalSecrets: the stores, tenants' stores, the release and its chart values."""

from __future__ import annotations

import pydoc
from dataclasses import replace

from components.addons.external_secrets import (
    SKIP_CONTAINERS_ANNOTATION,
    ExternalSecrets,
    ExternalSecretsArgs,
    enabled_backends,
)
from tests.addons.external_secrets_support import (
    CHART_KEYS,
    CLUSTER_STORE,
    EXTERNAL_SECRET,
    ISSUER,
    NAMESPACE,
    PROVIDER_ARN,
    RELEASE,
    ROLE,
    SERVICE_ACCOUNT,
    STORE,
    TENANTS,
    pushing,
    shared,
    synth,
    trust_of,
    values_of,
)
from tests.oracles.charts import assert_values_read
from tests.oracles.iam_validation import (
    CLUSTERSECRETSTORE_V1_SCHEMA,
    SECRETSTORE_V1_SCHEMA,
    assert_valid_custom_resource,
)
from tests.oracles.trust_policy import Token, admits, pod_identity_admits
from tests.support import depends_on, manifest

# -- the stores ----------------------------------------------------------------------------------


def test_a_cluster_store_per_backend_authenticated_as_the_operator() -> None:
    stores = {
        s.inputs["spec"]["provider"]["aws"]["service"]: s for s in shared().by_type(CLUSTER_STORE)
    }
    assert set(stores) == {"SecretsManager", "ParameterStore"}
    for store in stores.values():
        spec = store.inputs["spec"]
        assert spec["provider"]["aws"]["region"] == "us-west-2"
        assert spec["provider"]["aws"]["auth"] == {
            "jwt": {
                "serviceAccountRef": {"name": "external-secrets", "namespace": "external-secrets"}
            }
        }
        assert spec["conditions"] == [{"namespaces": ["apps", "demo"]}]
        assert_valid_custom_resource(manifest(store), CLUSTERSECRETSTORE_V1_SCHEMA)
    every_namespace = pushing().by_type(CLUSTER_STORE)
    assert len(every_namespace) == 2
    for store in every_namespace:
        assert "conditions" not in store.inputs["spec"]  # every namespace
        assert_valid_custom_resource(manifest(store), CLUSTERSECRETSTORE_V1_SCHEMA)


def test_backends_follow_the_configuration() -> None:
    only_paths = ExternalSecretsArgs(cluster=None, parameter_paths=["/dev"])  # type: ignore[arg-type]
    assert enabled_backends(only_paths) == ["ParameterStore"]
    # PushSecret goes through the Secrets Manager store.
    assert enabled_backends(replace(only_paths, push_prefix="dev/pushed/")) == [
        "SecretsManager",
        "ParameterStore",
    ]
    only_prefixes = replace(only_paths, parameter_paths=[], secret_prefixes=["dev/"])
    assert enabled_backends(only_prefixes) == ["SecretsManager"]


def test_stores_and_external_secrets_depend_on_the_release() -> None:
    result = shared()
    release = result.one(RELEASE)
    stores = result.by_type(CLUSTER_STORE) + result.by_type(STORE)
    assert len(stores) == 5  # two shared, three of the tenants
    for store in stores:
        assert depends_on(result, store, release), store.name
    external = result.one(EXTERNAL_SECRET)
    for dependency in (release, *stores):
        assert depends_on(result, external, dependency), dependency.name
    # The release waits for the role and its ServiceAccount in the operator's namespace.
    for dependency in (result.one(ROLE, "eso"), result.one(SERVICE_ACCOUNT, "eso-sa")):
        assert depends_on(result, release, dependency), dependency.name
    assert release.inputs["namespace"] == "external-secrets"


# -- tenants' stores -----------------------------------------------------------------------------


def test_tenants_stay_irsa_when_the_operator_uses_pod_identity() -> None:
    result = synth(identity="pod-identity", tenants={"team-a": TENANTS["team-a"]})
    assert pod_identity_admits(trust_of(result), "test", "external-secrets", "external-secrets")
    tenant_trust = trust_of(result, "eso-team-a")
    subject = "system:serviceaccount:team-a:external-secrets"
    assert admits(tenant_trust, Token(ISSUER, subject), PROVIDER_ARN)
    assert not pod_identity_admits(tenant_trust, "test", "team-a", "external-secrets")
    stores = result.by_type(STORE)
    assert {s.inputs["metadata"]["namespace"] for s in stores} == {"team-a"} and len(stores) == 2
    for store in stores:
        assert store.inputs["spec"]["provider"]["aws"]["auth"]["jwt"]["serviceAccountRef"] == {
            "name": "external-secrets"
        }


def test_tenant_secret_stores_authenticate_as_the_tenants_service_account() -> None:
    result = shared()
    stores = {
        (s.inputs["metadata"]["namespace"], s.inputs["metadata"]["name"]): s
        for s in result.by_type(STORE)
    }
    assert set(stores) == {
        ("team-a", "aws-secrets-manager"),
        ("team-a", "aws-parameter-store"),
        ("payments", "aws-secrets-manager"),
    }
    for store in stores.values():
        aws = store.inputs["spec"]["provider"]["aws"]
        assert aws["auth"] == {"jwt": {"serviceAccountRef": {"name": "external-secrets"}}}
        assert_valid_custom_resource(manifest(store), SECRETSTORE_V1_SCHEMA)
        tenant = "team-a" if store.inputs["metadata"]["namespace"] == "team-a" else "team-b"
        assert depends_on(result, store, result.one(SERVICE_ACCOUNT, f"eso-{tenant}-sa"))
    service_accounts = {
        sa.inputs["metadata"]["namespace"]: sa for sa in result.by_type(SERVICE_ACCOUNT)
    }
    assert set(service_accounts) == {"external-secrets", "team-a", "payments"}
    annotation = service_accounts["team-a"].inputs["metadata"]["annotations"]
    assert annotation["eks.amazonaws.com/role-arn"] == result.outputs["tenantRoleArns"]["team-a"]
    created = {ns.inputs["metadata"]["name"] for ns in result.by_type(NAMESPACE)}
    assert created == {"external-secrets", "team-a"}  # payments exists already


# -- the release ---------------------------------------------------------------------------------


def test_release_and_its_values() -> None:
    result = shared()
    release = result.one(RELEASE)
    assert (release.inputs["chart"], release.inputs["version"]) == ("external-secrets", "2.9.0")
    assert release.inputs["repositoryOpts"]["repo"] == "https://charts.external-secrets.io"
    assert result.outputs["releaseName"] == release.inputs["name"] == "eso"
    values = values_of(result)
    assert values["installCRDs"] is True
    assert values["webhook"]["create"] is values["certController"]["create"] is True
    assert values["serviceAccount"] == {"create": False, "name": "external-secrets"}
    # IRSA: the stores authenticate through auth.jwt, the controller container holds nothing.
    assert values["podAnnotations"] == {SKIP_CONTAINERS_ANNOTATION: "external-secrets"}
    assert values["rbac"]["serviceAccountTokenCreate"] is True
    assert values["leaderElect"] is False and "podDisruptionBudget" not in values
    assert not release.protect


def test_deletion_protection_protects_the_release() -> None:
    assert synth(deletion_protection=True).one(RELEASE).protect


def test_every_values_key_is_read_by_the_pinned_chart() -> None:
    for result in (shared(), pushing()):
        assert_values_read(values_of(result), CHART_KEYS, require_template_read=True)


def test_resources_of_the_controller_webhook_and_cert_controller() -> None:
    default = {"requests": {"cpu": "50m", "memory": "64Mi"}, "limits": {"memory": "256Mi"}}
    values = values_of(shared())
    for part in (values, values["webhook"], values["certController"]):
        assert part["resources"] == default
    custom = {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"memory": "512Mi"}}
    values = values_of(synth(resources=custom))
    for part in (values, values["webhook"], values["certController"]):
        assert part["resources"] == custom


def test_replicas_scheduling_and_extra_values() -> None:
    values = values_of(pushing())
    assert values["replicaCount"] == values["webhook"]["replicaCount"] == 2
    assert values["leaderElect"] is True
    assert values["podDisruptionBudget"] == {"enabled": True, "maxUnavailable": 1}
    assert values["webhook"]["podDisruptionBudget"] == {"enabled": True, "maxUnavailable": 1}
    for part in (values, values["webhook"], values["certController"]):
        assert part["tolerations"] == [{"key": "CriticalAddonsOnly", "operator": "Exists"}]
        assert part["nodeSelector"] == {"role": "system"}
    assert values["concurrent"] == 4
    assert values["podAnnotations"] == {"team": "platform"}


def test_help_shows_what_the_component_creates_and_its_args() -> None:
    text = pydoc.render_doc(ExternalSecrets, renderer=pydoc.plaintext)  # type: ignore[attr-defined]
    first_line = (ExternalSecrets.__doc__ or "").strip().splitlines()[0]
    assert first_line in text and "ExternalSecretsArgs" in text
    assert "ComponentResource" not in (ExternalSecrets.__init__.__doc__ or "")
