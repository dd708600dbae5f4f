"""The stacks: each synths, each environment has the shape it promises, config errors name the key."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from components.synth import SynthResult, load_stack_config, run_program, synth
from stacks import ENVIRONMENTS

ROOT = Path(__file__).resolve().parent.parent


@functools.cache
def stack(name: str) -> SynthResult:
    return synth(ROOT, name)


@pytest.mark.parametrize("name", ENVIRONMENTS)
def test_every_stack_synths_and_exports_the_kubeconfig_as_a_secret(name: str) -> None:
    result = stack(name)
    assert result.outputs["kubeconfig"] == "[secret]"
    assert result.outputs["clusterName"] == f"{name}-eks"
    assert result.one("eks:index:Cluster").inputs["authenticationMode"] == "API"
    assert result.by_type("aws:iam/openIdConnectProvider:OpenIdConnectProvider")


@pytest.mark.parametrize("name", ENVIRONMENTS)
def test_every_kubernetes_object_goes_to_the_stacks_cluster(name: str) -> None:
    # Never the default provider: it would apply to whatever cluster ~/.kube/config names.
    result = stack(name)
    (provider,) = result.by_type("pulumi:providers:kubernetes")
    objects = [r for r in result.resources if r.custom and r.type.startswith("kubernetes:")]
    assert len(objects) > 10
    assert {r.provider for r in objects} == {provider.urn}, [
        r.name for r in objects if r.provider != provider.urn
    ]


def test_dev_is_cheap() -> None:
    result = stack("dev")
    vpc = result.one("awsx:ec2:Vpc").inputs
    assert vpc["numberOfAvailabilityZones"] == 2
    assert vpc["natGateways"] == {"strategy": "Single"}
    (group,) = result.by_type("aws:eks/nodeGroup:NodeGroup")
    assert group.inputs["scalingConfig"]["maxSize"] <= 2  # system pods only
    # Workloads run on spot capacity Karpenter launches, within small limits.
    (pool,) = result.by_type("kubernetes:karpenter.sh/v1:NodePool")
    requirements = {
        r["key"]: r["values"] for r in pool.inputs["spec"]["template"]["spec"]["requirements"]
    }
    assert requirements["karpenter.sh/capacity-type"] == ["spot"]
    assert pool.inputs["spec"]["limits"] == {"cpu": "8", "memory": "32Gi"}
    assert not any(r.protect for r in result.resources)


def test_dev_demonstrates_both_workload_identity_mechanisms() -> None:
    result = stack("dev")
    assert result.one("eks-platform:index:IrsaRole", "dev-eks-demo-irsa")
    assert result.one("eks-platform:index:PodIdentityRole", "dev-eks-demo-pod-identity")
    accounts = {
        sa.inputs["metadata"]["name"] for sa in result.by_type("kubernetes:core/v1:ServiceAccount")
    }
    assert {"demo-irsa", "demo-pod-identity"} <= accounts


def test_prod_is_highly_available_private_encrypted_and_protected() -> None:
    result = stack("prod")
    vpc = result.one("awsx:ec2:Vpc").inputs
    assert vpc["numberOfAvailabilityZones"] == 3
    assert vpc["natGateways"] == {"strategy": "OnePerAz"}
    assert {g.inputs["capacityType"] for g in result.by_type("aws:eks/nodeGroup:NodeGroup")} == {
        "ON_DEMAND"
    }
    control_plane = result.one("eks:index:Cluster")
    assert control_plane.inputs["endpointPrivateAccess"] is True
    assert "0.0.0.0/0" not in control_plane.inputs.get("publicAccessCidrs", [])
    assert control_plane.inputs["encryptionConfigKeyArn"].startswith("arn:aws:kms:")
    assert control_plane.protect and control_plane.inputs["deletionProtection"] is True
    assert not [r for r in result.resources if "demo" in r.name or "game-2048" in r.name]


def test_dev_ingress_depends_on_the_controller_and_is_published_by_external_dns() -> None:
    result = stack("dev")
    ingress = result.one("kubernetes:networking.k8s.io/v1:Ingress")
    release = next(
        r
        for r in result.by_type("kubernetes:helm.sh/v3:Release")
        if r.inputs["chart"] == "aws-load-balancer-controller"
    )
    assert release.urn in ingress.dependencies
    dns = next(
        r
        for r in result.by_type("kubernetes:helm.sh/v3:Release")
        if r.inputs["chart"] == "external-dns"
    )
    host = ingress.inputs["spec"]["rules"][0]["host"]
    assert any(host.endswith("." + d) for d in dns.inputs["values"]["domainFilters"])
    assert dns.inputs["values"]["policy"] == "sync"


@pytest.mark.parametrize("name", ["staging", "prod"])
def test_shared_environments_run_two_controller_replicas_and_keep_dns_records(name: str) -> None:
    result = stack(name)
    releases = {
        r.inputs["chart"]: r.inputs["values"]
        for r in result.by_type("kubernetes:helm.sh/v3:Release")
    }
    assert releases["aws-load-balancer-controller"]["replicaCount"] == 2
    assert releases["aws-load-balancer-controller"]["podDisruptionBudget"] == {"maxUnavailable": 1}
    assert releases["external-dns"]["policy"] == "upsert-only"
    assert not result.by_type("eks-platform:index:SampleApp")


@pytest.mark.parametrize("name", ENVIRONMENTS)
def test_stack_matches_its_snapshot(name: str) -> None:
    """A change to what a stack deploys must be deliberate: run `make snapshots` and review the diff."""
    from components.synth.diff import diff_documents, render_text

    snapshot = json.loads((ROOT / "tests" / "snapshots" / f"{name}.json").read_text())
    current = json.loads(json.dumps(stack(name).as_json()))
    if current != snapshot:
        changes = render_text(diff_documents(snapshot, current))
        pytest.fail(
            f"stack {name} differs from tests/snapshots/{name}.json; if the change is meant, "
            f"run `make snapshots` and review `git diff tests/snapshots`:\n{changes}",
            pytrace=False,
        )


# -- configuration errors -------------------------------------------------------------------


def run_dev_with(edit: Any, recorded: list) -> None:
    """Run the dev composition with an edited copy of Pulumi.dev.yaml, recording registrations."""
    config, secrets = load_stack_config(ROOT, "eks-platform", "dev")
    parsed = {k: (json.loads(v) if v[:1] in "[{" else v) for k, v in config.items()}
    edit(parsed)
    raw = {k: (v if isinstance(v, str) else json.dumps(v)) for k, v in parsed.items()}

    def program() -> None:
        from stacks import dev
        from stacks.config import load

        dev.main(load())

    run_program(program, "eks-platform", "dev", raw, secrets, recorded=recorded)


def set_path(path: str, value: Any) -> Any:
    key, *rest = path.split(".")

    def edit(config: dict) -> None:
        if not rest:
            config[key] = value
            return
        node = config[key]
        for part in rest[:-1]:
            node = node[part]
        if value is KeyError:
            del node[rest[-1]]
        else:
            node[rest[-1]] = value

    return edit


@pytest.mark.parametrize(
    "path, value, message",
    [
        ("eks-platform:clusterName", "x", "^eks-platform:clusterName: unknown key"),
        ("eks-platform:cluster.nodeGroup", {}, "^eks-platform:cluster.nodeGroup: unknown key"),
        (
            "eks-platform:cluster.nodeGroups.system.minSize",
            3,
            r"^eks-platform:cluster.nodeGroups.system.minSize: must be <= desiredSize \(3 > 2\)",
        ),
        (
            "eks-platform:cluster.nodeGroups.system.maxSize",
            1,
            "^eks-platform:cluster.nodeGroups.system.desiredSize: must be <= maxSize",
        ),
        (
            "eks-platform:cluster.nodeGroups.system.minSize",
            "one",
            "^eks-platform:cluster.nodeGroups.system.minSize: expected an integer",
        ),
        (
            "eks-platform:cluster.nodeGroups.system.capacityType",
            "SPOTTY",
            "^eks-platform:cluster.nodeGroups.system.capacityType: 'SPOTTY' is not one of",
        ),
        (
            "eks-platform:cluster.nodeGroups.system.labels",
            {"a b": "c"},
            "^eks-platform:cluster.nodeGroups.system.labels.a b: ",
        ),
        (
            "eks-platform:cluster.nodeGroups.system.taints",
            [{"key": "k", "effect": "Never"}],
            r"^eks-platform:cluster.nodeGroups.system.taints\[0\].effect: ",
        ),
        (
            "eks-platform:cluster.nodeGroups.system.taints",
            [{"key": "k"}],
            r"^eks-platform:cluster.nodeGroups.system.taints\[0\].effect: required key is missing",
        ),
        (
            "eks-platform:cluster.clusterName",
            "dev eks",
            "^eks-platform:cluster.clusterName: 'dev eks' is not a valid EKS cluster name",
        ),
        (
            "eks-platform:cluster.clusterName",
            KeyError,
            "^eks-platform:cluster.clusterName: required key is missing",
        ),
        (
            "eks-platform:cluster.accessEntries.platform.principalArn",
            "arn:aws:iam::123456789012:policy/x",
            r"^eks-platform:cluster.accessEntries.platform.principalArn: .* is not an IAM role or user ARN",
        ),
        (
            "eks-platform:cluster.accessEntries.platform.policy",
            "owner",
            r"^eks-platform:cluster.accessEntries.platform.policy: 'owner' is not one of",
        ),
        (
            "eks-platform:cluster.accessEntries",
            ["arn:aws:iam::123456789012:role/x"],
            r"^eks-platform:cluster.accessEntries: expected a mapping",
        ),
        (
            "eks-platform:cluster.allowPublicEndpointFromAnywhere",
            False,
            r"^eks-platform:cluster.publicAccessCidrs: 0.0.0.0/0 opens the API server",
        ),
        (
            "eks-platform:cluster.publicAccessCidrs",
            ["0.0.0.0"],
            r"^eks-platform:cluster.publicAccessCidrs\[0\]: ",
        ),
        ("eks-platform:network.availabilityZones", 1, "^eks-platform:network.availabilityZones: "),
        ("eks-platform:network.cidrBlock", "10.0.0.0", "^eks-platform:network.cidrBlock: "),
        (
            "eks-platform:network.existingVpc",
            {"vpcId": "vpc-1", "privateSubnetIds": ["subnet-1"]},
            "^eks-platform:network.existingVpc.privateSubnetIds: EKS needs at least 2",
        ),
        ("eks-platform:demo.namespace", "Demo", "^eks-platform:demo.namespace: "),
        (
            "eks-platform:loadBalancerController.ingressScheme",
            "public",
            "^eks-platform:loadBalancerController.ingressScheme: ",
        ),
        (
            "eks-platform:loadBalancerController.replicas",
            0,
            "^eks-platform:loadBalancerController.replicas: ",
        ),
        (
            "eks-platform:externalDns.zones",
            [],
            "^eks-platform:externalDns.zones: at least one hosted zone",
        ),
        ("eks-platform:externalDns.policy", "delete-all", "^eks-platform:externalDns.policy: "),
        ("eks-platform:externalDns.interval", "10s", "^eks-platform:externalDns.interval: "),
        (
            "eks-platform:sampleApp.host",
            "game.example.org",
            "^eks-platform:sampleApp.host: 'game.example.org' is not under any externalDns zone",
        ),
        ("eks-platform:sampleApp.host", "game..dev.example.com", "^eks-platform:sampleApp.host: "),
        ("eks-platform:sampleApp.zoneId", "z123", "^eks-platform:sampleApp.zoneId: "),
        (
            "eks-platform:loadBalancerController",
            KeyError,
            "^eks-platform:sampleApp: needs eks-platform:loadBalancerController",
        ),
        ("eks-platform:cluster", KeyError, "^eks-platform:cluster: required key is missing"),
        (
            "eks-platform:karpenter.nodeSelector",
            {"workload": "batch"},
            "^eks-platform:karpenter.nodeSelector: .* matches no cluster.nodeGroups labels",
        ),
        (
            "eks-platform:karpenter.nodePools.spot.limits",
            {"cpu": "8"},
            "^eks-platform:karpenter.nodePools.spot.limits",
        ),
        (
            "eks-platform:karpenter.nodePools.spot.expireAfter",
            "7 days",
            "^eks-platform:karpenter.nodePools.spot.expireAfter: ",
        ),
        (
            "eks-platform:externalSecrets.parameterPaths",
            ["/other"],
            "^eks-platform:externalSecrets.parameterPaths: the demo parameter path",
        ),
        (
            "eks-platform:externalSecrets.secretPrefixes",
            [],
            "^eks-platform:externalSecrets",
        ),
    ],
)
def test_config_errors_name_the_key_before_anything_is_registered(
    path: str, value: Any, message: str
) -> None:
    recorded: list = []

    def edit(config: dict) -> None:
        if (
            path in ("eks-platform:cluster", "eks-platform:loadBalancerController")
            and value is KeyError
        ):
            del config[path]
        else:
            set_path(path, value)(config)

    with pytest.raises(ValueError, match=message):
        run_dev_with(edit, recorded)
    assert recorded == []


def test_an_unedited_dev_config_registers_resources() -> None:
    """The counterpart of the test above: the same harness does record registrations."""
    recorded: list = []
    run_dev_with(lambda config: None, recorded)
    assert len(recorded) > 20


def test_every_config_key_is_documented() -> None:
    from stacks.config import KEYS

    reference = (ROOT / "docs" / "configuration.md").read_text()
    for key in KEYS:
        assert f"`eks-platform:{key}`" in reference, (
            f"docs/configuration.md lacks eks-platform:{key}"
        )


def test_stack_files_use_only_known_keys() -> None:
    from stacks.config import KEYS

    for env in ENVIRONMENTS:
        doc = yaml.safe_load((ROOT / f"Pulumi.{env}.yaml").read_text())
        for key in doc["config"]:
            namespace, _, name = key.partition(":")
            assert namespace in ("aws", "eks-platform"), key
            assert namespace == "aws" or name in KEYS, key


def test_the_configuration_reference_is_current() -> None:
    from scripts.update_docs import render

    page = (ROOT / "docs" / "configuration.md").read_text()
    assert render(page) == page, "docs/configuration.md is stale: run `make docs`"


def test_the_readme_is_a_front_door_and_every_link_resolves() -> None:
    import re

    readme = (ROOT / "README.md").read_text()
    assert len(readme.encode()) <= 15_500, "the README is the front door: move detail to docs/"
    for page in [ROOT / "README.md", *(ROOT / "docs").glob("*.md")]:
        text = page.read_text()
        assert "../shared" not in text, f"{page.name} refers outside the repository"
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
            if target.startswith(("http://", "https://", "mailto:")):
                continue
            assert (page.parent / target).exists(), f"{page.name}: broken link {target}"


def test_external_dns_zone_ids_are_checked_at_load() -> None:
    def edit(config: dict) -> None:
        config["eks-platform:externalDns"]["zones"][0]["zoneId"] = "Zabc"

    with pytest.raises(ValueError, match=r"^eks-platform:externalDns.zones\[0\].zoneId: "):
        run_dev_with(edit, [])


def test_two_synths_of_a_stack_are_identical() -> None:
    """No random names and no time-dependent values: a preview of an unchanged stack is empty."""
    first = json.dumps(synth(ROOT, "prod").as_json(), sort_keys=True)
    second = json.dumps(synth(ROOT, "prod").as_json(), sort_keys=True)
    assert first == second


PROTECTED_IN_PROD = {
    "eks:index:Cluster",
    "aws:kms/key:Key",
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
    "aws:eks/nodeGroup:NodeGroup",
    "aws:eks/addon:Addon",
    "kubernetes:helm.sh/v3:Release",
}


@pytest.mark.parametrize("name", ["dev", "staging", "prod"])
def test_what_hurts_to_lose_is_protected_in_prod(name: str) -> None:
    result = stack(name)
    protected = {r.type for r in result.resources if r.protect}
    if name == "prod":
        assert protected >= PROTECTED_IN_PROD, PROTECTED_IN_PROD - protected
        addons = result.by_type("aws:eks/addon:Addon")
        assert all(a.protect for a in addons)
    else:
        assert not protected & PROTECTED_IN_PROD


def test_dev_syncs_one_secret_from_secrets_manager_and_ssm() -> None:
    from tests.iam_validation import assert_valid_custom_resource
    from tests.support import depends_on, manifest

    result = stack("dev")
    synced = result.one("kubernetes:external-secrets.io/v1:ExternalSecret")
    spec = synced.inputs["spec"]
    assert spec["refreshInterval"] == "1h"
    assert spec["target"]["creationPolicy"] == "Owner"
    keys = {d["secretKey"]: d for d in spec["data"]}
    assert keys["username"]["remoteRef"] == {"key": "dev-eks/demo/db", "property": "username"}
    assert keys["greeting"]["remoteRef"]["key"] == "/dev-eks/demo/greeting"
    assert keys["greeting"]["sourceRef"]["storeRef"]["kind"] == "ClusterSecretStore"
    assert_valid_custom_resource(manifest(synced), "externalsecrets-v1.json")
    release = [
        r for r in result.by_type("kubernetes:helm.sh/v3:Release") if "external-secrets" in r.name
    ]
    assert depends_on(result, synced, release[0])
    for store in result.by_type("kubernetes:external-secrets.io/v1:ClusterSecretStore"):
        assert depends_on(result, synced, store)
