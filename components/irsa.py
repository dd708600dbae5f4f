"""``IrsaRole``: an IAM role for a ServiceAccount (IRSA), and the annotated ServiceAccount.

The role trusts the cluster's OIDC provider for exactly one
``system:serviceaccount:<namespace>:<name>`` subject (:mod:`components.oidc`);
the ServiceAccount carries ``eks.amazonaws.com/role-arn``, which makes EKS's pod
identity webhook inject ``AWS_ROLE_ARN`` and a projected token into its pods, so
the AWS SDKs in them assume the role with no access keys anywhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pulumi

from . import iam
from . import validation as v
from .oidc import (
    DEFAULT_TRUST_POLICY_MAX,
    OidcTrust,
    ServiceAccountRef,
    check_trust_policy_size,
    combined_trust_policy,
)
from .service_account import (
    WorkloadIdentityArgs,
    WorkloadRole,
    validate_workload_identity,
)

ROLE_ARN_ANNOTATION = "eks.amazonaws.com/role-arn"
REGIONAL_STS_ANNOTATION = "eks.amazonaws.com/sts-regional-endpoints"


@dataclass
class IrsaRoleArgs(WorkloadIdentityArgs):
    """Arguments of :class:`IrsaRole`: the shared workload-identity arguments plus the OIDC trust."""

    oidc: OidcTrust | Sequence[OidcTrust] | None = None
    """The cluster's :class:`OidcTrust` (required); several for a role shared by blue/green clusters."""
    extra_service_accounts: list[ServiceAccountRef] = field(default_factory=list)
    """Further ServiceAccounts the role trusts (not created here); ``pattern=True`` ones use StringLike."""
    max_trust_policy_size: int = DEFAULT_TRUST_POLICY_MAX
    """The trust-policy size quota of the account (2048 by default, up to 4096 when raised)."""


class IrsaRole(WorkloadRole):
    """An IAM role assumable only by one ServiceAccount's pods, and that ServiceAccount."""

    def __init__(
        self, name: str, args: IrsaRoleArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        trusts = validate_args(args)
        super().__init__("eks-platform:index:IrsaRole", name, None, opts)
        subjects = [
            ServiceAccountRef(args.namespace, args.service_account),
            *args.extra_service_accounts,
        ]
        role = iam.create_role(
            name, combined_trust_policy(trusts, subjects), args.policies, parent=self
        )
        annotations = role.arn.apply(
            lambda arn: {ROLE_ARN_ANNOTATION: arn, REGIONAL_STS_ANNOTATION: "true"}
        )
        self._finish(name, args, role, annotations)


def validate_args(args: IrsaRoleArgs) -> list[OidcTrust]:
    """Check IrsaRoleArgs; returns the trusts as a list. Raises ValueError naming the field."""
    validate_workload_identity(args)
    v.require(args.oidc is not None, "oidc", "an IrsaRole needs the cluster's OidcTrust")
    trusts = [args.oidc] if isinstance(args.oidc, OidcTrust) else list(args.oidc or [])
    v.require(len(trusts) > 0, "oidc", "needs at least one OidcTrust")
    for i, sa in enumerate(args.extra_service_accounts):
        sa.validate(f"extra_service_accounts[{i}]")
    v.positive_int(args.max_trust_policy_size, "max_trust_policy_size", 2048, 4096)
    subjects = [
        ServiceAccountRef(args.namespace, args.service_account),
        *args.extra_service_accounts,
    ]
    check_trust_policy_size(
        len(trusts), subjects, "extra_service_accounts", args.max_trust_policy_size
    )
    return trusts
