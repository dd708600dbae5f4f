"""Who may use a cluster's Kubernetes API: access entries, and no invisible admin.

An EKS cluster in authentication mode ``API`` admits an IAM principal only through an access
entry with an access policy associated to it. :class:`AccessEntrySpec` says which principal
gets which policy, cluster-wide or in some namespaces:

============= ===================================== ================================
``policy``    EKS access policy                     scope
============= ===================================== ================================
cluster-admin ``AmazonEKSClusterAdminPolicy``        the cluster
admin         ``AmazonEKSAdminPolicy``               the cluster, or ``namespaces``
edit          ``AmazonEKSEditPolicy``                the cluster, or ``namespaces``
view          ``AmazonEKSViewPolicy``                the cluster, or ``namespaces``
============= ===================================== ================================

**The cluster creator.** EKS makes the identity that creates a cluster a cluster admin
through an access entry of its own (pulumi-eks always asks for it:
``bootstrapClusterCreatorAdminPermissions: true``). That entry is in no code and no preview.
:class:`CreatorAccessRemoval` removes it during the first ``pulumi up``, after checking that
the creating identity is one of the declared entries (which then replaces it, visibly), and
refuses with a clear message when it is not (the deploy would otherwise lose its access).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

import pulumi
import pulumi_aws as aws
from pulumi.dynamic import CreateResult, DiffResult, ResourceProvider, UpdateResult

from .. import aws_context
from .. import validation as v

AccessPolicy = Literal["cluster-admin", "admin", "edit", "view"]
ACCESS_POLICIES: dict[str, str] = {
    "cluster-admin": "AmazonEKSClusterAdminPolicy",
    "admin": "AmazonEKSAdminPolicy",
    "edit": "AmazonEKSEditPolicy",
    "view": "AmazonEKSViewPolicy",
}
MANAGED_TAG = "eks-platform/access-entry"
"""Tag on the access entries this library declares (the creator's bootstrap entry has none)."""


@dataclass(kw_only=True)
class AccessEntrySpec:
    """An IAM principal's access to the cluster's Kubernetes API."""

    principal_arn: pulumi.Input[str]
    """The IAM role or user, e.g. ``arn:aws:iam::111122223333:role/PlatformAdmin``."""
    policy: AccessPolicy = "view"
    """``cluster-admin``, ``admin``, ``edit`` or ``view`` (the EKS access policies
    ``AmazonEKSClusterAdminPolicy``, ``AmazonEKSAdminPolicy``, ``AmazonEKSEditPolicy``,
    ``AmazonEKSViewPolicy``)."""
    namespaces: list[str] = field(default_factory=list)
    """Limit ``admin``, ``edit`` or ``view`` to these namespaces; empty: the whole cluster."""


def validate_access_entries(entries: Mapping[str, AccessEntrySpec], field_name: str) -> None:
    """Check the entries; errors name ``<field_name>['<key>'].<field>``."""
    principals: list[str] = []
    for key, entry in entries.items():
        v.resource_key(key, field_name)
        where = f"{field_name}[{key!r}]"
        if isinstance(entry.principal_arn, str):
            v.iam_principal_arn(entry.principal_arn, f"{where}.principal_arn")
            principals.append(entry.principal_arn)
        v.one_of(entry.policy, ACCESS_POLICIES, f"{where}.policy")
        v.require(
            not (entry.policy == "cluster-admin" and entry.namespaces),
            f"{where}.namespaces",
            "cluster-admin is cluster-wide; use admin, edit or view for namespaces",
        )
        for i, namespace in enumerate(entry.namespaces):
            v.dns_label(namespace, f"{where}.namespaces[{i}]", "namespace")
    v.unique(principals, field_name, "principal (one access entry per principal)")


def create_access_entries(
    name: str,
    *,
    cluster_name: pulumi.Input[str],
    entries: Mapping[str, AccessEntrySpec],
    principals: Mapping[str, pulumi.Input[str]],
    remove_creator_admin: bool,
    tags: dict[str, str],
    parent: pulumi.Resource,
) -> list[pulumi.Resource]:
    """The declared access entries (``<name>-access-<key>``), each with its access policy and
    scope, children of ``parent``; first, once, the creator's undeclared entry goes
    (:class:`CreatorAccessRemoval`, when ``remove_creator_admin``). ``principals`` are the
    entries' principal ARNs, checked. Returns every resource made."""
    created: list[pulumi.Resource] = []
    first: list[pulumi.Resource] = []
    if remove_creator_admin:
        removal = CreatorAccessRemoval(
            f"{name}-creator-access",
            cluster_name=cluster_name,
            region=aws_context.region(),
            declared_principals=list(principals.values()),
            opts=pulumi.ResourceOptions(parent=parent),
        )
        first = [removal]
        created.append(removal)
    partition = aws_context.partition()
    for key, spec in entries.items():
        entry_name = f"{name}-access-{key}"
        entry = aws.eks.AccessEntry(
            entry_name,
            cluster_name=cluster_name,
            principal_arn=principals[key],
            type="STANDARD",
            tags={**tags, MANAGED_TAG: key},
            opts=pulumi.ResourceOptions(parent=parent, depends_on=first),
        )
        association = aws.eks.AccessPolicyAssociation(
            entry_name,
            cluster_name=cluster_name,
            principal_arn=entry.principal_arn,
            policy_arn=pulumi.Output.concat(
                "arn:", partition, f":eks::aws:cluster-access-policy/{ACCESS_POLICIES[spec.policy]}"
            ),
            access_scope=aws.eks.AccessPolicyAssociationAccessScopeArgs(
                type="namespace", namespaces=list(spec.namespaces)
            )
            if spec.namespaces
            else aws.eks.AccessPolicyAssociationAccessScopeArgs(type="cluster"),
            opts=pulumi.ResourceOptions(parent=parent),
        )
        created += [entry, association]
    return created


# -- the creator's bootstrap entry ----------------------------------------------------------------


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
    def __init__(self, region: str) -> None:
        import boto3

        self._client = boto3.client("eks", region_name=region)
        self._sts = boto3.client("sts", region_name=region)

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


class _Provider(ResourceProvider):
    """The work happens once, on create (the first ``pulumi up`` after the cluster exists)."""

    def create(self, props: dict[str, Any]) -> CreateResult:
        eks = _Eks(props["region"])
        removed = remove_creator_entry(
            eks, props["clusterName"], eks.caller(), list(props["declaredPrincipals"])
        )
        return CreateResult(
            id_=f"{props['clusterName']}-creator-access", outs={**props, "removed": removed}
        )

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = [k for k in news if olds.get(k) != news.get(k)]
        return DiffResult(changes=bool(changed), replaces=[], delete_before_replace=False)

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(outs={**news, "removed": olds.get("removed", [])})


class CreatorAccessRemoval(pulumi.dynamic.Resource):
    """Removes the access entry EKS gave the cluster's creator, once, on the first ``pulumi up``."""

    def __init__(
        self,
        name: str,
        *,
        cluster_name: pulumi.Input[str],
        region: pulumi.Input[str],
        declared_principals: Sequence[pulumi.Input[str]],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(
            _Provider(),
            name,
            {
                "clusterName": cluster_name,
                "region": region,
                "declaredPrincipals": list(declared_principals),
                "removed": None,
            },
            opts,
        )
