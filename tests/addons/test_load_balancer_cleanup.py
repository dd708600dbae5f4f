"""The cleanup that runs before the load-balancer controller is deleted, against fake APIs;
what runs it (armed, the owner marker) and what it waits for. Through the real provider host:
``tests/dynamic/test_host.py``."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from components.addons.load_balancer_controller.cleanup import (
    CLUSTER_TAG,
    CleanupError,
    KubeObject,
    _Provider,
    cleanup,
)
from tests.addons.load_balancer_controller_support import INGRESS_CLASS, PARAMS, RELEASE, synth
from tests.support import depends_on


class FakeCluster:
    """A Kubernetes API whose controller needs ``rounds`` polls to process a finalizer, and
    AWS whose tagged resources vanish with the objects that made them."""

    def __init__(
        self,
        ingresses: dict[KubeObject, str | None],
        services: list[KubeObject],
        rounds: int = 2,
        stuck: tuple[KubeObject, ...] = (),
    ) -> None:
        self.ingress_classes = ingresses
        self.services = services
        self.rounds = rounds
        self.stuck = set(stuck)
        self.deleting: dict[KubeObject, int] = {}
        self.deleted: list[KubeObject] = []
        # Only what this controller made carries its tag (another controller's load balancer does not).
        ours = [obj for obj, cls in ingresses.items() if cls and cls.startswith("alb")] + services
        self.resources = {
            obj: f"arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/app/{obj.name}/1"
            for obj in ours
        }

    # KubernetesApi
    def ingresses(self) -> list[tuple[KubeObject, str | None]]:
        return list(self.ingress_classes.items())

    def load_balancer_services(self) -> list[KubeObject]:
        return list(self.services)

    def delete(self, obj: KubeObject) -> None:
        self.deleted.append(obj)
        self.deleting[obj] = self.rounds

    def exists(self, obj: KubeObject) -> bool:
        if obj in self.stuck:
            return True
        if obj not in self.deleting:
            return True
        self.deleting[obj] -= 1
        if self.deleting[obj] <= 0:
            self.resources.pop(obj, None)  # the controller deleted its load balancer
            return False
        return True

    # TaggingApi
    def tagged(self, key: str, value: str) -> list[str]:
        assert (key, value) == (CLUSTER_TAG, "dev-eks")
        return sorted(self.resources.values())


def run(
    fake: FakeCluster, classes: tuple[str, ...] = ("alb",), waited: list[float] | None = None
) -> list[KubeObject]:
    """The cleanup against ``fake`` on a fake clock; ``waited`` collects every sleep."""
    clock = [0.0]
    sleeps = waited if waited is not None else []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        clock[0] += seconds

    return cleanup(
        fake,
        fake,
        "dev-eks",
        classes,
        timeout_seconds=300,
        poll_seconds=10,
        sleep=sleep,
        clock=lambda: clock[0],
    )


WEB = KubeObject("Ingress", "team-a", "web")
OTHER_CLASS = KubeObject("Ingress", "team-b", "nginx-site")
NLB = KubeObject("Service", "team-c", "tcp")


def test_deletes_the_controllers_ingresses_and_every_load_balancer_service() -> None:
    fake = FakeCluster({WEB: "alb", OTHER_CLASS: "nginx"}, [NLB])
    deleted = run(fake)
    assert set(deleted) == {WEB, NLB} == set(fake.deleted)
    assert OTHER_CLASS not in fake.deleted  # another controller's Ingress is left alone
    assert fake.tagged(CLUSTER_TAG, "dev-eks") == []


def test_an_ingress_of_a_second_class_of_the_same_controller_goes_too() -> None:
    public = KubeObject("Ingress", "shop", "storefront")
    fake = FakeCluster({WEB: "alb", public: "alb-public"}, [])
    assert set(run(fake, ("alb", "alb-public"))) == {WEB, public}


def test_a_stuck_finalizer_fails_listing_the_object_and_what_is_left_in_aws() -> None:
    fake = FakeCluster({WEB: "alb"}, [NLB], stuck=(NLB,))
    with pytest.raises(CleanupError) as error:
        run(fake)
    message = str(error.value)
    assert "Service team-c/tcp" in message
    assert fake.resources[NLB] in message
    assert "Ingress team-a/web" not in message  # that one finished


def test_nothing_to_do_is_quick() -> None:
    fake = FakeCluster({OTHER_CLASS: "nginx"}, [])
    waited: list[float] = []
    assert run(fake, waited=waited) == []
    assert waited == [] and fake.deleted == []


# ------------------------------------------------------------- armed, and only its owner


class Owned(FakeCluster):
    """The fake cluster with the owner marker (``kube-system/<marker>``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.marker: str | None = None
        self.rounds = 0  # the controller is quick here

    def owner(self) -> str | None:
        return self.marker

    def claim(self, owner: str) -> None:
        self.marker = owner

    def release(self, owner: str) -> None:
        if self.marker == owner:
            self.marker = None


class Provider(_Provider):
    """The provider with the fake cluster behind it (the seams its real APIs plug into)."""

    def __init__(self, fake: Owned) -> None:
        super().__init__()
        self.fake = fake

    def kubernetes(self, props: dict[str, Any]) -> Any:
        return self.fake

    def marker(self, api: Any, props: dict[str, Any]) -> Any:
        return self.fake

    def kube_api(self, api: Any) -> Any:
        return self.fake

    def tagging_api(self, props: dict[str, Any]) -> Any:
        return self.fake


def props(**changes: Any) -> dict[str, Any]:
    return {
        "kubeconfig": "{}",
        "clusterName": "dev-eks",
        "region": "us-west-2",
        "ingressClasses": ["alb"],
        "armed": True,
        "timeoutSeconds": 5,
        "pollSeconds": 0,
        **changes,
    }


def test_turned_off_it_is_updated_never_replaced_and_its_delete_does_nothing() -> None:
    fake = Owned({WEB: "alb"}, [NLB])
    provider = Provider(fake)
    created = provider.create(props())
    assert fake.marker == created.id and created.outs
    off = props(armed=False)
    diff = provider.diff(created.id, created.outs, off)
    assert diff.changes and diff.replaces == [] and not diff.delete_before_replace
    provider.delete(created.id, provider.update(created.id, created.outs, off).outs or {})
    assert fake.deleted == []  # nothing ran: disabling is not deleting


def test_a_renamed_or_moved_cleanup_does_not_run_its_old_delete() -> None:
    fake = Owned({WEB: "alb"}, [NLB])
    provider = Provider(fake)
    old = provider.create(props())
    new = provider.create(props())  # the new URN: created first, then the old one deleted
    assert old.id != new.id and fake.marker == new.id
    provider.delete(old.id, old.outs or {})
    assert fake.deleted == []
    provider.delete(new.id, new.outs or {})
    assert set(fake.deleted) == {WEB, NLB} and fake.marker is None


def test_a_state_written_before_markers_and_armed_existed_still_cleans_up() -> None:
    fake = Owned({WEB: "alb"}, [])
    old = {k: v for k, v in props().items() if k != "armed"}
    Provider(fake).delete("dev-eks-load-balancer-cleanup", old)
    assert fake.deleted == [WEB]


# --------------------------------------------------------------------------- wiring


def test_the_cleanup_is_deleted_before_everything_the_controller_needs_to_finish() -> None:
    """The release, the CRDs, and the IngressClasses with their params: with a class gone, the
    controller's webhook refuses the Ingress update that removes its finalizer
    (aws-load-balancer-controller issue #4341, PR #4624)."""
    result = synth(public_ingress_class="alb-public", public_namespaces=["shop"])
    (cleanup_resource,) = [
        r for r in result.by_type("pulumi-python:dynamic:Resource") if r.name == "alb-cleanup"
    ]
    needs = [
        result.one(RELEASE),
        *result.by_type(INGRESS_CLASS),
        *result.by_type(PARAMS),
        *result.by_type("kubernetes:yaml/v2:ConfigFile"),
    ]
    assert len(needs) == 1 + 2 + 2 + 2
    for resource in needs:
        assert depends_on(result, cleanup_resource, resource), resource.name
    inputs = cleanup_resource.inputs
    assert inputs["kubeconfig"] == "[secret]"
    assert inputs["ingressClasses"] == ["alb", "alb-public"]
    assert inputs["clusterName"] == "test"
    assert inputs["region"] == "us-west-2"
    assert inputs["armed"] is True


def test_turned_off_the_cleanup_stays_disarmed() -> None:
    """Removing it would run its delete during an ordinary ``pulumi up``."""
    dynamic = synth(cleanup_on_delete=False).by_type("pulumi-python:dynamic:Resource")
    (cleanup_resource,) = [r for r in dynamic if r.name == "alb-cleanup"]
    assert cleanup_resource.inputs["armed"] is False


def test_the_aws_side_finds_what_the_controller_tagged(moto_env: str) -> None:
    import boto3

    from components.addons.load_balancer_controller.cleanup import _Tagging

    cluster = f"dev-eks-{uuid.uuid4().hex[:8]}"  # moto's server is shared: names of our own
    ec2 = boto3.client("ec2", region_name="us-west-2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"us-west-2{az}")[
            "Subnet"
        ]["SubnetId"]
        for i, az in enumerate("ab")
    ]
    elbv2 = boto3.client("elbv2", region_name="us-west-2")
    ours = elbv2.create_load_balancer(
        Name=f"k8s-web-{cluster}", Subnets=subnets, Tags=[{"Key": CLUSTER_TAG, "Value": cluster}]
    )["LoadBalancers"][0]["LoadBalancerArn"]
    elbv2.create_load_balancer(
        Name=f"k8s-other-{cluster}",
        Subnets=subnets,
        Tags=[{"Key": CLUSTER_TAG, "Value": f"prod-{cluster}"}],
    )
    tagging = _Tagging(boto3.Session(region_name="us-west-2"), "us-west-2")
    assert tagging.tagged(CLUSTER_TAG, cluster) == [ours]
