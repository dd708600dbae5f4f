"""The Secrets key's policy, evaluated: who may delete, disable and re-policy the key in each
stack, who can recover it, and that KMS (moto) accepts it.

staging (no break-glass principal): the administrators, the deploy role among them, may
schedule the key's deletion, so ``pulumi destroy`` works. prod (a break-glass principal,
required with ``deletionProtection``): only the break-glass principal and the account's root
user may disable the key, schedule its deletion or change its policy.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import pytest

from components.cluster.secrets_key import secrets_key_policy
from components.synth import SynthResult, main
from tests.oracles.iam_validation import _action_problem
from tests.oracles.key_policy import decide, may, passes_lockout_check
from tests.stacks.harness import ROOT, copy_program, stack
from tests.support import cluster_args, depends_on, doc, refused, run

ACCOUNT = "123456789012"
ROOT_USER = f"arn:aws:iam::{ACCOUNT}:root"
PLATFORM = f"arn:aws:iam::{ACCOUNT}:role/PlatformAdmin"
BREAK_GLASS = f"arn:aws:iam::{ACCOUNT}:role/BreakGlass"
KEY = "aws:kms/key:Key"
#: What only the break-glass principal may do in prod (and the administrators in staging).
GUARDED = ("kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:PutKeyPolicy")


def deployer(name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:role/eks-platform-{name}-deploy"


def key_inputs(name: str) -> dict[str, Any]:
    inputs = stack(name).one(KEY).inputs
    assert isinstance(inputs, dict)
    return inputs


def policy(name: str) -> dict[str, Any]:
    document = json.loads(key_inputs(name)["policy"])
    assert isinstance(document, dict)
    return document


def _cluster(**overrides: Any) -> SynthResult:
    from components.cluster import EksCluster

    return run(lambda: EksCluster("test", cluster_args(**overrides)))


# -- the policy's shape -----------------------------------------------------------------------


def test_the_secrets_key_policy_names_administrators_and_guards_deletion() -> None:
    """The policy's shape; tests/cluster/test_secrets_key.py evaluates who may do what."""
    admin = "arn:aws:iam::123456789012:role/KeyAdmin"
    glass = "arn:aws:iam::123456789012:role/BreakGlass"
    result = _cluster(
        secrets_encryption=True,
        kms_key_administrators={"keys": admin},
        kms_break_glass_principal_arn=glass,
    )
    key = result.one("aws:kms/key:Key")
    policy = doc(key, "policy")
    by_sid = {s["Sid"]: s for s in policy["Statement"]}
    assert by_sid["Administrators"]["Principal"]["AWS"] == [admin]
    assert by_sid["BreakGlass"]["Principal"]["AWS"] == glass
    assert by_sid["AccountRootRecovers"]["Principal"]["AWS"] == "arn:aws:iam::123456789012:root"
    role_arn = f"arn:aws:iam::123456789012:role/{result.one('aws:iam/role:Role', 'test-cluster').inputs['name']}"
    assert by_sid["ClusterUsesTheKey"]["Principal"]["AWS"] == role_arn
    deny = by_sid["OnlyBreakGlassDisablesDeletesOrRewritesPolicy"]
    assert deny["Effect"] == "Deny" and set(deny["Action"]) == {
        "kms:ScheduleKeyDeletion",
        "kms:DisableKey",
        "kms:PutKeyPolicy",
    }
    assert deny["Condition"] == {
        "ArnNotEquals": {"aws:PrincipalArn": [glass, "arn:aws:iam::123456789012:root"]}
    }
    assert key.inputs["bypassPolicyLockoutSafetyCheck"] is True
    assert key.inputs["deletionWindowInDays"] == 30
    # Without a break-glass principal: no Deny, a 7-day window, no bypass.
    unguarded = _cluster(secrets_encryption=True, kms_key_administrators={"keys": admin})
    plain = unguarded.one("aws:kms/key:Key")
    assert all(s["Effect"] == "Allow" for s in doc(plain, "policy")["Statement"])
    assert plain.inputs["deletionWindowInDays"] == 7
    assert "bypassPolicyLockoutSafetyCheck" not in plain.inputs
    # The cluster runs as the role the key policy names (the mock's role id is its name) and
    # encrypts with the key this policy belongs to.
    eks = result.one("eks:index:Cluster")
    assert eks.inputs["serviceRole"] == role_arn.rsplit("/", 1)[1]
    assert depends_on(result, eks, key)
    assert eks.inputs["encryptionConfigKeyArn"].startswith("arn:aws:kms:us-west-2:")


# -- staging: the administrators may delete the key, so the stack can be destroyed -------------


def test_staging_the_deployer_may_delete_and_disable_the_key() -> None:
    doc = policy("staging")
    for admin in (deployer("staging"), PLATFORM):
        for action in GUARDED:
            assert decide(doc, admin, action) == "allow", (admin, action)
    assert not [s for s in doc["Statement"] if s["Effect"] == "Deny"]


def test_staging_deletes_after_seven_days_and_needs_no_lockout_bypass() -> None:
    inputs = key_inputs("staging")
    assert inputs["deletionWindowInDays"] == 7
    assert not inputs.get("bypassPolicyLockoutSafetyCheck")
    # The deploy role creates the key and may change its policy afterwards: KMS's check passes.
    assert passes_lockout_check(policy("staging"), deployer("staging"))


# -- prod: only the break-glass principal (and the root user) ---------------------------------


@pytest.mark.parametrize("action", GUARDED)
def test_prod_no_administrator_may_delete_disable_or_repolicy_the_key(action: str) -> None:
    doc = policy("prod")
    for admin in (deployer("prod"), PLATFORM):
        # Denied outright: neither the key policy nor any IAM policy can allow it.
        assert decide(doc, admin, action, iam_allows=True) == "deny", (admin, action)
        assert decide(doc, admin, action, iam_allows=True, recreated=True) == "deny"


@pytest.mark.parametrize("action", GUARDED)
def test_prod_the_break_glass_principal_may(action: str) -> None:
    doc = policy("prod")
    assert decide(doc, BREAK_GLASS, action) == "allow"
    # Re-created (a new unique id), its own statement no longer matches; it keeps its
    # exemption (the Deny compares ARNs), so with an IAM policy it may PutKeyPolicy through the
    # account root, and so restore its statement (and with it everything else).
    expected = "allow" if action == "kms:PutKeyPolicy" else "implicit-deny"
    assert decide(doc, BREAK_GLASS, action, recreated=True, iam_allows=True) == expected
    assert decide(doc, BREAK_GLASS, action, recreated=True) == "implicit-deny"


def test_prod_administrators_still_administer_everything_else() -> None:
    doc = policy("prod")
    for action in ("kms:EnableKeyRotation", "kms:TagResource", "kms:GetKeyPolicy"):
        assert may(doc, deployer("prod"), action), action
    assert may(doc, PLATFORM, "kms:CancelKeyDeletion")


def test_prod_the_root_user_can_recover_the_key() -> None:
    doc = policy("prod")
    assert may(doc, ROOT_USER, "kms:PutKeyPolicy")
    assert may(doc, ROOT_USER, "kms:GetKeyPolicy")
    # Recovery only: the root statement uses no key material and deletes nothing by itself.
    for action in ("kms:Decrypt", "kms:ScheduleKeyDeletion", "kms:CreateGrant"):
        assert not may(doc, ROOT_USER, action), action


def test_prod_bypasses_the_lockout_check_because_the_deployer_cannot_repolicy() -> None:
    inputs = key_inputs("prod")
    assert inputs["bypassPolicyLockoutSafetyCheck"] is True
    assert inputs["deletionWindowInDays"] == 30
    doc = policy("prod")
    # Without the bypass KMS would refuse the deploy role's CreateKey; the key stays
    # manageable by the two principals the Deny exempts.
    assert not passes_lockout_check(doc, deployer("prod"))
    assert passes_lockout_check(doc, BREAK_GLASS)
    assert passes_lockout_check(doc, ROOT_USER)


# -- both: recovery when administrator roles are re-created, the cluster's use ----------------


@pytest.mark.parametrize("name", ["staging", "prod"])
def test_a_recreated_administrator_role_recovers_through_the_account(name: str) -> None:
    doc = policy(name)
    admin = deployer(name)
    # The old statement names the deleted role's unique id: it no longer matches...
    assert not may(doc, admin, "kms:TagResource", recreated=True, iam_allows=True)
    assert not may(doc, admin, "kms:PutKeyPolicy", recreated=True)
    # ...but the account root's statement lets an IAM policy grant PutKeyPolicy again (in
    # prod only to the break-glass principal and the root user: tested above).
    expected = name == "staging"
    assert may(doc, admin, "kms:PutKeyPolicy", recreated=True, iam_allows=True) is expected


@pytest.mark.parametrize("name", ["staging", "prod"])
def test_the_cluster_role_uses_the_key_and_manages_nothing(name: str) -> None:
    doc = policy(name)
    (user,) = [s for s in doc["Statement"] if s["Sid"] == "ClusterUsesTheKey"]
    role = user["Principal"]["AWS"]
    assert may(doc, role, "kms:Decrypt") and may(doc, role, "kms:GenerateDataKey")
    grant = {"kms:GrantIsForAWSResource": "true"}
    assert may(doc, role, "kms:CreateGrant", context=grant)
    assert not may(doc, role, "kms:CreateGrant")
    for action in (*GUARDED, "kms:CancelKeyDeletion"):
        assert not may(doc, role, action), action


# -- real actions, accepted by KMS -----------------------------------------------------------


@pytest.mark.parametrize("name", ["staging", "prod"])
def test_every_action_of_the_key_policy_exists(name: str) -> None:
    actions = {a for s in policy(name)["Statement"] for a in s["Action"]}
    assert not [p for p in map(_action_problem, sorted(actions)) if p]


@functools.cache
def moto_kms() -> Any:
    """A KMS client for moto, created once per process (~0.1 s each); used only inside
    ``mock_aws()``. ``moto`` is imported first so that its hook is registered for the client;
    credentials, region and endpoint are explicit and no profile is read, so nothing in the
    environment can point it at a real account (as ``tests.oracles.iam_validation``'s IAM
    client)."""
    import botocore.session
    import moto  # noqa: F401  (registers moto's botocore stubber)

    session = botocore.session.Session(session_vars={"profile": (None, None, None, None)})
    return session.create_client(
        "kms",
        region_name="us-west-2",
        endpoint_url="https://kms.us-west-2.amazonaws.com",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


@pytest.mark.parametrize("name", ["staging", "prod"])
def test_moto_kms_creates_the_key_with_the_policy(name: str) -> None:
    from moto import mock_aws

    inputs = key_inputs(name)
    with mock_aws():
        kms = moto_kms()
        created = kms.create_key(
            Policy=inputs["policy"],
            Description=inputs["description"],
            BypassPolicyLockoutSafetyCheck=bool(inputs.get("bypassPolicyLockoutSafetyCheck")),
        )
        key_id = created["KeyMetadata"]["KeyId"]
        stored = kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"]
        assert json.loads(stored) == json.loads(inputs["policy"])
        # What `pulumi destroy` calls, with the key's window.
        deleted = kms.schedule_key_deletion(
            KeyId=key_id, PendingWindowInDays=inputs["deletionWindowInDays"]
        )
        assert deleted["KeyId"].endswith(key_id)
        state = kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"]
        assert state == "PendingDeletion"


# -- the rules: a protected cluster needs a break-glass principal that is not an admin --------


def test_prod_without_a_break_glass_principal_is_refused_at_load(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (ROOT / "Pulumi.prod.yaml").read_text()
    line = f"    kmsBreakGlassPrincipalArn: {BREAK_GLASS}\n"
    assert line in text
    program = copy_program(tmp_path, "prod", text.replace(line, ""))
    assert main(["--program", str(program), "--stack", "prod"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(
        "error: eks-platform:cluster.kmsBreakGlassPrincipalArn: a protected cluster (deletionProtection) "
        "needs a break-glass principal"
    ), err


def test_the_break_glass_principal_is_not_an_administrator() -> None:
    from components.cluster import EksCluster

    args = cluster_args(
        secrets_encryption=True,
        deletion_protection=True,
        kms_key_administrators={"ops": BREAK_GLASS},
        kms_break_glass_principal_arn=BREAK_GLASS,
    )
    message = refused(lambda: EksCluster("test", args))
    assert "kms_break_glass_principal_arn: " in message
    assert "is also kms_key_administrators['ops']" in message


def test_a_cluster_without_deletion_protection_may_still_guard_its_key() -> None:
    from components.cluster import EksCluster

    result = run(
        lambda: EksCluster(
            "test",
            cluster_args(
                secrets_encryption=True,
                kms_key_administrators={"ops": PLATFORM},
                kms_break_glass_principal_arn=BREAK_GLASS,
            ),
        )
    )
    doc = json.loads(result.one(KEY).inputs["policy"])
    assert decide(doc, PLATFORM, "kms:ScheduleKeyDeletion", iam_allows=True) == "deny"


def test_the_policy_follows_the_partition() -> None:
    doc = secrets_key_policy(ACCOUNT, "arn:aws-cn:iam::1:role/c", BREAK_GLASS, [PLATFORM], "aws-cn")
    (root,) = [s for s in doc["Statement"] if s["Sid"] == "AccountRootRecovers"]
    assert root["Principal"]["AWS"] == f"arn:aws-cn:iam::{ACCOUNT}:root"
    (deny,) = [s for s in doc["Statement"] if s["Effect"] == "Deny"]
    assert (
        f"arn:aws-cn:iam::{ACCOUNT}:root" in deny["Condition"]["ArnNotEquals"]["aws:PrincipalArn"]
    )
