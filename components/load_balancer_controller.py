"""``LoadBalancerController``: the AWS Load Balancer Controller, which turns Ingresses into ALBs.

What the component owns, all children of it:

* the controller's IAM permissions: the upstream ``iam_policy.json`` (vendored in
  :mod:`components.policies`, ARNs rewritten for the partition being deployed to) as a
  customer-managed ``aws.iam.Policy``, attached to the controller's workload role;
* the workload role for ``kube-system/aws-load-balancer-controller``, through IRSA (the
  default) or EKS Pod Identity (:func:`~components.workload_role.create_workload_role`),
  with the ServiceAccount it binds;
* the pinned Helm release of the official chart (it brings the CRDs, the controller
  Deployment and its webhooks);
* an ``IngressClassParams`` (scheme and IP address type for every Ingress of the class)
  and the ``IngressClass`` that points at it.

Anything that creates load balancers through the controller (an Ingress of this class,
a Service of type LoadBalancer) must depend on :attr:`LoadBalancerController.ready`,
most simply with ``opts=controller.workload_options(...)``. ``pulumi destroy`` then
deletes those objects first, while the controller still runs and can process their
finalizers, i.e. delete their ALBs, target groups and security groups. Without that
order the controller is gone first, the load balancers stay behind, and the VPC cannot
be deleted.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from . import iam, naming
from . import validation as v
from .cluster_ref import ClusterRef
from .helm import ChartSpec, deep_merge, release
from .irsa import IrsaRole
from .oidc import OidcTrust
from .pod_identity import PodIdentityRole
from .policies import ALB_CONTROLLER_POLICY_VERSION, load_balancer_controller_policy
from .workload_role import MECHANISMS, create_workload_role, validate_mechanism

DEFAULT_CHART = ChartSpec(
    "aws-load-balancer-controller", "https://aws.github.io/eks-charts", "3.5.0"
)
"""The official chart, pinned (app version v3.5.0, the version of the vendored IAM policy)."""
NAMESPACE = "kube-system"
"""Namespace the controller runs in."""
SERVICE_ACCOUNT = "aws-load-balancer-controller"
"""The controller's ServiceAccount (created by this component, not by the chart)."""
FULLNAME = "aws-load-balancer-controller"
"""``fullnameOverride``: the Deployment, webhook Service and RBAC keep their usual names
whatever the component (and so the Helm release) is called."""
CONTROLLER = "ingress.k8s.aws/alb"
"""``spec.controller`` of the IngressClasses this controller serves."""
PARAMS_API_GROUP = "elbv2.k8s.aws"
PARAMS_API_VERSION = f"{PARAMS_API_GROUP}/v1beta1"
PARAMS_KIND = "IngressClassParams"
DEFAULT_CLASS_ANNOTATION = "ingressclass.kubernetes.io/is-default-class"
INGRESS_SCHEMES = ("internal", "internet-facing")
IP_ADDRESS_TYPES = ("ipv4", "dualstack", "dualstack-without-public-ipv4")
TARGET_TYPES = ("ip", "instance")
HELM_RELEASE_NAME_MAX = 53

# Chart values the component sets itself; callers use the argument named here instead, so
# that there is one way to set each and `values` cannot silently undo the component.
_MANAGED_VALUES: dict[tuple[str, ...], str] = {
    ("clusterName",): "the cluster (cluster.name)",
    ("region",): "the provider's region",
    ("vpcId",): "the cluster (cluster.vpc_id)",
    ("fullnameOverride",): "the component",
    ("serviceAccount", "create"): "the component (it creates the ServiceAccount)",
    ("serviceAccount", "name"): "the component (it creates the ServiceAccount)",
    ("replicaCount",): "the argument replicas",
    ("ingressClass",): "the argument ingress_class",
    ("createIngressClassResource",): "the component (it creates the IngressClass)",
    ("ingressClassParams", "create"): "the component (it creates the IngressClassParams)",
    ("defaultTargetType",): "the argument default_target_type",
    ("enableServiceMutatorWebhook",): "the argument enable_service_mutator_webhook",
    ("tolerations",): "the argument tolerations",
    ("nodeSelector",): "the argument node_selector",
}


@dataclass
class LoadBalancerControllerArgs:
    """Arguments of :class:`LoadBalancerController`.

    Every field but ``cluster`` and ``oidc`` is a plain value, so a stack can read them
    from its configuration (``eks-platform:loadBalancerController``).
    """

    cluster: ClusterRef
    """The cluster (``EksCluster.ref``, or a ``ClusterRef`` for a cluster created elsewhere)."""
    oidc: OidcTrust | None = None
    """The cluster's :class:`OidcTrust`; required with ``mechanism: irsa`` (the default)."""
    mechanism: str = "irsa"
    """How the controller gets its AWS role: ``irsa`` (a ServiceAccount annotation, works on
    Fargate) or ``pod-identity`` (an EKS Pod Identity association; needs the
    ``eks-pod-identity-agent``, which does not run on Fargate)."""
    chart: ChartSpec = DEFAULT_CHART
    """The chart, pinned; override to upgrade (keep it in step with the vendored IAM policy)."""
    replicas: int = 2
    """Controller pods (``replicaCount``); one leads, the others wait. With more than one, a
    PodDisruptionBudget (``maxUnavailable: 1``) keeps one running through node drains."""
    ingress_class: str = "alb"
    """Name of the IngressClass (and of its IngressClassParams) that Ingresses select with
    ``spec.ingressClassName``; a DNS-1123 subdomain."""
    default_ingress_class: bool = False
    """Mark the IngressClass as the cluster's default (Ingresses without ``ingressClassName``
    get it). Only one class in a cluster should be the default."""
    ingress_scheme: str = "internet-facing"
    """Scheme of every ALB of the class: ``internet-facing`` (public subnets, tagged
    ``kubernetes.io/role/elb=1``) or ``internal`` (private subnets, ``kubernetes.io/role/internal-elb=1``).
    Set in the IngressClassParams, so it overrides an Ingress's ``scheme`` annotation."""
    ip_address_type: str = "ipv4"
    """IP address type of every ALB of the class: ``ipv4``, ``dualstack`` or
    ``dualstack-without-public-ipv4`` (dual-stack needs IPv6 CIDRs on the subnets)."""
    default_target_type: str | None = None
    """Target type for Ingresses and Services that do not set ``alb.ingress.kubernetes.io/target-type``:
    ``ip`` (pods register directly, needs the VPC CNI; the only choice on Fargate) or ``instance``
    (nodes' NodePorts). Default: ``ip`` when the cluster runs Fargate pods, ``instance`` otherwise."""
    enable_service_mutator_webhook: bool = False
    """Let the controller's webhook claim every new Service of type LoadBalancer (it sets
    ``spec.loadBalancerClass: service.k8s.aws/nlb``). Off by default, unlike the chart: the
    webhook fails closed, so while the controller is not ready no Service of type LoadBalancer
    can be created anywhere in the cluster; and this platform's load balancers are ALBs made from
    Ingresses. A Service still gets an NLB from the controller by setting that
    ``loadBalancerClass`` itself."""
    tolerations: list[dict[str, Any]] = field(default_factory=list)
    """Tolerations of the controller pods, as Kubernetes writes them
    (``{key, operator, value, effect, tolerationSeconds}``)."""
    node_selector: dict[str, str] = field(default_factory=dict)
    """Node labels the controller pods must run on."""
    policies: iam.RolePolicyArgs = field(default_factory=iam.RolePolicyArgs)
    """The role's name, path, permissions boundary, tags and any further policies; the
    controller's own policy is always attached. ``tags`` also go on that policy."""
    values: dict[str, Any] = field(default_factory=dict)
    """Further chart values, deep-merged over the component's (e.g. ``resources``,
    ``enableShield``, ``defaultTags``). Values the component sets from an argument or from the
    cluster are refused here: use the argument."""


class LoadBalancerController(pulumi.ComponentResource):
    """The AWS Load Balancer Controller: IAM policy and role, Helm release, IngressClass."""

    role_arn: pulumi.Output[str]
    """ARN of the controller's IAM role."""
    policy_arn: pulumi.Output[str]
    """ARN of the controller's IAM policy."""
    release_name: pulumi.Output[str]
    """Name of the Helm release: the component name (see :func:`helm_release_name`)."""
    release_status: pulumi.Output[str]
    """Status of the Helm release (``deployed`` once the controller runs)."""
    ingress_class_name: pulumi.Output[str]
    """Name of the IngressClass: what an Ingress puts in ``spec.ingressClassName``."""
    ingress_scheme: str
    """The scheme of the class's ALBs (``internet-facing`` or ``internal``)."""
    default_target_type: str
    """The resolved default target type (``ip`` or ``instance``)."""
    cluster: ClusterRef
    """The cluster the controller runs on."""
    workload_role: IrsaRole | PodIdentityRole
    """The controller's role and ServiceAccount."""
    policy: aws.iam.Policy
    """The controller's IAM policy."""
    release: k8s.helm.v3.Release
    """The Helm release."""
    ingress_class_params: k8s.apiextensions.CustomResource
    """The IngressClassParams."""
    ingress_class: k8s.networking.v1.IngressClass
    """The IngressClass."""
    ready: list[pulumi.Resource]
    """What a workload that makes load balancers must depend on (the release and the
    IngressClass): created after the controller can serve it, deleted before the controller
    goes. See :meth:`workload_options`."""

    def __init__(
        self,
        name: str,
        args: LoadBalancerControllerArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        validate_args(args)
        super().__init__("eks-platform:index:LoadBalancerController", name, None, opts)
        cluster = args.cluster
        self.cluster = cluster
        self.ingress_scheme = args.ingress_scheme
        self.default_target_type = resolve_target_type(args)
        if cluster.uses_fargate and self.default_target_type == "instance":
            pulumi.log.warn(
                f"{name}: default_target_type 'instance' does not work for pods on Fargate "
                "(no NodePorts there); their Ingresses must set target-type ip",
                resource=self,
            )
        if cluster.uses_fargate and args.mechanism == "pod-identity":
            pulumi.log.warn(
                f"{name}: mechanism 'pod-identity' needs the Pod Identity agent, which does not run "
                "on Fargate; if kube-system pods run on Fargate, use 'irsa'",
                resource=self,
            )
        child = pulumi.ResourceOptions(parent=self)

        # The controller's permissions: the vendored upstream document, in this partition.
        partition = aws.get_partition_output().partition
        self.policy = aws.iam.Policy(
            f"{name}-policy",
            name=naming.iam_name(f"{name}-policy", naming.IAM_POLICY_NAME_MAX),
            path=args.policies.path,
            description=(
                f"AWS Load Balancer Controller {ALB_CONTROLLER_POLICY_VERSION} "
                "(upstream docs/install/iam_policy.json)"
            ),
            policy=partition.apply(lambda p: json.dumps(load_balancer_controller_policy(p))),
            tags=args.policies.tags,
            opts=child,
        )
        self.policy_arn = self.policy.arn

        self.workload_role = create_workload_role(
            name,
            args.mechanism,
            cluster,
            args.oidc,
            NAMESPACE,
            SERVICE_ACCOUNT,
            args.policies,
            parent=self,
            create_service_account=True,
        )
        # The workload-role helpers take policy ARNs as plain strings; this one is only known
        # once the policy exists, so it is attached here (the attachment create_role would make).
        attachment = aws.iam.RolePolicyAttachment(
            f"{name}-policy",
            role=self.workload_role.role.name,
            policy_arn=self.policy.arn,
            opts=child,
        )
        self.role_arn = self.workload_role.role_arn

        # Only the cluster facts are Outputs, so a preview shows every other value.
        values: dict[str, Any] = {
            "clusterName": cluster.name,
            # Explicit: with IMDSv2 hop limit 1 on the nodes the controller cannot look them up.
            "region": aws.get_region_output().region,
            "vpcId": cluster.vpc_id,
            **chart_values(args, self.default_target_type),
        }
        # The ServiceAccount (and its role and policy) must exist before the pods start,
        # and the pods need somewhere to run.
        self.release = release(
            helm_release_name(name),
            args.chart,
            NAMESPACE,
            values,
            opts=pulumi.ResourceOptions(
                parent=self,
                provider=cluster.provider,
                depends_on=[*cluster.workload_dependencies, self.workload_role, attachment],
            ),
        )
        self.release_name = self.release.name.apply(lambda n: n or "")
        self.release_status = self.release.status.apply(lambda s: (s.status or "") if s else "")

        # The CRD comes with the chart: the custom resources wait for the release.
        after_release = pulumi.ResourceOptions(
            parent=self, provider=cluster.provider, depends_on=[self.release]
        )
        self.ingress_class_params = k8s.apiextensions.CustomResource(
            f"{name}-params",
            api_version=PARAMS_API_VERSION,
            kind=PARAMS_KIND,
            metadata=k8s.meta.v1.ObjectMetaArgs(name=args.ingress_class, labels=_labels()),
            spec={"scheme": args.ingress_scheme, "ipAddressType": args.ip_address_type},
            opts=after_release,
        )
        self.ingress_class = k8s.networking.v1.IngressClass(
            f"{name}-class",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=args.ingress_class,
                labels=_labels(),
                annotations={DEFAULT_CLASS_ANNOTATION: "true"}
                if args.default_ingress_class
                else None,
            ),
            spec=k8s.networking.v1.IngressClassSpecArgs(
                controller=CONTROLLER,
                parameters=k8s.networking.v1.IngressClassParametersReferenceArgs(
                    api_group=PARAMS_API_GROUP, kind=PARAMS_KIND, name=args.ingress_class
                ),
            ),
            opts=pulumi.ResourceOptions.merge(
                after_release, pulumi.ResourceOptions(depends_on=[self.ingress_class_params])
            ),
        )
        self.ingress_class_name = self.ingress_class.metadata.apply(
            lambda m: m.name or args.ingress_class
        )
        self.ready = [self.release, self.ingress_class]
        self.register_outputs(
            {
                "roleArn": self.role_arn,
                "policyArn": self.policy_arn,
                "releaseName": self.release_name,
                "releaseStatus": self.release_status,
                "ingressClassName": self.ingress_class_name,
            }
        )

    def workload_options(
        self, opts: pulumi.ResourceOptions | None = None
    ) -> pulumi.ResourceOptions:
        """Options for an object that makes load balancers through this controller.

        The cluster's Kubernetes provider and a dependency on :attr:`ready`, merged with
        ``opts`` (its ``depends_on`` is kept, its ``provider`` wins)::

            k8s.networking.v1.Ingress("web", ..., opts=controller.workload_options(
                pulumi.ResourceOptions(parent=self)))
        """
        base = pulumi.ResourceOptions(provider=self.cluster.provider, depends_on=list(self.ready))
        return pulumi.ResourceOptions.merge(base, opts) if opts is not None else base


def _labels() -> dict[str, str]:
    return {"app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": FULLNAME}


def resolve_target_type(args: LoadBalancerControllerArgs) -> str:
    """The default target type: the argument, else ``ip`` on a cluster with Fargate pods, else ``instance``."""
    if args.default_target_type is not None:
        return args.default_target_type
    return "ip" if args.cluster.uses_fargate else "instance"


def chart_values(args: LoadBalancerControllerArgs, target_type: str) -> dict[str, Any]:
    """The chart's values but the cluster facts (``clusterName``, ``region``, ``vpcId``), with
    ``args.values`` merged last (it may not set those three, nor the other managed values)."""
    values: dict[str, Any] = {
        "fullnameOverride": FULLNAME,
        "serviceAccount": {"create": False, "name": SERVICE_ACCOUNT},
        "replicaCount": args.replicas,
        "ingressClass": args.ingress_class,
        "createIngressClassResource": False,
        "ingressClassParams": {"create": False},
        "defaultTargetType": target_type,
        "enableServiceMutatorWebhook": args.enable_service_mutator_webhook,
        "tolerations": [dict(t) for t in args.tolerations],
        "nodeSelector": dict(args.node_selector),
    }
    if args.replicas > 1:
        values["podDisruptionBudget"] = {"maxUnavailable": 1}
    return deep_merge(values, args.values)


def helm_release_name(name: str) -> str:
    """The Helm release name for component ``name``: a DNS-1123 label of at most 53 characters.

    The component name as it is when it fits; otherwise lower-cased, other characters
    replaced by ``-`` and shortened deterministically (:func:`naming.shorten`).
    """
    label = re.sub(r"[^a-z0-9-]+", "-", name.lower()).strip("-") or "aws-load-balancer-controller"
    return naming.shorten(label, HELM_RELEASE_NAME_MAX).strip("-")


def validate_settings(args: LoadBalancerControllerArgs) -> None:
    """Check the plain (configurable) fields; raises ValueError naming the field.

    A stack can run this on its configuration before the cluster exists.
    """
    v.one_of(args.mechanism, MECHANISMS, "mechanism")
    v.require(
        isinstance(args.chart, ChartSpec),
        "chart",
        "must be a ChartSpec (chart, repository, version)",
    )
    args.chart.validate("chart")
    v.positive_int(args.replicas, "replicas", minimum=1)
    v.dns_subdomain(args.ingress_class, "ingress_class", "IngressClass name")
    v.require(
        isinstance(args.default_ingress_class, bool),
        "default_ingress_class",
        "must be true or false",
    )
    v.one_of(args.ingress_scheme, INGRESS_SCHEMES, "ingress_scheme")
    v.one_of(args.ip_address_type, IP_ADDRESS_TYPES, "ip_address_type")
    if args.default_target_type is not None:
        v.one_of(args.default_target_type, TARGET_TYPES, "default_target_type")
    v.require(
        isinstance(args.enable_service_mutator_webhook, bool),
        "enable_service_mutator_webhook",
        "must be true or false",
    )
    v.tolerations(args.tolerations, "tolerations")
    v.labels(args.node_selector, "node_selector")
    iam.validate_role_policy_args(args.policies, "policies.")
    validate_values(args.values, "values")


def validate_args(args: LoadBalancerControllerArgs) -> None:
    """Check LoadBalancerControllerArgs; raises ValueError naming the field."""
    v.require(
        isinstance(args.cluster, ClusterRef), "cluster", "must be a ClusterRef (EksCluster.ref)"
    )
    validate_settings(args)
    validate_mechanism(args.mechanism, args.oidc)


def validate_values(values: Any, field_name: str) -> None:
    """Extra chart values: a mapping that does not set what the component sets."""
    v.require(isinstance(values, Mapping), field_name, "must be a mapping of chart values")
    for path, instead in _MANAGED_VALUES.items():
        node: Any = values
        for key in path:
            node = node.get(key, _MISSING) if isinstance(node, Mapping) else _MISSING
        v.require(
            node is _MISSING,
            f"{field_name}.{'.'.join(path)}",
            f"is set by {instead}; do not set it in values",
        )


_MISSING = object()
