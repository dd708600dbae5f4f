"""The arguments of :class:`~components.addons.external_dns.ExternalDns` and the vocabularies
they take (policies, sources, record types, zone types)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..controller import ControllerArgs
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


@dataclass(kw_only=True)
class ExternalDnsArgs(ControllerArgs):
    """Arguments of :class:`~components.addons.external_dns.ExternalDns`: the shared fields of
    :class:`~components.addons.controller.ControllerArgs` and its own. In stack config:
    ``eks-platform:externalDns`` (camelCase keys; ``cluster`` is set in code)."""

    chart: ChartSpec = DEFAULT_CHART
    """The chart and its exact version."""
    replicas: int = 1
    """ExternalDNS runs as one pod: it has no leader election (and the chart no
    ``replicaCount``), so a second one would race the first on the same records. Only 1."""
    resources: dict[str, dict[str, str]] = field(default_factory=_default_resources)
    """Requests and limits of the ExternalDNS container (the chart's ``resources``); raise the
    memory for zones with many thousands of records."""
    values: dict[str, Any] = field(default_factory=dict)
    """Extra chart values, deep-merged last (mappings merge, anything else replaces), except
    ``extraArgs``, which is appended to the component's own arguments. It may not set what
    the arguments above set: the scoping flags (``--zone-id-filter``, ``--aws-zone-type``,
    ``--domain-filter``, ``--aws-zone-match-parent``, ``--managed-record-types``,
    ``--annotation-filter``, ``--namespace``) nor ``domainFilters``, ``managedRecordTypes``,
    ``annotationFilter``, ``namespaced``, ``sourceNamespace`` and ``resources``."""
    zones: list[HostedZone]
    """The hosted zones ExternalDNS may change (at least one). The IAM policy names exactly these
    zones; there is no fallback to ``hostedzone/*``."""
    namespace: str = "external-dns"
    """Namespace of the release and the ServiceAccount."""
    create_namespace: bool = True
    """Create the namespace (before the ServiceAccount and the release). False when it exists
    already (e.g. ``kube-system``) or another component creates it."""
    service_account: str = "external-dns"
    """Name of the ServiceAccount; created by this component (the chart's is disabled), with the
    IRSA annotation when ``identity`` is ``irsa``."""
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
