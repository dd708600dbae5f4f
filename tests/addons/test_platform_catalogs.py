"""What an app team's program reads of the platform: the IngressClasses the load-balancer
controller serves (``ingressClasses``) and the External Secrets store that serves a namespace
(:func:`store_for`, from ``externalSecretsStores``)."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest

from components.addons.external_secrets import (
    SecretValue,
    StoreRef,
    external_secret,
    store_for,
)
from components.addons.load_balancer_controller import (
    LoadBalancerController,
    LoadBalancerControllerArgs,
)
from components.identity.cluster_ref import ClusterRef
from components.synth import SynthResult
from tests.support import light_cluster, refused, run

EXTERNAL_SECRET = "kubernetes:external-secrets.io/v1:ExternalSecret"
STORES = [
    {
        "kind": "ClusterSecretStore",
        "name": "aws-secrets-manager",
        "backend": "SecretsManager",
        "namespaces": ["storefront", "checkout"],
    },
    {
        "kind": "ClusterSecretStore",
        "name": "aws-parameter-store",
        "backend": "ParameterStore",
        "namespaces": [],
    },
    {
        "kind": "SecretStore",
        "name": "aws-secrets-manager",
        "backend": "SecretsManager",
        "namespaces": ["payments"],
    },
]


def test_the_controller_lists_its_classes_with_their_scheme_and_namespaces() -> None:
    found: dict[str, Any] = {}

    def program() -> None:
        alb = LoadBalancerController(
            "alb",
            LoadBalancerControllerArgs(
                cluster=light_cluster(),
                public_ingress_class="alb-public",
                public_namespaces=["web", "storefront"],
            ),
        )
        found.update(alb.ingress_classes)

    run(program)
    assert found == {
        "alb": {"scheme": "internal", "namespaces": []},
        "alb-public": {"scheme": "internet-facing", "namespaces": ["storefront", "web"]},
    }


def _with_stores(stores: Any) -> ClusterRef:
    cluster = light_cluster()
    cluster.secret_stores = stores
    return cluster


def _synth(namespace: Any, backend: Any = "SecretsManager", stores: Any = STORES) -> SynthResult:
    def program() -> None:
        cluster = _with_stores(stores)
        external_secret(
            "app-config",
            name="app-config",
            namespace=namespace,
            cluster=cluster,
            store=store_for(cluster, namespace, backend),
            data=[SecretValue(secret_key="password", remote_key="storefront/db")],
        )

    return run(program)


@pytest.mark.parametrize(
    ("namespace", "backend", "expected"),
    [
        (
            "storefront",
            "SecretsManager",
            {"kind": "ClusterSecretStore", "name": "aws-secrets-manager"},
        ),
        ("payments", "SecretsManager", {"kind": "SecretStore", "name": "aws-secrets-manager"}),
        (
            "anything",
            "ParameterStore",
            {"kind": "ClusterSecretStore", "name": "aws-parameter-store"},
        ),
    ],
)
def test_the_store_that_serves_the_namespace_is_picked(
    namespace: str, backend: str, expected: dict[str, str]
) -> None:
    spec = _synth(namespace, backend).one(EXTERNAL_SECRET).inputs["spec"]
    assert spec["secretStoreRef"] == expected


def test_a_namespace_given_as_an_output_is_picked_once_known() -> None:
    def program() -> None:
        cluster = _with_stores(pulumi.Output.from_input(STORES))
        namespace = pulumi.Output.from_input("checkout")
        external_secret(
            "app-config",
            name="app-config",
            namespace=namespace,
            cluster=cluster,
            store=store_for(cluster, namespace),
            data=[SecretValue(secret_key="password", remote_key="checkout/db")],
        )

    spec = run(program).one(EXTERNAL_SECRET).inputs["spec"]
    assert spec["secretStoreRef"] == {"kind": "ClusterSecretStore", "name": "aws-secrets-manager"}


@pytest.mark.parametrize(
    ("namespace", "backend", "stores", "message"),
    [
        (
            "billing",
            "SecretsManager",
            STORES,
            "external_secrets.store_for: namespace: no SecretsManager store of cluster 'test' "
            "serves namespace 'billing'; the cluster has: aws-secrets-manager "
            "(ClusterSecretStore, SecretsManager: storefront, checkout); aws-parameter-store "
            "(ClusterSecretStore, ParameterStore: every namespace); aws-secrets-manager "
            "(SecretStore, SecretsManager: payments) (the platform lists the namespaces of its "
            "stores: ask for yours to be added)",
        ),
        (
            "storefront",
            "SecretsManager",
            None,
            "external_secrets.store_for: cluster: cluster 'test' has no known External Secrets "
            "stores (ClusterRef.from_stack reads the stack's externalSecretsStores; in the program "
            "that runs ExternalSecrets, use its store_ref())",
        ),
        (
            "storefront",
            "Vault",
            STORES,
            "external_secrets.store_for: backend: 'Vault' is not one of SecretsManager, "
            "ParameterStore",
        ),
        (
            "Storefront",
            "SecretsManager",
            STORES,
            "external_secrets.store_for: namespace: ",
        ),
    ],
)
def test_no_store_for_the_namespace_is_one_line_naming_the_helper(
    namespace: str, backend: str, stores: Any, message: str
) -> None:
    if namespace == "billing" or stores is None:  # refused once the stores are known
        with pytest.raises(ValueError) as error:
            _synth(namespace, backend, stores)
        # The SDK wraps an error raised while Outputs resolve; its last line is the library's.
        assert str(error.value).splitlines()[-1].endswith(message)
        return
    found = refused(lambda: _synth_program(namespace, backend, stores), name="app-config")
    assert found.startswith(message), found


def _synth_program(namespace: str, backend: str, stores: Any) -> None:
    cluster = _with_stores(stores)
    store_for(cluster, namespace, backend)  # type: ignore[arg-type]


def test_a_plain_store_is_still_checked_up_front() -> None:
    def program() -> None:
        external_secret(
            "app-config",
            name="app-config",
            namespace="storefront",
            cluster=_with_stores(STORES),
            store=StoreRef(name="Bad_Name"),
            data=[SecretValue(secret_key="password", remote_key="storefront/db")],
        )

    assert refused(program, name="app-config").startswith(
        "ExternalSecret 'app-config': store.name: "
    )
