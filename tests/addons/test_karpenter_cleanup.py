"""Karpenter's nodes go before Karpenter, the teams' included: the drain against fake APIs, the
sweep against moto's EC2, and the wiring. Through the real provider host:
``tests/dynamic/test_host.py``."""

from __future__ import annotations

import uuid
from typing import Any

import boto3
import pulumi
import pytest

from components.addons.karpenter.cleanup import (
    DEFAULT_DRAIN_SECONDS,
    NODECLAIMS,
    NODECLASSES,
    NODEPOOLS,
    KarpenterCleanupError,
    _Instances,
    _Provider,
    drain,
    drain_bound,
    seconds,
)
from tests.addons.karpenter_support import (
    NODE_CLASS,
    NODE_POOL,
    POOLS,
    RELEASE,
    default_program,
    karpenter_program,
)
from tests.support import depends_on

Kind = tuple[str, str, str]


class FakeKarpenter:
    """Karpenter's objects and the EC2 instances behind the NodeClaims: a NodePool's delete
    deletes its NodeClaims, a NodeClaim goes ``rounds`` reads after its delete and terminates its
    instance (unless ``stuck``)."""

    def __init__(self, rounds: int = 2, stuck: tuple[str, ...] = ()) -> None:
        self.objects: dict[Kind, dict[str, dict[str, Any]]] = {
            NODEPOOLS: {"general": {}, "team-gpu": {}},
            NODECLAIMS: {
                "general-a": {"pool": "general", "instance": "i-general"},
                "team-gpu-a": {"pool": "team-gpu", "instance": "i-gpu"},
            },
            NODECLASSES: {"default": {}, "team-gpu": {}},
        }
        self.instances = {"i-general", "i-gpu", "i-leaked"}
        self.rounds, self.stuck = rounds, set(stuck)
        self.dying: dict[str, int] = {}
        self.deleted: list[tuple[str, str]] = []
        self.terminated: list[str] = []

    def names(self, kind: Kind) -> list[str]:
        if kind == NODECLAIMS:
            for name, left in list(self.dying.items()):
                if name in self.stuck:
                    continue
                self.dying[name] = left - 1
                if self.dying[name] < 0:
                    claim = self.objects[NODECLAIMS].pop(name)
                    self.instances.discard(claim["instance"])
                    del self.dying[name]
        return sorted(self.objects[kind])

    def delete(self, kind: Kind, name: str) -> None:
        self.deleted.append((kind[2], name))
        if kind == NODECLAIMS:
            self.dying.setdefault(name, self.rounds)
        elif kind == NODEPOOLS:
            self.objects[kind].pop(name, None)
            for claim, spec in self.objects[NODECLAIMS].items():
                if spec["pool"] == name:
                    self.dying.setdefault(claim, self.rounds)
        else:
            self.objects[kind].pop(name, None)

    # InstancesApi
    def launched(self, cluster: str) -> list[str]:
        assert cluster == "dev-eks"
        return sorted(self.instances)

    def terminate(self, instance_ids: list[str]) -> None:
        self.terminated += instance_ids
        self.instances -= set(instance_ids)


def run(fake: FakeKarpenter, drain_seconds: float = 300) -> dict[str, list[str]]:
    clock = [0.0]

    def sleep(s: float) -> None:
        clock[0] += s

    return drain(fake, fake, "dev-eks", drain_seconds, 60, 10, sleep, lambda: clock[0])


def test_every_nodepool_goes_the_teams_too_then_the_classes_then_the_leftovers() -> None:
    fake = FakeKarpenter()
    done = run(fake)
    assert done["nodepools"] == ["general", "team-gpu"]
    assert done["ec2nodeclasses"] == ["default", "team-gpu"]
    assert not any(fake.objects.values())
    # Karpenter terminated the NodeClaims' instances; the sweep only the one it leaked.
    assert fake.terminated == ["i-leaked"] and not fake.instances
    # The classes go only once the NodeClaims are gone (their finalizers wait for them anyway).
    kinds = [kind for kind, _ in fake.deleted]
    assert kinds.index("ec2nodeclasses") > kinds.index("nodeclaims")


def test_a_drain_that_does_not_finish_fails_listing_the_nodeclaims_and_touches_nothing_else() -> (
    None
):
    fake = FakeKarpenter(stuck=("team-gpu-a",))
    with pytest.raises(
        KarpenterCleanupError, match=r"within 300 s \(NodeClaims left: team-gpu-a\)"
    ):
        run(fake)
    assert fake.objects[NODECLASSES] and fake.terminated == []  # the controller keeps working


def test_what_the_sweep_cannot_remove_is_listed() -> None:
    fake = FakeKarpenter()
    fake.terminate = lambda instance_ids: None  # type: ignore[method-assign]
    with pytest.raises(KarpenterCleanupError, match="instances: i-leaked"):
        run(fake)


@pytest.mark.parametrize(
    ("periods", "bound"),
    [
        ([None, None], DEFAULT_DRAIN_SECONDS),
        (["2h", None], 2 * 3600 + 900),
        (["24h", "1h30m"], 24 * 3600 + 900),
    ],
)
def test_the_drain_bound_follows_the_longest_termination_grace_period(
    periods: list[str | None], bound: int
) -> None:
    assert drain_bound(periods) == bound
    assert seconds("1h30m") == 5400


def test_the_sweep_finds_the_instances_karpenter_launched_for_the_cluster(moto_env: str) -> None:
    def run_instance(ec2: Any, tags: dict[str, str]) -> str:
        spec = [
            {"ResourceType": "instance", "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}
        ]
        found = ec2.run_instances(
            ImageId="ami-12c6146b", MinCount=1, MaxCount=1, TagSpecifications=spec
        )
        return str(found["Instances"][0]["InstanceId"])

    cluster = f"dev-eks-{uuid.uuid4().hex[:8]}"  # moto's server is shared: names of our own
    ec2 = boto3.client("ec2", region_name="us-west-2")
    pool = {"karpenter.sh/nodepool": "team-gpu"}
    ours = sorted(
        run_instance(ec2, {**pool, **tags})
        for tags in (
            {"karpenter.sh/discovery": cluster},
            {f"kubernetes.io/cluster/{cluster}": "owned"},
            {"eks:eks-cluster-name": cluster},
        )
    )
    run_instance(ec2, {f"kubernetes.io/cluster/{cluster}": "owned"})  # a managed node group's
    run_instance(ec2, {**pool, f"kubernetes.io/cluster/prod-{cluster}": "owned"})  # another's
    instances = _Instances(boto3.Session(region_name="us-west-2"), "us-west-2")
    assert instances.launched(cluster) == ours
    instances.terminate(ours[:1])
    assert instances.launched(cluster) == ours[1:]


# --------------------------------------------------------------------------- wiring


def test_the_cleanup_goes_before_the_controller_its_node_class_and_nodepools() -> None:
    result = default_program()
    (cleanup,) = [
        r for r in result.by_type("pulumi-python:dynamic:Resource") if r.name == "karpenter-cleanup"
    ]
    for needed in [
        *result.by_type(RELEASE),
        *result.by_type(NODE_CLASS),
        *result.by_type(NODE_POOL),
    ]:
        assert depends_on(result, cleanup, needed), needed.name
    assert cleanup.inputs["armed"] is True and cleanup.inputs["kubeconfig"] == "[secret]"
    # The default program's spot pool sets terminationGracePeriod 24h.
    assert cleanup.inputs["drainTimeoutSeconds"] == 24 * 3600 + 900
    assert cleanup.inputs["clusterName"] == "test" and cleanup.inputs["region"] == "us-west-2"


def test_turned_off_it_stays_disarmed_and_the_node_class_outwaits_the_longest_drain(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Removing the cleanup would run its delete; and prod sets terminationGracePeriod 24h, which
    a 30-minute delete timeout of the EC2NodeClass would cut short."""
    import pulumi_kubernetes as k8s

    timeouts: dict[str, str | None] = {}
    original = k8s.apiextensions.CustomResource.__init__

    def spy(self: Any, resource_name: str, *args: Any, **kwargs: Any) -> None:
        opts = kwargs.get("opts") or pulumi.ResourceOptions()
        if kwargs.get("kind") == "EC2NodeClass":
            timeouts[resource_name] = opts.custom_timeouts.delete if opts.custom_timeouts else None
        original(self, resource_name, *args, **kwargs)

    monkeypatch.setattr(k8s.apiextensions.CustomResource, "__init__", spy)
    result = karpenter_program(node_pools=POOLS, cleanup_on_delete=False)
    (cleanup,) = [
        r for r in result.by_type("pulumi-python:dynamic:Resource") if r.name == "karpenter-cleanup"
    ]
    assert cleanup.inputs["armed"] is False
    (timeout,) = timeouts.values()
    assert timeout is not None and seconds(timeout) == 24 * 3600 + 900 + 900 > 24 * 3600


def test_the_provider_runs_the_drain_with_its_inputs() -> None:
    fake = FakeKarpenter(rounds=0)

    class Provider(_Provider):
        def kubernetes(self, props: dict[str, Any]) -> Any:
            return fake

        def marker(self, api: Any, props: dict[str, Any]) -> Any:
            class Marker:
                def owner(self) -> None:
                    return None

                def release(self, owner: str) -> None:
                    pass

            return Marker()

        def karpenter_api(self, api: Any) -> Any:
            return fake

        def instances_api(self, props: dict[str, Any]) -> Any:
            return fake

    props = {"kubeconfig": "{}", "clusterName": "dev-eks", "region": "us-west-2", "pollSeconds": 0}
    Provider().delete("dev-eks-karpenter-cleanup-1", props)
    assert not any(fake.objects.values()) and not fake.instances
    Provider().delete("x", {**props, "armed": False})  # disarmed: nothing to look at
