"""The cluster creator's bootstrap access entry, removed once a declared entry replaces it.

EKS makes the identity that creates a cluster a cluster admin through an access entry of its own
(pulumi-eks always asks for it: ``bootstrapClusterCreatorAdminPermissions: true``); no code and
no preview shows it. :class:`_Provider` (the resource is
:class:`~components.cluster.access.CreatorAccessRemoval`) removes it on *create*, as the stack's
AWS identity (:mod:`components.dynamic.aws`), after two checks:

* the identity running ``pulumi up`` has a declared entry (:class:`CreatorNotDeclared`
  otherwise: the deploy would lose its access);
* that entry is ``cluster-admin`` on the whole cluster (:class:`DeployerNotAdmin` otherwise: the
  deploy would lose admin halfway through ``up``, and the Helm releases after it get 403). The
  component refuses this before anything is registered when the principals are known; the
  provider refuses it at create and at update when they are known only at deploy time.

It is replaced, and so runs again, when the cluster changes: its name, or ``clusterIdentity``
(the cluster's OIDC issuer, new for every cluster EKS creates, even under the same name), so a
replaced cluster loses its own bootstrap entry too.

This module is what the provider host loads: the standard library, ``pulumi``, ``boto3`` and
:mod:`components.dynamic` only.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from pulumi.dynamic import CreateResult, DiffResult, UpdateResult

from ..dynamic.provider import AwsProvider, changed_keys

MANAGED_TAG = "eks-platform/access-entry"
"""Tag on the access entries this library declares (the creator's bootstrap entry has none)."""
CLUSTER_ADMIN = "cluster-admin"
REPLACE_ON = ("clusterName", "clusterIdentity")
"""Inputs whose change means another cluster: the removal is replaced (runs again)."""


class EksAccessApi(Protocol):
    """What the removal needs of the EKS API."""

    def access_entries(self, cluster: str) -> list[str]:
        """Principal ARNs of the cluster's access entries."""
        ...

    def tags(self, cluster: str, principal_arn: str) -> dict[str, str]:
        """The tags of one access entry."""
        ...

    def delete(self, cluster: str, principal_arn: str) -> None:
        """Delete one access entry."""
        ...


class CreatorNotDeclared(Exception):
    """The identity running ``pulumi up`` would lose its access: it is not a declared entry."""


class DeployerNotAdmin(Exception):
    """The identity running ``pulumi up`` is declared with less than cluster-admin."""


def _same_principal(caller_arn: str, principal_arn: str) -> bool:
    """Whether ``principal_arn`` (an IAM role/user ARN) is the identity ``caller_arn`` (from
    ``sts:GetCallerIdentity``: a user ARN, or an assumed-role session ARN without the role's path)."""
    if ":assumed-role/" in caller_arn:
        account = caller_arn.split(":")[4]
        role = caller_arn.split(":assumed-role/", 1)[1].split("/")[0]
        return (
            principal_arn.split(":")[4] == account
            and ":role/" in principal_arn
            and principal_arn.rsplit("/", 1)[-1] == role
        )
    return caller_arn == principal_arn


def deployer_problem(caller_arn: str, entries: Sequence[dict[str, Any]]) -> tuple[str, str] | None:
    """``(key, why)`` when the caller's declared entry is not cluster-admin on the whole cluster;
    None when it is, or when the caller has no entry among ``entries`` (``key``,
    ``principalArn``, ``policy``, ``namespaces``)."""
    for entry in entries:
        principal = entry.get("principalArn")
        if not isinstance(principal, str) or not _same_principal(caller_arn, principal):
            continue
        policy, namespaces = entry.get("policy"), list(entry.get("namespaces") or [])
        if policy == CLUSTER_ADMIN and not namespaces:
            return None
        scope = f"namespaces {', '.join(namespaces)}" if namespaces else "the cluster"
        return str(entry.get("key")), (
            f"this is the identity running pulumi up ({caller_arn}), declared with {policy} on "
            f"{scope}: it must be cluster-admin without namespaces, or it would lose admin "
            "halfway through pulumi up once this entry replaces the one EKS gave the cluster's "
            "creator (the Helm releases and Kubernetes objects after it would get 403)"
        )
    return None


def remove_creator_entry(
    eks: EksAccessApi, cluster: str, caller_arn: str, declared: Sequence[str]
) -> list[str]:
    """Delete the creator's bootstrap entry if the caller is declared; returns what was deleted.

    Raises :class:`CreatorNotDeclared` when the caller has no declared entry (nothing deleted).
    """
    if not any(_same_principal(caller_arn, arn) for arn in declared):
        raise CreatorNotDeclared(
            f"the identity running pulumi up ({caller_arn}) has no declared access entry on "
            f"cluster {cluster!r}: EKS made it an admin when it created the cluster, in an entry "
            "no code shows; add it to accessEntries (policy cluster-admin) so that a declared "
            "entry replaces that one, or set removeCreatorAdmin: false to keep it"
        )
    removed = []
    for principal in eks.access_entries(cluster):
        if _same_principal(caller_arn, principal) and MANAGED_TAG not in eks.tags(
            cluster, principal
        ):
            eks.delete(cluster, principal)
            removed.append(principal)
    return removed


class _Eks:
    """EKS and STS through boto3, with the provider's session."""

    def __init__(self, session: Any, region: str | None) -> None:
        self._client = session.client("eks", region_name=region)
        self._sts = session.client("sts", region_name=region)

    def caller(self) -> str:
        return str(self._sts.get_caller_identity()["Arn"])

    def access_entries(self, cluster: str) -> list[str]:
        pages = self._client.get_paginator("list_access_entries").paginate(clusterName=cluster)
        return [arn for page in pages for arn in page["accessEntries"]]

    def tags(self, cluster: str, principal_arn: str) -> dict[str, str]:
        entry = self._client.describe_access_entry(clusterName=cluster, principalArn=principal_arn)
        return dict(entry["accessEntry"].get("tags") or {})

    def delete(self, cluster: str, principal_arn: str) -> None:
        self._client.delete_access_entry(clusterName=cluster, principalArn=principal_arn)


def _refuse_demotion(caller: str, props: dict[str, Any]) -> None:
    problem = deployer_problem(caller, list(props.get("declaredEntries") or []))
    if problem:
        key, why = problem
        raise DeployerNotAdmin(f"accessEntries[{key!r}]: {why}")


class _Provider(AwsProvider):
    """The work happens on create (the first ``pulumi up`` of each cluster); delete does nothing."""

    def eks(self, props: dict[str, Any]) -> Any:
        return _Eks(self.session(props), self.region(props))

    def create(self, props: dict[str, Any]) -> CreateResult:
        eks = self.eks(props)
        caller = eks.caller()
        _refuse_demotion(caller, props)
        removed = remove_creator_entry(
            eks, props["clusterName"], caller, list(props["declaredPrincipals"])
        )
        return CreateResult(
            id_=f"{props['clusterName']}-creator-access", outs={**props, "removed": removed}
        )

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = changed_keys(olds, news, outputs=("removed",))
        # A state written before clusterIdentity was an input updates (it records it) instead.
        replaces = [k for k in REPLACE_ON if k in changed and olds.get(k) is not None]
        return DiffResult(changes=bool(changed), replaces=replaces, delete_before_replace=False)

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        if news.get("declaredEntries"):
            _refuse_demotion(self.eks(news).caller(), news)
        return UpdateResult(outs={**news, "removed": olds.get("removed", [])})
