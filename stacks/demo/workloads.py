"""The demo workloads (dev), each deployed when its section is set in the stack file.

``eks-platform:demo``: one IRSA and one Pod Identity ServiceAccount with the same rights, a pod
writing to an EBS volume and a Deployment a HorizontalPodAutoscaler scales on CPU
(:mod:`.apps`), and, with External Secrets, a Kubernetes Secret synced from Secrets Manager and SSM. Both
roles may read the SSM parameters under the demo's path, and nothing else; a pod running as
either ServiceAccount can ``aws ssm get-parameters-by-path --path <path>``. The Secret
``demo-config`` in the demo namespace holds a username and password from the Secrets Manager
secret ``<path>/db`` (without the leading ``/``) and the greeting from the SSM parameter
``<path>/greeting``: the names come from :mod:`.args`.

``eks-platform:sampleApp``: the 2048 game (:class:`~stacks.sample_app.SampleApp`) behind the
load-balancer controller.
"""

from __future__ import annotations

import dataclasses
import json
from typing import TYPE_CHECKING

import pulumi
import pulumi_aws as aws

from components import (
    IrsaRole,
    PodIdentityRole,
    RoleSettings,
    SecretValue,
    WorkloadRoleArgs,
    permissions,
)
from components.addons.external_secrets import ExternalSecrets, external_secret
from stacks.config import (
    CLUSTER,
    DEMO,
    EXTERNAL_SECRETS,
    LOAD_BALANCER_CONTROLLER,
    METRICS_SERVER,
    SAMPLE_APP,
    STORAGE,
    TAGS,
)
from stacks.sample_app import SampleApp

from .apps import deploy_apps
from .args import DemoArgs, parameter_name, parameter_path, secret_name

if TYPE_CHECKING:
    from stacks.platform import Platform


def deploy_demo(platform: Platform) -> tuple[IrsaRole, PodIdentityRole] | None:
    """The demo parameter and the two ServiceAccounts that may read it (None: no demo)."""
    args = platform.config.get(DEMO)
    if args is None:
        return None
    name = platform.config[CLUSTER].cluster_name
    tags = platform.config[TAGS]
    parameter = aws.ssm.Parameter(
        f"{name}-demo-greeting",
        name=parameter_name(args),
        type="String",
        value="hello from SSM",
        tags=tags,
    )

    def demo(service_account: str, create_namespace: bool) -> WorkloadRoleArgs:
        return WorkloadRoleArgs(
            cluster=platform.cluster,
            namespace=args.namespace,
            service_account=service_account,
            create_namespace=create_namespace,
            permissions=[permissions.ssm_read(parameter_path(args))],
            role=RoleSettings(tags=tags),
        )

    irsa = IrsaRole(f"{name}-demo-irsa", demo("demo-irsa", create_namespace=True))
    pod_identity = PodIdentityRole(
        f"{name}-demo-pod-identity",
        demo("demo-pod-identity", create_namespace=False),
        opts=pulumi.ResourceOptions(depends_on=[irsa]),  # the namespace comes with the IRSA demo
    )
    pulumi.export("demoIrsaRoleArn", irsa.role_arn)
    pulumi.export("demoPodIdentityRoleArn", pod_identity.role_arn)
    # A volume on the default StorageClass, and a Deployment an HPA scales (stacks/demo/apps.py).
    deploy_apps(
        name,
        args.namespace,
        platform.cluster.provider,
        platform.get(STORAGE),
        platform.get(METRICS_SERVER),
        after=[irsa],  # the namespace comes with the IRSA demo
    )
    pulumi.export("demoVolumeClaim", f"{args.namespace}/demo-data")
    eso = platform.get(EXTERNAL_SECRETS)
    if eso is not None:
        deploy_synced_secret(platform, eso, args, parameter, after=[irsa])
    return irsa, pod_identity


def deploy_synced_secret(
    platform: Platform,
    eso: ExternalSecrets,
    args: DemoArgs,
    parameter: aws.ssm.Parameter,
    after: list[pulumi.Resource],
) -> None:
    """A Secrets Manager secret under the demo prefix and, with the demo SSM parameter, one
    Kubernetes Secret ``demo-config`` that External Secrets keeps in sync (hourly)."""
    name = platform.config[CLUSTER].cluster_name
    secret = aws.secretsmanager.Secret(
        f"{name}-demo-db",
        name=secret_name(args),
        recovery_window_in_days=0,  # a demo: gone at once on destroy, and re-creatable
        tags=platform.config[TAGS],
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


def deploy_sample_app(platform: Platform) -> SampleApp | None:
    """The 2048 game on the stack's load-balancer controller (None: no sample app)."""
    args = platform.config.get(SAMPLE_APP)
    controller = platform.get(LOAD_BALANCER_CONTROLLER)
    if args is None or controller is None:  # the configuration refuses the one without the other
        return None
    app = SampleApp(
        f"{platform.config[CLUSTER].cluster_name}-game-2048",
        dataclasses.replace(args, controller=controller),
    )
    pulumi.export("sampleAppUrl", app.url)
    return app
