"""LoadBalancerController's IAM: the vendored policy, the role it is attached to, the trust."""

from __future__ import annotations

import json

import pytest

from components.addons.load_balancer_controller import (
    SERVICE_ACCOUNT,
    LoadBalancerController,
    LoadBalancerControllerArgs,
)
from components.cluster import EksCluster
from components.identity.iam import RoleSettings
from components.synth import SynthResult
from tests.addons.load_balancer_controller_support import (
    ATTACHMENT,
    COMPONENT,
    K8S_VERSION,
    POLICY,
    RELEASE,
    ROLE,
    SERVICE_ACCOUNT_TYPE,
    SUBJECT,
    default_synth,
    synth,
    trust_conditions,
    values,
    vendored_policy,
)
from tests.oracles.iam_validation import (
    assert_valid_k8s,
    assert_valid_permission_policy,
)
from tests.support import (
    cluster_args,
    depends_on,
    doc,
    manifest,
    run,
)


@pytest.fixture(scope="module")
def default() -> SynthResult:
    return default_synth()


def test_policy_is_the_vendored_upstream_document(default: SynthResult) -> None:
    policy = doc(default.one(POLICY), "policy")
    assert policy == vendored_policy()
    assert_valid_permission_policy(policy)


def test_policy_is_attached_to_the_controller_role(default: SynthResult) -> None:
    policy, role, attachment = (
        default.one(POLICY),
        default.one(ROLE, "alb"),
        default.one(ATTACHMENT, "alb-policy"),
    )
    assert attachment.inputs["role"] == role.inputs["name"]
    assert attachment.inputs["policyArn"] == default.outputs["policyArn"]
    assert default.outputs["policyArn"].endswith(f":policy/{policy.inputs['name']}")
    assert {policy.urn, role.urn} <= set(attachment.dependencies)
    assert default.outputs["roleArn"].endswith(f":role/{role.inputs['name']}")


def test_china_partition_policy_and_trust() -> None:
    result = synth(region="cn-north-1", full=True)
    text = result.one(POLICY).inputs["policy"]
    assert "arn:aws:" not in text
    assert "arn:aws-cn:" in text
    assert json.loads(text) == vendored_policy("aws-cn")
    assert_valid_permission_policy(text)
    (statement,) = doc(result.one(ROLE, "alb"), "assumeRolePolicy")["Statement"]
    assert statement["Principal"]["Federated"].startswith("arn:aws-cn:iam::")
    assert values(result)["region"] == "cn-north-1"


def test_trust_admits_exactly_the_controller_service_account(default: SynthResult) -> None:
    conditions = trust_conditions(default.one(ROLE, "alb"))
    assert set(conditions) == {"StringEquals"}
    equals = conditions["StringEquals"]
    (sub_key,) = [k for k in equals if k.endswith(":sub")]
    (aud_key,) = [k for k in equals if k.endswith(":aud")]
    assert equals[sub_key] == SUBJECT
    assert equals[aud_key] == "sts.amazonaws.com"
    assert sub_key.startswith("oidc.eks.us-west-2.amazonaws.com/id/")


def test_service_account_carries_the_role(default: SynthResult) -> None:
    sa = default.one(SERVICE_ACCOUNT_TYPE)
    meta = sa.inputs["metadata"]
    assert (meta["namespace"], meta["name"]) == ("kube-system", SERVICE_ACCOUNT)
    assert meta["annotations"]["eks.amazonaws.com/role-arn"] == default.outputs["roleArn"]
    assert_valid_k8s(manifest(sa), K8S_VERSION)


def test_role_options_are_passed_on() -> None:
    result = synth(
        role=RoleSettings(
            name="alb-controller",
            permissions_boundary_arn="arn:aws:iam::123456789012:policy/Boundary",
            tags={"team": "platform"},
        )
    )
    role = result.one(ROLE, "alb")
    assert role.inputs["name"] == "alb-controller"
    assert role.inputs["permissionsBoundary"] == "arn:aws:iam::123456789012:policy/Boundary"
    assert result.one(POLICY).inputs["tags"] == {"team": "platform"}
    assert result.one(ATTACHMENT, "alb-policy").inputs["role"] == "alb-controller"
    assert result.one(ATTACHMENT, "alb-policy").inputs["policyArn"] == result.outputs["policyArn"]


def test_pod_identity_needs_no_oidc() -> None:
    def program() -> None:
        eks = EksCluster("test", cluster_args())
        LoadBalancerController(
            "alb", LoadBalancerControllerArgs(cluster=eks, identity="pod-identity")
        )

    result = run(program)
    association = result.one("aws:eks/podIdentityAssociation:PodIdentityAssociation")
    assert association.inputs["namespace"] == "kube-system"
    assert association.inputs["serviceAccount"] == SERVICE_ACCOUNT
    controller = result.one(COMPONENT).urn
    # The cluster's own (VPC CNI) role may be an IrsaRole; the controller's is not.
    assert not [r for r in result.by_type("eks-platform:index:IrsaRole") if r.parent == controller]
    (statement,) = doc(result.one(ROLE, "alb"), "assumeRolePolicy")["Statement"]
    assert statement["Principal"] == {"Service": "pods.eks.amazonaws.com"}
    sa = result.one(SERVICE_ACCOUNT_TYPE)
    assert "eks.amazonaws.com/role-arn" not in (sa.inputs["metadata"].get("annotations") or {})
    assert_valid_k8s(manifest(sa), K8S_VERSION)
    assert (
        result.one(ATTACHMENT, "alb-policy").inputs["role"]
        == result.one(ROLE, "alb").inputs["name"]
    )
    assert depends_on(result, result.one(RELEASE), association)
