"""``ClusterRef``: what the workload roles and controllers need to know about a cluster.

Every component that runs on a cluster takes ``cluster: EksCluster | ClusterRef``:

* an :class:`~components.cluster.eks_cluster.EksCluster` of the same program (it hands out ``cluster.ref``);
* :meth:`ClusterRef.from_stack`: a cluster a stack of this project exports, in one call;
* :meth:`ClusterRef.existing`: a cluster created elsewhere (eksctl, Terraform, the console),
  looked up by name.

The reference carries the cluster's :class:`~components.identity.oidc.OidcTrust`, so an IRSA role
needs only the cluster, its ServiceAccount and its permissions.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, cast

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from .. import aws_context
from .. import validation as v
from .oidc import OidcTrust, OidcTrustArgs, provider_arn_for

POD_IDENTITY_AGENT = "eks-pod-identity-agent"
STACK_OUTPUTS = ("clusterName", "kubeconfig", "vpcId", "oidcIssuerUrl", "oidcProviderArn")
"""The outputs :meth:`ClusterRef.from_stack` requires; every stack of this project exports them
(and ``clusterSecurityGroupId``, read when present)."""
_RESOURCE_NAME = re.compile(r"[^A-Za-z0-9_.-]+")


@dataclass(kw_only=True)
class ClusterRef:
    """A reference to an EKS cluster for the components that run on it.

    Build one with :meth:`from_stack` or :meth:`existing`, or take ``EksCluster.ref``.
    """

    key: str
    """A plain name for the cluster in this program: it prefixes the names of resources made
    for the cluster (its Kubernetes provider, its Pod Identity agent add-on)."""
    name: pulumi.Input[str]
    """The EKS cluster name."""
    provider: k8s.Provider
    """A Kubernetes provider for the cluster; every Kubernetes object is created through it."""
    vpc_id: pulumi.Input[str]
    """The cluster's VPC id (the load-balancer controller needs it explicitly)."""
    oidc: OidcTrust | None = None
    """IAM's trust in the cluster's OIDC issuer, for IRSA; None when the cluster has none."""
    kubeconfig: pulumi.Input[str] | None = None
    """The cluster's kubeconfig (JSON, a secret), for work done outside the Kubernetes provider
    (the load-balancer controller's cleanup on delete); None when not known."""
    cluster_security_group_id: pulumi.Input[str] | None = None
    """The security group EKS created for the cluster, which managed nodes and pods use (None
    when not known)."""
    uses_fargate: bool = False
    """True when pods may run on Fargate (no NodePort there: load balancers must target pod IPs)."""
    workload_dependencies: list[pulumi.Resource] = field(default_factory=list)
    """Resources that must exist before pods can run (node groups, Fargate profiles, CoreDNS)."""
    pod_identity_agent: pulumi.Resource | None = None
    """The ``eks-pod-identity-agent`` add-on, when this program created it."""
    manage_pod_identity_agent: bool = False
    """Create the Pod Identity agent add-on on first use when ``pod_identity_agent`` is None.
    False (default): the agent is someone else's; a :class:`PodIdentityRole` then checks at
    deploy time that the add-on exists."""

    @classmethod
    def existing(
        cls,
        cluster_name: pulumi.Input[str],
        *,
        resource_name: str | None = None,
        oidc_provider_arn: pulumi.Input[str] | None = None,
        create_oidc_provider: bool = False,
        vpc_id: pulumi.Input[str] | None = None,
        oidc_issuer_url: pulumi.Input[str] | None = None,
        uses_fargate: bool = False,
        manage_pod_identity_agent: bool = False,
    ) -> ClusterRef:
        """A cluster created elsewhere, looked up by name (``aws.eks.get_cluster``).

        Its endpoint, certificate, VPC and OIDC issuer come from the lookup (``vpc_id`` and
        ``oidc_issuer_url`` override it). Its IAM OIDC provider is adopted: ``oidc_provider_arn``,
        or by default the ARN IAM gives the provider of the cluster's issuer (eksctl, Terraform
        and the console create it under that ARN); ``create_oidc_provider=True`` creates it.

        The Kubernetes provider authenticates with ``aws eks get-token``, so the deploying
        identity needs an access entry on the cluster. ``resource_name`` (default: the
        cluster name) names the resources made here; it is required when ``cluster_name`` is
        an Output.
        """
        key = _key(resource_name, cluster_name, "cluster_name")
        with v.component_errors("ClusterRef.existing", key):
            if isinstance(cluster_name, str):
                v.cluster_name(cluster_name, "cluster_name")
            v.require(
                not (create_oidc_provider and oidc_provider_arn is not None),
                "create_oidc_provider",
                "give oidc_provider_arn (adopt) or create_oidc_provider=True (create), not both",
            )
        info = aws.eks.get_cluster_output(name=cluster_name)
        issuer = (
            oidc_issuer_url
            if oidc_issuer_url is not None
            else info.identities.apply(lambda ids: _attr(_attr(ids[0], "oidcs")[0], "issuer"))
        )
        if create_oidc_provider:
            oidc = OidcTrust(f"{key}-oidc", OidcTrustArgs(issuer_url=issuer))
        elif oidc_provider_arn is not None:
            oidc = OidcTrust(
                f"{key}-oidc",
                OidcTrustArgs(provider_arn=oidc_provider_arn, issuer_url=oidc_issuer_url),
            )
        else:
            derived = pulumi.Output.all(
                aws_context.partition(), aws_context.account_id(), issuer
            ).apply(lambda a: provider_arn_for(a[0], a[1], a[2]))
            oidc = OidcTrust(f"{key}-oidc", OidcTrustArgs(provider_arn=derived))

        def render(values: list[Any]) -> str:
            name, endpoint, authorities = values
            return kubeconfig_json(name, endpoint, _attr(authorities[0], "data"))

        kubeconfig = pulumi.Output.all(
            info.name, info.endpoint, info.certificate_authorities
        ).apply(render)
        return cls(
            key=key,
            name=info.name if not isinstance(cluster_name, str) else cluster_name,
            provider=_provider(key, kubeconfig),
            kubeconfig=pulumi.Output.secret(kubeconfig),
            vpc_id=vpc_id
            if vpc_id is not None
            else info.vpc_config.apply(lambda c: str(_attr(c, "vpc_id"))),
            cluster_security_group_id=info.vpc_config.apply(
                lambda c: str(_attr(c, "cluster_security_group_id"))
            ),
            oidc=oidc,
            uses_fargate=uses_fargate,
            manage_pod_identity_agent=manage_pod_identity_agent,
        )

    @classmethod
    def from_stack(
        cls, stack: str, *, resource_name: str | None = None, uses_fargate: bool = False
    ) -> ClusterRef:
        """The cluster a stack of this project exports, e.g. ``"acme/eks-platform/prod"``.

        Reads the stack's outputs (:data:`STACK_OUTPUTS`) through a ``pulumi.StackReference``:
        the cluster name, its kubeconfig (a secret), VPC, OIDC issuer and provider. Nothing
        is created but the Kubernetes provider. The Pod Identity agent belongs to that stack;
        a :class:`PodIdentityRole` checks at deploy time that it exists.
        """
        v.require(
            isinstance(stack, str) and stack.count("/") <= 2 and bool(stack.strip("/")),
            "stack",
            f"{stack!r} is not a stack name (<stack>, <project>/<stack> or <org>/<project>/<stack>)",
        )
        key = resource_name or _RESOURCE_NAME.sub("-", stack)
        reference = pulumi.StackReference(key, stack_name=stack)
        outputs = {name: reference.require_output(name) for name in STACK_OUTPUTS}
        oidc = OidcTrust(
            f"{key}-oidc",
            OidcTrustArgs(
                provider_arn=outputs["oidcProviderArn"], issuer_url=outputs["oidcIssuerUrl"]
            ),
        )
        return cls(
            key=key,
            name=outputs["clusterName"],
            provider=_provider(key, outputs["kubeconfig"]),
            kubeconfig=outputs["kubeconfig"],
            vpc_id=outputs["vpcId"],
            oidc=oidc,
            cluster_security_group_id=reference.get_output("clusterSecurityGroupId"),
            uses_fargate=uses_fargate,
        )

    def pod_identity_ready(self, owner: str) -> tuple[pulumi.Input[str], list[pulumi.Resource]]:
        """The cluster name and dependencies a Pod Identity association should use.

        When this program manages the ``eks-pod-identity-agent`` add-on, the association
        depends on it (creating it once, however many roles ask). Otherwise the returned
        cluster name is an Output that fails at deploy time, naming ``owner``, when the
        cluster has no such add-on: without the agent, pods never receive credentials.
        """
        if self.pod_identity_agent is None and self.manage_pod_identity_agent:
            self.pod_identity_agent = aws.eks.Addon(
                f"{self.key}-{POD_IDENTITY_AGENT}",
                cluster_name=self.name,
                addon_name=POD_IDENTITY_AGENT,
                resolve_conflicts_on_create="OVERWRITE",
                resolve_conflicts_on_update="OVERWRITE",
                opts=pulumi.ResourceOptions(depends_on=self.workload_dependencies),
            )
        if self.pod_identity_agent is not None:
            return self.name, [self.pod_identity_agent]
        return pulumi.Output.from_input(self.name).apply(
            lambda name: _require_agent(name, owner)
        ), []


async def _require_agent(cluster_name: str, owner: str) -> str:
    """``cluster_name`` once its ``eks-pod-identity-agent`` add-on is found; a clear error if not."""
    addon = aws.eks.get_addon_output(cluster_name=cluster_name, addon_name=POD_IDENTITY_AGENT)
    try:
        await addon.addon_version.future()
    except Exception as error:
        raise v.InvalidArgument(
            "cluster",
            f"cluster {cluster_name!r} has no {POD_IDENTITY_AGENT} add-on, so pods cannot get "
            "Pod Identity credentials: install it (aws eks create-addon --cluster-name "
            f"{cluster_name} --addon-name {POD_IDENTITY_AGENT}), or use IrsaRole "
            f"({str(error).splitlines()[0] if str(error) else type(error).__name__})",
            owner,
        ) from None
    return cluster_name


def as_cluster_ref(value: Any, field_name: str = "cluster") -> ClusterRef:
    """An ``EksCluster`` or a ``ClusterRef`` as a ``ClusterRef``; anything else is refused."""
    if isinstance(value, ClusterRef):
        return value
    ref = getattr(value, "ref", None)
    if isinstance(ref, ClusterRef):
        return ref
    shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "..."
    raise v.InvalidArgument(
        field_name,
        f"expected an EksCluster or a ClusterRef (ClusterRef.from_stack(...) or "
        f"ClusterRef.existing(...)), got {type(value).__name__} {shown}",
    )


def _attr(value: Any, name: str) -> Any:
    """An invoke result's field, whether the SDK gave a typed object or a mapping."""
    if isinstance(value, dict):
        camel = name.split("_")[0] + "".join(p.title() for p in name.split("_")[1:])
        return value.get(name, value.get(camel))
    return getattr(value, name)


def _key(resource_name: str | None, cluster_name: Any, field_name: str) -> str:
    if resource_name is not None:
        return resource_name
    if not isinstance(cluster_name, str):
        raise v.InvalidArgument(
            "resource_name",
            f"{field_name} is an Output, so it cannot name resources; give resource_name",
            "ClusterRef.existing",
        )
    return cluster_name


def _provider(key: str, kubeconfig: pulumi.Input[str]) -> k8s.Provider:
    # Output.secret's generic signature trips mypy on an Output argument; the value is a str.
    return k8s.Provider(f"{key}-k8s", kubeconfig=pulumi.Output.secret(cast(Any, kubeconfig)))


def kubeconfig_json(cluster_name: str, endpoint: str, certificate_authority_data: str) -> str:
    """A kubeconfig for an EKS cluster that authenticates with ``aws eks get-token``."""
    return json.dumps(
        {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [
                {
                    "name": cluster_name,
                    "cluster": {
                        "server": endpoint,
                        "certificate-authority-data": certificate_authority_data,
                    },
                }
            ],
            "contexts": [
                {"name": cluster_name, "context": {"cluster": cluster_name, "user": cluster_name}}
            ],
            "current-context": cluster_name,
            "users": [
                {
                    "name": cluster_name,
                    "user": {
                        "exec": {
                            "apiVersion": "client.authentication.k8s.io/v1beta1",
                            "command": "aws",
                            "args": [
                                "eks",
                                "get-token",
                                "--cluster-name",
                                cluster_name,
                                "--output",
                                "json",
                            ],
                        }
                    },
                }
            ],
        }
    )
