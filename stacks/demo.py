"""Demo workloads (dev): one IRSA and one Pod Identity ServiceAccount with the same rights.

Both may read the SSM parameters under one path, and nothing else; a pod running
as either ServiceAccount can `aws ssm get-parameters-by-path --path <path>`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pulumi
import pulumi_aws as aws

from components import validation as v
from components.iam import RolePolicyArgs
from components.irsa import IrsaRole, IrsaRoleArgs
from components.pod_identity import PodIdentityRole, PodIdentityRoleArgs

if TYPE_CHECKING:
    from .platform import Platform

_PARAMETER_PATH = re.compile(r"^(/[A-Za-z0-9_.-]+)+$")


@dataclass
class DemoArgs:
    """``eks-platform:demo``: the demo workloads' settings."""

    namespace: str = "demo"
    """Namespace of the demo ServiceAccounts (created)."""
    parameter_path: str = "/demo"
    """SSM parameter path the demo roles may read, e.g. ``/dev-eks/demo``."""


def validate_args(args: DemoArgs) -> None:
    """Check DemoArgs; raises ValueError naming the field."""
    v.dns_label(args.namespace, "namespace", "namespace")
    v.require(
        bool(_PARAMETER_PATH.match(args.parameter_path)),
        "parameter_path",
        f"{args.parameter_path!r} is not an SSM parameter path (/segment[/segment...])",
    )


def read_parameters_policy(parameter_path: str) -> pulumi.Output[dict]:
    """Read-only access to the SSM parameters under ``parameter_path``."""
    partition = aws.get_partition_output().partition
    region = aws.get_region_output().region
    account = aws.get_caller_identity_output().account_id
    return pulumi.Output.all(partition, region, account).apply(
        lambda a: {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "ReadDemoParameters",
                    "Effect": "Allow",
                    "Action": ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"],
                    "Resource": [
                        f"arn:{a[0]}:ssm:{a[1]}:{a[2]}:parameter{parameter_path}",
                        f"arn:{a[0]}:ssm:{a[1]}:{a[2]}:parameter{parameter_path}/*",
                    ],
                }
            ],
        }
    )


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
    policy = RolePolicyArgs(
        inline_policies={"read-demo-parameters": read_parameters_policy(args.parameter_path)},
        tags=platform.config.tags,
    )
    irsa = IrsaRole(
        f"{name}-demo-irsa",
        IrsaRoleArgs(
            cluster=platform.cluster.ref,
            oidc=platform.oidc,
            namespace=args.namespace,
            service_account="demo-irsa",
            create_namespace=True,
            policies=policy,
        ),
    )
    pod_identity = PodIdentityRole(
        f"{name}-demo-pod-identity",
        PodIdentityRoleArgs(
            cluster=platform.cluster.ref,
            namespace=args.namespace,
            service_account="demo-pod-identity",
            policies=policy,
        ),
        opts=pulumi.ResourceOptions(depends_on=[irsa]),  # the namespace comes with the IRSA demo
    )
    pulumi.export("demoIrsaRoleArn", irsa.role_arn)
    pulumi.export("demoPodIdentityRoleArn", pod_identity.role_arn)
    return irsa, pod_identity
