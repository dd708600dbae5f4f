"""The creator's invisible admin entry, removed once a declared entry replaces it (fake EKS API);
the deployer stays cluster-admin; a replaced cluster loses its own; associations replaced
delete-first. Through the real provider host: ``tests/dynamic/test_host.py``."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest

from components.cluster import EksCluster
from components.cluster.access import AccessEntrySpec
from components.cluster.creator_access import (
    MANAGED_TAG,
    CreatorNotDeclared,
    DeployerNotAdmin,
    _Provider,
    _same_principal,
    deployer_problem,
    remove_creator_entry,
)
from tests.support import ADMIN_ARN, cluster_args, default_cluster, refused, run

DEPLOY = "arn:aws:iam::123456789012:role/ci/eks-platform-dev-deploy"
ADMIN = "arn:aws:iam::123456789012:role/PlatformAdmin"
SESSION = "arn:aws:sts::123456789012:assumed-role/eks-platform-dev-deploy/GitHubActions"


class FakeEks:
    def __init__(self, entries: dict[str, dict[str, str]]) -> None:
        self.entries = entries
        self.deleted: list[str] = []

    def access_entries(self, cluster: str) -> list[str]:
        assert cluster == "dev-eks"
        return list(self.entries)

    def tags(self, cluster: str, principal_arn: str) -> dict[str, str]:
        return self.entries[principal_arn]

    def delete(self, cluster: str, principal_arn: str) -> None:
        self.deleted.append(principal_arn)
        del self.entries[principal_arn]


def test_the_creators_bootstrap_entry_goes_when_the_creator_is_declared() -> None:
    node_role = "arn:aws:iam::123456789012:role/dev-eks-general-node"
    eks = FakeEks({DEPLOY: {}, ADMIN: {MANAGED_TAG: "platform"}, node_role: {}})
    assert remove_creator_entry(eks, "dev-eks", SESSION, [DEPLOY, ADMIN]) == [DEPLOY]
    assert set(eks.entries) == {ADMIN, node_role}  # nothing else is touched


def test_an_undeclared_creator_is_refused_and_nothing_is_deleted() -> None:
    eks = FakeEks({DEPLOY: {}})
    with pytest.raises(CreatorNotDeclared, match="has no declared access entry.*accessEntries"):
        remove_creator_entry(eks, "dev-eks", SESSION, [ADMIN])
    assert eks.deleted == []


def test_an_entry_this_library_declared_is_never_removed() -> None:
    eks = FakeEks({DEPLOY: {MANAGED_TAG: "deploy"}})
    assert remove_creator_entry(eks, "dev-eks", SESSION, [DEPLOY]) == []


@pytest.mark.parametrize(
    ("caller", "principal", "same"),
    [
        (SESSION, DEPLOY, True),  # the session's role, whatever its path
        (SESSION, "arn:aws:iam::123456789012:role/eks-platform-dev-deploy-2", False),
        (SESSION, "arn:aws:iam::210987654321:role/eks-platform-dev-deploy", False),
        ("arn:aws:iam::123456789012:user/alice", "arn:aws:iam::123456789012:user/alice", True),
        ("arn:aws:iam::123456789012:user/alice", "arn:aws:iam::123456789012:user/bob", False),
    ],
)
def test_who_the_caller_is(caller: str, principal: str, same: bool) -> None:
    assert _same_principal(caller, principal) is same


# ------------------------------------------------------------ the deployer stays cluster-admin

SYNTH_CALLER = "arn:aws:iam::123456789012:user/synth"
"""Who the synth's mocks say runs ``pulumi up`` (``aws.get_caller_identity``)."""


@pytest.mark.parametrize(
    ("entry", "said"),
    [
        (
            AccessEntrySpec(principal_arn=SYNTH_CALLER, policy="view"),
            "declared with view on the cluster",
        ),
        (
            AccessEntrySpec(principal_arn=SYNTH_CALLER, policy="admin", namespaces=["ci"]),
            "declared with admin on namespaces ci",
        ),
    ],
)
def test_a_deployer_declared_below_cluster_admin_is_refused_before_registration(
    entry: AccessEntrySpec, said: str
) -> None:
    entries = {
        "platform": AccessEntrySpec(principal_arn=ADMIN_ARN, policy="cluster-admin"),
        "ci": entry,
    }
    message = refused(lambda: EksCluster("test", cluster_args(access_entries=entries)))
    assert message.startswith(
        "EksCluster 'test': access_entries['ci'].policy: this is the identity running pulumi up "
        f"({SYNTH_CALLER}), {said}: it must be cluster-admin without namespaces"
    )
    assert "lose admin halfway through pulumi up" in message


def test_a_preview_by_a_role_declared_view_is_not_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CI preview role is declared view and runs pulumi preview: only warned."""
    entries = {"ci-preview": AccessEntrySpec(principal_arn=SYNTH_CALLER, policy="view")}
    monkeypatch.setattr(pulumi.runtime, "is_dry_run", lambda: True)
    run(lambda: EksCluster("test", cluster_args(access_entries=entries)))


def test_a_deployer_declared_cluster_admin_is_accepted() -> None:
    entries = {"ci": AccessEntrySpec(principal_arn=SYNTH_CALLER, policy="cluster-admin")}
    run(lambda: EksCluster("test", cluster_args(access_entries=entries)))


@pytest.mark.parametrize(
    ("entries", "problem"),
    [
        (
            [{"key": "ci", "principalArn": DEPLOY, "policy": "cluster-admin", "namespaces": []}],
            None,
        ),
        ([{"key": "ci", "principalArn": DEPLOY, "policy": "edit", "namespaces": []}], "ci"),
        ([{"key": "ci", "principalArn": DEPLOY, "policy": "view", "namespaces": ["a"]}], "ci"),
        ([{"key": "admins", "principalArn": ADMIN, "policy": "view", "namespaces": []}], None),
    ],
)
def test_who_counts_as_the_deployer(entries: list[dict[str, Any]], problem: str | None) -> None:
    found = deployer_problem(SESSION, entries)  # an assumed-role session of DEPLOY
    assert (found[0] if found else None) == problem


class FakeProvider(_Provider):
    def __init__(self, eks: FakeEks, caller: str) -> None:
        super().__init__()
        self.fake = eks
        self.fake.caller = lambda: caller  # type: ignore[attr-defined]

    def eks(self, props: dict[str, Any]) -> Any:
        return self.fake


def removal_props(**changes: Any) -> dict[str, Any]:
    return {
        "clusterName": "dev-eks",
        "clusterIdentity": "https://oidc.eks.us-west-2.amazonaws.com/id/AAAA",
        "region": "us-west-2",
        "declaredPrincipals": [DEPLOY, ADMIN],
        "declaredEntries": [
            {"key": "deploy", "principalArn": DEPLOY, "policy": "cluster-admin", "namespaces": []},
            {"key": "admin", "principalArn": ADMIN, "policy": "cluster-admin", "namespaces": []},
        ],
        "removed": None,
        **changes,
    }


def test_a_principal_known_only_at_deploy_time_is_checked_by_the_provider() -> None:
    eks = FakeEks({DEPLOY: {}})
    demoted = removal_props(
        declaredEntries=[
            {"key": "deploy", "principalArn": DEPLOY, "policy": "view", "namespaces": []}
        ]
    )
    with pytest.raises(DeployerNotAdmin, match=r"accessEntries\['deploy'\]: .*declared with view"):
        FakeProvider(eks, SESSION).create(demoted)
    assert eks.deleted == []
    created = FakeProvider(eks, SESSION).create(removal_props())
    outs = created.outs or {}
    assert outs["removed"] == [DEPLOY]
    with pytest.raises(DeployerNotAdmin):  # a later demotion is refused at update too
        FakeProvider(eks, SESSION).update(created.id, outs, demoted)


@pytest.mark.parametrize(
    ("change", "replaces"),
    [
        ({"clusterName": "dev-eks-2"}, ["clusterName"]),  # a renamed cluster
        (
            {"clusterIdentity": "https://oidc.eks.us-west-2.amazonaws.com/id/BBBB"},
            ["clusterIdentity"],
        ),
        ({"declaredPrincipals": [DEPLOY]}, []),  # an update: nothing to remove again
    ],
)
def test_another_cluster_replaces_the_removal_so_its_bootstrap_entry_goes_too(
    change: dict[str, Any], replaces: list[str]
) -> None:
    provider = FakeProvider(FakeEks({}), SESSION)
    olds = {**removal_props(), "removed": [DEPLOY]}  # outputs carry what was removed
    diff = provider.diff("dev-eks-creator-access", olds, removal_props(**change))
    assert diff.changes and diff.replaces == replaces
    same = provider.diff("dev-eks-creator-access", olds, removal_props())
    assert not same.changes


def test_a_state_without_the_cluster_identity_records_it_without_a_replacement() -> None:
    olds = {
        k: v for k, v in removal_props().items() if k not in ("clusterIdentity", "declaredEntries")
    }
    diff = FakeProvider(FakeEks({}), SESSION).diff("x", olds, removal_props())
    assert diff.changes and diff.replaces == []


def test_the_removal_follows_the_clusters_identity_and_declared_entries() -> None:
    """The identity is the cluster's OIDC issuer: EKS gives every cluster it creates a new one,
    even under the same name."""
    result = default_cluster()  # EksCluster("test", cluster_args())
    (removal,) = [
        r
        for r in result.by_type("pulumi-python:dynamic:Resource")
        if r.name == "test-creator-access"
    ]
    (trust,) = result.by_type("aws:iam/openIdConnectProvider:OpenIdConnectProvider")
    assert removal.inputs["clusterIdentity"] == trust.inputs["url"]
    assert removal.inputs["declaredEntries"] == [
        {"key": "platform", "principalArn": ADMIN_ARN, "policy": "cluster-admin", "namespaces": []}
    ]


def test_policy_associations_are_replaced_delete_first() -> None:
    """terraform-provider-aws internal/service/eks/access_policy_association.go: access_scope
    (type, namespaces), policy_arn, principal_arn and cluster_name are ForceNew; the id
    (cluster#principal#policy) stays the same for a new scope, so create-before-delete would
    leave the delete's DisassociateAccessPolicy removing the new association."""
    import pulumi_aws as aws

    seen: list[pulumi.ResourceOptions] = []
    original = aws.eks.AccessPolicyAssociation.__init__

    def spy(self: Any, resource_name: str, *args: Any, **kwargs: Any) -> None:
        seen.append(kwargs["opts"])
        original(self, resource_name, *args, **kwargs)

    entries = {
        "platform": AccessEntrySpec(principal_arn=ADMIN_ARN, policy="cluster-admin"),
        "team": AccessEntrySpec(
            principal_arn=DEPLOY.replace("ci/eks-platform-dev-deploy", "TeamA"),
            policy="edit",
            namespaces=["a"],
        ),
    }
    aws.eks.AccessPolicyAssociation.__init__ = spy
    try:
        run(lambda: EksCluster("test", cluster_args(access_entries=entries)))
    finally:
        aws.eks.AccessPolicyAssociation.__init__ = original
    assert len(seen) == 2
    for opts in seen:
        assert opts.delete_before_replace is True
        assert set(opts.replace_on_changes or []) == {
            "accessScope",
            "policyArn",
            "principalArn",
            "clusterName",
        }
