"""An ARN's region is an AWS region: typos are refused, every real region is accepted."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import botocore
import pytest

from components.identity import permissions as p
from components.identity.arns import REGION


def _botocore_regions() -> list[str]:
    """Every region of every partition, as botocore (an independent source) lists them."""
    data = json.loads((Path(botocore.__file__).parent / "data" / "partitions.json").read_text())
    return sorted(
        region
        for partition in data["partitions"]
        for region in partition["regions"]
        if not region.endswith("-global")  # the partitions' pseudo-regions
    )


def test_every_region_botocore_knows_is_a_region() -> None:
    regions = _botocore_regions()
    assert {"us-east-1", "us-gov-west-1", "cn-northwest-1", "us-isob-east-1"} <= set(regions)
    assert [r for r in regions if not REGION.match(r)] == []


@pytest.mark.parametrize(
    "call, field",
    [
        (lambda arn: p.sqs_send(arn.replace("SERVICE", "sqs")), "permissions.sqs_send: queue"),
        (
            lambda arn: p.sns_publish(arn.replace("SERVICE", "sns")),
            "permissions.sns_publish: topic",
        ),
    ],
)
@pytest.mark.parametrize("region", ["eu-wset-1", "us-esat-2", "ap-south", "useast-1"])
def test_a_misspelt_region_is_refused(
    call: Callable[[str], object], field: str, region: str
) -> None:
    with pytest.raises(ValueError) as error:
        call(f"arn:aws:SERVICE:{region}:123456789012:jobs")
    assert str(error.value).startswith(field), error.value
    assert f"region {region!r} is not an AWS region" in str(error.value)
