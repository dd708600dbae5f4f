"""Controllers' objects: Karpenter NodePools have limits; External Secrets cluster-wide stores
are restricted to declared namespaces."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import ResourceValidationArgs, Severity

from .common import (
    MANDATORY,
    Rule,
    as_list,
    get,
    identities,
    mapping,
    matches,
    resource_policy,
    string_list,
)

NODE_POOLS = ("kubernetes:karpenter.sh/v1:NodePool", "kubernetes:karpenter.sh/v1beta1:NodePool")
CLUSTER_STORES = (
    "kubernetes:external-secrets.io/v1:ClusterSecretStore",
    "kubernetes:external-secrets.io/v1beta1:ClusterSecretStore",
)

NODE_POOL_LIMITS = Rule(
    name="karpenter-nodepool-limits",
    description="Every Karpenter NodePool caps what it may launch (spec.limits)",
    level=MANDATORY,
    area="addons",
    rationale="Without limits a NodePool launches as many nodes as pending pods ask for: a "
    "runaway Deployment, a mistaken replica count or a crash loop with large requests becomes "
    "an unbounded EC2 bill and can exhaust the account's quotas for everyone else.",
    source="Karpenter docs: NodePools > spec.limits; EKS Best Practices Guide: Karpenter "
    "(configure limits)",
    url="https://docs.aws.amazon.com/eks/latest/best-practices/karpenter.html",
    remediation="spec.limits: {cpu: '32', memory: 128Gi}.",
    severity=Severity.MEDIUM,
)


def _node_pool_limits(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    limits = mapping(get(args.props, "spec", "limits"))
    if not any(limits.get(key) for key in limits):
        yield "no spec.limits: the NodePool may launch nodes without bound"


STORE_SCOPE = Rule(
    name="external-secrets-store-scoped",
    description="A ClusterSecretStore is restricted to declared namespaces (spec.conditions); "
    "namespaced SecretStores pass",
    level=MANDATORY,
    area="addons",
    rationale="A ClusterSecretStore without conditions serves every namespace: anyone who may "
    "create an ExternalSecret anywhere reads whatever the store's role can read. Conditions "
    "(namespaces, namespaceSelector, namespaceRegexes) keep it to the teams it is for; a "
    "namespaced SecretStore is confined to its namespace by construction.",
    source="External Secrets Operator: ClusterSecretStore spec.conditions and its multi-tenancy "
    "guide; EKS Best Practices Guide: Data encryption and secrets management (least privilege "
    "for secrets)",
    url="https://external-secrets.io/latest/guides/multi-tenancy/",
    remediation="spec.conditions: [{namespaces: [team-a]}] (or namespaceSelector); a store "
    "meant for every namespace goes in allowedClusterStores of the stack's policy config.",
    config={
        "allowedClusterStores": string_list(
            "ClusterSecretStores that may serve every namespace (patterns on the store name, "
            "Pulumi name or URN): shared stores whose role reads only shared secrets."
        )
    },
)


def _restricts(condition: Any) -> bool:
    selector = mapping(get(condition, "namespaceSelector"))
    return bool(
        as_list(get(condition, "namespaces"))
        or as_list(get(condition, "namespaceRegexes"))
        or get(selector, "matchLabels")
        or get(selector, "matchExpressions")
    )


def _store_scope(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    if any(matches(n, config["allowedClusterStores"]) for n in identities(args)):
        return
    conditions = as_list(get(args.props, "spec", "conditions"))
    if not conditions:
        yield "no spec.conditions: every namespace may use this store"
    elif not all(_restricts(c) for c in conditions):
        yield "a condition names no namespaces: every namespace may use this store"


POLICIES = [
    resource_policy(NODE_POOL_LIMITS, NODE_POOLS, _node_pool_limits),
    resource_policy(STORE_SCOPE, CLUSTER_STORES, _store_scope),
]
RULES = [NODE_POOL_LIMITS, STORE_SCOPE]
