"""``ExternalDns``: ExternalDNS on EKS, allowed to change records in the configured zones only.

ExternalDNS watches Ingresses and Services; for each host name it finds, it reads the
load balancer's DNS name from the object's status and writes a Route53 alias record,
plus a TXT "ownership" record that marks the record as this cluster's. This component
installs the official chart (pinned, as a Helm release) and gives the controller an IAM
role (IRSA by default, or EKS Pod Identity) whose policy names exactly the configured
hosted zones, optionally narrowed to ``subdomains`` and ``record_types``; the chart is told
the same zones, names and types, so it never tries a change IAM would refuse.

Which Kubernetes objects it reads can be narrowed too: ``annotation_filter``
(``--annotation-filter``) and ``source_namespace`` (``--namespace``, with the chart's RBAC
turned into a Role in that namespace). ExternalDNS watches one namespace or all of them;
for several, run one ``ExternalDns`` per namespace (each gets its own TXT owner id) or
mark the objects and use ``annotation_filter``.

The chart runs ExternalDNS as one replica (it has no leader election and the chart no
``replicaCount``), so there is no topology spread or PodDisruptionBudget to set; its pod
runs as non-root with a read-only root filesystem, no capabilities and the runtime's
seccomp profile (the chart's defaults), with resource requests and limits (``resources``).

The shortest add-on on :class:`~components.addons.controller.Controller`, in modules named
for what they hold:

* ``args``: :class:`ExternalDnsArgs`, :class:`HostedZone` and the vocabularies they take;
* ``validation``: :func:`validate_settings`, the add-on's own rules;
* ``zones``: the configured zones resolved (looked up by domain or id), the domain filters
  and the zone type that follow from them;
* ``iam``: :func:`route53_policy`, what the role may do;
* ``chart``: :func:`chart_values`, the chart values the component manages;
* here: the component, which puts them together.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from ... import aws_context
from ..controller import Controller
from .args import DEFAULT_CHART, ExternalDnsArgs, HostedZone
from .chart import MANAGED_VALUES, chart_values, default_owner_id
from .iam import INLINE_POLICY_NAME, RECORD_NAMES_KEY, RECORD_TYPES_KEY, route53_policy, zone_arn
from .validation import interval_seconds, validate_settings
from .zones import domain_filters, effective_zone_type, resolve_zones, zone_ids

__all__ = [
    "DEFAULT_CHART",
    "RECORD_NAMES_KEY",
    "RECORD_TYPES_KEY",
    "ExternalDns",
    "ExternalDnsArgs",
    "HostedZone",
    "chart_values",
    "interval_seconds",
    "route53_policy",
    "validate_settings",
]


class ExternalDns(Controller[ExternalDnsArgs]):
    """ExternalDNS (Helm release) with an IAM role scoped to the configured hosted zones.

    Creates, as children: the workload role (IRSA or Pod Identity) whose policy may change
    records only in the configured zones, its namespace and ServiceAccount, and the pinned
    Helm release, told the same zones.

    Args: :class:`ExternalDnsArgs`.
    """

    KIND = "ExternalDns"
    RULES = staticmethod(validate_settings)
    ARGS = ExternalDnsArgs
    MANAGED_VALUES = MANAGED_VALUES

    zone_ids: pulumi.Output[list[str]]
    """Ids of the zones ExternalDNS may change, in the order configured."""
    zone_arns: pulumi.Output[list[str]]
    """ARNs of those zones (in the deployment's partition): the record actions' resources."""
    domain_filters: pulumi.Output[list[str]]
    """The chart's ``domainFilters``: ``subdomains`` when given, else the zones' domain names."""
    zone_type: pulumi.Output[str]
    """The ``--aws-zone-type`` in effect (``""``: both)."""
    txt_owner_id: pulumi.Output[str]
    """The TXT registry owner id."""
    service_account: k8s.core.v1.ServiceAccount
    """The controller's ServiceAccount."""

    def build(self, name: str, args: ExternalDnsArgs) -> Mapping[str, Any]:
        """The zones, a role that may change records in them only, the release told the same."""
        # The zones: id, domain and visibility of each, looked up where not all are given.
        # Looked up, and their ARNs built, through the component's AWS provider (its account).
        provider = self.aws_provider
        zones = resolve_zones(
            args.zones, pulumi.InvokeOutputOptions(parent=self, provider=provider)
        )
        self.zone_ids = zones.apply(zone_ids)
        self.domain_filters = zones.apply(lambda zs: domain_filters(args, zs, self.owner))
        self.zone_type = zones.apply(lambda zs: effective_zone_type(args.zone_type, zs))
        self.zone_arns = pulumi.Output.all(aws_context.partition(provider), self.zone_ids).apply(
            lambda a: [zone_arn(a[0], zone_id) for zone_id in a[1]]
        )

        # The role, its namespace (unless it exists) and the ServiceAccount bound to it. The
        # policy waits for the domain filters: a subdomain in none of the zones fails it too.
        policy = pulumi.Output.all(self.zone_arns, self.domain_filters).apply(
            lambda a: route53_policy(a[0], args.subdomains, args.record_types)
        )
        role = self.create_role(
            name,
            args,
            namespace=args.namespace,
            service_account=args.service_account,
            inline_policies={INLINE_POLICY_NAME: policy},
            create_namespace=args.create_namespace,
        )
        assert role.service_account is not None  # created by the role
        self.service_account = role.service_account

        # The release, told the same zones; what relies on ExternalDNS waits for it.
        self.txt_owner_id = pulumi.Output.from_input(
            args.txt_owner_id if args.txt_owner_id is not None else self.cluster.name
        ).apply(lambda owner_id: default_owner_id(args, owner_id))
        values = pulumi.Output.all(
            self.txt_owner_id,
            self.domain_filters,
            self.zone_ids,
            self.zone_type,
            aws_context.region(provider),
        ).apply(lambda a: chart_values(args, *a))
        self.release = self.install(
            name, args, args.namespace, values, depends_on=[self.service_account]
        )
        self.release_name = self.release.name
        self.ready = [self.release]
        return {
            "roleArn": self.role_arn,
            "zoneIds": self.zone_ids,
            "zoneArns": self.zone_arns,
            "domainFilters": self.domain_filters,
            "txtOwnerId": self.txt_owner_id,
            "zoneType": self.zone_type,
            "namespace": self.namespace,
            "releaseName": self.release_name,
        }
