"""IAM building blocks shared by the components: roles, their policies, documents.

* :class:`RolePolicyArgs`: the policy options a caller gives any workload role
  (IRSA or Pod Identity alike, so switching mechanism means changing the class);
* :func:`create_role`: an ``aws.iam.Role`` plus its managed-policy attachments and
  inline policies, named deterministically within IAM's length limits;
* :func:`validate_policy_document`: the checks IAM would otherwise make at deploy;
* :func:`aws_managed_policy_arn`: AWS-managed policy ARNs in the current partition.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from . import naming
from . import validation as v

DEFAULT_MAX_SESSION_SECONDS = 3600


@dataclass
class RolePolicyArgs:
    """Who the role is and what it may do; every field optional."""

    managed_policy_arns: list[str] = field(default_factory=list)
    """Managed IAM policies to attach (AWS-managed or your own), by ARN."""
    inline_policies: dict[str, pulumi.Input[dict[str, Any]]] = field(default_factory=dict)
    """Inline policy documents by policy name; each needs at least one statement, each statement a
    resource. Plain documents are checked up front; an Output (e.g. one built from the account id)
    is checked when its value is known."""
    role_name: str | None = None
    """The IAM role name; derived from the component name when not given (at most 64 characters)."""
    path: str = "/"
    """The IAM path of the role, e.g. ``/eks/``."""
    permissions_boundary_arn: str | None = None
    """ARN of a managed policy used as the role's permissions boundary."""
    max_session_duration: int = DEFAULT_MAX_SESSION_SECONDS
    """Maximum session length in seconds, 3600 to 43200."""
    tags: dict[str, str] = field(default_factory=dict)
    """AWS tags on the role."""


def validate_role_policy_args(args: RolePolicyArgs, prefix: str = "") -> None:
    """Check a :class:`RolePolicyArgs`; errors name ``<prefix><field>``."""
    if args.role_name is not None:
        v.iam_role_name(args.role_name, f"{prefix}role_name")
    v.iam_path(args.path, f"{prefix}path")
    if args.permissions_boundary_arn is not None:
        v.iam_policy_arn(args.permissions_boundary_arn, f"{prefix}permissions_boundary_arn")
    v.positive_int(args.max_session_duration, f"{prefix}max_session_duration", 3600, 43200)
    for i, arn in enumerate(args.managed_policy_arns):
        v.iam_policy_arn(arn, f"{prefix}managed_policy_arns[{i}]")
    v.unique(args.managed_policy_arns, f"{prefix}managed_policy_arns", "policy ARN")
    # Attachments are named after the policy name (the ARN's last segment): two policies of the
    # same name (another account or path) would otherwise collapse into one attachment.
    v.unique(
        [arn.rsplit("/", 1)[-1] for arn in args.managed_policy_arns],
        f"{prefix}managed_policy_arns",
        "policy name",
    )
    for policy_name, doc in args.inline_policies.items():
        v.require(
            bool(policy_name) and len(policy_name) <= naming.IAM_POLICY_NAME_MAX,
            f"{prefix}inline_policies",
            f"policy name {policy_name!r} must be 1-{naming.IAM_POLICY_NAME_MAX} characters",
        )
        if not isinstance(doc, pulumi.Output):
            validate_policy_document(doc, f"{prefix}inline_policies[{policy_name!r}]")


def validate_policy_document(doc: Any, field_name: str) -> None:
    """A permission policy IAM accepts: statements with an effect, actions and a resource."""
    v.require(isinstance(doc, Mapping), field_name, "must be a policy document (a mapping)")
    statements = doc.get("Statement")
    if isinstance(statements, Mapping):
        statements = [statements]
    v.require(
        isinstance(statements, Sequence)
        and not isinstance(statements, str)
        and len(statements) > 0,
        f"{field_name}.Statement",
        "a policy needs at least one statement",
    )
    for i, stmt in enumerate(statements):
        where = f"{field_name}.Statement[{i}]"
        v.require(isinstance(stmt, Mapping), where, "must be a mapping")
        v.one_of(stmt.get("Effect"), ("Allow", "Deny"), f"{where}.Effect")
        v.require(
            bool(stmt.get("Action") or stmt.get("NotAction")), where, "needs an Action or NotAction"
        )
        v.require(
            bool(stmt.get("Resource") or stmt.get("NotResource")),
            where,
            "needs a Resource or NotResource (a permission policy statement must name what it applies to)",
        )


def _checker(field_name: str) -> Callable[[Any], str]:
    """Validate a policy document once its value is known, then serialise it."""

    def check(doc: Any) -> str:
        validate_policy_document(doc, field_name)
        return json.dumps(doc)

    return check


def aws_managed_policy_arn(policy_name: str) -> pulumi.Output[str]:
    """ARN of the AWS-managed policy ``policy_name`` in the partition being deployed to."""
    return aws.get_partition_output().partition.apply(
        lambda partition: f"arn:{partition}:iam::aws:policy/{policy_name}"
    )


def service_trust_policy(service: str, actions: Sequence[str] = ("sts:AssumeRole",)) -> str:
    """A trust policy that lets the AWS service principal ``service`` assume the role."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": service}, "Action": list(actions)}
            ],
        }
    )


def create_role(
    name: str,
    assume_role_policy: pulumi.Input[str],
    policies: RolePolicyArgs,
    parent: pulumi.Resource,
    own_policy_arns: Mapping[str, pulumi.Input[str]] | None = None,
) -> aws.iam.Role:
    """An IAM role with its policy attachments and inline policies, all children of ``parent``.

    ``own_policy_arns`` (attachment name suffix -> ARN) are attached in addition to
    ``policies.managed_policy_arns``: the policies the component itself requires,
    such as a controller's policy or the AWS-managed node policies.
    """
    child = pulumi.ResourceOptions(parent=parent)
    role = aws.iam.Role(
        name,
        name=policies.role_name or naming.iam_name(name, naming.IAM_ROLE_NAME_MAX),
        path=policies.path,
        assume_role_policy=assume_role_policy,
        permissions_boundary=policies.permissions_boundary_arn,
        max_session_duration=policies.max_session_duration,
        tags=policies.tags,
        opts=child,
    )
    # Attachments are named after the policy, not its position, so reordering replaces nothing.
    attachments: dict[str, pulumi.Input[str]] = dict(own_policy_arns or {})
    attachments.update({arn.rsplit("/", 1)[-1]: arn for arn in policies.managed_policy_arns})
    for suffix, arn in attachments.items():
        aws.iam.RolePolicyAttachment(f"{name}-{suffix}", role=role.name, policy_arn=arn, opts=child)
    for policy_name, doc in policies.inline_policies.items():
        aws.iam.RolePolicy(
            f"{name}-{policy_name}",
            name=naming.shorten(policy_name, naming.IAM_POLICY_NAME_MAX),
            role=role.id,
            policy=pulumi.Output.from_input(doc).apply(
                _checker(f"inline_policies[{policy_name!r}]")
            ),
            opts=child,
        )
    return role
