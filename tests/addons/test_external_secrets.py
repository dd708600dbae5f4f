"""ExternalSecrets: least-privilege reads, the trust, the stores, tenants, the chart values."""

from __future__ import annotations

import functools
import pydoc
import re
from dataclasses import replace
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
import pytest

from components.addons.external_secrets import (
    SKIP_CONTAINERS_ANNOTATION,
    ExternalSecrets,
    ExternalSecretsArgs,
    SecretsTenantSpec,
    SecretValue,
    StoreRef,
    enabled_backends,
    external_secret,
    external_secret_manifest,
    read_grants,
    validate_settings,
)
from components.addons.helm import ChartSpec
from components.identity.cluster_ref import ClusterRef
from components.identity.iam import RoleSettings
from components.identity.oidc import OidcTrust
from components.synth import SynthResult
from components.validation.config_reader import config_error, from_config
from tests.charts import assert_values_read
from tests.iam_validation import (
    CLUSTERSECRETSTORE_V1_SCHEMA,
    EXTERNALSECRET_V1_SCHEMA,
    SECRETSTORE_V1_SCHEMA,
    assert_valid_custom_resource,
    assert_valid_permission_policy,
)
from tests.support import depends_on, doc, manifest, refused, run
from tests.trust_policy import Token, admits, pod_identity_admits

ACCOUNT = "123456789012"
ISSUER_HOST = "oidc.eks.us-west-2.amazonaws.com/id/ABCDEF0123456789ABCDEF0123456789"
ISSUER = f"https://{ISSUER_HOST}"
PROVIDER_ARN = f"arn:aws:iam::{ACCOUNT}:oidc-provider/{ISSUER_HOST}"
KEY_ARN = f"arn:aws:kms:us-west-2:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
CHART_KEYS = "external-secrets-2.9.0"

RELEASE = "kubernetes:helm.sh/v3:Release"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
CLUSTER_STORE = "kubernetes:external-secrets.io/v1:ClusterSecretStore"
STORE = "kubernetes:external-secrets.io/v1:SecretStore"
EXTERNAL_SECRET = "kubernetes:external-secrets.io/v1:ExternalSecret"
NAMESPACE = "kubernetes:core/v1:Namespace"
SERVICE_ACCOUNT = "kubernetes:core/v1:ServiceAccount"

READ = ("secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret")
WRITE = (
    "secretsmanager:PutSecretValue",
    "secretsmanager:CreateSecret",
    "secretsmanager:DeleteSecret",
    "secretsmanager:TagResource",
    "ssm:PutParameter",
    "ssm:DeleteParameter",
)


def secret_arn(name: str, region: str = "us-west-2", account: str = ACCOUNT) -> str:
    """A secret's ARN as IAM evaluates it: the name plus Secrets Manager's random suffix."""
    return f"arn:aws:secretsmanager:{region}:{account}:secret:{name}-AbCdEf"


def parameter_arn(name: str) -> str:
    return f"arn:aws:ssm:us-west-2:{ACCOUNT}:parameter{name}"


# -- an evaluator for the permission policies (moto does not evaluate them) --------------------


def _like(pattern: str, value: str, case_sensitive: bool = True) -> bool:
    """IAM's ``*`` / ``?`` matching, which crosses ``:`` and ``/``."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    flags = 0 if case_sensitive else re.IGNORECASE
    return re.fullmatch(regex, value, flags) is not None


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _conditions_hold(conditions: dict[str, dict[str, Any]], context: dict[str, str]) -> bool:
    tests = {"StringEquals": lambda e, a: e == a, "StringLike": _like}
    for operator, keys in conditions.items():
        assert operator in tests, f"evaluator does not know {operator}"
        for key, expected in keys.items():
            if key not in context or not any(
                tests[operator](e, context[key]) for e in _as_list(expected)
            ):
                return False
    return True


def allows(policy: dict[str, Any], action: str, resource: str, **context: str) -> bool:
    """Whether the identity policy allows ``action`` on ``resource`` (no Deny statements)."""
    for stmt in _as_list(policy["Statement"]):
        assert stmt["Effect"] == "Allow" and "NotAction" not in stmt and "NotResource" not in stmt
        if (
            any(_like(a, action, case_sensitive=False) for a in _as_list(stmt["Action"]))
            and any(_like(r, resource) for r in _as_list(stmt["Resource"]))
            and _conditions_hold(stmt.get("Condition", {}), context)
        ):
            return True
    return False


# -- fixtures ----------------------------------------------------------------------------------


def light_cluster() -> ClusterRef:
    """Inside a program: an existing cluster with an OIDC provider (fast: no EksCluster)."""
    return ClusterRef.existing("test", oidc_provider_arn=PROVIDER_ARN)


def offline_cluster(oidc: bool = True) -> ClusterRef:
    """A ClusterRef whose provider and OIDC trust are never registered: for refusals, which
    must happen before anything is (``tests.support.refused`` checks that nothing was)."""
    return ClusterRef(
        key="test",
        name="test",
        provider=k8s.Provider.__new__(k8s.Provider),
        vpc_id="vpc-0123456789abcdef0",
        oidc=OidcTrust.__new__(OidcTrust) if oidc else None,
    )


TENANTS = {
    "team-a": SecretsTenantSpec(
        secret_prefixes=["team-a/"], parameter_paths=["/team-a"], create_namespace=True
    ),
    "team-b": SecretsTenantSpec(namespace="payments", secret_prefixes=["team-b/"]),
}


def base_args(cluster: Any, **overrides: Any) -> ExternalSecretsArgs:
    return replace(
        ExternalSecretsArgs(
            cluster=cluster,
            secret_prefixes=["dev/apps/", "shared/"],
            parameter_paths=["/dev/app"],
        ),
        **overrides,
    )


def synth(region: str = "us-west-2", **overrides: Any) -> SynthResult:
    """An ExternalSecrets ``eso`` with ``overrides``, and an ExternalSecret in ``apps`` that reads
    one value from each shared store."""

    def program() -> None:
        eso = ExternalSecrets("eso", base_args(light_cluster(), **overrides))
        data = [SecretValue(secret_key="password", remote_key="dev/apps/db", property="password")]
        if "ParameterStore" in eso.stores:
            data.append(
                SecretValue(
                    secret_key="greeting",
                    remote_key="/dev/app/greeting",
                    store=eso.store_ref("ParameterStore"),
                )
            )
        external_secret(
            "app-config",
            name="app-config",
            namespace="apps",
            store=eso.store_ref("SecretsManager"),
            data=data,
            refresh_interval="15m",
            opts=eso.workload_options(),
        )
        pulumi.export("roleArn", eso.role_arn)
        pulumi.export("releaseName", eso.release_name)
        pulumi.export("tenantRoleArns", eso.tenant_role_arns)

    return run(program, region=region)


@functools.cache
def shared() -> SynthResult:
    """IRSA, KMS, store conditions, two tenants, no push."""
    return synth(kms_key_arns=[KEY_ARN], store_namespaces=["apps", "demo"], tenants=TENANTS)


@functools.cache
def pushing() -> SynthResult:
    """Pod Identity, PushSecret enabled, two replicas, scheduling and extra values."""
    return synth(
        identity="pod-identity",
        push_prefix="dev/pushed/",
        replicas=2,
        tolerations=[{"key": "CriticalAddonsOnly", "operator": "Exists"}],
        node_selector={"role": "system"},
        values={"concurrent": 4, "podAnnotations": {"team": "platform"}},
    )


def policy_of(result: SynthResult, role: str = "eso") -> dict[str, Any]:
    found = doc(result.one(ROLE_POLICY, f"{role}-permissions"), "policy")
    assert isinstance(found, dict)
    return found


def trust_of(result: SynthResult, role: str = "eso") -> dict[str, Any]:
    found = doc(result.one(ROLE, role), "assumeRolePolicy")
    assert isinstance(found, dict)
    return found


def values_of(result: SynthResult) -> dict[str, Any]:
    values = result.one(RELEASE).inputs["values"]
    assert isinstance(values, dict)
    return values


# -- the operator's permissions ------------------------------------------------------------------


def test_the_role_reads_exactly_the_configured_prefixes() -> None:
    policy = policy_of(shared())
    for action in (*READ, "secretsmanager:ListSecretVersionIds"):
        assert allows(policy, action, secret_arn("dev/apps/db"))
        assert allows(policy, action, secret_arn("dev/apps/team/nested/db"))
        assert allows(policy, action, secret_arn("shared/api-key"))
    outside = [
        secret_arn("dev/apps-old/db"),  # shares the characters, not the prefix
        secret_arn("dev/db"),  # the parent
        secret_arn("prod/apps/db"),
        secret_arn("team-a/db"),  # a tenant's
        secret_arn("dev/apps/db", region="us-east-1"),
        secret_arn("dev/apps/db", account="210987654321"),
    ]
    for arn in outside:
        assert not any(allows(policy, a, arn) for a in READ), arn
    for action in (*WRITE, "secretsmanager:ListSecrets", "secretsmanager:BatchGetSecretValue"):
        assert not allows(policy, action, secret_arn("dev/apps/db")), action


def test_the_role_reads_exactly_the_configured_parameter_paths() -> None:
    policy = policy_of(shared())
    actions = ("ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath")
    for name in ("/dev/app", "/dev/app/greeting", "/dev/app/db/password"):
        assert all(allows(policy, a, parameter_arn(name)) for a in actions), name
    for name in ("/dev/application", "/dev/app-old/x", "/dev", "/team-a/token"):
        assert not any(allows(policy, a, parameter_arn(name)) for a in actions), name
    assert not allows(policy, "ssm:PutParameter", parameter_arn("/dev/app/greeting"))


def test_no_statement_names_every_resource() -> None:
    for result, role in ((shared(), "eso"), (shared(), "eso-team-a"), (pushing(), "eso")):
        for stmt in policy_of(result, role)["Statement"]:
            for resource in stmt["Resource"]:
                assert resource != "*", stmt
                assert not resource.endswith(("secret:*", "parameter/*", "key/*")), resource
            assert not any("*" in a for a in stmt["Action"]), stmt


def test_kms_decrypt_only_with_the_configured_keys_through_the_two_services() -> None:
    policy = policy_of(shared())
    for service in ("secretsmanager", "ssm"):
        assert allows(
            policy,
            "kms:Decrypt",
            KEY_ARN,
            **{"kms:ViaService": f"{service}.us-west-2.amazonaws.com"},
        )
    assert not allows(policy, "kms:Decrypt", KEY_ARN)  # called directly
    assert not allows(
        policy, "kms:Decrypt", KEY_ARN, **{"kms:ViaService": "s3.us-west-2.amazonaws.com"}
    )
    other_key = KEY_ARN.replace("1234abcd", "9999abcd")
    assert not allows(
        policy,
        "kms:Decrypt",
        other_key,
        **{"kms:ViaService": "secretsmanager.us-west-2.amazonaws.com"},
    )
    # No key configured, no KMS statement at all.
    assert not any("kms:" in str(s["Action"]) for s in policy_of(pushing())["Statement"])


def test_push_writes_only_under_its_own_prefix() -> None:
    policy = policy_of(pushing())
    pushed = secret_arn("dev/pushed/app-token")
    for action in (
        "secretsmanager:CreateSecret",
        "secretsmanager:PutSecretValue",
        "secretsmanager:TagResource",
    ):
        assert allows(policy, action, pushed), action
        assert not allows(policy, action, secret_arn("dev/apps/db")), action
    # Deletes only what ESO created (tagged managed-by: external-secrets).
    assert not allows(policy, "secretsmanager:DeleteSecret", pushed)
    assert allows(
        policy,
        "secretsmanager:DeleteSecret",
        pushed,
        **{"secretsmanager:ResourceTag/managed-by": "external-secrets"},
    )
    assert not allows(policy, "ssm:PutParameter", parameter_arn("/dev/app/x"))
    values = values_of(pushing())
    assert values["processPushSecret"] is values["processClusterPushSecret"] is True


def test_without_push_nothing_is_written_and_the_push_controllers_are_off() -> None:
    policy = policy_of(shared())
    for name in ("dev/apps/db", "shared/x", "anything/else"):
        assert not any(allows(policy, a, secret_arn(name)) for a in WRITE), name
    values = values_of(shared())
    assert values["processPushSecret"] is values["processClusterPushSecret"] is False


def test_every_policy_is_a_valid_iam_policy() -> None:
    assert_valid_permission_policy(policy_of(shared()))  # reads, KMS
    assert_valid_permission_policy(policy_of(pushing()))  # reads, push
    assert_valid_permission_policy(policy_of(shared(), "eso-team-a"))


def test_partition_follows_the_region() -> None:
    policy = policy_of(synth(region="cn-north-1"))
    resources = [r for s in policy["Statement"] for r in s["Resource"]]
    assert resources and all(r.startswith("arn:aws-cn:") for r in resources)
    assert ":cn-north-1:" in resources[0]


def test_read_grants_never_degrade_to_every_secret() -> None:
    with pytest.raises(ValueError, match=r"^secret_prefixes:"):
        read_grants([], [])


# -- who may assume the roles --------------------------------------------------------------------


def test_trust_admits_only_the_operator_service_account() -> None:
    trust = trust_of(shared())
    subject = "system:serviceaccount:external-secrets:external-secrets"
    assert admits(trust, Token(ISSUER, subject), PROVIDER_ARN)
    for other in (
        "system:serviceaccount:external-secrets:default",
        "system:serviceaccount:external-secrets:external-secrets-webhook",
        "system:serviceaccount:team-a:external-secrets",
        "system:serviceaccount:default:external-secrets",
    ):
        assert not admits(trust, Token(ISSUER, other), PROVIDER_ARN), other
    assert not admits(trust, Token(ISSUER, subject, aud="other"), PROVIDER_ARN)


def test_pod_identity_trust_and_stores_without_auth() -> None:
    result = pushing()
    trust = trust_of(result)
    assert pod_identity_admits(trust, "test", "external-secrets", "external-secrets")
    assert not pod_identity_admits(trust, "test", "apps", "external-secrets")
    association = result.one("aws:eks/podIdentityAssociation:PodIdentityAssociation")
    assert association.inputs["roleArn"] == result.outputs["roleArn"]
    # ESO's Pod Identity path: no auth block, the controller pod's own credentials.
    stores = result.by_type(CLUSTER_STORE)
    assert len(stores) == 2
    for store in stores:
        assert "auth" not in store.inputs["spec"]["provider"]["aws"]
    # ... so the controller container must keep them.
    assert SKIP_CONTAINERS_ANNOTATION not in values_of(result)["podAnnotations"]


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


# -- tenants -------------------------------------------------------------------------------------


def test_a_tenant_reads_only_its_own_secrets() -> None:
    result = shared()
    a, b = policy_of(result, "eso-team-a"), policy_of(result, "eso-team-b")
    assert allows(a, READ[0], secret_arn("team-a/db"))
    assert allows(a, "ssm:GetParameter", parameter_arn("/team-a/token"))
    assert allows(b, READ[0], secret_arn("team-b/db"))
    for arn in (secret_arn("team-b/db"), secret_arn("dev/apps/db"), secret_arn("team-ab/db")):
        assert not allows(a, READ[0], arn), arn
    assert not allows(b, READ[0], secret_arn("team-a/db"))
    assert not allows(b, "ssm:GetParameter", parameter_arn("/team-a/token"))
    assert not allows(a, "ssm:GetParameter", parameter_arn("/dev/app/greeting"))


def test_a_tenant_role_trusts_only_its_own_service_account() -> None:
    result = shared()
    a, b = trust_of(result, "eso-team-a"), trust_of(result, "eso-team-b")
    assert admits(a, Token(ISSUER, "system:serviceaccount:team-a:external-secrets"), PROVIDER_ARN)
    assert admits(b, Token(ISSUER, "system:serviceaccount:payments:external-secrets"), PROVIDER_ARN)
    for subject in (
        "system:serviceaccount:payments:external-secrets",
        "system:serviceaccount:external-secrets:external-secrets",
        "system:serviceaccount:team-a:default",
    ):
        assert not admits(a, Token(ISSUER, subject), PROVIDER_ARN), subject
    assert result.outputs["tenantRoleArns"]["team-a"] != result.outputs["roleArn"]


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


# -- validation ----------------------------------------------------------------------------------

BAD_ARGS: list[tuple[dict[str, Any], str]] = [
    ({"secret_prefixes": [], "parameter_paths": []}, "secret_prefixes: give at least one"),
    ({"secret_prefixes": ["dev"]}, r"secret_prefixes\[0\]: 'dev' must end with '/'"),
    ({"secret_prefixes": ["dev/*"]}, r"secret_prefixes\[0\]: 'dev/\*' is not a secret name"),
    ({"secret_prefixes": ["a/", "a/"]}, "secret_prefixes: duplicate prefix 'a/'"),
    ({"parameter_paths": ["dev/app"]}, r"parameter_paths\[0\]: 'dev/app' is not an SSM"),
    ({"parameter_paths": ["/dev/app/"]}, r"parameter_paths\[0\]:"),
    (
        {"kms_key_arns": [f"arn:aws:kms:us-west-2:{ACCOUNT}:alias/secrets"]},
        r"kms_key_arns\[0\]: .* an alias ARN does not grant",
    ),
    ({"identity": "kiam"}, "identity: expected one of 'irsa', 'pod-identity', got str 'kiam'"),
    ({"namespace": "External_Secrets"}, "namespace:"),
    ({"service_account": "Bad Name"}, "service_account:"),
    ({"store_namespaces": ["Apps"]}, r"store_namespaces\[0\]:"),
    ({"store_namespaces": ["apps", "apps"]}, "store_namespaces: duplicate"),
    ({"push_prefix": "dev/"}, "push_prefix: 'dev/' contains the read prefix 'dev/apps/'"),
    ({"push_prefix": "pushed"}, "push_prefix: 'pushed' must end with '/'"),
    ({"replicas": 0}, "replicas:"),
    (
        {"chart": ChartSpec(chart="external-secrets", repository="https://x", version="2.x")},
        "chart.version:",
    ),
    ({"values": {"installCRDs": False}}, "values.installCRDs: is set by the component"),
    (
        {"values": {"serviceAccount": {"name": "eso"}}},
        "values.serviceAccount.name: is set by the argument service_account",
    ),
    (
        {"values": {"podAnnotations": {SKIP_CONTAINERS_ANNOTATION: ""}}},
        f"values.podAnnotations.{SKIP_CONTAINERS_ANNOTATION}: is set by the component",
    ),
    ({"values": {"processPushSecret": True}}, "values.processPushSecret: .* push_prefix"),
    ({"tolerations": [{"key": "k", "effect": "Never"}]}, r"tolerations\[0\]\.effect:"),
    ({"role": RoleSettings(name="x" * 65)}, "role.name:"),
    ({"cluster": None}, "cluster: expected an EksCluster or a ClusterRef"),
    (
        {"tenants": {"team-a": {"secret_prefixes": ["team-a/"]}}},
        r"tenants\['team-a'\]: expected a SecretsTenantSpec, got dict",
    ),
    (
        {"tenants": {"team-a": SecretsTenantSpec()}},
        r"tenants\['team-a'\]\.secret_prefixes: give at least one",
    ),
    (
        {"tenants": {"team-a": SecretsTenantSpec(secret_prefixes=["dev/apps/team-a/"])}},
        r"tenants\['team-a'\]\.secret_prefixes\[0\]: 'dev/apps/team-a/' overlaps 'dev/apps/' "
        "of the shared stores",
    ),
    (
        {"tenants": {"t": SecretsTenantSpec(parameter_paths=["/dev"])}},
        r"tenants\['t'\]\.parameter_paths\[0\]: '/dev' overlaps '/dev/app' of the shared",
    ),
    (
        {
            "tenants": {
                "a": SecretsTenantSpec(parameter_paths=["/teams/a"]),
                "b": SecretsTenantSpec(parameter_paths=["/teams/a/b"]),
            }
        },
        r"tenants\['b'\]\.parameter_paths\[0\]: .* overlaps '/teams/a' of tenant 'a'",
    ),
    (
        {
            "push_prefix": "pushed/",
            "tenants": {"a": SecretsTenantSpec(secret_prefixes=["pushed/a/"])},
        },
        r"tenants\['a'\]\.secret_prefixes\[0\]: .* overlaps 'pushed/' of push_prefix",
    ),
    (
        {"tenants": {"external-secrets": SecretsTenantSpec(secret_prefixes=["t/"])}},
        r"tenants\['external-secrets'\]\.namespace: .* is the operator's namespace",
    ),
    (
        {
            "tenants": {
                "a": SecretsTenantSpec(namespace="team", secret_prefixes=["a/"]),
                "b": SecretsTenantSpec(namespace="team", secret_prefixes=["b/"]),
            }
        },
        r"tenants\['b'\]\.namespace: 'team' is also tenant 'a'",
    ),
    (
        {"tenants": {"Team_A": SecretsTenantSpec(secret_prefixes=["a/"])}},
        r"tenants\['Team_A'\]\.namespace: 'Team_A' is not a valid namespace",
    ),
    (
        {
            "role": RoleSettings(name="eso"),
            "tenants": {
                "a": SecretsTenantSpec(secret_prefixes=["a/"], role=RoleSettings(name="ESO"))
            },
        },
        r"tenants\['a'\]\.role\.name: 'ESO' is also the role name of the operator",
    ),
]


@pytest.mark.parametrize(("overrides", "message"), BAD_ARGS, ids=[m for _, m in BAD_ARGS])
def test_bad_args_are_refused_before_anything_is_registered(
    overrides: dict[str, Any], message: str
) -> None:
    kwargs = dict(overrides)
    cluster = kwargs.pop("cluster") if "cluster" in kwargs else offline_cluster()
    error = refused(lambda: ExternalSecrets("eso", base_args(cluster, **kwargs)))
    assert re.match(f"ExternalSecrets 'eso': {message}", error), error


def test_tenants_need_irsa_and_say_why() -> None:
    def program() -> ExternalSecrets:
        return ExternalSecrets(
            "eso", base_args(offline_cluster(oidc=False), identity="pod-identity", tenants=TENANTS)
        )

    error = refused(program)
    assert error.startswith("ExternalSecrets 'eso': tenants: tenants need IRSA")
    assert "controller's own credentials" in error
    error = refused(lambda: ExternalSecrets("eso", base_args(offline_cluster(oidc=False))))
    assert error.startswith("ExternalSecrets 'eso': identity: 'irsa' needs the cluster's OIDC")


def test_a_mapping_instead_of_the_args_is_one_line() -> None:
    error = refused(lambda: ExternalSecrets("eso", {"secret_prefixes": ["a/"]}))  # type: ignore[arg-type]
    assert error.startswith("ExternalSecrets 'eso': args: expected an ExternalSecretsArgs")


def test_configuration_errors_name_the_config_key() -> None:
    """What a stack does with ``eks-platform:externalSecrets``: read, then validate_settings."""
    key = "eks-platform:externalSecrets"
    config = {
        "secretPrefixes": ["dev-eks/"],
        "parameterPaths": ["/dev-eks"],
        "tenants": {"team-a": {"secretPrefixes": ["team-a/"], "createNamespace": True}},
    }
    args = from_config(ExternalSecretsArgs, config, key, cluster=None)
    validate_settings(args)  # no cluster needed
    assert args.tenants["team-a"].secret_prefixes == ["team-a/"]
    bad = {**config, "tenants": {"team-a": {"secretPrefixes": ["dev-eks/team-a/"]}}}
    with pytest.raises(ValueError) as error:
        validate_settings(from_config(ExternalSecretsArgs, bad, key, cluster=None))
    assert str(config_error(key, error.value)).startswith(
        f"{key}.tenants.team-a.secretPrefixes[0]: 'dev-eks/team-a/' overlaps 'dev-eks/'"
    )


# -- the ExternalSecret helper -------------------------------------------------------------------

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


def test_help_shows_what_the_component_creates_and_its_args() -> None:
    text = pydoc.render_doc(ExternalSecrets, renderer=pydoc.plaintext)  # type: ignore[attr-defined]
    first_line = (ExternalSecrets.__doc__ or "").strip().splitlines()[0]
    assert first_line in text and "ExternalSecretsArgs" in text
    assert "ComponentResource" not in (ExternalSecrets.__init__.__doc__ or "")
