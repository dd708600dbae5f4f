"""PodIdentityRole: the EKS Pod Identity wiring."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_kubernetes as k8s
import pytest

from components.cluster_ref import ClusterRef
from components.iam import RolePolicyArgs
from components.pod_identity import PodIdentityRole, PodIdentityRoleArgs
from components.synth import SynthResult
from tests.support import doc, make_cluster, run
from tests.test_oidc import run_recording
from tests.trust_policy import service_may_assume


def pod_identity(**overrides: Any) -> SynthResult:
    def program() -> None:
        cluster, _ = make_cluster()
        args: dict[str, Any] = dict(
            cluster=cluster.ref, namespace="payments", service_account="api"
        )
        args.update(overrides)
        role = PodIdentityRole("app", PodIdentityRoleArgs(**args))
        pulumi.export("roleArn", role.role_arn)

    return run(program)


def test_role_trusts_the_eks_pods_service_for_assume_and_tag() -> None:
    trust = doc(pod_identity().one("aws:iam/role:Role", "app"), "assumeRolePolicy")
    assert service_may_assume(trust, "pods.eks.amazonaws.com", "sts:AssumeRole")
    assert service_may_assume(trust, "pods.eks.amazonaws.com", "sts:TagSession")
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


def test_same_policy_options_as_irsa() -> None:
    result = pod_identity(
        policies=RolePolicyArgs(
            managed_policy_arns=["arn:aws:iam::aws:policy/ReadOnlyAccess"], path="/eks/"
        )
    )
    assert result.one("aws:iam/role:Role", "app").inputs["path"] == "/eks/"
    assert (
        result.one("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "app-ReadOnlyAccess")
        .inputs["policyArn"]
        .endswith("/ReadOnlyAccess")
    )


def test_agent_add_on_is_created_once_for_an_external_cluster() -> None:
    def program() -> None:
        provider = k8s.Provider("external", kubeconfig="{}")
        ref = ClusterRef(
            name="legacy", provider=provider, vpc_id="vpc-1", oidc_issuer_url="https://x/id/1"
        )
        for n in ("a", "b", "c"):
            PodIdentityRole(
                n, PodIdentityRoleArgs(cluster=ref, namespace="apps", service_account=n)
            )

    result = run(program)
    (agent,) = [
        a
        for a in result.by_type("aws:eks/addon:Addon")
        if a.inputs["addonName"] == "eks-pod-identity-agent"
    ]
    for association in result.by_type("aws:eks/podIdentityAssociation:PodIdentityAssociation"):
        assert agent.urn in association.dependencies


def test_agent_managed_elsewhere_is_not_created() -> None:
    def program() -> None:
        provider = k8s.Provider("external", kubeconfig="{}")
        ref = ClusterRef(
            name="legacy",
            provider=provider,
            vpc_id="vpc-1",
            oidc_issuer_url="https://x/id/1",
            manage_pod_identity_agent=False,
        )
        PodIdentityRole(
            "a", PodIdentityRoleArgs(cluster=ref, namespace="apps", service_account="a")
        )

    assert run(program).by_type("aws:eks/addon:Addon") == []


def test_bad_names_are_refused() -> None:
    def program() -> None:
        cluster, _ = make_cluster()
        PodIdentityRole(
            "app",
            PodIdentityRoleArgs(cluster=cluster.ref, namespace="Bad_NS", service_account="api"),
        )

    with pytest.raises(ValueError, match="^namespace: "):
        run_recording(program, [])
