"""Karpenter's refusals: bad arguments are refused naming the field (and, from a stack's
configuration, the key) before anything is registered."""

from __future__ import annotations

import re
from typing import Any

import pulumi_kubernetes as k8s
import pytest

from components.addons.karpenter import (
    DEFAULT_AMI_ALIAS,
    DisruptionBudgetSpec,
    Karpenter,
    KarpenterArgs,
    NodeClassSpec,
    NodePoolSpec,
    validate_settings,
)
from components.cluster import Taint
from components.identity.cluster_ref import ClusterRef
from components.identity.iam import RoleSettings
from components.validation import InvalidArgument
from components.validation.config_reader import config_error, from_config
from tests.support import make_cluster, refused, run


def _ref(**overrides: Any) -> ClusterRef:
    """A ClusterRef that registers nothing (the refusals come before it is used)."""
    fields: dict[str, Any] = {
        "key": "test",
        "name": "test",
        "provider": k8s.Provider.__new__(k8s.Provider),  # never registered
        "vpc_id": "vpc-0123456789abcdef0",
        "cluster_security_group_id": "sg-0123456789abcdef0",
    }
    fields.update(overrides)
    return ClusterRef(**fields)


def _pool(**overrides: Any) -> dict[str, NodePoolSpec]:
    fields: dict[str, Any] = {"limits": {"cpu": "16", "memory": "64Gi"}}
    fields.update(overrides)
    return {"spot": NodePoolSpec(**fields)}


BAD_ARGS: list[tuple[dict[str, Any], str]] = [
    ({"node_pools": _pool(limits={"cpu": "16"})}, "node_pools['spot'].limits: must set memory"),
    ({"node_pools": _pool(limits={})}, "node_pools['spot'].limits: must set cpu and memory"),
    (
        {"node_pools": _pool(limits={"cpu": "0", "memory": "64Gi"})},
        "node_pools['spot'].limits.cpu: '0' is not a positive quantity",
    ),
    (
        {"node_pools": _pool(limits={"cpu": "16", "memory": "-1Gi"})},
        "node_pools['spot'].limits.memory: '-1Gi' is not a positive quantity",
    ),
    (
        {"node_pools": _pool(expire_after="30d")},
        "node_pools['spot'].expire_after: '30d' is not a duration",
    ),
    ({"node_pools": _pool(expire_after="0h")}, "node_pools['spot'].expire_after: '0h' is zero"),
    (
        {"node_pools": _pool(consolidate_after="1 minute")},
        "node_pools['spot'].consolidate_after: '1 minute' is not a duration",
    ),
    (
        {"node_pools": _pool(termination_grace_period="Never")},
        "node_pools['spot'].termination_grace_period: 'Never' is not a duration",
    ),
    (
        {
            "node_pools": _pool(
                budgets=[DisruptionBudgetSpec(nodes="1", schedule="@daily", duration="30s")]
            )
        },
        r"node_pools\['spot'\].budgets\[0\].duration: '30s' is not a budget duration",
    ),
    (
        {"node_pools": _pool(budgets=[DisruptionBudgetSpec(nodes="1", schedule="@daily")])},
        r"node_pools\['spot'\].budgets\[0\].schedule: schedule and duration go together",
    ),
    (
        {"node_pools": _pool(capacity_types=["SPOT"])},
        r"node_pools\['spot'\].capacity_types\[0\]: 'SPOT' is not one of spot, on-demand",
    ),
    (
        {"node_pools": _pool(capacity_types=[])},
        "node_pools['spot'].capacity_types: give at least one",
    ),
    (
        {"node_pools": _pool(instance_categories=["m5"])},
        r"node_pools\['spot'\].instance_categories\[0\]: 'm5' is not one of",
    ),
    ({"node_pools": _pool(architectures=["x86_64"])}, r"architectures\[0\]: 'x86_64'"),
    (
        {"node_pools": _pool(consolidation_policy="Always")},
        "consolidation_policy: 'Always' is not one of",
    ),
    (
        {"node_pools": _pool(labels={"karpenter.sh/capacity-type": "spot"})},
        "node_pools['spot'].labels.karpenter.sh/capacity-type: the karpenter.sh domain",
    ),
    (
        {"node_pools": _pool(taints=[Taint(key="a", effect="Sometimes")])},
        r"taints\[0\].effect: 'Sometimes' is not one of",
    ),
    (
        {"node_pools": {"Spot_Pool": NodePoolSpec(limits={"cpu": 1, "memory": "1Gi"})}},
        "node_pools['Spot_Pool']",
    ),
    (
        {"node_class": NodeClassSpec(ami_alias="al2023@2026-05-20")},
        "node_class.ami_alias: 'al2023@2026-05-20' is not an AL2023 AMI alias",
    ),
    ({"node_class": NodeClassSpec(ami_alias="bottlerocket@latest")}, "node_class.ami_alias"),
    ({"node_class": NodeClassSpec(ami_alias="al2023@v2026052")}, "node_class.ami_alias"),
    (
        {"node_class": NodeClassSpec(tags={"karpenter.sh/nodepool": "x"})},
        "node_class.tags.karpenter.sh/nodepool: Karpenter sets this tag itself",
    ),
    ({"node_class": NodeClassSpec(root_volume_size_gib=8)}, "node_class.root_volume_size_gib"),
    ({"values": {"replicas": 3}}, "values.replicas: is set by the argument replicas"),
    ({"values": {"settings": {"clusterName": "x"}}}, "values.settings.clusterName"),
    ({"values": {"affinity": {"nodeAffinity": {}}}}, "values.affinity.nodeAffinity"),
    ({"values": {"serviceAccount": {"annotations": {}}}}, "values.serviceAccount.annotations"),
    ({"fargate": True}, "identity: the controller runs on Fargate"),
    ({"fargate": True, "identity": "irsa"}, "fargate: the cluster runs no Fargate pods"),
    ({"create_namespace": True}, "create_namespace: kube-system always exists"),
    ({"identity": "kiam"}, "identity: expected one of 'irsa', 'pod-identity'"),
    ({"replicas": 0}, "replicas: 0 must be an integer between 1 and 10"),
    ({"resources": {"requests": {"cpu": "lots"}}}, "resources.requests.cpu: 'lots'"),
    ({"node_role": RoleSettings(name="x" * 65)}, "node_role.name"),
    ({"cluster": None}, "cluster: expected an EksCluster or a ClusterRef"),
    ({"cluster": _ref(cluster_security_group_id=None)}, "cluster: the cluster's security group"),
]


@pytest.mark.parametrize(("overrides", "message"), BAD_ARGS)
def test_bad_args_are_refused_before_anything_is_registered(
    overrides: dict[str, Any], message: str
) -> None:
    fields: dict[str, Any] = {"cluster": _ref()}
    fields.update(overrides)
    error = refused(lambda: Karpenter("x", KarpenterArgs(**fields)))
    assert error.startswith("Karpenter 'x': "), error
    assert re.search(message if "\\" in message else re.escape(message), error), error


def test_refused_on_a_real_cluster_too() -> None:
    errors: list[ValueError] = []

    def program() -> None:
        eks = make_cluster()
        try:
            Karpenter("karpenter", KarpenterArgs(cluster=eks, node_pools=_pool(limits={"cpu": 4})))
        except ValueError as error:
            errors.append(error)

    result = run(program)
    assert [str(e) for e in errors] == [
        "Karpenter 'karpenter': node_pools['spot'].limits: must set memory: without limits a bug "
        "(a runaway Deployment, a pod that never fits) can launch unbounded capacity "
        '(e.g. {cpu: "32", memory: 128Gi})'
    ]
    assert not [r for r in result.resources if "karpenter" in r.name or "Karpenter" in r.type]


def test_limits_are_required_in_code_and_in_config() -> None:
    with pytest.raises(TypeError, match="limits"):
        NodePoolSpec()  # type: ignore[call-arg]
    with pytest.raises(InvalidArgument) as missing:
        from_config(
            NodePoolSpec, {"capacityTypes": ["spot"]}, "eks-platform:karpenter.nodePools.spot"
        )
    assert (
        str(missing.value)
        == "eks-platform:karpenter.nodePools.spot.limits: required key is missing"
    )


def test_config_errors_name_the_key() -> None:
    config = {
        "replicas": 1,
        "nodePools": {
            "spot": {
                "capacityTypes": ["spot"],
                "limits": {"cpu": 8, "memory": "32Gi"},
                "expireAfter": "30 days",
            }
        },
        "nodeClass": {"amiAlias": DEFAULT_AMI_ALIAS},
    }
    args = from_config(KarpenterArgs, config, "eks-platform:karpenter", cluster=None)
    assert args.node_pools["spot"].limits == {"cpu": 8, "memory": "32Gi"}
    with pytest.raises(InvalidArgument) as error:
        validate_settings(args)
    assert str(config_error("eks-platform:karpenter", error.value)).startswith(
        "eks-platform:karpenter.nodePools.spot.expireAfter: '30 days' is not a duration"
    )
