"""The AWS session of a dynamic provider: the stack's AWS settings, read as pulumi-aws reads them.

The engine hands a dynamic provider the whole stack configuration in ``Configure`` (keys with
their namespace, ``aws:region``; values as strings, objects and lists as JSON, or already
decoded); :meth:`pulumi.dynamic.ResourceProvider.configure` receives it. The settings used here,
those of the default ``aws`` provider:

================================ ===========================================================
``aws:region``                   the region, unless the resource names one (``region`` input:
                                 the component's own aws provider's region)
``aws:profile``                  the shared-config profile
``aws:sharedCredentialsFiles``,  where that profile is (pulumi-aws takes lists; botocore reads
``aws:sharedConfigFiles``        one file of each kind: the first)
``aws:accessKey``,               static credentials
``aws:secretKey``, ``aws:token``
``aws:assumeRoleWithWebIdentity`` ``{roleArn, sessionName, webIdentityToken(File), duration}``
``aws:assumeRoles``              pulumi-aws v7: a list of ``{roleArn, sessionName, externalId,
                                 duration, policy, policyArns, sourceIdentity, tags,
                                 transitiveTagKeys}``, assumed in order (a chain)
``aws:assumeRole``               the single role of pulumi-aws v6 and older (also
                                 ``durationSeconds``)
================================ ===========================================================

What is not set falls back to boto3's default chain in the provider host's environment, as
pulumi-aws falls back to the SDK's: ``AWS_PROFILE``, ``AWS_REGION``, the instance role. Assumed
roles renew themselves (a cleanup may wait for hours).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from typing import Any

SETTINGS = (
    "region",
    "profile",
    "sharedCredentialsFiles",
    "sharedConfigFiles",
    "accessKey",
    "secretKey",
    "token",
    "assumeRoleWithWebIdentity",
    "assumeRoles",
    "assumeRole",
)
"""The ``aws:`` keys read from the stack's configuration."""
SESSION_NAME = "eks-platform-dynamic-provider"
"""The role session name when the configuration gives none."""
_DURATION = re.compile(r"([0-9]+(?:\.[0-9]+)?)(ns|us|µs|ms|s|m|h)")
_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600}


def _decoded(value: Any) -> Any:
    """A configuration value: objects and lists arrive as JSON text, or already decoded."""
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def settings_from_config(get: Callable[[str], Any]) -> dict[str, Any]:
    """The stack's AWS settings (``get``: ``ConfigureRequest.config.get``), decoded, by key
    without the ``aws:`` namespace; unset ones left out."""
    found = {}
    for key in SETTINGS:
        value = _decoded(get(f"aws:{key}"))
        if value not in (None, "", [], {}):
            found[key] = value
    return found


def duration_seconds(role: dict[str, Any]) -> int | None:
    """A role's session length: ``durationSeconds`` (v6), or ``duration`` as Go writes it
    (``1h``, ``90m``, ``1h30m``)."""
    if role.get("durationSeconds"):
        return int(role["durationSeconds"])
    text = str(role.get("duration") or "")
    if not text:
        return None
    parts = _DURATION.findall(text)
    if "".join(n + u for n, u in parts) != text:
        raise ValueError(f"aws assume role duration {text!r} is not a duration such as 1h or 90m")
    return int(sum(float(n) * _UNITS[u] for n, u in parts))


def assume_roles(settings: dict[str, Any]) -> list[dict[str, Any]]:
    """The roles to assume, in order: ``assumeRoles`` (a list, or one object), else the older
    ``assumeRole``; entries without ``roleArn`` are ignored, as pulumi-aws does."""
    roles = settings.get("assumeRoles") or settings.get("assumeRole") or []
    if isinstance(roles, dict):
        roles = [roles]
    return [dict(r) for r in roles if isinstance(r, dict) and r.get("roleArn")]


def _first(value: Any) -> str | None:
    if isinstance(value, list):
        return str(value[0]) if value else None
    return str(value) if value else None


def _core(settings: dict[str, Any]) -> Any:
    """A botocore session with the profile and shared files of ``settings``."""
    import botocore.session

    core = botocore.session.Session()
    credentials_file = _first(settings.get("sharedCredentialsFiles"))
    if credentials_file:
        core.set_config_variable("credentials_file", os.path.expanduser(credentials_file))
    config_file = _first(settings.get("sharedConfigFiles"))
    if config_file:
        core.set_config_variable("config_file", os.path.expanduser(config_file))
    if settings.get("profile"):
        core.set_config_variable("profile", str(settings["profile"]))
    return core


def _renewing(settings: dict[str, Any], fetch: Callable[[], dict[str, Any]], region: Any) -> Any:
    """A boto3 session whose credentials ``fetch`` returns, fetched again before they expire."""
    import boto3
    from botocore.credentials import CredentialProvider, CredentialResolver, RefreshableCredentials

    def metadata() -> dict[str, Any]:
        credentials = fetch()
        return {
            "access_key": credentials["AccessKeyId"],
            "secret_key": credentials["SecretAccessKey"],
            "token": credentials["SessionToken"],
            "expiry_time": credentials["Expiration"].isoformat(),
        }

    renewing = RefreshableCredentials.create_from_metadata(
        metadata=metadata(), refresh_using=metadata, method="assume-role"
    )

    class Fixed(CredentialProvider):
        METHOD = "assume-role"
        CANONICAL_NAME = "eks-platform"

        def load(self) -> Any:
            return renewing

    core = _core(settings)
    core.register_component("credential_provider", CredentialResolver([Fixed()]))
    return boto3.Session(botocore_session=core, region_name=region)


def _role_parameters(role: dict[str, Any]) -> dict[str, Any]:
    """``sts:AssumeRole`` parameters of a pulumi-aws ``assumeRole(s)`` entry."""
    params: dict[str, Any] = {
        "RoleArn": role["roleArn"],
        "RoleSessionName": role.get("sessionName") or SESSION_NAME,
    }
    seconds = duration_seconds(role)
    if seconds:
        params["DurationSeconds"] = seconds
    for key, name in (("externalId", "ExternalId"), ("policy", "Policy")):
        if role.get(key):
            params[name] = role[key]
    if role.get("sourceIdentity"):
        params["SourceIdentity"] = role["sourceIdentity"]
    if role.get("policyArns"):
        params["PolicyArns"] = [{"arn": arn} for arn in role["policyArns"]]
    if role.get("tags"):
        params["Tags"] = [{"Key": k, "Value": v} for k, v in sorted(role["tags"].items())]
    if role.get("transitiveTagKeys"):
        params["TransitiveTagKeys"] = list(role["transitiveTagKeys"])
    return params


def _web_identity_parameters(spec: dict[str, Any]) -> dict[str, Any]:
    token = spec.get("webIdentityToken")
    if not token and spec.get("webIdentityTokenFile"):
        with open(os.path.expanduser(spec["webIdentityTokenFile"]), encoding="utf-8") as f:
            token = f.read().strip()
    params: dict[str, Any] = {
        "RoleArn": spec["roleArn"],
        "RoleSessionName": spec.get("sessionName") or SESSION_NAME,
        "WebIdentityToken": token,
    }
    seconds = duration_seconds(spec)
    if seconds:
        params["DurationSeconds"] = seconds
    if spec.get("policy"):
        params["Policy"] = spec["policy"]
    if spec.get("policyArns"):
        params["PolicyArns"] = [{"arn": arn} for arn in spec["policyArns"]]
    return params


def session(settings: dict[str, Any], region: str | None = None) -> Any:
    """A boto3 session acting as pulumi-aws does with ``settings``
    (:func:`settings_from_config`), in ``region`` or else ``settings['region']``."""
    import boto3

    region = region or settings.get("region") or None
    core = _core(settings)
    if settings.get("accessKey") and settings.get("secretKey"):
        core.set_credentials(settings["accessKey"], settings["secretKey"], settings.get("token"))
    current = boto3.Session(botocore_session=core, region_name=region)
    web = settings.get("assumeRoleWithWebIdentity")
    if isinstance(web, dict) and web.get("roleArn"):
        sts = current.client("sts", region_name=region)
        params = _web_identity_parameters(web)
        current = _renewing(
            settings,
            lambda: sts.assume_role_with_web_identity(**params)["Credentials"],
            region,
        )
    for role in assume_roles(settings):
        current = _renewing(settings, _assume(current, _role_parameters(role), region), region)
    return current


def _assume(current: Any, params: dict[str, Any], region: str | None) -> Callable[[], Any]:
    """What fetches (again) the credentials of ``sts:AssumeRole`` with ``params`` as ``current``."""
    sts = current.client("sts", region_name=region)
    return lambda: sts.assume_role(**params)["Credentials"]
