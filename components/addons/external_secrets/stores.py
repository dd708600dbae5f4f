"""The stores: the shared ``ClusterSecretStore`` of each backend in use, and each tenant's
IRSA role and namespaced ``SecretStore`` s.

A shared store authenticates as the operator's ServiceAccount (``auth.jwt``, IRSA) or with
the controller pod's own credentials (Pod Identity: no ``auth``); a tenant's store always as
the tenant's ServiceAccount, whose role may read only the tenant's prefixes and paths.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pulumi
import pulumi_kubernetes as k8s

from ...identity.irsa import IrsaRole
from ...identity.workload_identity import WorkloadRoleArgs
from .args import (
    API_VERSION,
    STORE_NAMES,
    ExternalSecretsArgs,
    SecretsTenantSpec,
    labels,
    tenant_namespace,
)
from .iam import read_grants
from .validation import checked_keys

if TYPE_CHECKING:
    from ...identity.cluster_ref import ClusterRef

Stores = dict[str, k8s.apiextensions.CustomResource]
"""Stores by backend (``SecretsManager``, ``ParameterStore``)."""


def enabled_backends(args: ExternalSecretsArgs) -> list[str]:
    """The backends the shared stores serve: Secrets Manager with prefixes (or a push prefix),
    Parameter Store with paths."""
    backends = []
    if args.secret_prefixes or args.push_prefix is not None:
        backends.append("SecretsManager")
    if args.parameter_paths:
        backends.append("ParameterStore")
    return backends


def tenant_backends(tenant: SecretsTenantSpec) -> list[str]:
    """The backends a tenant's SecretStores serve."""
    return [
        backend
        for backend, used in (
            ("SecretsManager", tenant.secret_prefixes),
            ("ParameterStore", tenant.parameter_paths),
        )
        if used
    ]


def store_spec(
    backend: str,
    region: str,
    auth: Mapping[str, Any] | None,
    namespaces: Sequence[str] = (),
) -> dict[str, Any]:
    """``spec`` of a (Cluster)SecretStore of the AWS provider.

    ``auth``: ``{"jwt": {"serviceAccountRef": ...}}`` for IRSA (ESO requests a token for that
    ServiceAccount and assumes the role its ``eks.amazonaws.com/role-arn`` annotation names),
    None for the controller's own credentials (Pod Identity). ``namespaces``: the
    ClusterSecretStore serves only ExternalSecrets of these namespaces (``spec.conditions``).
    """
    aws_provider: dict[str, Any] = {"service": backend, "region": region}
    if auth is not None:
        aws_provider["auth"] = dict(auth)
    spec: dict[str, Any] = {"provider": {"aws": aws_provider}}
    if namespaces:
        spec["conditions"] = [{"namespaces": list(namespaces)}]
    return spec


def _store_spec_output(
    backend: str,
    region: pulumi.Output[str],
    auth: Mapping[str, Any] | None,
    namespaces: Sequence[str] = (),
) -> pulumi.Output[dict[str, Any]]:
    """:func:`store_spec` once the region is known."""
    return region.apply(lambda r: store_spec(backend, r, auth, namespaces))


def cluster_stores(
    name: str,
    args: ExternalSecretsArgs,
    region: pulumi.Output[str],
    opts: pulumi.ResourceOptions,
) -> Stores:
    """The shared ClusterSecretStores, one per backend in use (``opts``: after the release,
    whose CRDs they need)."""
    auth = (
        {
            "jwt": {
                "serviceAccountRef": {
                    "name": args.service_account,
                    "namespace": args.namespace,
                }
            }
        }
        if args.identity == "irsa"
        else None
    )
    stores: Stores = {}
    for backend in enabled_backends(args):
        stores[backend] = k8s.apiextensions.CustomResource(
            f"{name}-{STORE_NAMES[backend]}",
            api_version=API_VERSION,
            kind="ClusterSecretStore",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=STORE_NAMES[backend], labels=labels()),
            spec=_store_spec_output(backend, region, auth, args.store_namespaces),
            opts=opts,
        )
    return stores


def tenant_role(
    name: str,
    key: str,
    tenant: SecretsTenantSpec,
    cluster: ClusterRef,
    owner: str,
    parent: pulumi.Resource,
) -> IrsaRole:
    """Tenant ``key``'s IRSA role and ServiceAccount, which may read only its own prefixes and
    paths (``owner`` names the component in errors about its keys)."""
    return IrsaRole(
        f"{name}-{key}",
        WorkloadRoleArgs(
            cluster=cluster,
            namespace=tenant_namespace(key, tenant),
            service_account=tenant.service_account,
            permissions=read_grants(
                tenant.secret_prefixes,
                tenant.parameter_paths,
                checked_keys(tenant.kms_key_arns, owner),
            ),
            role=tenant.role,
            create_namespace=tenant.create_namespace,
        ),
        opts=pulumi.ResourceOptions(parent=parent),
    )


def tenant_stores(
    name: str,
    key: str,
    tenant: SecretsTenantSpec,
    region: pulumi.Output[str],
    opts: pulumi.ResourceOptions,
) -> Stores:
    """Tenant ``key``'s SecretStores in its namespace, authenticated as its ServiceAccount
    (``opts``: after the release and the tenant's role)."""
    auth = {"jwt": {"serviceAccountRef": {"name": tenant.service_account}}}
    stores: Stores = {}
    for backend in tenant_backends(tenant):
        stores[backend] = k8s.apiextensions.CustomResource(
            f"{name}-{key}-{STORE_NAMES[backend]}",
            api_version=API_VERSION,
            kind="SecretStore",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=STORE_NAMES[backend], namespace=tenant_namespace(key, tenant), labels=labels()
            ),
            spec=_store_spec_output(backend, region, auth),
            opts=opts,
        )
    return stores
