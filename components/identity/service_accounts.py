"""The Kubernetes side of a workload role: where its ServiceAccounts live, the ServiceAccounts
(and namespaces) it creates, and their one-owner claims.

A :class:`ResolvedBinding` is one cluster the role serves, with the namespace and ServiceAccount
there (plain names, or Outputs already wrapped in their checks). Every Namespace and
ServiceAccount a component creates is claimed on its cluster (:func:`components.naming.claim_object`):
plain names before anything is registered, Outputs once their value is known, so two
components of one program never own the same object.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

import pulumi
import pulumi_kubernetes as k8s

from .. import naming
from .cluster_ref import ClusterRef
from .oidc import ServiceAccountRef

if TYPE_CHECKING:
    from .workload_identity import WorkloadRoleArgs


@dataclass(frozen=True)
class ResolvedBinding:
    """A resolved cluster binding: where one ServiceAccount of the role lives."""

    key: str | None
    """The caller's name for the cluster (None for a single cluster)."""
    cluster: ClusterRef
    namespace: pulumi.Input[str]
    service_account: pulumi.Input[str]
    namespace_field: str = "namespace"
    """The argument the namespace came from, for errors."""
    service_account_field: str = "service_account"
    """The argument the ServiceAccount name came from, for errors."""

    @property
    def subject(self) -> ServiceAccountRef:
        return ServiceAccountRef(self.namespace, self.service_account)

    def resource_name(self, name: str, suffix: str = "") -> str:
        """``<name>[-<key>][-<suffix>]``: child names stay as they were with one cluster."""
        parts = [name, *([self.key] if self.key else []), *([suffix] if suffix else [])]
        return "-".join(parts)


def claim_objects(
    binding: ResolvedBinding, args: WorkloadRoleArgs, owner: str, by: pulumi.Resource
) -> None:
    """Claim the Namespace and ServiceAccount ``by`` creates on the binding's cluster, when
    their names are plain (Outputs are claimed once known, by :func:`create_service_account`)."""
    ns, sa = binding.namespace, binding.service_account
    if args.create_namespace and isinstance(ns, str):
        _claim(binding, "Namespace", "", ns, owner, by)
    if args.create_service_account and isinstance(ns, str) and isinstance(sa, str):
        _claim(binding, "ServiceAccount", ns, sa, owner, by)


_HINTS = {
    "Namespace": "create it in one of them (create_namespace=False in the others)",
    "ServiceAccount": "a ServiceAccount has one role: give one of them another service_account, "
    "or create_service_account=False where a chart creates it",
}


def _claim(
    binding: ResolvedBinding, kind: str, namespace: str, name: str, owner: str, by: object
) -> None:
    naming.claim_object(
        binding.cluster.provider,
        binding.cluster.key,
        kind,
        namespace,
        name,
        owner=owner,
        by=by,
        field=_field(binding, kind),
        hint=_HINTS[kind],
    )


def _field(binding: ResolvedBinding, kind: str) -> str:
    """The argument an object's claim names: where its name (or, for a ServiceAccount, its
    namespace) came from when a ClusterBinding set it, else the args' field."""
    if kind == "Namespace" or (
        binding.service_account_field == "service_account"
        and binding.namespace_field != "namespace"
    ):
        return binding.namespace_field
    return binding.service_account_field


def create_service_account(
    name: str,
    args: WorkloadRoleArgs,
    binding: ResolvedBinding,
    annotations: dict[str, pulumi.Input[str]],
    owner: str,
    parent: pulumi.Resource,
) -> k8s.core.v1.ServiceAccount:
    """The ServiceAccount (and its namespace when asked) on the binding's cluster; names that
    are Outputs are claimed once known."""
    opts = pulumi.ResourceOptions(parent=parent, provider=binding.cluster.provider)
    namespace: pulumi.Input[str] = binding.namespace
    if args.create_namespace:
        ns_name: pulumi.Input[str] = binding.namespace
        if not isinstance(ns_name, str):
            ns_name = pulumi.Output.from_input(cast(Any, ns_name)).apply(
                lambda n: _claimed(binding, "Namespace", "", n, owner, parent)
            )
        ns = k8s.core.v1.Namespace(
            binding.resource_name(name, "ns"),
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=ns_name, labels=pod_security_labels(args.pod_security)
            ),
            opts=opts,
        )
        namespace = ns.metadata.name
    sa_name = binding.service_account
    if not (isinstance(binding.namespace, str) and isinstance(sa_name, str)):
        sa_name = pulumi.Output.all(binding.namespace, sa_name).apply(
            lambda a: _claimed(binding, "ServiceAccount", a[0], a[1], owner, parent)
        )
    return k8s.core.v1.ServiceAccount(
        binding.resource_name(name, "sa"),
        metadata=k8s.meta.v1.ObjectMetaArgs(
            name=sa_name,
            namespace=namespace,
            annotations=annotations or None,
            labels={"app.kubernetes.io/managed-by": "pulumi", **args.service_account_labels},
        ),
        opts=opts,
    )


def _claimed(
    binding: ResolvedBinding, kind: str, namespace: str, name: str, owner: str, by: object
) -> str:
    """``name``, once claimed (its value known) for ``owner``."""
    _claim(binding, kind, namespace, name, owner, by)
    return name


def pod_security_labels(level: str) -> dict[str, str]:
    """The Pod Security Admission labels that enforce, warn about and audit ``level``."""
    return {
        f"pod-security.kubernetes.io/{mode}": level for mode in ("enforce", "warn", "audit")
    } | {"pod-security.kubernetes.io/enforce-version": "latest"}
