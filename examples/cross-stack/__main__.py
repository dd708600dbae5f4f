"""A team's own program: an IAM role for its ServiceAccount on the platform team's cluster.

The cluster is the one the platform stack exports (`pulumi stack output` of
acme/eks-platform/dev): one call references it, OIDC trust included.
"""

import pulumi
from eks_platform import ClusterRef, IrsaRole, WorkloadRoleArgs, permissions

config = pulumi.Config()

cluster = ClusterRef.from_stack(config.require("platformStack"))
api = IrsaRole(
    "payments-api",
    WorkloadRoleArgs(
        cluster=cluster,
        namespace="payments",
        service_account="api",
        create_namespace=True,
        permissions=[
            permissions.s3_read(config.require("reportsBucket"), prefix="daily/"),
            permissions.secrets_read("payments/"),
        ],
    ),
)
pulumi.export("roleArn", api.role_arn)
