"""Deterministic names for AWS resources: within length limits, unique per stack, checked.

IAM refuses a role name over 64 characters and a policy name over 128 at deploy time,
and role and policy names are unique per account, ignoring case. Components derive the
names they do not get explicitly from their own (user-chosen) names:

* :func:`stack_unique` appends a short hash of ``<project>/<stack>``, so the same program
  deployed as two stacks in one account (dev and staging, or two developers' stacks)
  does not collide, and a name never changes between runs;
* :func:`shorten` keeps a name that fits and otherwise cuts it and appends a short hash of
  the full name, so the result is stable and distinct for distinct inputs;
* :func:`claim` records every IAM name a program uses and refuses the second component
  that would use the same one (case-insensitively), naming both, before anything is
  registered, instead of the second ``CreateRole`` failing halfway through a deployment;
* :func:`claim_object` does the same for the Kubernetes objects the components create
  (Namespaces, ServiceAccounts, ExternalSecrets and the Secrets they write), keyed by the
  cluster's Kubernetes provider: one object, one owner.
"""

from __future__ import annotations

import hashlib
import re

import pulumi

from . import run_state
from . import validation as v

IAM_ROLE_NAME_MAX = 64
IAM_POLICY_NAME_MAX = 128
_HASH_LEN = 8
_STACK_HASH_LEN = 6
_IAM_UNSAFE = re.compile(r"[^\w+=,.@-]")


def digest(text: str, length: int = _HASH_LEN) -> str:
    """The first ``length`` hex digits of the SHA-256 of ``text``: short, stable, distinct."""
    return hashlib.sha256(text.encode()).hexdigest()[:length]


def shorten(name: str, max_length: int) -> str:
    """Return ``name`` if it fits, else a prefix of it plus ``-<8 hex of sha256(name)>``."""
    if len(name) <= max_length:
        return name
    return f"{name[: max_length - _HASH_LEN - 1].rstrip('-_.')}-{digest(name)}"


def iam_name(name: str, max_length: int = IAM_ROLE_NAME_MAX) -> str:
    """An IAM-safe name derived from ``name``: unsafe characters become ``-``, then shortened."""
    return shorten(_IAM_UNSAFE.sub("-", name), max_length)


def stack_hash() -> str:
    """Six hex digits that identify this program's project and stack."""
    return digest(f"{pulumi.get_project()}/{pulumi.get_stack()}", _STACK_HASH_LEN)


def stack_unique(name: str, max_length: int = IAM_ROLE_NAME_MAX) -> str:
    """``<name>-<stack hash>`` made IAM-safe and at most ``max_length`` characters.

    The suffix is derived from the project and stack names, so the name is the same on
    every run of one stack and differs between stacks.
    """
    suffix = f"-{stack_hash()}"
    return iam_name(name, max_length - len(suffix)) + suffix


# One registry per program run (run_state): IAM names by (kind, lowercased name): (owner, id).
_Claims = dict[tuple[str, str], tuple[str, int]]


def _claims() -> _Claims:
    claims: _Claims = run_state.registry("iam-names", dict)
    return claims


def claim(kind: str, name: str, owner: str, by: object, field: str) -> None:
    """Record that ``by`` (described as ``owner``) creates the IAM ``kind`` named ``name``.

    ``kind`` is ``role`` or ``policy``. Raises
    :class:`~components.validation.InvalidArgument` on ``field`` when another object of
    this program already claimed that name (IAM names ignore case), naming both.
    """
    claims = _claims()
    key = (kind, name.lower())
    other = claims.get(key)
    if other is not None and other[1] is not by:
        raise v.InvalidArgument(
            field,
            f"the IAM {kind} name {name!r} is already used by {other[0]} in this program "
            f"(IAM {kind} names are unique per account, ignoring case); name one of them "
            "differently",
            owner,
        )
    claims[key] = (owner, id(by))


# Kubernetes objects by (cluster's provider, kind, namespace, name): (owner, creator, provider).
_Objects = dict[tuple[int, str, str, str], tuple[str, object, object]]


def claim_object(
    provider: object,
    cluster: str,
    kind: str,
    namespace: str,
    name: str,
    *,
    owner: str,
    by: object,
    field: str,
    hint: str,
) -> None:
    """Record that ``by`` (described as ``owner``) creates the Kubernetes ``kind``
    ``namespace/name`` (``namespace`` empty for a cluster-scoped object) through ``provider``,
    the Kubernetes provider of the cluster described as ``cluster``.

    Raises :class:`~components.validation.InvalidArgument` on ``field`` when another object of
    this program already creates it on that cluster, naming both and ending with ``hint`` (what
    to change): two owners of one object overwrite each other, and deleting either deletes it.
    """
    objects: _Objects = run_state.registry("kubernetes-objects", dict)
    key = (id(provider), kind, namespace, name)
    other = objects.get(key)
    if other is not None and other[1] is not by:
        shown = f"{namespace}/{name}" if namespace else name
        raise v.InvalidArgument(
            field,
            f"{kind} {shown!r} on cluster {cluster!r} is already created by {other[0]} in this "
            f"program (one object, one owner); {hint}",
            owner,
        )
    # Strong references: an id() of an object that is gone can be reused by the next one.
    objects[key] = (owner, by, provider)
