"""The storefront team's own program, on the platform team's cluster.

Everything it knows of the platform comes from the platform stack's outputs, through one
`ClusterRef.from_stack` call: the cluster (name, kubeconfig, OIDC trust), its VPC and subnets,
the IngressClasses its load-balancer controller serves and the External Secrets stores with the
namespaces each serves. With them it creates:

* its namespace (Pod Security `restricted`), through the cluster's Kubernetes provider;
* a workload role for its ServiceAccount (IRSA), from permission helpers;
* an ExternalSecret that reads its database credentials through the platform's store that
  serves its namespace;
* its Deployment and Service, and an Ingress on the platform's internal IngressClass (an
  internal ALB in the platform's private subnets).
"""

import pulumi
import pulumi_kubernetes as k8s
from eks_platform import ClusterRef, IrsaRole, SecretValue, WorkloadRoleArgs, permissions
from eks_platform.addons.external_secrets import external_secret, store_for

config = pulumi.Config()
app = "storefront-api"
port = 8080

cluster = ClusterRef.from_stack(config.require("platformStack"))
on_cluster = pulumi.ResourceOptions(provider=cluster.provider)

namespace = k8s.core.v1.Namespace(
    "storefront",
    metadata=k8s.meta.v1.ObjectMetaArgs(
        name=config.require("namespace"),
        labels={
            "pod-security.kubernetes.io/enforce": "restricted",
            "pod-security.kubernetes.io/warn": "restricted",
        },
    ),
    opts=on_cluster,
)
ns = namespace.metadata.name  # an Output: everything below waits for the namespace

# The workload's role and its ServiceAccount `storefront/api`: ARNs built from names take the
# partition, region and account of the role's AWS provider.
role = IrsaRole(
    app,
    WorkloadRoleArgs(
        cluster=cluster,
        namespace=ns,
        service_account="api",
        permissions=[
            permissions.dynamodb_read_write(config.require("ordersTable")),
            permissions.s3_read(config.require("assetsBucket"), prefix="public/"),
        ],
    ),
)

# The database credentials, read by the platform's operator through the store that serves this
# namespace (a ClusterSecretStore whose conditions list it, or the team's own SecretStore).
database = external_secret(
    "storefront-db",
    name="storefront-db",
    namespace=ns,
    cluster=cluster,
    store=store_for(cluster, ns, "SecretsManager"),
    data=[
        SecretValue(secret_key=key, remote_key=config.require("databaseSecret"), property=key)
        for key in ("username", "password")
    ],
    refresh_interval="1h",
)

labels = {"app.kubernetes.io/name": app}
secret_env = [
    k8s.core.v1.EnvVarArgs(
        name=f"DB_{key.upper()}",
        value_from=k8s.core.v1.EnvVarSourceArgs(
            secret_key_ref=k8s.core.v1.SecretKeySelectorArgs(name="storefront-db", key=key)
        ),
    )
    for key in ("username", "password")
]
deployment = k8s.apps.v1.Deployment(
    app,
    metadata=k8s.meta.v1.ObjectMetaArgs(name=app, namespace=ns, labels=labels),
    spec=k8s.apps.v1.DeploymentSpecArgs(
        replicas=2,
        selector=k8s.meta.v1.LabelSelectorArgs(match_labels=labels),
        template=k8s.core.v1.PodTemplateSpecArgs(
            metadata=k8s.meta.v1.ObjectMetaArgs(labels=labels),
            spec=k8s.core.v1.PodSpecArgs(
                service_account_name=role.service_account_name,
                security_context=k8s.core.v1.PodSecurityContextArgs(
                    run_as_non_root=True,
                    seccomp_profile=k8s.core.v1.SeccompProfileArgs(type="RuntimeDefault"),
                ),
                containers=[
                    k8s.core.v1.ContainerArgs(
                        name="api",
                        image=config.require("image"),
                        ports=[k8s.core.v1.ContainerPortArgs(container_port=port)],
                        env=[
                            k8s.core.v1.EnvVarArgs(
                                name="ORDERS_TABLE", value=config.require("ordersTable")
                            ),
                            *secret_env,
                        ],
                        resources=k8s.core.v1.ResourceRequirementsArgs(
                            requests={"cpu": "250m", "memory": "256Mi"},
                            limits={"memory": "256Mi"},
                        ),
                        security_context=k8s.core.v1.SecurityContextArgs(
                            allow_privilege_escalation=False,
                            read_only_root_filesystem=True,
                            capabilities=k8s.core.v1.CapabilitiesArgs(drop=["ALL"]),
                        ),
                    )
                ],
            ),
        ),
    ),
    # The pods start once their role and their secret exist.
    opts=pulumi.ResourceOptions(provider=cluster.provider, depends_on=[role, database]),
)
service = k8s.core.v1.Service(
    app,
    metadata=k8s.meta.v1.ObjectMetaArgs(name=app, namespace=ns, labels=labels),
    spec=k8s.core.v1.ServiceSpecArgs(
        selector=labels, ports=[k8s.core.v1.ServicePortArgs(port=80, target_port=port)]
    ),
    opts=on_cluster,
)

# An internal ALB: the platform's internal class that admits this namespace. Its
# IngressClassParams fix the scheme and TLS policy, whatever the Ingress says.
ingress = k8s.networking.v1.Ingress(
    app,
    metadata=k8s.meta.v1.ObjectMetaArgs(
        name=app,
        namespace=ns,
        annotations={"alb.ingress.kubernetes.io/target-type": "ip"},
    ),
    spec=k8s.networking.v1.IngressSpecArgs(
        ingress_class_name=cluster.ingress_class("internal", namespace=ns),
        rules=[
            k8s.networking.v1.IngressRuleArgs(
                host=config.require("host"),
                http=k8s.networking.v1.HTTPIngressRuleValueArgs(
                    paths=[
                        k8s.networking.v1.HTTPIngressPathArgs(
                            path="/",
                            path_type="Prefix",
                            backend=k8s.networking.v1.IngressBackendArgs(
                                service=k8s.networking.v1.IngressServiceBackendArgs(
                                    name=service.metadata.name,
                                    port=k8s.networking.v1.ServiceBackendPortArgs(number=80),
                                )
                            ),
                        )
                    ]
                ),
            )
        ],
    ),
    opts=on_cluster,
)

pulumi.export("namespace", ns)
pulumi.export("roleArn", role.role_arn)
pulumi.export("secretStore", store_for(cluster, ns).apply(lambda s: s.as_dict()))
pulumi.export("ingressClass", ingress.spec.apply(lambda s: s.ingress_class_name))
pulumi.export("vpcId", cluster.vpc_id)
pulumi.export("privateSubnetIds", cluster.private_subnet_ids)
