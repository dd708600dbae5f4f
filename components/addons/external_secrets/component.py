"""``ExternalSecrets``: the External Secrets Operator, reading only the configured secrets.

An ``ExternalSecret`` names values in AWS Secrets Manager or SSM Parameter Store; the
operator reads them through a *store* and writes a Kubernetes ``Secret``, and reads them
again every ``refreshInterval``. This component owns, all children of it:

* the operator's workload role (IRSA by default, or EKS Pod Identity) for
  ``<namespace>/<service_account>`` (default ``external-secrets/external-secrets``), its
  namespace and ServiceAccount; the role may only *read*:

  - ``secretsmanager:GetSecretValue``, ``DescribeSecret``, ``ListSecretVersionIds`` on
    ``arn:<partition>:secretsmanager:<region>:<account>:secret:<prefix>*`` of each
    configured name prefix;
  - ``ssm:GetParameter``, ``GetParameters``, ``GetParametersByPath`` on each configured
    parameter path and below it (not its siblings);
  - ``kms:Decrypt`` on the configured customer-managed keys, only through Secrets Manager
    or SSM (``kms:ViaService``);
  - with ``push_prefix`` (``PushSecret``), writes to Secrets Manager under that prefix only;

  there is no ``*`` resource and no fallback: no prefix and no path is an error;
* the pinned Helm release of the official chart (CRDs, controller, webhook, cert
  controller), which waits until they run;
* one ``ClusterSecretStore`` (``external-secrets.io/v1``) per backend in use, named
  :data:`SECRETS_MANAGER_STORE` and :data:`PARAMETER_STORE_STORE`, optionally limited to
  some namespaces (``spec.conditions``);
* per tenant (``tenants``): an IRSA role that may read only that tenant's prefixes and
  paths, a ServiceAccount in the tenant's namespace, and namespaced SecretStores of
  the same names that authenticate as that ServiceAccount, so one team cannot read
  another's secrets.

Everything that uses the stores (``ExternalSecret``, ``PushSecret``) must depend on the
release and the stores (:meth:`ExternalSecrets.workload_options`): on ``pulumi destroy``
they go first, while the CRDs and the controller still exist. :func:`external_secret`
builds an ``ExternalSecret`` that way.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import pulumi
import pulumi_kubernetes as k8s

from ... import aws_context
from ... import validation as v
from ...cluster.eks_cluster import EksCluster
from ...identity import iam, permissions
from ...identity.cluster_ref import ClusterRef, as_cluster_ref
from ...identity.iam import RoleSettings
from ...identity.irsa import IrsaRole
from ...identity.permissions import Grant
from ...identity.pod_identity import PodIdentityRole
from ...identity.workload_identity import IdentityMechanism, WorkloadRoleArgs, validate_mechanism
from ...identity.workload_role import create_workload_role
from .. import helm
from ..helm import ChartSpec, deep_merge

DEFAULT_CHART = ChartSpec(
    chart="external-secrets",
    repository="https://charts.external-secrets.io",
    version="2.9.0",
)
"""The official chart, pinned (app v2.9.0); it installs the CRDs (``installCRDs``)."""
NAMESPACE = "external-secrets"
SERVICE_ACCOUNT = "external-secrets"
FULLNAME = "external-secrets"
"""``fullnameOverride``: the controller Deployment and its RBAC keep these names whatever the
component (and so the Helm release) is called."""
CONTROLLER_CONTAINER = "external-secrets"
"""Name of the controller's container in the chart's Deployment (``.Chart.Name``)."""

API_VERSION = "external-secrets.io/v1"
Backend = Literal["SecretsManager", "ParameterStore"]
"""A store's ``spec.provider.aws.service``."""
SECRETS_MANAGER_STORE = "aws-secrets-manager"
"""Name of the (Cluster)SecretStore for Secrets Manager."""
PARAMETER_STORE_STORE = "aws-parameter-store"
"""Name of the (Cluster)SecretStore for SSM Parameter Store."""
STORE_NAMES: dict[str, str] = {
    "SecretsManager": SECRETS_MANAGER_STORE,
    "ParameterStore": PARAMETER_STORE_STORE,
}
TENANT_SERVICE_ACCOUNT = "external-secrets"
"""Default ServiceAccount of a tenant, in the tenant's namespace; its SecretStores
authenticate as it."""

SECRETS_READ_ACTIONS = (
    "secretsmanager:GetSecretValue",
    "secretsmanager:DescribeSecret",
    "secretsmanager:ListSecretVersionIds",
)
"""What a store may do with a secret under a configured prefix."""
SECRETS_PUSH_ACTIONS = (
    "secretsmanager:GetSecretValue",
    "secretsmanager:DescribeSecret",
    "secretsmanager:CreateSecret",
    "secretsmanager:PutSecretValue",
    "secretsmanager:TagResource",
    "secretsmanager:UntagResource",
)
"""What ``PushSecret`` needs under ``push_prefix`` (ESO's Secrets Manager provider: it
describes the secret, compares its value, creates it tagged ``managed-by: external-secrets``
or puts a new version, and keeps its tags)."""
PUSH_DELETE_ACTION = "secretsmanager:DeleteSecret"
"""Granted under ``push_prefix`` only on secrets tagged ``managed-by: external-secrets``
(a PushSecret with ``deletionPolicy: Delete``), as ESO documents."""
MANAGED_BY_TAG = ("managed-by", "external-secrets")
KMS_DECRYPT_ACTION = "kms:Decrypt"
VIA_SERVICES: dict[str, str] = {"SecretsManager": "secretsmanager", "ParameterStore": "ssm"}

ROLE_ARN_ANNOTATION = "eks.amazonaws.com/role-arn"
SKIP_CONTAINERS_ANNOTATION = "eks.amazonaws.com/skip-containers"
"""Pod annotation of EKS's pod identity webhook: the named containers get no IRSA
credentials. With IRSA the controller container gets none, so a ``SecretStore`` without
``auth`` (which any namespace editor may create) has no ambient role to fall back to."""

CREATION_POLICIES = ("Owner", "Orphan", "Merge", "None", "CreateOrMerge")
DEFAULT_REFRESH_INTERVAL = "1h"

_SECRET_PREFIX = re.compile(r"^[A-Za-z0-9/_+=.@-]{1,512}$")
_DURATION = re.compile(r"^(0|(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+)$")
_SECRET_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")

# Chart values the component sets itself; callers use the argument named here instead, so
# that there is one way to set each and `values` cannot silently undo the component.
_MANAGED_VALUES: dict[tuple[str, ...], str] = {
    ("installCRDs",): "the component (the stores need the CRDs)",
    ("fullnameOverride",): "the component",
    ("serviceAccount", "create"): "the component (the workload role creates the ServiceAccount)",
    ("serviceAccount", "name"): "the argument service_account",
    ("replicaCount",): "the argument replicas",
    ("leaderElect",): "the argument replicas (leader election is on with more than one)",
    ("webhook", "create"): "the component (the webhook checks stores and ExternalSecrets)",
    ("webhook", "replicaCount"): "the argument replicas",
    ("certController", "create"): "the component (it keeps the webhook's certificate valid)",
    ("processClusterStore",): "the component (it creates ClusterSecretStores)",
    ("processSecretStore",): "the component (tenants' SecretStores)",
    ("scopedNamespace",): "the component (ClusterSecretStores need the cluster-wide controller)",
    ("scopedRBAC",): "the component (ClusterSecretStores need the cluster-wide controller)",
    ("processPushSecret",): "the argument push_prefix",
    ("processClusterPushSecret",): "the argument push_prefix",
    ("rbac", "serviceAccountTokenCreate"): (
        "the component (stores authenticate with ServiceAccount tokens)"
    ),
    ("podAnnotations", SKIP_CONTAINERS_ANNOTATION): (
        "the component (with IRSA the controller container gets no ambient credentials)"
    ),
    ("tolerations",): "the argument tolerations",
    ("webhook", "tolerations"): "the argument tolerations",
    ("certController", "tolerations"): "the argument tolerations",
    ("nodeSelector",): "the argument node_selector",
    ("webhook", "nodeSelector"): "the argument node_selector",
    ("certController", "nodeSelector"): "the argument node_selector",
}


@dataclass(kw_only=True)
class SecretsTenantSpec:
    """One team's own scope: its role, its ServiceAccount and its namespaced SecretStores.

    Always IRSA: a namespaced ``SecretStore`` authenticates as the tenant's ServiceAccount
    through its ``eks.amazonaws.com/role-arn`` annotation. (With Pod Identity ESO has no way
    to act as another ServiceAccount: a store without ``auth`` uses the controller's own
    credentials, which would let every tenant read what the controller may.)
    """

    namespace: str | None = None
    """Namespace of the tenant's ServiceAccount and SecretStores. Default: the tenant's key."""
    secret_prefixes: list[str] = field(default_factory=list)
    """Secrets Manager name prefixes only this tenant may read, each ending with ``/``
    (``team-a/``). They may not overlap the shared prefixes, nor another tenant's."""
    parameter_paths: list[str] = field(default_factory=list)
    """SSM parameter paths only this tenant may read (``/team-a``: that parameter and
    everything below it, not ``/team-ab``). They may not overlap the shared paths, nor
    another tenant's."""
    kms_key_arns: list[pulumi.Input[str]] = field(default_factory=list)
    """Customer-managed KMS keys (key ARNs, not aliases) that encrypt the tenant's secrets or
    SecureString parameters; ``kms:Decrypt`` only through Secrets Manager or SSM. Leave empty
    for the AWS-managed keys (``aws/secretsmanager``, ``aws/ssm``)."""
    service_account: str = TENANT_SERVICE_ACCOUNT
    """The ServiceAccount the tenant's SecretStores authenticate as (created, annotated with the
    tenant's role). Any pod of the namespace that runs as it gets the tenant's role too."""
    create_namespace: bool = False
    """Create the namespace (before the ServiceAccount). False when the team's namespace exists
    already or another component creates it."""
    role: RoleSettings = field(default_factory=RoleSettings)
    """The tenant role's name, path, permissions boundary, session length and tags."""


@dataclass(kw_only=True)
class ExternalSecretsArgs:
    """Arguments of :class:`ExternalSecrets`. In stack config: ``eks-platform:externalSecrets``
    (camelCase keys; ``cluster`` is set in code)."""

    cluster: EksCluster | ClusterRef
    """The cluster the operator runs on (an ``EksCluster``, or a ``ClusterRef``)."""
    secret_prefixes: list[str] = field(default_factory=list)
    """Secrets Manager name prefixes the shared ``ClusterSecretStore`` may read, each ending with
    ``/`` (``dev-eks/``); the role names exactly ``secret:<prefix>*``. With none, no Secrets
    Manager store is made (unless ``push_prefix``)."""
    parameter_paths: list[str] = field(default_factory=list)
    """SSM parameter paths the shared ``ClusterSecretStore`` may read (``/dev-eks``: that parameter
    and everything below it, not the sibling ``/dev-eks-old``). With none, no Parameter Store
    store is made. At least one prefix or path is required: never every secret."""
    kms_key_arns: list[pulumi.Input[str]] = field(default_factory=list)
    """Customer-managed KMS keys (key ARNs, not aliases) that encrypt the shared secrets or
    SecureString parameters; ``kms:Decrypt`` only through Secrets Manager or SSM
    (``kms:ViaService``). Leave empty for the AWS-managed keys."""
    identity: IdentityMechanism = "irsa"
    """How the operator gets its role: ``irsa`` (default; the shared stores authenticate as the
    operator's ServiceAccount through ``auth.jwt``, and the controller container itself gets no
    ambient credentials) or ``pod-identity`` (the stores have no ``auth`` and use the controller
    pod's credentials; needs the ``eks-pod-identity-agent``, which does not run on Fargate)."""
    namespace: str = NAMESPACE
    """Namespace of the operator (created, with the ServiceAccount, before the release)."""
    service_account: str = SERVICE_ACCOUNT
    """The operator's ServiceAccount, created by the component (the chart's is disabled)."""
    store_namespaces: list[str] = field(default_factory=list)
    """Namespaces whose ExternalSecrets may use the shared ClusterSecretStores
    (``spec.conditions``). Empty: every namespace. This limits the ClusterSecretStores only;
    with ``pod-identity``, a SecretStore without ``auth`` in any namespace still gets the
    controller's role."""
    push_prefix: str | None = None
    """Let ``PushSecret`` write Secrets Manager secrets, only under this name prefix (ending with
    ``/``); it may not contain a read prefix. Unset (default): no writes, and the chart's
    PushSecret controllers are off."""
    tenants: dict[str, SecretsTenantSpec] = field(default_factory=dict)
    """Teams with their own scope, keyed by team name (the namespace, unless set): each gets its
    own IRSA role, ServiceAccount and namespaced SecretStores."""
    replicas: int = 1
    """Pods of the controller and of its webhook; with more than one, leader election and a
    PodDisruptionBudget (``maxUnavailable: 1``) for each."""
    chart: ChartSpec = DEFAULT_CHART
    """The chart and its exact version."""
    deletion_protection: bool = False
    """Protect the Helm release (Pulumi ``protect``), as in prod: removing it then takes a
    deliberate ``pulumi state unprotect``. Uninstalling the chart deletes its CRDs, and with them
    every ExternalSecret in the cluster and the Secrets they own."""
    tolerations: list[dict[str, Any]] = field(default_factory=list)
    """Tolerations of the controller, webhook and cert-controller pods, as Kubernetes writes
    them (``{key, operator, value, effect, tolerationSeconds}``)."""
    node_selector: dict[str, str] = field(default_factory=dict)
    """Node labels the controller, webhook and cert-controller pods must run on."""
    role: RoleSettings = field(default_factory=RoleSettings)
    """The operator role's name, path, permissions boundary, session length and tags."""
    values: dict[str, Any] = field(default_factory=dict)
    """Further chart values, deep-merged over the component's (e.g. ``resources``,
    ``concurrent``, ``log``). Values the component sets from an argument are refused here: use
    the argument."""


@dataclass(frozen=True, kw_only=True)
class StoreRef:
    """Which store an ``ExternalSecret`` (or one of its values) reads from."""

    name: str
    """The store's name (``metadata.name``)."""
    kind: Literal["ClusterSecretStore", "SecretStore"] = "ClusterSecretStore"
    """``ClusterSecretStore`` (the shared stores) or ``SecretStore`` (in the ExternalSecret's
    own namespace: a tenant's)."""

    def as_dict(self) -> dict[str, str]:
        """As ``spec.secretStoreRef`` / ``data[].sourceRef.storeRef`` write it."""
        return {"kind": self.kind, "name": self.name}


@dataclass(frozen=True, kw_only=True)
class SecretValue:
    """One key of the Kubernetes Secret and where its value comes from."""

    secret_key: str
    """The key in the Kubernetes Secret (``password``)."""
    remote_key: pulumi.Input[str]
    """The Secrets Manager secret's name (or ARN), or the SSM parameter's name
    (``/dev-eks/demo/greeting``)."""
    property: str | None = None
    """A field of a JSON secret value (``password`` of ``{"password": ...}``); None: the whole
    value."""
    store: StoreRef | None = None
    """Read this value from another store than the ExternalSecret's
    (``data[].sourceRef.storeRef``): one Secret from Secrets Manager and Parameter Store."""


class ExternalSecrets(pulumi.ComponentResource):
    """The External Secrets Operator: IAM role, Helm release, ClusterSecretStores, tenants.

    Creates, as children: the operator's workload role (IRSA or Pod Identity) that may read
    only the configured Secrets Manager prefixes, SSM paths and KMS keys (and write under
    ``push_prefix`` when set), its namespace and ServiceAccount; the pinned Helm release
    (CRDs, controller, webhook, cert controller); a ``ClusterSecretStore`` per backend in use;
    and per tenant an IRSA role, its ServiceAccount and namespaced SecretStores.

    Args: :class:`ExternalSecretsArgs`. Outputs: ``role_arn``, ``release_name``,
    ``namespace``, ``stores`` (by backend), ``tenant_role_arns``. Anything that uses the stores
    must depend on ``ready`` (:meth:`workload_options`, :func:`external_secret`), so it is
    deleted before them.
    """

    cluster: ClusterRef
    """The cluster the operator runs on."""
    workload_role: IrsaRole | PodIdentityRole
    """The operator's role and ServiceAccount."""
    role_arn: pulumi.Output[str]
    """ARN of the operator's IAM role."""
    namespace: pulumi.Output[str]
    """Namespace of the operator."""
    release: k8s.helm.v3.Release
    """The Helm release."""
    release_name: pulumi.Output[str]
    """Name of the Helm release (see :func:`components.addons.helm.release_name`)."""
    stores: dict[str, k8s.apiextensions.CustomResource]
    """The ClusterSecretStores, by backend (``SecretsManager``, ``ParameterStore``)."""
    tenant_roles: dict[str, IrsaRole]
    """Each tenant's role and ServiceAccount, by tenant key."""
    tenant_role_arns: dict[str, pulumi.Output[str]]
    """ARN of each tenant's role, by tenant key."""
    tenant_stores: dict[str, dict[str, k8s.apiextensions.CustomResource]]
    """Each tenant's SecretStores, by tenant key and backend."""
    ready: list[pulumi.Resource]
    """What an ExternalSecret or PushSecret must depend on: the release (CRDs, controller,
    webhook) and every store. See :meth:`workload_options`."""

    def __init__(
        self, name: str, args: ExternalSecretsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        """Install the operator and its stores; see :class:`ExternalSecrets`."""
        with v.component_errors("ExternalSecrets", name):
            cluster = validate_args(args)
        super().__init__("eks-platform:index:ExternalSecrets", name, None, opts)
        owner = f"ExternalSecrets {name!r}"
        self.cluster = cluster
        if cluster.uses_fargate and args.identity == "pod-identity":
            pulumi.log.warn(
                f"{name}: identity 'pod-identity' needs the Pod Identity agent, which does not "
                "run on Fargate; if the operator's pods run on Fargate, use 'irsa'",
                resource=self,
            )

        # -- the operator's role, namespace and ServiceAccount ---------------------------------
        grants = read_grants(
            args.secret_prefixes, args.parameter_paths, _checked_keys(args.kms_key_arns, owner)
        )
        if args.push_prefix is not None:
            grants += push_grants(args.push_prefix)
        self.workload_role = create_workload_role(
            name,
            args.identity,
            WorkloadRoleArgs(
                cluster=cluster,
                namespace=args.namespace,
                service_account=args.service_account,
                permissions=grants,
                role=args.role,
                create_namespace=True,
            ),
            parent=self,
        )
        self.role_arn = self.workload_role.role_arn
        self.namespace = self.workload_role.service_account_namespace

        # -- the release -----------------------------------------------------------------------
        self.release = helm.release(
            helm.release_name(name),
            args.chart,
            args.namespace,
            chart_values(args),
            opts=pulumi.ResourceOptions(
                parent=self,
                provider=cluster.provider,
                depends_on=[*cluster.workload_dependencies, self.workload_role],
                protect=args.deletion_protection,
            ),
        )
        self.release_name = self.release.name.apply(lambda n: n or "")

        # -- the shared stores (the CRDs come with the release) ---------------------------------
        region = aws_context.region()
        after_release = pulumi.ResourceOptions(
            parent=self, provider=cluster.provider, depends_on=[self.release]
        )
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
        self.stores = {}
        for backend in enabled_backends(args):
            self.stores[backend] = k8s.apiextensions.CustomResource(
                f"{name}-{STORE_NAMES[backend]}",
                api_version=API_VERSION,
                kind="ClusterSecretStore",
                metadata=k8s.meta.v1.ObjectMetaArgs(name=STORE_NAMES[backend], labels=_labels()),
                spec=_store_spec_output(backend, region, auth, args.store_namespaces),
                opts=after_release,
            )

        # -- tenants: a role, a ServiceAccount and SecretStores each ------------------------------
        self.tenant_roles = {}
        self.tenant_role_arns = {}
        self.tenant_stores = {}
        for key, tenant in args.tenants.items():
            namespace = tenant_namespace(key, tenant)
            role = IrsaRole(
                f"{name}-{key}",
                WorkloadRoleArgs(
                    cluster=cluster,
                    namespace=namespace,
                    service_account=tenant.service_account,
                    permissions=read_grants(
                        tenant.secret_prefixes,
                        tenant.parameter_paths,
                        _checked_keys(tenant.kms_key_arns, owner),
                    ),
                    role=tenant.role,
                    create_namespace=tenant.create_namespace,
                ),
                opts=pulumi.ResourceOptions(parent=self),
            )
            self.tenant_roles[key] = role
            self.tenant_role_arns[key] = role.role_arn
            tenant_auth = {"jwt": {"serviceAccountRef": {"name": tenant.service_account}}}
            stores: dict[str, k8s.apiextensions.CustomResource] = {}
            for backend in tenant_backends(tenant):
                stores[backend] = k8s.apiextensions.CustomResource(
                    f"{name}-{key}-{STORE_NAMES[backend]}",
                    api_version=API_VERSION,
                    kind="SecretStore",
                    metadata=k8s.meta.v1.ObjectMetaArgs(
                        name=STORE_NAMES[backend], namespace=namespace, labels=_labels()
                    ),
                    spec=_store_spec_output(backend, region, tenant_auth),
                    opts=pulumi.ResourceOptions(
                        parent=self,
                        provider=cluster.provider,
                        depends_on=[self.release, role],
                    ),
                )
            self.tenant_stores[key] = stores

        self.ready = [
            self.release,
            *self.stores.values(),
            *(s for stores_ in self.tenant_stores.values() for s in stores_.values()),
        ]
        self.register_outputs(
            {
                "roleArn": self.role_arn,
                "namespace": self.namespace,
                "releaseName": self.release_name,
                "storeNames": [STORE_NAMES[b] for b in self.stores],
                "tenantRoleArns": self.tenant_role_arns,
            }
        )

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

    def workload_options(
        self, opts: pulumi.ResourceOptions | None = None
    ) -> pulumi.ResourceOptions:
        """Options for an ExternalSecret or PushSecret that uses these stores.

        The cluster's Kubernetes provider and a dependency on :attr:`ready`, merged with
        ``opts`` (its ``depends_on`` is kept, its ``provider`` wins)::

            external_secret("db", ..., opts=eso.workload_options(
                pulumi.ResourceOptions(depends_on=[namespace])))
        """
        base = pulumi.ResourceOptions(provider=self.cluster.provider, depends_on=list(self.ready))
        return pulumi.ResourceOptions.merge(base, opts) if opts is not None else base


# -- ExternalSecrets for programs and the dev demo ---------------------------------------------


def external_secret_manifest(
    *,
    name: str,
    namespace: pulumi.Input[str],
    store: StoreRef,
    data: Sequence[SecretValue],
    refresh_interval: str = DEFAULT_REFRESH_INTERVAL,
    creation_policy: str = "Owner",
    target_name: str | None = None,
) -> dict[str, Any]:
    """An ``ExternalSecret`` (``external-secrets.io/v1``) as a manifest; checked first.

    The Kubernetes Secret ``target_name`` (default: ``name``) gets one key per ``data``
    entry, read from ``store`` (or the entry's own store) and read again every
    ``refresh_interval`` (a Go duration: ``1h``, ``15m``; ``0`` reads once). With
    ``creation_policy`` ``Owner`` the Secret belongs to the ExternalSecret and is deleted
    with it.
    """
    validate_external_secret(
        name=name,
        store=store,
        data=data,
        refresh_interval=refresh_interval,
        creation_policy=creation_policy,
        target_name=target_name,
    )
    items: list[dict[str, Any]] = []
    for value in data:
        remote: dict[str, Any] = {"key": value.remote_key}
        if value.property is not None:
            remote["property"] = value.property
        item: dict[str, Any] = {"secretKey": value.secret_key, "remoteRef": remote}
        if value.store is not None and value.store != store:
            item["sourceRef"] = {"storeRef": value.store.as_dict()}
        items.append(item)
    return {
        "apiVersion": API_VERSION,
        "kind": "ExternalSecret",
        "metadata": {"name": name, "namespace": namespace, "labels": _labels()},
        "spec": {
            "refreshInterval": refresh_interval,
            "secretStoreRef": store.as_dict(),
            "target": {"name": target_name or name, "creationPolicy": creation_policy},
            "data": items,
        },
    }


def external_secret(
    resource_name: str,
    *,
    name: str,
    namespace: pulumi.Input[str],
    store: StoreRef,
    data: Sequence[SecretValue],
    refresh_interval: str = DEFAULT_REFRESH_INTERVAL,
    creation_policy: str = "Owner",
    target_name: str | None = None,
    opts: pulumi.ResourceOptions | None = None,
) -> k8s.apiextensions.CustomResource:
    """An ``ExternalSecret`` custom resource (see :func:`external_secret_manifest`).

    Give ``opts=operator.workload_options(...)``: the cluster's provider and a dependency on
    the release and the stores, so the ExternalSecret is created after them and deleted
    before them. Its namespace must exist first (put what creates it in ``depends_on``)::

        external_secret(
            "demo-config", name="demo-config", namespace="demo",
            store=eso.store_ref("SecretsManager"),
            data=[
                SecretValue(secret_key="password", remote_key=secret.name, property="password"),
                SecretValue(secret_key="greeting", remote_key="/dev-eks/demo/greeting",
                            store=eso.store_ref("ParameterStore")),
            ],
            refresh_interval="1h",
            opts=eso.workload_options(pulumi.ResourceOptions(depends_on=[namespace])),
        )
    """
    with v.component_errors("ExternalSecret", resource_name):
        manifest = external_secret_manifest(
            name=name,
            namespace=namespace,
            store=store,
            data=data,
            refresh_interval=refresh_interval,
            creation_policy=creation_policy,
            target_name=target_name,
        )
    metadata = manifest["metadata"]
    return k8s.apiextensions.CustomResource(
        resource_name,
        api_version=manifest["apiVersion"],
        kind=manifest["kind"],
        metadata=k8s.meta.v1.ObjectMetaArgs(
            name=metadata["name"], namespace=metadata["namespace"], labels=metadata["labels"]
        ),
        spec=manifest["spec"],
        opts=opts,
    )


def validate_external_secret(
    *,
    name: Any,
    store: Any,
    data: Any,
    refresh_interval: Any,
    creation_policy: Any,
    target_name: Any = None,
) -> None:
    """Check an ExternalSecret's arguments; raises InvalidArgument naming the argument."""
    v.dns_subdomain(name, "name", "ExternalSecret name")
    if target_name is not None:
        v.dns_subdomain(target_name, "target_name", "Secret name")
    v.check_type(store, StoreRef, "store")
    _store_ref(store, "store")
    v.check_type(data, Sequence[SecretValue], "data")
    v.require(len(data) > 0, "data", "give at least one SecretValue")
    for i, value in enumerate(data):
        where = f"data[{i}]"
        v.require(
            isinstance(value.secret_key, str) and bool(_SECRET_KEY.match(value.secret_key)),
            f"{where}.secret_key",
            f"{value.secret_key!r} is not a Secret key (letters, digits, '-', '_' and '.')",
        )
        if isinstance(value.remote_key, str):
            v.require(bool(value.remote_key), f"{where}.remote_key", "must not be empty")
        if value.property is not None:
            v.require(
                isinstance(value.property, str) and bool(value.property),
                f"{where}.property",
                "must be a non-empty string, or None for the whole value",
            )
        if value.store is not None:
            _store_ref(value.store, f"{where}.store")
    v.unique([d.secret_key for d in data], "data", "secret_key")
    v.require(
        isinstance(refresh_interval, str) and bool(_DURATION.match(refresh_interval)),
        "refresh_interval",
        f"{refresh_interval!r} is not a Go duration (e.g. 1h, 15m, 1h30m; 0 reads once)",
    )
    v.one_of(creation_policy, CREATION_POLICIES, "creation_policy")


def _store_ref(store: StoreRef, field_name: str) -> None:
    v.one_of(store.kind, ("ClusterSecretStore", "SecretStore"), f"{field_name}.kind")
    v.dns_subdomain(store.name, f"{field_name}.name", "store name")


# -- pure helpers (importable for tests and other programs) ------------------------------------


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


def tenant_namespace(key: str, tenant: SecretsTenantSpec) -> str:
    """The tenant's namespace: its own, or its key."""
    return tenant.namespace or key


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


def read_grants(
    secret_prefixes: Sequence[str],
    parameter_paths: Sequence[str],
    kms_key_arns: Sequence[pulumi.Input[str]] = (),
) -> list[Grant]:
    """The read permissions of a store's role: the prefixes, the paths, the keys through them."""
    if not secret_prefixes and not parameter_paths:
        # validate_settings refuses this; never degrade to a role that names no resource.
        raise ValueError("secret_prefixes: give at least one secret name prefix or parameter path")
    grants: list[Grant] = []
    if secret_prefixes:
        grants.append(
            Grant(
                "secrets-manager-read",
                (
                    _allow(
                        SECRETS_READ_ACTIONS,
                        [permissions.secret_arn_pattern(p) for p in secret_prefixes],
                    ),
                ),
            )
        )
    if parameter_paths:
        grants.append(permissions.ssm_read(*parameter_paths))
    if kms_key_arns:
        services = [
            VIA_SERVICES[backend]
            for backend, used in (
                ("SecretsManager", secret_prefixes),
                ("ParameterStore", parameter_paths),
            )
            if used
        ]
        statement = _allow((KMS_DECRYPT_ACTION,), list(kms_key_arns))
        statement["Condition"] = {
            "StringEquals": {"kms:ViaService": [f"{s}.{{region}}.amazonaws.com" for s in services]}
        }
        grants.append(Grant("kms-decrypt-via-secrets", (statement,)))
    return grants


def push_grants(push_prefix: str) -> list[Grant]:
    """PushSecret's writes to Secrets Manager, under ``push_prefix`` only; deletion only of
    secrets ESO created (tagged ``managed-by: external-secrets``)."""
    resources = [permissions.secret_arn_pattern(push_prefix)]
    delete = _allow((PUSH_DELETE_ACTION,), resources)
    tag, value = MANAGED_BY_TAG
    delete["Condition"] = {"StringEquals": {f"secretsmanager:ResourceTag/{tag}": value}}
    return [Grant("secrets-manager-push", (_allow(SECRETS_PUSH_ACTIONS, resources), delete))]


def chart_values(args: ExternalSecretsArgs) -> dict[str, Any]:
    """The chart values (chart 2.9.x names), with ``args.values`` merged last."""
    push = args.push_prefix is not None
    values: dict[str, Any] = {
        "installCRDs": True,
        "fullnameOverride": FULLNAME,
        "serviceAccount": {"create": False, "name": args.service_account},
        "replicaCount": args.replicas,
        "leaderElect": args.replicas > 1,
        "processClusterStore": True,
        "processSecretStore": True,
        "processPushSecret": push,
        "processClusterPushSecret": push,
        "rbac": {"serviceAccountTokenCreate": True},
        "webhook": {"create": True, "replicaCount": args.replicas},
        "certController": {"create": True},
    }
    if args.identity == "irsa":
        # The stores authenticate through auth.jwt; the controller itself holds no credentials,
        # so a SecretStore without auth (any namespace editor may write one) gets nothing.
        values["podAnnotations"] = {SKIP_CONTAINERS_ANNOTATION: CONTROLLER_CONTAINER}
    if args.replicas > 1:
        values["podDisruptionBudget"] = {"enabled": True, "maxUnavailable": 1}
        values["webhook"]["podDisruptionBudget"] = {"enabled": True, "maxUnavailable": 1}
    for key in ("", "webhook", "certController"):
        target = values[key] if key else values
        # Requests so the scheduler places them, a memory limit so a leak cannot starve the node.
        target["resources"] = {
            "requests": {"cpu": "50m", "memory": "64Mi"},
            "limits": {"memory": "256Mi"},
        }
        if args.replicas > 1 and key != "certController":
            target["topologySpreadConstraints"] = [
                {
                    "maxSkew": 1,
                    "topologyKey": "topology.kubernetes.io/zone",
                    "whenUnsatisfiable": "ScheduleAnyway",
                    "labelSelector": {
                        "matchLabels": {
                            "app.kubernetes.io/name": FULLNAME if not key else f"{FULLNAME}-webhook"
                        }
                    },
                }
            ]
        if args.tolerations:
            target["tolerations"] = [dict(t) for t in args.tolerations]
        if args.node_selector:
            target["nodeSelector"] = dict(args.node_selector)
    return deep_merge(values, args.values)


def prefixes_overlap(a: str, b: str) -> bool:
    """Whether two secret name prefixes match a common secret (one starts with the other)."""
    return a.startswith(b) or b.startswith(a)


def paths_overlap(a: str, b: str) -> bool:
    """Whether two parameter paths cover a common parameter (equal, or one below the other)."""
    return a == b or a.startswith(b + "/") or b.startswith(a + "/")


def _allow(actions: Sequence[str], resources: list[Any]) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": list(actions), "Resource": resources}


def _labels() -> dict[str, str]:
    return {"app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": FULLNAME}


def _checked_keys(arns: Sequence[pulumi.Input[str]], owner: str) -> list[pulumi.Input[str]]:
    """Key ARNs, Outputs checked once known (plain ones were checked by validate_settings)."""
    return [
        v.when_known(arn, _kms_key_arn, f"kms_key_arns[{i}]", owner) for i, arn in enumerate(arns)
    ]


# -- validation --------------------------------------------------------------------------------


def validate_args(args: ExternalSecretsArgs) -> ClusterRef:
    """Check ExternalSecretsArgs; raises InvalidArgument naming the field and the rule it broke."""
    v.check_fields(args, ExternalSecretsArgs)
    cluster = as_cluster_ref(args.cluster)
    validate_settings(args)
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
    return cluster


def validate_settings(args: ExternalSecretsArgs) -> None:
    """Check the plain (configurable) fields; a stack can run this before the cluster exists."""
    validate_mechanism(args.identity)
    v.dns_label(args.namespace, "namespace", "namespace")
    v.dns_subdomain(args.service_account, "service_account", "ServiceAccount name")
    _validate_scope(args.secret_prefixes, args.parameter_paths, args.kms_key_arns)
    for i, namespace in enumerate(args.store_namespaces):
        v.dns_label(namespace, f"store_namespaces[{i}]", "namespace")
    v.unique(args.store_namespaces, "store_namespaces", "namespace")
    if args.push_prefix is not None:
        secret_prefix(args.push_prefix, "push_prefix")
        for prefix in args.secret_prefixes:
            v.require(
                not prefix.startswith(args.push_prefix),
                "push_prefix",
                f"{args.push_prefix!r} contains the read prefix {prefix!r}: PushSecret could "
                "overwrite the secrets ExternalSecrets read; push under a prefix of its own",
            )
    v.positive_int(args.replicas, "replicas", minimum=1)
    helm.validate_chart(args.chart)
    v.require(
        isinstance(args.deletion_protection, bool), "deletion_protection", "must be true or false"
    )
    v.tolerations(args.tolerations, "tolerations")
    v.labels(args.node_selector, "node_selector")
    with v.nested("role"):
        iam.validate_role_settings(args.role)
    helm.validate_values(args.values, _MANAGED_VALUES, "values")
    _validate_tenants(args)


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
                iam.validate_role_settings(tenant.role)
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
