"""The creator's invisible admin entry, removed once a declared entry replaces it (fake EKS API)."""

from __future__ import annotations

import pytest

from components.cluster.access import (
    MANAGED_TAG,
    CreatorNotDeclared,
    _same_principal,
    remove_creator_entry,
)

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
