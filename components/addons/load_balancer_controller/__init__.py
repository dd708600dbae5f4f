"""``LoadBalancerController``: the AWS Load Balancer Controller, which turns Ingresses into ALBs.

What the component owns, all children of it:

* the controller's IAM permissions: the upstream ``iam_policy.json`` (vendored in
  :mod:`components.policies`, ARNs rewritten for the partition being deployed to) as a
  customer-managed ``aws.iam.Policy``, attached to the controller's workload role;
* the workload role for ``kube-system/aws-load-balancer-controller``, through IRSA (the
  default) or EKS Pod Identity, with the ServiceAccount it binds;
* the controller's CRDs, applied by Pulumi at the pinned version, and the pinned Helm release
  of the official chart (the controller Deployment and its webhooks);
* an ``IngressClassParams`` (scheme and IP address type for every Ingress of the class)
  and the ``IngressClass`` that points at it; with ``public_ingress_class``, a second,
  internet-facing pair for chosen namespaces;
* the cleanup that runs before the controller is uninstalled (:mod:`.cleanup`).

Anything that creates load balancers through the controller (an Ingress of this class,
a Service of type LoadBalancer) must depend on :attr:`LoadBalancerController.ready`,
most simply with ``opts=controller.workload_options(...)``. ``pulumi destroy`` then
deletes those objects first, while the controller still runs and can process their
finalizers, i.e. delete their ALBs, target groups and security groups. Without that
order the controller is gone first, the load balancers stay behind, and the VPC cannot
be deleted.

The add-on on :class:`~components.addons.controller.Controller`, in modules named for what
they hold:

* ``args``: :class:`LoadBalancerControllerArgs` and the names and vocabularies it uses;
* ``validation``: :func:`validate_settings`, the add-on's own rules;
* ``iam``: the controller's IAM policy (what its role may do);
* ``chart``: :func:`~.chart.chart_values`, the managed values, the CRDs' URLs;
* ``ingress_classes``: the IngressClasses and their IngressClassParams;
* ``cleanup``: the dynamic resource that deletes the controller's load balancers before it
  goes (its provider is pickled by value: :mod:`components.dynamic.by_value`);
* here: the component, which puts them together.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from ... import aws_context
from ..controller import Controller
from .args import DEFAULT_CHART, NAMESPACE, SERVICE_ACCOUNT, LoadBalancerControllerArgs
from .chart import MANAGED_VALUES, chart_values, cluster_values, crd_urls, resolve_target_type
from .cleanup import LoadBalancerCleanup
from .iam import claim_policy_name, controller_policy
from .ingress_classes import class_map, create_ingress_class
from .validation import validate_settings

__all__ = [
    "DEFAULT_CHART",
    "SERVICE_ACCOUNT",
    "LoadBalancerController",
    "LoadBalancerControllerArgs",
    "chart_values",
    "validate_settings",
]


class LoadBalancerController(Controller[LoadBalancerControllerArgs]):
    """The AWS Load Balancer Controller: IAM policy and role, Helm release, IngressClass.

    Creates, as children: the controller's IAM policy (the vendored upstream document) and
    its workload role with the ServiceAccount ``kube-system/aws-load-balancer-controller``
    (IRSA or Pod Identity), the CRDs, the pinned Helm release, an ``IngressClassParams`` and
    the ``IngressClass``, and the cleanup that runs before the release goes.

    Args: :class:`LoadBalancerControllerArgs`. Anything that makes load balancers through the
    controller must depend on ``ready`` (:meth:`workload_options`), so it is deleted first.
    """

    KIND = "LoadBalancerController"
    RUN_BY_AUTO_MODE = True
    RULES = staticmethod(validate_settings)
    ARGS = LoadBalancerControllerArgs
    MANAGED_VALUES = MANAGED_VALUES

    policy_arn: pulumi.Output[str]
    """ARN of the controller's IAM policy."""
    release_status: pulumi.Output[str]
    """Status of the Helm release (``deployed`` once the controller runs)."""
    ingress_class_name: pulumi.Output[str]
    """Name of the IngressClass: what an Ingress puts in ``spec.ingressClassName``."""
    ingress_scheme: str
    """The scheme of the class's ALBs (``internet-facing`` or ``internal``)."""
    default_target_type: str
    """The resolved default target type (``ip`` or ``instance``)."""
    policy: aws.iam.Policy
    """The controller's IAM policy."""
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
    ingress_classes: dict[str, dict[str, Any]]
    """Every IngressClass by name with its ALBs' ``scheme`` and the ``namespaces`` whose
    Ingresses may use it (empty: every namespace): what the stacks export as
    ``ingressClasses``, which ``ClusterRef.from_stack`` reads (``cluster.ingress_class``)."""
    cleanup: LoadBalancerCleanup | None
    """The cleanup before uninstall (also in :attr:`cleanups`; disarmed when
    ``cleanup_on_delete`` is false); None when the cluster reference has no kubeconfig."""

    def claim(self, name: str, args: LoadBalancerControllerArgs) -> None:
        """The IAM policy's name."""
        self._policy_name = claim_policy_name(name, self.owner, self)

    def build(self, name: str, args: LoadBalancerControllerArgs) -> Mapping[str, Any]:
        """Policy and role, CRDs and release, the IngressClasses, then the cleanup."""
        cluster = self.cluster
        self.ingress_scheme = args.ingress_scheme
        self.default_target_type = resolve_target_type(args, cluster)
        if cluster.uses_fargate and self.default_target_type == "instance":
            pulumi.log.warn(
                f"{name}: default_target_type 'instance' does not work for pods on Fargate "
                "(no NodePorts there); their Ingresses must set target-type ip",
                resource=self,
            )

        self.policy = controller_policy(name, self._policy_name, args.role, self, self.aws_provider)
        self.policy_arn = self.policy.arn
        self.create_role(
            name,
            args,
            namespace=NAMESPACE,
            service_account=SERVICE_ACCOUNT,
            managed_policy_arns={"policy": self.policy.arn},
        )

        values = {
            **cluster_values(cluster, self.aws_provider),
            **chart_values(args, self.default_target_type),
        }
        # The CRDs, applied by Pulumi so that a new chart pin upgrades them (Helm would not).
        self.crds = [
            k8s.yaml.v2.ConfigFile(
                f"{name}-crds" if i == 0 else f"{name}-gateway-crds",
                file=url,
                opts=pulumi.ResourceOptions(
                    parent=self, provider=cluster.provider, protect=args.deletion_protection
                ),
            )
            for i, url in enumerate(crd_urls(args))
        ]
        # The ServiceAccount (and its role and policy) must exist before the pods start,
        # and the pods need somewhere to run.
        self.release = self.install(
            name, args, NAMESPACE, values, depends_on=self.crds, skip_crds=True
        )
        self.release_name = self.release.name.apply(lambda n: n or "")
        self.release_status = self.release.status.apply(lambda s: (s.status or "") if s else "")

        # The custom resources wait for the release (which waits for the CRDs).
        after_release = self.after(self.release)
        self.ingress_class_params, self.ingress_class = create_ingress_class(
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
        params: list[pulumi.Resource] = [self.ingress_class_params]
        if args.public_ingress_class is not None:
            public_name = args.public_ingress_class
            public_params, public = create_ingress_class(
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
            params.append(public_params)
        self.ingress_classes = class_map(args)
        self.ready = [self.release, *classes]
        self.cleanup = self._cleanup(name, args, [self.release, *self.crds, *params, *classes])
        return {
            "roleArn": self.role_arn,
            "policyArn": self.policy_arn,
            "releaseName": self.release_name,
            "releaseStatus": self.release_status,
            "ingressClassName": self.ingress_class_name,
        }

    def _cleanup(
        self, name: str, args: LoadBalancerControllerArgs, needs: list[pulumi.Resource]
    ) -> LoadBalancerCleanup | None:
        """Before ``needs`` go (the release, CRDs, IngressClasses and their params), delete the
        load balancers of the controller's Ingresses and of every Service of type LoadBalancer
        (see :mod:`.cleanup`); added to :attr:`cleanups`. With ``cleanup_on_delete`` false the
        resource stays, disarmed: removing it would run its delete."""
        if self.cluster.kubeconfig is None:
            pulumi.log.warn(
                f"{name}: the cluster reference has no kubeconfig, so load balancers of Ingresses "
                "and Services this stack does not own are not cleaned up when the controller goes",
                resource=self,
            )
            return None
        # Depends on what the controller needs to finish, so it is deleted first.
        cleanup = LoadBalancerCleanup(
            f"{name}-cleanup",
            kubeconfig=self.cluster.kubeconfig,
            cluster_name=self.cluster.name,
            region=aws_context.region(self.aws_provider),
            ingress_classes=[
                args.ingress_class,
                *([args.public_ingress_class] if args.public_ingress_class else []),
            ],
            armed=args.cleanup_on_delete,
            timeout_seconds=args.cleanup_timeout_seconds,
            opts=pulumi.ResourceOptions(parent=self, depends_on=needs),
        )
        self.cleanups.append(cleanup)
        return cleanup
