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

from .. import aws_context
from .. import validation as v
from . import iam, permissions
from .cluster_ref import ClusterRef, as_cluster_ref
from .iam import RoleSettings
from .oidc import DEFAULT_TRUST_POLICY_MAX, Conditions, OidcTrust, ServiceAccountRef
from .permissions import Grant
from .service_accounts import (
    ResolvedBinding,
    claim_objects,
    create_service_account,
    pod_security_labels,
)

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
    namespace: pulumi.Input[str] | None = None
    """Namespace of the ServiceAccount on this cluster (default: ``WorkloadRoleArgs.namespace``);
    a name or an Output, as there."""
    service_account: pulumi.Input[str] | None = None
    """Name of the ServiceAccount on this cluster (default: ``WorkloadRoleArgs.service_account``);
    a name or an Output, as there."""


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
    namespace: pulumi.Input[str]
    """Namespace of the ServiceAccount: a name, or an Output such as ``ns.metadata.name`` (the
    trust policy and the ServiceAccount are then built once it is known, and it is checked
    then; resource names derive from the component's name, never from it)."""
    service_account: pulumi.Input[str]
    """Name of the ServiceAccount: a name, or an Output (as ``namespace``). Only one component
    may create a given ServiceAccount on a cluster."""
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


@dataclass
class Plan:
    """Everything a workload role needs, validated before anything is registered."""

    bindings: list[ResolvedBinding]
    role_name: str
    settings: RoleSettings
    managed_policy_arns: dict[str, pulumi.Input[str]]
    inline_policies: dict[str, pulumi.Input[str]]
    owner: str
    """The component as errors name it: ``IrsaRole 'api'``."""
    aws_provider: pulumi.ProviderResource | None
    """The component's AWS provider (None: the default one)."""


def plan(
    component: pulumi.Resource,
    kind: str,
    name: str,
    args: WorkloadRoleArgs,
    opts: pulumi.ResourceOptions | None = None,
) -> Plan:
    """Check ``args`` for a ``kind`` role named ``name`` created with ``opts``; raises
    InvalidArgument naming the field. Claims the role's name and the Kubernetes objects it
    creates for ``component``."""
    owner = f"{kind} {name!r}"
    v.check_fields(args, WorkloadRoleArgs)
    v.resource_options(opts)
    namespace = _namespace(args.namespace, "namespace", owner)
    service_account = _service_account_name(args.service_account, "service_account", owner)
    v.labels(args.service_account_labels, "service_account_labels")
    v.require(
        args.create_service_account or not args.create_namespace,
        "create_namespace",
        "creating the namespace without the ServiceAccount is not supported; create it separately",
    )
    bindings = _bindings(args, namespace, service_account, owner)
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
    provider = aws_context.provider_of(opts)
    if args.permissions:
        inline[PERMISSIONS_POLICY] = iam.policy_json(
            permissions.policy_document(args.permissions, provider, owner),
            "permissions",
            owner,
        )
    role_name = iam.resolve_role_name(name, args.role, owner, component)
    for binding in bindings:
        claim_objects(binding, args, owner, component)
    return Plan(
        bindings=bindings,
        role_name=role_name,
        settings=settings,
        managed_policy_arns=managed,
        inline_policies=inline,
        owner=owner,
        aws_provider=provider,
    )


def _namespace(value: Any, field_name: str, owner: str) -> pulumi.Input[str]:
    """A namespace name: checked now when plain, once known when an Output."""
    return v.when_known(value, lambda x, f: v.dns_label(x, f, "namespace"), field_name, owner)


def _service_account_name(value: Any, field_name: str, owner: str) -> pulumi.Input[str]:
    """A ServiceAccount name: checked now when plain, once known when an Output."""
    return v.when_known(
        value, lambda x, f: v.dns_subdomain(x, f, "ServiceAccount name"), field_name, owner
    )


def _bindings(
    args: WorkloadRoleArgs,
    namespace: pulumi.Input[str],
    service_account: pulumi.Input[str],
    owner: str,
) -> list[ResolvedBinding]:
    if not isinstance(args.cluster, Mapping):
        ref = as_cluster_ref(args.cluster, "cluster")
        return [ResolvedBinding(None, ref, namespace, service_account)]
    v.require(len(args.cluster) > 0, "cluster", "give at least one cluster")
    bindings = []
    for key, target in args.cluster.items():
        where = f"cluster[{key!r}]"
        v.resource_key(key, "cluster")
        if not isinstance(target, ClusterBinding):
            target = ClusterBinding(cluster=as_cluster_ref(target, where))
        ns_field, sa_field = (
            (f"{where}.namespace", "namespace")[target.namespace is None],
            (f"{where}.service_account", "service_account")[target.service_account is None],
        )
        binding = ResolvedBinding(
            key,
            as_cluster_ref(target.cluster, f"{where}.cluster"),
            namespace
            if target.namespace is None
            else _namespace(target.namespace, ns_field, owner),
            service_account
            if target.service_account is None
            else _service_account_name(target.service_account, sa_field, owner),
            ns_field,
            sa_field,
        )
        bindings.append(binding)
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
                self.service_accounts[binding.key] = create_service_account(
                    name, args, binding, self.service_account_annotations, planned.owner, self
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
    "pod_security_labels",
]
