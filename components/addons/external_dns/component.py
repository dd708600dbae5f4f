"""``ExternalDns``: ExternalDNS on EKS, allowed to change records in the configured zones only.

ExternalDNS watches Ingresses and Services; for each host name it finds, it reads the
load balancer's DNS name from the object's status and writes a Route53 alias record,
plus a TXT "ownership" record that marks the record as this cluster's. This component
installs the official chart (pinned, as a Helm release) and gives the controller an IAM
role (IRSA by default, or EKS Pod Identity) whose policy names exactly the configured
hosted zones:

* ``route53:ChangeResourceRecordSets``, ``ListResourceRecordSets`` and
  ``ListTagsForResources`` on ``arn:<partition>:route53:::hostedzone/<id>`` of each zone;
* ``route53:ListHostedZones`` on ``*`` (the only Route53 listing that has no resource).

The upstream tutorial grants ``hostedzone/*``; here a zone that is not configured cannot
be written to even if the controller is misconfigured. The chart is told the same zones
(``--zone-id-filter``, ``domainFilters``, ``--aws-zone-type``), so it never tries.

In a zone shared with others, the role can be narrowed further with Route53's condition
keys, and ExternalDNS told the same, so that it never sends a change IAM would refuse (a
refused change fails the whole batch of its zone):

* ``subdomains``: ``route53:ChangeResourceRecordSetsNormalizedRecordNames``
  (``ForAllValues:StringLike`` on ``<sub>`` and ``*.<sub>``); ExternalDNS gets them as
  ``domainFilters`` with ``--aws-zone-match-parent``;
* ``record_types`` (default ``A``, ``AAAA``, ``CNAME``, ``TXT``: what ExternalDNS manages by
  default plus its TXT registry, so never ``NS``, which could delegate a name elsewhere):
  ``route53:ChangeResourceRecordSetsRecordTypes`` (``ForAllValues:StringEquals``);
  ExternalDNS gets them as ``managedRecordTypes``.

Which Kubernetes objects it reads can be narrowed too: ``annotation_filter``
(``--annotation-filter``) and ``source_namespace`` (``--namespace``, with the chart's RBAC
turned into a Role in that namespace). ExternalDNS watches one namespace or all of them;
for several, run one ``ExternalDns`` per namespace (each gets its own TXT owner id) or
mark the objects and use ``annotation_filter``.

The chart runs ExternalDNS as one replica (it has no leader election and the chart no
``replicaCount``), so there is no topology spread or PodDisruptionBudget to set; its pod
runs as non-root with a read-only root filesystem, no capabilities and the runtime's
seccomp profile (the chart's defaults), with resource requests and limits (``resources``).

Zones are given by domain (looked up with ``aws.route53.get_zone``), by id (looked up for
their domain name, which ``domainFilters`` needs), or by both (no lookup).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from ... import aws_context
from ... import validation as v
from ...cluster.eks_cluster import EksCluster
from ...identity import iam
from ...identity.cluster_ref import ClusterRef, as_cluster_ref
from ...identity.iam import RoleSettings
from ...identity.irsa import IrsaRole
from ...identity.pod_identity import PodIdentityRole
from ...identity.workload_identity import IdentityMechanism, WorkloadRoleArgs, validate_mechanism
from ...identity.workload_role import create_workload_role
from .. import helm
from ..helm import ChartSpec

DEFAULT_CHART = ChartSpec(
    chart="external-dns",
    repository="https://kubernetes-sigs.github.io/external-dns/",
    version="1.21.1",
)
"""The official chart; 1.21.1 ships ExternalDNS 0.21.0."""

POLICIES = ("sync", "upsert-only", "create-only")
"""ExternalDNS ``--policy`` values: what it may do to records it owns."""
ZONE_TYPES = ("public", "private", "")
"""``--aws-zone-type`` values; ``""`` means both."""
SOURCES = (
    "service",
    "ingress",
    "node",
    "pod",
    "crd",
    "gateway-httproute",
    "gateway-grpcroute",
    "gateway-tlsroute",
    "gateway-tcproute",
    "gateway-udproute",
    "istio-gateway",
    "istio-virtualservice",
    "contour-httpproxy",
    "traefik-proxy",
    "ambassador-host",
    "gloo-proxy",
    "kong-tcpingress",
    "openshift-route",
    "skipper-routegroup",
    "f5-virtualserver",
    "f5-transportserver",
)
"""ExternalDNS sources this component accepts (``--source``)."""
DEFAULT_SOURCES = ("ingress", "service")
CLUSTER_SCOPED_SOURCES = ("node", "pod")
"""Sources that read Nodes, which a namespaced ExternalDNS (``source_namespace``) may not."""
RECORD_TYPES = ("A", "AAAA", "CNAME", "TXT", "MX", "NS", "SRV", "NAPTR", "PTR")
"""Record types ExternalDNS knows (``--managed-record-types``)."""
DEFAULT_RECORD_TYPES = ("A", "AAAA", "CNAME", "TXT")
"""ExternalDNS's own default (A, AAAA, CNAME) plus TXT, which its registry writes."""
REGISTRY_RECORD_TYPE = "TXT"
ADDRESS_RECORD_TYPES = ("A", "AAAA", "CNAME")
DEFAULT_TXT_PREFIX = "edns-%{record_type}."
"""Registry TXT records go one label below the record (``edns-a.app.example.com`` for the A
record ``app.example.com``), so the zone apex (``example.com`` itself) works too: a prefix
without a trailing dot (``edns-``) would put the apex's TXT record into the parent zone."""
MIN_INTERVAL_SECONDS = 60
"""Route53 allows five API requests per second per account, shared by every caller."""

CHANGE_ACTION = "route53:ChangeResourceRecordSets"
READ_ACTIONS = ("route53:ListResourceRecordSets", "route53:ListTagsForResources")
RECORD_ACTIONS = (CHANGE_ACTION, *READ_ACTIONS)
"""What the controller may do inside each configured zone."""
RECORD_NAMES_KEY = "route53:ChangeResourceRecordSetsNormalizedRecordNames"
"""Condition key: the record names of a change batch, lower-case and without trailing dot."""
RECORD_TYPES_KEY = "route53:ChangeResourceRecordSetsRecordTypes"
"""Condition key: the record types of a change batch."""
LIST_ZONES_ACTION = "route53:ListHostedZones"
"""The one action granted on ``*``: ListHostedZones takes no resource."""
INLINE_POLICY_NAME = "route53-records"
# Flags the component derives from its arguments; ``values.extraArgs`` may not set them.
_SCOPING_FLAGS = {
    "--zone-id-filter": "zones",
    "--aws-zone-type": "zones / zone_type",
    "--domain-filter": "zones / subdomains",
    "--regex-domain-filter": "zones / subdomains",
    "--aws-zone-match-parent": "subdomains",
    "--managed-record-types": "record_types",
    "--annotation-filter": "annotation_filter",
    "--namespace": "source_namespace",
}
# Chart values the component derives from its arguments; ``values`` may not set them.
_MANAGED_VALUES: dict[tuple[str, ...], str] = {
    ("provider",): "the component (the aws provider)",
    ("sources",): "the argument sources",
    ("registry",): "the component (the TXT registry)",
    ("txtOwnerId",): "the argument txt_owner_id",
    ("txtPrefix",): "the argument txt_prefix",
    ("policy",): "the argument policy",
    ("interval",): "the argument interval",
    ("domainFilters",): "the arguments zones and subdomains",
    ("managedRecordTypes",): "the argument record_types",
    ("annotationFilter",): "the argument annotation_filter",
    ("namespaced",): "the argument source_namespace",
    ("sourceNamespace",): "the argument source_namespace",
    ("resources",): "the argument resources",
    ("serviceAccount", "create"): "the component (it creates the ServiceAccount)",
    ("serviceAccount", "name"): "the argument service_account",
    ("tolerations",): "the argument tolerations",
    ("nodeSelector",): "the argument node_selector",
}
# With source_namespace and the service source: every Service type but NodePort, whose
# targets are Node addresses a namespaced ExternalDNS may not read.
NAMESPACED_SERVICE_TYPES = ("LoadBalancer", "ClusterIP", "ExternalName")
_SERVICE_TYPE_FLAG = "--service-type-filter"

_INTERVAL = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")
_RECORD_TYPE_TEMPLATE = "%{record_type}"
_TXT_AFFIX = re.compile(r"^[a-z0-9_-]*(\.[a-z0-9_-]+)*\.?$")
_TXT_OWNER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
_HOSTED_ZONE_PREFIX = "/hostedzone/"
# A label selector requirement (``--annotation-filter`` uses label-selector syntax).
_SELECTOR_KEY = r"[A-Za-z0-9][-A-Za-z0-9_./]*"
_SELECTOR_EXISTS = re.compile(rf"^(!?)\s*({_SELECTOR_KEY})$")
_SELECTOR_EQUALS = re.compile(rf"^({_SELECTOR_KEY})\s*(==|=|!=)\s*([-A-Za-z0-9_.]*)$")
_SELECTOR_SET = re.compile(rf"^({_SELECTOR_KEY})\s+(in|notin)\s+\(([^()]*)\)$")


def _default_resources() -> dict[str, dict[str, str]]:
    return {"requests": {"cpu": "50m", "memory": "128Mi"}, "limits": {"memory": "256Mi"}}


@dataclass(kw_only=True)
class HostedZone:
    """A Route53 hosted zone ExternalDNS may write to: by domain, by id, or both."""

    domain: str | None = None
    """The zone's domain name, e.g. ``dev.example.com`` (lower-case, no trailing dot). Without
    ``zone_id`` the zone is looked up by this name (and ``private``)."""
    zone_id: str | None = None
    """The hosted zone id, e.g. ``Z0123456789ABCDEFGHIJ``. Without ``domain`` the zone is looked
    up by id for its domain name. With both, no lookup is made: they must belong together."""
    private: bool = False
    """Whether the zone is private (associated with VPCs). Picks the zone when a public and a
    private zone share a domain (split horizon). A zone given by id alone is looked up, and the
    lookup says whether it is private; with domain and id both given, this flag does."""


class ResolvedZone(NamedTuple):
    """A configured zone once its id, domain and visibility are all known."""

    zone_id: str
    domain: str
    private: bool


@dataclass(kw_only=True)
class ExternalDnsArgs:
    """Arguments of :class:`ExternalDns`. In stack config: ``eks-platform:externalDns``
    (camelCase keys; ``cluster`` is set in code)."""

    cluster: EksCluster | ClusterRef
    """The cluster ExternalDNS runs on (an ``EksCluster``, or a ``ClusterRef``)."""
    zones: list[HostedZone]
    """The hosted zones ExternalDNS may change (at least one). The IAM policy names exactly these
    zones; there is no fallback to ``hostedzone/*``."""
    identity: IdentityMechanism = "irsa"
    """How the pods get AWS credentials: ``irsa`` (default) or ``pod-identity``."""
    namespace: str = "external-dns"
    """Namespace of the release and the ServiceAccount."""
    create_namespace: bool = True
    """Create the namespace (before the ServiceAccount and the release). False when it exists
    already (e.g. ``kube-system``) or another component creates it."""
    service_account: str = "external-dns"
    """Name of the ServiceAccount; created by this component (the chart's is disabled), with the
    IRSA annotation when ``mechanism`` is ``irsa``."""
    policy: str = "upsert-only"
    """What ExternalDNS may do to the records it owns: ``upsert-only`` (default: create and update,
    never delete), ``sync`` (also delete records whose Ingress/Service is gone) or ``create-only``
    (create, never update or delete). Records owned by another ``txt_owner_id`` are never touched."""
    interval: str = "1m"
    """Time between full synchronisations, Go duration syntax (``1m``, ``90s``, ``2m30s``, ``1h``);
    at least one minute, because Route53 allows five requests per second per account."""
    txt_owner_id: str | None = None
    """The owner id written into the TXT ownership records; unique per cluster (and per
    ExternalDNS instance) that shares a zone, and never changed afterwards. Default: the
    cluster name; with ``source_namespace``, ``<cluster>.<namespace>``, so that instances
    for different namespaces never take each other's records for their own."""
    txt_prefix: str = DEFAULT_TXT_PREFIX
    """Prefix of the TXT ownership records' names (lower-case letters, digits, ``-``, ``_``, ``.``
    and at most one ``%{record_type}``); ``""`` for none. End it with ``.`` to manage zone-apex
    records. Never change it after the first deployment: existing records would lose their owner."""
    zone_type: str | None = None
    """``public``, ``private`` or ``""`` (both). Default: from ``zones`` (all private: ``private``;
    all public: ``public``; mixed: both)."""
    sources: list[str] = field(default_factory=lambda: list(DEFAULT_SOURCES))
    """Kubernetes objects to take host names from (``ingress``, ``service``, ``gateway-httproute``,
    ``crd``, ...; see ``SOURCES``)."""
    subdomains: list[str] = field(default_factory=list)
    """Limit record changes to these names and the names below them, e.g. ``team-a.example.com``
    (``team-a.example.com`` and ``*.team-a.example.com``), for a zone shared with others: in
    the IAM policy (``route53:ChangeResourceRecordSetsNormalizedRecordNames``) and in
    ExternalDNS (``domainFilters``). Each must lie in one of ``zones``; lower-case, no trailing
    dot. Empty: the whole zones."""
    record_types: list[str] = field(default_factory=lambda: list(DEFAULT_RECORD_TYPES))
    """The record types ExternalDNS may change, in the IAM policy
    (``route53:ChangeResourceRecordSetsRecordTypes``) and in ExternalDNS
    (``managedRecordTypes``, TXT aside). Must include ``TXT`` (the ownership registry) and one
    of ``A`` (load balancers: alias records), ``AAAA`` (dual-stack load balancers) or
    ``CNAME``. Empty: any type."""
    annotation_filter: str | None = None
    """Only take host names from objects whose annotations match this selector (label-selector
    syntax, e.g. ``external-dns.alpha.kubernetes.io/expose=true``; ``--annotation-filter``)."""
    source_namespace: str | None = None
    """Only take host names from objects in this namespace (``--namespace``; the chart's RBAC
    becomes a Role there, so it must exist first). ExternalDNS watches one namespace or all:
    for several, run one ExternalDns per namespace, or use ``annotation_filter``. The
    ``node`` and ``pod`` sources are refused (they read Nodes), and Services of type NodePort
    are skipped for the same reason. None: every namespace."""
    chart: ChartSpec = DEFAULT_CHART
    """The chart and its exact version."""
    deletion_protection: bool = False
    """Protect the Helm release (Pulumi ``protect``), as in prod: removing it then takes a
    deliberate ``pulumi state unprotect``."""
    values: dict[str, Any] = field(default_factory=dict)
    """Extra chart values, deep-merged last (mappings merge, anything else replaces), except
    ``extraArgs``, which is appended to the component's own arguments. It may not set what
    the arguments above set: the scoping flags (``--zone-id-filter``, ``--aws-zone-type``,
    ``--domain-filter``, ``--aws-zone-match-parent``, ``--managed-record-types``,
    ``--annotation-filter``, ``--namespace``) nor ``domainFilters``, ``managedRecordTypes``,
    ``annotationFilter``, ``namespaced``, ``sourceNamespace`` and ``resources``."""
    tolerations: list[dict[str, Any]] = field(default_factory=list)
    """Pod tolerations (Kubernetes ``Toleration`` objects, camelCase keys)."""
    node_selector: dict[str, str] = field(default_factory=dict)
    """Pod node selector (label key -> value)."""
    resources: dict[str, dict[str, str]] = field(default_factory=_default_resources)
    """Requests and limits of the ExternalDNS container (the chart's ``resources``); raise the
    memory for zones with many thousands of records."""
    role: RoleSettings = field(default_factory=RoleSettings)
    """The role's name, path, permissions boundary, session length and tags."""


class ExternalDns(pulumi.ComponentResource):
    """ExternalDNS (Helm release) with an IAM role scoped to the configured hosted zones.

    Creates, as children: the workload role (IRSA or Pod Identity) whose policy may change
    records only in the configured zones, its namespace and ServiceAccount, and the pinned
    Helm release, told the same zones.

    Args: :class:`ExternalDnsArgs`.
    """

    workload_role: IrsaRole | PodIdentityRole
    """The controller's role and ServiceAccount."""
    role_arn: pulumi.Output[str]
    """ARN of the controller's IAM role."""
    zone_ids: pulumi.Output[list[str]]
    """Ids of the zones ExternalDNS may change, in the order configured."""
    zone_arns: pulumi.Output[list[str]]
    """ARNs of those zones (in the deployment's partition): the record actions' resources."""
    domain_filters: pulumi.Output[list[str]]
    """The chart's ``domainFilters``: ``subdomains`` when given, else the zones' domain names."""
    txt_owner_id: pulumi.Output[str]
    """The TXT registry owner id."""
    zone_type: pulumi.Output[str]
    """The ``--aws-zone-type`` in effect (``""``: both)."""
    namespace: pulumi.Output[str]
    """Namespace of the release."""
    service_account: k8s.core.v1.ServiceAccount
    """The controller's ServiceAccount."""
    release: k8s.helm.v3.Release
    """The Helm release."""
    release_name: pulumi.Output[str]
    """Name of the Helm release."""

    def __init__(
        self, name: str, args: ExternalDnsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        """Install ExternalDNS; see :class:`ExternalDns`."""
        owner = f"ExternalDns {name!r}"
        with v.component_errors("ExternalDns", name):
            cluster = validate_args(args)
        super().__init__("eks-platform:index:ExternalDns", name, None, opts)
        invoke = pulumi.InvokeOutputOptions(parent=self)
        k8s_opts = pulumi.ResourceOptions(parent=self, provider=cluster.provider)

        # -- the zones: id, domain and visibility of each, looked up where not all are given -----
        zones: pulumi.Output[list[ResolvedZone]] = pulumi.Output.all(
            *[_resolve_zone(zone, invoke) for zone in args.zones]
        ).apply(lambda zs: [ResolvedZone(*z) for z in zs])
        self.zone_ids = zones.apply(lambda zs: _unique([z.zone_id for z in zs]))
        self.domain_filters = zones.apply(lambda zs: domain_filters(args, zs, owner))
        self.zone_type = zones.apply(lambda zs: effective_zone_type(args.zone_type, zs))
        partition = aws_context.partition()
        self.zone_arns = pulumi.Output.all(partition, self.zone_ids).apply(
            lambda a: [zone_arn(a[0], zone_id) for zone_id in a[1]]
        )

        # -- the role -------------------------------------------------------------------------
        # The role, the namespace (when asked) and the ServiceAccount bound to the role.
        self.workload_role = create_workload_role(
            name,
            args.identity,
            WorkloadRoleArgs(
                cluster=cluster,
                namespace=args.namespace,
                service_account=args.service_account,
                inline_policies={
                    INLINE_POLICY_NAME: pulumi.Output.all(
                        self.zone_arns, self.domain_filters
                    ).apply(lambda a: route53_policy(a[0], args.subdomains, args.record_types))
                },
                role=args.role,
                create_namespace=args.create_namespace,
            ),
            parent=self,
        )
        self.role_arn = self.workload_role.role_arn
        assert self.workload_role.service_account is not None  # created by the role
        self.service_account = self.workload_role.service_account
        self.namespace = self.workload_role.service_account_namespace

        # -- the release ----------------------------------------------------------------------
        self.txt_owner_id = pulumi.Output.from_input(
            args.txt_owner_id if args.txt_owner_id is not None else cluster.name
        ).apply(lambda owner_id: default_owner_id(args, owner_id))
        region = aws_context.region()
        values = pulumi.Output.all(
            self.txt_owner_id, self.domain_filters, self.zone_ids, self.zone_type, region
        ).apply(
            lambda a: release_values(
                args,
                txt_owner_id=a[0],
                domain_filters=a[1],
                zone_ids=a[2],
                zone_type=a[3],
                region=a[4],
            )
        )
        self.release = helm.release(
            helm.release_name(name),
            args.chart,
            args.namespace,
            values,
            opts=pulumi.ResourceOptions.merge(
                k8s_opts,
                pulumi.ResourceOptions(
                    depends_on=[
                        *cluster.workload_dependencies,
                        self.workload_role,
                        self.service_account,
                    ],
                    protect=args.deletion_protection,
                ),
            ),
        )
        self.release_name = self.release.name
        self.register_outputs(
            {
                "roleArn": self.role_arn,
                "zoneIds": self.zone_ids,
                "zoneArns": self.zone_arns,
                "domainFilters": self.domain_filters,
                "txtOwnerId": self.txt_owner_id,
                "zoneType": self.zone_type,
                "namespace": self.namespace,
                "releaseName": self.release_name,
            }
        )


# -- pure helpers (importable for tests and other programs) ----------------------------------


def zone_arn(partition: str, zone_id: str) -> str:
    """``arn:<partition>:route53:::hostedzone/<id>``; Route53 ARNs have no region or account."""
    return f"arn:{partition}:route53:::hostedzone/{zone_id}"


def record_name_patterns(subdomains: Sequence[str]) -> list[str]:
    """The ``StringLike`` patterns of the names in and under ``subdomains``: ``<sub>``, ``*.<sub>``."""
    return sorted({p for sub in subdomains for p in (sub, f"*.{sub}")})


def route53_policy(
    zone_arns: list[str], subdomains: Sequence[str] = (), record_types: Sequence[str] = ()
) -> dict[str, Any]:
    """The controller's permission policy: record changes on ``zone_arns`` (limited to the names
    in ``subdomains`` and the types in ``record_types`` when given), reads there, zone listing
    on ``*``."""
    if not zone_arns:
        # validate_args refuses empty zones; never degrade to a policy without resources.
        raise ValueError("zones: at least one hosted zone is required")
    zones = sorted(set(zone_arns))
    change: dict[str, Any] = {
        "Sid": "ChangeRecordsInConfiguredZones",
        "Effect": "Allow",
        "Action": [CHANGE_ACTION],
        "Resource": zones,
    }
    condition: dict[str, dict[str, Any]] = {}
    if subdomains:
        condition["ForAllValues:StringLike"] = {RECORD_NAMES_KEY: record_name_patterns(subdomains)}
    if record_types:
        condition["ForAllValues:StringEquals"] = {RECORD_TYPES_KEY: sorted(set(record_types))}
    if condition:
        # ForAllValues holds for a request without the key; Route53 always sends both, but
        # require them anyway so that the statement never matches an empty set.
        keys = [k for c in condition.values() for k in c]
        condition["Null"] = {key: "false" for key in keys}
        change["Condition"] = condition
    return {
        "Version": "2012-10-17",
        "Statement": [
            change,
            {
                "Sid": "ReadRecordsInConfiguredZones",
                "Effect": "Allow",
                "Action": list(READ_ACTIONS),
                "Resource": zones,
            },
            {
                "Sid": "ListHostedZones",
                "Effect": "Allow",
                "Action": [LIST_ZONES_ACTION],
                "Resource": ["*"],
            },
        ],
    }


def domain_filters(
    args: ExternalDnsArgs, zones: list[ResolvedZone], owner: str | None = None
) -> list[str]:
    """The chart's ``domainFilters``: ``args.subdomains`` (each checked to lie in a zone, now
    that every zone's domain is known), else the zones' domains."""
    domains = _unique([z.domain for z in zones])
    if not args.subdomains:
        return domains
    for i, sub in enumerate(args.subdomains):
        if not any(_within(sub, d) for d in domains):
            raise v.InvalidArgument(
                f"subdomains[{i}]",
                f"{sub!r} is in none of the zones ({', '.join(domains)})",
                owner,
            )
    return list(args.subdomains)


def default_owner_id(args: ExternalDnsArgs, owner_id: str) -> str:
    """``owner_id`` as given, or (the cluster name by default) ``<cluster>.<source_namespace>``."""
    if args.txt_owner_id is None and args.source_namespace is not None:
        return f"{owner_id}.{args.source_namespace}"
    return owner_id


def _within(name: str, domain: str) -> bool:
    return name == domain or name.endswith(f".{domain}")


def effective_zone_type(zone_type: str | None, zones: list[ResolvedZone]) -> str:
    """``zone_type`` if given, else what the zones imply (all private, all public, or both)."""
    if zone_type is not None:
        return zone_type
    private = {zone.private for zone in zones}
    if private == {True}:
        return "private"
    if private == {False}:
        return "public"
    return ""


def release_values(
    args: ExternalDnsArgs,
    txt_owner_id: str,
    domain_filters: list[str],
    zone_ids: list[str],
    zone_type: str,
    region: str,
) -> dict[str, Any]:
    """The chart values (chart 1.21.x names), with ``args.values`` merged last."""
    extra_args = [f"--aws-zone-type={zone_type}"] if zone_type else []
    extra_args += [f"--zone-id-filter={_HOSTED_ZONE_PREFIX}{zone_id}" for zone_id in zone_ids]
    if args.subdomains:
        # The domain filters are names below the zones: let them select their parent zones.
        extra_args.append("--aws-zone-match-parent")
    base: dict[str, Any] = {
        "provider": {"name": "aws"},
        "sources": list(args.sources),
        "registry": "txt",
        "txtOwnerId": txt_owner_id,
        "txtPrefix": args.txt_prefix,
        "domainFilters": list(domain_filters),
        "policy": args.policy,
        "interval": args.interval,
        "serviceAccount": {"create": False, "name": args.service_account},
        # Route53 is global, but the SDK needs a region (IMDS is out of reach with hop limit 1,
        # and Pod Identity injects none); it also selects the partition's endpoint (aws-cn).
        "env": [
            {"name": "AWS_REGION", "value": region},
            {"name": "AWS_DEFAULT_REGION", "value": region},
        ],
        "resources": {kind: dict(amounts) for kind, amounts in args.resources.items()},
    }
    managed = [t for t in args.record_types if t != REGISTRY_RECORD_TYPE]
    if managed:
        base["managedRecordTypes"] = managed
    if args.annotation_filter is not None:
        base["annotationFilter"] = args.annotation_filter
    user_extra = list(args.values.get("extraArgs") or [])
    if args.source_namespace is not None:
        base["namespaced"] = True
        base["sourceNamespace"] = args.source_namespace
        if "service" in args.sources and not any(
            a.split("=", 1)[0] == _SERVICE_TYPE_FLAG for a in user_extra
        ):
            extra_args += [f"{_SERVICE_TYPE_FLAG}={t}" for t in NAMESPACED_SERVICE_TYPES]
    if args.tolerations:
        base["tolerations"] = [dict(t) for t in args.tolerations]
    if args.node_selector:
        base["nodeSelector"] = dict(args.node_selector)
    user = dict(args.values)
    user_extra_args = list(user.pop("extraArgs", None) or [])
    merged = helm.deep_merge(base, user)
    merged["extraArgs"] = extra_args + user_extra_args
    return merged


def interval_seconds(value: str) -> int | None:
    """Seconds in a Go duration of whole hours/minutes/seconds (``2m30s``), or None if not one."""
    match = _INTERVAL.match(value) if isinstance(value, str) and value else None
    if match is None:
        return None
    hours, minutes, seconds = (int(g) if g else 0 for g in match.groups())
    return hours * 3600 + minutes * 60 + seconds


def _resolve_zone(
    zone: HostedZone, invoke: pulumi.InvokeOutputOptions
) -> pulumi.Output[tuple[str, str, bool]]:
    """(zone id, domain, private) of a configured zone, looking up what is not given."""
    if zone.zone_id is not None and zone.domain is not None:
        return pulumi.Output.from_input((zone.zone_id, zone.domain, zone.private))
    if zone.zone_id is not None:
        zone_id = zone.zone_id
        found = aws.route53.get_zone_output(zone_id=zone_id, opts=invoke)
        return found.apply(lambda z: (zone_id, _normal_domain(z.name), bool(z.private_zone)))
    domain, private = str(zone.domain), zone.private
    found = aws.route53.get_zone_output(name=domain, private_zone=private, opts=invoke)
    return found.apply(lambda z: (z.zone_id.removeprefix(_HOSTED_ZONE_PREFIX), domain, private))


def _normal_domain(name: str) -> str:
    return name.rstrip(".").lower()


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


# -- validation --------------------------------------------------------------------------------


def validate_args(args: ExternalDnsArgs) -> ClusterRef:
    """Check ExternalDnsArgs; raises InvalidArgument naming the field and the rule it broke."""
    v.check_fields(args, ExternalDnsArgs)
    cluster = as_cluster_ref(args.cluster)
    validate_settings(args)
    return cluster


def validate_settings(args: ExternalDnsArgs) -> None:
    """Check the plain (configurable) fields; a stack can run this before the cluster exists."""
    _validate_zones(args.zones)
    validate_mechanism(args.identity)
    v.dns_label(args.namespace, "namespace", "namespace")
    v.dns_subdomain(args.service_account, "service_account", "ServiceAccount name")
    v.one_of(args.policy, POLICIES, "policy")
    seconds = interval_seconds(args.interval)
    v.require(
        seconds is not None,
        "interval",
        f"{args.interval!r} is not a duration of whole hours, minutes and seconds "
        "(e.g. 1m, 90s, 2m30s)",
    )
    v.require(
        seconds is not None and seconds >= MIN_INTERVAL_SECONDS,
        "interval",
        f"{args.interval!r} is shorter than 1m: Route53 allows five requests per second per "
        "account, shared with every other caller",
    )
    if args.txt_owner_id is not None:
        v.require(
            isinstance(args.txt_owner_id, str) and bool(_TXT_OWNER_ID.match(args.txt_owner_id)),
            "txt_owner_id",
            f"{args.txt_owner_id!r} is not a valid owner id (a plain string of 1-100 letters, "
            "digits, '.', '_' and '-', starting with a letter or digit)",
        )
    _validate_txt_prefix(args.txt_prefix)
    _validate_zone_type(args)
    _validate_sources(args.sources)
    helm.validate_chart(args.chart)
    _validate_values(args.values)
    v.tolerations(args.tolerations, "tolerations")
    v.labels(args.node_selector, "node_selector")
    v.resource_requirements(args.resources, "resources")
    _validate_subdomains(args)
    _validate_record_types(args.record_types)
    if args.annotation_filter is not None:
        _validate_selector(args.annotation_filter, "annotation_filter")
    _validate_source_namespace(args)
    with v.nested("role"):
        iam.validate_role_settings(args.role)


def _validate_zones(zones: Any) -> None:
    v.require(
        isinstance(zones, list) and len(zones) > 0,
        "zones",
        "at least one hosted zone is required (ExternalDNS is only ever allowed the zones "
        "listed, never hostedzone/*)",
    )
    for i, zone in enumerate(zones):
        where = f"zones[{i}]"
        v.require(isinstance(zone, HostedZone), where, "must be a HostedZone")
        v.require(
            zone.domain is not None or zone.zone_id is not None,
            where,
            "give the zone's domain, its zone_id, or both",
        )
        if zone.domain is not None:
            v.domain_name(zone.domain, f"{where}.domain")
        if zone.zone_id is not None:
            v.hosted_zone_id(zone.zone_id, f"{where}.zone_id")
        v.require(isinstance(zone.private, bool), f"{where}.private", "must be true or false")
    v.unique([z.zone_id for z in zones if z.zone_id is not None], "zones", "zone_id")
    v.unique(
        [f"{z.domain} ({'private' if z.private else 'public'})" for z in zones if z.domain],
        "zones",
        "zone",
    )


def _validate_txt_prefix(prefix: Any) -> None:
    ok = isinstance(prefix, str) and prefix.count(_RECORD_TYPE_TEMPLATE) <= 1
    if ok:
        # Longest record type the registry substitutes: "cname" / "naptr".
        plain = prefix.replace(_RECORD_TYPE_TEMPLATE, "naptr")
        ok = (
            len(plain) <= 63
            and bool(_TXT_AFFIX.match(plain))
            and not plain.startswith(".")
            and all(len(label) <= 63 for label in plain.split("."))
        )
    v.require(
        ok,
        "txt_prefix",
        f"{prefix!r} is not a valid TXT record prefix (at most 63 lower-case letters, digits, "
        "'-', '_' and '.', no leading or doubled '.', optionally one %{record_type})",
    )


def _validate_zone_type(args: ExternalDnsArgs) -> None:
    if args.zone_type is None:
        return
    v.one_of(args.zone_type, ZONE_TYPES, "zone_type")
    private = [z.private for z in args.zones]
    v.require(
        args.zone_type != "public" or not any(private),
        "zone_type",
        "'public' would hide the private zones in zones from ExternalDNS; use '' (both) or "
        "leave it unset to derive it from the zones",
    )
    v.require(
        args.zone_type != "private" or all(private),
        "zone_type",
        "'private' would hide the public zones in zones from ExternalDNS (mark private zones "
        "with private: true); use '' (both) or leave it unset to derive it from the zones",
    )


def _validate_sources(sources: Any) -> None:
    v.require(
        isinstance(sources, list) and len(sources) > 0,
        "sources",
        f"needs at least one source (one of {', '.join(SOURCES)})",
    )
    for i, source in enumerate(sources):
        v.one_of(source, SOURCES, f"sources[{i}]")
    v.unique(sources, "sources", "source")


def _validate_values(values: Any) -> None:
    helm.validate_values(values, _MANAGED_VALUES, "values")
    extra = values.get("extraArgs")
    if extra is None:
        return
    v.require(
        isinstance(extra, list) and all(isinstance(a, str) for a in extra),
        "values.extraArgs",
        "must be a list of strings (it is appended to the component's own arguments)",
    )
    for i, arg in enumerate(extra):
        flag = arg.split("=", 1)[0]
        v.require(
            flag not in _SCOPING_FLAGS,
            f"values.extraArgs[{i}]",
            f"{flag} is derived from {_SCOPING_FLAGS.get(flag)}; set it there",
        )


def _validate_subdomains(args: ExternalDnsArgs) -> None:
    subdomains = args.subdomains
    for i, sub in enumerate(subdomains):
        v.domain_name(sub, f"subdomains[{i}]")
    v.unique(subdomains, "subdomains", "subdomain")
    if not subdomains:
        return
    domains = [z.domain for z in args.zones]
    if all(d is not None for d in domains):  # else checked once the zones are looked up
        for i, sub in enumerate(subdomains):
            v.require(
                any(_within(sub, str(d)) for d in domains),
                f"subdomains[{i}]",
                f"{sub!r} is in none of the zones ({', '.join(map(str, domains))})",
            )
    prefix = args.txt_prefix
    v.require(
        prefix == "" or prefix.endswith("."),
        "txt_prefix",
        f"{prefix!r} must end with '.' (or be empty) with subdomains: the ownership record of "
        f"{subdomains[0]} itself would be {prefix.replace(_RECORD_TYPE_TEMPLATE, 'a')}"
        f"{subdomains[0]}, outside it, and Route53 would refuse the zone's whole change batch",
    )


def _validate_record_types(record_types: Any) -> None:
    for i, record_type in enumerate(record_types):
        v.one_of(record_type, RECORD_TYPES, f"record_types[{i}]")
    v.unique(record_types, "record_types", "record type")
    if not record_types:
        return
    v.require(
        REGISTRY_RECORD_TYPE in record_types,
        "record_types",
        "must include TXT: ExternalDNS writes a TXT ownership record beside every record",
    )
    v.require(
        any(t in record_types for t in ADDRESS_RECORD_TYPES),
        "record_types",
        "needs A, AAAA or CNAME: A for load balancers (alias records), AAAA too when they "
        "are dual-stack, CNAME for other host names",
    )


def _validate_selector(selector: Any, field_name: str) -> None:
    """A label selector (what ``--annotation-filter`` parses): ``key``, ``!key``,
    ``key=value``, ``key!=value``, ``key in (a,b)``, ``key notin (a,b)``, comma-separated."""
    v.require(
        isinstance(selector, str) and selector.strip() != "",
        field_name,
        "must be a non-empty selector, e.g. external-dns.alpha.kubernetes.io/expose=true",
    )
    for requirement in _split_selector(selector):
        text = requirement.strip()
        exists = _SELECTOR_EXISTS.match(text)
        equals = _SELECTOR_EQUALS.match(text)
        in_set = _SELECTOR_SET.match(text)
        ok = exists is not None or equals is not None or in_set is not None
        if equals is not None:
            v.label_key(equals.group(1), field_name)
            v.label_value(equals.group(3), field_name)
        elif in_set is not None:
            v.label_key(in_set.group(1), field_name)
            values = [x.strip() for x in in_set.group(3).split(",")]
            ok = all(values)
            for value in values:
                v.label_value(value, field_name)
        elif exists is not None:
            v.label_key(exists.group(2), field_name)
        v.require(
            ok,
            field_name,
            f"{text!r} is not a selector requirement (key, !key, key=value, key!=value, "
            "key in (a,b), key notin (a,b))",
        )


def _split_selector(selector: str) -> list[str]:
    """Split at the commas outside parentheses."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(selector):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(selector[start:i])
            start = i + 1
    parts.append(selector[start:])
    return parts


def _validate_source_namespace(args: ExternalDnsArgs) -> None:
    if args.source_namespace is None:
        return
    v.dns_label(args.source_namespace, "source_namespace", "namespace")
    for source in CLUSTER_SCOPED_SOURCES:
        v.require(
            source not in args.sources,
            "sources",
            f"the {source!r} source reads Nodes, which an ExternalDNS limited to one namespace "
            "(source_namespace) may not",
        )
    extra = args.values.get("extraArgs") or []
    v.require(
        f"{_SERVICE_TYPE_FLAG}=NodePort" not in extra,
        "values.extraArgs",
        "NodePort Services need Node addresses, which an ExternalDNS limited to one namespace "
        "(source_namespace) may not read",
    )
