"""Add workload identity and the AWS Load Balancer Controller to an existing EKS cluster.

The cluster, its VPC and node groups belong to someone else (eksctl, Terraform, the
console); this program only needs the cluster's name. It uses the components as an
installed package (`pip install eks-platform`, see requirements.txt).
"""

import pulumi
from eks_platform import (
    ClusterRef,
    IrsaRole,
    LoadBalancerController,
    LoadBalancerControllerArgs,
    WorkloadRoleArgs,
    permissions,
)

config = pulumi.Config()

# Endpoint, certificate, VPC and OIDC issuer come from `aws eks describe-cluster`.
cluster = ClusterRef.existing(
    config.require("clusterName"),
    oidc_provider_arn=config.get("oidcProviderArn"),
    create_oidc_provider=config.get_bool("createOidcProvider") or False,
)
controller = LoadBalancerController(
    "aws-load-balancer-controller", LoadBalancerControllerArgs(cluster=cluster, replicas=2)
)
reports = IrsaRole(
    "reports-reader",
    WorkloadRoleArgs(
        cluster=cluster,
        namespace="reports",
        service_account="reader",
        create_namespace=True,
        permissions=[permissions.s3_read(config.require("reportsBucket"))],
    ),
)

pulumi.export("oidcProviderArn", cluster.oidc.provider_arn if cluster.oidc else None)
pulumi.export("loadBalancerControllerRoleArn", controller.role_arn)
pulumi.export("reportsReaderRoleArn", reports.role_arn)
