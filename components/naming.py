"""Deterministic names for AWS resources with length limits.

IAM refuses a role name over 64 characters and a policy name over 128 at deploy
time. Components derive names from their own (user-chosen) names, so a long
stack or component name must never turn into a failed ``pulumi up``: names that
fit are used as they are; longer ones are cut and given a short hash of the full
name, so the result is stable across runs and distinct for distinct inputs.
"""

from __future__ import annotations

import hashlib
import re

IAM_ROLE_NAME_MAX = 64
IAM_POLICY_NAME_MAX = 128
_HASH_LEN = 8
_IAM_UNSAFE = re.compile(r"[^\w+=,.@-]")


def shorten(name: str, max_length: int) -> str:
    """Return ``name`` if it fits, else a prefix of it plus ``-<8 hex of sha256(name)>``."""
    if len(name) <= max_length:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:_HASH_LEN]
    return f"{name[: max_length - _HASH_LEN - 1].rstrip('-_.')}-{digest}"


def iam_name(name: str, max_length: int = IAM_ROLE_NAME_MAX) -> str:
    """An IAM-safe name derived from ``name``: unsafe characters become ``-``, then shortened."""
    return shorten(_IAM_UNSAFE.sub("-", name), max_length)
