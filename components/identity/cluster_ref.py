"""``ClusterRef``: what the workload roles and controllers need to know about a cluster.

Every component that runs on a cluster takes ``cluster: EksCluster | ClusterRef``:

* an :class:`~components.cluster.eks_cluster.EksCluster` of the same program (it hands out ``cluster.ref``);
* :meth:`ClusterRef.from_stack`: a cluster a stack of this project exports, in one call;
* :meth:`ClusterRef.existing`: a cluster created elsewhere (eksctl, Terraform, the console),
  looked up by name.

Both take ``opts``: its AWS provider (``provider=``, ``providers=``, or the parent's) makes
the lookups (the cluster, the account, the partition) and owns the OIDC trust, so a cluster in
another region or account is referenced through the provider for it. The reference carries
the cluster's :class:`~components.identity.oidc.OidcTrust`, so an IRSA role needs only the
cluster, its ServiceAccount and its permissions.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from .. import aws_context
from .. import validation as v
from .kubeconfig import kubeconfig_json
from .oidc import OidcTrust, OidcTrustArgs, provider_arn_for, validate_trust_inputs

POD_IDENTITY_AGENT = "eks-pod-identity-agent"
STACK_OUTPUTS = ("clusterName", "kubeconfig", "vpcId", "oidcIssuerUrl", "oidcProviderArn")
"""The outputs :meth:`ClusterRef.from_stack` requires; every stack of this project exports them."""
OPTIONAL_STACK_OUTPUTS: dict[str, str] = {
    "privateSubnetIds": "private_subnet_ids",
    "publicSubnetIds": "public_subnet_ids",
    "clusterSecurityGroupId": "cluster_security_group_id",
    "nodeSecurityGroupId": "node_security_group_id",
    "kubernetesVersion": "kubernetes_version",
    "compute": "compute",
    "ingressClasses": "ingress_classes",
    "externalSecretsStores": "secret_stores",
}
"""The further outputs :meth:`ClusterRef.from_stack` reads, by the field they fill; each
resolves to None when the stack does not export it (the ingress classes and the stores come
with their add-ons; a stack deployed before this version lacks the newer ones)."""
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
    node_security_group_id: pulumi.Input[str] | None = None
    """The security group of the cluster's nodes, when it has one of its own (None when not
    known; managed node groups use ``cluster_security_group_id``)."""
    private_subnet_ids: pulumi.Input[Sequence[str]] | None = None
    """The private subnets of the cluster's VPC (internal load balancers, nodes); None when not
    known."""
    public_subnet_ids: pulumi.Input[Sequence[str]] | None = None
    """The public subnets of the cluster's VPC (internet-facing load balancers); None when not
    known."""
    kubernetes_version: pulumi.Input[str] | None = None
    """The control plane's Kubernetes ``major.minor`` version (new node groups follow it); None
    when not known."""
    compute: pulumi.Input[str] | None = None
    """``managed`` or ``auto-mode`` (Auto Mode's nodes run the Pod Identity agent themselves)."""
    node_role_arn: pulumi.Input[str] | None = None
    """A node role of the cluster (its access entry exists) that a :class:`NodeGroup` on this
    reference runs as unless given one; None: such a group creates a role and its entry."""
    ingress_classes: pulumi.Input[Mapping[str, Any]] | None = None
    """The IngressClasses the platform's load-balancer controller serves:
    ``{name: {"scheme": "internal" | "internet-facing", "namespaces": [...]}}`` (no namespaces:
    any); see :meth:`ingress_class`. None when not known."""
    secret_stores: pulumi.Input[Sequence[Mapping[str, Any]]] | None = None
    """The External Secrets stores on the cluster:
    ``[{"kind", "name", "backend", "namespaces": [...]}]`` (no namespaces: any). None when not
    known."""
    aws_provider: pulumi.ProviderResource | None = None
    """The AWS provider for the cluster's account and region (None: the default one): the EKS
    calls made for it (Pod Identity associations, the agent add-on) go through it."""
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
        private_subnet_ids: pulumi.Input[Sequence[str]] | None = None,
        public_subnet_ids: pulumi.Input[Sequence[str]] | None = None,
        node_security_group_id: pulumi.Input[str] | None = None,
        uses_fargate: bool = False,
        manage_pod_identity_agent: bool = False,
        opts: pulumi.ResourceOptions | None = None,
    ) -> ClusterRef:
        """A cluster created elsewhere, looked up by name (``aws.eks.get_cluster``).

        Its endpoint, certificate, VPC, cluster security group and OIDC issuer come from the
        lookup (``vpc_id`` and ``oidc_issuer_url`` override it; the subnets and the node
        security group are not in it: give them when a component needs them). Its IAM OIDC
        provider is adopted: ``oidc_provider_arn``, or by default the ARN IAM gives the
        provider of the cluster's issuer (eksctl, Terraform and the console create it under
        that ARN); ``create_oidc_provider=True`` creates it.

        ``opts``: the AWS provider of ``opts`` (``provider=``, ``providers=`` or the parent's)
        makes the lookups and owns the OIDC trust; its parent parents what is created here.
        The Kubernetes provider authenticates with ``aws eks get-token``, so the deploying
        identity needs an access entry on the cluster. ``resource_name`` (default: the
        cluster name) names the resources made here; it is required when ``cluster_name`` is
        an Output.
        """
        key = _key(resource_name, cluster_name, "cluster_name")
        with v.component_errors("ClusterRef.existing", key):
            v.resource_options(opts)
            if isinstance(cluster_name, str):
                v.cluster_name(cluster_name, "cluster_name")
            v.require(
                not (create_oidc_provider and oidc_provider_arn is not None),
                "create_oidc_provider",
                "give oidc_provider_arn (adopt) or create_oidc_provider=True (create), not both",
            )
            validate_trust_inputs(
                oidc_provider_arn, oidc_issuer_url, ("oidc_provider_arn", "oidc_issuer_url")
            )
        aws_provider = aws_context.provider_of(opts)
        info = aws.eks.get_cluster_output(
            name=cluster_name, opts=aws_context.invoke_options(aws_provider)
        )
        issuer = (
            oidc_issuer_url
            if oidc_issuer_url is not None
            else info.identities.apply(lambda ids: _attr(_attr(ids[0], "oidcs")[0], "issuer"))
        )
        trust_opts = _trust_options(opts, aws_provider)
        if create_oidc_provider:
            oidc = OidcTrust(f"{key}-oidc", OidcTrustArgs(issuer_url=issuer), trust_opts)
        elif oidc_provider_arn is not None:
            oidc = OidcTrust(
                f"{key}-oidc",
                OidcTrustArgs(provider_arn=oidc_provider_arn, issuer_url=oidc_issuer_url),
                trust_opts,
            )
        else:
            derived = pulumi.Output.all(
                aws_context.partition(aws_provider), aws_context.account_id(aws_provider), issuer
            ).apply(lambda a: provider_arn_for(a[0], a[1], a[2]))
            oidc = OidcTrust(f"{key}-oidc", OidcTrustArgs(provider_arn=derived), trust_opts)

        def render(values: list[Any]) -> str:
            name, endpoint, authorities = values
            return kubeconfig_json(name, endpoint, _attr(authorities[0], "data"))

        kubeconfig = pulumi.Output.all(
            info.name, info.endpoint, info.certificate_authorities
        ).apply(render)
        return cls(
            key=key,
            name=info.name if not isinstance(cluster_name, str) else cluster_name,
            provider=_provider(key, kubeconfig, opts),
            kubeconfig=pulumi.Output.secret(kubeconfig),
            vpc_id=vpc_id
            if vpc_id is not None
            else info.vpc_config.apply(lambda c: str(_attr(c, "vpc_id"))),
            cluster_security_group_id=info.vpc_config.apply(
                lambda c: str(_attr(c, "cluster_security_group_id"))
            ),
            node_security_group_id=node_security_group_id,
            kubernetes_version=info.version,
            private_subnet_ids=private_subnet_ids,
            public_subnet_ids=public_subnet_ids,
            oidc=oidc,
            aws_provider=aws_provider,
            uses_fargate=uses_fargate,
            manage_pod_identity_agent=manage_pod_identity_agent,
        )

    @classmethod
    def from_stack(
        cls,
        stack: str,
        *,
        resource_name: str | None = None,
        uses_fargate: bool = False,
        opts: pulumi.ResourceOptions | None = None,
    ) -> ClusterRef:
        """The cluster a stack of this project exports, e.g. ``"acme/eks-platform/prod"``.

        Reads the stack's outputs through a ``pulumi.StackReference``: the cluster name, its
        kubeconfig (a secret), VPC, OIDC issuer and provider (:data:`STACK_OUTPUTS`, required),
        and the subnets, security groups, ingress classes and External Secrets stores
        (:data:`OPTIONAL_STACK_OUTPUTS`, None when the stack lacks one). Nothing is
        created but the Kubernetes provider. ``opts``: its AWS provider (the stack's account
        and region) adopts the OIDC provider and makes the EKS calls for the cluster; its parent
        parents the reference. The Pod Identity agent belongs to that stack; a
        :class:`PodIdentityRole` checks at deploy time that it exists.
        """
        key = resource_name or _RESOURCE_NAME.sub("-", str(stack))
        with v.component_errors("ClusterRef.from_stack", key):
            v.require(
                isinstance(stack, str) and stack.count("/") <= 2 and bool(stack.strip("/")),
                "stack",
                f"{stack!r} is not a stack name (<stack>, <project>/<stack> or "
                "<org>/<project>/<stack>)",
            )
            v.resource_options(opts)
        aws_provider = aws_context.provider_of(opts)
        reference = pulumi.StackReference(
            key, stack_name=stack, opts=pulumi.ResourceOptions(parent=_parent(opts))
        )
        outputs = {name: reference.require_output(name) for name in STACK_OUTPUTS}
        oidc = OidcTrust(
            f"{key}-oidc",
            OidcTrustArgs(
                provider_arn=outputs["oidcProviderArn"], issuer_url=outputs["oidcIssuerUrl"]
            ),
            _trust_options(opts, aws_provider),
        )
        optional = {f: reference.get_output(o) for o, f in OPTIONAL_STACK_OUTPUTS.items()}
        return cls(
            key=key,
            name=outputs["clusterName"],
            provider=_provider(key, outputs["kubeconfig"], opts),
            kubeconfig=outputs["kubeconfig"],
            vpc_id=outputs["vpcId"],
            oidc=oidc,
            aws_provider=aws_provider,
            uses_fargate=uses_fargate,
            private_subnet_ids=optional["private_subnet_ids"],
            public_subnet_ids=optional["public_subnet_ids"],
            cluster_security_group_id=optional["cluster_security_group_id"],
            node_security_group_id=optional["node_security_group_id"],
            kubernetes_version=optional["kubernetes_version"],
            compute=optional["compute"],
            ingress_classes=optional["ingress_classes"],
            secret_stores=optional["secret_stores"],
        )

    def ingress_class(
        self, scheme: str = "internal", namespace: pulumi.Input[str] | None = None
    ) -> pulumi.Output[str]:
        """The name of an IngressClass of ``scheme`` (``internal`` or ``internet-facing``) that
        admits Ingresses of ``namespace`` (any namespace when None), from
        :attr:`ingress_classes`; fails, naming the reference, when there is none."""
        owner = f"ClusterRef {self.key!r}"
        with v.component_errors("ClusterRef", self.key):
            v.one_of(scheme, ("internal", "internet-facing"), "scheme")
            v.require(
                self.ingress_classes is not None,
                "ingress_classes",
                "not known for this cluster (ClusterRef.from_stack reads the stack's "
                "ingressClasses)",
            )
        return pulumi.Output.all(self.ingress_classes, namespace).apply(
            lambda a: _pick_class(a[0], scheme, a[1], owner)
        )

    def pod_identity_ready(
        self, owner: str, provider: pulumi.ProviderResource | None = None
    ) -> tuple[pulumi.Input[str], list[pulumi.Resource]]:
        """The cluster name and dependencies a Pod Identity association should use
        (``provider``: the AWS provider to look the add-on up with when the reference has
        none).

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
                opts=pulumi.ResourceOptions(
                    depends_on=self.workload_dependencies, provider=self.aws_provider
                ),
            )
        if self.pod_identity_agent is not None:
            return self.name, [self.pod_identity_agent]
        lookup = self.aws_provider or provider
        return pulumi.Output.all(self.name, self.compute).apply(
            lambda a: a[0] if a[1] == "auto-mode" else _require_agent(a[0], owner, lookup)
        ), []


async def _require_agent(
    cluster_name: str, owner: str, provider: pulumi.ProviderResource | None
) -> str:
    """``cluster_name`` once its ``eks-pod-identity-agent`` add-on is found; a clear error if not."""
    addon = aws.eks.get_addon_output(
        cluster_name=cluster_name,
        addon_name=POD_IDENTITY_AGENT,
        opts=aws_context.invoke_options(provider),
    )
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


def _provider(
    key: str, kubeconfig: pulumi.Input[str], opts: pulumi.ResourceOptions | None
) -> k8s.Provider:
    # Output.secret's generic signature trips mypy on an Output argument; the value is a str.
    return k8s.Provider(
        f"{key}-k8s",
        kubeconfig=pulumi.Output.secret(cast(Any, kubeconfig)),
        opts=pulumi.ResourceOptions(parent=_parent(opts)),
    )


def _parent(opts: pulumi.ResourceOptions | None) -> pulumi.Resource | None:
    return None if opts is None else opts.parent


def _trust_options(
    opts: pulumi.ResourceOptions | None, aws_provider: pulumi.ProviderResource | None
) -> pulumi.ResourceOptions:
    """The OIDC trust's options: the reference's parent and AWS provider."""
    return pulumi.ResourceOptions(
        parent=_parent(opts), providers=[aws_provider] if aws_provider is not None else None
    )


def _pick_class(classes: Any, scheme: str, namespace: str | None, owner: str) -> str:
    """The first class (by name) of ``scheme`` that admits ``namespace``."""
    if not isinstance(classes, Mapping):
        raise v.InvalidArgument(
            "ingress_classes",
            "the cluster's stack exports no ingressClasses (it has no LoadBalancerController, "
            "or predates them)"
            if classes is None
            else f"expected a mapping of class names to {{scheme, namespaces}}, got {classes!r}",
            owner,
        )
    for name in sorted(classes):
        spec = classes[name] if isinstance(classes[name], Mapping) else {}
        allowed = spec.get("namespaces") or []
        if spec.get("scheme") == scheme and (
            namespace is None or not allowed or namespace in allowed
        ):
            return str(name)
    where = f" that admits namespace {namespace!r}" if namespace is not None else ""
    raise v.InvalidArgument(
        "ingress_classes",
        f"no {scheme} IngressClass{where}; the cluster has: "
        + (", ".join(f"{n} ({classes[n].get('scheme')})" for n in sorted(classes)) or "none"),
        owner,
    )


__all__ = [
    "OPTIONAL_STACK_OUTPUTS",
    "POD_IDENTITY_AGENT",
    "STACK_OUTPUTS",
    "ClusterRef",
    "as_cluster_ref",
    "kubeconfig_json",
]
