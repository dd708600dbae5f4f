"""``ExternalSecret`` objects for programs and app teams (and the dev demo): one Kubernetes
Secret, its keys read from the stores and read again every ``refreshInterval``.

:func:`external_secret` creates one (give it ``opts=operator.workload_options(...)``);
:func:`external_secret_manifest` writes it as a manifest; both check their arguments first
(:func:`validate_external_secret`). :func:`store_for` picks, from the stores a platform stack
exports, the one that serves a namespace.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pulumi
import pulumi_kubernetes as k8s

from ... import aws_context, naming
from ... import validation as v
from ...identity.cluster_ref import ClusterRef, as_cluster_ref
from .args import API_VERSION, STORE_NAMES, Backend, SecretValue, StoreRef, labels

if TYPE_CHECKING:
    from ...cluster import EksCluster

CREATION_POLICIES = ("Owner", "Orphan", "Merge", "None", "CreateOrMerge")
DEFAULT_REFRESH_INTERVAL = "1h"

_DURATION = re.compile(r"^(0|(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+)$")
_SECRET_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")


def external_secret_manifest(
    *,
    name: str,
    namespace: pulumi.Input[str],
    store: StoreRef | pulumi.Output[StoreRef],
    data: Sequence[SecretValue],
    refresh_interval: str = DEFAULT_REFRESH_INTERVAL,
    creation_policy: str = "Owner",
    target_name: str | None = None,
) -> dict[str, Any]:
    """An ``ExternalSecret`` (``external-secrets.io/v1``) as a manifest; checked first.

    The Kubernetes Secret ``target_name`` (default: ``name``) gets one key per ``data``
    entry, read from ``store`` (or the entry's own store) and read again every
    ``refresh_interval`` (a Go duration: ``1h``, ``15m``; ``0`` reads once). With
    ``creation_policy`` ``Owner`` the Secret belongs to the ExternalSecret and is deleted
    with it. ``store`` may be an Output (:func:`store_for`), checked once known.
    """
    validate_external_secret(
        name=name,
        store=store,
        data=data,
        refresh_interval=refresh_interval,
        creation_policy=creation_policy,
        target_name=target_name,
    )
    items: list[dict[str, Any]] = []
    for value in data:
        remote: dict[str, Any] = {"key": value.remote_key}
        if value.property is not None:
            remote["property"] = value.property
        item: dict[str, Any] = {"secretKey": value.secret_key, "remoteRef": remote}
        if value.store is not None and value.store != store:
            item["sourceRef"] = {"storeRef": value.store.as_dict()}
        items.append(item)
    store_ref: pulumi.Input[dict[str, str]] = (
        store.as_dict()
        if isinstance(store, StoreRef)
        else v.when_known(store, _checked_store, "store").apply(lambda s: s.as_dict())
    )
    return {
        "apiVersion": API_VERSION,
        "kind": "ExternalSecret",
        "metadata": {"name": name, "namespace": namespace, "labels": labels()},
        "spec": {
            "refreshInterval": refresh_interval,
            "secretStoreRef": store_ref,
            "target": {"name": target_name or name, "creationPolicy": creation_policy},
            "data": items,
        },
    }


def external_secret(
    resource_name: str,
    *,
    name: str,
    namespace: pulumi.Input[str],
    store: StoreRef | pulumi.Output[StoreRef],
    data: Sequence[SecretValue],
    cluster: EksCluster | ClusterRef | None = None,
    refresh_interval: str = DEFAULT_REFRESH_INTERVAL,
    creation_policy: str = "Owner",
    target_name: str | None = None,
    opts: pulumi.ResourceOptions | None = None,
) -> k8s.apiextensions.CustomResource:
    """An ``ExternalSecret`` custom resource (see :func:`external_secret_manifest`) on
    ``cluster`` (an ``EksCluster`` or a ``ClusterRef``).

    Without ``cluster``, ``opts`` must carry the cluster's Kubernetes provider (``provider=``,
    ``providers=`` or a parent's): an ExternalSecret never goes to whatever cluster the
    deployer's kubeconfig points at. Give ``opts=operator.workload_options(...)`` when the
    operator is in this program: its provider and a dependency on the release and the stores,
    so the ExternalSecret is created after them and deleted before them. Its namespace (a name
    or an Output such as ``ns.metadata.name``) must exist first (put what creates it in
    ``depends_on``)::

        external_secret(
            "demo-config", name="demo-config", namespace="demo", cluster=cluster,
            store=eso.store_ref("SecretsManager"),
            data=[
                SecretValue(secret_key="password", remote_key=secret.name, property="password"),
                SecretValue(secret_key="greeting", remote_key="/dev-eks/demo/greeting",
                            store=eso.store_ref("ParameterStore")),
            ],
            refresh_interval="1h",
            opts=eso.workload_options(pulumi.ResourceOptions(depends_on=[namespace])),
        )

    Two ExternalSecrets of one name and namespace on one cluster, or two that write the same
    Secret, are refused, naming both.
    """
    owner = f"ExternalSecret {resource_name!r}"
    with v.component_errors("ExternalSecret", resource_name):
        if isinstance(store, pulumi.Output):
            store = v.when_known(store, _checked_store, "store", owner)
        manifest = external_secret_manifest(
            name=name,
            namespace=namespace,
            store=store,
            data=data,
            refresh_interval=refresh_interval,
            creation_policy=creation_policy,
            target_name=target_name,
        )
        provider, label = _cluster_provider(cluster, opts)
        checked = v.when_known(
            namespace, lambda x, f: v.dns_label(x, f, "namespace"), "namespace", owner
        )
        objects = _Objects(provider, label, name, target_name or name, owner)
        if isinstance(checked, str):
            objects.claim(checked)
        else:
            checked = pulumi.Output.from_input(checked).apply(objects.claim)
    metadata = manifest["metadata"]
    return k8s.apiextensions.CustomResource(
        resource_name,
        api_version=manifest["apiVersion"],
        kind=manifest["kind"],
        metadata=k8s.meta.v1.ObjectMetaArgs(
            name=metadata["name"], namespace=checked, labels=metadata["labels"]
        ),
        spec=manifest["spec"],
        opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(provider=provider)),
    )


def _cluster_provider(
    cluster: Any, opts: pulumi.ResourceOptions | None
) -> tuple[k8s.Provider | pulumi.ProviderResource, str]:
    """The Kubernetes provider the ExternalSecret goes through, and the cluster's name for
    errors: ``cluster``'s, or the one ``opts`` gives."""
    v.resource_options(opts)
    if cluster is None:
        provider = aws_context.provider_of(opts, "kubernetes")
        v.require(
            provider is not None,
            "cluster",
            "give the cluster it goes to (cluster=an EksCluster or a ClusterRef), or opts with "
            "its Kubernetes provider (opts=operator.workload_options()); without either it "
            "would go to whatever cluster the deployer's kubeconfig points at",
        )
        assert provider is not None
        return provider, provider.pulumi_resource_name
    ref = as_cluster_ref(cluster, "cluster")
    explicit = (
        aws_context.provider_of(
            pulumi.ResourceOptions(provider=opts.provider, providers=_providers(opts)), "kubernetes"
        )
        if opts is not None
        else None
    )
    v.require(
        explicit is None or explicit is ref.provider,
        "opts.provider",
        f"is not the Kubernetes provider of cluster {ref.key!r}; give cluster= or the "
        "provider, not both",
    )
    return ref.provider, ref.key


def _providers(
    opts: pulumi.ResourceOptions,
) -> Mapping[str, pulumi.ProviderResource] | list[pulumi.ProviderResource] | None:
    providers = opts.providers
    return list(providers) if isinstance(providers, Sequence) else providers


class _Objects:
    """What one ExternalSecret owns on its cluster: itself and the Secret it writes."""

    def __init__(self, provider: object, cluster: str, name: str, target: str, owner: str):
        self.provider, self.cluster, self.name, self.target = provider, cluster, name, target
        self.owner = owner

    def claim(self, namespace: str) -> str:
        for kind, name, field_name, hint in (
            ("ExternalSecret", self.name, "name", "give one of them another name"),
            (
                "Secret",
                self.target,
                "target_name",
                "two ExternalSecrets writing one Secret overwrite each other: give one of them "
                "another target_name",
            ),
        ):
            naming.claim_object(
                self.provider,
                self.cluster,
                kind,
                namespace,
                name,
                owner=self.owner,
                by=self,
                field=field_name,
                hint=hint,
            )
        return namespace


def validate_external_secret(
    *,
    name: Any,
    store: Any,
    data: Any,
    refresh_interval: Any,
    creation_policy: Any,
    target_name: Any = None,
) -> None:
    """Check an ExternalSecret's arguments; raises InvalidArgument naming the argument."""
    v.dns_subdomain(name, "name", "ExternalSecret name")
    if target_name is not None:
        v.dns_subdomain(target_name, "target_name", "Secret name")
    if not isinstance(store, pulumi.Output):  # else checked once known
        _checked_store(store, "store")
    v.check_type(data, Sequence[SecretValue], "data")
    v.require(len(data) > 0, "data", "give at least one SecretValue")
    for i, value in enumerate(data):
        where = f"data[{i}]"
        v.require(
            isinstance(value.secret_key, str) and bool(_SECRET_KEY.match(value.secret_key)),
            f"{where}.secret_key",
            f"{value.secret_key!r} is not a Secret key (letters, digits, '-', '_' and '.')",
        )
        if isinstance(value.remote_key, str):
            v.require(bool(value.remote_key), f"{where}.remote_key", "must not be empty")
        if value.property is not None:
            v.require(
                isinstance(value.property, str) and bool(value.property),
                f"{where}.property",
                "must be a non-empty string, or None for the whole value",
            )
        if value.store is not None:
            _store_ref(value.store, f"{where}.store")
    v.unique([d.secret_key for d in data], "data", "secret_key")
    v.require(
        isinstance(refresh_interval, str) and bool(_DURATION.match(refresh_interval)),
        "refresh_interval",
        f"{refresh_interval!r} is not a Go duration (e.g. 1h, 15m, 1h30m; 0 reads once)",
    )
    v.one_of(creation_policy, CREATION_POLICIES, "creation_policy")


def _checked_store(store: Any, field_name: str) -> StoreRef:
    """``store``, a :class:`StoreRef` of a known kind and a valid name."""
    v.check_type(store, StoreRef, field_name)
    assert isinstance(store, StoreRef)
    _store_ref(store, field_name)
    return store


def _store_ref(store: StoreRef, field_name: str) -> None:
    v.one_of(store.kind, ("ClusterSecretStore", "SecretStore"), f"{field_name}.kind")
    v.dns_subdomain(store.name, f"{field_name}.name", "store name")


STORE_FOR = "external_secrets.store_for"
"""How errors name :func:`store_for`."""


def store_for(
    cluster: EksCluster | ClusterRef,
    namespace: pulumi.Input[str],
    backend: Backend = "SecretsManager",
) -> pulumi.Output[StoreRef]:
    """The store of ``backend`` on ``cluster`` that serves ``namespace`` (a name or an Output
    such as ``ns.metadata.name``), for :func:`external_secret`'s ``store``.

    It is picked from the stores the cluster's platform stack exports
    (``externalSecretsStores``, which ``ClusterRef.from_stack`` reads into
    ``cluster.secret_stores``): the namespace's own ``SecretStore`` (a tenant's) when it has
    one, else a ``ClusterSecretStore`` whose conditions name the namespace, else one that serves
    every namespace. When none does, the Output fails in one line naming this helper, the
    namespace and the stores the cluster has. (In the program that runs the operator, use
    :meth:`ExternalSecrets.store_ref`.)
    """
    try:
        ref = as_cluster_ref(cluster, "cluster")
        v.one_of(backend, tuple(STORE_NAMES), "backend")
        checked = v.when_known(
            namespace, lambda x, f: v.dns_label(x, f, "namespace"), "namespace", STORE_FOR
        )
    except v.InvalidArgument as error:
        raise v.InvalidArgument(error.field, error.rule, STORE_FOR) from None
    return pulumi.Output.all(ref.secret_stores, checked).apply(
        lambda a: _pick_store(a[0], backend, a[1], ref.key)
    )


def _pick_store(stores: Any, backend: str, namespace: str, cluster: str) -> StoreRef:
    """The most specific store of ``backend`` that serves ``namespace`` (see :func:`store_for`)."""
    if not isinstance(stores, Sequence) or isinstance(stores, str):
        raise v.InvalidArgument(
            "cluster",
            f"cluster {cluster!r} has no known External Secrets stores (ClusterRef.from_stack "
            "reads the stack's externalSecretsStores; in the program that runs ExternalSecrets, "
            "use its store_ref())"
            if stores is None
            else f"expected a list of stores {{kind, name, backend, namespaces}}, got {stores!r}",
            STORE_FOR,
        )
    ranked: list[tuple[int, str, StoreRef]] = []
    for store in stores:
        if not isinstance(store, Mapping) or store.get("backend") != backend:
            continue
        kind, name = store.get("kind"), str(store.get("name"))
        namespaces = list(store.get("namespaces") or [])
        if namespaces and namespace not in namespaces:
            continue
        rank = 0 if kind == "SecretStore" else 1 if namespaces else 2
        if kind in ("SecretStore", "ClusterSecretStore"):
            ranked.append((rank, name, StoreRef(kind=kind, name=name)))
    if ranked:
        return min(ranked, key=lambda r: (r[0], r[1]))[2]
    have = [
        f"{s.get('name')} ({s.get('kind')}, {s.get('backend')}: "
        f"{', '.join(s.get('namespaces') or []) or 'every namespace'})"
        for s in stores
        if isinstance(s, Mapping)
    ]
    raise v.InvalidArgument(
        "namespace",
        f"no {backend} store of cluster {cluster!r} serves namespace {namespace!r}; the "
        f"cluster has: {'; '.join(have) or 'none'} (the platform lists the namespaces of its "
        "stores: ask for yours to be added)",
        STORE_FOR,
    )
