"""The Kubernetes ServiceAccount a workload role is bound to.

:class:`WorkloadIdentityArgs` holds what :class:`~components.irsa.IrsaRole` and
:class:`~components.pod_identity.PodIdentityRole` share (the cluster, the
ServiceAccount, the role's policies), so switching a workload between IRSA and
Pod Identity means changing the class, not the arguments.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws
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


class WorkloadRole(pulumi.ComponentResource):
    """What :class:`IrsaRole` and :class:`PodIdentityRole` share: a role and its ServiceAccount."""

    role: aws.iam.Role
    """The IAM role."""
    role_arn: pulumi.Output[str]
    """ARN of the role."""
    role_name: pulumi.Output[str]
    """Name of the role."""
    service_account_name: pulumi.Output[str]
    """Name of the ServiceAccount."""
    service_account_namespace: pulumi.Output[str]
    """Namespace of the ServiceAccount."""
    service_account_annotations: pulumi.Output[dict[str, str]]
    """The annotations that bind a ServiceAccount to the role (for charts that create their own
    ServiceAccount); empty for Pod Identity, which needs none."""
    service_account: k8s.core.v1.ServiceAccount | None
    """The ServiceAccount, when created."""

    def _finish(
        self,
        name: str,
        args: WorkloadIdentityArgs,
        role: aws.iam.Role,
        annotations: pulumi.Output[dict[str, str]],
        extra_outputs: dict[str, pulumi.Output[str]] | None = None,
    ) -> None:
        """Create the ServiceAccount, set the shared outputs and register them (the last step)."""
        self.role = role
        self.role_arn = role.arn
        self.role_name = role.name
        self.service_account_annotations = annotations
        self.service_account = create_service_account(name, args, annotations, parent=self)
        if self.service_account is not None:
            self.service_account_name = self.service_account.metadata.name
            self.service_account_namespace = self.service_account.metadata.namespace
        else:
            self.service_account_name = pulumi.Output.from_input(args.service_account)
            self.service_account_namespace = pulumi.Output.from_input(args.namespace)
        self.register_outputs(
            {
                "roleArn": self.role_arn,
                "roleName": self.role_name,
                "serviceAccountName": self.service_account_name,
                "serviceAccountNamespace": self.service_account_namespace,
                **(extra_outputs or {}),
            }
        )
