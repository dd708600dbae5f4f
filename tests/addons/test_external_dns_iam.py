"""ExternalDns's role: record changes in the configured zones only, narrowed by name and type."""

from __future__ import annotations

import re
from typing import Any

import pytest

from components.addons.external_dns import HostedZone
from components.addons.external_dns import iam as external_dns_iam
from components.policies import EXTERNAL_DNS_TUTORIAL_POLICY_FILE, load_policy
from tests.addons.external_dns_support import (
    ZONE_ID,
    as_list,
    default,
    policy_of,
    resources_by_action,
    synth,
    values_of,
)
from tests.oracles.iam_validation import assert_valid_permission_policy

RECORD_NAMES_KEY = "route53:ChangeResourceRecordSetsNormalizedRecordNames"
RECORD_TYPES_KEY = "route53:ChangeResourceRecordSetsRecordTypes"
RECORD_ACTIONS = {
    "route53:ChangeResourceRecordSets",
    "route53:ListResourceRecordSets",
    "route53:ListTagsForResources",
}


def test_no_record_permission_on_star_or_every_zone() -> None:
    granted = resources_by_action(policy_of(default()))
    for action, resources in granted.items():
        assert not any(r.endswith("hostedzone/*") for r in resources), action
        if "*" in resources:
            assert action == "route53:ListHostedZones", f"{action} granted on *"
    assert granted["route53:ListHostedZones"] == {"*"}


def test_record_actions_only_on_configured_zones() -> None:
    result = synth(
        zones=[
            HostedZone(domain="dev.example.com"),
            HostedZone(zone_id=ZONE_ID),
            HostedZone(domain="b.example.org", zone_id="ZB0000000000000000000"),
        ]
    )
    zone_ids = result.outputs["zoneIds"]
    assert len(zone_ids) == 3 and ZONE_ID in zone_ids and "ZB0000000000000000000" in zone_ids
    expected = {f"arn:aws:route53:::hostedzone/{z}" for z in zone_ids}
    granted = resources_by_action(policy_of(result))
    assert set(granted) == {*RECORD_ACTIONS, "route53:ListHostedZones"}
    for action in RECORD_ACTIONS:
        assert granted[action] == expected
    assert set(result.outputs["zoneArns"]) == expected


def test_same_actions_as_the_upstream_tutorial_narrowed_to_the_zones() -> None:
    tutorial = resources_by_action(load_policy(EXTERNAL_DNS_TUTORIAL_POLICY_FILE))
    ours = resources_by_action(policy_of(default()))
    assert set(ours) == set(tutorial)
    assert tutorial["route53:ChangeResourceRecordSets"] == {"arn:aws:route53:::hostedzone/*"}
    for action, resources in ours.items():
        if tutorial[action] == {"*"}:
            assert resources == {"*"}
        else:
            assert len(resources) == 1 and "*" not in next(iter(resources))


def test_policy_is_a_valid_iam_policy() -> None:
    assert_valid_permission_policy(policy_of(default()))


def test_china_partition() -> None:
    result = synth(region="cn-north-1")
    policy = policy_of(result)
    arns = resources_by_action(policy)["route53:ChangeResourceRecordSets"]
    assert arns and all(a.startswith("arn:aws-cn:route53:::hostedzone/Z") for a in arns)
    assert "arn:aws:" not in str(policy)
    env = {e["name"]: e["value"] for e in values_of(result)["env"]}
    assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == "cn-north-1"


def _like(pattern: str, value: str) -> bool:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value) is not None


def change_allowed(
    policy: dict[str, Any], zone_arn: str, names: list[str], types: list[str]
) -> bool:
    """Whether ``policy`` lets ChangeResourceRecordSets change records ``names`` of ``types`` in
    the zone ``zone_arn``: IAM's evaluation of the Allow statements (no Deny in these policies)
    with the operators the policy uses. Route53 puts every name of the batch, normalized
    (lower-case, no trailing dot), in the NormalizedRecordNames key, every type in RecordTypes."""
    context: dict[str, list[str]] = {
        RECORD_NAMES_KEY: [n.lower().rstrip(".") for n in names],
        RECORD_TYPES_KEY: list(types),
    }
    operators = {
        "ForAllValues:StringLike": lambda want, got: all(
            any(_like(p, g) for p in want) for g in got
        ),
        "ForAllValues:StringEquals": lambda want, got: all(g in want for g in got),
        "Null": lambda want, got: (want == ["true"]) == (not got),
    }
    for stmt in as_list(policy["Statement"]):
        if stmt["Effect"] != "Allow":
            continue
        if not any(_like(a, "route53:ChangeResourceRecordSets") for a in as_list(stmt["Action"])):
            continue
        if not any(_like(r, zone_arn) for r in as_list(stmt["Resource"])):
            continue
        holds = True
        for operator, keys in stmt.get("Condition", {}).items():
            assert operator in operators, f"evaluator does not know {operator}"
            for key, want in keys.items():
                holds = holds and operators[operator](as_list(want), context.get(key, []))
        if holds:
            return True
    return False


def test_default_policy_limits_the_record_types() -> None:
    policy = policy_of(default())
    (zone_arn,) = resources_by_action(policy)["route53:ChangeResourceRecordSets"]
    name = "app.dev.example.com"
    assert change_allowed(policy, zone_arn, [name, f"edns-a.{name}"], ["A", "TXT"])
    assert change_allowed(policy, zone_arn, [name], ["AAAA", "CNAME"])
    # An NS record would delegate the name elsewhere; MX would take its mail.
    assert not change_allowed(policy, zone_arn, [name], ["NS"])
    assert not change_allowed(policy, zone_arn, [name, name], ["A", "MX"])
    # Any name in the zone (no subdomains configured).
    assert change_allowed(policy, zone_arn, ["dev.example.com", "x.y.dev.example.com"], ["A"])
    (change,) = [s for s in policy["Statement"] if "Condition" in s]
    assert change["Action"] == ["route53:ChangeResourceRecordSets"]
    assert change["Condition"] == {
        "ForAllValues:StringEquals": {RECORD_TYPES_KEY: ["A", "AAAA", "CNAME", "TXT"]},
        "Null": {RECORD_TYPES_KEY: "false"},
    }


def test_subdomains_limit_the_record_names() -> None:
    result = synth(
        zones=[HostedZone(domain="example.com")],
        subdomains=["team-a.example.com", "b.team-c.example.com"],
    )
    policy = policy_of(result)
    (zone_arn,) = resources_by_action(policy)["route53:ChangeResourceRecordSets"]
    (change,) = [s for s in policy["Statement"] if "Condition" in s]
    assert change["Condition"]["ForAllValues:StringLike"] == {
        RECORD_NAMES_KEY: [
            "*.b.team-c.example.com",
            "*.team-a.example.com",
            "b.team-c.example.com",
            "team-a.example.com",
        ]
    }
    assert change["Condition"]["Null"] == {RECORD_NAMES_KEY: "false", RECORD_TYPES_KEY: "false"}

    def allowed(*names: str) -> bool:
        types = ["A", "TXT"]
        return change_allowed(policy, zone_arn, list(names), types)

    # The subdomain itself, names below it and their TXT ownership records.
    assert allowed("team-a.example.com", "edns-a.team-a.example.com")
    assert allowed("App.Team-A.example.com.", "edns-a.app.team-a.example.com")
    assert allowed("*.team-a.example.com", "x.y.b.team-c.example.com")
    # Names outside: the zone apex, siblings, look-alikes, the parent of b.team-c.
    for outside in (
        "example.com",
        "team-b.example.com",
        "xteam-a.example.com",
        "team-a.example.com.evil.com",
        "team-c.example.com",
        "www.example.com",
    ):
        assert not allowed(outside), outside
    # One name outside fails the whole batch.
    assert not allowed("app.team-a.example.com", "www.example.com")
    assert_valid_permission_policy(policy)
    values = values_of(result)
    assert values["domainFilters"] == ["team-a.example.com", "b.team-c.example.com"]
    assert result.outputs["domainFilters"] == values["domainFilters"]
    assert "--aws-zone-match-parent" in values["extraArgs"]


def test_condition_keys_are_route53_keys_of_the_action() -> None:
    from policy_sentry.querying.actions import get_action_data

    (data,) = {
        tuple(d["condition_keys"])
        for d in get_action_data("route53", "ChangeResourceRecordSets")["route53"]
    }
    assert {RECORD_NAMES_KEY, RECORD_TYPES_KEY} <= set(data)


def test_record_types_can_be_chosen_or_left_open() -> None:
    narrow = synth(record_types=["A", "TXT"])
    policy = policy_of(narrow)
    (zone_arn,) = resources_by_action(policy)["route53:ChangeResourceRecordSets"]
    assert change_allowed(policy, zone_arn, ["a.dev.example.com"], ["A", "TXT"])
    assert not change_allowed(policy, zone_arn, ["a.dev.example.com"], ["AAAA"])
    assert values_of(narrow)["managedRecordTypes"] == ["A"]
    assert_valid_permission_policy(policy)
    open_ = synth(record_types=[])
    policy = policy_of(open_)
    assert not any("Condition" in s for s in policy["Statement"])
    assert change_allowed(policy, zone_arn, ["a.dev.example.com"], ["NS", "MX"])
    assert "managedRecordTypes" not in values_of(open_)


def test_policy_function_never_degrades_to_every_zone() -> None:
    with pytest.raises(ValueError, match=r"^zones:"):
        external_dns_iam.route53_policy([])
