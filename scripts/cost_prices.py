"""The list prices :mod:`scripts.cost` prices a synth with (us-west-2, in dollars); their
sources and dates are in docs/cost.md."""

from __future__ import annotations

from decimal import Decimal

READ_ON = "2026-12-07"
"""The day the prices' sources (docs/cost.md) were read."""


def _table(text: str) -> dict[str, Decimal]:
    words = text.split()
    return {name: Decimal(value) for name, value in zip(words[::2], words[1::2], strict=True)}


PRICES = _table(
    """
    eks_standard_hour 0.10  eks_extended_hour 0.60  nat_hour 0.045  nat_gb 0.045  ipv4_hour 0.005
    alb_hour 0.0225  alb_lcu_hour 0.008  nlb_hour 0.0225  gp3_gb_month 0.08  gp2_gb_month 0.10
    logs_ingest_gb 0.50  logs_store_gb_month 0.03  kms_key_month 1.00  endpoint_az_hour 0.01
    endpoint_gb 0.01  secret_month 0.40  zone_month 0.50  ssm_advanced_month 0.05
    auto_mode_fraction 0.12
    """
)
"""us-west-2 list prices in dollars (per hour, GB or month as named); sources: docs/cost.md."""

ON_DEMAND = _table(
    """
    t3.medium 0.0416  t3.large 0.0832  t3a.medium 0.0376  t3a.large 0.0752  t4g.nano 0.0042
    t4g.small 0.0168  t4g.medium 0.0336  t4g.large 0.0672  m5.large 0.096  m5.xlarge 0.192
    m6i.large 0.096  m6i.xlarge 0.192  m6i.2xlarge 0.384  m6g.large 0.077  m6g.xlarge 0.154
    m7g.large 0.0816  m7g.xlarge 0.1632  c6i.large 0.085  c6g.large 0.068  c7g.large 0.0725
    r6i.large 0.126
    """
)
"""On-demand Linux $/hour in us-west-2 (the same as us-east-1 for these types)."""

SPOT = _table(
    """
    t3.medium 0.0171  t3a.medium 0.0167  t4g.small 0.0071  t4g.medium 0.0166  t4g.large 0.0243
    m5.large 0.0343  m6a.large 0.0339  m8g.medium 0.0096  m8g.large 0.0358
    """
)
"""Spot Linux $/hour in us-west-2: the lowest price AWS's Spot pricing page showed per type (its
feed, as fetched on 2026-08-10). A Spot price moves; these are typical, not promised."""
