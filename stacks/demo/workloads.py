"""Demo workloads (dev): one IRSA and one Pod Identity ServiceAccount with the same rights,
and, with External Secrets, a Kubernetes Secret synced from Secrets Manager and SSM.

Both roles may read the SSM parameters under one path, and nothing else; a pod running
as either ServiceAccount can `aws ssm get-parameters-by-path --path <path>`. The Secret
`demo-config` in the demo namespace holds a username and password from the Secrets Manager
secret `<path>/db` (without the leading `/`) and the greeting from the SSM parameter
`<path>/greeting`: both names come from `parameterPath`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pulumi
import pulumi_aws as aws

from components import validation as v
from components.addons.external_secrets import SecretValue, external_secret
from components.identity import permissions
from components.identity.iam import RoleSettings
from components.identity.irsa import IrsaRole
from components.identity.pod_identity import PodIdentityRole
from components.identity.workload_identity import WorkloadRoleArgs

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
    parameter = aws.ssm.Parameter(
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
    if platform.external_secrets is not None:
        deploy_synced_secret(platform, args, parameter, after=[irsa])
    return irsa, pod_identity


def demo_secret_name(args: DemoArgs) -> str:
    """The demo's Secrets Manager secret: ``<parameterPath>/db`` without the leading ``/``."""
    return f"{args.parameter_path.lstrip('/')}/db"


def deploy_synced_secret(
    platform: Platform,
    args: DemoArgs,
    parameter: aws.ssm.Parameter,
    after: list[pulumi.Resource],
) -> None:
    """A Secrets Manager secret under the demo prefix and, with the demo SSM parameter, one
    Kubernetes Secret ``demo-config`` that External Secrets keeps in sync (hourly)."""
    name = platform.config.cluster.cluster_name
    eso = platform.external_secrets
    assert eso is not None
    secret = aws.secretsmanager.Secret(
        f"{name}-demo-db",
        name=demo_secret_name(args),
        recovery_window_in_days=0,  # a demo: gone at once on destroy, and re-creatable
        tags=platform.config.tags,
    )
    version = aws.secretsmanager.SecretVersion(
        f"{name}-demo-db",
        secret_id=secret.id,
        secret_string=json.dumps({"username": "demo", "password": "not-a-real-password"}),
    )
    external_secret(
        f"{name}-demo-config",
        name="demo-config",
        namespace=args.namespace,
        store=eso.store_ref("SecretsManager"),
        data=[
            SecretValue(secret_key="username", remote_key=secret.name, property="username"),
            SecretValue(secret_key="password", remote_key=secret.name, property="password"),
            SecretValue(
                secret_key="greeting",
                remote_key=parameter.name,
                store=eso.store_ref("ParameterStore"),
            ),
        ],
        refresh_interval="1h",
        creation_policy="Owner",
        # After the stores (they need the operator), the namespace and the values; on destroy,
        # before the operator.
        opts=eso.workload_options(pulumi.ResourceOptions(depends_on=[*after, version, parameter])),
    )
    pulumi.export("demoSyncedSecret", f"{args.namespace}/demo-config")
