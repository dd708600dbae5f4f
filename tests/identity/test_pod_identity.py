"""PodIdentityRole: the EKS Pod Identity wiring, and the same arguments as IrsaRole."""

from __future__ import annotations

import dataclasses
from typing import Any

import pulumi
import pytest

from components.identity.cluster_ref import ClusterRef
from components.identity.iam import RoleSettings
from components.identity.irsa import IrsaRole
from components.identity.pod_identity import PodIdentityRole
from components.identity.workload_identity import ClusterBinding, WorkloadRoleArgs
from components.synth import SynthResult, run_program
from components.synth.mocks import PlatformMocks
from tests.oracles.trust_policy import pod_identity_admits, service_may_assume
from tests.support import doc, make_cluster, refused, run, shared

ISSUER_ARN = (
    "arn:aws:iam::123456789012:oidc-provider/"
    "oidc.eks.us-west-2.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF"
)


@shared
def pod_identity() -> SynthResult:
    """PodIdentityRole ``app`` for payments/api on the default cluster (one synth per test
    process, a copy each call)."""

    def program() -> None:
        cluster = make_cluster()
        role = PodIdentityRole(
            "app", WorkloadRoleArgs(cluster=cluster, namespace="payments", service_account="api")
        )
        pulumi.export("roleArn", role.role_arn)

    return run(program)


def test_trust_admits_only_this_cluster_namespace_and_service_account() -> None:
    trust = doc(pod_identity().one("aws:iam/role:Role", "app"), "assumeRolePolicy")
    assert pod_identity_admits(trust, "test", "payments", "api")
    assert not pod_identity_admits(trust, "test", "payments", "other")
    assert not pod_identity_admits(trust, "test", "other", "api")
    assert not pod_identity_admits(trust, "other-cluster", "payments", "api")
    assert not pod_identity_admits(trust, "test", "payments", "api", account="210987654321")
    # Without the session tags (another principal, or tags disabled) nothing is admitted.
    assert not service_may_assume(trust, "pods.eks.amazonaws.com", "sts:AssumeRole")
    assert not service_may_assume(trust, "ec2.amazonaws.com", "sts:AssumeRole")
    assert not any("Federated" in s["Principal"] for s in trust["Statement"])


def test_association_binds_cluster_namespace_service_account_and_role() -> None:
    result = pod_identity()
    association = result.one("aws:eks/podIdentityAssociation:PodIdentityAssociation")
    assert association.inputs["clusterName"] == "test"
    assert association.inputs["namespace"] == "payments"
    assert association.inputs["serviceAccount"] == "api"
    assert association.inputs["roleArn"] == result.outputs["roleArn"]
    agent = result.one("aws:eks/addon:Addon", "test-eks-pod-identity-agent")
    assert agent.urn in association.dependencies


def test_service_account_needs_no_annotation() -> None:
    sa = pod_identity().one("kubernetes:core/v1:ServiceAccount")
    assert not sa.inputs["metadata"].get("annotations")


def test_switching_from_irsa_is_a_change_of_class() -> None:
    def program() -> None:
        cluster = make_cluster()
        args = WorkloadRoleArgs(
            cluster=cluster,
            namespace="payments",
            service_account="api",
            managed_policy_arns={"readonly": "arn:aws:iam::aws:policy/ReadOnlyAccess"},
            role=RoleSettings(path="/eks/"),
        )
        IrsaRole("irsa", args)
        # The same arguments but the ServiceAccount, which has one owner (and one role).
        PodIdentityRole("pod", dataclasses.replace(args, service_account="api-v2"))

    result = run(program)
    for name in ("irsa", "pod"):
        assert result.one("aws:iam/role:Role", name).inputs["path"] == "/eks/"
        assert (
            result.one("aws:iam/rolePolicyAttachment:RolePolicyAttachment", f"{name}-readonly")
            .inputs["policyArn"]
            .endswith("/ReadOnlyAccess")
        )


def test_a_role_for_several_clusters_gets_an_association_per_cluster() -> None:
    def program() -> None:
        blue = make_cluster("blue", cluster_name="blue")
        green = make_cluster("green", cluster_name="green")
        PodIdentityRole(
            "app",
            WorkloadRoleArgs(
                cluster={"blue": blue, "green": ClusterBinding(cluster=green, namespace="v2")},
                namespace="payments",
                service_account="api",
            ),
        )

    result = run(program)
    associations = {
        a.name: a for a in result.by_type("aws:eks/podIdentityAssociation:PodIdentityAssociation")
    }
    assert associations["app-blue"].inputs["clusterName"] == "blue"
    assert associations["app-green"].inputs["namespace"] == "v2"
    trust = doc(result.one("aws:iam/role:Role", "app"), "assumeRolePolicy")
    assert pod_identity_admits(trust, "blue", "payments", "api")
    assert pod_identity_admits(trust, "green", "v2", "api")
    assert not pod_identity_admits(trust, "blue", "v2", "api")


def test_agent_add_on_is_created_once_when_the_program_manages_it() -> None:
    def program() -> None:
        ref = ClusterRef.existing(
            "legacy", oidc_provider_arn=ISSUER_ARN, manage_pod_identity_agent=True
        )
        for n in ("a", "b", "c"):
            PodIdentityRole(n, WorkloadRoleArgs(cluster=ref, namespace="apps", service_account=n))

    result = run(program)
    (agent,) = result.by_type("aws:eks/addon:Addon")
    assert agent.inputs["addonName"] == "eks-pod-identity-agent"
    associations = result.by_type("aws:eks/podIdentityAssociation:PodIdentityAssociation")
    assert sorted(a.inputs["serviceAccount"] for a in associations) == ["a", "b", "c"]
    for association in associations:
        assert agent.urn in association.dependencies


def test_agent_managed_elsewhere_is_checked_not_created() -> None:
    def program() -> None:
        ref = ClusterRef.existing("legacy", oidc_provider_arn=ISSUER_ARN)
        PodIdentityRole("a", WorkloadRoleArgs(cluster=ref, namespace="apps", service_account="a"))

    result = run(program)
    assert result.by_type("aws:eks/addon:Addon") == []
    association = result.one("aws:eks/podIdentityAssociation:PodIdentityAssociation")
    assert association.inputs["clusterName"] == "legacy"  # known after the add-on was found


def test_a_missing_agent_fails_the_deployment_with_a_clear_message() -> None:
    mocks = PlatformMocks("us-west-2")
    mocks.missing_addons.add(("legacy", "eks-pod-identity-agent"))

    def program() -> None:
        ref = ClusterRef.existing("legacy", oidc_provider_arn=ISSUER_ARN)
        PodIdentityRole("a", WorkloadRoleArgs(cluster=ref, namespace="apps", service_account="a"))

    with pytest.raises(Exception) as error:
        run_program(program, "eks-platform", "test", {"aws:region": "us-west-2"}, mocks=mocks)
    message = str(error.value)
    assert (
        "PodIdentityRole 'a': cluster: cluster 'legacy' has no eks-pod-identity-agent add-on"
        in message
    )
    assert "aws eks create-addon" in message


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"namespace": "Bad_NS"}, "^PodIdentityRole 'app': namespace: "),
        ({"oidc": []}, "^PodIdentityRole 'app': oidc: .*does not use an OIDC provider"),
        ({"cluster": {}}, "^PodIdentityRole 'app': cluster: give at least one cluster"),
    ],
)
def test_bad_arguments_are_refused(overrides: dict, message: str) -> None:
    import re

    def program() -> None:
        args: dict[str, Any] = dict(
            cluster=ClusterRef.existing("legacy", oidc_provider_arn=ISSUER_ARN),
            namespace="payments",
            service_account="api",
        )
        args.update(overrides)
        PodIdentityRole("app", WorkloadRoleArgs(**args))

    error = refused(program, name="app")
    assert re.search(message, error), error


def test_none_where_the_args_belong_is_one_line() -> None:
    message = refused(lambda: PodIdentityRole("app", None))  # type: ignore[arg-type]
    assert message == "PodIdentityRole 'app': args: expected a WorkloadRoleArgs, got NoneType"
