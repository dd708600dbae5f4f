"""The arguments of :class:`ExternalSecrets` and of its helpers, and the add-on's constants.

:class:`ExternalSecretsArgs` (the operator, its stores and its tenants) extends the shared
:class:`~components.addons.controller.ControllerArgs`; :class:`SecretsTenantSpec` is one
team's scope; :class:`StoreRef` and :class:`SecretValue` are what an ``ExternalSecret``
reads (:func:`components.addons.external_secrets.external_secret`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import pulumi

from ...identity.iam import RoleSettings
from ...identity.workload_identity import IdentityMechanism
from ..controller import ControllerArgs
from ..helm import ChartSpec

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
DEFAULT_RESOURCES: dict[str, dict[str, str]] = {
    "requests": {"cpu": "50m", "memory": "64Mi"},
    "limits": {"memory": "256Mi"},
}
"""Of each controller, webhook and cert-controller container: requests so the scheduler places
them, a memory limit so a leak cannot starve the node."""


def _default_resources() -> dict[str, dict[str, str]]:
    return {kind: dict(amounts) for kind, amounts in DEFAULT_RESOURCES.items()}


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


def tenant_namespace(key: str, tenant: SecretsTenantSpec) -> str:
    """The tenant's namespace: its own, or its key."""
    return tenant.namespace or key


@dataclass(kw_only=True)
class ExternalSecretsArgs(ControllerArgs):
    """Arguments of :class:`ExternalSecrets`. In stack config: ``eks-platform:externalSecrets``
    (camelCase keys; ``cluster`` is set in code)."""

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
    (``spec.conditions``). Empty: every namespace (the staging and prod stacks refuse that
    unless ``stores_for_every_namespace``). This limits the ClusterSecretStores only; with
    ``pod-identity``, a SecretStore without ``auth`` in any namespace still gets the
    controller's role."""
    stores_for_every_namespace: bool = False
    """Say that the shared ClusterSecretStores serve every namespace on purpose
    (``store_namespaces`` empty): anyone who may create an ExternalSecret anywhere then reads
    the whole shared scope. The staging and prod stacks refuse an empty ``store_namespaces``
    without it; it cannot be combined with a ``store_namespaces`` list."""
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
    resources: dict[str, dict[str, str]] = field(default_factory=_default_resources)
    """CPU and memory requests and limits of each controller, webhook and cert-controller
    container."""
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
    """Further chart values, deep-merged over the component's (e.g. ``concurrent``, ``log``).
    Values the component sets from an argument are refused here: use the argument."""


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


def labels() -> dict[str, str]:
    """The labels of the objects the add-on writes (stores, ExternalSecrets)."""
    return {"app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": FULLNAME}
