"""``PodIdentityRole``: the EKS Pod Identity alternative to IRSA.

With Pod Identity the role trusts the EKS service (``pods.eks.amazonaws.com``,
``sts:AssumeRole`` and ``sts:TagSession``), not a cluster's OIDC issuer; the
binding to a ServiceAccount is an ``aws.eks.PodIdentityAssociation``, and the
``eks-pod-identity-agent`` add-on on each node hands pods their credentials.

Use it when: one role serves many clusters (no per-cluster trust edits, no OIDC
provider per cluster), or the trust policy's size limit bites. Use IRSA when the
pods run on Fargate (no agent there), on clusters outside EKS, or with tools
that only understand the ``role-arn`` annotation.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from . import iam
from .service_account import (
    WorkloadIdentityArgs,
    WorkloadRole,
    validate_workload_identity,
)

POD_IDENTITY_PRINCIPAL = "pods.eks.amazonaws.com"
POD_IDENTITY_ACTIONS = ("sts:AssumeRole", "sts:TagSession")


@dataclass
class PodIdentityRoleArgs(WorkloadIdentityArgs):
    """Arguments of :class:`PodIdentityRole`: the shared workload-identity arguments."""


class PodIdentityRole(WorkloadRole):
    """An IAM role bound to one ServiceAccount through an EKS Pod Identity association."""

    association_id: pulumi.Output[str]
    """Id of the Pod Identity association."""

    def __init__(
        self, name: str, args: PodIdentityRoleArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        validate_workload_identity(args)
        super().__init__("eks-platform:index:PodIdentityRole", name, None, opts)
        agent = args.cluster.ensure_pod_identity_agent()
        role = iam.create_role(
            name,
            iam.service_trust_policy(POD_IDENTITY_PRINCIPAL, POD_IDENTITY_ACTIONS),
            args.policies,
            parent=self,
        )
        association = aws.eks.PodIdentityAssociation(
            name,
            cluster_name=args.cluster.name,
            namespace=args.namespace,
            service_account=args.service_account,
            role_arn=role.arn,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[agent] if agent else None),
        )
        self.association_id = association.association_id
        self._finish(
            name, args, role, pulumi.Output.from_input({}), {"associationId": self.association_id}
        )
