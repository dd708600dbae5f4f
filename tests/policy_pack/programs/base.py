"""What the bad and good programs share: the ``Case`` record, its registry, common values."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

ACCOUNT = "123456789012"
ISSUER = "oidc.eks.us-west-2.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF"
OIDC_ARN = f"arn:aws:iam::{ACCOUNT}:oidc-provider/{ISSUER}"
ADMIN = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
SUBNETS = ["subnet-0a", "subnet-0b"]
KMS_KEY = f"arn:aws:kms:us-west-2:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"


@dataclass(frozen=True)
class Case:
    id: str
    program: Callable[[], None]
    violates: frozenset[str] = frozenset()
    """The rules the program breaks (mandatory); empty for a good program."""
    config: dict[str, Any] = field(default_factory=dict)
    """The policy config (``--policy-config``) the program is checked with."""
    rule: str = ""
    """The rule the case is about (for a good case: the one whose bad case it answers)."""


CASES: list[Case] = []


def case(
    rule: str, *, bad: bool, config: dict[str, Any] | None = None, also: tuple[str, ...] = ()
) -> Callable[[Callable[[], None]], Callable[[], None]]:
    """Register the decorated program as a case of ``rule``."""

    def register(program: Callable[[], None]) -> Callable[[], None]:
        violates = frozenset({rule, *also}) if bad else frozenset()
        name = program.__name__.removeprefix("bad_").removeprefix("good_")
        CASES.append(
            Case(f"{rule}/{'bad' if bad else 'good'}-{name}", program, violates, config or {}, rule)
        )
        return program

    return register
