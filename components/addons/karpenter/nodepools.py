"""What Karpenter may launch: the ``EC2NodeClass`` (how nodes boot, and the discovery tag it
selects the cluster security group by) and the ``NodePool`` objects (which instances, how many,
when they go)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from ... import validation as v
from ...network import KARPENTER_DISCOVERY_TAG
from .args import (
    FULLNAME,
    NODECLASS_API_VERSION,
    NODECLASS_GROUP,
    NODECLASS_KIND,
    NODEPOOL_API_VERSION,
    ROOT_DEVICE,
    TAINT_EFFECTS,
    NodeClassSpec,
    NodePoolSpec,
)

if TYPE_CHECKING:
    from ...identity.cluster_ref import ClusterRef


def labels() -> dict[str, str]:
    """The labels of the custom resources the component creates."""
    return {"app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": FULLNAME}


def node_class_spec(
    spec: NodeClassSpec, role_name: pulumi.Input[str], cluster_name: pulumi.Input[str]
) -> dict[str, Any]:
    """``spec`` of the EC2NodeClass: the role, the AMI alias, discovery by tag, IMDSv2 with hop
    limit 1 (pods cannot reach the node role's credentials), an encrypted gp3 root volume."""
    ebs: dict[str, Any] = {
        "volumeSize": f"{spec.root_volume_size_gib}Gi",
        "volumeType": "gp3",
        "encrypted": True,
        "deleteOnTermination": True,
    }
    if spec.root_volume_kms_key_arn:
        ebs["kmsKeyID"] = spec.root_volume_kms_key_arn
    discovery = [{"tags": {KARPENTER_DISCOVERY_TAG: cluster_name}}]
    result: dict[str, Any] = {
        "role": role_name,
        "amiSelectorTerms": [{"alias": spec.ami_alias}],
        "subnetSelectorTerms": discovery,
        "securityGroupSelectorTerms": discovery,
        "metadataOptions": {
            "httpEndpoint": "enabled",
            "httpProtocolIPv6": "disabled",
            "httpPutResponseHopLimit": 1,
            "httpTokens": "required",
        },
        "blockDeviceMappings": [{"deviceName": ROOT_DEVICE, "rootVolume": True, "ebs": ebs}],
    }
    if spec.tags:
        result["tags"] = dict(spec.tags)
    return result


def node_pool_spec(spec: NodePoolSpec, node_class_name: str) -> dict[str, Any]:
    """``spec`` of a NodePool: its requirements, limits, disruption and node template."""
    requirements: list[dict[str, Any]] = [
        {"key": "kubernetes.io/arch", "operator": "In", "values": list(spec.architectures)},
        {"key": "kubernetes.io/os", "operator": "In", "values": ["linux"]},
        {
            "key": "karpenter.sh/capacity-type",
            "operator": "In",
            "values": list(spec.capacity_types),
        },
    ]
    if spec.instance_categories:
        requirements.append(
            {
                "key": "karpenter.k8s.aws/instance-category",
                "operator": "In",
                "values": list(spec.instance_categories),
            }
        )
    if spec.min_generation is not None:
        requirements.append(
            {
                "key": "karpenter.k8s.aws/instance-generation",
                "operator": "Gt",
                "values": [str(spec.min_generation - 1)],
            }
        )
    node: dict[str, Any] = {
        "nodeClassRef": {"group": NODECLASS_GROUP, "kind": NODECLASS_KIND, "name": node_class_name},
        "requirements": requirements,
        "expireAfter": spec.expire_after,
    }
    if spec.termination_grace_period is not None:
        node["terminationGracePeriod"] = spec.termination_grace_period
    if spec.taints:
        node["taints"] = [
            {
                "key": t.key,
                **({"value": t.value} if t.value else {}),
                "effect": TAINT_EFFECTS[t.effect],
            }
            for t in spec.taints
        ]
    template: dict[str, Any] = {"spec": node}
    if spec.labels:
        template["metadata"] = {"labels": dict(spec.labels)}
    budgets = []  # none given: the CRD's default (10% of the nodes) applies
    for budget in spec.budgets:
        entry: dict[str, Any] = {"nodes": budget.nodes}
        if budget.reasons:
            entry["reasons"] = list(budget.reasons)
        if budget.schedule is not None:
            entry["schedule"] = budget.schedule
        if budget.duration is not None:
            entry["duration"] = budget.duration
        budgets.append(entry)
    result: dict[str, Any] = {
        "template": template,
        "limits": {key: str(value) for key, value in spec.limits.items()},
        "disruption": {
            "consolidationPolicy": spec.consolidation_policy,
            "consolidateAfter": spec.consolidate_after,
            **({"budgets": budgets} if budgets else {}),
        },
    }
    if spec.weight is not None:
        result["weight"] = spec.weight
    return result


def create_discovery_tag(
    name: str, cluster: ClusterRef, owner: str, parent: pulumi.Resource
) -> aws.ec2.Tag:
    """``karpenter.sh/discovery: <cluster>`` on the cluster security group, which the
    EC2NodeClass selects by (the private subnets carry the same tag, see ``Network``)."""
    return aws.ec2.Tag(
        f"{name}-discovery",
        resource_id=_security_group_id(cluster, owner),
        key=KARPENTER_DISCOVERY_TAG,
        value=cluster.name,
        opts=pulumi.ResourceOptions(parent=parent),
    )


def _security_group_id(cluster: ClusterRef, owner: str) -> pulumi.Input[str]:
    """The cluster security group's id; an Output that turns out None fails naming the cluster."""
    sg = cluster.cluster_security_group_id
    assert sg is not None  # validation.validate_cluster refused it

    def known(value: Any) -> str:
        if not value:
            raise v.InvalidArgument(
                "cluster",
                "the cluster's security group id is empty (a stack of this project exports "
                "clusterSecurityGroupId; for another cluster use ClusterRef.existing)",
                owner,
            )
        return str(value)

    return pulumi.Output.from_input(sg).apply(known)


def create_node_class(
    name: str,
    spec: NodeClassSpec,
    role_name: pulumi.Input[str],
    cluster_name: pulumi.Input[str],
    opts: pulumi.ResourceOptions,
    delete_timeout: str = "30m",
) -> k8s.apiextensions.CustomResource:
    """The EC2NodeClass. Its finalizer holds its deletion until Karpenter has terminated every
    node that used it: ``delete_timeout`` must exceed the longest ``terminationGracePeriod``
    of the NodePools using it."""
    return k8s.apiextensions.CustomResource(
        f"{name}-node-class",
        api_version=NODECLASS_API_VERSION,
        kind=NODECLASS_KIND,
        metadata=k8s.meta.v1.ObjectMetaArgs(name=spec.name, labels=labels()),
        spec=node_class_spec(spec, role_name, cluster_name),
        opts=pulumi.ResourceOptions.merge(
            opts,
            pulumi.ResourceOptions(custom_timeouts=pulumi.CustomTimeouts(delete=delete_timeout)),
        ),
    )


def create_node_pools(
    name: str,
    pools: dict[str, NodePoolSpec],
    node_class_name: str,
    opts: pulumi.ResourceOptions,
) -> dict[str, k8s.apiextensions.CustomResource]:
    """The NodePools by name, each using the EC2NodeClass ``node_class_name``."""
    return {
        pool_name: k8s.apiextensions.CustomResource(
            f"{name}-pool-{pool_name}",
            api_version=NODEPOOL_API_VERSION,
            kind="NodePool",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=pool_name, labels=labels()),
            spec=node_pool_spec(spec, node_class_name),
            opts=opts,
        )
        for pool_name, spec in pools.items()
    }
