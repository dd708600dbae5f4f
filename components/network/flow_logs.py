"""A VPC's flow logs: a CloudWatch log group with a retention period, the role the VPC Flow
Logs service writes with, and the flow log of every accepted and rejected connection.

The role may be assumed only by the VPC Flow Logs service of this account, for flow logs of
this region (:func:`flow_logs_trust_policy`), and may only write to its log group
(:func:`flow_logs_policy`).
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pulumi
import pulumi_aws as aws

from .. import aws_context
from ..identity import iam
from ..identity.iam import RoleSettings

FLOW_LOGS_SERVICE = "vpc-flow-logs.amazonaws.com"
"""The service principal that delivers VPC flow logs to CloudWatch Logs."""
FLOW_LOG_ACTIONS = ("logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams")
"""What the flow-log role may do, on its own log group only."""
FLOW_LOG_POLICY_NAME = "flow-logs"


def create_flow_logs(
    name: str,
    *,
    cluster_name: str,
    vpc_id: pulumi.Input[str],
    retention_days: int,
    role_name: str,
    settings: RoleSettings,
    tags: dict[str, str],
    parent: pulumi.Resource,
    provider: pulumi.ProviderResource | None = None,
) -> tuple[aws.cloudwatch.LogGroup, aws.iam.Role, aws.ec2.FlowLog]:
    """A log group, the role VPC Flow Logs writes with, and the VPC's flow log, children of
    ``parent``; the role's trust is for the partition, region and account of ``provider``
    (``parent``'s AWS provider; None: the default one)."""
    child = pulumi.ResourceOptions(parent=parent)
    group = aws.cloudwatch.LogGroup(
        f"{name}-flow-logs",
        name=flow_log_group_name(cluster_name),
        retention_in_days=retention_days,
        tags=tags,
        opts=child,
    )
    trust = aws_context.context(provider).apply(
        lambda a: json.dumps(flow_logs_trust_policy(a[0], a[1], a[2]))
    )
    role = iam.create_role(
        f"{name}-flow-logs",
        role_name=role_name,
        trust_policy=trust,
        settings=dataclasses.replace(settings, tags={**tags, **settings.tags}),
        parent=parent,
        inline_policies={
            FLOW_LOG_POLICY_NAME: group.arn.apply(lambda arn: json.dumps(flow_logs_policy(arn)))
        },
    )
    flow_log = aws.ec2.FlowLog(
        f"{name}-flow-log",
        vpc_id=vpc_id,
        traffic_type="ALL",
        log_destination_type="cloud-watch-logs",
        log_destination=group.arn,
        iam_role_arn=role.arn,
        tags={**tags, "Name": f"{cluster_name}-vpc"},
        # Delivery starts at once: the role's permissions first.
        opts=pulumi.ResourceOptions(parent=parent, depends_on=iam.children_of(role)),
    )
    return group, role, flow_log


def flow_log_group_name(cluster_name: str) -> str:
    """The flow logs' CloudWatch log group: ``/aws/vpc-flow-logs/<cluster_name>``."""
    return f"/aws/vpc-flow-logs/{cluster_name}"


def flow_logs_trust_policy(partition: str, region: str, account: str) -> dict[str, Any]:
    """Who may assume the flow-log role: the VPC Flow Logs service, for flow logs of this
    account and region only (``aws:SourceAccount``, ``aws:SourceArn``: no confused deputy)."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": FLOW_LOGS_SERVICE},
                "Action": "sts:AssumeRole",
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": account},
                    "ArnLike": {
                        "aws:SourceArn": f"arn:{partition}:ec2:{region}:{account}:vpc-flow-log/*"
                    },
                },
            }
        ],
    }


def flow_logs_policy(log_group_arn: str) -> dict[str, Any]:
    """What the flow-log role may do: create and write log streams in its one log group
    (the group's ARN, and ``<ARN>:*`` for its streams)."""
    group = log_group_arn.removesuffix(":*")
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "WriteFlowLogs",
                "Effect": "Allow",
                "Action": list(FLOW_LOG_ACTIONS),
                "Resource": [group, f"{group}:*"],
            }
        ],
    }
