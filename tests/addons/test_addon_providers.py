"""Explicit AWS providers reach the add-ons and the Network: every AWS child is created through
the component's provider, every lookup goes through it, and every ARN, region and account the
component builds (policies, trust policies, chart values, stores, the queue, endpoint service
names) is that provider's.

The programs deploy the same platform pieces through a provider for another region
(``aws.Provider("east", region="us-east-1")``) and through one that assumes a role in another
account and region; the mocks (``tests.identity.test_providers``) answer each provider's
lookups, and here also its resources, for its own region and account.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pulumi
import pytest

from components.addons.external_dns import ExternalDns, ExternalDnsArgs, HostedZone
from components.addons.external_secrets import ExternalSecrets, ExternalSecretsArgs
from components.addons.karpenter import Karpenter, KarpenterArgs
from components.addons.load_balancer_controller import (
    LoadBalancerController,
    LoadBalancerControllerArgs,
)
from components.cluster import AccessEntrySpec, EksCluster, FargateProfileSpec, FargateSelector
from components.identity.cluster_ref import ClusterRef
from components.network import ExistingVpcArgs, Network, NetworkArgs
from components.synth import Recorded, SynthResult
from components.synth.mocks import ACCOUNT_ID, PlatformMocks
from tests.identity.test_providers import (
    OTHER_ACCOUNT,
    WAYS,
    PerProviderMocks,
    _providers,
    synth,
)
from tests.support import refused

EXPECTED = {"east": ("us-east-1", ACCOUNT_ID), "other": ("eu-central-1", OTHER_ACCOUNT)}
"""Region and account of each provider of ``_providers()``."""
GIVEN_KEY = f"arn:aws:kms:eu-west-1:{ACCOUNT_ID}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
"""An ARN the program gives (used as given, whatever the provider)."""
COMPONENTS = ("alb", "dns", "eso", "karpenter", "net", "old-net")
DYNAMIC = "pulumi-python:dynamic:Resource"


class Mocks(PerProviderMocks):
    """Each explicit provider answers its lookups and creates its resources in its own region
    and account; every call is recorded with the provider it went through."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, str]] = []

    def _of(self, reference: str | None) -> tuple[str, str] | None:
        return self.providers.get((reference or "").rsplit("::", 1)[-1])

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict]:
        found = self._of(args.provider) if args.typ != "pulumi:providers:aws" else None
        if found is None:
            return super().new_resource(args)
        region, account = found
        resource_id, outputs = PlatformMocks(region).new_resource(args)
        return resource_id, json.loads(json.dumps(outputs).replace(ACCOUNT_ID, account))

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict, list[tuple[str, str]]]:
        through = (args.provider or "").rsplit("::", 1)[-1]
        self.calls.append((args.token, through if through in self.providers else "default"))
        if args.token == "aws:ec2/getVpc:getVpc":
            block = {"cidrBlock": "10.50.0.0/16"}
            return {"id": args.args["id"], **block, "cidrBlockAssociations": [block]}, []
        if args.token == "aws:ec2/getRouteTables:getRouteTables":
            return {"id": "rtb", "ids": ["rtb-0a", "rtb-0b"]}, []
        return super().call(args)


def platform(key: str, cluster: ClusterRef, opts: pulumi.ResourceOptions | None) -> None:
    """The Network (new and existing VPC) and the four add-ons for ``key``, with ``opts``."""
    Network(
        f"net-{key}",
        NetworkArgs(cluster_name=f"net-{key}", flow_logs=True, vpc_endpoints=["s3", "sts"]),
        opts=opts,
    )
    Network(
        f"old-net-{key}",
        NetworkArgs(
            cluster_name=f"old-net-{key}",
            existing_vpc=ExistingVpcArgs(
                vpc_id="vpc-0123456789abcdef0",
                private_subnet_ids=["subnet-0a", "subnet-0b"],
                public_subnet_ids=["subnet-1a", "subnet-1b"],
            ),
            vpc_endpoints=["s3", "ecr.api"],
        ),
        opts=opts,
    )
    LoadBalancerController(f"alb-{key}", LoadBalancerControllerArgs(cluster=cluster), opts=opts)
    ExternalDns(
        f"dns-{key}",
        ExternalDnsArgs(cluster=cluster, zones=[HostedZone(domain="dev.example.com")]),
        opts=opts,
    )
    ExternalSecrets(
        f"eso-{key}",
        ExternalSecretsArgs(
            cluster=cluster,
            secret_prefixes=["apps/"],
            parameter_paths=["/apps"],
            kms_key_arns=[GIVEN_KEY],
            push_prefix="pushed/",
        ),
        opts=opts,
    )
    Karpenter(f"karpenter-{key}", KarpenterArgs(cluster=cluster), opts=opts)


def owned_by(result: SynthResult, key: str) -> list[Recorded]:
    """Every resource under the components of ``key`` (by URN)."""
    names = tuple(f"{c}-{key}" for c in COMPONENTS)
    return [
        r
        for r in result.resources
        if any(f"::{n}" in r.urn or f"::{n}-" in r.urn for n in names) and r.custom
    ]


def strings(value: Any) -> Iterator[str]:
    """Every string in ``value``, JSON documents opened."""
    if isinstance(value, str):
        if value[:1] in "{[":
            try:
                yield from strings(json.loads(value))
                return
            except ValueError:
                pass
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def check_arns(resources: list[Recorded], region: str, account: str) -> set[str]:
    """Every ARN in the resources' inputs is in ``region`` and ``account`` (where it names
    them; wildcards and AWS-owned ARNs aside); returns them."""
    found = {
        s for r in resources for s in strings(r.inputs) if s.startswith("arn:") and s != GIVEN_KEY
    }
    for arn in found:
        _, partition, _service, arn_region, arn_account, _ = arn.split(":", 5)
        assert partition == "aws", arn
        assert arn_region in ("", "*", region), arn
        assert arn_account in ("", "*", "aws", account), arn
    return found


def one(resources: list[Recorded], typ: str, name: str) -> Recorded:
    (found,) = [r for r in resources if r.type == typ and r.name == name]
    return found


def check_platform(result: SynthResult, mocks: Mocks) -> None:
    for key, (region, account) in EXPECTED.items():
        mine = owned_by(result, key)
        # Every AWS child is created through the provider; the Kubernetes ones through the
        # cluster's Kubernetes provider.
        for r in mine:
            if r.type.startswith(("aws:", "awsx:")):
                assert r.provider is not None and r.provider.endswith(f"::{key}"), r.urn
        arns = check_arns(mine, region, account)
        assert len(arns) >= 40, sorted(arns)
        # The facts each component writes, one by one.
        alb = one(mine, "kubernetes:helm.sh/v3:Release", f"alb-{key}")
        assert alb.inputs["values"]["region"] == region
        dns = one(mine, "kubernetes:helm.sh/v3:Release", f"dns-{key}")
        env = {e["name"]: e["value"] for e in dns.inputs["values"]["env"]}
        assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == region
        stores = [r for r in mine if r.type.endswith(":ClusterSecretStore")]
        assert len(stores) == 2
        assert {s.inputs["spec"]["provider"]["aws"]["region"] for s in stores} == {region}
        queue_arn = f"arn:aws:sqs:{region}:{account}:shared"
        assert queue_arn in arns
        target = one(mine, "aws:cloudwatch/eventTarget:EventTarget", f"karpenter-{key}-rebalance")
        assert target.inputs["arn"] == queue_arn
        policies = " ".join(r.inputs["policy"] for r in mine if r.type == "aws:iam/policy:Policy")
        assert f":ec2:{region}:" in policies and f":eks:{region}:{account}:cluster/" in policies
        trust = json.loads(
            one(mine, "aws:iam/role:Role", f"net-{key}-flow-logs").inputs["assumeRolePolicy"]
        )
        condition = trust["Statement"][0]["Condition"]
        assert condition["StringEquals"]["aws:SourceAccount"] == account
        assert condition["ArnLike"]["aws:SourceArn"] == (
            f"arn:aws:ec2:{region}:{account}:vpc-flow-log/*"
        )
        endpoints = {
            r.inputs["serviceName"] for r in mine if r.type == "aws:ec2/vpcEndpoint:VpcEndpoint"
        }
        assert endpoints == {f"com.amazonaws.{region}.{s}" for s in ("s3", "sts", "ecr.api")}
        eso = json.loads(
            one(mine, "aws:iam/rolePolicy:RolePolicy", f"eso-{key}-permissions").inputs["policy"]
        )
        via = next(s for s in eso["Statement"] if s["Action"] == ["kms:Decrypt"])
        assert via["Condition"]["StringEquals"]["kms:ViaService"] == [
            f"secretsmanager.{region}.amazonaws.com",
            f"ssm.{region}.amazonaws.com",
        ]
        # The cleanups act in the provider's region.
        cleanups = [r for r in mine if r.type == DYNAMIC and r.name.endswith("-cleanup")]
        assert len(cleanups) == 2 and {c.inputs["region"] for c in cleanups} == {region}
    # No lookup went through the default provider.
    aws_calls = [c for c in mocks.calls if c[0].startswith("aws:")]
    assert aws_calls and all(p != "default" for _, p in aws_calls), sorted(set(mocks.calls))
    tokens = {t for t, _ in aws_calls}
    assert {"aws:route53/getZone:getZone", "aws:ec2/getVpc:getVpc"} <= tokens, tokens


@pytest.mark.parametrize("way", list(WAYS))
def test_the_add_ons_and_the_network_through_another_region_and_account(way: str) -> None:
    mocks = Mocks()

    def program() -> None:
        for key, provider in _providers().items():
            opts = WAYS[way](provider)
            cluster = ClusterRef.existing("shared", resource_name=f"shared-{key}", opts=opts)
            platform(key, cluster, opts)

    check_platform(synth(program, mocks), mocks)


def test_an_add_on_without_a_provider_uses_its_clusters() -> None:
    """An add-on on a cluster referenced through a provider acts in that cluster's account and
    region; the Network has no cluster, so it takes ``opts`` only."""
    mocks = Mocks()

    def program() -> None:
        for key, provider in _providers().items():
            opts = pulumi.ResourceOptions(provider=provider)
            cluster = ClusterRef.existing("shared", resource_name=f"shared-{key}", opts=opts)
            platform(key, cluster, None)

    result = synth(program, mocks)
    for key, (region, account) in EXPECTED.items():
        mine = [r for r in owned_by(result, key) if "Network" not in r.urn]
        for r in mine:
            if r.type.startswith("aws:"):
                assert r.provider is not None and r.provider.endswith(f"::{key}"), r.urn
        check_arns(mine, region, account)
        assert (
            one(mine, "kubernetes:helm.sh/v3:Release", f"alb-{key}").inputs["values"]["region"]
            == region
        )
        networks = [r for r in owned_by(result, key) if "Network" in r.urn]
        assert networks and all(r.provider is None for r in networks if r.type.startswith("aws:"))


def test_an_explicit_provider_wins_over_the_clusters() -> None:
    mocks = Mocks()

    def program() -> None:
        providers = _providers()
        cluster = ClusterRef.existing(
            "shared", opts=pulumi.ResourceOptions(provider=providers["other"])
        )
        LoadBalancerController(
            "alb",
            LoadBalancerControllerArgs(cluster=cluster),
            opts=pulumi.ResourceOptions(provider=providers["east"]),
        )

    result = synth(program, mocks)
    assert result.one("kubernetes:helm.sh/v3:Release", "alb").inputs["values"]["region"] == (
        "us-east-1"
    )
    policy = result.one("aws:iam/policy:Policy", "alb-policy")
    assert policy.provider is not None and policy.provider.endswith("::east")


PROGRAMS: dict[str, Callable[[Any], Any]] = {
    "LoadBalancerController": lambda opts: LoadBalancerController(
        "alb", LoadBalancerControllerArgs(cluster=ClusterRef.existing("shared")), opts=opts
    ),
    "Network": lambda opts: Network("net", NetworkArgs(cluster_name="dev"), opts=opts),
}


@pytest.mark.parametrize("kind", list(PROGRAMS))
def test_options_that_are_not_resource_options_are_refused(kind: str) -> None:
    name = "alb" if kind == "LoadBalancerController" else "net"
    message = refused(lambda: PROGRAMS[kind]({"provider": "east"}), name=name)
    assert message == f"{kind} {name!r}: opts: expected pulumi.ResourceOptions, got dict"


def test_a_cluster_through_a_provider_and_what_runs_on_it_use_that_provider() -> None:
    """EksCluster's own lookups and ARNs (the Secrets key policy, Fargate's trust) go through its
    provider, and an add-on on it falls back to that provider."""
    from tests.support import cluster_args

    mocks = Mocks()

    def program() -> None:
        for key, provider in _providers().items():
            cluster = EksCluster(
                f"eks-{key}",
                cluster_args(
                    cluster_name=f"eks-{key}",
                    secrets_encryption=True,
                    access_entries={
                        "platform": AccessEntrySpec(
                            principal_arn=f"arn:aws:iam::{EXPECTED[key][1]}:role/PlatformAdmin",
                            policy="cluster-admin",
                        )
                    },
                    kms_key_administrators={"admin": f"arn:aws:iam::{EXPECTED[key][1]}:role/admin"},
                    fargate_profiles={
                        "system": FargateProfileSpec(
                            selectors=[FargateSelector(namespace="fargate")]
                        )
                    },
                ),
                opts=pulumi.ResourceOptions(provider=provider),
            )
            Karpenter(f"karpenter-{key}", KarpenterArgs(cluster=cluster))

    result = synth(program, mocks)
    for key, (region, account) in EXPECTED.items():
        mine = [r for r in result.resources if f"eks-{key}" in r.urn or f"karpenter-{key}" in r.urn]
        aws_children = [r for r in mine if r.custom and r.type.startswith("aws:")]
        assert aws_children
        for r in aws_children:
            assert r.provider is not None and r.provider.endswith(f"::{key}"), r.urn
        arns = check_arns([r for r in mine if r.custom], region, account)
        assert any(f":kms:{region}:{account}:" in a or f":{account}:root" in a for a in arns)
    assert ("aws:index/getCallerIdentity:getCallerIdentity", "default") not in mocks.calls
