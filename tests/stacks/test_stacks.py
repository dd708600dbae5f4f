"""The stacks: each synths, each environment has the shape it promises, snapshots hold."""

from __future__ import annotations

import json

import pytest

from components.synth import synth
from stacks import ENVIRONMENTS
from tests.stacks.harness import ROOT, stack


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
    # No NAT gateway: one NAT instance (a t4g.nano) routes the private subnets' egress.
    assert vpc["natGateways"] == {"strategy": "None"}
    (nat,) = result.by_type("aws:ec2/instance:Instance")
    assert nat.inputs["instanceType"] == "t4g.nano"
    assert nat.inputs["sourceDestCheck"] is False
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


def test_two_synths_of_a_stack_are_identical() -> None:
    """No random names and no time-dependent values: a preview of an unchanged stack is empty."""
    first = json.dumps(stack("prod").as_json(), sort_keys=True)
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
    from tests.oracles.iam_validation import assert_valid_custom_resource
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
