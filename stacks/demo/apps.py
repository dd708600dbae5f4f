"""The demo's workloads on storage and metrics (dev): a pod that writes to an EBS volume, and a
web Deployment a HorizontalPodAutoscaler scales on CPU.

* ``demo-data``: a PersistentVolumeClaim of the stack's default StorageClass (gp3, encrypted,
  ``WaitForFirstConsumer``: the volume is made in the zone of the node the pod lands on), and
  the Deployment ``demo-volume`` (one replica, ``Recreate``: a ReadWriteOnce volume attaches to
  one node) that appends a line to ``/data/log`` every minute. Both depend on
  :attr:`EbsStorage.ready <components.addons.storage.EbsStorage.ready>`, so on destroy the claim
  goes (and the driver deletes the volume) before the driver does.
* ``demo-web``: a Deployment serving HTTP on port 8080 with CPU requests, and the HPA
  ``demo-web`` (``autoscaling/v2``, average CPU utilization 70%, 1 to 3 replicas), which
  depends on the Metrics Server: the ``metrics.k8s.io`` API it reads is the add-on's.

Every pod meets the namespace's Pod Security level ``restricted``: non-root, no privilege
escalation, every capability dropped, the runtime's seccomp profile, a read-only root
filesystem, CPU and memory requests and limits, no ServiceAccount token.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components import EbsStorage, MetricsServer

IMAGE = "public.ecr.aws/docker/library/busybox:1.37.0"
"""BusyBox (the Docker official image through ECR Public, no Docker Hub rate limit), pinned."""
RUN_AS = 65534
"""``nobody``: the demo's pods run as it (and own the volume through ``fsGroup``)."""
VOLUME_SIZE = "1Gi"
WEB_PORT = 8080
HPA_CPU_UTILIZATION = 70
HPA_REPLICAS = (1, 3)
RESOURCES = {
    "requests": {"cpu": "10m", "memory": "16Mi"},
    "limits": {"cpu": "100m", "memory": "32Mi"},
}


@dataclass
class DemoApps:
    """What :func:`deploy_apps` made."""

    claim: k8s.core.v1.PersistentVolumeClaim
    volume_deployment: k8s.apps.v1.Deployment
    web_deployment: k8s.apps.v1.Deployment
    autoscaler: k8s.autoscaling.v2.HorizontalPodAutoscaler


def deploy_apps(
    name: str,
    namespace: str,
    provider: k8s.Provider,
    storage: EbsStorage | None,
    metrics: MetricsServer | None,
    after: list[pulumi.Resource],
) -> DemoApps:
    """The volume demo and the autoscaled web demo in ``namespace`` (created by ``after``);
    ``storage`` None: the cluster's own default class (EKS Auto Mode's)."""
    base = pulumi.ResourceOptions(provider=provider, depends_on=after)
    on_storage = storage.workload_options(base) if storage is not None else base
    claim = k8s.core.v1.PersistentVolumeClaim(
        f"{name}-demo-data",
        metadata=k8s.meta.v1.ObjectMetaArgs(name="demo-data", namespace=namespace),
        spec=k8s.core.v1.PersistentVolumeClaimSpecArgs(
            access_modes=["ReadWriteOnce"],
            storage_class_name=storage.storage_class_name if storage is not None else None,
            resources=k8s.core.v1.VolumeResourceRequirementsArgs(requests={"storage": VOLUME_SIZE}),
        ),
        # WaitForFirstConsumer: the claim binds once its pod is scheduled; the Kubernetes
        # provider counts it ready while Pending (pulumi/pulumi-kubernetes#3130), so the
        # Deployment that mounts it is created after it without a deadlock.
        opts=on_storage,
    )
    writer = _container(
        "writer",
        ["sh", "-c", "while true; do date >> /data/log; sleep 60; done"],
        [k8s.core.v1.VolumeMountArgs(name="data", mount_path="/data")],
    )
    volume_deployment = _deployment(
        f"{name}-demo-volume",
        "demo-volume",
        namespace,
        writer,
        [
            k8s.core.v1.VolumeArgs(
                name="data",
                persistent_volume_claim=k8s.core.v1.PersistentVolumeClaimVolumeSourceArgs(
                    claim_name=claim.metadata.apply(lambda m: m.name or "demo-data")
                ),
            )
        ],
        strategy="Recreate",  # a ReadWriteOnce volume: the old pod lets go before the new one
        replicas=1,
        opts=on_storage,
    )
    server = _container(
        "web",
        ["httpd", "-f", "-p", str(WEB_PORT), "-h", "/www"],
        [k8s.core.v1.VolumeMountArgs(name="www", mount_path="/www")],
        port=WEB_PORT,
    )
    web = _deployment(
        f"{name}-demo-web",
        "demo-web",
        namespace,
        server,
        [k8s.core.v1.VolumeArgs(name="www", empty_dir=k8s.core.v1.EmptyDirVolumeSourceArgs())],
        strategy="RollingUpdate",
        replicas=None,  # the HPA's to set: a replica count here would undo its scaling
        opts=base,
    )
    on_metrics = metrics.workload_options(base) if metrics is not None else base
    autoscaler = k8s.autoscaling.v2.HorizontalPodAutoscaler(
        f"{name}-demo-web",
        metadata=k8s.meta.v1.ObjectMetaArgs(name="demo-web", namespace=namespace),
        spec=k8s.autoscaling.v2.HorizontalPodAutoscalerSpecArgs(
            scale_target_ref=k8s.autoscaling.v2.CrossVersionObjectReferenceArgs(
                api_version="apps/v1",
                kind="Deployment",
                name=web.metadata.apply(lambda m: m.name or "demo-web"),
            ),
            min_replicas=HPA_REPLICAS[0],
            max_replicas=HPA_REPLICAS[1],
            metrics=[
                k8s.autoscaling.v2.MetricSpecArgs(
                    type="Resource",
                    resource=k8s.autoscaling.v2.ResourceMetricSourceArgs(
                        name="cpu",
                        target=k8s.autoscaling.v2.MetricTargetArgs(
                            type="Utilization", average_utilization=HPA_CPU_UTILIZATION
                        ),
                    ),
                )
            ],
        ),
        opts=on_metrics,
    )
    return DemoApps(claim, volume_deployment, web, autoscaler)


def _container(
    name: str,
    command: list[str],
    mounts: list[k8s.core.v1.VolumeMountArgs],
    port: int | None = None,
) -> k8s.core.v1.ContainerArgs:
    return k8s.core.v1.ContainerArgs(
        name=name,
        image=IMAGE,
        image_pull_policy="IfNotPresent",
        command=command,
        ports=[k8s.core.v1.ContainerPortArgs(container_port=port, name="http")] if port else None,
        security_context=k8s.core.v1.SecurityContextArgs(
            allow_privilege_escalation=False,
            read_only_root_filesystem=True,
            run_as_non_root=True,
            capabilities=k8s.core.v1.CapabilitiesArgs(drop=["ALL"]),
        ),
        resources=k8s.core.v1.ResourceRequirementsArgs(
            requests=dict(RESOURCES["requests"]), limits=dict(RESOURCES["limits"])
        ),
        volume_mounts=mounts,
    )


def _deployment(
    resource_name: str,
    app: str,
    namespace: str,
    container: k8s.core.v1.ContainerArgs,
    volumes: list[k8s.core.v1.VolumeArgs],
    strategy: str,
    replicas: int | None,
    opts: pulumi.ResourceOptions,
) -> k8s.apps.v1.Deployment:
    labels = {"app.kubernetes.io/name": app, "app.kubernetes.io/part-of": "demo"}
    pod: dict[str, Any] = dict(
        automount_service_account_token=False,
        security_context=k8s.core.v1.PodSecurityContextArgs(
            run_as_non_root=True,
            run_as_user=RUN_AS,
            run_as_group=RUN_AS,
            fs_group=RUN_AS,
            seccomp_profile=k8s.core.v1.SeccompProfileArgs(type="RuntimeDefault"),
        ),
        containers=[container],
        volumes=volumes,
    )
    return k8s.apps.v1.Deployment(
        resource_name,
        metadata=k8s.meta.v1.ObjectMetaArgs(name=app, namespace=namespace, labels=labels),
        spec=k8s.apps.v1.DeploymentSpecArgs(
            replicas=replicas,
            strategy=k8s.apps.v1.DeploymentStrategyArgs(type=strategy),
            selector=k8s.meta.v1.LabelSelectorArgs(match_labels=labels),
            template=k8s.core.v1.PodTemplateSpecArgs(
                metadata=k8s.meta.v1.ObjectMetaArgs(labels=labels),
                spec=k8s.core.v1.PodSpecArgs(**pod),
            ),
        ),
        opts=opts,
    )
