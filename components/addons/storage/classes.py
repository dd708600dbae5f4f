"""The StorageClass EbsStorage makes the cluster's default, and the demotion of EKS's ``gp2``.

The class: gp3 volumes through the EBS CSI driver (``ebs.csi.aws.com``), encrypted (with the
customer key when there is one: ``kmsKeyId``), created in the zone of the pod's node
(``WaitForFirstConsumer``), expandable. EKS still creates the in-tree ``gp2`` class on every new
cluster, without the default annotation since Kubernetes 1.30 (EKS user guide, "Kubernetes
1.30"; clusters created before keep it through upgrades), so a server-side-apply patch sets
``gp2``'s annotation to ``"false"``: whatever the cluster's history, one class is the default.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from .args import DEFAULT_CLASS_ANNOTATION, EKS_GP2_CLASS, PROVISIONER, EbsStorageArgs

LABELS = {"app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": "eks-platform"}
PATCH_FORCE = "pulumi.com/patchForce"
"""Take the annotation over from the field manager EKS applied ``gp2`` with."""


def class_parameters(args: EbsStorageArgs, key_arn: str | None) -> dict[str, str]:
    """The StorageClass's ``parameters``: gp3, the file system, encrypted (with ``key_arn``)."""
    parameters = {"type": "gp3", "csi.storage.k8s.io/fstype": args.fs_type, "encrypted": "true"}
    return {**parameters, **({"kmsKeyId": key_arn} if key_arn else {})}


def create_storage_class(
    name: str,
    args: EbsStorageArgs,
    key_arn: pulumi.Input[str] | None,
    opts: pulumi.ResourceOptions,
) -> k8s.storage.v1.StorageClass:
    """The driver's StorageClass (see the module)."""
    annotations = {DEFAULT_CLASS_ANNOTATION: "true"} if args.default_class else None
    parameters: Any = (
        class_parameters(args, None)
        if key_arn is None
        else pulumi.Output.from_input(key_arn).apply(lambda k: class_parameters(args, k))
    )
    return k8s.storage.v1.StorageClass(
        f"{name}-{args.storage_class}",
        metadata=k8s.meta.v1.ObjectMetaArgs(
            name=args.storage_class, labels=LABELS, annotations=annotations
        ),
        provisioner=PROVISIONER,
        parameters=parameters,
        volume_binding_mode="WaitForFirstConsumer",
        allow_volume_expansion=True,
        reclaim_policy=args.reclaim_policy,
        opts=opts,
    )


def demote_gp2(name: str, opts: pulumi.ResourceOptions) -> k8s.storage.v1.StorageClassPatch:
    """``gp2``'s default annotation set to ``"false"`` (the class stays, for claims naming it)."""
    return k8s.storage.v1.StorageClassPatch(
        f"{name}-gp2-not-default",
        metadata=k8s.meta.v1.ObjectMetaPatchArgs(
            name=EKS_GP2_CLASS,
            annotations={DEFAULT_CLASS_ANNOTATION: "false", PATCH_FORCE: "true"},
        ),
        opts=opts,
    )
