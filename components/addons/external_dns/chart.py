"""The chart values ExternalDns manages (chart 1.21.x names), and the table of what users may
not override through ``values``.

The chart is told the zones the role may change (``--zone-id-filter``, ``domainFilters``,
``--aws-zone-type``), so that ExternalDNS never tries others, and the names and types the role
is narrowed to (``domainFilters`` with ``--aws-zone-match-parent``, ``managedRecordTypes``), so
that it never sends a change IAM would refuse (a refused change fails the whole batch of its
zone). ``annotation_filter`` and ``source_namespace`` narrow which objects it reads.
"""

from __future__ import annotations

from typing import Any

from .. import helm
from ..controller import placement_values
from ..helm import ManagedValues
from .args import REGISTRY_RECORD_TYPE, ExternalDnsArgs
from .zones import HOSTED_ZONE_PREFIX

MANAGED_VALUES: ManagedValues = {
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
"""Chart values the component derives from its arguments; ``values`` may not set them."""
SCOPING_FLAGS = {
    "--zone-id-filter": "zones",
    "--aws-zone-type": "zones / zone_type",
    "--domain-filter": "zones / subdomains",
    "--regex-domain-filter": "zones / subdomains",
    "--aws-zone-match-parent": "subdomains",
    "--managed-record-types": "record_types",
    "--annotation-filter": "annotation_filter",
    "--namespace": "source_namespace",
}
"""Flags the component derives from its arguments (flag -> argument); ``values.extraArgs``
may not set them."""
NAMESPACED_SERVICE_TYPES = ("LoadBalancer", "ClusterIP", "ExternalName")
"""With ``source_namespace`` and the service source: every Service type but NodePort, whose
targets are Node addresses a namespaced ExternalDNS may not read."""
SERVICE_TYPE_FLAG = "--service-type-filter"


def default_owner_id(args: ExternalDnsArgs, owner_id: str) -> str:
    """``owner_id`` as given, or (the cluster name by default) ``<cluster>.<source_namespace>``."""
    if args.txt_owner_id is None and args.source_namespace is not None:
        return f"{owner_id}.{args.source_namespace}"
    return owner_id


def chart_values(
    args: ExternalDnsArgs,
    txt_owner_id: str,
    domain_filters: list[str],
    zone_ids: list[str],
    zone_type: str,
    region: str,
) -> dict[str, Any]:
    """The chart values, with ``args.values`` merged last (its ``extraArgs`` appended)."""
    extra_args = [f"--aws-zone-type={zone_type}"] if zone_type else []
    extra_args += [f"--zone-id-filter={HOSTED_ZONE_PREFIX}{zone_id}" for zone_id in zone_ids]
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
            a.split("=", 1)[0] == SERVICE_TYPE_FLAG for a in user_extra
        ):
            extra_args += [f"{SERVICE_TYPE_FLAG}={t}" for t in NAMESPACED_SERVICE_TYPES]
    base.update(placement_values(args))
    user = dict(args.values)
    user_extra_args = list(user.pop("extraArgs", None) or [])
    merged = helm.deep_merge(base, user)
    merged["extraArgs"] = extra_args + user_extra_args
    return merged
