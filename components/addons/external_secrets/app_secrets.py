"""``ExternalSecret`` objects for programs and app teams (and the dev demo): one Kubernetes
Secret, its keys read from the stores and read again every ``refreshInterval``.

:func:`external_secret` creates one (give it ``opts=operator.workload_options(...)``);
:func:`external_secret_manifest` writes it as a manifest; both check their arguments first
(:func:`validate_external_secret`).
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
from .args import API_VERSION, SecretValue, StoreRef, labels

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
    store: StoreRef,
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
    with it.
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
    return {
        "apiVersion": API_VERSION,
        "kind": "ExternalSecret",
        "metadata": {"name": name, "namespace": namespace, "labels": labels()},
        "spec": {
            "refreshInterval": refresh_interval,
            "secretStoreRef": store.as_dict(),
            "target": {"name": target_name or name, "creationPolicy": creation_policy},
            "data": items,
        },
    }


def external_secret(
    resource_name: str,
    *,
    name: str,
    namespace: pulumi.Input[str],
    store: StoreRef,
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
    v.require(
        opts is None or isinstance(opts, pulumi.ResourceOptions),
        "opts",
        f"expected pulumi.ResourceOptions, got {type(opts).__name__}",
    )
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
    v.check_type(store, StoreRef, "store")
    _store_ref(store, "store")
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


def _store_ref(store: StoreRef, field_name: str) -> None:
    v.one_of(store.kind, ("ClusterSecretStore", "SecretStore"), f"{field_name}.kind")
    v.dns_subdomain(store.name, f"{field_name}.name", "store name")
