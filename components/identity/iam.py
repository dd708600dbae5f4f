"""IAM building blocks shared by the components: a role's settings, the role, its policies.

* :class:`RoleSettings`: what a caller may say about any role a component creates (its
  name, path, permissions boundary, session length, tags); what the role may *do* is
  given separately (:mod:`components.identity.permissions`, managed policy ARNs, inline policies);
* :func:`create_role`: an ``aws.iam.Role`` with its managed-policy attachments and inline
  policies, all children of the component;
* :func:`resolve_role_name`: the role's name, explicit or derived from the component name
  and unique per stack (:func:`components.naming.stack_unique`), claimed for the program;
* :func:`validate_policy_document`: the checks IAM would otherwise make at deploy.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from .. import naming, run_state
from .. import validation as v
from ..aws_context import aws_managed_policy_arn

DEFAULT_MAX_SESSION_SECONDS = 3600
PolicyDocument = Mapping[str, Any]


@dataclass(kw_only=True)
class RoleSettings:
    """The IAM role's own settings: its name, where it lives, its limits. Every field optional."""

    name: str | None = None
    """The role's name. Default: the component's name plus a hash of the project and stack
    (``payments-api-1a2b3c``), so stacks of one program in one account do not collide. At
    most 64 characters of letters, digits and ``+=,.@_-``."""
    path: str = "/"
    """The IAM path of the role (and of a policy the component creates with it), e.g. ``/eks/``."""
    permissions_boundary_arn: pulumi.Input[str] | None = None
    """ARN of a managed policy that bounds what the role may do (a permissions boundary)."""
    max_session_duration: int = DEFAULT_MAX_SESSION_SECONDS
    """Longest session the role's credentials last, in seconds: 3600 to 43200."""
    tags: dict[str, str] = field(default_factory=dict)
    """AWS tags on the role (and on a policy the component creates with it)."""


def validate_role_settings(settings: RoleSettings, owner: str | None = None) -> RoleSettings:
    """Check a :class:`RoleSettings`; errors name the field (prefix them with :func:`v.nested`).

    Returns the settings with ``permissions_boundary_arn`` checked once it is known when it
    is an Output.
    """
    if settings.name is not None:
        v.iam_role_name(settings.name, "name")
    v.iam_path(settings.path, "path")
    v.positive_int(settings.max_session_duration, "max_session_duration", 3600, 43200)
    v.aws_tags(settings.tags, "tags")
    if settings.permissions_boundary_arn is None:
        return settings
    boundary = v.when_known(
        settings.permissions_boundary_arn, v.iam_policy_arn, "permissions_boundary_arn", owner
    )
    return RoleSettings(
        name=settings.name,
        path=settings.path,
        permissions_boundary_arn=boundary,
        max_session_duration=settings.max_session_duration,
        tags=settings.tags,
    )


def validate_policy_arns(
    arns: Mapping[str, pulumi.Input[str]], field_name: str, owner: str | None = None
) -> dict[str, pulumi.Input[str]]:
    """Managed policy ARNs keyed by names the caller chooses (they name the attachments).

    Plain ARNs are checked now, Outputs once known; returns the mapping to attach.
    """
    checked: dict[str, pulumi.Input[str]] = {}
    for key, arn in arns.items():
        v.resource_key(key, f"{field_name}")
        checked[key] = v.when_known(arn, v.iam_policy_arn, f"{field_name}[{key!r}]", owner)
    v.unique(
        [arn for arn in arns.values() if isinstance(arn, str)], field_name, "managed policy ARN"
    )
    return checked


def validate_inline_policies(
    policies: Mapping[str, pulumi.Input[PolicyDocument]], field_name: str
) -> None:
    """Inline policy documents by policy name; plain documents are checked now."""
    for policy_name, doc in policies.items():
        v.require(
            bool(policy_name)
            and len(policy_name) <= naming.IAM_POLICY_NAME_MAX
            and v.IAM_NAME.fullmatch(policy_name) is not None,
            field_name,
            f"policy name {policy_name!r} must be 1-{naming.IAM_POLICY_NAME_MAX} letters, "
            "digits and +=,.@_-",
        )
        if not isinstance(doc, pulumi.Output):
            validate_policy_document(doc, f"{field_name}[{policy_name!r}]")


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


def policy_json(doc: pulumi.Input[PolicyDocument], field_name: str, owner: str | None) -> Any:
    """The document as JSON for a policy resource; an Output is checked once its value is known."""
    if not isinstance(doc, pulumi.Output):
        return json.dumps(doc)

    def check(resolved: Any) -> str:
        try:
            validate_policy_document(resolved, field_name)
        except v.InvalidArgument as error:
            raise v.InvalidArgument(error.field, error.rule, owner) from None
        return json.dumps(resolved)

    return doc.apply(check)


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


def resolve_role_name(
    resource_name: str, settings: RoleSettings, owner: str, by: object, field_name: str = "role"
) -> str:
    """The role's IAM name: ``settings.name``, or the resource name made unique per stack.

    The name is claimed for ``owner``: a second role of the same name in this program is
    refused, naming both.
    """
    role_name = settings.name or naming.stack_unique(resource_name, naming.IAM_ROLE_NAME_MAX)
    naming.claim("role", role_name, owner, by, f"{field_name}.name")
    return role_name


def managed(
    *policy_names: str, provider: pulumi.ProviderResource | None = None
) -> dict[str, pulumi.Output[str]]:
    """AWS-managed policies by name, as ``managed_policy_arns`` for :func:`create_role`, in the
    partition of ``provider`` (the component's AWS provider: :func:`aws_context.provider_of`;
    None: the default one)."""
    return {name: aws_managed_policy_arn(name, provider) for name in policy_names}


def _policies() -> dict[int, tuple[aws.iam.Role, list[pulumi.Resource]]]:
    """The policies :func:`create_role` made, by role (this program run's: run_state)."""
    made: dict[int, tuple[aws.iam.Role, list[pulumi.Resource]]] = run_state.registry(
        "role-policies", dict
    )
    return made


def children_of(role: aws.iam.Role) -> list[pulumi.Resource]:
    """The policy attachments and inline policies :func:`create_role` made for ``role``.

    Whatever runs as the role (nodes, Fargate pods) should depend on them, so that it is
    created after its permissions and deleted before they go.
    """
    return list(_policies().get(id(role), (role, []))[1])


def create_role(
    name: str,
    *,
    role_name: str,
    trust_policy: pulumi.Input[str],
    settings: RoleSettings,
    parent: pulumi.Resource,
    managed_policy_arns: Mapping[str, pulumi.Input[str]] | None = None,
    inline_policies: Mapping[str, pulumi.Input[str]] | None = None,
) -> aws.iam.Role:
    """An IAM role with its policy attachments and inline policies, all children of ``parent``.

    ``managed_policy_arns`` and ``inline_policies`` (JSON) are keyed by names the caller
    chose, which name the child resources: reordering or an ARN known only after
    deployment never renames one.
    """
    child = pulumi.ResourceOptions(parent=parent)
    role = aws.iam.Role(
        name,
        name=role_name,
        path=settings.path,
        assume_role_policy=trust_policy,
        permissions_boundary=settings.permissions_boundary_arn,
        max_session_duration=settings.max_session_duration,
        tags=settings.tags,
        # The name is fixed: a replacement (only a change of path forces one) cannot create
        # the new role beside the old one, so the old one goes first.
        opts=pulumi.ResourceOptions(parent=parent, delete_before_replace=True),
    )
    policies: list[pulumi.Resource] = []
    for key, arn in (managed_policy_arns or {}).items():
        policies.append(
            aws.iam.RolePolicyAttachment(
                f"{name}-{key}", role=role.name, policy_arn=arn, opts=child
            )
        )
    for policy_name, policy in (inline_policies or {}).items():
        policies.append(
            aws.iam.RolePolicy(
                f"{name}-{policy_name}", name=policy_name, role=role.id, policy=policy, opts=child
            )
        )
    _policies()[id(role)] = (role, policies)  # the role held too: its id() stays its own
    return role
