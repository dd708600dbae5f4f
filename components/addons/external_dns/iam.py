"""What ExternalDNS's role may do: change and read records in the configured zones only.

* ``route53:ChangeResourceRecordSets``, ``ListResourceRecordSets`` and
  ``ListTagsForResources`` on ``arn:<partition>:route53:::hostedzone/<id>`` of each zone;
* ``route53:ListHostedZones`` on ``*`` (the only Route53 listing that has no resource).

The upstream tutorial grants ``hostedzone/*``; here a zone that is not configured cannot be
written to even if the controller is misconfigured. In a zone shared with others, record
changes are narrowed further with Route53's condition keys: the names (``subdomains``) and
the types (``record_types``) of a change batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

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
"""Name of the role's inline policy (:func:`route53_policy`)."""


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
        # validate_settings refuses empty zones; never degrade to a policy without resources.
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
