"""Bad and good programs of the pack's rules. Kubernetes: pods and the roles ServiceAccounts name."""

from __future__ import annotations

from typing import Any

import pulumi_kubernetes as k8s

from .base import case
from .iam import PINNED, web_identity_role

REQUESTS = {"requests": {"cpu": "100m", "memory": "128Mi"}}


def container(**overrides: Any) -> dict[str, Any]:
    return {"name": "app", "image": "nginx:1.27.3", "resources": REQUESTS, **overrides}


def pod_template(*containers: dict[str, Any], **spec: Any) -> dict[str, Any]:
    return {
        "metadata": {"labels": {"app": "web"}},
        "spec": {"containers": list(containers or [container()]), **spec},
    }


def deployment(namespace: str = "shop", *containers: dict[str, Any], **spec: Any) -> None:
    k8s.apps.v1.Deployment(
        "web",
        metadata={"name": "web", "namespace": namespace},
        spec={
            "selector": {"matchLabels": {"app": "web"}},
            "template": pod_template(*containers, **spec),
        },
    )


@case("k8s-no-privileged-pods", bad=True)
def bad_privileged_container() -> None:
    deployment("shop", container(securityContext={"privileged": True}))


@case("k8s-no-privileged-pods", bad=True)
def bad_host_network_daemon_set() -> None:
    k8s.apps.v1.DaemonSet(
        "agent",
        metadata={"name": "agent", "namespace": "monitoring"},
        spec={
            "selector": {"matchLabels": {"app": "web"}},
            "template": pod_template(
                container(), hostNetwork=True, volumes=[{"name": "root", "hostPath": {"path": "/"}}]
            ),
        },
    )


@case("k8s-no-privileged-pods", bad=True)
def bad_host_pid_cron_job() -> None:
    k8s.batch.v1.CronJob(
        "sweep",
        metadata={"name": "sweep", "namespace": "shop"},
        spec={
            "schedule": "0 * * * *",
            "jobTemplate": {
                "spec": {"template": pod_template(container(), hostPID=True, restartPolicy="Never")}
            },
        },
    )


@case("k8s-no-privileged-pods", bad=False)
def good_node_agent_in_kube_system() -> None:
    deployment("kube-system", container(securityContext={"privileged": True}), hostNetwork=True)


@case("k8s-no-privileged-pods", bad=False)
def good_restricted_pod() -> None:
    k8s.core.v1.Pod(
        "web",
        metadata={"name": "web", "namespace": "shop"},
        spec={
            "containers": [
                container(securityContext={"allowPrivilegeEscalation": False, "runAsNonRoot": True})
            ]
        },
    )


@case("k8s-image-pinned", bad=True)
def bad_untagged_and_latest() -> None:
    deployment(
        "shop", container(image="nginx"), container(name="sidecar", image="envoyproxy/envoy:latest")
    )


@case("k8s-image-pinned", bad=True)
def bad_init_container_registry_port_no_tag() -> None:
    deployment(
        "shop", initContainers=[container(name="init", image="registry.local:5000/tools/init")]
    )


@case("k8s-image-pinned", bad=False)
def good_tags_and_digests() -> None:
    deployment(
        "shop",
        container(image="registry.local:5000/shop/web:2.4.1"),
        container(name="sidecar", image="envoyproxy/envoy@sha256:" + "a" * 64),
    )


@case("k8s-resource-requests", bad=True)
def bad_no_requests() -> None:
    k8s.batch.v1.Job(
        "migrate",
        metadata={"name": "migrate", "namespace": "shop"},
        spec={
            "template": pod_template(
                container(resources={"limits": {"memory": "256Mi"}}), restartPolicy="Never"
            )
        },
    )


@case("k8s-resource-requests", bad=False)
def good_requests() -> None:
    k8s.apps.v1.StatefulSet(
        "db",
        metadata={"name": "db", "namespace": "shop"},
        spec={
            "serviceName": "db",
            "selector": {"matchLabels": {"app": "web"}},
            "template": pod_template(container()),
        },
    )


def service_account(role_arn: Any) -> None:
    k8s.core.v1.ServiceAccount(
        "reader",
        metadata={
            "name": "reader",
            "namespace": "reports",
            "annotations": {"eks.amazonaws.com/role-arn": role_arn},
        },
    )


@case("k8s-service-account-role-account", bad=True)
def bad_role_of_another_account() -> None:
    web_identity_role("reader", PINNED)
    service_account("arn:aws:iam::999999999999:role/reader")


@case("k8s-service-account-role-account", bad=True)
def bad_not_a_role_arn() -> None:
    service_account("reader")


@case(
    "k8s-service-account-role-account",
    bad=True,
    config={"k8s-service-account-role-account": {"accountId": "111111111111"}},
)
def bad_configured_account() -> None:
    role = web_identity_role("reader", PINNED)
    service_account(role.arn)


@case("k8s-service-account-role-account", bad=False)
def good_role_of_the_stack() -> None:
    role = web_identity_role("reader", PINNED)
    service_account(role.arn)
