"""Storage and metrics on every stack's synth: the EBS CSI driver with its role, the one default
StorageClass, the Metrics Server on the system nodes, and dev's demo mounting a volume and
scaling a Deployment with an HPA."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.addons.metrics_server import METRICS_API
from components.synth import Recorded, SynthResult
from stacks import ENVIRONMENTS
from tests.oracles.iam_validation import assert_valid_k8s
from tests.stacks.harness import run_dev_with, set_path, stack
from tests.support import depends_on, doc

ADDON = "aws:eks/addon:Addon"
CLASS = "kubernetes:storage.k8s.io/v1:StorageClass"
PATCH = "kubernetes:storage.k8s.io/v1:StorageClassPatch"
DEFAULT = "storageclass.kubernetes.io/is-default-class"
HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
K8S = "1.35"


def addon(result: SynthResult, name: str) -> Recorded:
    (found,) = [a for a in result.by_type(ADDON) if a.inputs["addonName"] == name]
    return found


def full(resource: Recorded, api_version: str, kind: str) -> dict[str, Any]:
    """The object as the provider applies it (inputs beside metadata and spec included)."""
    obj = {k: v for k, v in resource.inputs.items() if k not in ("apiVersion", "kind")}
    return {"apiVersion": api_version, "kind": kind, **obj}


@pytest.mark.parametrize("name", ENVIRONMENTS)
def test_the_gp3_class_is_the_only_default_on_every_stack(name: str) -> None:
    result = stack(name)
    defaults = [
        c.inputs["metadata"]["name"]
        for c in result.by_type(CLASS)
        if c.inputs["metadata"].get("annotations", {}).get(DEFAULT) == "true"
    ]
    assert defaults == ["gp3"]
    (gp3,) = result.by_type(CLASS)
    assert gp3.inputs["provisioner"] == "ebs.csi.aws.com"
    assert gp3.inputs["parameters"]["type"] == "gp3"
    assert gp3.inputs["parameters"]["encrypted"] == "true"
    assert gp3.inputs["volumeBindingMode"] == "WaitForFirstConsumer"
    assert gp3.inputs["allowVolumeExpansion"] is True
    assert_valid_k8s(full(gp3, "storage.k8s.io/v1", "StorageClass"), K8S)
    # gp2, which EKS creates, is not a default: patched to "false" wherever it comes from.
    (patch,) = result.by_type(PATCH)
    assert patch.inputs["metadata"]["name"] == "gp2"
    assert patch.inputs["metadata"]["annotations"][DEFAULT] == "false"
    assert {r.inputs["metadata"]["name"] for r in result.by_type(PATCH)} == {"gp2"}
    assert result.outputs["storageClass"] == "gp3"


@pytest.mark.parametrize("name", ENVIRONMENTS)
def test_volumes_are_encrypted_with_the_stacks_key_where_it_has_one(name: str) -> None:
    result = stack(name)
    gp3 = result.one(CLASS)
    keys = result.by_type("aws:kms/key:Key")
    if not keys:  # dev: no Secrets key, EBS's default encryption
        assert "kmsKeyId" not in gp3.inputs["parameters"]
        return
    (key,) = keys
    key_arn = gp3.inputs["parameters"]["kmsKeyId"]
    assert key_arn.startswith("arn:aws:kms:us-west-2:123456789012:key/")
    control_plane = result.one("eks:index:Cluster")
    assert control_plane.inputs["encryptionConfigKeyArn"] == key_arn  # the stack's one key
    role = result.one("aws:iam/role:Role", f"{name}-eks-ebs-csi-driver")
    (inline,) = [
        p
        for p in result.by_type("aws:iam/rolePolicy:RolePolicy")
        if p.name == f"{name}-eks-ebs-csi-driver-permissions"
    ]
    statements = doc(inline, "policy")["Statement"]
    assert {r for s in statements for r in s["Resource"]} == {key_arn}
    assert statements[0]["Condition"] == {"Bool": {"kms:GrantIsForAWSResource": "true"}}
    sids = {s.get("Sid") for s in doc(key, "policy")["Statement"]}
    assert {"EbsVolumesThroughEc2", "EbsGrantsThroughEc2"} <= sids
    assert inline.inputs["role"] == role.inputs["name"] or inline.parent == role.parent


@pytest.mark.parametrize("name", ENVIRONMENTS)
def test_the_ebs_driver_follows_the_cluster_with_its_managed_policy(name: str) -> None:
    result = stack(name)
    driver = addon(result, "aws-ebs-csi-driver")
    version = result.one("eks:index:Cluster").inputs["version"]
    assert driver.inputs["addonVersion"].startswith(f"v{version}.")  # the mock's default for it
    role = result.one("aws:iam/role:Role", f"{name}-eks-ebs-csi-driver")
    assert driver.inputs["serviceAccountRoleArn"].endswith(f":role/{role.inputs['name']}")
    policies = {
        a.inputs["policyArn"]
        for a in result.by_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
        if a.name.startswith(f"{name}-eks-ebs-csi-driver")
    }
    assert policies == {"arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy"}
    # Its role is in tests/stacks/test_security.py's table: it admits exactly
    # kube-system/ebs-csi-controller-sa (evaluated there for every stack).


@pytest.mark.parametrize("name", ENVIRONMENTS)
def test_the_metrics_server_runs_on_the_system_nodes(name: str) -> None:
    result = stack(name)
    server = addon(result, "metrics-server")
    values = json.loads(server.inputs["configurationValues"])
    assert values["tolerations"] == [{"key": "CriticalAddonsOnly", "operator": "Exists"}]
    groups = {
        g.inputs["labels"].get("workload") for g in result.by_type("aws:eks/nodeGroup:NodeGroup")
    }
    if "system" in groups:  # dev and prod: the system node group
        assert values["nodeSelector"] == {"workload": "system"}
        ebs = json.loads(addon(result, "aws-ebs-csi-driver").inputs["configurationValues"])
        assert ebs["controller"]["nodeSelector"] == {"workload": "system"}
    assert result.outputs["metricsApi"] == METRICS_API


def test_the_dev_demo_mounts_a_volume_of_the_default_class() -> None:
    result = stack("dev")
    claim = result.one("kubernetes:core/v1:PersistentVolumeClaim")
    spec = claim.inputs["spec"]
    assert claim.inputs["metadata"] == {"name": "demo-data", "namespace": "demo"}
    assert spec["storageClassName"] == "gp3" and spec["accessModes"] == ["ReadWriteOnce"]
    assert_valid_k8s(full(claim, "v1", "PersistentVolumeClaim"), K8S)
    # Created after the driver and the class, deleted before them (the driver deletes the volume).
    assert depends_on(result, claim, addon(result, "aws-ebs-csi-driver"))
    assert depends_on(result, claim, result.one(CLASS))
    writer = result.one(DEPLOYMENT, "dev-eks-demo-volume")
    pod = writer.inputs["spec"]["template"]["spec"]
    (volume,) = pod["volumes"]
    assert volume["persistentVolumeClaim"]["claimName"] == "demo-data"
    assert writer.inputs["spec"]["replicas"] == 1
    assert writer.inputs["spec"]["strategy"]["type"] == "Recreate"
    assert_valid_k8s(full(writer, "apps/v1", "Deployment"), K8S)


@pytest.mark.parametrize("deployment", ["dev-eks-demo-volume", "dev-eks-demo-web"])
def test_the_demo_pods_meet_restricted_pod_security(deployment: str) -> None:
    result = stack("dev")
    (namespace,) = [
        n
        for n in result.by_type("kubernetes:core/v1:Namespace")
        if n.inputs["metadata"]["name"] == "demo"
    ]
    assert (
        namespace.inputs["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    )
    pod = result.one(DEPLOYMENT, deployment).inputs["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert pod["automountServiceAccountToken"] is False
    for container in pod["containers"]:
        context = container["securityContext"]
        assert context["allowPrivilegeEscalation"] is False
        assert context["capabilities"] == {"drop": ["ALL"]}
        assert context["readOnlyRootFilesystem"] is True
        assert set(container["resources"]["requests"]) == {"cpu", "memory"}
        assert ":" in container["image"].rsplit("/", 1)[1] and not container["image"].endswith(
            ":latest"
        )
    volumes = {k for v in pod["volumes"] for k in v if k != "name"}
    assert volumes <= {"persistentVolumeClaim", "emptyDir"}  # what restricted allows


def test_the_dev_hpa_scales_the_demo_deployment_on_the_stacks_metrics_api() -> None:
    result = stack("dev")
    hpa = result.one(HPA)
    spec = hpa.inputs["spec"]
    assert_valid_k8s(full(hpa, "autoscaling/v2", "HorizontalPodAutoscaler"), K8S)
    # It targets the demo's Deployment, which exists, in its namespace, with CPU requests.
    target = spec["scaleTargetRef"]
    assert (target["apiVersion"], target["kind"]) == ("apps/v1", "Deployment")
    web = result.one(DEPLOYMENT, "dev-eks-demo-web")
    assert target["name"] == web.inputs["metadata"]["name"] == "demo-web"
    assert hpa.inputs["metadata"]["namespace"] == web.inputs["metadata"]["namespace"] == "demo"
    (container,) = web.inputs["spec"]["template"]["spec"]["containers"]
    assert container["resources"]["requests"]["cpu"]
    assert "replicas" not in web.inputs["spec"]  # the HPA's to set
    assert_valid_k8s(full(web, "apps/v1", "Deployment"), K8S)
    # CPU utilization: a resource metric, which the HPA controller reads from metrics.k8s.io...
    (metric,) = spec["metrics"]
    assert metric["type"] == "Resource" and metric["resource"]["name"] == "cpu"
    assert metric["resource"]["target"] == {"type": "Utilization", "averageUtilization": 70}
    assert 1 <= spec["minReplicas"] < spec["maxReplicas"]
    # ...which the stack serves: the Metrics Server add-on, that the HPA depends on.
    server = addon(result, "metrics-server")
    assert result.outputs["metricsApi"] == METRICS_API == "metrics.k8s.io"
    assert depends_on(result, hpa, server)
    # Nothing else in the stack serves the API (no chart or APIService of its own).
    assert not [
        r
        for r in result.resources
        if r.type.startswith("kubernetes:apiregistration.k8s.io/")
        or (r.type == "kubernetes:helm.sh/v3:Release" and "metrics" in r.name)
    ]


@pytest.mark.parametrize(
    "path, value, message",
    [
        (
            "eks-platform:cluster.addons",
            {"aws-ebs-csi-driver": {}},
            r"^eks-platform:cluster\.addons\.aws-ebs-csi-driver: aws-ebs-csi-driver is installed by "
            r"eks-platform:storage",
        ),
        (
            "eks-platform:cluster.addons",
            {"metrics-server": {"version": "v0.8.0-eksbuild.2"}},
            r"^eks-platform:cluster\.addons\.metrics-server: metrics-server is installed by "
            r"eks-platform:metricsServer",
        ),
        (
            "eks-platform:cluster.addons",
            {"aws-efs-csi-drive": {}},
            r"^eks-platform:cluster\.addons\.aws-efs-csi-drive: 'aws-efs-csi-drive' is not in the "
            r"list of EKS add-ons of \d{4}-\d\d-\d\d",
        ),
        (
            "eks-platform:cluster.addons",
            {"snapshot-controller": {"configurationValues": '{"replicas": 1}'}},
            r"^eks-platform:cluster\.addons\.snapshot-controller\.configurationValues: expected a "
            r"mapping",
        ),
        (
            "eks-platform:cluster.addons",
            {"aws-efs-csi-driver": {"managedPolicyArns": {"efs": "arn:aws:iam::aws:policy/x"}}},
            r"^eks-platform:cluster\.addons\.aws-efs-csi-driver\.serviceAccount: managedPolicyArns "
            r"need the add-on's ServiceAccount",
        ),
        (
            "eks-platform:storage",
            {"nodeSelector": {"workload": "gpu"}},
            r"^eks-platform:storage\.nodeSelector: \{'workload': 'gpu'\} matches no "
            r"cluster\.nodeGroups labels",
        ),
        (
            "eks-platform:metricsServer",
            {"configurationValues": {"tolerations": []}},
            r"^eks-platform:metricsServer\.configurationValues\.tolerations: is set by tolerations",
        ),
        (
            "eks-platform:storage",
            {"storageClass": "gp2"},
            r"^eks-platform:storage\.storageClass: 'gp2' is the class EKS creates",
        ),
    ],
)
def test_the_stack_file_refuses_misuse_naming_the_key(path: str, value: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        run_dev_with(set_path(path, value))


def test_an_addon_of_the_list_with_its_role_from_the_stack_file() -> None:
    policy = "arn:aws:iam::aws:policy/service-role/AmazonEFSCSIDriverPolicy"
    result = run_dev_with(
        set_path(
            "eks-platform:cluster.addons",
            {
                "aws-efs-csi-driver": {
                    "serviceAccount": "efs-csi-controller-sa",
                    "identity": "pod-identity",
                    "managedPolicyArns": {"efs": policy},
                    "configurationValues": {"controller": {"replicaCount": 1}},
                },
                "coredns": {"configurationValues": {"replicaCount": 2}},
            },
        )
    )
    efs = addon(result, "aws-efs-csi-driver")
    assert efs.inputs["podIdentityAssociations"][0]["serviceAccount"] == "efs-csi-controller-sa"
    assert json.loads(efs.inputs["configurationValues"]) == {"controller": {"replicaCount": 1}}
    assert json.loads(addon(result, "coredns").inputs["configurationValues"]) == {"replicaCount": 2}
