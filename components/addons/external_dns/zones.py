"""The configured hosted zones, resolved: id, domain and visibility of each, and what follows
from them (the chart's domain filters, the ``--aws-zone-type``).

Zones are given by domain (looked up with ``aws.route53.get_zone``), by id (looked up for
their domain name, which ``domainFilters`` needs), or by both (no lookup).
"""

from __future__ import annotations

from typing import NamedTuple

import pulumi
import pulumi_aws as aws

from ... import validation as v
from .args import ExternalDnsArgs, HostedZone

HOSTED_ZONE_PREFIX = "/hostedzone/"
"""What Route53 puts before a zone id in some answers (and ``--zone-id-filter`` takes)."""


class ResolvedZone(NamedTuple):
    """A configured zone once its id, domain and visibility are all known."""

    zone_id: str
    domain: str
    private: bool


def resolve_zones(
    zones: list[HostedZone], invoke: pulumi.InvokeOutputOptions
) -> pulumi.Output[list[ResolvedZone]]:
    """Every configured zone resolved, in the order configured (one lookup per zone that is
    not given by both domain and id)."""
    return pulumi.Output.all(*[_resolve_zone(zone, invoke) for zone in zones]).apply(
        lambda zs: [ResolvedZone(*z) for z in zs]
    )


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
    return found.apply(lambda z: (z.zone_id.removeprefix(HOSTED_ZONE_PREFIX), domain, private))


def zone_ids(zones: list[ResolvedZone]) -> list[str]:
    """The zones' ids, each once, in the order configured."""
    return unique([z.zone_id for z in zones])


def domain_filters(
    args: ExternalDnsArgs, zones: list[ResolvedZone], owner: str | None = None
) -> list[str]:
    """The chart's ``domainFilters``: ``args.subdomains`` (each checked to lie in a zone, now
    that every zone's domain is known), else the zones' domains."""
    domains = unique([z.domain for z in zones])
    if not args.subdomains:
        return domains
    for i, sub in enumerate(args.subdomains):
        if not any(within(sub, d) for d in domains):
            raise v.InvalidArgument(
                f"subdomains[{i}]",
                f"{sub!r} is in none of the zones ({', '.join(domains)})",
                owner,
            )
    return list(args.subdomains)


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


def within(name: str, domain: str) -> bool:
    """Whether ``name`` is ``domain`` or a name below it."""
    return name == domain or name.endswith(f".{domain}")


def unique(items: list[str]) -> list[str]:
    """``items`` without repeats, in their order."""
    return list(dict.fromkeys(items))


def _normal_domain(name: str) -> str:
    return name.rstrip(".").lower()
