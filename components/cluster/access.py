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
:class:`CreatorAccessRemoval` removes it during the first ``pulumi up`` of each cluster (it is
replaced when the cluster is), after checking that the creating identity is one of the declared
entries (which then replaces it, visibly) and that this entry is ``cluster-admin`` on the whole
cluster; it refuses with a clear message otherwise (the deploy would lose its access, or its
admin, halfway through ``up``). :func:`check_deployer_entry` makes the second check before
anything is registered when the principals are known. The provider's code is in
:mod:`.creator_access`.

**Replacing an association.** EKS keys an access-policy association by cluster, principal and
policy; terraform-provider-aws (``internal/service/eks/access_policy_association.go``) marks
``access_scope`` (``type``, ``namespaces``), ``policy_arn``, ``principal_arn`` and
``cluster_name`` ``ForceNew``. A new scope keeps the same key: created before the old one is
deleted, the create would update the existing association and the delete then
(``DisassociateAccessPolicy``) remove it, access gone without an error. The associations are
therefore replaced delete-first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import pulumi
import pulumi_aws as aws

from .. import aws_context
from .. import validation as v
from .creator_access import (
    MANAGED_TAG,
    CreatorNotDeclared,
    DeployerNotAdmin,
    EksAccessApi,
    _Provider,
    _same_principal,
    deployer_problem,
    remove_creator_entry,
)

__all__ = [
    "ACCESS_POLICIES",
    "MANAGED_TAG",
    "AccessEntrySpec",
    "CreatorAccessRemoval",
    "CreatorNotDeclared",
    "DeployerNotAdmin",
    "EksAccessApi",
    "_Provider",
    "_same_principal",
    "check_deployer_entry",
    "create_access_entries",
    "remove_creator_entry",
    "validate_access_entries",
]

AccessPolicy = Literal["cluster-admin", "admin", "edit", "view"]
ACCESS_POLICIES: dict[str, str] = {
    "cluster-admin": "AmazonEKSClusterAdminPolicy",
    "admin": "AmazonEKSAdminPolicy",
    "edit": "AmazonEKSEditPolicy",
    "view": "AmazonEKSViewPolicy",
}
ASSOCIATION_REPLACED_BY = ["accessScope", "policyArn", "principalArn", "clusterName"]
"""What replaces an ``aws.eks.AccessPolicyAssociation`` (``ForceNew`` upstream, see above)."""


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


def _entry(key: str, spec: AccessEntrySpec, principal: Any) -> dict[str, Any]:
    return {
        "key": key,
        "principalArn": principal,
        "policy": spec.policy,
        "namespaces": list(spec.namespaces),
    }


def _aws_invoke_options(opts: pulumi.ResourceOptions | None) -> pulumi.InvokeOptions | None:
    """Invoke options for the aws provider a component with ``opts`` will use."""
    if opts is None:
        return None
    provider = opts.provider if getattr(opts.provider, "package", None) == "aws" else None
    providers = opts.providers
    if isinstance(providers, Mapping):
        provider = providers.get("aws", provider)
    elif providers:
        provider = next((p for p in providers if getattr(p, "package", None) == "aws"), provider)
    return pulumi.InvokeOptions(parent=opts.parent, provider=provider)


def check_deployer_entry(
    entries: Mapping[str, AccessEntrySpec],
    field_name: str,
    opts: pulumi.ResourceOptions | None = None,
) -> None:
    """Refuse, before anything is registered, a declared entry for the identity running
    ``pulumi up`` that is not ``cluster-admin`` on the whole cluster: it would replace the
    creator's admin entry and leave the deploy without admin halfway through ``up``. Entries
    whose principal is an Output are checked by the provider at create.

    Only where the program deploys: a preview may run as a read-only identity that is
    rightly declared ``view`` (the CI preview role), so a preview only warns."""
    known = [
        _entry(key, spec, spec.principal_arn)
        for key, spec in entries.items()
        if isinstance(spec.principal_arn, str)
    ]
    if not known:
        return
    try:
        caller = aws.get_caller_identity(opts=_aws_invoke_options(opts)).arn
    except Exception:  # no credentials or provider yet: the provider checks at create
        return
    problem = deployer_problem(caller, known)
    if problem:
        key, why = problem
        if pulumi.runtime.is_dry_run():
            pulumi.log.warn(f"{field_name}[{key!r}].policy: {why}; pulumi up will refuse it")
            return
        raise v.fail(f"{field_name}[{key!r}].policy", why)


def create_access_entries(
    name: str,
    *,
    cluster_name: pulumi.Input[str],
    cluster_identity: pulumi.Input[str],
    entries: Mapping[str, AccessEntrySpec],
    principals: Mapping[str, pulumi.Input[str]],
    remove_creator_admin: bool,
    tags: dict[str, str],
    parent: pulumi.Resource,
) -> list[pulumi.Resource]:
    """The declared access entries (``<name>-access-<key>``), each with its access policy and
    scope, children of ``parent``; first, once per cluster (``cluster_identity``), the
    creator's undeclared entry goes (:class:`CreatorAccessRemoval`, when
    ``remove_creator_admin``). ``principals`` are the entries' principal ARNs, checked. Returns
    every resource made."""
    created: list[pulumi.Resource] = []
    first: list[pulumi.Resource] = []
    if remove_creator_admin:
        removal = CreatorAccessRemoval(
            f"{name}-creator-access",
            cluster_name=cluster_name,
            cluster_identity=cluster_identity,
            region=aws.get_region_output(opts=pulumi.InvokeOutputOptions(parent=parent)).region,
            declared_principals=list(principals.values()),
            declared_entries=[_entry(k, spec, principals[k]) for k, spec in entries.items()],
            opts=pulumi.ResourceOptions(parent=parent),
        )
        first = [removal]
        created.append(removal)
    partition = aws_context.partition(parent.get_provider("aws:index:provider"))
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
            # Delete-first: a new scope keeps the association's key (see the module).
            opts=pulumi.ResourceOptions(
                parent=parent,
                delete_before_replace=True,
                replace_on_changes=ASSOCIATION_REPLACED_BY,
            ),
        )
        created += [entry, association]
    return created


# -- the creator's bootstrap entry ----------------------------------------------------------------


class CreatorAccessRemoval(pulumi.dynamic.Resource):
    """Removes the access entry EKS gave the cluster's creator, once per cluster, on the
    ``pulumi up`` that creates it (:mod:`.creator_access`)."""

    def __init__(
        self,
        name: str,
        *,
        cluster_name: pulumi.Input[str],
        cluster_identity: pulumi.Input[str],
        region: pulumi.Input[str],
        declared_principals: Sequence[pulumi.Input[str]],
        declared_entries: Sequence[Mapping[str, Any]],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(
            _Provider(),
            name,
            {
                "clusterName": cluster_name,
                "clusterIdentity": cluster_identity,
                "region": region,
                "declaredPrincipals": list(declared_principals),
                "declaredEntries": [dict(e) for e in declared_entries],
                "removed": None,
            },
            opts,
        )
