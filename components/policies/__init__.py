"""Vendored upstream IAM policy documents and helpers to load them.

The JSON files in this package are copies of documents that upstream projects publish
for users to copy (see ``README.md`` next to this module for sources and versions).
They are read with :mod:`importlib.resources`, so they work from a source checkout and
from an installed wheel alike.

Importing this module has no side effects beyond defining constants: files are read
lazily on first use and cached; every public loader returns a fresh deep copy, so
callers may mutate the result freely.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from functools import cache
from importlib import resources
from typing import Any, Final

__all__ = [
    "ALB_CONTROLLER_POLICY_FILE",
    "ALB_CONTROLLER_POLICY_VERSION",
    "AWS_PARTITIONS",
    "AWS_URL_SUFFIXES",
    "EXTERNAL_DNS_TUTORIAL_POLICY_FILE",
    "KARPENTER_CONTROLLER_POLICIES_FILE",
    "KARPENTER_EVENT_RULES_FILE",
    "KARPENTER_NODE_ROLE_FILE",
    "KARPENTER_POLICY_VERSION",
    "KARPENTER_QUEUE_POLICY_FILE",
    "karpenter_controller_policies",
    "karpenter_event_rules",
    "karpenter_node_role",
    "karpenter_queue_policy",
    "karpenter_queue_properties",
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

#: AWS partitions accepted by :func:`load_balancer_controller_policy`.
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


# --------------------------------------------------------------------------- Karpenter

#: Karpenter documentation version whose getting-started CloudFormation template is
#: vendored (the template for chart/app 1.14.x).
KARPENTER_POLICY_VERSION: Final[str] = "v1.14"

#: The controller's AWS::IAM::ManagedPolicy documents, keyed by logical id.
KARPENTER_CONTROLLER_POLICIES_FILE: Final[str] = "karpenter-v1.14-controller-policies.json"

#: The interruption queue's properties and its queue policy.
KARPENTER_QUEUE_POLICY_FILE: Final[str] = "karpenter-v1.14-queue-policy.json"

#: The interruption EventBridge rules (logical id -> event pattern).
KARPENTER_EVENT_RULES_FILE: Final[str] = "karpenter-v1.14-event-rules.json"

#: The node role: trust policy and AWS managed policy ARNs.
KARPENTER_NODE_ROLE_FILE: Final[str] = "karpenter-v1.14-node-role.json"

#: ``${AWS::URLSuffix}`` per partition (the service principal domain).
AWS_URL_SUFFIXES: Final[dict[str, str]] = {
    "aws": "amazonaws.com",
    "aws-cn": "amazonaws.com.cn",
    "aws-us-gov": "amazonaws.com",
    "aws-iso": "c2s.ic.gov",
    "aws-iso-b": "sc2s.sgov.gov",
}

_PLACEHOLDER_RE: Final = re.compile(r"\$\{([^}]*)\}")
_REGION_RE: Final = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")
_ACCOUNT_RE: Final = re.compile(r"^\d{12}$")
_CLUSTER_NAME_RE: Final = re.compile(r"^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$")


def _fill_placeholders(value: Any, variables: dict[str, str]) -> Any:
    """Return ``value`` with every ``${Name}`` in strings and mapping keys replaced.

    Raises:
        ValueError: a placeholder has no value in ``variables``.
    """
    if isinstance(value, str):

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in variables:
                raise ValueError(f"no value for placeholder ${{{name}}} in {value!r}")
            return variables[name]

        return _PLACEHOLDER_RE.sub(replace, value)
    if isinstance(value, list):
        return [_fill_placeholders(item, variables) for item in value]
    if isinstance(value, dict):
        return {
            _fill_placeholders(key, variables): _fill_placeholders(item, variables)
            for key, item in value.items()
        }
    return value


def _filled(filename: str, keys: tuple[str, ...], variables: dict[str, str]) -> Any:
    """Fill the section ``doc[keys[0]][keys[1]]...`` of a vendored file.

    Raises:
        ValueError: a variable is empty or holds ``${``, or a placeholder in the section
            has no value (so none can be left unfilled).
    """
    for name, text in variables.items():
        if not isinstance(text, str) or not text or "${" in text:
            raise ValueError(f"{name} must be a non-empty string without '${{', got {text!r}")
    section: Any = _read_policy(filename)
    for key in keys:
        section = section[key]
    used = sorted(set(_PLACEHOLDER_RE.findall(json.dumps(section))))
    missing = [f"${{{name}}}" for name in used if name not in variables]
    if missing:
        raise ValueError(f"{filename}: no value for placeholder(s) {', '.join(missing)}")
    return _fill_placeholders(copy.deepcopy(section), variables)


def _check_partition(partition: str) -> None:
    if partition not in AWS_PARTITIONS:
        raise ValueError(f"partition must be one of {', '.join(AWS_PARTITIONS)}; got {partition!r}")


def _check_scope(partition: str, region: str, account_id: str, cluster_name: str) -> None:
    _check_partition(partition)
    if not isinstance(region, str) or not _REGION_RE.match(region):
        raise ValueError(f"region must look like 'us-west-2', got {region!r}")
    if not isinstance(account_id, str) or not _ACCOUNT_RE.match(account_id):
        raise ValueError(f"account_id must be 12 digits, got {account_id!r}")
    if not isinstance(cluster_name, str) or not _CLUSTER_NAME_RE.match(cluster_name):
        raise ValueError(f"cluster_name is not a valid EKS cluster name: {cluster_name!r}")


def _check_queue_arn(queue_arn: str, partition: str, region: str, account_id: str) -> None:
    pattern = (
        rf"^arn:{re.escape(partition)}:sqs:{re.escape(region)}:{account_id}:[A-Za-z0-9_-]{{1,80}}$"
    )
    if not isinstance(queue_arn, str) or not re.match(pattern, queue_arn):
        raise ValueError(
            f"queue_arn must be an SQS queue ARN in {partition}/{region}/{account_id}, "
            f"got {queue_arn!r}"
        )


def karpenter_controller_policies(
    *,
    partition: str,
    region: str,
    account_id: str,
    cluster_name: str,
    queue_arn: str,
    node_role_arn: str,
) -> dict[str, dict[str, Any]]:
    """Return Karpenter's controller IAM policies for one cluster, filled in.

    The documents are the ``AWS::IAM::ManagedPolicy`` resources of Karpenter's
    :data:`KARPENTER_POLICY_VERSION` getting-started CloudFormation template (see
    ``README.md``), with its variables replaced: ``${AWS::Partition}``,
    ``${AWS::Region}``, ``${AWS::AccountId}``, ``${ClusterName}``,
    ``${KarpenterInterruptionQueue.Arn}`` and ``${KarpenterNodeRole.Arn}``.

    Args:
        partition: One of :data:`AWS_PARTITIONS`.
        region: The cluster's region, e.g. ``"us-west-2"``.
        account_id: The cluster's account, 12 digits.
        cluster_name: The EKS cluster name (tags and ARNs are scoped to it).
        queue_arn: ARN of the interruption SQS queue, in the same partition, region and
            account.
        node_role_arn: ARN of the node role the controller may pass to EC2, in the
            same partition and account.

    Returns:
        Logical id (``NodeLifecyclePolicy``, ``IAMIntegrationPolicy``,
        ``EKSIntegrationPolicy``, ``InterruptionPolicy``, ``ZonalShiftPolicy``,
        ``ResourceDiscoveryPolicy``) -> a fresh policy document.

    Raises:
        ValueError: an argument is malformed, or the vendored file holds a placeholder
            this function does not fill.
    """
    _check_scope(partition, region, account_id, cluster_name)
    _check_queue_arn(queue_arn, partition, region, account_id)
    role_pattern = rf"^arn:{re.escape(partition)}:iam::{account_id}:role/[\w+=,.@/-]+$"
    if not isinstance(node_role_arn, str) or not re.match(role_pattern, node_role_arn):
        raise ValueError(
            f"node_role_arn must be an IAM role ARN in {partition}/{account_id}, "
            f"got {node_role_arn!r}"
        )
    policies: dict[str, dict[str, Any]] = _filled(
        KARPENTER_CONTROLLER_POLICIES_FILE,
        ("policies",),
        {
            "AWS::Partition": partition,
            "AWS::Region": region,
            "AWS::AccountId": account_id,
            "ClusterName": cluster_name,
            "KarpenterInterruptionQueue.Arn": queue_arn,
            "KarpenterNodeRole.Arn": node_role_arn,
        },
    )
    return policies


def karpenter_queue_policy(*, queue_arn: str) -> dict[str, Any]:
    """Return the interruption queue's SQS queue policy for ``queue_arn``.

    Allows ``sqs:SendMessage`` from EventBridge (``events.amazonaws.com``) and SQS, and
    denies every ``sqs:*`` request that does not use TLS (``aws:SecureTransport``
    false). Kept as upstream has it: no ``Version`` element, ``Id``
    ``EC2InterruptionPolicy``.

    Raises:
        ValueError: ``queue_arn`` is not an SQS queue ARN, or a placeholder is left.
    """
    if not isinstance(queue_arn, str) or not re.match(
        r"^arn:[a-z-]+:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,80}$", queue_arn
    ):
        raise ValueError(f"queue_arn must be an SQS queue ARN, got {queue_arn!r}")
    policy: dict[str, Any] = _filled(
        KARPENTER_QUEUE_POLICY_FILE, ("policy",), {"KarpenterInterruptionQueue.Arn": queue_arn}
    )
    return policy


def karpenter_queue_properties(*, cluster_name: str) -> dict[str, Any]:
    """Return the interruption queue's upstream properties: ``QueueName`` (the cluster
    name), ``MessageRetentionPeriod`` (300 s) and ``SqsManagedSseEnabled`` (true)."""
    if not isinstance(cluster_name, str) or not _CLUSTER_NAME_RE.match(cluster_name):
        raise ValueError(f"cluster_name is not a valid EKS cluster name: {cluster_name!r}")
    properties: dict[str, Any] = _filled(
        KARPENTER_QUEUE_POLICY_FILE, ("queue",), {"ClusterName": cluster_name}
    )
    return properties


def karpenter_event_rules() -> dict[str, dict[str, Any]]:
    """Return the interruption EventBridge rules: logical id -> event pattern.

    ``ScheduledChangeRule`` (AWS Health events), ``SpotInterruptionRule``,
    ``RebalanceRule``, ``InstanceStateChangeRule`` and
    ``CapacityReservationInterruptionRule``. Upstream targets each at the interruption
    queue (target id ``KarpenterInterruptionQueueTarget``).
    """
    rules: dict[str, dict[str, Any]] = _filled(KARPENTER_EVENT_RULES_FILE, ("rules",), {})
    return rules


def karpenter_node_role(*, partition: str, url_suffix: str | None = None) -> dict[str, Any]:
    """Return the node role's ``AssumeRolePolicyDocument`` and ``ManagedPolicyArns``.

    Args:
        partition: One of :data:`AWS_PARTITIONS`.
        url_suffix: ``${AWS::URLSuffix}``; defaults to :data:`AWS_URL_SUFFIXES` for
            ``partition``.

    Returns:
        ``{"AssumeRolePolicyDocument": {...}, "ManagedPolicyArns": [...]}``.
    """
    _check_partition(partition)
    suffix = AWS_URL_SUFFIXES[partition] if url_suffix is None else url_suffix
    variables = {"AWS::Partition": partition, "AWS::URLSuffix": suffix}
    return {
        key: _filled(KARPENTER_NODE_ROLE_FILE, ("role", key), variables)
        for key in ("AssumeRolePolicyDocument", "ManagedPolicyArns")
    }
