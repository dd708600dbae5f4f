"""A stack with ``cluster.compute: auto-mode`` (staging's configuration, switched): no
load-balancer controller, Karpenter or EBS add-on, Auto Mode's IngressClasses instead, ExternalDNS
and External Secrets unchanged; each compute refusing the other's keys, naming the key; and what
flipping a running stack would do (docs/compute.md)."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest

from components.synth import Recorded, SynthResult, run_program
from components.synth.transitions import transition
from tests.oracles.iam_validation import assert_valid_custom_resource
from tests.stacks import synths
from tests.support import manifest

NS = "eks-platform"
CLASS = "kubernetes:networking.k8s.io/v1:IngressClass"


def to_auto_mode(config: dict[str, Any]) -> None:
    """staging, switched: Auto Mode's compute, its IngressClasses for the controller's."""
    cluster = config[f"{NS}:cluster"]
    cluster["compute"] = "auto-mode"
    del cluster["nodeGroups"]
    cluster["autoMode"] = {
        "nodePools": {
            "arm": {
                "architectures": ["arm64"],
                "capacityTypes": ["spot", "on-demand"],
                "limits": {"cpu": "32", "memory": "128Gi"},
            }
        }
    }
    controller = config.pop(f"{NS}:loadBalancerController")
    del config[f"{NS}:karpenter"]
    config[f"{NS}:autoModeIngress"] = {
        key: controller[key]
        for key in ("defaultIngressClass", "publicIngressClass", "publicNamespaces")
    }


def run_staging(
    *edits: Callable[[dict[str, Any]], None], recorded: list[Recorded] | None = None
) -> SynthResult:
    """The staging composition with its parsed configuration edited."""
    parsed, secrets = synths.parsed_config("staging")  # a fresh copy of the file's, read once
    for edit in edits:
        edit(parsed)
    config = {k: (v if isinstance(v, str) else json.dumps(v)) for k, v in parsed.items()}

    def program() -> None:
        from stacks import staging
        from stacks.config import load

        staging.main(load())

    return run_program(program, NS, "staging", config, secrets, recorded=recorded)


def auto_mode() -> SynthResult:
    """staging switched to Auto Mode, synthed once per process (shared: read-only)."""
    return synths.result("staging", to_auto_mode)


def test_auto_mode_runs_what_the_platform_installs_on_managed_compute() -> None:
    result = auto_mode()
    types = {r.type for r in result.resources}
    assert "eks-platform:index:LoadBalancerController" not in types
    assert "eks-platform:index:Karpenter" not in types
    assert "aws:eks/nodeGroup:NodeGroup" not in types
    addons = {a.inputs["addonName"] for a in result.by_type("aws:eks/addon:Addon")}
    assert "aws-ebs-csi-driver" not in addons and "vpc-cni" not in addons
    releases = {r.name for r in result.by_type("kubernetes:helm.sh/v3:Release")}
    assert releases == {"staging-eks-external-dns", "staging-eks-external-secrets"}
    assert result.one("eks:index:Cluster").inputs["autoMode"]["enabled"] is True


def test_auto_mode_gives_the_same_ingress_classes_as_the_controller() -> None:
    result = auto_mode()
    classes = {c.inputs["metadata"]["name"]: c for c in result.by_type(CLASS)}
    assert set(classes) == {"alb", "alb-public"}
    assert {c.inputs["spec"]["controller"] for c in classes.values()} == {"eks.amazonaws.com/alb"}
    assert classes["alb"].inputs["metadata"]["annotations"] == {
        "ingressclass.kubernetes.io/is-default-class": "true"
    }
    params = {
        p.inputs["metadata"]["name"]: p
        for p in result.by_type("kubernetes:eks.amazonaws.com/v1:IngressClassParams")
    }
    for p in params.values():
        assert_valid_custom_resource(manifest(p), "eks-ingressclassparams-v1.json")
    assert params["alb"].inputs["spec"]["scheme"] == "internal"
    public = params["alb-public"].inputs["spec"]
    assert public["scheme"] == "internet-facing"
    assert public["namespaceSelector"]["matchExpressions"][0]["values"] == ["storefront"]
    # What another program's ClusterRef.ingress_class reads.
    assert result.outputs["ingressClasses"] == {
        "alb": {"scheme": "internal", "namespaces": []},
        "alb-public": {"scheme": "internet-facing", "namespaces": ["storefront"]},
    }
    assert result.outputs["ingressClass"] == "alb"


def test_auto_mode_storage_and_node_pools() -> None:
    result = auto_mode()
    (storage_class,) = result.by_type("kubernetes:storage.k8s.io/v1:StorageClass")
    assert storage_class.inputs["provisioner"] == "ebs.csi.eks.amazonaws.com"
    assert storage_class.inputs["parameters"]["kmsKeyId"].startswith("arn:aws:kms:")  # staging's
    pool = result.one("kubernetes:karpenter.sh/v1:NodePool")
    assert_valid_custom_resource(manifest(pool), "nodepools-v1.json")
    node_class = result.one("kubernetes:eks.amazonaws.com/v1:NodeClass")
    assert_valid_custom_resource(manifest(node_class), "eks-nodeclasses-v1.json")


def test_managed_stacks_get_no_auto_mode_objects() -> None:
    result = synths.result("staging")
    assert "autoMode" not in result.one("eks:index:Cluster").inputs
    assert result.by_type("eks-platform:index:AutoModeIngress") == []
    assert {c.inputs["spec"]["controller"] for c in result.by_type(CLASS)} == {
        "ingress.k8s.aws/alb"
    }


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    key, *rest = path.split(".")

    def edit(config: dict[str, Any]) -> None:
        node = config.setdefault(f"{NS}:{key}", {})
        for part in rest[:-1]:
            node = node.setdefault(part, {})
        node[rest[-1]] = copy.deepcopy(value)

    return edit


def _restore(key: str) -> Callable[[dict[str, Any]], None]:
    def edit(config: dict[str, Any]) -> None:
        config[f"{NS}:{key}"] = synths.parsed_config("staging")[0][f"{NS}:{key}"]

    return edit


@pytest.mark.parametrize(
    ("edits", "message"),
    [
        (
            [_restore("loadBalancerController")],
            "eks-platform:loadBalancerController: the load-balancer controller (Auto Mode serves "
            "its own IngressClasses: autoModeIngress) is not installed with cluster.compute "
            "auto-mode",
        ),
        (
            [_restore("karpenter")],
            "eks-platform:karpenter: Karpenter (Auto Mode launches the nodes) is not installed "
            "with cluster.compute auto-mode",
        ),
        (
            [_set("cluster.nodeGroups", {"general": {"instanceTypes": ["m6i.large"]}})],
            "eks-platform:cluster.nodeGroups: node groups are not used with compute auto-mode",
        ),
        (
            [_set("cluster.addonVersions", {"aws-ebs-csi-driver": "v1.40.0-eksbuild.1"})],
            "aws-ebs-csi-driver is not installed with compute auto-mode: EKS Auto Mode runs it",
        ),
        (
            [_set("cluster.autoMode.builtinNodePools", ["gpu"])],
            "eks-platform:cluster.autoMode.builtinNodePools[0]: 'gpu' is not one of",
        ),
    ],
)
def test_auto_mode_refuses_what_it_runs_itself_naming_the_key(
    edits: list[Callable[[dict[str, Any]], None]], message: str
) -> None:
    recorded: list[Recorded] = []
    with pytest.raises(ValueError) as error:
        run_staging(to_auto_mode, *edits, recorded=recorded)
    assert message in str(error.value), error.value
    assert "\n" not in str(error.value)
    assert recorded == []


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            _set("cluster.autoMode.builtinNodePools", ["system"]),
            "eks-platform:cluster.autoMode: Auto Mode settings need compute auto-mode",
        ),
        (
            _set("autoModeIngress.defaultIngressClass", True),
            "eks-platform:autoModeIngress: is for cluster.compute auto-mode",
        ),
        (
            _set("cluster.compute", "fargate"),
            "eks-platform:cluster.compute: 'fargate' is not one of managed, auto-mode",
        ),
    ],
)
def test_managed_compute_refuses_auto_mode_settings_naming_the_key(
    edit: Callable[[dict[str, Any]], None], message: str
) -> None:
    recorded: list[Recorded] = []
    with pytest.raises(ValueError) as error:
        run_staging(edit, recorded=recorded)
    assert message in str(error.value), error.value
    assert recorded == []


def test_flipping_a_running_stack_is_not_a_switch() -> None:
    """What `pulumi up` would do to staging if its stack file said auto-mode: EKS would enable
    Auto Mode on the control plane in place, but the same run deletes the nodes, the core
    add-ons, Karpenter and the load-balancer controller, and Auto Mode's classes cannot be
    created while the controller's of the same names exist: a new cluster is the switch."""
    before, after = synths.result("staging"), auto_mode()  # with options recorded
    plan = transition(before, after)
    control_plane = plan.of("eks:index:Cluster", "staging-eks-eks")
    assert control_plane.action == "update" and control_plane.properties == ("autoMode",)
    deleted = {(c.type, c.name) for c in plan.deleted}
    assert ("aws:eks/nodeGroup:NodeGroup", "staging-eks-general") in deleted
    assert ("eks-platform:index:Karpenter", "staging-eks-karpenter") in deleted
    assert (
        "eks-platform:index:LoadBalancerController",
        "staging-eks-aws-load-balancer-controller",
    ) in deleted
    assert {n for t, n in deleted if t == "aws:eks/addon:Addon"} >= {
        "staging-eks-vpc-cni",
        "staging-eks-kube-proxy",
        "staging-eks-coredns",
        "staging-eks-eks-pod-identity-agent",
    }
    collided = {(c.type, dict(c.identity)["metadata.name"]) for c in plan.collisions}
    assert {(CLASS, "alb"), (CLASS, "alb-public")} <= collided
    # The default StorageClass too, where managed compute's has the same name.
    storage = "kubernetes:storage.k8s.io/v1:StorageClass"
    names = {r.inputs["metadata"]["name"] for r in before.by_type(storage)}
    for r in after.by_type(storage):
        name = r.inputs["metadata"]["name"]
        assert ((storage, name) in collided) == (name in names)


def test_pod_identity_in_another_program_needs_no_agent_add_on_on_auto_mode() -> None:
    """Auto Mode's nodes run the Pod Identity agent: a program on the stack's cluster does not
    look for the add-on (which an Auto Mode cluster does not have)."""
    from components import ClusterRef, PodIdentityRole, WorkloadRoleArgs
    from components.synth.mocks import PlatformMocks

    outputs = dict(auto_mode().outputs)
    assert outputs["compute"] == "auto-mode"
    mocks = PlatformMocks("us-west-2", stack_outputs={"acme/eks-platform/staging": outputs})
    mocks.missing_addons.add((outputs["clusterName"], "eks-pod-identity-agent"))

    def program() -> None:
        cluster = ClusterRef.from_stack("acme/eks-platform/staging")
        PodIdentityRole(
            "api", WorkloadRoleArgs(cluster=cluster, namespace="apps", service_account="api")
        )

    result = run_program(program, NS, "apps", {"aws:region": "us-west-2"}, mocks=mocks)
    association = result.one("aws:eks/podIdentityAssociation:PodIdentityAssociation")
    assert association.inputs["clusterName"] == outputs["clusterName"]
