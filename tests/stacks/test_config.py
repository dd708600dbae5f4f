"""The configuration table: its keys, where they may be set, the reference it generates, and the
values one key takes from others (the demo's names follow the cluster's)."""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml

from stacks.config import (
    ADDONS,
    CLUSTER,
    DEMO,
    EXTERNAL_SECRETS,
    KARPENTER,
    NETWORK,
    SECTIONS,
    TAGS,
    PlatformConfig,
)
from tests.stacks.harness import ROOT, load_dev_with, set_path

KEYS = [
    "environment",
    "tags",
    "network",
    "cluster",
    "loadBalancerController",
    "autoModeIngress",
    "externalDns",
    "externalSecrets",
    "karpenter",
    "storage",
    "metricsServer",
    "demo",
    "sampleApp",
]


def test_the_table_has_every_key_once_in_the_order_of_the_reference() -> None:
    assert [s.key for s in SECTIONS] == KEYS


def test_only_dev_may_set_the_demo_and_the_sample_app() -> None:
    restricted = {
        s.key: s.environments for s in SECTIONS if s.environments != ("dev", "staging", "prod")
    }
    assert restricted == {"demo": ("dev",), "sampleApp": ("dev",)}


def test_the_addons_of_the_table_and_their_component_names() -> None:
    assert [(a.key, a.name) for a in ADDONS] == [
        ("loadBalancerController", "aws-load-balancer-controller"),
        ("autoModeIngress", "auto-mode-ingress"),
        ("externalDns", "external-dns"),
        ("externalSecrets", "external-secrets"),
        ("karpenter", "karpenter"),
        ("storage", "ebs-csi-driver"),
        ("metricsServer", "metrics-server"),
    ]


def test_an_unknown_key_lists_the_known_ones() -> None:
    with pytest.raises(ValueError) as error:
        load_dev_with(set_path("eks-platform:clusterName", "x"))
    assert str(error.value) == (
        "eks-platform:clusterName: unknown key (known keys: autoModeIngress, cluster, demo, "
        "environment, "
        "externalDns, externalSecrets, karpenter, loadBalancerController, metricsServer, network, "
        "sampleApp, storage, tags)"
    )


@pytest.mark.parametrize(
    "path",
    [
        "eks-platform:network.clusterName",
        "eks-platform:cluster.vpcId",
        "eks-platform:cluster.privateSubnetIds",
        "eks-platform:loadBalancerController.cluster",
        "eks-platform:externalSecrets.cluster",
        "eks-platform:sampleApp.controller",
    ],
)
def test_what_the_composition_fills_in_is_not_configurable(path: str) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(path)}: unknown key"):
        load_dev_with(set_path(path, "x"))


# -- the reference ------------------------------------------------------------------------------


def test_the_reference_documents_each_section_then_its_nested_classes() -> None:
    reference = (ROOT / "docs" / "configuration.md").read_text()
    assert re.findall(r"^### (.*)$", reference, re.MULTILINE) == [
        "`eks-platform:network` (NetworkArgs)",
        "`network.existingVpc` (ExistingVpcArgs)",
        "`eks-platform:cluster` (EksClusterArgs)",
        "`cluster.nodeGroups.<name>` (NodeGroupSpec)",
        "`cluster.nodeGroups.<name>.taints[]`, `cluster.autoMode.nodePools.<name>.taints[]`, "
        "`karpenter.nodePools.<name>.taints[]` (Taint)",
        "`cluster.autoMode` (AutoModeSpec)",
        "`cluster.autoMode.nodePools.<name>` (AutoModeNodePoolSpec)",
        "`cluster.fargateProfiles.<name>` (FargateProfileSpec)",
        "`cluster.fargateProfiles.<name>.selectors[]` (FargateSelector)",
        "`cluster.addons.<name>` (AddonSpec)",
        "`eks-platform:loadBalancerController` (LoadBalancerControllerArgs)",
        "`<controller>.chart` (ChartSpec)",
        "`<controller>.role`, `externalSecrets.tenants.<name>.role`, `karpenter.nodeRole`, "
        "`cluster.addons.<name>.role`, `storage.role` (RoleSettings)",
        "`eks-platform:autoModeIngress` (AutoModeIngressArgs)",
        "`eks-platform:externalDns` (ExternalDnsArgs)",
        "`externalDns.zones[]` (HostedZone)",
        "`eks-platform:externalSecrets` (ExternalSecretsArgs)",
        "`externalSecrets.tenants.<name>` (SecretsTenantSpec)",
        "`eks-platform:karpenter` (KarpenterArgs)",
        "`karpenter.nodePools.<name>` (NodePoolSpec)",
        "`karpenter.nodePools.<name>.budgets[]` (DisruptionBudgetSpec)",
        "`karpenter.nodeClass` (NodeClassSpec)",
        "`eks-platform:storage` (EbsStorageArgs)",
        "`eks-platform:metricsServer` (MetricsServerArgs)",
        "`eks-platform:demo` (DemoArgs)",
        "`eks-platform:sampleApp` (SampleAppArgs)",
    ]
    keys = re.findall(r"^\| `eks-platform:(\w+)` \|", reference, re.MULTILINE)
    assert keys == KEYS
    network = reference.split("### `eks-platform:network`")[1].split("###")[0]
    assert "`cidrBlock`" in network and "`clusterName`" not in network  # composed: not documented


def test_the_configuration_reference_is_current() -> None:
    from scripts.update_docs import render

    page = (ROOT / "docs" / "configuration.md").read_text()
    assert render(page) == page, "docs/configuration.md is stale: run `make docs`"


def test_stack_files_use_only_known_keys() -> None:
    for env in ("dev", "staging", "prod"):
        doc = yaml.safe_load((ROOT / f"Pulumi.{env}.yaml").read_text())
        for key in doc["config"]:
            namespace, _, name = key.partition(":")
            assert namespace in ("aws", "eks-platform"), key
            assert namespace == "aws" or name in KEYS, key


# -- values one key takes from others -------------------------------------------------------------


def test_dev_as_loaded() -> None:
    config = load_dev_with(lambda c: None)
    network = config[NETWORK]
    assert (network.cluster_name, network.karpenter_discovery) == ("dev-eks", True)
    # The stack's tags go on everything when composing; the sections keep their own.
    assert config[TAGS] == {"environment": "dev", "owner": "platform-team"}
    assert network.tags == config[CLUSTER].tags == {}
    # dev's VPC CNI has its own role: Karpenter's nodes get no CNI policy.
    assert config[CLUSTER].cni_role is True and config[KARPENTER].node_cni_policy is False
    assert config[DEMO].parameter_path == "/dev-eks/demo"
    eso = config[EXTERNAL_SECRETS]
    assert (eso.secret_prefixes, eso.parameter_paths, eso.store_namespaces) == (
        ["dev-eks/demo/"],
        ["/dev-eks/demo"],
        ["demo"],
    )


def _eso_scope(config: PlatformConfig) -> tuple[list[str], list[str], list[str]]:
    eso = config[EXTERNAL_SECRETS]
    return eso.secret_prefixes, eso.parameter_paths, eso.store_namespaces


def test_the_demo_names_follow_the_cluster_name() -> None:
    def personal(config: dict[str, Any]) -> None:
        config["eks-platform:cluster"]["clusterName"] = "dev-alice-eks"

    config = load_dev_with(personal)
    assert config[DEMO].parameter_path == "/dev-alice-eks/demo"
    assert _eso_scope(config) == (["dev-alice-eks/demo/"], ["/dev-alice-eks/demo"], ["demo"])


def test_what_external_secrets_reads_covers_the_demo() -> None:
    def other(config: dict[str, Any]) -> None:
        config["eks-platform:externalSecrets"]["parameterPaths"] = ["/other"]
        config["eks-platform:externalSecrets"]["secretPrefixes"] = ["dev-eks/"]  # covers the demo
        config["eks-platform:externalSecrets"]["storeNamespaces"] = ["apps"]

    assert _eso_scope(load_dev_with(other)) == (
        ["dev-eks/"],
        ["/other", "/dev-eks/demo"],
        ["apps", "demo"],
    )

    def every_namespace(config: dict[str, Any]) -> None:
        del config["eks-platform:externalSecrets"]["storeNamespaces"]

    assert _eso_scope(load_dev_with(every_namespace))[2] == []  # empty: every namespace


def test_dev_names_nothing_that_follows_the_cluster() -> None:
    """Pulumi.dev.yaml leaves secretPrefixes, parameterPaths and demo.parameterPath to the
    cluster's name, so a personal stack renames one key (tests/stacks/test_personal_stack.py)."""
    config = load_dev_with(lambda c: None)
    assert config[DEMO].parameter_path == "/dev-eks/demo"
    assert _eso_scope(config) == (["dev-eks/demo/"], ["/dev-eks/demo"], ["demo"])
    text = (ROOT / "Pulumi.dev.yaml").read_text()
    assert "secretPrefixes" not in text and "parameterPath" not in text
