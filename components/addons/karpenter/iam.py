"""What Karpenter's roles may do, and how interruptions reach it.

The documents are those of Karpenter's v1.14 getting-started CloudFormation template, vendored
as JSON in :mod:`components.policies` (see its ``README.md``) with the template's variables
kept as ``${...}`` placeholders. The loaders here fill them in and fail on any they do not
know: the six controller policies (:func:`karpenter_controller_policies`), the interruption
queue's policy and properties, the EventBridge rules, and the node role's trust policy and
managed policies.

:func:`create_node_role` and :func:`create_controller_policies` make a Karpenter's roles'
AWS resources from them (the interruption queue and its rules: :mod:`.interruption`).
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any, Final

import pulumi
import pulumi_aws as aws

from ... import aws_context, naming
from ...identity import iam as roles
from ...policies import AWS_PARTITIONS, load_policy
from .args import NODE_CNI_POLICY, NODE_SSM_POLICY, KarpenterArgs

if TYPE_CHECKING:
    from ...identity.iam import RoleSettings

#: Karpenter documentation version whose getting-started CloudFormation template is
#: vendored (the template for chart/app 1.14.x).
KARPENTER_POLICY_VERSION: Final[str] = "v1.14"

#: The controller's AWS::IAM::ManagedPolicy documents, keyed by logical id.
KARPENTER_CONTROLLER_POLICIES_FILE: Final[str] = "karpenter-v1.14-controller-policies.json"

#: The interruption queue's properties and its queue policy.
KARPENTER_QUEUE_POLICY_FILE: Final[str] = "karpenter-v1.14-queue-policy.json"

#: The interruption EventBridge rules (logical id -> event pattern).
KARPENTER_EVENT_RULES_FILE: Final[str] = "karpenter-v1.14-event-rules.json"

#: The node role: trust policy and AWS managed policy ARNs.
KARPENTER_NODE_ROLE_FILE: Final[str] = "karpenter-v1.14-node-role.json"

#: ``${AWS::URLSuffix}`` per partition (the service principal domain).
AWS_URL_SUFFIXES: Final[dict[str, str]] = {
    "aws": "amazonaws.com",
    "aws-cn": "amazonaws.com.cn",
    "aws-us-gov": "amazonaws.com",
    "aws-iso": "c2s.ic.gov",
    "aws-iso-b": "sc2s.sgov.gov",
}

_PLACEHOLDER_RE: Final = re.compile(r"\$\{([^}]*)\}")
_REGION_RE: Final = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")
_ACCOUNT_RE: Final = re.compile(r"^\d{12}$")
_CLUSTER_NAME_RE: Final = re.compile(r"^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$")


# -- the vendored documents, filled in -------------------------------------------------------------


def _fill_placeholders(value: Any, variables: dict[str, str]) -> Any:
    """Return ``value`` with every ``${Name}`` in strings and mapping keys replaced.

    Raises:
        ValueError: a placeholder has no value in ``variables``.
    """
    if isinstance(value, str):

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in variables:
                raise ValueError(f"no value for placeholder ${{{name}}} in {value!r}")
            return variables[name]

        return _PLACEHOLDER_RE.sub(replace, value)
    if isinstance(value, list):
        return [_fill_placeholders(item, variables) for item in value]
    if isinstance(value, dict):
        return {
            _fill_placeholders(key, variables): _fill_placeholders(item, variables)
            for key, item in value.items()
        }
    return value


def _filled(filename: str, keys: tuple[str, ...], variables: dict[str, str]) -> Any:
    """Fill the section ``doc[keys[0]][keys[1]]...`` of a vendored file.

    Raises:
        ValueError: a variable is empty or holds ``${``, or a placeholder in the section
            has no value (so none can be left unfilled).
    """
    for name, text in variables.items():
        if not isinstance(text, str) or not text or "${" in text:
            raise ValueError(f"{name} must be a non-empty string without '${{', got {text!r}")
    section: Any = load_policy(filename)
    for key in keys:
        section = section[key]
    used = sorted(set(_PLACEHOLDER_RE.findall(json.dumps(section))))
    missing = [f"${{{name}}}" for name in used if name not in variables]
    if missing:
        raise ValueError(f"{filename}: no value for placeholder(s) {', '.join(missing)}")
    return _fill_placeholders(section, variables)  # load_policy gave a fresh copy


def _check_partition(partition: str) -> None:
    if partition not in AWS_PARTITIONS:
        raise ValueError(f"partition must be one of {', '.join(AWS_PARTITIONS)}; got {partition!r}")


def _check_scope(partition: str, region: str, account_id: str, cluster_name: str) -> None:
    _check_partition(partition)
    if not isinstance(region, str) or not _REGION_RE.match(region):
        raise ValueError(f"region must look like 'us-west-2', got {region!r}")
    if not isinstance(account_id, str) or not _ACCOUNT_RE.match(account_id):
        raise ValueError(f"account_id must be 12 digits, got {account_id!r}")
    if not isinstance(cluster_name, str) or not _CLUSTER_NAME_RE.match(cluster_name):
        raise ValueError(f"cluster_name is not a valid EKS cluster name: {cluster_name!r}")


def _check_queue_arn(queue_arn: str, partition: str, region: str, account_id: str) -> None:
    pattern = (
        rf"^arn:{re.escape(partition)}:sqs:{re.escape(region)}:{account_id}:[A-Za-z0-9_-]{{1,80}}$"
    )
    if not isinstance(queue_arn, str) or not re.match(pattern, queue_arn):
        raise ValueError(
            f"queue_arn must be an SQS queue ARN in {partition}/{region}/{account_id}, "
            f"got {queue_arn!r}"
        )


def karpenter_controller_policies(
    *,
    partition: str,
    region: str,
    account_id: str,
    cluster_name: str,
    queue_arn: str,
    node_role_arn: str,
) -> dict[str, dict[str, Any]]:
    """Return Karpenter's controller IAM policies for one cluster, filled in.

    The documents are the ``AWS::IAM::ManagedPolicy`` resources of Karpenter's
    :data:`KARPENTER_POLICY_VERSION` getting-started CloudFormation template, with its
    variables replaced: ``${AWS::Partition}``, ``${AWS::Region}``, ``${AWS::AccountId}``,
    ``${ClusterName}``, ``${KarpenterInterruptionQueue.Arn}`` and ``${KarpenterNodeRole.Arn}``.

    Args:
        partition: One of :data:`~components.policies.AWS_PARTITIONS`.
        region: The cluster's region, e.g. ``"us-west-2"``.
        account_id: The cluster's account, 12 digits.
        cluster_name: The EKS cluster name (tags and ARNs are scoped to it).
        queue_arn: ARN of the interruption SQS queue, in the same partition, region and
            account.
        node_role_arn: ARN of the node role the controller may pass to EC2, in the
            same partition and account.

    Returns:
        Logical id (``NodeLifecyclePolicy``, ``IAMIntegrationPolicy``,
        ``EKSIntegrationPolicy``, ``InterruptionPolicy``, ``ZonalShiftPolicy``,
        ``ResourceDiscoveryPolicy``) -> a fresh policy document.

    Raises:
        ValueError: an argument is malformed, or the vendored file holds a placeholder
            this function does not fill.
    """
    _check_scope(partition, region, account_id, cluster_name)
    _check_queue_arn(queue_arn, partition, region, account_id)
    role_pattern = rf"^arn:{re.escape(partition)}:iam::{account_id}:role/[\w+=,.@/-]+$"
    if not isinstance(node_role_arn, str) or not re.match(role_pattern, node_role_arn):
        raise ValueError(
            f"node_role_arn must be an IAM role ARN in {partition}/{account_id}, "
            f"got {node_role_arn!r}"
        )
    policies: dict[str, dict[str, Any]] = _filled(
        KARPENTER_CONTROLLER_POLICIES_FILE,
        ("policies",),
        {
            "AWS::Partition": partition,
            "AWS::Region": region,
            "AWS::AccountId": account_id,
            "ClusterName": cluster_name,
            "KarpenterInterruptionQueue.Arn": queue_arn,
            "KarpenterNodeRole.Arn": node_role_arn,
        },
    )
    return policies


def karpenter_queue_policy(*, queue_arn: str) -> dict[str, Any]:
    """Return the interruption queue's SQS queue policy for ``queue_arn``.

    Allows ``sqs:SendMessage`` from EventBridge (``events.amazonaws.com``) and SQS, and
    denies every ``sqs:*`` request that does not use TLS (``aws:SecureTransport``
    false). Kept as upstream has it: no ``Version`` element, ``Id``
    ``EC2InterruptionPolicy``.

    Raises:
        ValueError: ``queue_arn`` is not an SQS queue ARN, or a placeholder is left.
    """
    if not isinstance(queue_arn, str) or not re.match(
        r"^arn:[a-z-]+:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,80}$", queue_arn
    ):
        raise ValueError(f"queue_arn must be an SQS queue ARN, got {queue_arn!r}")
    policy: dict[str, Any] = _filled(
        KARPENTER_QUEUE_POLICY_FILE, ("policy",), {"KarpenterInterruptionQueue.Arn": queue_arn}
    )
    return policy


def karpenter_queue_properties(*, cluster_name: str) -> dict[str, Any]:
    """Return the interruption queue's upstream properties: ``QueueName`` (the cluster
    name), ``MessageRetentionPeriod`` (300 s) and ``SqsManagedSseEnabled`` (true)."""
    if not isinstance(cluster_name, str) or not _CLUSTER_NAME_RE.match(cluster_name):
        raise ValueError(f"cluster_name is not a valid EKS cluster name: {cluster_name!r}")
    properties: dict[str, Any] = _filled(
        KARPENTER_QUEUE_POLICY_FILE, ("queue",), {"ClusterName": cluster_name}
    )
    return properties


def karpenter_event_rules() -> dict[str, dict[str, Any]]:
    """Return the interruption EventBridge rules: logical id -> event pattern.

    ``ScheduledChangeRule`` (AWS Health events), ``SpotInterruptionRule``,
    ``RebalanceRule``, ``InstanceStateChangeRule`` and
    ``CapacityReservationInterruptionRule``. Upstream targets each at the interruption
    queue (target id ``KarpenterInterruptionQueueTarget``).
    """
    rules: dict[str, dict[str, Any]] = _filled(KARPENTER_EVENT_RULES_FILE, ("rules",), {})
    return rules


def karpenter_node_role(*, partition: str, url_suffix: str | None = None) -> dict[str, Any]:
    """Return the node role's ``AssumeRolePolicyDocument`` and ``ManagedPolicyArns``.

    Args:
        partition: One of :data:`~components.policies.AWS_PARTITIONS`.
        url_suffix: ``${AWS::URLSuffix}``; defaults to :data:`AWS_URL_SUFFIXES` for
            ``partition``.

    Returns:
        ``{"AssumeRolePolicyDocument": {...}, "ManagedPolicyArns": [...]}``.
    """
    _check_partition(partition)
    suffix = AWS_URL_SUFFIXES[partition] if url_suffix is None else url_suffix
    variables = {"AWS::Partition": partition, "AWS::URLSuffix": suffix}
    return {
        key: _filled(KARPENTER_NODE_ROLE_FILE, ("role", key), variables)
        for key in ("AssumeRolePolicyDocument", "ManagedPolicyArns")
    }


# -- the vendored data, as the component uses it ---------------------------------------------------

CONTROLLER_POLICY_KEYS: tuple[str, ...] = tuple(
    load_policy(KARPENTER_CONTROLLER_POLICIES_FILE)["policies"]
)
"""Upstream logical ids of the controller's managed policies, in template order."""


def slug(logical_id: str) -> str:
    """``IAMIntegrationPolicy`` -> ``iam-integration``, ``SpotInterruptionRule`` -> ``spot-interruption``."""
    stem = re.sub(r"(Policy|Rule)$", "", logical_id)
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "-", stem).lower()


def policy_names(name: str) -> dict[str, str]:
    """The controller policies' IAM names for the component ``name``, unique per stack."""
    return {
        key: naming.stack_unique(f"{name}-{slug(key)}", naming.IAM_POLICY_NAME_MAX)
        for key in CONTROLLER_POLICY_KEYS
    }


def node_policy_names(args: KarpenterArgs) -> list[str]:
    """The AWS-managed policies of the node role: upstream's, less CNI and SSM when not wanted."""
    arns = karpenter_node_role(partition="aws")["ManagedPolicyArns"]
    names = [arn.rsplit("/", 1)[-1] for arn in arns]
    return [
        n
        for n in names
        if (n != NODE_CNI_POLICY or args.node_cni_policy)
        and (n != NODE_SSM_POLICY or args.node_ssm_access)
    ]


# -- the AWS resources -----------------------------------------------------------------------------


def create_node_role(
    name: str,
    args: KarpenterArgs,
    role_name: str,
    settings: RoleSettings,
    parent: pulumi.Resource,
    provider: pulumi.ProviderResource | None = None,
) -> aws.iam.Role:
    """The role Karpenter's instances run as: trusted by EC2, with upstream's managed policies
    (:func:`node_policy_names`), in the partition of ``provider`` (the component's AWS
    provider; None: the default one)."""
    return roles.create_role(
        f"{name}-node",
        role_name=role_name,
        trust_policy=aws_context.partition(provider).apply(
            lambda p: json.dumps(karpenter_node_role(partition=p)["AssumeRolePolicyDocument"])
        ),
        settings=settings,
        parent=parent,
        managed_policy_arns=roles.managed(*node_policy_names(args), provider=provider),
    )


def create_controller_policies(
    name: str,
    settings: RoleSettings,
    names: dict[str, str],
    cluster_name: pulumi.Input[str],
    queue_arn: pulumi.Input[str],
    node_role_arn: pulumi.Input[str],
    parent: pulumi.Resource,
    provider: pulumi.ProviderResource | None = None,
) -> dict[str, aws.iam.Policy]:
    """The six controller policies (``names`` from :func:`policy_names`), with the path and
    tags of the controller role's ``settings``, for the partition, region and account of
    ``provider`` (the component's AWS provider; None: the default one)."""
    documents = pulumi.Output.all(
        aws_context.partition(provider),
        aws_context.region(provider),
        aws_context.account_id(provider),
        cluster_name,
        queue_arn,
        node_role_arn,
    ).apply(
        lambda a: karpenter_controller_policies(
            partition=a[0],
            region=a[1],
            account_id=a[2],
            cluster_name=a[3],
            queue_arn=a[4],
            node_role_arn=a[5],
        )
    )
    return {
        key: aws.iam.Policy(
            f"{name}-{slug(key)}",
            name=names[key],
            path=settings.path,
            description=(
                f"Karpenter {KARPENTER_POLICY_VERSION} controller: {key} (upstream "
                "getting-started CloudFormation template)"
            ),
            policy=_document(documents, key),
            tags=settings.tags,
            opts=pulumi.ResourceOptions(parent=parent),
        )
        for key in CONTROLLER_POLICY_KEYS
    }


def _document(documents: pulumi.Output[dict[str, Any]], key: str) -> pulumi.Output[str]:
    """One policy of the filled-in set, as JSON."""
    return documents.apply(lambda d: json.dumps(d[key]))
