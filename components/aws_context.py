"""Where the program deploys: the AWS partition, region and account, looked up once per run.

ARNs the components build (a secret's, an SSM parameter's, an AWS-managed policy's) need
these. Each is one invoke of the default AWS provider; they are cached for the program
run, so a hundred roles cost three invokes, not three hundred.
"""

from __future__ import annotations

import weakref
from typing import Any

import pulumi
import pulumi_aws as aws

_CACHE: weakref.WeakKeyDictionary[Any, dict[str, pulumi.Output[str]]] = weakref.WeakKeyDictionary()


def _cached(key: str, lookup: Any) -> pulumi.Output[str]:
    root = pulumi.runtime.get_root_resource()
    if root is None:
        return lookup()
    values = _CACHE.setdefault(root, {})
    if key not in values:
        values[key] = lookup()
    return values[key]


def partition() -> pulumi.Output[str]:
    """The partition (``aws``, ``aws-cn``, ``aws-us-gov``) of the default AWS provider."""
    return _cached("partition", lambda: aws.get_partition_output().partition)


def region() -> pulumi.Output[str]:
    """The region of the default AWS provider."""
    return _cached("region", lambda: aws.get_region_output().region)


def account_id() -> pulumi.Output[str]:
    """The account of the credentials the program runs with."""
    return _cached("account", lambda: aws.get_caller_identity_output().account_id)


def aws_managed_policy_arn(policy_name: str) -> pulumi.Output[str]:
    """ARN of the AWS-managed policy ``policy_name`` in the partition being deployed to."""
    return partition().apply(lambda p: f"arn:{p}:iam::aws:policy/{policy_name}")
