"""The one add-on shape: what every in-cluster controller of the platform shares.

An add-on is a package under ``addons/`` that fills in this shape (docs/architecture.md shows
the shortest one, ExternalDNS, as the example):

* ``args.py``: its Args dataclass, a subclass of :class:`ControllerArgs` (the shared fields:
  cluster, identity, chart, replicas, placement, resources, role, protection, values), with the
  add-on's own fields and defaults;
* ``validation.py``: its own rules (:meth:`Controller.validate`), beside the args;
* ``iam.py``: what its role may do; ``chart.py``: the chart values it manages;
  further modules for the objects it creates (IngressClasses, stores, NodePools...);
* ``__init__.py``: the component, a subclass of :class:`Controller` whose :meth:`build`
  creates what is its own through the helpers here.

:class:`Controller` does the rest the same way for every add-on: errors named after the
component and raised before anything is registered; the shared checks (identity, chart pin,
resources, tolerations, node selector, user values that may not override managed ones); the
workload role for its ServiceAccount (IRSA or Pod Identity); the pinned Helm release, after the
cluster's readiness and the role; the values every chart takes for placement, spread and
disruption budget; the ``ready`` list and :meth:`Controller.workload_options` for what must
be created after the controller and deleted before it; and cleanups that run before uninstall.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

import pulumi
import pulumi_kubernetes as k8s

from .. import aws_context
from .. import validation as v
from ..identity.cluster_ref import ClusterRef, as_cluster_ref
from ..identity.iam import RoleSettings, validate_role_settings
from ..identity.workload_identity import IdentityMechanism, WorkloadRoleArgs, validate_mechanism
from ..identity.workload_role import create_workload_role
from . import helm
from .helm import ChartSpec, ManagedValues

if TYPE_CHECKING:
    from ..cluster import EksCluster
    from ..identity.irsa import IrsaRole
    from ..identity.pod_identity import PodIdentityRole

ZONE_KEY = "topology.kubernetes.io/zone"
"""The node label replicas are spread over."""


@dataclass(kw_only=True)
class ControllerArgs:
    """The arguments every add-on shares; an add-on's Args subclass adds its own and may set
    other defaults (its chart, its resources)."""

    cluster: EksCluster | ClusterRef
    """The cluster the add-on runs on (an ``EksCluster``, or a ``ClusterRef``). Without an AWS
    provider in the add-on's ``opts``, its AWS resources and lookups go through the cluster's
    (``ClusterRef.aws_provider``), else the program's default one."""
    identity: IdentityMechanism = "irsa"
    """How the controller gets its AWS role: ``irsa`` (a ServiceAccount annotation, works on
    Fargate) or ``pod-identity`` (an EKS Pod Identity association; needs the
    ``eks-pod-identity-agent``, which does not run on Fargate)."""
    chart: ChartSpec
    """The chart, pinned to an exact version; override to upgrade."""
    replicas: int = 2
    """Controller pods; with more than one, a PodDisruptionBudget (``maxUnavailable: 1``)
    keeps one running through node drains and the replicas are spread over zones."""
    resources: dict[str, dict[str, str]] = field(default_factory=dict)
    """CPU and memory requests and limits of the controller pods (each add-on sets defaults)."""
    tolerations: list[dict[str, Any]] = field(default_factory=list)
    """Tolerations of the controller pods, as Kubernetes writes them
    (``{key, operator, value, effect, tolerationSeconds}``)."""
    node_selector: dict[str, str] = field(default_factory=dict)
    """Node labels the controller pods must run on."""
    role: RoleSettings = field(default_factory=RoleSettings)
    """The controller role's name, path, permissions boundary, session length and tags."""
    deletion_protection: bool = False
    """Protect the Helm release (Pulumi ``protect``), as in prod: removing it then takes a
    deliberate ``pulumi state unprotect``."""
    values: dict[str, Any] = field(default_factory=dict)
    """Further chart values, deep-merged over the component's. Values the component sets from
    an argument or from the cluster are refused here: use the argument."""


A = TypeVar("A", bound=ControllerArgs)


def validate_shared(args: ControllerArgs, managed: ManagedValues) -> None:
    """The checks every add-on runs on the shared fields; raises naming the field."""
    validate_mechanism(args.identity)
    helm.validate_chart(args.chart)
    v.require(
        isinstance(args.deletion_protection, bool), "deletion_protection", "must be true or false"
    )
    with v.nested("role"):
        validate_role_settings(args.role)
    v.tolerations(args.tolerations, "tolerations")
    v.labels(args.node_selector, "node_selector")
    v.positive_int(args.replicas, "replicas", minimum=1)
    v.resource_requirements(args.resources, "resources")
    helm.validate_values(args.values, managed)


def placement_values(args: ControllerArgs) -> dict[str, Any]:
    """``tolerations`` and ``nodeSelector`` as every chart names them (empty ones omitted)."""
    values: dict[str, Any] = {}
    if args.tolerations:
        values["tolerations"] = [dict(t) for t in args.tolerations]
    if args.node_selector:
        values["nodeSelector"] = dict(args.node_selector)
    return values


def zone_spread(app_name: str) -> list[dict[str, Any]]:
    """Replicas spread over zones where possible (a zone outage leaves one running)."""
    return [
        {
            "maxSkew": 1,
            "topologyKey": ZONE_KEY,
            "whenUnsatisfiable": "ScheduleAnyway",
            "labelSelector": {"matchLabels": {"app.kubernetes.io/name": app_name}},
        }
    ]


def options_after(
    cluster: ClusterRef, ready: list[pulumi.Resource], opts: pulumi.ResourceOptions | None
) -> pulumi.ResourceOptions:
    """Options for an object that uses an add-on: the cluster's Kubernetes provider and a
    dependency on the add-on's ``ready``, merged with ``opts`` (its ``depends_on`` is kept, its
    ``provider`` wins)."""
    base = pulumi.ResourceOptions(provider=cluster.provider, depends_on=list(ready))
    return pulumi.ResourceOptions.merge(base, opts) if opts is not None else base


def with_aws_provider(
    opts: pulumi.ResourceOptions | None, cluster: ClusterRef
) -> pulumi.ResourceOptions | None:
    """``opts``, with the cluster's AWS provider added when ``opts`` names none (its own, in
    ``providers=`` or through its parent): an add-on acts in its cluster's account and region
    unless told otherwise."""
    if cluster.aws_provider is None or aws_context.provider_of(opts) is not None:
        return opts
    added = pulumi.ResourceOptions(providers={aws_context.AWS: cluster.aws_provider})
    return added if opts is None else pulumi.ResourceOptions.merge(opts, added)


class Controller(pulumi.ComponentResource, Generic[A]):
    """Base of the add-ons: validation, role, release, readiness; see the module docstring.

    A subclass sets :attr:`KIND` (its class name: the type token is
    ``eks-platform:index:<KIND>``), :attr:`ARGS`, :attr:`RULES` and :attr:`MANAGED_VALUES`,
    and implements :meth:`build` (and :meth:`validate`, :meth:`claim` where it needs them). Its class attributes' annotations are read at run time
    by Pulumi (for the Output-typed ones), so the types they name are imported normally.
    """

    KIND: ClassVar[str]
    """The component's type name (``eks-platform:index:<KIND>``)."""
    ARGS: ClassVar[type[ControllerArgs]]
    """The component's Args class: ``args`` are checked against its fields' types first."""
    RULES: ClassVar[staticmethod[[Any], None]]
    """The add-on's ``validate_settings``: the rules of its plain values (the shared ones
    included), the one implementation the stack configuration runs too. Set it with
    ``RULES = staticmethod(validate_settings)``."""
    MANAGED_VALUES: ClassVar[ManagedValues] = {}
    """Chart value paths the component sets itself, each with what sets it."""
    RUN_BY_AUTO_MODE: ClassVar[bool] = False
    """EKS Auto Mode does the add-on's work itself: refused on a ``compute: auto-mode`` cluster."""

    cluster: ClusterRef
    """The cluster the add-on runs on."""
    aws_provider: pulumi.ProviderResource | None
    """The AWS provider of the add-on (None: the program's default one): ``opts``'s
    (``provider=``, ``providers=`` or the parent's), else the cluster's. Its AWS children are
    created through it, and the partition, region and account of every ARN and chart value the
    add-on builds are its (:mod:`components.aws_context`)."""
    workload_role: IrsaRole | PodIdentityRole
    """The controller's role and ServiceAccount."""
    role_arn: pulumi.Output[str]
    """ARN of the controller's IAM role."""
    namespace: pulumi.Output[str]
    """Namespace of the controller."""
    release: k8s.helm.v3.Release
    """The Helm release."""
    release_name: pulumi.Output[str]
    """Name of the Helm release (see :func:`components.addons.helm.release_name`)."""
    ready: list[pulumi.Resource]
    """What a workload that uses the add-on must depend on: created after the add-on can serve
    it, deleted before the add-on goes. See :meth:`workload_options`."""
    cleanups: list[pulumi.Resource]
    """Resources that run before the release is uninstalled (they depend on it)."""

    def __init__(self, name: str, args: A, opts: pulumi.ResourceOptions | None = None) -> None:
        """Validate ``args`` (nothing is registered if they are wrong), then build the add-on.

        ``opts``: as for any component; its AWS provider (``provider=``, ``providers=`` or the
        parent's) is the add-on's :attr:`aws_provider`."""
        self.owner = f"{self.KIND} {name!r}"
        """The component as errors name it: ``Kind 'name'``."""
        with v.component_errors(self.KIND, name):
            v.resource_options(opts)
            if not v.was_validated(args):  # else the stack's configuration checked them
                v.check_fields(args, self.ARGS)
                type(self).RULES(args)
            cluster = as_cluster_ref(args.cluster)
            self.validate(args, cluster)
            v.require(
                args.identity != "irsa" or cluster.oidc is not None,
                "identity",
                "'irsa' needs the cluster's OIDC trust, and the cluster has none: use "
                "'pod-identity', or reference the cluster with ClusterRef.from_stack / "
                "ClusterRef.existing (which carry it)",
            )
            v.require(
                not (self.RUN_BY_AUTO_MODE and cluster.compute == "auto-mode"),
                "cluster",
                f"the cluster runs EKS Auto Mode (compute auto-mode), which does {self.KIND}'s "
                "work itself (docs/compute.md)",
            )
            self.claim(name, args)
        super().__init__(
            f"eks-platform:index:{self.KIND}", name, None, with_aws_provider(opts, cluster)
        )
        # Resolved as the engine resolves its children's: opts, then the parent's.
        self.aws_provider = self.get_provider("aws:index:provider")
        self.cluster = cluster
        self.ready = []
        self.cleanups = []
        if cluster.uses_fargate and args.identity == "pod-identity":
            pulumi.log.warn(
                f"{name}: identity 'pod-identity' needs the Pod Identity agent, which does not "
                f"run on Fargate; if the {self.KIND} pods run on Fargate, use 'irsa'",
                resource=self,
            )
        outputs = self.build(name, args)
        self.register_outputs(outputs)

    # -- what a subclass fills in --------------------------------------------------------------

    def validate(self, args: A, cluster: ClusterRef) -> None:
        """Rules that need the cluster, after :attr:`RULES`; raise ``InvalidArgument``."""

    def claim(self, name: str, args: A) -> None:
        """Claim IAM names before anything is registered (refusing collisions)."""

    def build(self, name: str, args: A) -> Mapping[str, Any]:
        """Create the add-on's children; return its outputs for ``register_outputs``."""
        raise NotImplementedError

    # -- the helpers a build uses --------------------------------------------------------------

    def create_role(self, name: str, args: A, **role_args: Any) -> IrsaRole | PodIdentityRole:
        """The controller's workload role (``args.identity``) for its ServiceAccount; sets
        :attr:`workload_role`, :attr:`role_arn` and :attr:`namespace`. ``role_args`` are the
        :class:`WorkloadRoleArgs` fields (namespace, service_account, permissions...)."""
        self.workload_role = create_workload_role(
            name,
            args.identity,
            WorkloadRoleArgs(cluster=self.cluster, role=args.role, **role_args),
            parent=self,
        )
        self.role_arn = self.workload_role.role_arn
        self.namespace = self.workload_role.service_account_namespace
        return self.workload_role

    def install(
        self,
        name: str,
        args: A,
        namespace: str,
        values: pulumi.Input[dict[str, Any]],
        *,
        chart: ChartSpec | None = None,
        depends_on: Sequence[pulumi.Resource] = (),
        skip_crds: bool = False,
        standard_dependencies: bool = True,
    ) -> k8s.helm.v3.Release:
        """A pinned Helm release on the cluster, protected as ``args`` asks. It waits for the
        cluster's readiness and the workload role (``standard_dependencies``) and for
        ``depends_on``."""
        needs: list[pulumi.Resource] = (
            [*self.cluster.workload_dependencies, self.workload_role]
            if standard_dependencies
            else []
        )
        return helm.release(
            helm.release_name(name),
            chart or args.chart,
            namespace,
            values,
            opts=pulumi.ResourceOptions(
                parent=self,
                provider=self.cluster.provider,
                depends_on=[*needs, *depends_on],
                protect=args.deletion_protection,
            ),
            skip_crds=skip_crds,
        )

    def after(self, *resources: pulumi.Resource) -> pulumi.ResourceOptions:
        """Options for a Kubernetes child created after ``resources`` (e.g. the release whose
        CRDs it needs): the cluster's provider, parented here."""
        return pulumi.ResourceOptions(
            parent=self, provider=self.cluster.provider, depends_on=list(resources)
        )

    def workload_options(
        self, opts: pulumi.ResourceOptions | None = None
    ) -> pulumi.ResourceOptions:
        """Options for an object that uses the add-on: the cluster's Kubernetes provider and a
        dependency on :attr:`ready`, merged with ``opts`` (its ``depends_on`` is kept, its
        ``provider`` wins). On destroy such objects go first, while the add-on still runs."""
        return options_after(self.cluster, self.ready, opts)
