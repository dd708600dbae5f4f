"""What the operator's role and each tenant's role may do: read the configured secrets only.

* ``secretsmanager:GetSecretValue``, ``DescribeSecret``, ``ListSecretVersionIds`` on
  ``arn:<partition>:secretsmanager:<region>:<account>:secret:<prefix>*`` of each configured
  name prefix;
* ``secretsmanager:ListSecrets`` and ``BatchGetSecretValue`` on ``*``, for ``dataFrom.find``:
  neither action takes a resource (the Service Authorization Reference lists none), so this
  is the one statement on ``*``. ``BatchGetSecretValue`` returns only the secrets the role may
  ``GetSecretValue`` (still the prefixes); ``ListSecrets`` shows the names, tags and
  descriptions, not the values, of every secret of the account and region;
* ``ssm:GetParameter``, ``GetParameters``, ``GetParametersByPath`` on each configured
  parameter path and below it (not its siblings);
* ``kms:Decrypt`` on the configured customer-managed keys, only through Secrets Manager or
  SSM (``kms:ViaService``);
* with ``push_prefix`` (``PushSecret``), writes to Secrets Manager under that prefix only.

No other statement names ``*``, and there is no fallback: no prefix and no path is an error.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pulumi

from ...identity import permissions
from ...identity.permissions import Grant

SECRETS_READ_ACTIONS = (
    "secretsmanager:GetSecretValue",
    "secretsmanager:DescribeSecret",
    "secretsmanager:ListSecretVersionIds",
)
"""What a store may do with a secret under a configured prefix."""
SECRETS_FIND_ACTIONS = ("secretsmanager:ListSecrets", "secretsmanager:BatchGetSecretValue")
"""What ``dataFrom.find`` calls (ESO v2.9.0 ``providers/v1/aws/secretsmanager``: ``ListSecrets``
without ``find.path``, then ``GetSecretValue`` per match; ``BatchGetSecretValue`` with a
path or tags). Neither takes a resource: granted on ``*``."""
SECRETS_PUSH_ACTIONS = (
    "secretsmanager:GetSecretValue",
    "secretsmanager:DescribeSecret",
    "secretsmanager:CreateSecret",
    "secretsmanager:PutSecretValue",
    "secretsmanager:TagResource",
    "secretsmanager:UntagResource",
    "secretsmanager:DeleteResourcePolicy",
)
"""What ``PushSecret`` needs under ``push_prefix`` (ESO's Secrets Manager provider: it
describes the secret, compares its value, creates it tagged ``managed-by: external-secrets``
or puts a new version, and keeps its tags). On every update of an existing secret ESO 2.9
also calls ``DeleteResourcePolicy`` when the PushSecret sets no ``resourcePolicy`` (its
``manageResourcePolicy``), tolerating only ResourceNotFound: without the action every update
fails with AccessDenied. (``resourcePolicy`` itself, which needs ``Get``/``PutResourcePolicy``,
and ``replicationLocations`` are not granted.)"""
PUSH_DELETE_ACTION = "secretsmanager:DeleteSecret"
"""Granted under ``push_prefix`` only on secrets tagged ``managed-by: external-secrets``
(a PushSecret with ``deletionPolicy: Delete``), as ESO documents."""
MANAGED_BY_TAG = ("managed-by", "external-secrets")
KMS_DECRYPT_ACTION = "kms:Decrypt"
VIA_SERVICES: dict[str, str] = {"SecretsManager": "secretsmanager", "ParameterStore": "ssm"}


def read_grants(
    secret_prefixes: Sequence[str],
    parameter_paths: Sequence[str],
    kms_key_arns: Sequence[pulumi.Input[str]] = (),
) -> list[Grant]:
    """The read permissions of a store's role: the prefixes, the paths, the keys through them."""
    if not secret_prefixes and not parameter_paths:
        # validate_settings refuses this; never degrade to a role that names no resource.
        raise ValueError("secret_prefixes: give at least one secret name prefix or parameter path")
    grants: list[Grant] = []
    if secret_prefixes:
        grants.append(
            Grant(
                "secrets-manager-read",
                (
                    _allow(
                        SECRETS_READ_ACTIONS,
                        [permissions.secret_arn_pattern(p) for p in secret_prefixes],
                    ),
                ),
            )
        )
    if parameter_paths:
        grants.append(permissions.ssm_read(*parameter_paths))
    if kms_key_arns:
        services = [
            VIA_SERVICES[backend]
            for backend, used in (
                ("SecretsManager", secret_prefixes),
                ("ParameterStore", parameter_paths),
            )
            if used
        ]
        statement = _allow((KMS_DECRYPT_ACTION,), list(kms_key_arns))
        statement["Condition"] = {
            "StringEquals": {"kms:ViaService": [f"{s}.{{region}}.amazonaws.com" for s in services]}
        }
        grants.append(Grant("kms-decrypt-via-secrets", (statement,)))
    if secret_prefixes:
        # dataFrom.find; the values it returns are still those GetSecretValue allows above.
        grants.append(Grant("secrets-manager-find", (_allow(SECRETS_FIND_ACTIONS, ["*"]),)))
    return grants


def push_grants(push_prefix: str) -> list[Grant]:
    """PushSecret's writes to Secrets Manager, under ``push_prefix`` only; deletion only of
    secrets ESO created (tagged ``managed-by: external-secrets``)."""
    resources = [permissions.secret_arn_pattern(push_prefix)]
    delete = _allow((PUSH_DELETE_ACTION,), resources)
    tag, value = MANAGED_BY_TAG
    delete["Condition"] = {"StringEquals": {f"secretsmanager:ResourceTag/{tag}": value}}
    return [Grant("secrets-manager-push", (_allow(SECRETS_PUSH_ACTIONS, resources), delete))]


def _allow(actions: Sequence[str], resources: list[Any]) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": list(actions), "Resource": resources}
