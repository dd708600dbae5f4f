"""ExternalDns's zones: looked up by domain or id, and the zone type and domain filters they give."""

from __future__ import annotations

from typing import Any

import pytest

from components.addons.external_dns import (
    HostedZone,
)
from components.synth.mocks import PlatformMocks
from tests.addons.external_dns_support import (
    ZONE_ID,
    default,
    synth,
    values_of,
)


def test_zone_by_domain_is_looked_up() -> None:
    result = default()
    (zone_id,) = result.outputs["zoneIds"]
    assert zone_id.startswith("Z") and "/" not in zone_id
    assert result.outputs["domainFilters"] == ["dev.example.com"]
    assert f"--zone-id-filter=/hostedzone/{zone_id}" in values_of(result)["extraArgs"]


def test_zone_by_id_is_looked_up_for_its_domain() -> None:
    result = synth(zones=[HostedZone(zone_id=ZONE_ID)])
    assert result.outputs["zoneIds"] == [ZONE_ID]
    # The mock answers a lookup by id with the domain example.com.
    assert result.outputs["domainFilters"] == ["example.com"]
    assert values_of(result)["domainFilters"] == ["example.com"]


@pytest.fixture
def zone_lookups(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Records every getZone invoke; zones whose id starts with ZP are private."""
    calls: list[dict[str, Any]] = []
    original = PlatformMocks.call

    def call(self: PlatformMocks, args: Any) -> Any:
        answer = original(self, args)
        if args.token == "aws:route53/getZone:getZone":
            calls.append(dict(args.args))
            if str(args.args.get("zoneId", "")).startswith("ZP"):
                answer[0]["privateZone"] = True
        return answer

    monkeypatch.setattr(PlatformMocks, "call", call)
    return calls


def test_zone_lookups(zone_lookups: list[dict[str, Any]]) -> None:
    synth(
        zones=[
            HostedZone(domain="dev.example.com"),
            HostedZone(domain="internal.example.com", private=True),
            HostedZone(zone_id=ZONE_ID),
            HostedZone(domain="both.example.com", zone_id="ZB0000000000000000000"),
        ]
    )
    # Invokes run concurrently: compare without regard to order.
    seen = sorted(
        (str(c.get("name")), str(c.get("privateZone")), str(c.get("zoneId"))) for c in zone_lookups
    )
    assert seen == sorted(
        [
            ("dev.example.com", "False", "None"),
            ("internal.example.com", "True", "None"),
            ("None", "None", ZONE_ID),
        ]
    )


def test_zone_by_id_takes_its_visibility_from_the_lookup(
    zone_lookups: list[dict[str, Any]],
) -> None:
    result = synth(zones=[HostedZone(zone_id="ZP0000000000000000000")])
    assert "--aws-zone-type=private" in values_of(result)["extraArgs"]
    assert len(zone_lookups) == 1


def test_zone_type_follows_the_zones() -> None:
    public = values_of(default())["extraArgs"]
    private = values_of(synth(zones=[HostedZone(domain="internal.example.com", private=True)]))[
        "extraArgs"
    ]
    mixed = values_of(
        synth(
            zones=[
                HostedZone(domain="example.com"),
                HostedZone(domain="internal.example.com", private=True),
            ]
        )
    )["extraArgs"]
    assert "--aws-zone-type=public" in public
    assert "--aws-zone-type=private" in private
    assert not any(a.startswith("--aws-zone-type") for a in mixed)
    assert sum(a.startswith("--zone-id-filter=") for a in mixed) == 2


def test_subdomain_outside_a_zone_given_by_id_is_refused_once_looked_up() -> None:
    # The mock answers a lookup by id with example.com.
    with pytest.raises(Exception, match=r"subdomains\[0\]: 'a\.example\.org' is in none"):
        synth(zones=[HostedZone(zone_id=ZONE_ID)], subdomains=["a.example.org"])
    result = synth(zones=[HostedZone(zone_id=ZONE_ID)], subdomains=["a.example.com"])
    assert values_of(result)["domainFilters"] == ["a.example.com"]
