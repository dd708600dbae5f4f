"""Interruption handling: EventBridge -> SQS -> the controller.

Spot interruption warnings, rebalance recommendations, instance state changes, AWS Health
scheduled changes and capacity reservation interruptions reach Karpenter through an SQS queue
(upstream's properties: SSE, 300 s retention; upstream's policy: EventBridge and SQS may send,
nothing without TLS) and the upstream EventBridge rules, each targeting the queue. Karpenter
then drains the node before EC2 takes it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from ... import aws_context, naming
from ...policies import load_policy
from .iam import (
    KARPENTER_EVENT_RULES_FILE,
    KARPENTER_QUEUE_POLICY_FILE,
    karpenter_event_rules,
    karpenter_queue_policy,
    karpenter_queue_properties,
    slug,
)

QUEUE_NAME_MAX = 80
"""SQS's limit on a queue name."""
EVENT_RULE_NAME_MAX = 64
"""EventBridge's limit on a rule name."""
QUEUE_PROPERTIES: dict[str, Any] = load_policy(KARPENTER_QUEUE_POLICY_FILE)["queue"]
"""The queue's upstream properties (``QueueName`` is a placeholder, see :func:`queue_name`)."""
EVENT_TARGET_ID: str = load_policy(KARPENTER_EVENT_RULES_FILE)["targets"][0]["Id"]
"""Upstream's id of every rule's target (the queue)."""


def queue_name(cluster_name: str) -> str:
    """The interruption queue's name: upstream's (the cluster name), within SQS's 80 characters."""
    return naming.shorten(
        karpenter_queue_properties(cluster_name=cluster_name)["QueueName"], QUEUE_NAME_MAX
    )


def event_rule_name(name: str, logical_id: str) -> str:
    """An EventBridge rule name for the component ``name``: unique per stack, at most 64 of
    ``[A-Za-z0-9._-]``."""
    base = re.sub(r"[^A-Za-z0-9._-]+", "-", f"{name}-{slug(logical_id)}")
    return naming.stack_unique(base, EVENT_RULE_NAME_MAX)


@dataclass(frozen=True)
class Interruption:
    """The interruption handling of one Karpenter: EventBridge -> SQS -> the controller."""

    queue: aws.sqs.Queue
    queue_arn: pulumi.Output[str]
    queue_policy: aws.sqs.QueuePolicy
    rules: dict[str, aws.cloudwatch.EventRule]
    targets: dict[str, aws.cloudwatch.EventTarget]


def create_interruption(
    name: str,
    cluster_name: pulumi.Input[str],
    tags: dict[str, str],
    parent: pulumi.Resource,
    provider: pulumi.ProviderResource | None = None,
) -> Interruption:
    """The queue (upstream's properties, named after the cluster), its policy, and the upstream
    EventBridge rules, each targeting the queue; created through ``parent``'s AWS provider,
    whose partition, region and account ``provider`` gives (None: the default one)."""
    child = pulumi.ResourceOptions(parent=parent)
    queue = aws.sqs.Queue(
        f"{name}-interruption",
        name=pulumi.Output.from_input(cluster_name).apply(queue_name),
        message_retention_seconds=QUEUE_PROPERTIES["MessageRetentionPeriod"],
        sqs_managed_sse_enabled=QUEUE_PROPERTIES["SqsManagedSseEnabled"],
        tags=tags,
        opts=child,
    )
    # Built from the name (an SQS ARN is arn:<partition>:sqs:<region>:<account>:<name>).
    queue_arn = pulumi.Output.all(
        aws_context.partition(provider),
        aws_context.region(provider),
        aws_context.account_id(provider),
        queue.name,
    ).apply(lambda a: f"arn:{a[0]}:sqs:{a[1]}:{a[2]}:{a[3]}")
    queue_policy = aws.sqs.QueuePolicy(
        f"{name}-interruption",
        queue_url=queue.url,
        policy=queue_arn.apply(lambda arn: json.dumps(karpenter_queue_policy(queue_arn=arn))),
        opts=child,
    )
    rules: dict[str, aws.cloudwatch.EventRule] = {}
    targets: dict[str, aws.cloudwatch.EventTarget] = {}
    for key, pattern in karpenter_event_rules().items():
        rule = aws.cloudwatch.EventRule(
            f"{name}-{slug(key)}",
            name=event_rule_name(name, key),
            description=f"Karpenter interruption handling ({key}) for {name}",
            event_pattern=json.dumps(pattern),
            tags=tags,
            opts=child,
        )
        rules[key] = rule
        targets[key] = aws.cloudwatch.EventTarget(
            f"{name}-{slug(key)}",
            rule=rule.name,
            arn=queue_arn,
            target_id=EVENT_TARGET_ID,
            opts=child,
        )
    return Interruption(queue, queue_arn, queue_policy, rules, targets)
