"""The dynamic providers through the SDK's own provider host, as the engine drives them.

Each test drives ``python -m pulumi.dynamic`` (:class:`~tests.dynamic.host.Host`: one process
shared by the tests, as one serves a whole deployment) where neither ``components`` nor
``eks_platform`` can be imported, and calls ``Configure`` with the stack's AWS settings
(``aws:region``; ``aws:profile`` in a shared credentials file of its own, named by
``aws:sharedCredentialsFiles``; ``aws:assumeRoles``), then ``Check``, ``Diff``, ``Create``,
``Update`` and ``Delete`` with the provider pickled as ``pulumi.dynamic.Resource`` stores it.
AWS is moto's server (``AWS_ENDPOINT_URL``), EKS access entries and the Kubernetes API are
fakes over HTTP (:mod:`tests.dynamic.fakes`); the host's environment holds no credentials, so
every call that succeeds used the stack's settings, and the fake API server admits only the
assumed role.
"""

from __future__ import annotations

from typing import Any

import pytest
from pulumi.dynamic.dynamic import serialize_provider

from components.addons.karpenter.cleanup import NODECLAIMS, NODECLASSES, NODEPOOLS
from components.addons.karpenter.cleanup import _Provider as KarpenterProvider
from components.addons.load_balancer_controller.cleanup import CLUSTER_TAG
from components.addons.load_balancer_controller.cleanup import _Provider as LoadBalancerProvider
from components.cluster.creator_access import MANAGED_TAG
from components.cluster.creator_access import _Provider as CreatorProvider
from tests.dynamic.conftest import ACCOUNT, ASSUMED, DEPLOY_ROLE, Stack, client
from tests.dynamic.fakes import FakeEks, FakeKubernetes
from tests.dynamic.host import Host, HostError

CLUSTER = "dev-eks"
NETWORKING = "apis/networking.k8s.io/v1"
MARKER = ("api/v1", "kube-system", "configmaps", "eks-platform-load-balancer-cleanup")


def security_group(moto: str, name: str, cluster: str) -> str:
    """A security group as the controller makes one for a load balancer (tagged with its
    cluster, as are its ALBs and target groups); returns its ARN."""
    ec2 = client(moto, "ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    tags = [{"ResourceType": "security-group", "Tags": [{"Key": CLUSTER_TAG, "Value": cluster}]}]
    group = ec2.create_security_group(
        GroupName=name, Description=name, VpcId=vpc, TagSpecifications=tags
    )["GroupId"]
    return f"arn:aws:ec2:us-west-2:{ACCOUNT}:security-group/{group}"


def tagged(moto: str, cluster: str) -> list[str]:
    found = client(moto, "resourcegroupstaggingapi").get_resources(
        TagFilters=[{"Key": CLUSTER_TAG, "Values": [cluster]}]
    )
    return [r["ResourceARN"] for r in found["ResourceTagMappingList"]]


def controller(kubernetes: FakeKubernetes, moto: str) -> None:
    """Play the load-balancer controller: an Ingress or Service goes after a few reads, and
    what the controller made for it with it."""
    ec2 = client(moto, "ec2")

    def gone(_key: Any, obj: dict[str, Any]) -> None:
        if obj.get("made"):
            ec2.delete_security_group(GroupId=obj["made"].rsplit("/", 1)[1])

    kubernetes.on_gone = gone


def cleanup_props(kubernetes: FakeKubernetes, cluster: str, **changes: Any) -> dict[str, Any]:
    return {
        "__provider": serialize_provider(LoadBalancerProvider()),
        "kubeconfig": kubernetes.kubeconfig(cluster),
        "clusterName": cluster,
        "region": "us-west-2",
        "ingressClasses": ["alb"],
        "armed": True,
        "timeoutSeconds": 10,
        "pollSeconds": 0.05,
        **changes,
    }


def test_the_load_balancer_cleanup_runs_on_delete_only_when_armed(
    stack: Stack, kubernetes: FakeKubernetes, moto: str, cluster: str, host: Host
) -> None:
    controller(kubernetes, moto)
    made = security_group(moto, f"k8s-teama-web-{cluster}", cluster)
    web = kubernetes.put(NETWORKING, "ingresses", "web", "team-a", rounds=2, made=made,
                         spec={"ingressClassName": "alb"})  # fmt: skip
    host.configure(stack.config)
    inputs = host.check("alb-cleanup", {}, cleanup_props(kubernetes, cluster))
    id_, outs = host.create("alb-cleanup", inputs)
    assert id_.startswith(f"{cluster}-load-balancer-cleanup-")
    assert kubernetes.objects[MARKER]["data"]["owner"] == id_
    # Turned off: an update, never a replacement; the delete after it does nothing.
    off = host.check("alb-cleanup", outs, cleanup_props(kubernetes, cluster, armed=False))
    diff = host.diff("alb-cleanup", id_, outs, off)
    assert diff.changes == diff.DIFF_SOME and list(diff.replaces) == []
    outs = host.update("alb-cleanup", id_, outs, off)
    host.delete("alb-cleanup", id_, outs)
    assert web in kubernetes.objects and tagged(moto, cluster) == [made]
    # Armed again, the delete runs: the Ingress and what was made for it go, then the marker.
    outs = host.update("alb-cleanup", id_, outs, cleanup_props(kubernetes, cluster))
    host.delete("alb-cleanup", id_, outs)
    assert web not in kubernetes.objects and tagged(moto, cluster) == []
    assert MARKER not in kubernetes.objects
    assert kubernetes.callers == {ASSUMED}


def test_a_renamed_cleanup_leaves_its_old_delete_nothing_to_do(
    stack: Stack, kubernetes: FakeKubernetes, cluster: str, host: Host
) -> None:
    web = kubernetes.put(NETWORKING, "ingresses", "web", "team-a", spec={"ingressClassName": "alb"})
    host.configure(stack.config)
    props = host.check("old", {}, cleanup_props(kubernetes, cluster))
    old_id, old_outs = host.create("old", props)
    # The new URN is created first, then the old one deleted (the engine's order).
    new_id, new_outs = host.create("new", host.check("new", {}, props))
    host.delete("old", old_id, old_outs)
    assert web in kubernetes.objects
    assert kubernetes.objects[MARKER]["data"]["owner"] == new_id
    host.delete("new", new_id, new_outs)
    assert web not in kubernetes.objects


def test_a_cleanup_that_cannot_finish_fails_listing_what_is_left(
    stack: Stack, kubernetes: FakeKubernetes, moto: str, cluster: str, host: Host
) -> None:
    made = security_group(moto, f"k8s-teamc-tcp-{cluster}", cluster)
    kubernetes.put("api/v1", "services", "tcp", "team-c", rounds=10_000, made=made,
                   spec={"type": "LoadBalancer"})  # fmt: skip
    host.configure(stack.config)
    props = host.check("c", {}, cleanup_props(kubernetes, cluster, timeoutSeconds=0.1))
    id_, outs = host.create("c", props)
    with pytest.raises(HostError, match="still terminating: Service team-c/tcp") as error:
        host.delete("c", id_, outs)
    assert made in str(error.value)
    assert MARKER in kubernetes.objects  # the next destroy tries again


def test_the_creator_removal_as_the_stacks_identity(stack: Stack, eks: FakeEks, host: Host) -> None:
    admin = f"arn:aws:iam::{ACCOUNT}:role/PlatformAdmin"
    eks.entries[CLUSTER] = {DEPLOY_ROLE: {}, admin: {MANAGED_TAG: "admin"}}
    entry = {
        "key": "deploy",
        "principalArn": DEPLOY_ROLE,
        "policy": "cluster-admin",
        "namespaces": [],
    }
    props = {
        "__provider": serialize_provider(CreatorProvider()),
        "clusterName": CLUSTER,
        "clusterIdentity": "https://oidc.eks.us-west-2.amazonaws.com/id/AAAA",
        "region": "us-west-2",
        "declaredPrincipals": [DEPLOY_ROLE, admin],
        "declaredEntries": [entry],
        "removed": None,
    }
    host.configure(stack.config)
    id_, outs = host.create("creator", host.check("creator", {}, props))
    assert outs["removed"] == [DEPLOY_ROLE]
    assert list(eks.entries[CLUSTER]) == [admin]
    # A replaced cluster (new issuer) is a replacement: its bootstrap entry goes too.
    replaced = {**props, "clusterIdentity": "https://oidc.eks.us-west-2.amazonaws.com/id/BBBB"}
    assert list(host.diff("creator", id_, outs, replaced).replaces) == ["clusterIdentity"]
    assert host.diff("creator", id_, outs, props).changes == 1  # DIFF_NONE
    # Demoting the deployer is refused, naming the entry.
    view = {**props, "declaredEntries": [{**entry, "policy": "view"}]}
    with pytest.raises(HostError, match=r"accessEntries\['deploy'\]: .* declared with view"):
        host.update("creator", id_, outs, view)
    eks.entries[CLUSTER][DEPLOY_ROLE] = {}
    with pytest.raises(HostError, match="must be cluster-admin without namespaces"):
        host.create("creator-2", view)
    assert DEPLOY_ROLE in eks.entries[CLUSTER]  # refused before anything was removed
    host.delete("creator", id_, outs)  # nothing to do


def karpenter(kubernetes: FakeKubernetes, moto: str, cluster: str) -> dict[str, str]:
    """A cluster with the stack's NodePool and a team's, their NodeClaims and instances, an
    instance Karpenter leaked (no NodeClaim), one it did not launch, one of another cluster.
    Deleting a NodePool deletes its NodeClaims (Karpenter's garbage collection); a NodeClaim
    goes after a few reads and terminates its instance."""
    ec2 = client(moto, "ec2")
    image = "ami-12c6146b"  # one of moto's own (listing them all is slow)

    def instance(pool: str | None, of: str = cluster) -> str:
        tags = [{"Key": f"kubernetes.io/cluster/{of}", "Value": "owned"}]
        tags += [{"Key": "karpenter.sh/nodepool", "Value": pool}] if pool else []
        spec = [{"ResourceType": "instance", "Tags": tags}]
        found = ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, TagSpecifications=spec)
        return str(found["Instances"][0]["InstanceId"])

    made = {
        "general": instance("general"),
        "team-gpu": instance("team-gpu"),
        "leaked": instance("team-gpu"),
        "managed": instance(None),
        "other": instance("general", of=f"prod-{cluster}"),
    }
    api = {kind: f"apis/{kind[0]}/{kind[1]}" for kind in (NODEPOOLS, NODECLAIMS, NODECLASSES)}
    for pool in ("general", "team-gpu"):
        kubernetes.put(api[NODEPOOLS], NODEPOOLS[2], pool)
        kubernetes.put(api[NODECLAIMS], NODECLAIMS[2], f"{pool}-x1", rounds=3, pool=pool,
                       instance=made[pool])  # fmt: skip
    for node_class in ("default", "team-gpu"):
        kubernetes.put(api[NODECLASSES], NODECLASSES[2], node_class, rounds=1)

    def deleted(key: Any, _obj: Any) -> None:
        if key[2] == "nodepools":
            for claim in [k for k, o in kubernetes.objects.items() if o.get("pool") == key[3]]:
                kubernetes.delete(claim)

    def gone(_key: Any, obj: dict[str, Any]) -> None:
        if obj.get("instance"):
            ec2.terminate_instances(InstanceIds=[obj["instance"]])

    kubernetes.on_delete, kubernetes.on_gone = deleted, gone
    return made


def running(moto: str, ids: list[str]) -> set[str]:
    reservations = client(moto, "ec2").describe_instances(
        InstanceIds=ids, Filters=[{"Name": "instance-state-name", "Values": ["running"]}]
    )["Reservations"]
    return {i["InstanceId"] for r in reservations for i in r["Instances"]}


def test_the_karpenter_cleanup_drains_every_nodepool_and_sweeps_what_is_left(
    stack: Stack, kubernetes: FakeKubernetes, moto: str, cluster: str, host: Host
) -> None:
    made = karpenter(kubernetes, moto, cluster)
    props = {
        "__provider": serialize_provider(KarpenterProvider()),
        "kubeconfig": kubernetes.kubeconfig(cluster),
        "clusterName": cluster,
        "region": "us-west-2",
        "armed": True,
        "drainTimeoutSeconds": 10,
        "sweepTimeoutSeconds": 10,
        "pollSeconds": 0.05,
    }
    host.configure(stack.config)
    id_, outs = host.create("karpenter-cleanup", host.check("karpenter-cleanup", {}, props))
    assert id_.startswith(f"{cluster}-karpenter-cleanup-")
    host.delete("karpenter-cleanup", id_, outs)
    assert not [k for k in kubernetes.objects if k[0].startswith("apis/karpenter")]
    # The stack's and the team's nodes and the leaked one are gone; nothing else was touched.
    assert running(moto, list(made.values())) == {made["managed"], made["other"]}
