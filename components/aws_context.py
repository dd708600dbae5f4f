"""Where a component deploys: the AWS partition, region and account of its AWS provider.

ARNs the components build (a secret's, an SSM parameter's, an AWS-managed policy's) need
these. Each is one invoke of an AWS provider, cached per provider for the program run, so a
hundred roles cost three invokes per provider, not three hundred.

The provider is the one the component's resources use: ``opts.provider`` (when it is an AWS
provider), else the AWS provider in ``opts.providers``, else the one its parent passes down,
else the program's default provider (:func:`provider_of`). A component that receives
``opts=ResourceOptions(provider=aws.Provider("east", region="us-east-1"))`` builds its ARNs
for us-east-1 and that provider's account, not for the program's default region.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pulumi
import pulumi_aws as aws

from . import run_state

AWS = "aws"
"""The package of the AWS provider (``pulumi:providers:aws``)."""

_Values = dict[tuple[str, Any], pulumi.Output[str]]


def provider_of(
    opts: pulumi.ResourceOptions | None, package: str = AWS
) -> pulumi.ProviderResource | None:
    """The ``package`` provider resources created with ``opts`` use, as the engine picks it:
    ``opts.provider`` when it is one of ``package``, else the one in ``opts.providers``, else
    the parent's; None for the program's default provider."""
    if opts is None:
        return None
    provider = opts.provider
    if isinstance(provider, pulumi.ProviderResource) and provider.package == package:
        return provider
    providers = opts.providers
    if isinstance(providers, Mapping):
        found = providers.get(package)
        if found is not None:
            return found
    elif isinstance(providers, Sequence):
        for candidate in providers:
            if isinstance(candidate, pulumi.ProviderResource) and candidate.package == package:
                return candidate
    if isinstance(opts.parent, pulumi.Resource):
        return opts.parent.get_provider(f"{package}:index:provider")
    return None


def provider_name(provider: pulumi.ProviderResource | None) -> str:
    """How errors name a provider: its resource name, or ``default``."""
    return "default" if provider is None else provider.pulumi_resource_name


def invoke_options(provider: pulumi.ProviderResource | None) -> pulumi.InvokeOutputOptions | None:
    """Options that send an invoke through ``provider`` (None: the default provider)."""
    return None if provider is None else pulumi.InvokeOutputOptions(provider=provider)


def _cached(
    key: str,
    provider: pulumi.ProviderResource | None,
    lookup: Callable[[pulumi.InvokeOutputOptions | None], pulumi.Output[str]],
) -> pulumi.Output[str]:
    if not run_state.in_a_run():
        return lookup(invoke_options(provider))
    values: _Values = run_state.registry("aws-lookups", dict)
    # Providers compare by identity; holding one here keeps its id from being reused.
    cache_key = (key, provider)
    if cache_key not in values:
        values[cache_key] = lookup(invoke_options(provider))
    return values[cache_key]


def partition(provider: pulumi.ProviderResource | None = None) -> pulumi.Output[str]:
    """The partition (``aws``, ``aws-cn``, ``aws-us-gov``) of ``provider`` (default: the
    program's default AWS provider)."""
    return _cached("partition", provider, lambda o: aws.get_partition_output(opts=o).partition)


def region(provider: pulumi.ProviderResource | None = None) -> pulumi.Output[str]:
    """The region of ``provider`` (default: the program's default AWS provider)."""
    return _cached("region", provider, lambda o: aws.get_region_output(opts=o).region)


def account_id(provider: pulumi.ProviderResource | None = None) -> pulumi.Output[str]:
    """The account ``provider``'s credentials (after any role it assumes) act in."""
    return _cached("account", provider, lambda o: aws.get_caller_identity_output(opts=o).account_id)


def context(provider: pulumi.ProviderResource | None = None) -> pulumi.Output[list[str]]:
    """``[partition, region, account]`` of ``provider``."""
    return pulumi.Output.all(partition(provider), region(provider), account_id(provider))


def aws_managed_policy_arn(
    policy_name: str, provider: pulumi.ProviderResource | None = None
) -> pulumi.Output[str]:
    """ARN of the AWS-managed policy ``policy_name`` in ``provider``'s partition."""
    return partition(provider).apply(lambda p: f"arn:{p}:iam::aws:policy/{policy_name}")
