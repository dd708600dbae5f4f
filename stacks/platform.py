"""The platform every environment runs: network, cluster, OIDC trust, controllers.

The environment modules (``dev``, ``staging``, ``prod``) call :func:`deploy` and
add what only they need; everything that differs by size or switch lives in
``Pulumi.<stack>.yaml``, read by :mod:`stacks.config`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import pulumi

from components.addons.external_dns import ExternalDns
from components.addons.external_secrets import ExternalSecrets
from components.addons.karpenter import Karpenter
from components.addons.load_balancer_controller import LoadBalancerController
from components.cluster.eks_cluster import EksCluster
from components.network import Network

from .config import PlatformConfig


@dataclass
class Platform:
    """The components of a deployed platform, for the environment modules to build on."""

    config: PlatformConfig
    network: Network
    cluster: EksCluster
    load_balancer_controller: LoadBalancerController | None
    external_dns: ExternalDns | None
    external_secrets: ExternalSecrets | None
    karpenter: Karpenter | None


class _Protectable(Protocol):
    deletion_protection: bool


Controller = TypeVar("Controller", bound=_Protectable)


def on_cluster(
    args: Controller, config: PlatformConfig, cluster: EksCluster, **more: Any
) -> Controller:
    """A controller's configured args on the stack's cluster; protected where the cluster is."""
    protect = args.deletion_protection or config.cluster.deletion_protection
    return dataclasses.replace(  # type: ignore[type-var]
        args, cluster=cluster, deletion_protection=protect, **more
    )


def deploy(config: PlatformConfig) -> Platform:
    """Create the platform and export what operators and other stacks need."""
    name = config.cluster.cluster_name
    network = Network(name, config.network)
    cluster = EksCluster(
        name,
        dataclasses.replace(
            config.cluster,
            # `aws eks get-token` in the kubeconfig runs with the stack's profile, when it has one.
            kubeconfig_aws_profile=config.cluster.kubeconfig_aws_profile
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
    pulumi.export("nodeRoleArns", cluster.node_role_arns)
    controller = None
    if config.load_balancer_controller is not None:
        controller = LoadBalancerController(
            f"{name}-aws-load-balancer-controller",
            on_cluster(config.load_balancer_controller, config, cluster),
        )
        pulumi.export("ingressClass", controller.ingress_class_name)
    external_dns = None
    if config.external_dns is not None:
        external_dns = ExternalDns(
            f"{name}-external-dns",
            on_cluster(config.external_dns, config, cluster),
        )
        pulumi.export("externalDnsZoneIds", external_dns.zone_ids)
    external_secrets = None
    if config.external_secrets is not None:
        external_secrets = ExternalSecrets(
            f"{name}-external-secrets",
            on_cluster(config.external_secrets, config, cluster),
        )
        pulumi.export("externalSecretsRoleArn", external_secrets.role_arn)
    karpenter = None
    if config.karpenter is not None:
        karpenter = Karpenter(
            f"{name}-karpenter",
            on_cluster(
                config.karpenter,
                config,
                cluster,
                # The VPC CNI has its own role here, so Karpenter's nodes need no ENI permissions.
                node_cni_policy=config.karpenter.node_cni_policy and not config.cluster.cni_role,
            ),
        )
        pulumi.export("karpenterNodeRoleArn", karpenter.node_role_arn)
        pulumi.export("karpenterNodePools", karpenter.node_pool_names)
    return Platform(
        config=config,
        network=network,
        cluster=cluster,
        load_balancer_controller=controller,
        external_dns=external_dns,
        external_secrets=external_secrets,
        karpenter=karpenter,
    )
