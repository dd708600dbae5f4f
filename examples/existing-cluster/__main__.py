"""Add workload identity and the AWS Load Balancer Controller to an existing EKS cluster.

The cluster, its VPC and node groups belong to someone else (another stack, eksctl, the
console); this program only needs their names. It shows the components used from
outside this repository (`pip install` of eks-platform, see requirements.txt).
"""

import pulumi
import pulumi_aws as aws

from components.cluster_ref import ClusterRef
from components.iam import RolePolicyArgs
from components.irsa import IrsaRole, IrsaRoleArgs
from components.load_balancer_controller import LoadBalancerController, LoadBalancerControllerArgs
from components.oidc import OidcTrust, OidcTrustArgs

config = pulumi.Config()
cluster_name = config.require("clusterName")
bucket = config.require("reportsBucket")

cluster = ClusterRef.existing(
    f"{cluster_name}-k8s",
    cluster_name=cluster_name,
    vpc_id=config.require("vpcId"),
    oidc_issuer_url=config.require("oidcIssuerUrl"),
)
oidc = OidcTrust(
    f"{cluster_name}-oidc",
    OidcTrustArgs(issuer_url=cluster.oidc_issuer_url, provider_arn=config.get("oidcProviderArn")),
)
controller = LoadBalancerController(
    f"{cluster_name}-aws-load-balancer-controller",
    LoadBalancerControllerArgs(cluster=cluster, oidc=oidc, replicas=2),
)
read_bucket = aws.get_partition_output().partition.apply(
    lambda partition: {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:ListBucket"],
                "Resource": [f"arn:{partition}:s3:::{bucket}", f"arn:{partition}:s3:::{bucket}/*"],
            }
        ],
    }
)
reports = IrsaRole(
    f"{cluster_name}-reports-reader",
    IrsaRoleArgs(
        cluster=cluster,
        oidc=oidc,
        namespace="reports",
        service_account="reader",
        create_namespace=True,
        policies=RolePolicyArgs(inline_policies={"read-reports": read_bucket}),
    ),
)

pulumi.export("oidcProviderArn", oidc.provider_arn)
pulumi.export("loadBalancerControllerRoleArn", controller.role_arn)
pulumi.export("reportsReaderRoleArn", reports.role_arn)
