"""Before the load-balancer controller goes: delete what it made for objects the stack does not own.

The AWS Load Balancer Controller creates ALBs, NLBs, target groups and security groups for
every Ingress of its classes and every Service of type LoadBalancer, including app teams'
objects that no Pulumi stack knows about. If the controller is deleted first, nothing deletes
those AWS resources: they keep costing money and block the VPC's deletion.

:class:`LoadBalancerCleanup` is a resource that depends on the controller's Helm release, so
Pulumi deletes it *before* the release and everything else the controller needs (on
``pulumi destroy``, or when the controller is removed from the configuration). Its delete:

1. deletes every Ingress of the controller's classes and every Service of type LoadBalancer
   in the cluster;
2. waits until they are gone: the controller's finalizers go once it has deleted their AWS
   resources;
3. waits until no AWS resource tagged ``elbv2.k8s.aws/cluster=<cluster>`` is left, and fails,
   listing what is left, when the time is up; the release then stays, so the operator can
   look, fix and run ``pulumi destroy`` again instead of finding a VPC that will not delete.

It never runs by accident: turning it off (``cleanup_on_delete: false``) keeps the resource
with ``armed: false``, and a delete runs only while the cluster's owner marker names the
resource, so a rename or a new parent does not run it either
(:class:`~components.dynamic.CleanupProvider`). It depends on everything the controller needs to
finish: the release, the CRDs, the IngressClasses and their IngressClassParams (with a class
gone, the controller's webhook refuses the Ingress update that removes the finalizer:
aws-load-balancer-controller issue #4341, PR #4624).

Why a dynamic provider: its delete runs during ``pulumi destroy`` with what the state recorded,
the provider's code (pickled by value: :mod:`components.dynamic.by_value`) and the resource's
inputs (kubeconfig, cluster, region, classes), as the stack's AWS identity (its ``aws:*``
configuration, :mod:`components.dynamic.aws`), with the Kubernetes and AWS Python clients the
program already has; its logic (:func:`cleanup`) is plain Python, tested against fake APIs and
through the SDK's provider host. ``pulumi-command`` would need ``kubectl`` on every runner and
shell quoting of the same logic; resource hooks run only while the program runs, which
``pulumi destroy`` does not do by default.

This module is what the provider host loads: it imports the standard library, ``pulumi``,
``boto3``, ``kubernetes`` and :mod:`components.dynamic` only.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import pulumi

from ...dynamic.provider import CleanupProvider

CLUSTER_TAG = "elbv2.k8s.aws/cluster"
"""The tag the controller puts on every AWS resource it creates, with the cluster's name."""
INGRESS_CLASS_ANNOTATION = "kubernetes.io/ingress.class"
DEFAULT_TIMEOUT_SECONDS = 900
POLL_SECONDS = 10


@dataclass(frozen=True)
class KubeObject:
    """An Ingress or a Service the cleanup deletes."""

    kind: str
    namespace: str
    name: str

    def __str__(self) -> str:
        return f"{self.kind} {self.namespace}/{self.name}"


class KubernetesApi(Protocol):
    """What the cleanup needs of the Kubernetes API."""

    def ingresses(self) -> list[tuple[KubeObject, str | None]]:
        """Every Ingress with its class (``spec.ingressClassName`` or the old annotation)."""
        ...

    def load_balancer_services(self) -> list[KubeObject]:
        """Every Service of type LoadBalancer."""
        ...

    def delete(self, obj: KubeObject) -> None:
        """Delete the object (already gone: no error)."""
        ...

    def exists(self, obj: KubeObject) -> bool:
        """Whether the object still exists (its finalizers not yet done)."""
        ...


class TaggingApi(Protocol):
    """What the cleanup needs of AWS: the resources the controller tagged."""

    def tagged(self, key: str, value: str) -> list[str]:
        """ARNs of the resources tagged ``key=value``."""
        ...


class CleanupError(Exception):
    """The controller did not delete everything it made in time; the message lists what is left."""


def cleanup(
    kube: KubernetesApi,
    aws: TaggingApi,
    cluster_name: str,
    ingress_classes: Sequence[str],
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
    poll_seconds: float = POLL_SECONDS,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> list[KubeObject]:
    """Delete the controller's Ingresses and LoadBalancer Services, wait for their AWS resources
    to go; returns the objects deleted. Raises :class:`CleanupError` listing what is left."""
    doomed = [obj for obj, cls in kube.ingresses() if cls in ingress_classes]
    doomed += kube.load_balancer_services()
    for obj in doomed:
        kube.delete(obj)
    deadline = clock() + timeout_seconds
    remaining = [obj for obj in doomed if kube.exists(obj)]
    while remaining and clock() < deadline:
        sleep(poll_seconds)
        remaining = [obj for obj in remaining if kube.exists(obj)]
    leftovers = aws.tagged(CLUSTER_TAG, cluster_name)
    while leftovers and clock() < deadline:
        sleep(poll_seconds)
        leftovers = aws.tagged(CLUSTER_TAG, cluster_name)
    if remaining or leftovers:
        parts = []
        if remaining:
            parts.append("still terminating: " + ", ".join(map(str, remaining)))
        if leftovers:
            parts.append(
                f"AWS resources tagged {CLUSTER_TAG}={cluster_name}: " + ", ".join(leftovers)
            )
        raise CleanupError(
            f"the load-balancer controller of cluster {cluster_name!r} did not clean up within "
            f"{timeout_seconds:.0f} s ({'; '.join(parts)}); the controller is kept: check its "
            "logs (kubectl -n kube-system logs deploy/aws-load-balancer-controller), delete "
            "what is left, and run the command again"
        )
    return doomed


# -- the real APIs (used by the provider at delete time) ----------------------------------------


class _Kubernetes:
    """The Kubernetes API through the official client (an ``ApiClient`` for the cluster)."""

    def __init__(self, api: Any) -> None:
        from kubernetes import client

        # The generated client's models type every field Optional; read them as the API sends them.
        self._core: Any = client.CoreV1Api(api)
        self._networking: Any = client.NetworkingV1Api(api)
        self._not_found = client.ApiException

    def ingresses(self) -> list[tuple[KubeObject, str | None]]:
        found = []
        for ing in self._networking.list_ingress_for_all_namespaces().items:
            cls = ing.spec.ingress_class_name or (ing.metadata.annotations or {}).get(
                INGRESS_CLASS_ANNOTATION
            )
            found.append((KubeObject("Ingress", ing.metadata.namespace, ing.metadata.name), cls))
        return found

    def load_balancer_services(self) -> list[KubeObject]:
        return [
            KubeObject("Service", svc.metadata.namespace, svc.metadata.name)
            for svc in self._core.list_service_for_all_namespaces().items
            if svc.spec.type == "LoadBalancer"
        ]

    def _call(self, obj: KubeObject, verb: str, **options: Any) -> Any:
        if obj.kind == "Ingress":
            method = getattr(self._networking, f"{verb}_namespaced_ingress")
        else:
            method = getattr(self._core, f"{verb}_namespaced_service")
        return method(obj.name, obj.namespace, **options)

    def delete(self, obj: KubeObject) -> None:
        # Not deserialized: the API returns the object while finalizers hold it, not a Status.
        try:
            self._call(obj, "delete", _preload_content=False).read()
        except self._not_found as error:
            if error.status != 404:
                raise

    def exists(self, obj: KubeObject) -> bool:
        try:
            self._call(obj, "read")
        except self._not_found as error:
            if error.status == 404:
                return False
            raise
        return True


class _Tagging:
    """The Resource Groups Tagging API (it lists load balancers, target groups, security groups)."""

    def __init__(self, session: Any, region: str | None) -> None:
        self._client = session.client("resourcegroupstaggingapi", region_name=region)

    def tagged(self, key: str, value: str) -> list[str]:
        pages = self._client.get_paginator("get_resources").paginate(
            TagFilters=[{"Key": key, "Values": [value]}]
        )
        return sorted(r["ResourceARN"] for page in pages for r in page["ResourceTagMappingList"])


class _Provider(CleanupProvider):
    """Nothing to create but the owner marker; the work happens on delete (:func:`cleanup`)."""

    KIND = "load-balancer-cleanup"
    MARKER = "eks-platform-load-balancer-cleanup"

    def kube_api(self, api: Any) -> KubernetesApi:
        return _Kubernetes(api)

    def tagging_api(self, props: dict[str, Any]) -> TaggingApi:
        return _Tagging(self.session(props), self.region(props))

    def clean(self, props: dict[str, Any], api: Any) -> None:
        cleanup(
            self.kube_api(api),
            self.tagging_api(props),
            props["clusterName"],
            list(props["ingressClasses"]),
            timeout_seconds=float(props.get("timeoutSeconds", DEFAULT_TIMEOUT_SECONDS)),
            poll_seconds=float(props.get("pollSeconds", POLL_SECONDS)),
        )


class LoadBalancerCleanup(pulumi.dynamic.Resource):
    """Deletes the controller's Ingresses and LoadBalancer Services before the controller goes.

    Create it with ``depends_on`` the controller's release, CRDs, IngressClasses and
    IngressClassParams (``LoadBalancerController`` does): Pulumi deletes it first, and its
    delete runs :func:`cleanup` when ``armed`` and still the cluster's cleanup.
    """

    def __init__(
        self,
        name: str,
        *,
        kubeconfig: pulumi.Input[str],
        cluster_name: pulumi.Input[str],
        region: pulumi.Input[str],
        ingress_classes: Sequence[str],
        armed: bool = True,
        timeout_seconds: int = DEFAULT_TIMEOUT_SECONDS,
        poll_seconds: float = POLL_SECONDS,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(
            _Provider(),
            name,
            {
                "kubeconfig": pulumi.Output.secret(kubeconfig),
                "clusterName": cluster_name,
                "region": region,
                "ingressClasses": list(ingress_classes),
                "armed": armed,
                "timeoutSeconds": timeout_seconds,
                "pollSeconds": poll_seconds,
            },
            pulumi.ResourceOptions.merge(
                opts, pulumi.ResourceOptions(additional_secret_outputs=["kubeconfig"])
            ),
        )
