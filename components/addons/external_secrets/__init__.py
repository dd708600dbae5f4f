"""``ExternalSecrets``: the External Secrets Operator, reading only the configured secrets.

An ``ExternalSecret`` names values in AWS Secrets Manager or SSM Parameter Store; the
operator reads them through a *store* and writes a Kubernetes ``Secret``, and reads them
again every ``refreshInterval``. This component owns, all children of it:

* the operator's workload role (IRSA by default, or EKS Pod Identity) for
  ``<namespace>/<service_account>`` (default ``external-secrets/external-secrets``), its
  namespace and ServiceAccount; the role may only *read* the configured Secrets Manager
  prefixes, SSM parameter paths and KMS keys (and, with ``push_prefix``, write under that
  prefix): no ``*`` resource and no fallback (:mod:`.iam`);
* the pinned Helm release of the official chart (CRDs, controller, webhook, cert
  controller), which waits until they run (:mod:`.chart`);
* one ``ClusterSecretStore`` (``external-secrets.io/v1``) per backend in use, named
  :data:`SECRETS_MANAGER_STORE` and :data:`PARAMETER_STORE_STORE`, optionally limited to
  some namespaces (``spec.conditions``);
* per tenant (``tenants``): an IRSA role that may read only that tenant's prefixes and
  paths, a ServiceAccount in the tenant's namespace, and namespaced SecretStores of
  the same names that authenticate as that ServiceAccount, so one team cannot read
  another's secrets (:mod:`.stores`).

Everything that uses the stores (``ExternalSecret``, ``PushSecret``) must depend on the
release and the stores (:meth:`ExternalSecrets.workload_options`): on ``pulumi destroy``
they go first, while the CRDs and the controller still exist. :func:`external_secret`
builds an ``ExternalSecret`` that way (:mod:`.app_secrets`).

Modules: :mod:`.args` (the arguments and constants), :mod:`.validation` (the add-on's rules),
:mod:`.iam`, :mod:`.chart`, :mod:`.stores`, :mod:`.app_secrets`; the component is here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pulumi

from ... import aws_context
from ... import validation as v
from ...identity.irsa import IrsaRole  # at run time: Pulumi resolves the class annotations
from ..controller import Controller
from .app_secrets import (
    external_secret,
    external_secret_manifest,
    store_for,
    validate_external_secret,
)
from .args import (
    DEFAULT_CHART,
    PARAMETER_STORE_STORE,
    SECRETS_MANAGER_STORE,
    STORE_NAMES,
    Backend,
    ExternalSecretsArgs,
    SecretsTenantSpec,
    SecretValue,
    StoreRef,
    tenant_namespace,
)
from .chart import MANAGED_VALUES, SKIP_CONTAINERS_ANNOTATION, chart_values
from .iam import push_grants, read_grants
from .stores import Stores, cluster_stores, enabled_backends, tenant_role, tenant_stores
from .validation import checked_keys, validate_cluster, validate_settings

if TYPE_CHECKING:
    from ...identity.cluster_ref import ClusterRef

__all__ = [
    "DEFAULT_CHART",
    "PARAMETER_STORE_STORE",
    "SECRETS_MANAGER_STORE",
    "SKIP_CONTAINERS_ANNOTATION",
    "Backend",
    "ExternalSecrets",
    "ExternalSecretsArgs",
    "SecretValue",
    "SecretsTenantSpec",
    "StoreRef",
    "chart_values",
    "enabled_backends",
    "external_secret",
    "external_secret_manifest",
    "push_grants",
    "read_grants",
    "store_for",
    "validate_external_secret",
    "validate_settings",
]


class ExternalSecrets(Controller[ExternalSecretsArgs]):
    """The External Secrets Operator: IAM role, Helm release, ClusterSecretStores, tenants.

    Creates, as children: the operator's workload role (IRSA or Pod Identity) that may read
    only the configured Secrets Manager prefixes, SSM paths and KMS keys (and write under
    ``push_prefix`` when set), its namespace and ServiceAccount; the pinned Helm release
    (CRDs, controller, webhook, cert controller); a ``ClusterSecretStore`` per backend in use;
    and per tenant an IRSA role, its ServiceAccount and namespaced SecretStores.

    Args: :class:`ExternalSecretsArgs`. Outputs: ``role_arn``, ``release_name``,
    ``namespace``, ``stores`` (by backend), ``tenant_role_arns``. Anything that uses the stores
    must depend on ``ready`` (the release and every store: :meth:`workload_options`,
    :func:`external_secret`), so it is deleted before them.
    """

    KIND = "ExternalSecrets"
    RULES = staticmethod(validate_settings)
    ARGS = ExternalSecretsArgs
    MANAGED_VALUES = MANAGED_VALUES

    stores: Stores
    """The ClusterSecretStores, by backend (``SecretsManager``, ``ParameterStore``)."""
    tenant_roles: dict[str, IrsaRole]
    """Each tenant's role and ServiceAccount, by tenant key."""
    tenant_role_arns: dict[str, pulumi.Output[str]]
    """ARN of each tenant's role, by tenant key."""
    tenant_stores: dict[str, Stores]
    """Each tenant's SecretStores, by tenant key and backend."""
    store_catalog: list[dict[str, Any]]
    """Every store with the namespaces it serves (``kind``, ``name``, ``backend``,
    ``namespaces``; an empty list: every namespace): what the stacks export as
    ``externalSecretsStores`` and ``ClusterRef.from_stack`` reads."""

    def validate(self, args: ExternalSecretsArgs, cluster: ClusterRef) -> None:
        """What the cluster must offer."""
        validate_cluster(args, cluster)

    def build(self, name: str, args: ExternalSecretsArgs) -> Mapping[str, Any]:
        """The operator's role, the release, the shared stores, then each tenant's role and
        stores."""
        grants = read_grants(
            args.secret_prefixes, args.parameter_paths, checked_keys(args.kms_key_arns, self.owner)
        )
        if args.push_prefix is not None:
            grants += push_grants(args.push_prefix)
        self.create_role(
            name,
            args,
            namespace=args.namespace,
            service_account=args.service_account,
            permissions=grants,
            create_namespace=True,
        )
        self.release = self.install(name, args, args.namespace, chart_values(args))
        self.release_name = self.release.name.apply(lambda n: n or "")

        # The stores need the release's CRDs; they read in the region of the component's
        # AWS provider, where its roles may read.
        region = aws_context.region(self.aws_provider)
        self.stores = cluster_stores(name, args, region, self.after(self.release))
        self.tenant_roles = {}
        self.tenant_role_arns = {}
        self.tenant_stores = {}
        for key, tenant in args.tenants.items():
            role = tenant_role(name, key, tenant, self.cluster, self.owner, parent=self)
            self.tenant_roles[key] = role
            self.tenant_role_arns[key] = role.role_arn
            self.tenant_stores[key] = tenant_stores(
                name, key, tenant, region, self.after(self.release, role)
            )

        self.store_catalog = [
            {
                "kind": "ClusterSecretStore",
                "name": STORE_NAMES[backend],
                "backend": backend,
                "namespaces": list(args.store_namespaces),
            }
            for backend in self.stores
        ] + [
            {
                "kind": "SecretStore",
                "name": STORE_NAMES[backend],
                "backend": backend,
                "namespaces": [tenant_namespace(key, args.tenants[key])],
            }
            for key, stores in self.tenant_stores.items()
            for backend in stores
        ]
        self.ready += [
            self.release,
            *self.stores.values(),
            *(s for stores in self.tenant_stores.values() for s in stores.values()),
        ]
        return {
            "roleArn": self.role_arn,
            "namespace": self.namespace,
            "releaseName": self.release_name,
            "storeNames": [STORE_NAMES[b] for b in self.stores],
            "tenantRoleArns": self.tenant_role_arns,
        }

    def store_ref(self, backend: Backend, tenant: str | None = None) -> StoreRef:
        """The shared ClusterSecretStore of ``backend``, or ``tenant``'s SecretStore of it."""
        if tenant is not None:
            if backend not in self.tenant_stores.get(tenant, {}):
                raise v.InvalidArgument(
                    "tenant", f"tenant {tenant!r} has no {backend} store (no prefix or path)"
                )
            return StoreRef(kind="SecretStore", name=STORE_NAMES[backend])
        if backend not in self.stores:
            raise v.InvalidArgument(
                "backend",
                f"no {backend} ClusterSecretStore: configure "
                + ("secret_prefixes" if backend == "SecretsManager" else "parameter_paths"),
            )
        return StoreRef(kind="ClusterSecretStore", name=STORE_NAMES[backend])
