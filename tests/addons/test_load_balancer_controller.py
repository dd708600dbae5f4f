"""LoadBalancerController: IAM policy and role, Helm release, IngressClassParams and IngressClass."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
import pytest

from components.addons.helm import ChartSpec
from components.addons.helm import release_name as helm_release_name
from components.addons.load_balancer_controller import (
    DEFAULT_CHART,
    SERVICE_ACCOUNT,
    LoadBalancerController,
    LoadBalancerControllerArgs,
    validate_settings,
)
from components.cluster.eks_cluster import EksCluster, FargateProfileSpec, FargateSelector
from components.identity.iam import RoleSettings
from components.policies import load_balancer_controller_policy
from components.synth import Recorded, SynthResult
from components.validation.config_reader import config_error, from_config
from tests.iam_validation import (
    assert_valid_ingress_class_params,
    assert_valid_k8s,
    assert_valid_permission_policy,
)
from tests.support import (
    cluster_args,
    depends_on,
    doc,
    light_cluster,
    make_cluster,
    manifest,
    refused,
    run,
)

K8S_VERSION = "1.35"
COMPONENT = "eks-platform:index:LoadBalancerController"
RELEASE = "kubernetes:helm.sh/v3:Release"
POLICY = "aws:iam/policy:Policy"
ROLE = "aws:iam/role:Role"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
SERVICE_ACCOUNT_TYPE = "kubernetes:core/v1:ServiceAccount"
INGRESS_CLASS = "kubernetes:networking.k8s.io/v1:IngressClass"
PARAMS = "kubernetes:elbv2.k8s.aws/v1beta1:IngressClassParams"
SUBJECT = "system:serviceaccount:kube-system:aws-load-balancer-controller"
FARGATE = {"system": FargateProfileSpec(selectors=[FargateSelector(namespace="kube-system")])}


def synth(
    region: str = "us-west-2",
    cluster: dict[str, Any] | None = None,
    full: bool = False,
    **overrides: Any,
) -> SynthResult:
    """A cluster and a controller named ``alb`` with ``overrides``: an EksCluster (with
    ``cluster`` args) when ``full`` or ``cluster`` is given, else a light ClusterRef."""

    def program() -> None:
        eks = make_cluster(**(cluster or {})) if full or cluster else light_cluster()
        controller = LoadBalancerController(
            "alb", LoadBalancerControllerArgs(cluster=eks, **overrides)
        )
        pulumi.export("roleArn", controller.role_arn)
        pulumi.export("policyArn", controller.policy_arn)
        pulumi.export("ingressClassName", controller.ingress_class_name)
        pulumi.export("releaseName", controller.release_name)
        pulumi.export("releaseStatus", controller.release_status)

    return run(program, region=region)


def values(result: SynthResult) -> dict[str, Any]:
    chart_values: dict[str, Any] = result.one(RELEASE).inputs["values"]
    return chart_values


def trust_conditions(role: Recorded) -> dict[str, Any]:
    (statement,) = doc(role, "assumeRolePolicy")["Statement"]
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    conditions: dict[str, Any] = statement["Condition"]
    return conditions


@pytest.fixture(scope="module")
def default() -> SynthResult:
    return synth(full=True)


# --------------------------------------------------------------------------- IAM


def test_policy_is_the_vendored_upstream_document(default: SynthResult) -> None:
    policy = doc(default.one(POLICY), "policy")
    assert policy == load_balancer_controller_policy("aws")
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
    assert json.loads(text) == load_balancer_controller_policy("aws-cn")
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


# --------------------------------------------------------------------------- Helm release


def test_release_pins_the_chart(default: SynthResult) -> None:
    inputs = default.one(RELEASE).inputs
    assert inputs["chart"] == "aws-load-balancer-controller" == DEFAULT_CHART.chart
    assert inputs["version"] == "3.5.0"
    assert inputs["repositoryOpts"] == {"repo": "https://aws.github.io/eks-charts"}
    assert inputs["namespace"] == "kube-system"
    assert inputs["atomic"] is True
    assert default.outputs["releaseName"] == "alb"


def test_release_values(default: SynthResult) -> None:
    chart = values(default)
    assert chart["clusterName"] == "test"
    assert chart["region"] == "us-west-2"
    assert chart["vpcId"] == "vpc-0123456789abcdef0"
    assert chart["serviceAccount"] == {"create": False, "name": SERVICE_ACCOUNT}
    assert chart["replicaCount"] == 2
    assert chart["podDisruptionBudget"] == {"maxUnavailable": 1}
    assert chart["ingressClass"] == "alb"
    assert chart["createIngressClassResource"] is False
    assert chart["ingressClassParams"] == {"create": False}
    assert chart["defaultTargetType"] == "instance"
    assert chart["enableServiceMutatorWebhook"] is False
    assert chart["tolerations"] == []
    assert chart["nodeSelector"] == {}


def test_single_replica_has_no_disruption_budget() -> None:
    chart = values(synth(replicas=1))
    assert chart["replicaCount"] == 1
    assert "podDisruptionBudget" not in chart


def test_scheduling_and_webhook_pass_through() -> None:
    toleration = {"key": "CriticalAddonsOnly", "operator": "Exists", "effect": "NoSchedule"}
    chart = values(
        synth(
            tolerations=[toleration],
            node_selector={"role": "system"},
            enable_service_mutator_webhook=True,
            ingress_class="alb-public",
        )
    )
    assert chart["tolerations"] == [toleration]
    assert chart["nodeSelector"] == {"role": "system"}
    assert chart["enableServiceMutatorWebhook"] is True
    assert chart["ingressClass"] == "alb-public"


def test_extra_values_are_merged_last() -> None:
    chart = values(
        synth(
            values={
                "enableShield": False,
                "priorityClassName": "system-cluster-critical",
                "serviceAccount": {"automountServiceAccountToken": True},
                "podDisruptionBudget": {"maxUnavailable": 2},
            }
        )
    )
    assert chart["enableShield"] is False
    assert chart["priorityClassName"] == "system-cluster-critical"
    # Merged key by key: the component's serviceAccount settings stay.
    assert chart["serviceAccount"] == {
        "create": False,
        "name": SERVICE_ACCOUNT,
        "automountServiceAccountToken": True,
    }
    assert chart["podDisruptionBudget"] == {"maxUnavailable": 2}
    assert chart["clusterName"] == "test"


def test_chart_version_override() -> None:
    chart = ChartSpec(
        chart=DEFAULT_CHART.chart, repository=DEFAULT_CHART.repository, version="3.6.0"
    )
    assert synth(chart=chart).one(RELEASE).inputs["version"] == "3.6.0"


def test_release_waits_for_capacity_and_the_service_account(default: SynthResult) -> None:
    release = default.one(RELEASE)
    assert depends_on(default, release, default.one("aws:eks/nodeGroup:NodeGroup"))
    assert depends_on(default, release, default.one("aws:eks/addon:Addon", "test-coredns"))
    assert depends_on(default, release, default.one(SERVICE_ACCOUNT_TYPE))
    assert depends_on(default, release, default.one(ATTACHMENT, "alb-policy"))


def test_fargate_cluster_targets_pod_ips() -> None:
    result = synth(cluster={"node_groups": {}, "fargate_profiles": FARGATE})
    assert values(result)["defaultTargetType"] == "ip"
    release = result.one(RELEASE)
    assert depends_on(result, release, result.one("aws:eks/fargateProfile:FargateProfile"))


@pytest.mark.parametrize("target_type", ["ip", "instance"])
def test_target_type_can_be_forced(target_type: str) -> None:
    assert values(synth(default_target_type=target_type))["defaultTargetType"] == target_type


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
    assert not result.by_type("eks-platform:index:IrsaRole")
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


# --------------------------------------------------------------------------- IngressClass


def test_ingress_class_points_at_its_params(default: SynthResult) -> None:
    ingress_class, params = default.one(INGRESS_CLASS), default.one(PARAMS)
    spec = ingress_class.inputs["spec"]
    assert spec["controller"] == "ingress.k8s.aws/alb"
    assert spec["parameters"] == {
        "apiGroup": "elbv2.k8s.aws",
        "kind": "IngressClassParams",
        "name": params.inputs["metadata"]["name"],
    }
    assert ingress_class.inputs["metadata"]["name"] == "alb" == default.outputs["ingressClassName"]
    assert "annotations" not in ingress_class.inputs["metadata"]
    # Internal unless asked, and no TLS 1.0/1.1.
    assert params.inputs["spec"] == {
        "scheme": "internal",
        "ipAddressType": "ipv4",
        "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
    }
    assert_valid_k8s(manifest(ingress_class), K8S_VERSION)
    assert_valid_ingress_class_params(manifest(params))


def test_custom_resources_wait_for_the_chart(default: SynthResult) -> None:
    release = default.one(RELEASE)
    params, ingress_class = default.one(PARAMS), default.one(INGRESS_CLASS)
    assert release.urn in params.dependencies
    assert release.urn in ingress_class.dependencies
    assert params.urn in ingress_class.dependencies


@pytest.mark.parametrize(
    ("scheme", "ip_type"),
    [
        ("internal", "ipv4"),
        ("internet-facing", "dualstack"),
        ("internal", "dualstack-without-public-ipv4"),
    ],
)
def test_class_params(scheme: str, ip_type: str) -> None:
    result = synth(ingress_scheme=scheme, ip_address_type=ip_type, ingress_class="alb-internal")
    params = result.one(PARAMS)
    assert params.inputs["spec"]["scheme"] == scheme
    assert params.inputs["spec"]["ipAddressType"] == ip_type
    assert params.inputs["metadata"]["name"] == "alb-internal"
    assert_valid_ingress_class_params(manifest(params))


def test_default_ingress_class_annotation() -> None:
    result = synth(default_ingress_class=True)
    ingress_class = result.one(INGRESS_CLASS)
    assert ingress_class.inputs["metadata"]["annotations"] == {
        "ingressclass.kubernetes.io/is-default-class": "true"
    }
    assert_valid_k8s(manifest(ingress_class), K8S_VERSION)


def test_workload_options_depend_on_ready() -> None:
    def program() -> None:
        eks = make_cluster()
        controller = LoadBalancerController("alb", LoadBalancerControllerArgs(cluster=eks))
        assert controller.ready == [controller.release, controller.ingress_class]
        other = k8s.core.v1.ConfigMap("first", opts=pulumi.ResourceOptions(provider=eks.provider))
        k8s.core.v1.ConfigMap(
            "workload", opts=controller.workload_options(pulumi.ResourceOptions(depends_on=[other]))
        )

    result = run(program)
    workload = result.one("kubernetes:core/v1:ConfigMap", "workload")
    assert result.one(RELEASE).urn in workload.dependencies
    assert result.one(INGRESS_CLASS).urn in workload.dependencies
    assert result.one("kubernetes:core/v1:ConfigMap", "first").urn in workload.dependencies


# --------------------------------------------------------------------------- validation

BAD_ARGS: list[tuple[dict[str, Any], str]] = [
    (
        {"ingress_scheme": "public"},
        "ingress_scheme: 'public' is not one of internal, internet-facing",
    ),
    ({"ip_address_type": "ipv6"}, "ip_address_type: 'ipv6' is not one of"),
    ({"ingress_class": "ALB_Class"}, "ingress_class: 'ALB_Class' is not a valid IngressClass name"),
    ({"replicas": 0}, "replicas: 0 must be an integer at least 1"),
    ({"identity": "kiam"}, "identity: expected one of 'irsa', 'pod-identity', got str 'kiam'"),
    ({"default_target_type": "pod"}, "default_target_type: 'pod' is not one of ip, instance"),
    (
        {
            "chart": ChartSpec(
                chart="aws-load-balancer-controller",
                repository="https://aws.github.io/eks-charts",
                version="3.x",
            )
        },
        "chart.version",
    ),
    ({"tolerations": [{"key": "a", "operator": "Maybe"}]}, r"tolerations\[0\].operator"),
    ({"tolerations": [{"key": "a", "colour": "red"}]}, r"tolerations\[0\]: unknown field 'colour'"),
    ({"node_selector": {"bad key!": "x"}}, "node_selector"),
    ({"values": {"replicaCount": 3}}, "values.replicaCount: is set by the argument replicas"),
    ({"values": {"serviceAccount": {"name": "other"}}}, "values.serviceAccount.name"),
    ({"values": {"clusterName": "other"}}, "values.clusterName"),
    ({"role": RoleSettings(name="x" * 65)}, "role.name"),
    ({"role": None}, "role: expected a RoleSettings, got NoneType"),
    ({"crds_version": "3.5.0"}, "crds_version: .* is not a controller release tag"),
    ({"public_ingress_class": "alb-public"}, "public_namespaces: list the namespaces"),
    (
        {"public_ingress_class": "alb", "public_namespaces": ["a"]},
        "public_ingress_class: 'alb' is the main class",
    ),
    ({"ssl_policy": "TLS1.2"}, "ssl_policy: 'TLS1.2' is not an ELB security policy"),
    (
        {"waf_acl_arn": "arn:aws:wafv2:us-west-2:1:regional/webacl/x/1"},
        "waf_acl_arn: a web ACL protects internet-facing",
    ),
    ({"values": {"resources": {}}}, "values.resources: is set by the argument resources"),
    ({"resources": {"limits": {"memory": "256MB"}}}, "resources.limits.memory: '256MB' is not"),
    ({"resources": {"request": {"cpu": "1"}}}, "resources: 'request' is not one of requests"),
    ({"replicas": "2"}, "replicas: expected an integer, got str"),
]


def _refused(make_args: Callable[[Any], LoadBalancerControllerArgs]) -> str:
    """Build the cluster, then the controller ``alb``, which must be refused, registering nothing."""

    def program() -> None:
        LoadBalancerController("alb", make_args(light_cluster()))

    return refused(program, name="alb")


@pytest.mark.parametrize(("overrides", "message"), BAD_ARGS)
def test_bad_args_are_refused_before_anything_is_registered(
    overrides: dict[str, Any], message: str
) -> None:
    error = _refused(lambda eks: LoadBalancerControllerArgs(cluster=eks, **overrides))
    assert error.startswith("LoadBalancerController 'alb': ")
    assert re.search(message, error), error


def test_a_cluster_that_is_not_one_is_refused() -> None:
    error = _refused(lambda eks: LoadBalancerControllerArgs(cluster=eks.name))
    assert error.startswith(
        "LoadBalancerController 'alb': cluster: expected an EksCluster or a ClusterRef"
    )


@pytest.mark.parametrize(
    ("name", "expected"),
    [("dev-alb", "dev-alb"), ("Dev_Cluster-alb", "dev-cluster-alb"), ("x" * 60, None)],
)
def test_helm_release_name_is_a_valid_release_name(name: str, expected: str | None) -> None:
    release_name = helm_release_name(name)
    assert release_name == helm_release_name(name)  # deterministic
    assert len(release_name) <= 53
    assert re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", release_name)
    if expected is not None:
        assert release_name == expected


def test_long_component_name_still_deploys() -> None:
    def program() -> None:
        LoadBalancerController("a" * 70, LoadBalancerControllerArgs(cluster=make_cluster()))

    assert run(program).one(RELEASE).inputs["name"] == helm_release_name("a" * 70)


# --------------------------------------------------------------------------- configuration

CONFIG_KEY = "eks-platform:loadBalancerController"


def test_args_read_from_stack_configuration() -> None:
    raw = {
        "identity": "pod-identity",
        "chart": {
            "chart": "aws-load-balancer-controller",
            "repository": "https://aws.github.io/eks-charts",
            "version": "3.5.0",
        },
        "replicas": 3,
        "ingressClass": "alb-public",
        "defaultIngressClass": True,
        "ingressScheme": "internal",
        "ipAddressType": "dualstack",
        "defaultTargetType": "ip",
        "enableServiceMutatorWebhook": True,
        "tolerations": [{"key": "CriticalAddonsOnly", "operator": "Exists"}],
        "nodeSelector": {"role": "system"},
        "role": {"name": "alb-controller", "tags": {"team": "platform"}},
        "values": {"enableShield": False},
    }
    args = from_config(LoadBalancerControllerArgs, raw, CONFIG_KEY, cluster=None)
    validate_settings(args)
    assert args.chart == DEFAULT_CHART
    assert (args.replicas, args.ingress_scheme, args.ip_address_type) == (
        3,
        "internal",
        "dualstack",
    )
    assert args.role.name == "alb-controller"
    assert args.values == {"enableShield": False}


def test_config_errors_name_the_config_key() -> None:
    args = from_config(
        LoadBalancerControllerArgs, {"ingressScheme": "public"}, CONFIG_KEY, cluster=None
    )
    with pytest.raises(ValueError, match=rf"^{CONFIG_KEY}\.ingressScheme: 'public' is not one of"):
        try:
            validate_settings(args)
        except ValueError as e:
            raise config_error(CONFIG_KEY, e) from None


# --------------------------------------------------------------------------- CRDs on upgrades


def test_crds_are_applied_by_pulumi_at_the_pinned_version_and_skipped_by_helm(
    default: SynthResult,
) -> None:
    crds = default.by_type("kubernetes:yaml/v2:ConfigFile")
    files = sorted(c.inputs["file"] for c in crds)
    assert files == [
        "https://raw.githubusercontent.com/kubernetes-sigs/aws-load-balancer-controller/v3.5.0/helm/aws-load-balancer-controller/crds/crds.yaml",
        "https://raw.githubusercontent.com/kubernetes-sigs/aws-load-balancer-controller/v3.5.0/helm/aws-load-balancer-controller/crds/gateway-crds.yaml",
    ]
    release = default.one(RELEASE)
    assert release.inputs["skipCrds"] is True  # Helm never upgrades crds/: Pulumi does
    for crd in crds:
        assert depends_on(default, release, crd)
    assert depends_on(default, default.one(PARAMS), release)


def test_a_new_chart_pin_upgrades_the_crds() -> None:
    chart = ChartSpec(
        chart=DEFAULT_CHART.chart, repository=DEFAULT_CHART.repository, version="3.6.0"
    )
    source = "https://raw.githubusercontent.com/kubernetes-sigs/aws-load-balancer-controller"
    path = "helm/aws-load-balancer-controller/crds"

    def crd_files(**overrides: Any) -> list[str]:
        configs = synth(chart=chart, **overrides).by_type("kubernetes:yaml/v2:ConfigFile")
        return sorted(c.inputs["file"] for c in configs)

    for tag, overrides in (("v3.6.0", {}), ("v3.5.1", {"crds_version": "v3.5.1"})):
        assert crd_files(**overrides) == [
            f"{source}/{tag}/{path}/crds.yaml",
            f"{source}/{tag}/{path}/gateway-crds.yaml",
        ]


# --------------------------------------------------------------------------- internet-facing class


def test_an_internet_facing_class_beside_the_internal_one_for_chosen_namespaces() -> None:
    cert = "arn:aws:acm:us-west-2:123456789012:certificate/11111111-2222-3333-4444-555555555555"
    waf = "arn:aws:wafv2:us-west-2:123456789012:regional/webacl/edge/1"
    result = synth(
        public_ingress_class="alb-public",
        public_namespaces=["shop", "game-2048"],
        certificate_arns=[cert],
        access_logs_bucket="example-alb-logs",
        waf_acl_arn=waf,
    )
    params = {p.inputs["metadata"]["name"]: p.inputs["spec"] for p in result.by_type(PARAMS)}
    assert params["alb"]["scheme"] == "internal"
    public = params["alb-public"]
    assert public["scheme"] == "internet-facing"
    assert public["namespaceSelector"] == {
        "matchExpressions": [
            {
                "key": "kubernetes.io/metadata.name",
                "operator": "In",
                "values": ["game-2048", "shop"],
            }
        ]
    }
    assert "namespaceSelector" not in params["alb"]
    for spec in params.values():
        assert spec["sslPolicy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06"
        assert spec["certificateArn"] == [cert] and spec["sslRedirectPort"] == "443"
        assert {"key": "access_logs.s3.bucket", "value": "example-alb-logs"} in spec[
            "loadBalancerAttributes"
        ]
    assert public["wafv2AclArn"] == waf and "wafv2AclArn" not in params["alb"]
    for p in result.by_type(PARAMS):
        assert_valid_ingress_class_params(manifest(p))
    classes = {c.inputs["metadata"]["name"] for c in result.by_type(INGRESS_CLASS)}
    assert classes == {"alb", "alb-public"}
    cleanup = [
        r for r in result.by_type("pulumi-python:dynamic:Resource") if r.name == "alb-cleanup"
    ]
    assert cleanup[0].inputs["ingressClasses"] == ["alb", "alb-public"]


def test_replicas_spread_over_zones_with_resources() -> None:
    chart = values(synth(replicas=2))
    assert chart["resources"]["requests"] == {"cpu": "100m", "memory": "128Mi"}
    (spread,) = chart["topologySpreadConstraints"]
    assert spread["topologyKey"] == "topology.kubernetes.io/zone"
    assert "topologySpreadConstraints" not in values(synth(replicas=1))


def test_every_values_key_is_read_by_the_pinned_chart() -> None:
    from tests.charts import assert_values_read

    chart = values(
        synth(replicas=2, tolerations=[{"key": "CriticalAddonsOnly", "operator": "Exists"}])
    )
    assert_values_read(chart, "aws-load-balancer-controller-3.5.0")
