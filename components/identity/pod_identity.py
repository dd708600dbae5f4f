"""``PodIdentityRole``: the EKS Pod Identity alternative to IRSA.

With Pod Identity the role trusts the EKS service (``pods.eks.amazonaws.com``,
``sts:AssumeRole`` and ``sts:TagSession``), not a cluster's OIDC issuer; the binding to a
ServiceAccount is an ``aws.eks.PodIdentityAssociation``, and the ``eks-pod-identity-agent``
add-on on each node hands pods their credentials.

Use it when one role serves many clusters (no per-cluster trust edits, no OIDC provider per
cluster), or the trust policy's size limit bites. Use IRSA when the pods run on Fargate (no
agent there), on clusters outside EKS, or with tools that only understand the ``role-arn``
annotation.
"""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pulumi_aws as aws

from .. import aws_context
from .. import validation as v
from .oidc import merge_conditions
from .workload_identity import WorkloadRole, WorkloadRoleArgs, plan

POD_IDENTITY_PRINCIPAL = "pods.eks.amazonaws.com"
POD_IDENTITY_ACTIONS = ("sts:AssumeRole", "sts:TagSession")
SESSION_TAGS = {
    "cluster": "aws:RequestTag/eks-cluster-name",
    "namespace": "aws:RequestTag/kubernetes-namespace",
    "service_account": "aws:RequestTag/kubernetes-service-account",
}
"""The session tags EKS Pod Identity sets when it assumes a role, used to narrow the trust."""


class PodIdentityRole(WorkloadRole):
    """An IAM role bound to one ServiceAccount through an EKS Pod Identity association.

    Creates, as children:

    * ``aws.iam.Role`` trusted by ``pods.eks.amazonaws.com`` (``sts:AssumeRole``,
      ``sts:TagSession``) only for this account (``aws:SourceAccount``) and only with the
      session tags EKS sets for this cluster, namespace and ServiceAccount;
    * its policies: the inline policy ``permissions``, ``managed_policy_arns``,
      ``inline_policies``;
    * ``aws.eks.PodIdentityAssociation`` per cluster, and the ServiceAccount when asked.

    The ``eks-pod-identity-agent`` add-on must run on the cluster: an ``EksCluster`` installs
    it; for a cluster managed elsewhere the association waits for a deploy-time check that
    the add-on exists, and fails with a clear message when it does not.

    Args: :class:`~components.identity.workload_identity.WorkloadRoleArgs` (the same as
    :class:`IrsaRole`'s). Outputs: ``role_arn``, ``role_name``, ``service_account_name``,
    ``service_account_namespace``, ``association_ids``.
    """

    association_ids: dict[str | None, pulumi.Output[str]]
    """Ids of the Pod Identity associations, by cluster name (None for a single cluster)."""

    def __init__(
        self, name: str, args: WorkloadRoleArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        """Create the role, the association(s) and the ServiceAccount(s); see :class:`PodIdentityRole`."""
        with v.component_errors("PodIdentityRole", name):
            planned = plan(self, "PodIdentityRole", name, args, opts)
            _refuse_irsa_only(args)
        super().__init__("eks-platform:index:PodIdentityRole", name, None, opts)
        provider = planned.aws_provider
        ready = [b.cluster.pod_identity_ready(planned.owner, provider) for b in planned.bindings]
        trust = pulumi.Output.all(
            aws_context.account_id(provider),
            pulumi.Output.from_input(args.trust_conditions),
            *[
                pulumi.Output.all(b.cluster.name, b.namespace, b.service_account)
                for b in planned.bindings
            ],
        ).apply(
            lambda a: json.dumps(
                pod_identity_trust_policy([(c[0], c[1], c[2]) for c in a[2:]], a[0], a[1])
            )
        )
        self._create(name, args, planned, trust, lambda _: {})
        self.association_ids = {}
        for binding, (cluster_name, depends_on) in zip(planned.bindings, ready, strict=True):
            association = aws.eks.PodIdentityAssociation(
                binding.resource_name(name),
                cluster_name=cluster_name,
                namespace=binding.namespace,
                service_account=binding.service_account,
                role_arn=self.role_arn,
                # An EKS call on the cluster: through the cluster's AWS provider when it has one.
                opts=pulumi.ResourceOptions(
                    parent=self,
                    depends_on=depends_on or None,
                    provider=binding.cluster.aws_provider,
                ),
            )
            self.association_ids[binding.key] = association.association_id
        self.register_outputs(
            {**self._outputs(), "associationIds": list(self.association_ids.values())}
        )


def pod_identity_trust_policy(
    bindings: list[tuple[str, str, str]], account_id: str, conditions: Any = None
) -> dict[str, Any]:
    """The trust policy admitting EKS Pod Identity for each (cluster, namespace, ServiceAccount)."""
    statements = []
    for cluster_name, namespace, service_account in bindings:
        condition = {
            "StringEquals": {
                "aws:SourceAccount": account_id,
                SESSION_TAGS["cluster"]: cluster_name,
                SESSION_TAGS["namespace"]: namespace,
                SESSION_TAGS["service_account"]: service_account,
            }
        }
        statements.append(
            {
                "Effect": "Allow",
                "Principal": {"Service": POD_IDENTITY_PRINCIPAL},
                "Action": list(POD_IDENTITY_ACTIONS),
                "Condition": merge_conditions(condition, conditions),
            }
        )
    return {"Version": "2012-10-17", "Statement": statements}


def _refuse_irsa_only(args: WorkloadRoleArgs) -> None:
    v.require(
        args.oidc is None,
        "oidc",
        "Pod Identity does not use an OIDC provider; leave it unset (or use IrsaRole)",
    )
    v.require(
        not args.extra_service_accounts,
        "extra_service_accounts",
        "IRSA only: with Pod Identity each ServiceAccount needs its own association; "
        "bind the role on each cluster with cluster={...: ClusterBinding(...)}",
    )


__all__ = ["PodIdentityRole", "pod_identity_trust_policy"]
