"""IrsaRole: the role, its trust, its policies and the annotated ServiceAccount."""

from __future__ import annotations

import json
import pydoc
import re
from collections.abc import Callable
from typing import Any

import pulumi
import pytest

from components.cluster import EksCluster
from components.identity import permissions
from components.identity.cluster_ref import ClusterRef
from components.identity.iam import RoleSettings
from components.identity.irsa import IrsaRole
from components.identity.oidc import OidcTrust, OidcTrustArgs, ServiceAccountRef
from components.identity.workload_identity import ClusterBinding, WorkloadRoleArgs
from components.synth import SynthResult
from components.validation import KnownValueRefused
from tests.oracles.iam_validation import assert_valid_permission_policy
from tests.oracles.trust_policy import Token, admits
from tests.support import doc, light_cluster, make_cluster, refusals, refused, run, shared

READ_BUCKET = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:ListBucket"],
            "Resource": ["arn:aws:s3:::demo", "arn:aws:s3:::demo/*"],
        }
    ],
}


@shared
def default_irsa() -> SynthResult:
    """``irsa()``, synthesized once per test process (a copy each call)."""
    return irsa()


def irsa(name: str = "app", stack: str = "test", **overrides: Any) -> SynthResult:
    def program() -> None:
        cluster = light_cluster()
        args: dict[str, Any] = dict(cluster=cluster, namespace="payments", service_account="api")
        args.update(overrides)
        role = IrsaRole(name, WorkloadRoleArgs(**args))
        pulumi.export("roleArn", role.role_arn)
        pulumi.export("annotations", role.service_account_annotations)
        assert cluster.oidc is not None
        pulumi.export("issuerHost", cluster.oidc.issuer_host)
        pulumi.export("providerArn", cluster.oidc.provider_arn)

    return run(program, stack=stack)


def test_trust_admits_exactly_the_service_account() -> None:
    result = default_irsa()
    issuer = "https://" + result.outputs["issuerHost"]
    provider = result.outputs["providerArn"]
    trust = doc(result.one("aws:iam/role:Role", "app"), "assumeRolePolicy")
    assert admits(trust, Token(issuer, "system:serviceaccount:payments:api"), provider)
    assert not admits(trust, Token(issuer, "system:serviceaccount:payments:other"), provider)
    assert not admits(trust, Token(issuer, "system:serviceaccount:default:api"), provider)
    assert not admits(
        trust, Token(issuer, "system:serviceaccount:payments:api", aud="other"), provider
    )


def test_service_account_is_annotated_with_the_role_arn() -> None:
    result = default_irsa()
    sa = result.one("kubernetes:core/v1:ServiceAccount")
    annotations = sa.inputs["metadata"]["annotations"]
    assert annotations["eks.amazonaws.com/role-arn"] == result.outputs["roleArn"]
    assert annotations["eks.amazonaws.com/sts-regional-endpoints"] == "true"
    assert sa.inputs["metadata"]["namespace"] == "payments"
    assert sa.inputs["metadata"]["name"] == "api"
    assert result.one("aws:iam/role:Role", "app").urn in sa.dependencies


def test_namespace_is_created_when_asked() -> None:
    result = irsa(create_namespace=True)
    ns = result.one("kubernetes:core/v1:Namespace")
    assert ns.inputs["metadata"]["name"] == "payments"
    labels = ns.inputs["metadata"]["labels"]
    assert labels["pod-security.kubernetes.io/enforce"] == "restricted"  # secure by default
    assert labels["pod-security.kubernetes.io/warn"] == "restricted"
    assert (
        irsa(create_namespace=True, pod_security="baseline")
        .one("kubernetes:core/v1:Namespace")
        .inputs["metadata"]["labels"]["pod-security.kubernetes.io/enforce"]
        == "baseline"
    )
    assert ns.urn in result.one("kubernetes:core/v1:ServiceAccount").dependencies


def test_without_service_account_the_annotations_are_exposed_for_chart_values() -> None:
    result = irsa(create_service_account=False)
    assert result.by_type("kubernetes:core/v1:ServiceAccount") == []
    assert result.outputs["annotations"]["eks.amazonaws.com/role-arn"] == result.outputs["roleArn"]


def test_permissions_policies_and_role_settings() -> None:
    boundary = "arn:aws:iam::123456789012:policy/Boundary"
    result = irsa(
        permissions=[permissions.s3_read("reports", prefix="daily/")],
        managed_policy_arns={"readonly": "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"},
        inline_policies={"read-bucket": READ_BUCKET},
        role=RoleSettings(
            name="payments-api",
            path="/eks/",
            permissions_boundary_arn=boundary,
            max_session_duration=7200,
            tags={"team": "payments"},
        ),
    )
    role = result.one("aws:iam/role:Role", "app")
    assert role.inputs["name"] == "payments-api"
    assert role.inputs["path"] == "/eks/"
    assert role.inputs["permissionsBoundary"] == boundary
    assert role.inputs["maxSessionDuration"] == 7200
    assert role.inputs["tags"] == {"team": "payments"}
    attachment = result.one("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "app-readonly")
    assert attachment.inputs["policyArn"] == "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
    inline = result.one("aws:iam/rolePolicy:RolePolicy", "app-read-bucket")
    assert inline.inputs["name"] == "read-bucket"
    assert json.loads(inline.inputs["policy"]) == READ_BUCKET
    granted = json.loads(
        result.one("aws:iam/rolePolicy:RolePolicy", "app-permissions").inputs["policy"]
    )
    assert {r for s in granted["Statement"] for r in s["Resource"]} == {
        "arn:aws:s3:::reports",
        "arn:aws:s3:::reports/daily/*",
    }
    assert_valid_permission_policy(granted)


def test_policy_arns_may_come_from_other_resources() -> None:
    def program() -> None:
        cluster = make_cluster()
        policy = pulumi.Output.from_input("arn:aws:iam::123456789012:policy/FromElsewhere")
        IrsaRole(
            "app",
            WorkloadRoleArgs(
                cluster=cluster,
                namespace="payments",
                service_account="api",
                managed_policy_arns={"elsewhere": policy},
                role=RoleSettings(
                    permissions_boundary_arn=pulumi.Output.from_input(
                        "arn:aws:iam::123456789012:policy/Boundary"
                    )
                ),
            ),
        )

    result = run(program)
    attachment = result.one("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "app-elsewhere")
    assert attachment.inputs["policyArn"] == "arn:aws:iam::123456789012:policy/FromElsewhere"
    role = result.one("aws:iam/role:Role", "app")
    assert role.inputs["permissionsBoundary"] == "arn:aws:iam::123456789012:policy/Boundary"


def test_a_bad_arn_known_only_at_deploy_time_names_the_component_and_field() -> None:
    def program() -> None:
        IrsaRole(
            "app",
            WorkloadRoleArgs(
                cluster=make_cluster(),
                namespace="payments",
                service_account="api",
                managed_policy_arns={"x": pulumi.Output.from_input("AmazonS3ReadOnlyAccess")},
            ),
        )

    with pytest.raises(KnownValueRefused, match=r"^IrsaRole 'app': managed_policy_arns\['x'\]: "):
        run(program)


def test_default_role_name_is_unique_per_stack_and_deterministic() -> None:
    dev = irsa(stack="dev").one("aws:iam/role:Role", "app").inputs["name"]
    staging = irsa(stack="staging").one("aws:iam/role:Role", "app").inputs["name"]
    assert dev != staging  # two stacks of one program in one account do not collide
    assert dev.startswith("app-")
    assert irsa(stack="dev").one("aws:iam/role:Role", "app").inputs["name"] == dev


def test_a_long_role_name_is_shortened_deterministically() -> None:
    long_name = "a-very-long-component-name-for-a-workload-in-a-team-namespace-x"
    name = irsa(name=long_name).one("aws:iam/role:Role", long_name).inputs["name"]
    assert len(name) <= 64
    other = irsa(name=long_name + "y").one("aws:iam/role:Role", long_name + "y").inputs["name"]
    assert other != name


def test_two_components_whose_role_names_collide_are_refused_naming_both() -> None:
    def program() -> None:
        cluster = make_cluster()
        args = WorkloadRoleArgs(
            cluster=cluster, namespace="a", service_account="b", role=RoleSettings(name="Shared")
        )
        IrsaRole("first", args)
        IrsaRole(
            "second", WorkloadRoleArgs(**{**args.__dict__, "role": RoleSettings(name="shared")})
        )

    with pytest.raises(ValueError) as error:
        run(program)
    message = str(error.value)
    assert message.startswith("IrsaRole 'second': role.name: ")
    assert "IrsaRole 'first'" in message and "'shared'" in message


def test_two_components_of_the_same_name_under_different_parents_are_refused() -> None:
    def program() -> None:
        cluster = make_cluster()
        args = WorkloadRoleArgs(cluster=cluster, namespace="a", service_account="b")
        IrsaRole("api", args)
        parent = pulumi.ComponentResource("test:index:Team", "team")
        IrsaRole("api", args, opts=pulumi.ResourceOptions(parent=parent))

    with pytest.raises(
        ValueError, match=r"^IrsaRole 'api': role.name: .*already used by IrsaRole 'api'"
    ):
        run(program)


def test_blue_green_creates_a_service_account_per_cluster_with_its_own_subject() -> None:
    def program() -> None:
        blue = make_cluster("blue", cluster_name="blue")
        green = make_cluster("green", cluster_name="green")
        role = IrsaRole(
            "app",
            WorkloadRoleArgs(
                cluster={
                    "blue": blue,
                    "green": ClusterBinding(cluster=green, namespace="payments-v2"),
                },
                namespace="payments",
                service_account="api",
            ),
        )
        for color, cluster in (("blue", blue), ("green", green)):
            pulumi.export(f"{color}Issuer", cluster.oidc_issuer_url)
            pulumi.export(f"{color}Provider", cluster.oidc_provider_arn)
        pulumi.export("roleArn", role.role_arn)

    result = run(program)
    out = result.outputs
    sas = {sa.name: sa for sa in result.by_type("kubernetes:core/v1:ServiceAccount")}
    assert set(sas) == {"app-blue-sa", "app-green-sa"}
    assert sas["app-green-sa"].inputs["metadata"]["namespace"] == "payments-v2"
    # Each ServiceAccount is created through its own cluster's provider.
    providers = {p.name: p.urn for p in result.by_type("pulumi:providers:kubernetes")}
    assert sas["app-blue-sa"].provider == providers["blue-k8s"]
    assert sas["app-green-sa"].provider == providers["green-k8s"]
    trust = doc(result.one("aws:iam/role:Role", "app"), "assumeRolePolicy")
    blue_sa, green_sa = (
        "system:serviceaccount:payments:api",
        "system:serviceaccount:payments-v2:api",
    )
    assert admits(trust, Token(out["blueIssuer"], blue_sa), out["blueProvider"])
    assert admits(trust, Token(out["greenIssuer"], green_sa), out["greenProvider"])
    assert not admits(trust, Token(out["blueIssuer"], green_sa), out["blueProvider"])
    assert not admits(trust, Token(out["greenIssuer"], blue_sa), out["greenProvider"])


def test_explicit_oidc_trusts_replace_the_clusters_own() -> None:
    other_issuer = "https://oidc.eks.us-west-2.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF"

    def program() -> None:
        cluster = make_cluster()
        other = OidcTrust("other", OidcTrustArgs(issuer_url=other_issuer))
        IrsaRole(
            "app",
            WorkloadRoleArgs(
                cluster=cluster,
                namespace="a",
                service_account="b",
                oidc=[cluster.oidc, other],
            ),
        )

    trust = doc(run(program).one("aws:iam/role:Role", "app"), "assumeRolePolicy")
    providers = [s["Principal"]["Federated"] for s in trust["Statement"]]
    assert len(providers) == 2 and providers[0] != providers[1]


def test_extra_trust_conditions_are_anded_in() -> None:
    result = irsa(trust_conditions={"StringEquals": {"aws:SourceVpc": "vpc-1"}})
    trust = doc(result.one("aws:iam/role:Role", "app"), "assumeRolePolicy")
    issuer = "https://" + result.outputs["issuerHost"]
    assert trust["Statement"][0]["Condition"]["StringEquals"]["aws:SourceVpc"] == "vpc-1"
    # The evaluator has no aws:SourceVpc in its context: the extra condition must hold too.
    assert not admits(
        trust, Token(issuer, "system:serviceaccount:payments:api"), result.outputs["providerArn"]
    )


def test_a_cluster_referenced_elsewhere_needs_no_oidc_argument() -> None:
    def program() -> None:
        cluster = ClusterRef.existing(
            "legacy",
            oidc_provider_arn="arn:aws:iam::123456789012:oidc-provider/"
            "oidc.eks.us-west-2.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF",
        )
        IrsaRole("app", WorkloadRoleArgs(cluster=cluster, namespace="a", service_account="b"))

    trust = doc(run(program).one("aws:iam/role:Role", "app"), "assumeRolePolicy")
    token = Token(
        "https://oidc.eks.us-west-2.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF",
        "system:serviceaccount:a:b",
    )
    assert admits(
        trust,
        token,
        "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF",
    )


def test_help_says_what_it_creates_its_args_and_outputs() -> None:
    text = pydoc.render_doc(IrsaRole, renderer=pydoc.plaintext)  # type: ignore[attr-defined]
    assert "IAM role that only one ServiceAccount" in text
    assert "WorkloadRoleArgs" in text
    for output in ("role_arn", "service_account_name", "service_account_annotations"):
        assert output in text


def _bad(**overrides: Any) -> Any:
    def program() -> None:
        cluster = light_cluster()
        args: dict[str, Any] = dict(cluster=cluster, namespace="payments", service_account="api")
        args.update(overrides)
        IrsaRole("app", WorkloadRoleArgs(**args))

    return program


BAD_ARGUMENTS: list[tuple[dict[str, Any], str]] = [
    ({"namespace": "Payments"}, "namespace: 'Payments' is not a valid namespace"),
    ({"namespace": "x" * 64}, "namespace: "),
    ({"service_account": "api_v1"}, "service_account: "),
    ({"cluster": None}, "cluster: expected an EksCluster or a ClusterRef"),
    ({"cluster": "prod"}, "cluster: expected an EksCluster or a ClusterRef"),
    ({"oidc": "arn:aws:iam::123456789012:oidc-provider/x"}, "oidc: expected an OidcTrust"),
    ({"role": {"name": "x"}}, "role: expected a RoleSettings, got dict"),
    (
        {"permissions": permissions.s3_read("bucket-1")},
        "permissions: expected a list of Grants",
    ),
    ({"role": RoleSettings(name="x" * 65)}, "role.name: "),
    ({"role": RoleSettings(name="bad name")}, "role.name: "),
    ({"role": RoleSettings(path="eks")}, "role.path: "),
    ({"role": RoleSettings(max_session_duration=60)}, "role.max_session_duration: "),
    (
        {"role": RoleSettings(max_session_duration="1h")},  # type: ignore[arg-type]
        "role.max_session_duration: expected an integer",
    ),
    ({"role": RoleSettings(tags={"aws:owner": "x"})}, "role.tags.aws:owner: .*reserved"),
    (
        {"managed_policy_arns": {"s3": "AmazonS3ReadOnlyAccess"}},
        r"managed_policy_arns\['s3'\]: ",
    ),
    (
        {"managed_policy_arns": ["arn:aws:iam::aws:policy/ReadOnlyAccess"]},
        "managed_policy_arns: expected a mapping of names to strings",
    ),
    ({"inline_policies": {"p": {"Statement": []}}}, "at least one statement"),
    (
        {"inline_policies": {"p": {"Statement": [{"Effect": "Allow", "Action": "s3:GetObject"}]}}},
        r"Statement\[0\]: needs a Resource",
    ),
    (
        {
            "extra_service_accounts": [
                ServiceAccountRef("ns", f"service-account-{i:03d}") for i in range(60)
            ]
        },
        "extra_service_accounts: the trust policy for 61 service account",
    ),
    (
        {"trust_conditions": {"StringEquals": "x"}},
        "trust_conditions",
    ),
]


@shared
def refused_on_a_cluster() -> tuple[list[str | None], SynthResult]:
    """Every BAD_ARGUMENTS IrsaRole ``app``, tried in turn in one program on a whole EksCluster
    (made first; one synth of it for all of them)."""

    def attempt(overrides: dict[str, Any]) -> Callable[[EksCluster], object]:
        def make(cluster: EksCluster) -> object:
            args: dict[str, Any] = dict(
                cluster=cluster, namespace="payments", service_account="api"
            )
            args.update(overrides)
            return IrsaRole("app", WorkloadRoleArgs(**args))

        return make

    return refusals(make_cluster, [attempt(overrides) for overrides, _ in BAD_ARGUMENTS])


@pytest.mark.parametrize("overrides, message", BAD_ARGUMENTS)
def test_bad_arguments_are_refused_before_anything_is_created(
    overrides: dict, message: str
) -> None:
    errors, result = refused_on_a_cluster()
    error = errors[BAD_ARGUMENTS.index((overrides, message))]
    assert error is not None, "not refused"
    assert error.startswith("IrsaRole 'app': ")
    assert "\n" not in error
    assert re.search(message, error), error
    # Nothing of the role may be registered (by this attempt or another); the cluster may.
    assert not [r for r in result.resources if r.name.startswith("app")]


def test_a_mapping_instead_of_the_args_object_is_refused() -> None:
    message = refused(lambda: IrsaRole("app", {"namespace": "a"}))  # type: ignore[arg-type]
    assert message.startswith("IrsaRole 'app': args: expected a WorkloadRoleArgs, got dict")
