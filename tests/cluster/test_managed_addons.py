"""EKS managed add-ons by name: the cluster's ``addons`` map (the core ones included),
``ManagedAddon`` on a cluster of another program, their roles, versions, configuration, and the
refusals that name the add-on and the field."""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pytest

from components import AddonSpec, permissions
from components.cluster import EksCluster
from components.cluster.addon_spec import list_date
from components.synth import Recorded, SynthResult
from tests.oracles.trust_policy import Token, admits, pod_identity_admits, service_may_assume
from tests.support import cluster_args, depends_on, doc, refused, run

ADDON = "aws:eks/addon:Addon"
EFS_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonEFSCSIDriverPolicy"
EFS = AddonSpec(service_account="efs-csi-controller-sa", managed_policy_arns={"efs": EFS_POLICY})


def cluster(**overrides: Any) -> SynthResult:
    def program() -> None:
        c = EksCluster("test", cluster_args(**overrides))
        pulumi.export("issuer", c.oidc_issuer_url)
        pulumi.export("provider", c.oidc_provider_arn)

    return run(program)


def addon(result: SynthResult, name: str) -> Recorded:
    (found,) = [a for a in result.by_type(ADDON) if a.inputs["addonName"] == name]
    return found


def issuer(result: SynthResult) -> tuple[str, str]:
    """The cluster's OIDC issuer URL and its IAM OIDC provider ARN."""
    return result.outputs["issuer"], result.outputs["provider"]


# -- any add-on, by name ----------------------------------------------------------------------


def test_an_addon_of_the_map_gets_an_irsa_role_for_exactly_its_service_account() -> None:
    result = cluster(addons={"aws-efs-csi-driver": EFS})
    efs = addon(result, "aws-efs-csi-driver")
    assert efs.name == "test-aws-efs-csi-driver"
    role = result.one("aws:iam/role:Role", "test-aws-efs-csi-driver")
    assert efs.inputs["serviceAccountRoleArn"].endswith(f":role/{role.inputs['name']}")
    assert "podIdentityAssociations" not in efs.inputs
    host, provider_arn = issuer(result)
    trust = doc(role, "assumeRolePolicy")
    sub = "system:serviceaccount:kube-system:efs-csi-controller-sa"
    assert admits(trust, Token(host, sub), provider_arn)
    for other in (
        "system:serviceaccount:kube-system:efs-csi-node-sa",
        "system:serviceaccount:default:efs-csi-controller-sa",
    ):
        assert not admits(trust, Token(host, other), provider_arn)
    assert not admits(trust, Token(host, sub, aud="other"), provider_arn)
    attachment = result.one(
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "test-aws-efs-csi-driver-efs"
    )
    assert attachment.inputs["policyArn"] == EFS_POLICY
    # The add-on's ServiceAccount is EKS's: the role creates none.
    assert not [
        sa
        for sa in result.by_type("kubernetes:core/v1:ServiceAccount")
        if sa.inputs["metadata"]["name"] == "efs-csi-controller-sa"
    ]
    # After the nodes and CoreDNS, and after the role's policies.
    assert depends_on(result, efs, result.one("aws:eks/nodeGroup:NodeGroup"))
    assert depends_on(result, efs, addon(result, "coredns"))
    assert depends_on(result, efs, attachment)


def test_pod_identity_goes_through_the_addons_association() -> None:
    spec = AddonSpec(
        service_account="efs-csi-controller-sa",
        identity="pod-identity",
        permissions=[permissions.s3_read("example-bucket")],
    )
    result = cluster(addons={"aws-efs-csi-driver": spec})
    efs = addon(result, "aws-efs-csi-driver")
    role = result.one("aws:iam/role:Role", "test-aws-efs-csi-driver")
    (association,) = efs.inputs["podIdentityAssociations"]
    assert association == {
        "roleArn": f"arn:aws:iam::123456789012:role/{role.inputs['name']}",
        "serviceAccount": "efs-csi-controller-sa",
    }
    assert "serviceAccountRoleArn" not in efs.inputs
    # No association of its own: EKS would refuse a second one for the ServiceAccount.
    assert not result.by_type("aws:eks/podIdentityAssociation:PodIdentityAssociation")
    assert result.one("eks-platform:index:PodIdentityAddonRole", "test-aws-efs-csi-driver")
    trust = doc(role, "assumeRolePolicy")
    assert pod_identity_admits(trust, "test", "kube-system", "efs-csi-controller-sa")
    assert not pod_identity_admits(trust, "test", "kube-system", "efs-csi-node-sa")
    assert not pod_identity_admits(trust, "test", "default", "efs-csi-controller-sa")
    assert not pod_identity_admits(trust, "other", "kube-system", "efs-csi-controller-sa")
    assert not service_may_assume(trust, "pods.eks.amazonaws.com")
    # The agent hands out the credentials: the add-on waits for it.
    assert depends_on(result, efs, addon(result, "eks-pod-identity-agent"))
    inline = doc(result.one("aws:iam/rolePolicy:RolePolicy"), "policy")
    assert inline["Statement"][0]["Resource"] == ["arn:aws:s3:::example-bucket"]


def test_versions_follow_the_cluster_unless_pinned_and_configuration_is_json() -> None:
    def versions(kubernetes_version: str) -> dict[str, str]:
        specs = {
            "snapshot-controller": AddonSpec(configuration_values={"replicas": 1}),
            "eks-node-monitoring-agent": AddonSpec(version="v1.4.0-eksbuild.2"),
        }
        result = cluster(kubernetes_version=kubernetes_version, addons=specs)
        assert json.loads(addon(result, "snapshot-controller").inputs["configurationValues"]) == {
            "replicas": 1
        }
        return {a.inputs["addonName"]: a.inputs["addonVersion"] for a in result.by_type(ADDON)}

    old, new = versions("1.34"), versions("1.35")
    assert old["snapshot-controller"].startswith("v1.34.")  # the mock's default for 1.34
    assert new["snapshot-controller"].startswith("v1.35.")
    assert (
        old["eks-node-monitoring-agent"] == new["eks-node-monitoring-agent"] == "v1.4.0-eksbuild.2"
    )


def test_the_core_addons_take_their_spec_from_the_same_map() -> None:
    result = cluster(
        addons={
            "coredns": AddonSpec(
                version="v1.11.4-eksbuild.2", configuration_values={"replicaCount": 3}
            ),
            "vpc-cni": AddonSpec(
                configuration_values={"env": {"ENABLE_PREFIX_DELEGATION": "true"}}
            ),
        },
        addon_versions={"kube-proxy": "v1.35.0-eksbuild.2"},
    )
    coredns = addon(result, "coredns")
    assert coredns.name == "test-coredns"  # the same resource as before: no replacement
    assert coredns.inputs["addonVersion"] == "v1.11.4-eksbuild.2"
    assert json.loads(coredns.inputs["configurationValues"]) == {"replicaCount": 3}
    cni = addon(result, "vpc-cni")
    assert json.loads(cni.inputs["configurationValues"])["env"] == {
        "ENABLE_PREFIX_DELEGATION": "true"
    }
    assert cni.inputs["serviceAccountRoleArn"]  # still the cluster's own role (cni_role)
    assert addon(result, "kube-proxy").inputs["addonVersion"] == "v1.35.0-eksbuild.2"


def test_a_fargate_only_cluster_merges_its_computetype_into_corednss_values() -> None:
    from components.cluster import FargateProfileSpec, FargateSelector

    result = cluster(
        node_groups={},
        fargate_profiles={
            "system": FargateProfileSpec(selectors=[FargateSelector(namespace="kube-system")])
        },
        addons={"coredns": AddonSpec(configuration_values={"replicaCount": 2})},
    )
    values = json.loads(addon(result, "coredns").inputs["configurationValues"])
    assert values == {"computeType": "Fargate", "replicaCount": 2}


def test_an_unlisted_addon_is_accepted_when_allowed() -> None:
    result = cluster(addons={"kubecost_kubecost": AddonSpec(allow_unlisted=True)})
    assert addon(result, "kubecost_kubecost").name == "test-kubecost_kubecost"


# -- misuse is refused, naming the add-on and the field -----------------------------------------


@pytest.mark.parametrize(
    "overrides, message",
    [
        (
            {"addons": {"aws-efs-csi-drvier": AddonSpec()}},
            f"addons['aws-efs-csi-drvier']: 'aws-efs-csi-drvier' is not in the list of EKS add-ons "
            f"of {list_date()}",
        ),
        ({"addons": {"aws-efs-csi-drvier": AddonSpec()}}, "did you mean aws-efs-csi-driver"),
        (
            {"addons": {"snapshot-controller": AddonSpec(version="1.2")}},
            "addons['snapshot-controller'].version: '1.2' is not an add-on version",
        ),
        (
            {"addons": {"snapshot-controller": AddonSpec(configuration_values='{"replicas": 1}')}},  # type: ignore[arg-type]
            "addons['snapshot-controller'].configuration_values: ",
        ),
        (
            {"addons": {"aws-efs-csi-driver": AddonSpec(managed_policy_arns={"efs": EFS_POLICY})}},
            "addons['aws-efs-csi-driver'].service_account: managed_policy_arns need the add-on's "
            "ServiceAccount",
        ),
        (
            {"addons": {"aws-efs-csi-driver": AddonSpec(service_account="efs-csi-controller-sa")}},
            "addons['aws-efs-csi-driver'].service_account: a role with nothing to do",
        ),
        (
            {
                "addons": {
                    "aws-efs-csi-driver": AddonSpec(
                        service_account="efs", managed_policy_arns={"efs": EFS_POLICY}
                    )
                }
            },
            "addons['aws-efs-csi-driver'].service_account: aws-efs-csi-driver's ServiceAccount is "
            "'efs-csi-controller-sa'",
        ),
        (
            {
                "addons": {
                    "adot": AddonSpec(
                        service_account="collector", managed_policy_arns={"x": EFS_POLICY}
                    )
                }
            },
            "addons['adot'].namespace: the list does not know adot's namespace",
        ),
        (
            {
                "addons": {
                    "aws-efs-csi-driver": AddonSpec(
                        service_account="efs-csi-controller-sa",
                        managed_policy_arns={"x": "arn:aws:iam::aws:nope"},
                    )
                }
            },
            "addons['aws-efs-csi-driver'].managed_policy_arns['x']",
        ),
        (
            {"addons": {"aws-efs-csi-driver": AddonSpec(identity="kiam")}},  # type: ignore[arg-type]
            "addons['aws-efs-csi-driver'].identity",
        ),
        (
            {"addons": {"aws-efs-csi-driver": AddonSpec(identity="pod-identity")}},
            "addons['aws-efs-csi-driver'].identity: pod-identity attaches a role to the add-on's "
            "ServiceAccount: give service_account",
        ),
        (
            {
                "addons": {
                    "vpc-cni": AddonSpec(
                        service_account="aws-node", managed_policy_arns={"x": EFS_POLICY}
                    )
                }
            },
            "addons['vpc-cni'].service_account: vpc-cni takes no role of its own here: the cluster "
            "gives it its role (cni_role)",
        ),
        (
            {
                "addons": {"coredns": AddonSpec(version="v1.11.4-eksbuild.2")},
                "addon_versions": {"coredns": "v1.11.4-eksbuild.3"},
            },
            "addons['coredns'].version: coredns's version is also pinned in addon_versions",
        ),
        (
            {"addon_versions": {"aws-efs-csi-driver": "v2.1.0-eksbuild.1"}},
            "addon_versions: 'aws-efs-csi-driver' is not one of",
        ),
        (
            {"addon_versions": {"coredns": "latest-please"}},
            "addon_versions['coredns'].version: 'latest-please' is not an add-on version",
        ),
        (
            {
                "pod_identity_agent": False,
                "addons": {
                    "aws-efs-csi-driver": AddonSpec(
                        service_account="efs-csi-controller-sa",
                        identity="pod-identity",
                        managed_policy_arns={"efs": EFS_POLICY},
                    )
                },
            },
            "addons['aws-efs-csi-driver'].identity: pod-identity needs the eks-pod-identity-agent",
        ),
        (
            {"addons": {"snapshot-controller": "v8.1.0-eksbuild.1"}},
            "addons['snapshot-controller']: expected",
        ),
    ],
)
def test_the_addon_map_refuses_misuse_naming_the_addon_and_field(
    overrides: dict[str, Any], message: str
) -> None:
    error = refused(lambda: EksCluster("test", cluster_args(**overrides)))
    assert error.startswith("EksCluster 'test': "), error
    assert message in error, error


def test_configuration_the_cluster_sets_is_refused() -> None:
    from components.cluster import FargateProfileSpec, FargateSelector

    error = refused(
        lambda: EksCluster(
            "test",
            cluster_args(
                node_groups={},
                fargate_profiles={
                    "s": FargateProfileSpec(selectors=[FargateSelector(namespace="kube-system")])
                },
                addons={"coredns": AddonSpec(configuration_values={"computeType": "ec2"})},
            ),
        )
    )
    assert "addons['coredns'].configuration_values.computeType: is set by the cluster" in error
