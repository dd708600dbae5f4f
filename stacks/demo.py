"""Demo workloads (dev): one IRSA and one Pod Identity ServiceAccount with the same rights.

Both may read the SSM parameters under one path, and nothing else; a pod running
as either ServiceAccount can `aws ssm get-parameters-by-path --path <path>`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pulumi
import pulumi_aws as aws

from components import permissions
from components import validation as v
from components.iam import RoleSettings
from components.irsa import IrsaRole
from components.pod_identity import PodIdentityRole
from components.workload_identity import WorkloadRoleArgs

if TYPE_CHECKING:
    from .platform import Platform


@dataclass(kw_only=True)
class DemoArgs:
    """``eks-platform:demo``: the demo workloads' settings."""

    namespace: str = "demo"
    """Namespace of the demo ServiceAccounts (created)."""
    parameter_path: str = "/demo"
    """SSM parameter path the demo roles may read, e.g. ``/dev-eks/demo``."""


def validate_args(args: DemoArgs) -> None:
    """Check DemoArgs; raises InvalidArgument naming the field."""
    v.dns_label(args.namespace, "namespace", "namespace")
    permissions.parameter_path(args.parameter_path, "parameter_path")


def deploy_demo(platform: Platform, args: DemoArgs) -> tuple[IrsaRole, PodIdentityRole]:
    """The demo parameter and the two ServiceAccounts that may read it."""
    name = platform.config.cluster.cluster_name
    aws.ssm.Parameter(
        f"{name}-demo-greeting",
        name=f"{args.parameter_path}/greeting",
        type="String",
        value="hello from SSM",
        tags=platform.config.tags,
    )

    def demo(service_account: str, create_namespace: bool) -> WorkloadRoleArgs:
        return WorkloadRoleArgs(
            cluster=platform.cluster,
            namespace=args.namespace,
            service_account=service_account,
            create_namespace=create_namespace,
            permissions=[permissions.ssm_read(args.parameter_path)],
            role=RoleSettings(tags=platform.config.tags),
        )

    irsa = IrsaRole(f"{name}-demo-irsa", demo("demo-irsa", create_namespace=True))
    pod_identity = PodIdentityRole(
        f"{name}-demo-pod-identity",
        demo("demo-pod-identity", create_namespace=False),
        opts=pulumi.ResourceOptions(depends_on=[irsa]),  # the namespace comes with the IRSA demo
    )
    pulumi.export("demoIrsaRoleArn", irsa.role_arn)
    pulumi.export("demoPodIdentityRoleArn", pod_identity.role_arn)
    return irsa, pod_identity
