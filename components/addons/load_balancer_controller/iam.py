"""What the controller's role may do: the upstream IAM policy, as a customer-managed policy.

The document is the controller's own ``docs/install/iam_policy.json``, vendored in
:mod:`components.policies` and kept byte for byte; only its ARNs are rewritten for the
partition being deployed to. The component attaches it to the controller's workload role.
"""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws

from ... import aws_context, naming
from ...identity.iam import RoleSettings
from ...policies import ALB_CONTROLLER_POLICY_VERSION, load_balancer_controller_policy


def claim_policy_name(name: str, owner: str, by: object) -> str:
    """The IAM name of component ``name``'s policy, claimed for ``by`` (described as ``owner``);
    raises naming both when another object of this program uses it."""
    policy_name = naming.stack_unique(f"{name}-policy", naming.IAM_POLICY_NAME_MAX)
    naming.claim("policy", policy_name, owner, by, "role")
    return policy_name


def controller_policy(
    name: str,
    policy_name: str,
    role: RoleSettings,
    parent: pulumi.Resource,
    provider: pulumi.ProviderResource | None = None,
) -> aws.iam.Policy:
    """The controller's permissions: the vendored upstream document, in the partition of
    ``provider`` (the component's AWS provider; None: the default one), with the role's path
    and tags."""
    partition = aws_context.partition(provider)
    return aws.iam.Policy(
        f"{name}-policy",
        name=policy_name,
        path=role.path,
        description=(
            f"AWS Load Balancer Controller {ALB_CONTROLLER_POLICY_VERSION} "
            "(upstream docs/install/iam_policy.json)"
        ),
        policy=partition.apply(lambda p: json.dumps(load_balancer_controller_policy(p))),
        tags=role.tags,
        opts=pulumi.ResourceOptions(parent=parent),
    )
