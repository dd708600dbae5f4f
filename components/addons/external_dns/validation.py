"""ExternalDns's own rules, beside its args: :func:`validate_settings` is the one check of the
plain (configurable) fields, run by the component and by the stack configuration alike.

Every rule raises ``InvalidArgument`` naming the field and the rule it broke.
"""

from __future__ import annotations

import re
from typing import Any

from ... import validation as v
from ..controller import validate_shared
from .args import (
    ADDRESS_RECORD_TYPES,
    CLUSTER_SCOPED_SOURCES,
    MIN_INTERVAL_SECONDS,
    POLICIES,
    RECORD_TYPES,
    REGISTRY_RECORD_TYPE,
    SOURCES,
    ZONE_TYPES,
    ExternalDnsArgs,
    HostedZone,
)
from .chart import MANAGED_VALUES, SCOPING_FLAGS, SERVICE_TYPE_FLAG
from .zones import within

_INTERVAL = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")
_RECORD_TYPE_TEMPLATE = "%{record_type}"
_TXT_AFFIX = re.compile(r"^[a-z0-9_-]*(\.[a-z0-9_-]+)*\.?$")
_TXT_OWNER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
# A label selector requirement (``--annotation-filter`` uses label-selector syntax).
_SELECTOR_KEY = r"[A-Za-z0-9][-A-Za-z0-9_./]*"
_SELECTOR_EXISTS = re.compile(rf"^(!?)\s*({_SELECTOR_KEY})$")
_SELECTOR_EQUALS = re.compile(rf"^({_SELECTOR_KEY})\s*(==|=|!=)\s*([-A-Za-z0-9_.]*)$")
_SELECTOR_SET = re.compile(rf"^({_SELECTOR_KEY})\s+(in|notin)\s+\(([^()]*)\)$")


def validate_settings(args: ExternalDnsArgs) -> None:
    """Check the plain (configurable) fields; a stack can run this before the cluster exists."""
    validate_shared(args, MANAGED_VALUES)
    v.require(
        args.replicas == 1,
        "replicas",
        f"must be 1, not {args.replicas!r}: ExternalDNS runs as one pod (it has no leader "
        "election, and the chart no replicaCount)",
    )
    _validate_zones(args.zones)
    v.dns_label(args.namespace, "namespace", "namespace")
    v.dns_subdomain(args.service_account, "service_account", "ServiceAccount name")
    v.one_of(args.policy, POLICIES, "policy")
    _validate_interval(args.interval)
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
    _validate_extra_args(args.values)
    _validate_subdomains(args)
    _validate_record_types(args.record_types)
    if args.annotation_filter is not None:
        _validate_selector(args.annotation_filter, "annotation_filter")
    _validate_source_namespace(args)


def interval_seconds(value: str) -> int | None:
    """Seconds in a Go duration of whole hours/minutes/seconds (``2m30s``), or None if not one."""
    match = _INTERVAL.match(value) if isinstance(value, str) and value else None
    if match is None:
        return None
    hours, minutes, seconds = (int(g) if g else 0 for g in match.groups())
    return hours * 3600 + minutes * 60 + seconds


def _validate_interval(interval: Any) -> None:
    seconds = interval_seconds(interval)
    v.require(
        seconds is not None,
        "interval",
        f"{interval!r} is not a duration of whole hours, minutes and seconds (e.g. 1m, 90s, 2m30s)",
    )
    v.require(
        seconds is not None and seconds >= MIN_INTERVAL_SECONDS,
        "interval",
        f"{interval!r} is shorter than 1m: Route53 allows five requests per second per "
        "account, shared with every other caller",
    )


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


def _validate_extra_args(values: Any) -> None:
    """``values.extraArgs``: appended to the component's flags, so none of its scoping flags."""
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
            flag not in SCOPING_FLAGS,
            f"values.extraArgs[{i}]",
            f"{flag} is derived from {SCOPING_FLAGS.get(flag)}; set it there",
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
                any(within(sub, str(d)) for d in domains),
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
        f"{SERVICE_TYPE_FLAG}=NodePort" not in extra,
        "values.extraArgs",
        "NodePort Services need Node addresses, which an ExternalDNS limited to one namespace "
        "(source_namespace) may not read",
    )
