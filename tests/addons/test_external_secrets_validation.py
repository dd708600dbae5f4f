"""ExternalSecrets refuses bad arguments before registering anything, naming the field (or
the config key) and the rule."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from components.addons.external_secrets import (
    SKIP_CONTAINERS_ANNOTATION,
    ExternalSecrets,
    ExternalSecretsArgs,
    SecretsTenantSpec,
    validate_settings,
)
from components.addons.helm import ChartSpec
from components.identity.iam import RoleSettings
from components.synth import main
from components.validation.config_reader import config_error, from_config
from tests.addons.external_secrets_support import (
    ACCOUNT,
    CLUSTER_STORE,
    TENANTS,
    base_args,
    offline_cluster,
)
from tests.stacks.harness import ROOT, copy_program, load_dev_with, set_path, stack
from tests.support import refused

BAD_ARGS: list[tuple[dict[str, Any], str]] = [
    ({"secret_prefixes": [], "parameter_paths": []}, "secret_prefixes: give at least one"),
    ({"secret_prefixes": ["dev"]}, r"secret_prefixes\[0\]: 'dev' must end with '/'"),
    ({"secret_prefixes": ["dev/*"]}, r"secret_prefixes\[0\]: 'dev/\*' is not a secret name"),
    ({"secret_prefixes": ["a/", "a/"]}, "secret_prefixes: duplicate prefix 'a/'"),
    ({"parameter_paths": ["dev/app"]}, r"parameter_paths\[0\]: 'dev/app' is not an SSM"),
    ({"parameter_paths": ["/dev/app/"]}, r"parameter_paths\[0\]:"),
    (
        {"kms_key_arns": [f"arn:aws:kms:us-west-2:{ACCOUNT}:alias/secrets"]},
        r"kms_key_arns\[0\]: .* an alias ARN does not grant",
    ),
    ({"identity": "kiam"}, "identity: expected one of 'irsa', 'pod-identity', got str 'kiam'"),
    ({"namespace": "External_Secrets"}, "namespace:"),
    ({"service_account": "Bad Name"}, "service_account:"),
    ({"store_namespaces": ["Apps"]}, r"store_namespaces\[0\]:"),
    ({"store_namespaces": ["apps", "apps"]}, "store_namespaces: duplicate"),
    (
        {"store_namespaces": ["apps"], "stores_for_every_namespace": True},
        "stores_for_every_namespace: contradicts store_namespaces",
    ),
    ({"push_prefix": "dev/"}, "push_prefix: 'dev/' contains the read prefix 'dev/apps/'"),
    ({"push_prefix": "pushed"}, "push_prefix: 'pushed' must end with '/'"),
    ({"replicas": 0}, "replicas:"),
    (
        {"resources": {"requests": {"cpu": "lots"}}},
        r"resources\.requests\.cpu: 'lots' is not a positive quantity",
    ),
    (
        {"chart": ChartSpec(chart="external-secrets", repository="https://x", version="2.x")},
        "chart.version:",
    ),
    ({"values": {"installCRDs": False}}, "values.installCRDs: is set by the component"),
    (
        {"values": {"serviceAccount": {"name": "eso"}}},
        "values.serviceAccount.name: is set by the argument service_account",
    ),
    (
        {"values": {"podAnnotations": {SKIP_CONTAINERS_ANNOTATION: ""}}},
        f"values.podAnnotations.{SKIP_CONTAINERS_ANNOTATION}: is set by the component",
    ),
    ({"values": {"processPushSecret": True}}, "values.processPushSecret: .* push_prefix"),
    ({"tolerations": [{"key": "k", "effect": "Never"}]}, r"tolerations\[0\]\.effect:"),
    ({"role": RoleSettings(name="x" * 65)}, "role.name:"),
    ({"cluster": None}, "cluster: expected an EksCluster or a ClusterRef"),
    (
        {"tenants": {"team-a": {"secret_prefixes": ["team-a/"]}}},
        r"tenants\['team-a'\]: expected a SecretsTenantSpec, got dict",
    ),
    (
        {"tenants": {"team-a": SecretsTenantSpec()}},
        r"tenants\['team-a'\]\.secret_prefixes: give at least one",
    ),
    (
        {"tenants": {"team-a": SecretsTenantSpec(secret_prefixes=["dev/apps/team-a/"])}},
        r"tenants\['team-a'\]\.secret_prefixes\[0\]: 'dev/apps/team-a/' overlaps 'dev/apps/' "
        "of the shared stores",
    ),
    (
        {"tenants": {"t": SecretsTenantSpec(parameter_paths=["/dev"])}},
        r"tenants\['t'\]\.parameter_paths\[0\]: '/dev' overlaps '/dev/app' of the shared",
    ),
    (
        {
            "tenants": {
                "a": SecretsTenantSpec(parameter_paths=["/teams/a"]),
                "b": SecretsTenantSpec(parameter_paths=["/teams/a/b"]),
            }
        },
        r"tenants\['b'\]\.parameter_paths\[0\]: .* overlaps '/teams/a' of tenant 'a'",
    ),
    (
        {
            "push_prefix": "pushed/",
            "tenants": {"a": SecretsTenantSpec(secret_prefixes=["pushed/a/"])},
        },
        r"tenants\['a'\]\.secret_prefixes\[0\]: .* overlaps 'pushed/' of push_prefix",
    ),
    (
        {"tenants": {"external-secrets": SecretsTenantSpec(secret_prefixes=["t/"])}},
        r"tenants\['external-secrets'\]\.namespace: .* is the operator's namespace",
    ),
    (
        {
            "tenants": {
                "a": SecretsTenantSpec(namespace="team", secret_prefixes=["a/"]),
                "b": SecretsTenantSpec(namespace="team", secret_prefixes=["b/"]),
            }
        },
        r"tenants\['b'\]\.namespace: 'team' is also tenant 'a'",
    ),
    (
        {"tenants": {"Team_A": SecretsTenantSpec(secret_prefixes=["a/"])}},
        r"tenants\['Team_A'\]\.namespace: 'Team_A' is not a valid namespace",
    ),
    (
        {
            "role": RoleSettings(name="eso"),
            "tenants": {
                "a": SecretsTenantSpec(secret_prefixes=["a/"], role=RoleSettings(name="ESO"))
            },
        },
        r"tenants\['a'\]\.role\.name: 'ESO' is also the role name of the operator",
    ),
]


@pytest.mark.parametrize(("overrides", "message"), BAD_ARGS, ids=[m for _, m in BAD_ARGS])
def test_bad_args_are_refused_before_anything_is_registered(
    overrides: dict[str, Any], message: str
) -> None:
    kwargs = dict(overrides)
    cluster = kwargs.pop("cluster") if "cluster" in kwargs else offline_cluster()
    error = refused(lambda: ExternalSecrets("eso", base_args(cluster, **kwargs)))
    assert re.match(f"ExternalSecrets 'eso': {message}", error), error


def test_tenants_need_irsa_and_say_why() -> None:
    def program() -> ExternalSecrets:
        return ExternalSecrets(
            "eso", base_args(offline_cluster(oidc=False), identity="pod-identity", tenants=TENANTS)
        )

    error = refused(program)
    assert error.startswith("ExternalSecrets 'eso': tenants: tenants need IRSA")
    assert "controller's own credentials" in error
    error = refused(lambda: ExternalSecrets("eso", base_args(offline_cluster(oidc=False))))
    assert error.startswith("ExternalSecrets 'eso': identity: 'irsa' needs the cluster's OIDC")


def test_a_mapping_instead_of_the_args_is_one_line() -> None:
    error = refused(lambda: ExternalSecrets("eso", {"secret_prefixes": ["a/"]}))  # type: ignore[arg-type]
    assert error.startswith("ExternalSecrets 'eso': args: expected an ExternalSecretsArgs")


def test_configuration_errors_name_the_config_key() -> None:
    """What a stack does with ``eks-platform:externalSecrets``: read, then validate_settings."""
    key = "eks-platform:externalSecrets"
    config = {
        "secretPrefixes": ["dev-eks/"],
        "parameterPaths": ["/dev-eks"],
        "tenants": {"team-a": {"secretPrefixes": ["team-a/"], "createNamespace": True}},
    }
    args = from_config(ExternalSecretsArgs, config, key, cluster=None)
    validate_settings(args)  # no cluster needed
    assert args.tenants["team-a"].secret_prefixes == ["team-a/"]
    bad = {**config, "tenants": {"team-a": {"secretPrefixes": ["dev-eks/team-a/"]}}}
    with pytest.raises(ValueError) as error:
        validate_settings(from_config(ExternalSecretsArgs, bad, key, cluster=None))
    assert str(config_error(key, error.value)).startswith(
        f"{key}.tenants.team-a.secretPrefixes[0]: 'dev-eks/team-a/' overlaps 'dev-eks/'"
    )


# -- staging and prod: the shared stores serve listed namespaces only ---------------------------


@pytest.mark.parametrize("env", ["staging", "prod"])
def test_staging_and_prod_shared_stores_serve_only_their_namespaces(env: str) -> None:
    stores = stack(env).by_type(CLUSTER_STORE)
    assert len(stores) == 2
    for store in stores:
        assert store.inputs["spec"]["conditions"] == [{"namespaces": ["storefront"]}]


@pytest.mark.parametrize("env", ["staging", "prod"])
def test_staging_and_prod_refuse_stores_for_every_namespace_unless_said(
    env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (ROOT / f"Pulumi.{env}.yaml").read_text()
    line = "    storeNamespaces: [storefront]\n"
    assert line in text
    program = copy_program(tmp_path, env, text.replace(line, ""))
    assert main(["--program", str(program), "--stack", env]) == 1
    err = capsys.readouterr().err
    assert err.startswith(
        f"error: eks-platform:externalSecrets.storeNamespaces: {env} must list the namespaces "
        "whose ExternalSecrets may use the shared ClusterSecretStores"
    ), err
    # The documented opt-out.
    opted_out = tmp_path / "opted-out"
    opted_out.mkdir()
    text = text.replace(line, "    storesForEveryNamespace: true\n")
    resources = _recorded(copy_program(opted_out, env, text), env)
    stores = [r for r in resources if r["type"] == CLUSTER_STORE]
    assert stores and all("conditions" not in r["inputs"]["spec"] for r in stores)


def test_dev_may_leave_the_store_namespaces_empty() -> None:
    """Only staging and prod require the list (dev sets one anyway)."""
    config = load_dev_with(set_path("eks-platform:externalSecrets.storeNamespaces", []))
    assert config.values["externalSecrets"].store_namespaces == []


def _recorded(program: Path, env: str) -> list[dict[str, Any]]:
    out = program / "synth.json"
    assert main(["--program", str(program), "--stack", env, "--json", str(out)]) == 0
    resources: list[dict[str, Any]] = json.loads(out.read_text())["resources"]
    return resources
