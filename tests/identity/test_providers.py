"""Explicit AWS providers are honoured: lookups go through them and ARNs are theirs.

An app team deploys one IRSA role through a provider for another region
(``aws.Provider("east", region="us-east-1")``) and through a provider that assumes a role in
another account. The mocks here answer ``getRegion``, ``getCallerIdentity``, ``getPartition``,
``getCluster`` per provider (the synth's answer for the program's default region and account
otherwise) and record which provider every lookup went through.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

from components.identity import permissions
from components.identity.cluster_ref import ClusterRef
from components.identity.irsa import IrsaRole
from components.identity.pod_identity import PodIdentityRole
from components.identity.workload_identity import WorkloadRoleArgs
from components.synth import SynthResult, run_program
from components.synth.mocks import ACCOUNT_ID, PlatformMocks
from tests.oracles.trust_policy import Token, admits, pod_identity_admits
from tests.support import doc

OTHER_ACCOUNT = "210987654321"
LOOKUPS = (
    "aws:index/getRegion:getRegion",
    "aws:index/getCallerIdentity:getCallerIdentity",
    "aws:index/getPartition:getPartition",
    "aws:eks/getCluster:getCluster",
    "aws:eks/getAddon:getAddon",
)


class PerProviderMocks(PlatformMocks):
    """The synth's mocks, answering each explicit AWS provider for its region and account."""

    def __init__(self, region: str = "us-west-2") -> None:
        super().__init__(region)
        self.providers: dict[str, tuple[str, str]] = {}
        """Provider id -> (region, account)."""
        self.lookups: list[tuple[str, str]] = []
        """(token, provider id or 'default') of every lookup."""

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict]:
        if args.typ != "pulumi:providers:aws":
            return super().new_resource(args)
        inputs = dict(args.inputs)
        roles = inputs.get("assumeRoles") or []
        if isinstance(roles, str):
            roles = json.loads(roles)
        account = roles[0]["roleArn"].split(":")[4] if roles else ACCOUNT_ID
        provider_id = f"{args.name}-id"
        self.providers[provider_id] = (str(inputs.get("region") or self.region), account)
        return provider_id, inputs

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict, list[tuple[str, str]]]:
        provider_id = (args.provider or "").rsplit("::", 1)[-1]
        if args.token in LOOKUPS:
            known = provider_id in self.providers
            self.lookups.append((args.token, provider_id if known else "default"))
        if provider_id not in self.providers:
            return super().call(args)
        region, account = self.providers[provider_id]
        answer, failures = PlatformMocks(region).call(args)
        return json.loads(json.dumps(answer).replace(ACCOUNT_ID, account)), failures


def synth(program: Callable[[], Any], mocks: PerProviderMocks) -> SynthResult:
    return run_program(program, "eks-platform", "test", {"aws:region": "us-west-2"}, mocks=mocks)


GRANTS: Callable[[], list[permissions.Grant]] = lambda: [  # noqa: E731
    permissions.dynamodb_read_write("orders"),
    permissions.secrets_read("reports/"),
    permissions.ssm_read("/reports/api"),
    permissions.sqs_consume("report-jobs"),
    permissions.sns_publish("report-events"),
    permissions.ecr_pull("reports/api"),
    permissions.kms_decrypt(
        "arn:aws:kms:us-east-1:210987654321:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        via_services=["secretsmanager"],
    ),
    permissions.s3_read("example-reports", prefix="daily/"),
]


def _providers() -> dict[str, aws.Provider]:
    return {
        "east": aws.Provider("east", region="us-east-1"),
        "other": aws.Provider(
            "other",
            region="eu-central-1",
            assume_roles=[
                aws.ProviderAssumeRoleArgs(role_arn=f"arn:aws:iam::{OTHER_ACCOUNT}:role/deployer")
            ],
        ),
    }


WAYS: dict[str, Callable[[aws.Provider], pulumi.ResourceOptions]] = {
    "provider=": lambda p: pulumi.ResourceOptions(provider=p),
    "providers=[...]": lambda p: pulumi.ResourceOptions(providers=[p]),
    "a parent's": lambda p: pulumi.ResourceOptions(
        parent=pulumi.ComponentResource(
            "team:index:Reports",
            f"team-{p.pulumi_resource_name}",
            None,
            pulumi.ResourceOptions(providers={"aws": p}),
        )
    ),
}


def _arns(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value] if value.startswith("arn:") else []
    if isinstance(value, dict):
        return [a for x in value.values() for a in _arns(x)]
    if isinstance(value, list):
        return [a for x in value for a in _arns(x)]
    return []


@pytest.mark.parametrize("way", list(WAYS))
def test_the_same_irsa_role_through_another_region_and_another_account(way: str) -> None:
    mocks = PerProviderMocks()

    def program() -> None:
        for key, provider in _providers().items():
            opts = WAYS[way](provider)
            cluster = ClusterRef.existing("shared", resource_name=f"shared-{key}", opts=opts)
            IrsaRole(
                f"reports-{key}",
                WorkloadRoleArgs(
                    cluster=cluster,
                    namespace="reports",
                    service_account="reader",
                    permissions=GRANTS(),
                ),
                opts=opts,
            )

    result = synth(program, mocks)
    expected = {"east": ("us-east-1", ACCOUNT_ID), "other": ("eu-central-1", OTHER_ACCOUNT)}
    for key, (region, account) in expected.items():
        role = result.one("aws:iam/role:Role", f"reports-{key}")
        assert role.provider is not None and role.provider.endswith(f"::{key}")
        policy = doc(
            result.one("aws:iam/rolePolicy:RolePolicy", f"reports-{key}-permissions"), "policy"
        )
        found = _arns(policy["Statement"])
        assert len(found) >= 10
        for arn in found:
            _, partition, service, arn_region, arn_account, _ = arn.split(":", 5)
            assert partition == "aws", arn
            if service == "kms":  # given as an ARN: used as given
                continue
            if service == "s3":
                assert (arn_region, arn_account) == ("", ""), arn
            else:
                assert (arn_region, arn_account) == (region, account), arn
        via = policy["Statement"][-3]["Condition"]["StringEquals"]["kms:ViaService"]
        assert via == [f"secretsmanager.{region}.amazonaws.com"]
        # The trust names that account's OIDC provider for that region's issuer.
        trust = doc(role, "assumeRolePolicy")
        (federated,) = {s["Principal"]["Federated"] for s in trust["Statement"]}
        assert federated.split(":")[4] == account
        host = federated.split(":oidc-provider/")[1]
        assert host.startswith(f"oidc.eks.{region}.amazonaws.com/id/")
        assert admits(
            trust, Token(f"https://{host}", "system:serviceaccount:reports:reader"), federated
        )
    # Every lookup went through an explicit provider, none through the default one.
    assert mocks.lookups and all(p != "default" for _, p in mocks.lookups), mocks.lookups


def test_lookups_are_made_once_per_provider() -> None:
    mocks = PerProviderMocks()

    def program() -> None:
        providers = _providers()
        cluster = ClusterRef.existing(
            "shared", opts=pulumi.ResourceOptions(provider=providers["east"])
        )
        for i in range(5):
            for key, provider in providers.items():
                IrsaRole(
                    f"app-{key}-{i}",
                    WorkloadRoleArgs(
                        cluster=cluster,
                        namespace=f"team-{key}-{i}",
                        service_account="app",
                        permissions=[permissions.sqs_send("jobs")],
                    ),
                    opts=pulumi.ResourceOptions(provider=provider),
                )

    synth(program, mocks)
    counts: dict[tuple[str, str], int] = {}
    for lookup in mocks.lookups:
        counts[lookup] = counts.get(lookup, 0) + 1
    assert all(n == 1 for n in counts.values()), counts


def test_pod_identity_trusts_the_account_of_its_provider() -> None:
    mocks = PerProviderMocks()

    def program() -> None:
        other = _providers()["other"]
        opts = pulumi.ResourceOptions(provider=other)
        cluster = ClusterRef.existing("shared", opts=opts)
        PodIdentityRole(
            "reports",
            WorkloadRoleArgs(
                cluster=cluster,
                namespace="reports",
                service_account="reader",
                permissions=[permissions.sqs_send("jobs")],
            ),
            opts=opts,
        )

    result = synth(program, mocks)
    trust = doc(result.one("aws:iam/role:Role", "reports"), "assumeRolePolicy")
    assert pod_identity_admits(trust, "shared", "reports", "reader", account=OTHER_ACCOUNT)
    assert not pod_identity_admits(trust, "shared", "reports", "reader", account=ACCOUNT_ID)
    association = result.one("aws:eks/podIdentityAssociation:PodIdentityAssociation")
    assert association.provider is not None and association.provider.endswith("::other")
    policy = doc(result.one("aws:iam/rolePolicy:RolePolicy", "reports-permissions"), "policy")
    assert _arns(policy["Statement"]) == [f"arn:aws:sqs:eu-central-1:{OTHER_ACCOUNT}:jobs"]
    assert all(p != "default" for _, p in mocks.lookups), mocks.lookups


def test_the_eks_calls_for_a_stack_referenced_cluster_go_through_its_provider() -> None:
    mocks = PerProviderMocks()

    def program() -> None:
        east = _providers()["east"]
        cluster = ClusterRef.from_stack(
            "acme/eks-platform/prod", opts=pulumi.ResourceOptions(provider=east)
        )
        assert cluster.aws_provider is east
        # The role itself goes through the default provider (the program's account)...
        PodIdentityRole(
            "reports",
            WorkloadRoleArgs(cluster=cluster, namespace="reports", service_account="reader"),
        )

    result = synth(program, mocks)
    # ...but the association and the agent's lookup are EKS calls on that cluster.
    association = result.one("aws:eks/podIdentityAssociation:PodIdentityAssociation")
    assert association.provider is not None and association.provider.endswith("::east")
    assert ("aws:eks/getAddon:getAddon", "east-id") in mocks.lookups
    assert result.one("aws:iam/role:Role", "reports").provider is None


def test_options_that_are_not_resource_options_are_refused() -> None:
    from tests.support import refused

    message = refused(
        lambda: ClusterRef.existing("shared", opts={"provider": "east"})  # type: ignore[arg-type]
    )
    assert message == (
        "ClusterRef.existing 'shared': opts: expected pulumi.ResourceOptions, got dict"
    )
