"""The add-on's own rules, beside its args: prefixes, paths and keys of each role, the push
prefix, tenants that never overlap each other nor the shared stores.

:func:`validate_settings` is the one check of the plain (configurable) fields, run by the
component and by the stack configuration before the cluster exists; :func:`validate_cluster`
adds what needs the cluster (its OIDC trust).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pulumi

from ... import validation as v
from ...identity import permissions
from ...identity.iam import validate_role_settings
from ..controller import validate_shared
from .args import ExternalSecretsArgs, SecretsTenantSpec, tenant_namespace
from .chart import MANAGED_VALUES

if TYPE_CHECKING:
    from ...identity.cluster_ref import ClusterRef

_SECRET_PREFIX = re.compile(r"^[A-Za-z0-9/_+=.@-]{1,512}$")


def validate_settings(args: ExternalSecretsArgs) -> None:
    """Check the plain (configurable) fields; a stack can run this before the cluster exists."""
    validate_shared(args, MANAGED_VALUES)
    v.dns_label(args.namespace, "namespace", "namespace")
    v.dns_subdomain(args.service_account, "service_account", "ServiceAccount name")
    _validate_scope(args.secret_prefixes, args.parameter_paths, args.kms_key_arns)
    for i, namespace in enumerate(args.store_namespaces):
        v.dns_label(namespace, f"store_namespaces[{i}]", "namespace")
    v.unique(args.store_namespaces, "store_namespaces", "namespace")
    v.require(
        isinstance(args.stores_for_every_namespace, bool),
        "stores_for_every_namespace",
        "must be true or false",
    )
    v.require(
        not (args.stores_for_every_namespace and args.store_namespaces),
        "stores_for_every_namespace",
        "contradicts store_namespaces (the stores serve only those namespaces): set one",
    )
    if args.push_prefix is not None:
        secret_prefix(args.push_prefix, "push_prefix")
        for prefix in args.secret_prefixes:
            v.require(
                not prefix.startswith(args.push_prefix),
                "push_prefix",
                f"{args.push_prefix!r} contains the read prefix {prefix!r}: PushSecret could "
                "overwrite the secrets ExternalSecrets read; push under a prefix of its own",
            )
    _validate_tenants(args)


def validate_cluster(args: ExternalSecretsArgs, cluster: ClusterRef) -> None:
    """What the cluster must offer: IRSA (for the operator, and for any tenant) needs its OIDC
    trust."""
    if cluster.oidc is None:
        v.require(
            args.identity != "irsa",
            "identity",
            "'irsa' needs the cluster's OIDC trust, and the cluster has none: use "
            "'pod-identity', or reference the cluster with ClusterRef.from_stack / "
            "ClusterRef.existing",
        )
        v.require(
            not args.tenants,
            "tenants",
            "tenants need IRSA (a SecretStore authenticates as the tenant's ServiceAccount "
            "through its role-arn annotation) and the cluster has no OIDC trust; with Pod "
            "Identity ESO would use the controller's own credentials, and every tenant could "
            "read what the controller may",
        )


def secret_prefix(value: Any, field_name: str) -> str:
    """A Secrets Manager name prefix such as ``team-a/``: name characters, ending with ``/``."""
    v.require(
        isinstance(value, str) and bool(_SECRET_PREFIX.match(value)),
        field_name,
        f"{value!r} is not a secret name prefix (1-512 letters, digits and /_+=.@-)",
    )
    v.require(
        value.endswith("/"),
        field_name,
        f"{value!r} must end with '/' (e.g. {value.rstrip('/')}/): without it the prefix "
        f"also matches every secret whose name merely starts the same ({value}-old/...)",
    )
    return str(value)


def prefixes_overlap(a: str, b: str) -> bool:
    """Whether two secret name prefixes match a common secret (one starts with the other)."""
    return a.startswith(b) or b.startswith(a)


def paths_overlap(a: str, b: str) -> bool:
    """Whether two parameter paths cover a common parameter (equal, or one below the other)."""
    return a == b or a.startswith(b + "/") or b.startswith(a + "/")


def checked_keys(arns: Sequence[pulumi.Input[str]], owner: str) -> list[pulumi.Input[str]]:
    """Key ARNs, Outputs checked once known (plain ones were checked by validate_settings)."""
    return [
        v.when_known(arn, _kms_key_arn, f"kms_key_arns[{i}]", owner) for i, arn in enumerate(arns)
    ]


def _kms_key_arn(value: Any, field_name: str) -> None:
    v.kms_key_arn(value, field_name, allow_alias=False)


def _validate_scope(
    secret_prefixes: Sequence[str],
    parameter_paths: Sequence[str],
    kms_key_arns: Sequence[pulumi.Input[str]],
) -> None:
    """Prefixes, paths and keys of one role: valid, unique, and not all empty."""
    for i, prefix in enumerate(secret_prefixes):
        secret_prefix(prefix, f"secret_prefixes[{i}]")
    v.unique(secret_prefixes, "secret_prefixes", "prefix")
    for i, path in enumerate(parameter_paths):
        permissions.parameter_path(path, f"parameter_paths[{i}]")
    v.unique(parameter_paths, "parameter_paths", "path")
    v.require(
        len(secret_prefixes) + len(parameter_paths) > 0,
        "secret_prefixes",
        "give at least one secret name prefix or parameter path (secret_prefixes, "
        "parameter_paths): the role is never allowed every secret",
    )
    plain = [arn for arn in kms_key_arns if isinstance(arn, str)]
    for i, arn in enumerate(kms_key_arns):
        if isinstance(arn, str):
            _kms_key_arn(arn, f"kms_key_arns[{i}]")
    v.unique(plain, "kms_key_arns", "key")


def _validate_tenants(args: ExternalSecretsArgs) -> None:
    """Each tenant: its own namespace, prefixes, paths and role name, overlapping no other's."""
    namespaces: dict[str, str] = {}
    claimed_prefixes: dict[str, str] = dict.fromkeys(args.secret_prefixes, "the shared stores")
    claimed_paths: dict[str, str] = dict.fromkeys(args.parameter_paths, "the shared stores")
    if args.push_prefix is not None:
        claimed_prefixes[args.push_prefix] = "push_prefix"
    role_names: dict[str, str] = {}
    if args.role.name:
        role_names[args.role.name.lower()] = "the operator"
    for key, tenant in args.tenants.items():
        v.resource_key(key, "tenants")
        where = f"tenants[{key!r}]"
        with v.nested(where):
            v.check_fields(tenant, SecretsTenantSpec)
            namespace = tenant_namespace(key, tenant)
            v.dns_label(namespace, "namespace", "namespace (the key, unless namespace is set)")
            v.require(
                namespace != args.namespace,
                "namespace",
                f"{namespace!r} is the operator's namespace; a tenant needs its own",
            )
            v.require(
                namespace not in namespaces,
                "namespace",
                f"{namespace!r} is also tenant {namespaces.get(namespace)!r}'s namespace; "
                "each tenant has its own",
            )
            namespaces[namespace] = key
            v.dns_subdomain(tenant.service_account, "service_account", "ServiceAccount name")
            _validate_scope(tenant.secret_prefixes, tenant.parameter_paths, tenant.kms_key_arns)
            v.require(
                isinstance(tenant.create_namespace, bool),
                "create_namespace",
                "must be true or false",
            )
            with v.nested("role"):
                validate_role_settings(tenant.role)
            for i, prefix in enumerate(tenant.secret_prefixes):
                for other, whose in claimed_prefixes.items():
                    v.require(
                        not prefixes_overlap(prefix, other),
                        f"secret_prefixes[{i}]",
                        f"{prefix!r} overlaps {other!r} of {whose}: a secret matching both "
                        "could be read through either store; give each tenant prefixes of "
                        "its own",
                    )
            for i, path in enumerate(tenant.parameter_paths):
                for other, whose in claimed_paths.items():
                    v.require(
                        not paths_overlap(path, other),
                        f"parameter_paths[{i}]",
                        f"{path!r} overlaps {other!r} of {whose}: a parameter under both "
                        "could be read through either store; give each tenant paths of its own",
                    )
            if tenant.role.name:
                other_role = role_names.get(tenant.role.name.lower())
                v.require(
                    other_role is None,
                    "role.name",
                    f"{tenant.role.name!r} is also the role name of {other_role}",
                )
                role_names[tenant.role.name.lower()] = f"tenant {key!r}"
        claimed_prefixes.update(dict.fromkeys(tenant.secret_prefixes, f"tenant {key!r}"))
        claimed_paths.update(dict.fromkeys(tenant.parameter_paths, f"tenant {key!r}"))
