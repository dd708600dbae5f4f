"""Vendored upstream IAM policy documents and helpers to load them.

The JSON files in this package are copies of documents that upstream projects publish
for users to copy (see ``README.md`` next to this module for sources and versions).
They are read with :mod:`importlib.resources`, so they work from a source checkout and
from an installed wheel alike.

Importing this module has no side effects beyond defining constants: files are read
lazily on first use and cached; every public loader returns a fresh deep copy, so
callers may mutate the result freely.

Add-ons that fill in documents of their own read them through :func:`load_policy`: Karpenter's
(``karpenter-v1.14-*.json``) are filled in by :mod:`components.addons.karpenter.iam`.
"""

from __future__ import annotations

import copy
import hashlib
import json
from functools import cache
from importlib import resources
from typing import Any, Final

__all__ = [
    "ALB_CONTROLLER_POLICY_FILE",
    "ALB_CONTROLLER_POLICY_VERSION",
    "AWS_PARTITIONS",
    "EXTERNAL_DNS_TUTORIAL_POLICY_FILE",
    "load_balancer_controller_policy",
    "load_policy",
    "policy_sha256",
]

#: Controller release whose ``docs/install/iam_policy.json`` is vendored.
ALB_CONTROLLER_POLICY_VERSION: Final[str] = "v3.5.0"

#: File name (inside this package) of the vendored AWS Load Balancer Controller policy.
ALB_CONTROLLER_POLICY_FILE: Final[str] = "aws-load-balancer-controller-v3.5.0-iam-policy.json"

#: File name of the ExternalDNS tutorial policy. Reference only: it grants
#: ``hostedzone/*``; the project narrows it to the configured hosted zones.
EXTERNAL_DNS_TUTORIAL_POLICY_FILE: Final[str] = "external-dns-tutorial-iam-policy.json"

#: AWS partitions the loaders accept (:func:`load_balancer_controller_policy`, Karpenter's).
AWS_PARTITIONS: Final[tuple[str, ...]] = (
    "aws",
    "aws-cn",
    "aws-us-gov",
    "aws-iso",
    "aws-iso-b",
)

_ARN_PREFIX: Final[str] = "arn:aws:"


@cache
def _read_policy(filename: str) -> dict[str, Any]:
    """Read and parse one vendored JSON file (cached; callers must not mutate it)."""
    if (
        not filename
        or filename != filename.strip()
        or any(part in filename for part in ("/", "\\", ".."))
    ):
        raise ValueError(
            f"filename must be the plain name of a file in {__name__}, got {filename!r}"
        )
    if not filename.endswith(".json"):
        raise ValueError(f"filename must name a .json file, got {filename!r}")
    text = resources.files(__name__).joinpath(filename).read_text(encoding="utf-8")
    doc = json.loads(text)
    if not isinstance(doc, dict):
        raise ValueError(f"{filename} does not hold a JSON object")
    return doc


def load_policy(filename: str) -> dict[str, Any]:
    """Return the vendored JSON document ``filename`` from this package.

    Args:
        filename: Plain file name inside ``components.policies``, for example
            :data:`ALB_CONTROLLER_POLICY_FILE`. Paths are rejected.

    Returns:
        A fresh deep copy of the parsed document on every call.

    Raises:
        ValueError: ``filename`` is not a plain ``.json`` file name, or the file does
            not hold a JSON object.
        FileNotFoundError: No such file is vendored.
    """
    return copy.deepcopy(_read_policy(filename))


def _rewrite_partition(value: Any, partition: str) -> Any:
    """Return ``value`` with ``arn:aws:`` replaced by ``arn:<partition>:`` in all strings."""
    if isinstance(value, str):
        return value.replace(_ARN_PREFIX, f"arn:{partition}:")
    if isinstance(value, list):
        return [_rewrite_partition(item, partition) for item in value]
    if isinstance(value, dict):
        # Keys are IAM element names or condition keys, never ARNs: leave them alone.
        return {key: _rewrite_partition(item, partition) for key, item in value.items()}
    return value


def load_balancer_controller_policy(partition: str = "aws") -> dict[str, Any]:
    """Return the AWS Load Balancer Controller IAM policy for ``partition``.

    The vendored upstream document (:data:`ALB_CONTROLLER_POLICY_VERSION`) names the
    commercial partition in its ARNs; every ``arn:aws:`` in a string value is rewritten
    to ``arn:<partition>:``. For ``"aws"`` the document is returned unchanged.

    Args:
        partition: One of :data:`AWS_PARTITIONS`.

    Returns:
        A fresh policy document (``{"Version": ..., "Statement": [...]}``).

    Raises:
        ValueError: ``partition`` is not one of :data:`AWS_PARTITIONS`.
    """
    if partition not in AWS_PARTITIONS:
        raise ValueError(f"partition must be one of {', '.join(AWS_PARTITIONS)}; got {partition!r}")
    doc = load_policy(ALB_CONTROLLER_POLICY_FILE)
    if partition == "aws":
        return doc
    rewritten: dict[str, Any] = _rewrite_partition(doc, partition)
    return rewritten


def policy_sha256(doc: dict[str, Any]) -> str:
    """Return the hex SHA-256 of ``doc``'s canonical JSON form.

    The canonical form is ``json.dumps(doc, sort_keys=True, separators=(",", ":"))``
    encoded as UTF-8, so the digest ignores key order and whitespace but not list order.

    Args:
        doc: A JSON-serialisable mapping, typically an IAM policy document.

    Returns:
        64 lowercase hex characters.
    """
    canonical = json.dumps(doc, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
