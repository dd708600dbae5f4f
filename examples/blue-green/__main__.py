"""One role for the orders API while it moves from the blue cluster to the green one.

The role trusts both clusters' OIDC providers, each for the ServiceAccount that exists
there (the green cluster runs the API in a new namespace), and the ServiceAccount is
created on both. When blue is retired, remove it from `cluster`: the role stays.
"""

import pulumi
from eks_platform import ClusterBinding, ClusterRef, IrsaRole, WorkloadRoleArgs, permissions

config = pulumi.Config()
blue = ClusterRef.from_stack(config.require("blueStack"))
green = ClusterRef.from_stack(config.require("greenStack"))

orders = IrsaRole(
    "orders-api",
    WorkloadRoleArgs(
        cluster={"blue": blue, "green": ClusterBinding(cluster=green, namespace="orders-v2")},
        namespace="orders",
        service_account="api",
        create_namespace=True,
        permissions=[
            permissions.dynamodb_read_write(config.require("table")),
            permissions.sqs_send(config.require("eventsQueue")),
        ],
    ),
)
pulumi.export("roleArn", orders.role_arn)
