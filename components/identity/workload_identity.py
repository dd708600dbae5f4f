"""Workload identity: an IAM role for the pods of one ServiceAccount, by IRSA or EKS Pod Identity.

What :class:`~components.identity.irsa.IrsaRole` and :class:`~components.identity.pod_identity.PodIdentityRole`
share lives here: their arguments (:class:`WorkloadRoleArgs`, the same for both, so switching
mechanism is a change of class), the clusters a role is bound to (:class:`ClusterBinding`, for
blue/green), the base class that creates the role, its policies and the ServiceAccounts, and
:func:`create_workload_role`, through which the controllers make theirs from one
:data:`IdentityMechanism` argument.
"""

from __future__ import annotations

import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from .. import validation as v
from . import iam, permissions
from .cluster_ref import ClusterRef, as_cluster_ref
from .iam import RoleSettings
from .oidc import DEFAULT_TRUST_POLICY_MAX, Conditions, OidcTrust, ServiceAccountRef
from .permissions import Grant

if TYPE_CHECKING:
    from ..cluster import EksCluster

IdentityMechanism = Literal["irsa", "pod-identity"]
"""How a workload's pods get their role: ``irsa`` (a ServiceAccount annotation and the
cluster's OIDC provider; works on Fargate) or ``pod-identity`` (an EKS Pod Identity
association; needs the ``eks-pod-identity-agent``, which does not run on Fargate)."""
MECHANISMS: tuple[str, ...] = typing.get_args(IdentityMechanism)
PERMISSIONS_POLICY = "permissions"
"""Name of the inline policy that holds the statements of ``permissions``."""


@dataclass(kw_only=True)
class ClusterBinding:
    """One cluster a role serves, with the ServiceAccount there when it differs from the args'."""

    cluster: EksCluster | ClusterRef
    """The cluster."""
    namespace: str | None = None
    """Namespace of the ServiceAccount on this cluster (default: ``WorkloadRoleArgs.namespace``)."""
    service_account: str | None = None
    """Name of the ServiceAccount on this cluster (default: ``WorkloadRoleArgs.service_account``)."""


ClusterTarget: TypeAlias = "EksCluster | ClusterRef | ClusterBinding"


@dataclass(kw_only=True)
class WorkloadRoleArgs:
    """Arguments of :class:`~components.identity.irsa.IrsaRole` and :class:`~components.identity.pod_identity.PodIdentityRole`.

    The minimum is the cluster, the ServiceAccount and what the role may do::

        WorkloadRoleArgs(cluster=cluster, namespace="reports", service_account="reader",
                         permissions=[permissions.s3_read("example-reports")])
    """

    cluster: EksCluster | ClusterRef | Mapping[str, ClusterTarget]
    """The cluster the pods run on; for a role several clusters share (blue/green), a mapping
    of names you choose to clusters or :class:`ClusterBinding` (the names prefix the resources
    made per cluster: ``{"blue": blue, "green": green}``)."""
    namespace: str
    """Namespace of the ServiceAccount."""
    service_account: str
    """Name of the ServiceAccount."""
    permissions: Sequence[Grant] = ()
    """What the role may do: grants from :mod:`~components.identity.permissions`
    (``permissions.s3_read("bucket")``); their statements form the inline policy ``permissions``."""
    managed_policy_arns: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Managed policies to attach, keyed by names you choose (``{"readonly": arn}``); ARNs may
    be Outputs of other resources or stacks."""
    inline_policies: Mapping[str, pulumi.Input[Mapping[str, Any]]] = field(default_factory=dict)
    """Further inline policy documents by policy name. Plain documents are checked now, Outputs
    when their value is known."""
    role: RoleSettings = field(default_factory=RoleSettings)
    """The role's name, path, permissions boundary, session length and tags."""
    create_service_account: bool = True
    """Create the ServiceAccount (in every cluster). False for charts that create their own:
    give them ``service_account_annotations``."""
    create_namespace: bool = False
    """Create the namespace too (only one component may create a given namespace)."""
    pod_security: Literal["restricted", "baseline", "privileged"] = "restricted"
    """The Pod Security Admission level of a namespace this component creates (enforced, and
    warned and audited): ``restricted`` unless the workload needs more (``baseline`` for pods
    that need e.g. host ports, with the reason in a comment where you set it)."""
    service_account_labels: dict[str, str] = field(default_factory=dict)
    """Labels on the ServiceAccount."""
    trust_conditions: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """Further conditions ANDed into every trust statement, ``{"<operator>": {"<key>": value}}``
    (e.g. ``{"IpAddress": {"aws:SourceIp": ["10.0.0.0/8"]}}``); they may not replace the
    component's own keys."""
    oidc: OidcTrust | Sequence[OidcTrust] | None = None
    """IRSA only: the OIDC trusts to admit the ServiceAccount through, instead of each cluster's
    own (``cluster.oidc``): for a role trusted by clusters this program does not bind."""
    extra_service_accounts: Sequence[ServiceAccountRef] = ()
    """IRSA only: further ServiceAccounts the role trusts on every cluster (not created here);
    ``pattern=True`` ones use StringLike."""
    max_trust_policy_size: int = DEFAULT_TRUST_POLICY_MAX
    """IRSA only: the account's trust-policy size quota (2048 by default, up to 4096 when raised)."""


@dataclass(frozen=True)
class ResolvedBinding:
    """A resolved cluster binding: where one ServiceAccount of the role lives."""

    key: str | None
    """The caller's name for the cluster (None for a single cluster)."""
    cluster: ClusterRef
    namespace: str
    service_account: str

    @property
    def subject(self) -> ServiceAccountRef:
        return ServiceAccountRef(self.namespace, self.service_account)

    def resource_name(self, name: str, suffix: str = "") -> str:
        """``<name>[-<key>][-<suffix>]``: child names stay as they were with one cluster."""
        parts = [name, *([self.key] if self.key else []), *([suffix] if suffix else [])]
        return "-".join(parts)


@dataclass
class Plan:
    """Everything a workload role needs, validated before anything is registered."""

    bindings: list[ResolvedBinding]
    role_name: str
    settings: RoleSettings
    managed_policy_arns: dict[str, pulumi.Input[str]]
    inline_policies: dict[str, pulumi.Input[str]]


def plan(component: pulumi.Resource, kind: str, name: str, args: WorkloadRoleArgs) -> Plan:
    """Check ``args`` for a ``kind`` role named ``name``; raises InvalidArgument naming the field."""
    owner = f"{kind} {name!r}"
    v.check_fields(args, WorkloadRoleArgs)
    v.dns_label(args.namespace, "namespace", "namespace")
    v.dns_subdomain(args.service_account, "service_account", "ServiceAccount name")
    v.labels(args.service_account_labels, "service_account_labels")
    v.require(
        args.create_service_account or not args.create_namespace,
        "create_namespace",
        "creating the namespace without the ServiceAccount is not supported; create it separately",
    )
    bindings = _bindings(args)
    with v.nested("role"):
        settings = iam.validate_role_settings(args.role, owner)
    managed = iam.validate_policy_arns(args.managed_policy_arns, "managed_policy_arns", owner)
    iam.validate_inline_policies(args.inline_policies, "inline_policies")
    v.require(
        PERMISSIONS_POLICY not in args.inline_policies or not args.permissions,
        "inline_policies",
        f"{PERMISSIONS_POLICY!r} is the policy made from permissions; name yours differently",
    )
    _validate_conditions(args.trust_conditions)
    inline: dict[str, pulumi.Input[str]] = {
        key: iam.policy_json(doc, f"inline_policies[{key!r}]", owner)
        for key, doc in args.inline_policies.items()
    }
    if args.permissions:
        inline[PERMISSIONS_POLICY] = iam.policy_json(
            permissions.policy_document(args.permissions), "permissions", owner
        )
    return Plan(
        bindings=bindings,
        role_name=iam.resolve_role_name(name, args.role, owner, component),
        settings=settings,
        managed_policy_arns=managed,
        inline_policies=inline,
    )


def _bindings(args: WorkloadRoleArgs) -> list[ResolvedBinding]:
    if not isinstance(args.cluster, Mapping):
        ref = as_cluster_ref(args.cluster, "cluster")
        return [ResolvedBinding(None, ref, args.namespace, args.service_account)]
    v.require(len(args.cluster) > 0, "cluster", "give at least one cluster")
    bindings = []
    for key, target in args.cluster.items():
        where = f"cluster[{key!r}]"
        v.resource_key(key, "cluster")
        if isinstance(target, ClusterBinding):
            ref = as_cluster_ref(target.cluster, f"{where}.cluster")
            namespace = target.namespace or args.namespace
            service_account = target.service_account or args.service_account
            v.dns_label(namespace, f"{where}.namespace", "namespace")
            v.dns_subdomain(service_account, f"{where}.service_account", "ServiceAccount name")
        else:
            ref = as_cluster_ref(target, where)
            namespace, service_account = args.namespace, args.service_account
        bindings.append(ResolvedBinding(key, ref, namespace, service_account))
    v.unique([str(id(b.cluster)) for b in bindings], "cluster", "cluster (the same one twice)")
    return bindings


def _validate_conditions(conditions: Any) -> None:
    for operator, keys in conditions.items():
        v.require(
            isinstance(operator, str) and bool(operator),
            "trust_conditions",
            f"{operator!r} is not an IAM condition operator (e.g. StringEquals)",
        )
        v.require(
            isinstance(keys, Mapping) and len(keys) > 0,
            f"trust_conditions.{operator}",
            "must map condition keys to values",
        )


class WorkloadRole(pulumi.ComponentResource):
    """What :class:`IrsaRole` and :class:`PodIdentityRole` share: a role and its ServiceAccounts."""

    role: aws.iam.Role
    """The IAM role."""
    role_arn: pulumi.Output[str]
    """ARN of the role."""
    role_name: pulumi.Output[str]
    """Name of the role."""
    service_account_name: pulumi.Output[str]
    """Name of the ServiceAccount (on the first cluster)."""
    service_account_namespace: pulumi.Output[str]
    """Namespace of the ServiceAccount (on the first cluster)."""
    service_account_annotations: dict[str, pulumi.Input[str]]
    """The annotations that bind a ServiceAccount to the role, for charts that create their own
    (IRSA: ``eks.amazonaws.com/role-arn``); empty for Pod Identity, which needs none."""
    service_account: k8s.core.v1.ServiceAccount | None
    """The ServiceAccount, when created (on the first cluster)."""
    service_accounts: dict[str | None, k8s.core.v1.ServiceAccount]
    """Every ServiceAccount created, by cluster name (None for a single cluster)."""

    def _create(
        self,
        name: str,
        args: WorkloadRoleArgs,
        planned: Plan,
        trust_policy: pulumi.Input[str],
        annotations: typing.Callable[[aws.iam.Role], dict[str, pulumi.Input[str]]],
    ) -> None:
        """The role, its policies and the ServiceAccounts (annotated with ``annotations(role)``);
        sets the shared outputs."""
        self.role = iam.create_role(
            name,
            role_name=planned.role_name,
            trust_policy=trust_policy,
            settings=planned.settings,
            parent=self,
            managed_policy_arns=planned.managed_policy_arns,
            inline_policies=planned.inline_policies,
        )
        self.role_arn = self.role.arn
        self.role_name = self.role.name
        self.service_account_annotations = annotations(self.role)
        self.service_accounts = {}
        if args.create_service_account:
            for binding in planned.bindings:
                self.service_accounts[binding.key] = _service_account(
                    name, args, binding, self.service_account_annotations, parent=self
                )
        first = planned.bindings[0]
        self.service_account = self.service_accounts.get(first.key)
        if self.service_account is not None:
            self.service_account_name = self.service_account.metadata.name
            self.service_account_namespace = self.service_account.metadata.namespace
        else:
            self.service_account_name = pulumi.Output.from_input(first.service_account)
            self.service_account_namespace = pulumi.Output.from_input(first.namespace)

    def _outputs(self) -> dict[str, Any]:
        return {
            "roleArn": self.role_arn,
            "roleName": self.role_name,
            "serviceAccountName": self.service_account_name,
            "serviceAccountNamespace": self.service_account_namespace,
        }


def _service_account(
    name: str,
    args: WorkloadRoleArgs,
    binding: ResolvedBinding,
    annotations: dict[str, pulumi.Input[str]],
    parent: pulumi.Resource,
) -> k8s.core.v1.ServiceAccount:
    """The ServiceAccount (and its namespace when asked) on the binding's cluster."""
    opts = pulumi.ResourceOptions(parent=parent, provider=binding.cluster.provider)
    namespace: pulumi.Input[str] = binding.namespace
    if args.create_namespace:
        ns = k8s.core.v1.Namespace(
            binding.resource_name(name, "ns"),
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=binding.namespace, labels=pod_security_labels(args.pod_security)
            ),
            opts=opts,
        )
        namespace = ns.metadata.name
    return k8s.core.v1.ServiceAccount(
        binding.resource_name(name, "sa"),
        metadata=k8s.meta.v1.ObjectMetaArgs(
            name=binding.service_account,
            namespace=namespace,
            annotations=annotations or None,
            labels={"app.kubernetes.io/managed-by": "pulumi", **args.service_account_labels},
        ),
        opts=opts,
    )


def pod_security_labels(level: str) -> dict[str, str]:
    """The Pod Security Admission labels that enforce, warn about and audit ``level``."""
    return {
        f"pod-security.kubernetes.io/{mode}": level for mode in ("enforce", "warn", "audit")
    } | {"pod-security.kubernetes.io/enforce-version": "latest"}


def validate_mechanism(mechanism: Any, field_name: str = "identity") -> None:
    """``irsa`` or ``pod-identity``."""
    v.one_of(mechanism, MECHANISMS, field_name)


__all__ = [
    "MECHANISMS",
    "ClusterBinding",
    "ClusterTarget",
    "Conditions",
    "IdentityMechanism",
    "ResolvedBinding",
    "WorkloadRole",
    "WorkloadRoleArgs",
    "plan",
]
