"""The Kubernetes ServiceAccount a workload role is bound to.

:class:`WorkloadIdentityArgs` holds what :class:`~components.irsa.IrsaRole` and
:class:`~components.pod_identity.PodIdentityRole` share (the cluster, the
ServiceAccount, the role's policies), so switching a workload between IRSA and
Pod Identity means changing the class, not the arguments.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pulumi
import pulumi_kubernetes as k8s

from . import iam
from . import validation as v
from .cluster_ref import ClusterRef


@dataclass
class WorkloadIdentityArgs:
    """A role for the pods that run as one ServiceAccount."""

    cluster: ClusterRef
    """The cluster (``EksCluster.ref``, or a ``ClusterRef`` for a cluster created elsewhere)."""
    namespace: str
    """Namespace of the ServiceAccount."""
    service_account: str
    """Name of the ServiceAccount."""
    policies: iam.RolePolicyArgs = field(default_factory=iam.RolePolicyArgs)
    """What the role may do, and its name, path, boundary, session length and tags."""
    create_service_account: bool = True
    """Create the ServiceAccount. False for charts that create their own: put
    ``service_account_annotations`` into the chart's values instead."""
    create_namespace: bool = False
    """Create the namespace too (only one component may create a given namespace)."""
    service_account_labels: dict[str, str] = field(default_factory=dict)
    """Labels on the ServiceAccount."""


def validate_workload_identity(args: WorkloadIdentityArgs) -> None:
    """Check the shared arguments; raises ValueError naming the field."""
    v.dns_label(args.namespace, "namespace", "namespace")
    v.dns_subdomain(args.service_account, "service_account", "ServiceAccount name")
    v.labels(args.service_account_labels, "service_account_labels")
    v.require(
        args.create_service_account or not args.create_namespace,
        "create_namespace",
        "creating the namespace without the ServiceAccount is not supported; create it separately",
    )
    iam.validate_role_policy_args(args.policies, "policies.")


def create_service_account(
    name: str,
    args: WorkloadIdentityArgs,
    annotations: pulumi.Output[dict[str, str]] | dict[str, str],
    parent: pulumi.Resource,
    depends_on: list[pulumi.Resource] | None = None,
) -> k8s.core.v1.ServiceAccount | None:
    """The ServiceAccount (and its namespace when asked) on the cluster's provider, or None."""
    if not args.create_service_account:
        return None
    opts = pulumi.ResourceOptions(
        parent=parent, provider=args.cluster.provider, depends_on=depends_on
    )
    namespace: pulumi.Input[str] = args.namespace
    if args.create_namespace:
        ns = k8s.core.v1.Namespace(
            f"{name}-ns", metadata=k8s.meta.v1.ObjectMetaArgs(name=args.namespace), opts=opts
        )
        namespace = ns.metadata.name
    return k8s.core.v1.ServiceAccount(
        f"{name}-sa",
        metadata=k8s.meta.v1.ObjectMetaArgs(
            name=args.service_account,
            namespace=namespace,
            annotations=annotations,
            labels={"app.kubernetes.io/managed-by": "pulumi", **args.service_account_labels},
        ),
        opts=opts,
    )
