"""Shared by the ExternalSecrets tests: the component under the mocks (with an ExternalSecret
that uses it), readers of its result, and an evaluator for its permission policies."""

from __future__ import annotations

import functools
import re
from dataclasses import replace
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components.addons.external_secrets import (
    ExternalSecrets,
    ExternalSecretsArgs,
    SecretsTenantSpec,
    SecretValue,
    external_secret,
)
from components.identity.cluster_ref import ClusterRef
from components.identity.oidc import OidcTrust
from components.synth import SynthResult
from tests.support import doc, run

ACCOUNT = "123456789012"
ISSUER_HOST = "oidc.eks.us-west-2.amazonaws.com/id/ABCDEF0123456789ABCDEF0123456789"
ISSUER = f"https://{ISSUER_HOST}"
PROVIDER_ARN = f"arn:aws:iam::{ACCOUNT}:oidc-provider/{ISSUER_HOST}"
KEY_ARN = f"arn:aws:kms:us-west-2:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
CHART_KEYS = "external-secrets-2.9.0"

RELEASE = "kubernetes:helm.sh/v3:Release"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
CLUSTER_STORE = "kubernetes:external-secrets.io/v1:ClusterSecretStore"
STORE = "kubernetes:external-secrets.io/v1:SecretStore"
EXTERNAL_SECRET = "kubernetes:external-secrets.io/v1:ExternalSecret"
NAMESPACE = "kubernetes:core/v1:Namespace"
SERVICE_ACCOUNT = "kubernetes:core/v1:ServiceAccount"


def secret_arn(name: str, region: str = "us-west-2", account: str = ACCOUNT) -> str:
    """A secret's ARN as IAM evaluates it: the name plus Secrets Manager's random suffix."""
    return f"arn:aws:secretsmanager:{region}:{account}:secret:{name}-AbCdEf"


def parameter_arn(name: str) -> str:
    return f"arn:aws:ssm:us-west-2:{ACCOUNT}:parameter{name}"


# -- an evaluator for the permission policies (moto does not evaluate them) --------------------


def _like(pattern: str, value: str, case_sensitive: bool = True) -> bool:
    """IAM's ``*`` / ``?`` matching, which crosses ``:`` and ``/``."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    flags = 0 if case_sensitive else re.IGNORECASE
    return re.fullmatch(regex, value, flags) is not None


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _conditions_hold(conditions: dict[str, dict[str, Any]], context: dict[str, str]) -> bool:
    tests = {"StringEquals": lambda e, a: e == a, "StringLike": _like}
    for operator, keys in conditions.items():
        assert operator in tests, f"evaluator does not know {operator}"
        for key, expected in keys.items():
            if key not in context or not any(
                tests[operator](e, context[key]) for e in _as_list(expected)
            ):
                return False
    return True


def allows(policy: dict[str, Any], action: str, resource: str, **context: str) -> bool:
    """Whether the identity policy allows ``action`` on ``resource`` (no Deny statements)."""
    for stmt in _as_list(policy["Statement"]):
        assert stmt["Effect"] == "Allow" and "NotAction" not in stmt and "NotResource" not in stmt
        if (
            any(_like(a, action, case_sensitive=False) for a in _as_list(stmt["Action"]))
            and any(_like(r, resource) for r in _as_list(stmt["Resource"]))
            and _conditions_hold(stmt.get("Condition", {}), context)
        ):
            return True
    return False


# -- fixtures ----------------------------------------------------------------------------------


def light_cluster() -> ClusterRef:
    """Inside a program: an existing cluster with an OIDC provider (fast: no EksCluster)."""
    return ClusterRef.existing("test", oidc_provider_arn=PROVIDER_ARN)


def offline_cluster(oidc: bool = True) -> ClusterRef:
    """A ClusterRef whose provider and OIDC trust are never registered: for refusals, which
    must happen before anything is (``tests.support.refused`` checks that nothing was)."""
    return ClusterRef(
        key="test",
        name="test",
        provider=k8s.Provider.__new__(k8s.Provider),
        vpc_id="vpc-0123456789abcdef0",
        oidc=OidcTrust.__new__(OidcTrust) if oidc else None,
    )


TENANTS = {
    "team-a": SecretsTenantSpec(
        secret_prefixes=["team-a/"], parameter_paths=["/team-a"], create_namespace=True
    ),
    "team-b": SecretsTenantSpec(namespace="payments", secret_prefixes=["team-b/"]),
}


def base_args(cluster: Any, **overrides: Any) -> ExternalSecretsArgs:
    return replace(
        ExternalSecretsArgs(
            cluster=cluster,
            secret_prefixes=["dev/apps/", "shared/"],
            parameter_paths=["/dev/app"],
        ),
        **overrides,
    )


def synth(region: str = "us-west-2", **overrides: Any) -> SynthResult:
    """An ExternalSecrets ``eso`` with ``overrides``, and an ExternalSecret in ``apps`` that reads
    one value from each shared store."""

    def program() -> None:
        eso = ExternalSecrets("eso", base_args(light_cluster(), **overrides))
        data = [SecretValue(secret_key="password", remote_key="dev/apps/db", property="password")]
        if "ParameterStore" in eso.stores:
            data.append(
                SecretValue(
                    secret_key="greeting",
                    remote_key="/dev/app/greeting",
                    store=eso.store_ref("ParameterStore"),
                )
            )
        external_secret(
            "app-config",
            name="app-config",
            namespace="apps",
            store=eso.store_ref("SecretsManager"),
            data=data,
            refresh_interval="15m",
            opts=eso.workload_options(),
        )
        pulumi.export("roleArn", eso.role_arn)
        pulumi.export("releaseName", eso.release_name)
        pulumi.export("tenantRoleArns", eso.tenant_role_arns)

    return run(program, region=region)


@functools.cache
def shared() -> SynthResult:
    """IRSA, KMS, store conditions, two tenants, no push."""
    return synth(kms_key_arns=[KEY_ARN], store_namespaces=["apps", "demo"], tenants=TENANTS)


@functools.cache
def pushing() -> SynthResult:
    """Pod Identity, PushSecret enabled, two replicas, scheduling and extra values."""
    return synth(
        identity="pod-identity",
        push_prefix="dev/pushed/",
        replicas=2,
        tolerations=[{"key": "CriticalAddonsOnly", "operator": "Exists"}],
        node_selector={"role": "system"},
        values={"concurrent": 4, "podAnnotations": {"team": "platform"}},
    )


def policy_of(result: SynthResult, role: str = "eso") -> dict[str, Any]:
    found = doc(result.one(ROLE_POLICY, f"{role}-permissions"), "policy")
    assert isinstance(found, dict)
    return found


def trust_of(result: SynthResult, role: str = "eso") -> dict[str, Any]:
    found = doc(result.one(ROLE, role), "assumeRolePolicy")
    assert isinstance(found, dict)
    return found


def values_of(result: SynthResult) -> dict[str, Any]:
    values = result.one(RELEASE).inputs["values"]
    assert isinstance(values, dict)
    return values
