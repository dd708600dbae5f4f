"""Bad and good programs of the pack's rules. Controllers' objects: Karpenter NodePools, External Secrets stores."""

from __future__ import annotations

from typing import Any

import pulumi_kubernetes as k8s

from .base import case


def node_pool(spec: dict[str, Any]) -> None:
    k8s.apiextensions.CustomResource(
        "general",
        api_version="karpenter.sh/v1",
        kind="NodePool",
        metadata={"name": "general"},
        spec={
            "template": {
                "spec": {
                    "nodeClassRef": {
                        "group": "karpenter.k8s.aws",
                        "kind": "EC2NodeClass",
                        "name": "default",
                    },
                    "requirements": [
                        {"key": "karpenter.sh/capacity-type", "operator": "In", "values": ["spot"]}
                    ],
                }
            },
            **spec,
        },
    )


@case("karpenter-nodepool-limits", bad=True)
def bad_unbounded_pool() -> None:
    node_pool({})


@case("karpenter-nodepool-limits", bad=False)
def good_limited_pool() -> None:
    node_pool({"limits": {"cpu": "64", "memory": "256Gi"}})


def secret_store(
    kind: str, conditions: list[dict[str, Any]] | None, namespace: str | None = None
) -> None:
    spec: dict[str, Any] = {
        "provider": {"aws": {"service": "SecretsManager", "region": "us-west-2"}},
    }
    if conditions is not None:
        spec["conditions"] = conditions
    metadata = {"name": "shared"} | ({"namespace": namespace} if namespace else {})
    k8s.apiextensions.CustomResource(
        "shared", api_version="external-secrets.io/v1", kind=kind, metadata=metadata, spec=spec
    )


@case("external-secrets-store-scoped", bad=True)
def bad_store_for_every_namespace() -> None:
    secret_store("ClusterSecretStore", None)


@case("external-secrets-store-scoped", bad=True)
def bad_empty_selector() -> None:
    secret_store("ClusterSecretStore", [{"namespaceSelector": {}}])


@case("external-secrets-store-scoped", bad=False)
def good_declared_namespaces() -> None:
    secret_store("ClusterSecretStore", [{"namespaces": ["shop", "reports"]}])


@case("external-secrets-store-scoped", bad=False)
def good_namespaced_store() -> None:
    secret_store("SecretStore", None, namespace="shop")


@case(
    "external-secrets-store-scoped",
    bad=False,
    config={"external-secrets-store-scoped": {"allowedClusterStores": ["shared"]}},
)
def good_declared_shared_store() -> None:
    secret_store("ClusterSecretStore", None)
