"""What an ``EksCluster`` with ``compute: auto-mode`` creates for EKS Auto Mode
(:mod:`.compute` holds the settings and the rules).

* the role Auto Mode's nodes run as (:data:`~.compute.AUTO_MODE_NODE_POLICIES`), created here
  so that a preview shows it and other programs can attach to it; pulumi-eks's own
  (``autoMode.createNodeRole``) is not made. EKS gives the role its access entry
  (``AmazonEKSAutoNodePolicy``) when it creates the cluster: no code creates one, and none may
  (one entry per principal);
* the ``autoMode`` options of ``pulumi_eks.Cluster`` (:func:`auto_mode_options`), from which
  pulumi-eks sets ``computeConfig`` (the built-in NodePools, the node role),
  ``storageConfig.blockStorage`` and ``kubernetesNetworkConfig.elasticLoadBalancing``; the
  cluster service role gets Auto Mode's policies (:data:`~.compute.CLUSTER_ROLE_POLICIES`);
* the default StorageClass on Auto Mode's EBS provisioner (:func:`create_storage_class`);
* with :attr:`~.compute.AutoModeSpec.node_pools`, a NodeClass (``eks.amazonaws.com/v1``) and
  the NodePools (``karpenter.sh/v1``) on it (:func:`create_node_pools`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pulumi
import pulumi_aws as aws
import pulumi_eks as eks
import pulumi_kubernetes as k8s

from ..identity import iam
from .compute import (
    AUTO_MODE_NODE_POLICIES,
    AUTO_MODE_NODE_ROLE,
    EBS_PROVISIONER,
    AutoModeNodePoolSpec,
    AutoModeSpec,
)

if TYPE_CHECKING:
    from .eks_cluster import EksCluster

NODECLASS_GROUP = "eks.amazonaws.com"
NODECLASS_API_VERSION = f"{NODECLASS_GROUP}/v1"
NODECLASS_NAME = "eks-platform"
"""The NodeClass of the pools declared in ``auto_mode.node_pools`` (Auto Mode's own is
``default``, there only with the built-in pools)."""
NODEPOOL_API_VERSION = "karpenter.sh/v1"
DEFAULT_CLASS_ANNOTATION = "storageclass.kubernetes.io/is-default-class"
LABELS = {"app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": "eks-platform"}


@dataclass
class AutoModeObjects:
    """What an Auto Mode cluster creates in Kubernetes (``EksCluster.auto_mode``)."""

    storage_class: k8s.storage.v1.StorageClass
    """The default StorageClass (gp3 on Auto Mode's EBS provisioner)."""
    node_pools: dict[str, k8s.apiextensions.CustomResource]
    """The NodePools of ``auto_mode.node_pools`` by name (their NodeClass: ``eks-platform``)."""


def auto_mode_node_roles(
    name: str, role_name: str | None, tags: Mapping[str, str], parent: pulumi.Resource
) -> dict[str, aws.iam.Role]:
    """``{"auto-mode": role}``: the role Auto Mode's nodes run as (``<name>-auto-node``,
    trusted by EC2); empty without ``role_name`` (managed compute)."""
    if role_name is None:
        return {}
    role = iam.create_role(
        f"{name}-auto-node",
        role_name=role_name,
        trust_policy=iam.service_trust_policy("ec2.amazonaws.com"),
        settings=iam.RoleSettings(tags=dict(tags)),
        parent=parent,
        managed_policy_arns=iam.managed(
            *AUTO_MODE_NODE_POLICIES, provider=parent.get_provider("aws:index:provider")
        ),
    )
    return {AUTO_MODE_NODE_ROLE: role}


def auto_mode_options(
    spec: AutoModeSpec | None, node_role: aws.iam.Role | None
) -> eks.AutoModeOptionsArgs | None:
    """pulumi-eks's ``autoMode``: enabled, with the built-in pools chosen and the node role made
    here (not pulumi-eks's own); None without a node role (managed compute)."""
    if node_role is None:
        return None
    return eks.AutoModeOptionsArgs(
        enabled=True,
        create_node_role=False,
        compute_config=eks.ClusterComputeConfigArgs(
            node_pools=list((spec or AutoModeSpec()).builtin_node_pools),
            node_role_arn=node_role.arn,
        ),
    )


def role_policies(service_role: aws.iam.Role, node_role: aws.iam.Role | None) -> list[Any]:
    """Under Auto Mode, the policy attachments of the cluster and node roles, which the control
    plane waits for (EKS checks them when it enables Auto Mode); none otherwise."""
    if node_role is None:
        return []
    return [*iam.children_of(service_role), *iam.children_of(node_role)]


def create_in_cluster(
    cluster: EksCluster, name: str, spec: AutoModeSpec | None, key_arn: pulumi.Input[str] | None
) -> AutoModeObjects | None:
    """The default StorageClass and the declared NodeClass and NodePools of an Auto Mode
    cluster, through its provider; None under managed compute."""
    role = cluster.node_roles.get(AUTO_MODE_NODE_ROLE)
    if role is None:
        return None
    spec = spec or AutoModeSpec()
    on_cluster = pulumi.ResourceOptions(parent=cluster, provider=cluster.provider)
    return AutoModeObjects(
        storage_class=create_storage_class(name, spec, key_arn, on_cluster),
        node_pools=create_node_pools(
            name,
            spec,
            role,
            cluster.private_subnet_ids,
            cluster.cluster_security_group_id,
            on_cluster,
        ),
    )


def storage_class_parameters(key_arn: str | None) -> dict[str, str]:
    """The StorageClass's ``parameters``: gp3, encrypted (with ``key_arn`` when given)."""
    return {"type": "gp3", "encrypted": "true", **({"kmsKeyId": key_arn} if key_arn else {})}


def create_storage_class(
    name: str,
    spec: AutoModeSpec,
    key_arn: pulumi.Input[str] | None,
    opts: pulumi.ResourceOptions,
) -> k8s.storage.v1.StorageClass:
    """The cluster's default StorageClass on Auto Mode's EBS provisioner: gp3, encrypted with
    ``spec.storage_kms_key_arn``, else ``key_arn`` (the Secrets key), ``WaitForFirstConsumer``
    (the volume is made in the zone of the pod's node), expandable."""
    key = spec.storage_kms_key_arn if spec.storage_kms_key_arn is not None else key_arn
    return k8s.storage.v1.StorageClass(
        f"{name}-{spec.storage_class}",
        metadata=k8s.meta.v1.ObjectMetaArgs(
            name=spec.storage_class,
            labels=LABELS,
            annotations={DEFAULT_CLASS_ANNOTATION: "true"},
        ),
        provisioner=EBS_PROVISIONER,
        parameters=pulumi.Output.from_input(key).apply(storage_class_parameters),
        volume_binding_mode="WaitForFirstConsumer",
        allow_volume_expansion=True,
        reclaim_policy="Delete",
        opts=opts,
    )


def node_class_spec(
    spec: AutoModeSpec, role_name: str, subnet_ids: Sequence[str], security_group_id: str
) -> dict[str, Any]:
    """The NodeClass's ``spec``: the Auto Mode node role (its access entry exists), the
    cluster's private subnets and security group, the data volume's size."""
    return {
        "role": role_name,
        "subnetSelectorTerms": [{"id": s} for s in subnet_ids],
        "securityGroupSelectorTerms": [{"id": security_group_id}],
        "ephemeralStorage": {"size": f"{spec.ephemeral_storage_gib}Gi"},
    }


def node_pool_spec(pool: AutoModeNodePoolSpec) -> dict[str, Any]:
    """A NodePool's ``spec`` on the platform's NodeClass, in Auto Mode's labels."""
    requirements: list[dict[str, Any]] = [
        {"key": "kubernetes.io/arch", "operator": "In", "values": list(pool.architectures)},
        {
            "key": "karpenter.sh/capacity-type",
            "operator": "In",
            "values": list(pool.capacity_types),
        },
    ]
    if pool.instance_categories:
        requirements.append(
            {
                "key": "eks.amazonaws.com/instance-category",
                "operator": "In",
                "values": list(pool.instance_categories),
            }
        )
    if pool.min_generation is not None:
        requirements.append(
            {
                "key": "eks.amazonaws.com/instance-generation",
                "operator": "Gt",
                "values": [str(pool.min_generation - 1)],
            }
        )
    node: dict[str, Any] = {
        "nodeClassRef": {"group": NODECLASS_GROUP, "kind": "NodeClass", "name": NODECLASS_NAME},
        "requirements": requirements,
        "expireAfter": pool.expire_after,
    }
    if pool.taints:
        node["taints"] = [
            {"key": t.key, **({"value": t.value} if t.value else {}), "effect": t.effect}
            for t in pool.taints
        ]
    template: dict[str, Any] = {"spec": node}
    if pool.labels:
        template["metadata"] = {"labels": dict(pool.labels)}
    result: dict[str, Any] = {
        "template": template,
        "limits": {key: str(value) for key, value in pool.limits.items()},
        "disruption": {
            "consolidationPolicy": pool.consolidation_policy,
            "consolidateAfter": pool.consolidate_after,
        },
    }
    if pool.weight is not None:
        result["weight"] = pool.weight
    return result


def create_node_pools(
    name: str,
    spec: AutoModeSpec,
    role: aws.iam.Role,
    subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]],
    security_group_id: pulumi.Input[str],
    opts: pulumi.ResourceOptions,
) -> dict[str, k8s.apiextensions.CustomResource]:
    """The NodeClass and the declared NodePools on it (none without ``spec.node_pools``). The
    NodeClass's finalizer holds its deletion until Auto Mode has drained its nodes."""
    if not spec.node_pools:
        return {}
    node_class = k8s.apiextensions.CustomResource(
        f"{name}-node-class",
        api_version=NODECLASS_API_VERSION,
        kind="NodeClass",
        metadata=k8s.meta.v1.ObjectMetaArgs(name=NODECLASS_NAME, labels=LABELS),
        spec=pulumi.Output.all(role.name, subnet_ids, security_group_id).apply(
            lambda a: node_class_spec(spec, a[0], a[1], a[2])
        ),
        opts=pulumi.ResourceOptions.merge(
            opts, pulumi.ResourceOptions(custom_timeouts=pulumi.CustomTimeouts(delete="30m"))
        ),
    )
    after_class = pulumi.ResourceOptions.merge(
        opts, pulumi.ResourceOptions(depends_on=[node_class])
    )
    return {
        pool_name: k8s.apiextensions.CustomResource(
            f"{name}-pool-{pool_name}",
            api_version=NODEPOOL_API_VERSION,
            kind="NodePool",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=pool_name, labels=LABELS),
            spec=node_pool_spec(pool),
            opts=after_class,
        )
        for pool_name, pool in spec.node_pools.items()
    }
