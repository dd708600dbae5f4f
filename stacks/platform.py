"""The platform every environment runs: network, cluster (with its OIDC trust), add-ons.

The environment modules (``dev``, ``staging``, ``prod``) call :func:`deploy` and add what only
they need; everything that differs by size or switch lives in ``Pulumi.<stack>.yaml``, read
by :mod:`stacks.config`, whose table also lists the add-ons (:data:`~stacks.config.ADDONS`):
each one set in the stack file is installed on the cluster and exports its outputs.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, TypeVar

import pulumi

from components import EksCluster, Network

from .config import (
    ADDONS,
    CLUSTER,
    KARPENTER,
    LOAD_BALANCER_CONTROLLER,
    NETWORK,
    TAGS,
    Addon,
    PlatformConfig,
)

C = TypeVar("C")


@dataclass
class Platform:
    """The components of a deployed platform, for the environment modules to build on."""

    config: PlatformConfig
    network: Network
    cluster: EksCluster
    addons: dict[str, Any]
    """Each add-on installed, by its config key."""

    def get(self, addon: Addon[Any, C]) -> C | None:
        """The add-on's component, None when the stack does not install it."""
        component: C | None = self.addons.get(addon.key)
        return component


def deploy(config: PlatformConfig) -> Platform:
    """Create the platform and export what operators and other stacks need."""
    tags, settings, network_settings = config[TAGS], config[CLUSTER], config[NETWORK]
    name = settings.cluster_name
    network = Network(
        name, dataclasses.replace(network_settings, tags={**tags, **network_settings.tags})
    )
    cluster = EksCluster(
        name,
        dataclasses.replace(
            settings,
            tags={**tags, **settings.tags},
            # `aws eks get-token` in the kubeconfig runs with the stack's profile, when it has one.
            kubeconfig_aws_profile=settings.kubeconfig_aws_profile
            or pulumi.Config("aws").get("profile"),
            vpc_id=network.vpc_id,
            private_subnet_ids=network.private_subnet_ids,
            public_subnet_ids=network.public_subnet_ids,
        ),
    )
    # What ClusterRef.from_stack reads (components.identity.cluster_ref.STACK_OUTPUTS), and more.
    pulumi.export("clusterName", cluster.cluster_name)
    pulumi.export("oidcProviderArn", cluster.oidc_provider_arn)
    pulumi.export("endpoint", cluster.endpoint)
    pulumi.export("kubeconfig", cluster.kubeconfig)
    pulumi.export("oidcIssuerUrl", cluster.oidc_issuer_url)
    pulumi.export("vpcId", cluster.vpc_id)
    pulumi.export("privateSubnetIds", cluster.private_subnet_ids)
    pulumi.export("publicSubnetIds", cluster.public_subnet_ids)
    pulumi.export("clusterSecurityGroupId", cluster.cluster_security_group_id)
    pulumi.export("kubernetesVersion", settings.kubernetes_version)
    pulumi.export("compute", settings.compute)
    # The nodes run in the cluster security group (pulumi-eks's separate node group is not made).
    pulumi.export("nodeSecurityGroupId", cluster.cluster_security_group_id)
    pulumi.export("nodeRoleArns", cluster.node_role_arns)
    addons: dict[str, Any] = {}
    # Karpenter first, then the table's order. The load-balancer controller depends on it: a
    # destroy (or removing both) deletes the controller, its cleanup and every Ingress and
    # LoadBalancer Service first, while the nodes it and CoreDNS may run on are there; only then
    # does Karpenter's cleanup drain them (docs/operations.md, "Destroy").
    for addon in sorted(ADDONS, key=lambda a: a is not KARPENTER):
        args = config.get(addon)
        if args is None or not addon.installed(config):
            continue
        after = addons.get(KARPENTER.key) if addon is LOAD_BALANCER_CONTROLLER else None
        component = addon.component(
            f"{name}-{addon.name}",
            # On the stack's cluster, protected where the cluster is.
            dataclasses.replace(
                args,
                cluster=cluster,
                deletion_protection=args.deletion_protection or settings.deletion_protection,
            ),
            pulumi.ResourceOptions(depends_on=[after]) if after is not None else None,
        )
        for output, value in addon.exports(component).items():
            pulumi.export(output, value)
        addons[addon.key] = component
    return Platform(config=config, network=network, cluster=cluster, addons=addons)
