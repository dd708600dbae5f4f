"""A team's own program: Graviton (ARM) nodes for its workloads on the platform's cluster.

The cluster is the one the platform stack exports (`pulumi stack output` of
acme/eks-platform/dev). The node group takes the cluster's name, private subnets, Kubernetes
version and node security group from the reference; it runs as a role of its own (this
program's), which gets the access entry that lets its nodes join the cluster. Only pods that
tolerate the taint and select the label run there (their images must be built for arm64).
"""

import pulumi
from eks_platform import ClusterRef, NodeGroup, NodeGroupArgs, NodeGroupSpec, Taint

config = pulumi.Config()

cluster = ClusterRef.from_stack(config.require("platformStack"))
arm = NodeGroup(
    "arm-batch",
    NodeGroupArgs(
        cluster=cluster,
        spec=NodeGroupSpec(
            ami_type="AL2023_ARM_64_STANDARD",
            instance_types=["m7g.large", "m6g.large"],
            capacity_type="SPOT",
            min_size=0,
            desired_size=1,
            max_size=4,
            labels={"team": "batch"},
            taints=[Taint(key="team", value="batch", effect="NoSchedule")],
            tags={"team": "batch"},
        ),
    ),
)
pulumi.export("nodeGroupName", arm.node_group_name)
pulumi.export("nodeRoleArn", arm.role_arn)
