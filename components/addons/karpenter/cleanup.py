"""Before Karpenter goes: drain and delete every node it launched, the teams' included.

Karpenter launches EC2 instances for every ``NodePool`` in the cluster, the ones this stack
declares and the ones app teams create with ``kubectl``. Deleting the stack's NodePools and
EC2NodeClass before the controller (their dependency order) drains the stack's nodes only; a
team's NodePool keeps its instances running after the controller is gone, and nothing would
ever terminate them: they keep their network interfaces in the private subnets (the VPC cannot
be deleted) and a team NodeClass reusing the node role blocks the role's deletion.

:class:`KarpenterCleanup` depends on the controller's releases, the EC2NodeClass and the
NodePools, so Pulumi deletes it first, while the controller runs. Its delete (:func:`drain`):

1. deletes every NodePool in the cluster, then every NodeClaim left (Karpenter drains each
   node, honouring PodDisruptionBudgets up to the NodePool's ``terminationGracePeriod``, and
   terminates its instance);
2. waits, at most ``drain_timeout_seconds``, until no NodeClaim is left; if some are, it
   fails listing them and touches nothing else (the controller stays: run the command again to
   keep waiting, or look at what holds the drain);
3. deletes every EC2NodeClass (their finalizers remove the instance profiles) and waits for
   them, at most ``sweep_timeout_seconds``;
4. sweeps: terminates every instance still running that Karpenter launched for this cluster
   (tag ``karpenter.sh/nodepool``, and ``karpenter.sh/discovery=<cluster>``,
   ``kubernetes.io/cluster/<cluster>`` or ``eks:eks-cluster-name=<cluster>``), waits for them
   within the same bound, and fails listing what is left.

It runs only when armed and while the cluster's owner marker names it, as every cleanup does
(:class:`~components.dynamic.CleanupProvider`): turning it off or renaming it never runs it.
This module is what the provider host loads: the standard library, ``pulumi``, ``boto3``,
``kubernetes`` and :mod:`components.dynamic` only.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any, Protocol

import pulumi

from ...dynamic.provider import CleanupProvider

NODEPOOLS = ("karpenter.sh", "v1", "nodepools")
NODECLAIMS = ("karpenter.sh", "v1", "nodeclaims")
NODECLASSES = ("karpenter.k8s.aws", "v1", "ec2nodeclasses")
NODEPOOL_TAG = "karpenter.sh/nodepool"
"""Karpenter tags every instance it launches with its NodePool."""
DEFAULT_DRAIN_SECONDS = 1800
"""The drain bound when no NodePool of the stack sets a longer ``terminationGracePeriod``."""
DRAIN_MARGIN_SECONDS = 900
"""Added to the longest ``terminationGracePeriod``: the instance's own termination after it."""
SWEEP_SECONDS = 600
POLL_SECONDS = 10
LIVE_STATES = ["pending", "running", "stopping", "stopped"]
_DURATION = re.compile(r"([0-9]+)(h|m|s)")
_UNITS = {"h": 3600, "m": 60, "s": 1}


def seconds(duration: str) -> int:
    """A Karpenter duration (``30s``, ``5m``, ``24h``, ``1h30m``) in seconds."""
    return sum(int(n) * _UNITS[u] for n, u in _DURATION.findall(duration))


def drain_bound(grace_periods: list[str | None]) -> int:
    """How long the cleanup waits for NodeClaims: the longest ``terminationGracePeriod`` of
    the stack's NodePools plus :data:`DRAIN_MARGIN_SECONDS`, at least
    :data:`DEFAULT_DRAIN_SECONDS`."""
    longest = max((seconds(g) for g in grace_periods if g), default=0)
    return max(DEFAULT_DRAIN_SECONDS, longest + DRAIN_MARGIN_SECONDS)


class KarpenterApi(Protocol):
    """What the cleanup needs of the Kubernetes API: Karpenter's cluster-scoped objects."""

    def names(self, kind: tuple[str, str, str]) -> list[str]:
        """Names of the objects of ``kind`` (group, version, plural); none if the CRD is gone."""
        ...

    def delete(self, kind: tuple[str, str, str], name: str) -> None:
        """Delete one (already gone: no error)."""
        ...


class InstancesApi(Protocol):
    """What the cleanup needs of EC2."""

    def launched(self, cluster: str) -> list[str]:
        """Ids of the live instances Karpenter launched for ``cluster`` (see the module)."""
        ...

    def terminate(self, instance_ids: list[str]) -> None:
        """Terminate them."""
        ...


class KarpenterCleanupError(Exception):
    """Karpenter's nodes did not go in time; the message lists what is left."""


def _wait(
    probe: Callable[[], list[str]],
    deadline: float,
    poll_seconds: float,
    sleep: Callable[[float], None],
    clock: Callable[[], float],
) -> list[str]:
    left = probe()
    while left and clock() < deadline:
        sleep(poll_seconds)
        left = probe()
    return left


def drain(
    kube: KarpenterApi,
    ec2: InstancesApi,
    cluster: str,
    drain_timeout_seconds: float = DEFAULT_DRAIN_SECONDS,
    sweep_timeout_seconds: float = SWEEP_SECONDS,
    poll_seconds: float = POLL_SECONDS,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> dict[str, list[str]]:
    """Delete every NodePool and NodeClaim, wait for the nodes, delete the EC2NodeClasses, sweep
    the instances (see the module); returns what it deleted and terminated, by kind. Raises
    :class:`KarpenterCleanupError` listing what is left."""
    done: dict[str, list[str]] = {"nodepools": kube.names(NODEPOOLS)}
    for name in done["nodepools"]:
        kube.delete(NODEPOOLS, name)
    done["nodeclaims"] = kube.names(NODECLAIMS)
    for name in done["nodeclaims"]:
        kube.delete(NODECLAIMS, name)
    wait = (poll_seconds, sleep, clock)
    claims = _wait(lambda: kube.names(NODECLAIMS), clock() + drain_timeout_seconds, *wait)
    if claims:
        raise KarpenterCleanupError(
            f"Karpenter's nodes of cluster {cluster!r} did not drain within "
            f"{drain_timeout_seconds:.0f} s (NodeClaims left: {', '.join(claims)}); the "
            "controller is kept: look at what holds the drain (kubectl get nodeclaims; "
            "PodDisruptionBudgets; pods with long terminationGracePeriodSeconds) and run the "
            "command again"
        )
    done["ec2nodeclasses"] = kube.names(NODECLASSES)
    for name in done["ec2nodeclasses"]:
        kube.delete(NODECLASSES, name)
    deadline = clock() + sweep_timeout_seconds
    classes = _wait(lambda: kube.names(NODECLASSES), deadline, *wait)
    done["instances"] = ec2.launched(cluster)
    if done["instances"]:
        ec2.terminate(done["instances"])
    instances = _wait(lambda: ec2.launched(cluster), deadline, *wait)
    if classes or instances:
        parts = [f"EC2NodeClasses: {', '.join(classes)}"] if classes else []
        parts += [f"instances: {', '.join(instances)}"] if instances else []
        raise KarpenterCleanupError(
            f"Karpenter's resources of cluster {cluster!r} are left after "
            f"{sweep_timeout_seconds:.0f} s ({'; '.join(parts)}); the controller is kept: "
            "check its logs (kubectl -n <namespace> logs deploy/karpenter), delete what is "
            "left, and run the command again"
        )
    return done


# -- the real APIs (used by the provider at delete time) ----------------------------------------


class _Kubernetes:
    """Karpenter's custom objects through the official client (an ``ApiClient``)."""

    def __init__(self, api: Any) -> None:
        from kubernetes import client

        self._custom: Any = client.CustomObjectsApi(api)
        self._error = client.ApiException

    def names(self, kind: tuple[str, str, str]) -> list[str]:
        try:
            found = self._custom.list_cluster_custom_object(*kind)
        except self._error as error:
            if error.status == 404:
                return []
            raise
        return sorted(item["metadata"]["name"] for item in found.get("items") or [])

    def delete(self, kind: tuple[str, str, str], name: str) -> None:
        try:
            self._custom.delete_cluster_custom_object(*kind, name, _preload_content=False).read()
        except self._error as error:
            if error.status != 404:
                raise


def _launched_for(tags: dict[str, str], cluster: str) -> bool:
    """Whether an instance's tags say Karpenter launched it for ``cluster``."""
    return NODEPOOL_TAG in tags and (
        tags.get("karpenter.sh/discovery") == cluster
        or f"kubernetes.io/cluster/{cluster}" in tags
        or tags.get("eks:eks-cluster-name") == cluster
    )


class _Instances:
    """EC2 through boto3, with the provider's session."""

    def __init__(self, session: Any, region: str | None) -> None:
        self._ec2 = session.client("ec2", region_name=region)

    def launched(self, cluster: str) -> list[str]:
        found: set[str] = set()
        filters = [
            {"Name": "tag-key", "Values": [NODEPOOL_TAG]},
            {"Name": "instance-state-name", "Values": LIVE_STATES},
        ]
        pages = self._ec2.get_paginator("describe_instances").paginate(Filters=filters)
        for page in pages:
            for reservation in page["Reservations"]:
                for instance in reservation["Instances"]:
                    tags = {t["Key"]: t["Value"] for t in instance.get("Tags") or []}
                    if _launched_for(tags, cluster):
                        found.add(instance["InstanceId"])
        return sorted(found)

    def terminate(self, instance_ids: list[str]) -> None:
        for start in range(0, len(instance_ids), 500):
            self._ec2.terminate_instances(InstanceIds=instance_ids[start : start + 500])


class _Provider(CleanupProvider):
    """Nothing to create but the owner marker; the work happens on delete (:func:`drain`)."""

    KIND = "karpenter-cleanup"
    MARKER = "eks-platform-karpenter-cleanup"

    def karpenter_api(self, api: Any) -> KarpenterApi:
        return _Kubernetes(api)

    def instances_api(self, props: dict[str, Any]) -> InstancesApi:
        return _Instances(self.session(props), self.region(props))

    def clean(self, props: dict[str, Any], api: Any) -> None:
        drain(
            self.karpenter_api(api),
            self.instances_api(props),
            props["clusterName"],
            drain_timeout_seconds=float(props.get("drainTimeoutSeconds", DEFAULT_DRAIN_SECONDS)),
            sweep_timeout_seconds=float(props.get("sweepTimeoutSeconds", SWEEP_SECONDS)),
            poll_seconds=float(props.get("pollSeconds", POLL_SECONDS)),
        )


class KarpenterCleanup(pulumi.dynamic.Resource):
    """Drains and deletes every node Karpenter launched, the teams' included, before it goes.

    Create it with ``depends_on`` the controller's releases, EC2NodeClass and NodePools
    (``Karpenter`` does): Pulumi deletes it first, and its delete runs :func:`drain` when
    ``armed`` and still the cluster's cleanup.
    """

    def __init__(
        self,
        name: str,
        *,
        kubeconfig: pulumi.Input[str],
        cluster_name: pulumi.Input[str],
        region: pulumi.Input[str],
        armed: bool = True,
        drain_timeout_seconds: int = DEFAULT_DRAIN_SECONDS,
        sweep_timeout_seconds: int = SWEEP_SECONDS,
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
                "armed": armed,
                "drainTimeoutSeconds": drain_timeout_seconds,
                "sweepTimeoutSeconds": sweep_timeout_seconds,
                "pollSeconds": poll_seconds,
            },
            pulumi.ResourceOptions.merge(
                opts, pulumi.ResourceOptions(additional_secret_outputs=["kubeconfig"])
            ),
        )
