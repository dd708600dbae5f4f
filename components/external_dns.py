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

Zones are given by domain (looked up with ``aws.route53.get_zone``), by id (looked up for
their domain name, which ``domainFilters`` needs), or by both (no lookup).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from . import deployment, helm, iam
from . import validation as v
from .cluster import EksCluster
from .cluster_ref import ClusterRef, as_cluster_ref
from .helm import ChartSpec
from .iam import RoleSettings
from .irsa import IrsaRole
from .pod_identity import PodIdentityRole
from .workload_identity import (
    IdentityMechanism,
    WorkloadRoleArgs,
    create_workload_role,
    validate_mechanism,
)

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
DEFAULT_TXT_PREFIX = "edns-%{record_type}."
"""Registry TXT records go one label below the record (``edns-a.app.example.com`` for the A
record ``app.example.com``), so the zone apex (``example.com`` itself) works too: a prefix
without a trailing dot (``edns-``) would put the apex's TXT record into the parent zone."""
MIN_INTERVAL_SECONDS = 60
"""Route53 allows five API requests per second per account, shared by every caller."""

RECORD_ACTIONS = (
    "route53:ChangeResourceRecordSets",
    "route53:ListResourceRecordSets",
    "route53:ListTagsForResources",
)
"""What the controller may do inside each configured zone."""
LIST_ZONES_ACTION = "route53:ListHostedZones"
"""The one action granted on ``*``: ListHostedZones takes no resource."""
INLINE_POLICY_NAME = "route53-records"
# Flags the component derives from ``zones`` / ``zone_type``; ``values.extraArgs`` may not set them.
_SCOPING_FLAGS = ("--zone-id-filter", "--aws-zone-type", "--domain-filter")

_INTERVAL = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")
_RECORD_TYPE_TEMPLATE = "%{record_type}"
_TXT_AFFIX = re.compile(r"^[a-z0-9_-]*(\.[a-z0-9_-]+)*\.?$")
_TXT_OWNER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
_HOSTED_ZONE_PREFIX = "/hostedzone/"


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
    """The owner id written into the TXT ownership records; unique per cluster that shares a zone
    and never changed afterwards. Default: the cluster name."""
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
    chart: ChartSpec = DEFAULT_CHART
    """The chart and its exact version."""
    deletion_protection: bool = False
    """Protect the Helm release (Pulumi ``protect``), as in prod: removing it then takes a
    deliberate ``pulumi state unprotect``."""
    values: dict[str, Any] = field(default_factory=dict)
    """Extra chart values, deep-merged last (mappings merge, anything else replaces), except
    ``extraArgs``, which is appended to the component's own arguments. It may not set the
    zone-scoping flags (``--zone-id-filter``, ``--aws-zone-type``, ``--domain-filter``)."""
    tolerations: list[dict[str, Any]] = field(default_factory=list)
    """Pod tolerations (Kubernetes ``Toleration`` objects, camelCase keys)."""
    node_selector: dict[str, str] = field(default_factory=dict)
    """Pod node selector (label key -> value)."""
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
    """The zones' domain names (the chart's ``domainFilters``)."""
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
        self.domain_filters = zones.apply(lambda zs: _unique([z.domain for z in zs]))
        self.zone_type = zones.apply(lambda zs: effective_zone_type(args.zone_type, zs))
        partition = deployment.partition()
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
                inline_policies={INLINE_POLICY_NAME: self.zone_arns.apply(route53_policy)},
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
        )
        region = deployment.region()
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


def route53_policy(zone_arns: list[str]) -> dict[str, Any]:
    """The controller's permission policy: record actions on ``zone_arns``, zone listing on ``*``."""
    if not zone_arns:
        # validate_args refuses empty zones; never degrade to a policy without resources.
        raise ValueError("zones: at least one hosted zone is required")
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ChangeRecordsInConfiguredZones",
                "Effect": "Allow",
                "Action": list(RECORD_ACTIONS),
                "Resource": sorted(set(zone_arns)),
            },
            {
                "Sid": "ListHostedZones",
                "Effect": "Allow",
                "Action": [LIST_ZONES_ACTION],
                "Resource": ["*"],
            },
        ],
    }


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
    }
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
    v.require(isinstance(args.chart, ChartSpec), "chart", "must be a ChartSpec")
    args.chart.validate("chart")
    _validate_values(args.values)
    v.tolerations(args.tolerations, "tolerations")
    v.labels(args.node_selector, "node_selector")
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
    v.require(isinstance(values, dict), "values", "must be a mapping of chart values")
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
            f"{flag} is derived from zones / zone_type; configure the zones there",
        )
