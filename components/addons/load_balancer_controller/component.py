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
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from ... import aws_context, naming
from ... import validation as v
from ...cluster.eks_cluster import EksCluster
from ...identity import iam
from ...identity.cluster_ref import ClusterRef, as_cluster_ref
from ...identity.iam import RoleSettings
from ...identity.irsa import IrsaRole
from ...identity.pod_identity import PodIdentityRole
from ...identity.workload_identity import IdentityMechanism, WorkloadRoleArgs, validate_mechanism
from ...identity.workload_role import create_workload_role
from ...policies import ALB_CONTROLLER_POLICY_VERSION, load_balancer_controller_policy
from .. import helm
from ..helm import ChartSpec, deep_merge, release
from .cleanup import DEFAULT_TIMEOUT_SECONDS, LoadBalancerCleanup

DEFAULT_CHART = ChartSpec(
    chart="aws-load-balancer-controller",
    repository="https://aws.github.io/eks-charts",
    version="3.5.0",
)
"""The official chart, pinned (app version v3.5.0, the version of the vendored IAM policy)."""
CRD_URLS = (
    "https://raw.githubusercontent.com/kubernetes-sigs/aws-load-balancer-controller/"
    "{version}/helm/aws-load-balancer-controller/crds/crds.yaml",
    "https://raw.githubusercontent.com/kubernetes-sigs/aws-load-balancer-controller/"
    "{version}/helm/aws-load-balancer-controller/crds/gateway-crds.yaml",
)
"""The chart's CRDs at a controller version. Helm installs a chart's ``crds/`` once and never
upgrades them, so the component applies them itself (and tells Helm to skip them): a new
pin upgrades the CRDs with the controller."""
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
DEFAULT_SSL_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"
"""TLS 1.3 and 1.2 only: clients on TLS 1.0/1.1 are refused."""
NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"
DEFAULT_RESOURCES = {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"memory": "256Mi"}}
IP_ADDRESS_TYPES = ("ipv4", "dualstack", "dualstack-without-public-ipv4")
TARGET_TYPES = ("ip", "instance")

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
    ("resources",): "the argument resources",
    ("topologySpreadConstraints",): "the component (it spreads the replicas over zones)",
}


@dataclass(kw_only=True)
class LoadBalancerControllerArgs:
    """Arguments of :class:`LoadBalancerController`.

    Every field but ``cluster`` is a plain value, so a stack can read them from its
    configuration (``eks-platform:loadBalancerController``).
    """

    cluster: EksCluster | ClusterRef
    """The cluster the controller runs on (an ``EksCluster``, or a ``ClusterRef``)."""
    identity: IdentityMechanism = "irsa"
    """How the controller gets its AWS role: ``irsa`` (a ServiceAccount annotation, works on
    Fargate) or ``pod-identity`` (an EKS Pod Identity association; needs the
    ``eks-pod-identity-agent``, which does not run on Fargate)."""
    chart: ChartSpec = DEFAULT_CHART
    """The chart, pinned; override to upgrade (keep it in step with the vendored IAM policy).
    The CRDs follow: they are applied from the controller's repository at ``crds_version``."""
    crds_version: str | None = None
    """The controller release whose CRDs are applied, e.g. ``v3.5.0``. Default: ``v`` + the
    chart version (chart and controller versions are the same since 3.0)."""
    replicas: int = 2
    """Controller pods (``replicaCount``); one leads, the others wait. With more than one, a
    PodDisruptionBudget (``maxUnavailable: 1``) keeps one running through node drains."""
    ingress_class: str = "alb"
    """Name of the main IngressClass (and of its IngressClassParams) that Ingresses select with
    ``spec.ingressClassName``; a DNS-1123 subdomain. Its ALBs are internal unless
    ``ingress_scheme`` says otherwise."""
    default_ingress_class: bool = False
    """Mark the main IngressClass as the cluster's default (Ingresses without
    ``ingressClassName`` get it). Only one class in a cluster should be the default."""
    ingress_scheme: str = "internal"
    """Scheme of every ALB of the main class: ``internal`` (private subnets, tagged
    ``kubernetes.io/role/internal-elb=1``; the default) or ``internet-facing``. Set in the
    IngressClassParams, so it overrides an Ingress's ``scheme`` annotation. For internet-facing
    ALBs prefer ``public_ingress_class``, which is limited to chosen namespaces."""
    public_ingress_class: str | None = None
    """Also create an internet-facing class of this name (public subnets), usable only by
    Ingresses in ``public_namespaces``; None: no internet-facing class."""
    public_namespaces: list[str] = field(default_factory=list)
    """The namespaces whose Ingresses may use ``public_ingress_class`` (its IngressClassParams'
    ``namespaceSelector``); required with it."""
    ssl_policy: str = DEFAULT_SSL_POLICY
    """The ALBs' TLS policy (both classes): by default TLS 1.3 and 1.2 only."""
    certificate_arns: list[pulumi.Input[str]] = field(default_factory=list)
    """ACM certificates for every HTTPS listener of the classes; with them, HTTP redirects to
    HTTPS (``sslRedirectPort: 443``). Ingresses can still name their own."""
    access_logs_bucket: str | None = None
    """Write the ALBs' access logs to this S3 bucket (its policy must let the ELB service write)."""
    access_logs_prefix: str = ""
    """Key prefix of the access logs in ``access_logs_bucket``."""
    waf_acl_arn: pulumi.Input[str] | None = None
    """A WAFv2 web ACL (regional) in front of the internet-facing class's ALBs."""
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
    resources: dict[str, dict[str, str]] = field(default_factory=lambda: dict(DEFAULT_RESOURCES))
    """CPU and memory requests and limits of the controller pods."""
    role: RoleSettings = field(default_factory=RoleSettings)
    """The controller role's name, path, permissions boundary, session length and tags (the
    path and tags also go on the controller's IAM policy)."""
    deletion_protection: bool = False
    """Protect the Helm release (Pulumi ``protect``), as in prod: removing it then takes a
    deliberate ``pulumi state unprotect``."""
    cleanup_on_delete: bool = True
    """Before the controller is deleted, delete every Ingress of its class and every Service of
    type LoadBalancer in the cluster and wait until their AWS resources are gone (see
    :mod:`components.addons.load_balancer_controller.cleanup`); fail, listing what is left, after
    ``cleanup_timeout_seconds``. Needs the cluster's kubeconfig (``ClusterRef.kubeconfig``)."""
    cleanup_timeout_seconds: int = DEFAULT_TIMEOUT_SECONDS
    """How long the cleanup waits for the controller to delete the load balancers."""
    values: dict[str, Any] = field(default_factory=dict)
    """Further chart values, deep-merged over the component's (e.g. ``resources``,
    ``enableShield``, ``defaultTags``). Values the component sets from an argument or from the
    cluster are refused here: use the argument."""


class LoadBalancerController(pulumi.ComponentResource):
    """The AWS Load Balancer Controller: IAM policy and role, Helm release, IngressClass.

    Creates, as children: the controller's IAM policy (the vendored upstream document) and
    its workload role with the ServiceAccount ``kube-system/aws-load-balancer-controller``
    (IRSA or Pod Identity), the pinned Helm release, an ``IngressClassParams`` and the
    ``IngressClass``.

    Args: :class:`LoadBalancerControllerArgs`. Anything that makes load balancers through the
    controller must depend on ``ready`` (:meth:`workload_options`), so it is deleted first.
    """

    role_arn: pulumi.Output[str]
    """ARN of the controller's IAM role."""
    policy_arn: pulumi.Output[str]
    """ARN of the controller's IAM policy."""
    release_name: pulumi.Output[str]
    """Name of the Helm release: the component name (see :func:`components.addons.helm.release_name`)."""
    release_status: pulumi.Output[str]
    """Status of the Helm release (``deployed`` once the controller runs)."""
    ingress_class_name: pulumi.Output[str]
    """Name of the IngressClass: what an Ingress puts in ``spec.ingressClassName``."""
    namespace: pulumi.Output[str]
    """Namespace of the controller (``kube-system``)."""
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
    crds: list[k8s.yaml.v2.ConfigFile]
    """The controller's CRDs (IngressClassParams, TargetGroupBinding, the gateway ones)."""
    ingress_class_params: k8s.apiextensions.CustomResource
    """The IngressClassParams."""
    ingress_class: k8s.networking.v1.IngressClass
    """The main IngressClass (internal ALBs by default)."""
    public_ingress_class: str | None
    """Name of the internet-facing IngressClass, when there is one."""
    internet_facing_class_name: pulumi.Output[str] | None
    """The internet-facing IngressClass's name once it exists (None without one)."""
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
        """Install the controller; see :class:`LoadBalancerController`."""
        owner = f"LoadBalancerController {name!r}"
        with v.component_errors("LoadBalancerController", name):
            cluster = validate_args(args)
            policy_name = naming.stack_unique(f"{name}-policy", naming.IAM_POLICY_NAME_MAX)
            naming.claim("policy", policy_name, owner, self, "role")
        super().__init__("eks-platform:index:LoadBalancerController", name, None, opts)
        self.cluster = cluster
        self.ingress_scheme = args.ingress_scheme
        self.default_target_type = resolve_target_type(args, cluster)
        if cluster.uses_fargate and self.default_target_type == "instance":
            pulumi.log.warn(
                f"{name}: default_target_type 'instance' does not work for pods on Fargate "
                "(no NodePorts there); their Ingresses must set target-type ip",
                resource=self,
            )
        if cluster.uses_fargate and args.identity == "pod-identity":
            pulumi.log.warn(
                f"{name}: identity 'pod-identity' needs the Pod Identity agent, which does not run "
                "on Fargate; if kube-system pods run on Fargate, use 'irsa'",
                resource=self,
            )
        child = pulumi.ResourceOptions(parent=self)

        # The controller's permissions: the vendored upstream document, in this partition.
        partition = aws_context.partition()
        self.policy = aws.iam.Policy(
            f"{name}-policy",
            name=policy_name,
            path=args.role.path,
            description=(
                f"AWS Load Balancer Controller {ALB_CONTROLLER_POLICY_VERSION} "
                "(upstream docs/install/iam_policy.json)"
            ),
            policy=partition.apply(lambda p: json.dumps(load_balancer_controller_policy(p))),
            tags=args.role.tags,
            opts=child,
        )
        self.policy_arn = self.policy.arn

        self.workload_role = create_workload_role(
            name,
            args.identity,
            WorkloadRoleArgs(
                cluster=cluster,
                namespace=NAMESPACE,
                service_account=SERVICE_ACCOUNT,
                managed_policy_arns={"policy": self.policy.arn},
                role=args.role,
            ),
            parent=self,
        )
        self.role_arn = self.workload_role.role_arn
        self.namespace = self.workload_role.service_account_namespace

        # Only the cluster facts are Outputs, so a preview shows every other value.
        values: dict[str, Any] = {
            "clusterName": cluster.name,
            # Explicit: with IMDSv2 hop limit 1 on the nodes the controller cannot look them up.
            "region": aws_context.region(),
            "vpcId": cluster.vpc_id,
            **chart_values(args, self.default_target_type),
        }
        # The CRDs, applied by Pulumi so that a new chart pin upgrades them (Helm would not).
        crds_version = args.crds_version or f"v{args.chart.version}"
        self.crds = [
            k8s.yaml.v2.ConfigFile(
                f"{name}-crds" if i == 0 else f"{name}-gateway-crds",
                file=url.format(version=crds_version),
                opts=pulumi.ResourceOptions(
                    parent=self, provider=cluster.provider, protect=args.deletion_protection
                ),
            )
            for i, url in enumerate(CRD_URLS)
        ]
        # The ServiceAccount (and its role and policy) must exist before the pods start,
        # and the pods need somewhere to run.
        self.release = release(
            helm.release_name(name),
            args.chart,
            NAMESPACE,
            values,
            opts=pulumi.ResourceOptions(
                parent=self,
                provider=cluster.provider,
                depends_on=[*cluster.workload_dependencies, self.workload_role, *self.crds],
                protect=args.deletion_protection,
            ),
            skip_crds=True,
        )
        self.cleanup: LoadBalancerCleanup | None = None
        if args.cleanup_on_delete and cluster.kubeconfig is not None:
            # Depends on the release, so it is deleted first: while the controller still runs.
            self.cleanup = LoadBalancerCleanup(
                f"{name}-cleanup",
                kubeconfig=cluster.kubeconfig,
                cluster_name=cluster.name,
                region=aws_context.region(),
                ingress_classes=[
                    args.ingress_class,
                    *([args.public_ingress_class] if args.public_ingress_class else []),
                ],
                timeout_seconds=args.cleanup_timeout_seconds,
                opts=pulumi.ResourceOptions(parent=self, depends_on=[self.release]),
            )
        elif args.cleanup_on_delete:
            pulumi.log.warn(
                f"{name}: the cluster reference has no kubeconfig, so load balancers of Ingresses "
                "and Services this stack does not own are not cleaned up when the controller goes",
                resource=self,
            )
        self.release_name = self.release.name.apply(lambda n: n or "")
        self.release_status = self.release.status.apply(lambda s: (s.status or "") if s else "")

        # The CRD comes with the chart: the custom resources wait for the release.
        after_release = pulumi.ResourceOptions(
            parent=self, provider=cluster.provider, depends_on=[self.release]
        )
        self.ingress_class_params, self.ingress_class = self._ingress_class(
            name,
            args.ingress_class,
            args,
            after_release,
            scheme=args.ingress_scheme,
            default=args.default_ingress_class,
        )
        self.ingress_class_name = self.ingress_class.metadata.apply(
            lambda m: m.name or args.ingress_class
        )
        self.public_ingress_class = args.public_ingress_class
        self.internet_facing_class_name = None
        classes: list[pulumi.Resource] = [self.ingress_class]
        if args.public_ingress_class is not None:
            public_name = args.public_ingress_class
            _, public = self._ingress_class(
                f"{name}-public",
                public_name,
                args,
                after_release,
                scheme="internet-facing",
                default=False,
                namespaces=args.public_namespaces,
            )
            self.internet_facing_class_name = public.metadata.apply(lambda m: m.name or public_name)
            classes.append(public)
        self.ready = [self.release, *classes]
        self.register_outputs(
            {
                "roleArn": self.role_arn,
                "policyArn": self.policy_arn,
                "releaseName": self.release_name,
                "releaseStatus": self.release_status,
                "ingressClassName": self.ingress_class_name,
            }
        )

    def _ingress_class(
        self,
        resource_name: str,
        class_name: str,
        args: LoadBalancerControllerArgs,
        opts: pulumi.ResourceOptions,
        scheme: str,
        default: bool,
        namespaces: list[str] | None = None,
    ) -> tuple[k8s.apiextensions.CustomResource, k8s.networking.v1.IngressClass]:
        """An IngressClassParams and the IngressClass that points at it."""
        params = k8s.apiextensions.CustomResource(
            f"{resource_name}-params",
            api_version=PARAMS_API_VERSION,
            kind=PARAMS_KIND,
            metadata=k8s.meta.v1.ObjectMetaArgs(name=class_name, labels=_labels()),
            spec=class_params_spec(args, scheme, namespaces),
            opts=opts,
        )
        ingress_class = k8s.networking.v1.IngressClass(
            f"{resource_name}-class",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=class_name,
                labels=_labels(),
                annotations={DEFAULT_CLASS_ANNOTATION: "true"} if default else None,
            ),
            spec=k8s.networking.v1.IngressClassSpecArgs(
                controller=CONTROLLER,
                parameters=k8s.networking.v1.IngressClassParametersReferenceArgs(
                    api_group=PARAMS_API_GROUP, kind=PARAMS_KIND, name=class_name
                ),
            ),
            opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[params])),
        )
        return params, ingress_class

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


def resolve_target_type(args: LoadBalancerControllerArgs, cluster: ClusterRef) -> str:
    """The default target type: the argument, else ``ip`` on a cluster with Fargate pods, else ``instance``."""
    if args.default_target_type is not None:
        return args.default_target_type
    return "ip" if cluster.uses_fargate else "instance"


def class_params_spec(
    args: LoadBalancerControllerArgs, scheme: str, namespaces: list[str] | None = None
) -> dict[str, Any]:
    """The IngressClassParams spec of a class: scheme, IP type, TLS policy, and where given the
    certificates (with the HTTP->HTTPS redirect), access logs, WAF and allowed namespaces."""
    spec: dict[str, Any] = {
        "scheme": scheme,
        "ipAddressType": args.ip_address_type,
        "sslPolicy": args.ssl_policy,
    }
    if args.certificate_arns:
        spec["certificateArn"] = list(args.certificate_arns)
        spec["sslRedirectPort"] = "443"
    if args.access_logs_bucket:
        spec["loadBalancerAttributes"] = [
            {"key": "access_logs.s3.enabled", "value": "true"},
            {"key": "access_logs.s3.bucket", "value": args.access_logs_bucket},
            {"key": "access_logs.s3.prefix", "value": args.access_logs_prefix},
        ]
    if args.waf_acl_arn is not None and scheme == "internet-facing":
        spec["wafv2AclArn"] = args.waf_acl_arn
    if namespaces:
        spec["namespaceSelector"] = {
            "matchExpressions": [
                {"key": NAMESPACE_NAME_LABEL, "operator": "In", "values": sorted(namespaces)}
            ]
        }
    return spec


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
        "resources": {k: dict(v) for k, v in args.resources.items()},
    }
    if args.replicas > 1:
        values["podDisruptionBudget"] = {"maxUnavailable": 1}
        # One replica per zone where possible: a zone outage leaves a leader candidate.
        values["topologySpreadConstraints"] = [
            {
                "maxSkew": 1,
                "topologyKey": "topology.kubernetes.io/zone",
                "whenUnsatisfiable": "ScheduleAnyway",
                "labelSelector": {"matchLabels": {"app.kubernetes.io/name": FULLNAME}},
            }
        ]
    return deep_merge(values, args.values)


def validate_settings(args: LoadBalancerControllerArgs) -> None:
    """Check the plain (configurable) fields; raises ValueError naming the field.

    A stack can run this on its configuration before the cluster exists.
    """
    validate_mechanism(args.identity)
    helm.validate_chart(args.chart)
    if args.crds_version is not None:
        v.require(
            bool(re.fullmatch(r"v\d+\.\d+\.\d+", args.crds_version)),
            "crds_version",
            f"{args.crds_version!r} is not a controller release tag such as v3.5.0",
        )
    v.positive_int(args.replicas, "replicas", minimum=1)
    v.dns_subdomain(args.ingress_class, "ingress_class", "IngressClass name")
    v.require(
        isinstance(args.default_ingress_class, bool),
        "default_ingress_class",
        "must be true or false",
    )
    v.one_of(args.ingress_scheme, INGRESS_SCHEMES, "ingress_scheme")
    v.one_of(args.ip_address_type, IP_ADDRESS_TYPES, "ip_address_type")
    if args.public_ingress_class is not None:
        v.dns_subdomain(args.public_ingress_class, "public_ingress_class", "IngressClass name")
        v.require(
            args.public_ingress_class != args.ingress_class,
            "public_ingress_class",
            f"{args.public_ingress_class!r} is the main class's name too; give it its own",
        )
        v.require(
            bool(args.public_namespaces),
            "public_namespaces",
            "list the namespaces whose Ingresses may use the internet-facing class",
        )
    for i, namespace in enumerate(args.public_namespaces):
        v.dns_label(namespace, f"public_namespaces[{i}]", "namespace")
    v.require(
        isinstance(args.ssl_policy, str) and args.ssl_policy.startswith("ELBSecurityPolicy-"),
        "ssl_policy",
        f"{args.ssl_policy!r} is not an ELB security policy name (ELBSecurityPolicy-...)",
    )
    for i, arn in enumerate(args.certificate_arns):
        if isinstance(arn, str):
            v.require(
                arn.startswith("arn:") and ":acm:" in arn and ":certificate/" in arn,
                f"certificate_arns[{i}]",
                f"{arn!r} is not an ACM certificate ARN",
            )
    if isinstance(args.waf_acl_arn, str):
        v.require(
            args.waf_acl_arn.startswith("arn:") and ":wafv2:" in args.waf_acl_arn,
            "waf_acl_arn",
            f"{args.waf_acl_arn!r} is not a WAFv2 web ACL ARN",
        )
    v.require(
        args.waf_acl_arn is None
        or args.public_ingress_class is not None
        or args.ingress_scheme == "internet-facing",
        "waf_acl_arn",
        "a web ACL protects internet-facing ALBs; there is no internet-facing class",
    )
    if args.default_target_type is not None:
        v.one_of(args.default_target_type, TARGET_TYPES, "default_target_type")
    v.require(
        isinstance(args.enable_service_mutator_webhook, bool),
        "enable_service_mutator_webhook",
        "must be true or false",
    )
    v.tolerations(args.tolerations, "tolerations")
    v.labels(args.node_selector, "node_selector")
    v.resource_requirements(args.resources, "resources")
    v.require(
        isinstance(args.deletion_protection, bool), "deletion_protection", "must be true or false"
    )
    v.positive_int(args.cleanup_timeout_seconds, "cleanup_timeout_seconds", 60, 3600)
    with v.nested("role"):
        iam.validate_role_settings(args.role)
    helm.validate_values(args.values, _MANAGED_VALUES, "values")


def validate_args(args: LoadBalancerControllerArgs) -> ClusterRef:
    """Check LoadBalancerControllerArgs; raises InvalidArgument naming the field."""
    v.check_fields(args, LoadBalancerControllerArgs)
    cluster = as_cluster_ref(args.cluster)
    validate_settings(args)
    return cluster
