"""``IrsaRole``: an IAM role for a ServiceAccount (IRSA), and the annotated ServiceAccount.

The role trusts the cluster's OIDC provider for exactly the
``system:serviceaccount:<namespace>:<name>`` subjects it serves (:mod:`components.identity.oidc`);
the ServiceAccount carries ``eks.amazonaws.com/role-arn``, which makes EKS's pod identity
webhook inject ``AWS_ROLE_ARN`` and a projected token into its pods, so the AWS SDKs in
them assume the role with no access keys anywhere.
"""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import pulumi_aws as aws

from .. import validation as v
from .oidc import OidcTrust, ServiceAccountRef, check_trust_policy_size, combined_trust_policy
from .workload_identity import Plan, WorkloadRole, WorkloadRoleArgs, plan

ROLE_ARN_ANNOTATION = "eks.amazonaws.com/role-arn"
REGIONAL_STS_ANNOTATION = "eks.amazonaws.com/sts-regional-endpoints"


class IrsaRole(WorkloadRole):
    """An IAM role that only one ServiceAccount's pods can assume (IRSA), and that ServiceAccount.

    Creates, as children:

    * ``aws.iam.Role`` whose trust policy admits, through the cluster's IAM OIDC provider
      (``cluster.oidc``), tokens with ``sub`` ``system:serviceaccount:<namespace>:<name>`` and
      ``aud`` ``sts.amazonaws.com`` (``StringEquals`` on both), and nothing else;
    * its policies: the inline policy ``permissions`` (from ``args.permissions``), attachments
      of ``managed_policy_arns``, further ``inline_policies``;
    * the ServiceAccount (and the namespace when asked), annotated with
      ``eks.amazonaws.com/role-arn``; one per cluster for a role several clusters share.

    Args: :class:`~components.identity.workload_identity.WorkloadRoleArgs` (the same as
    :class:`PodIdentityRole`'s: switching mechanism is a change of class).

    Outputs: ``role_arn``, ``role_name``, ``service_account_name``,
    ``service_account_namespace``; ``service_account_annotations`` for charts that create
    their own ServiceAccount. Every mistake in the arguments is refused before anything is
    registered, with an error naming the component and the field.
    """

    def __init__(
        self, name: str, args: WorkloadRoleArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        """Create the role and its ServiceAccount(s); see :class:`IrsaRole`."""
        with v.component_errors("IrsaRole", name):
            planned = plan(self, "IrsaRole", name, args, opts)
            trusts = trust_subjects(args, planned)
        super().__init__("eks-platform:index:IrsaRole", name, None, opts)
        trust_policy = combined_trust_policy(
            trusts, args.trust_conditions, args.max_trust_policy_size, planned.owner
        )
        self._create(name, args, planned, trust_policy, service_account_annotations)
        self.register_outputs(self._outputs())


def service_account_annotations(role: aws.iam.Role) -> dict[str, pulumi.Input[str]]:
    """What binds a ServiceAccount to ``role`` through IRSA."""
    return {ROLE_ARN_ANNOTATION: role.arn, REGIONAL_STS_ANNOTATION: "true"}


def trust_subjects(
    args: WorkloadRoleArgs, planned: Plan
) -> list[tuple[OidcTrust, Sequence[ServiceAccountRef]]]:
    """Each OIDC trust with the ServiceAccounts it admits; checks the trust policy's size."""
    extras = [
        sa.validate(f"extra_service_accounts[{i}]", planned.owner)
        for i, sa in enumerate(args.extra_service_accounts)
    ]
    v.positive_int(args.max_trust_policy_size, "max_trust_policy_size", 2048, 4096)
    entries: list[tuple[OidcTrust, list[ServiceAccountRef]]] = []
    if args.oidc is not None:
        trusts = [args.oidc] if isinstance(args.oidc, OidcTrust) else list(args.oidc)
        v.require(len(trusts) > 0, "oidc", "give at least one OidcTrust, or leave it unset")
        subjects = [b.subject for b in planned.bindings] + extras
        entries = [(trust, subjects) for trust in trusts]
    else:
        for binding in planned.bindings:
            trust = binding.cluster.oidc
            where = f"cluster[{binding.key!r}]" if binding.key else "cluster"
            v.require(
                trust is not None,
                where,
                "the cluster has no OIDC trust, which IRSA needs: create the cluster with "
                "EksCluster, reference it with ClusterRef.from_stack or ClusterRef.existing, or "
                "pass oidc=",
            )
            assert trust is not None
            found = next((e for e in entries if e[0] is trust), None)
            if found is None:
                entries.append((trust, [binding.subject, *extras]))
            elif binding.subject not in found[1]:
                found[1].append(binding.subject)
    check_trust_policy_size(
        [subjects for _, subjects in entries],
        "extra_service_accounts",
        args.max_trust_policy_size,
        args.trust_conditions,
    )
    return [(trust, subjects) for trust, subjects in entries]
