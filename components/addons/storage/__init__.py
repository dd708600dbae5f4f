"""``EbsStorage``: persistent volumes on EBS, the cluster's default StorageClass.

EKS ships no in-tree EBS provisioner since Kubernetes 1.23 and no default StorageClass since
1.30, so without this a PersistentVolumeClaim stays Pending. ``EbsStorage`` installs the Amazon
EBS CSI driver as the EKS managed add-on ``aws-ebs-csi-driver``, through the same path as every
add-on (:class:`~components.cluster.managed_addon.ManagedAddon`): its version follows the
cluster's Kubernetes version unless pinned, and its controller's ServiceAccount
(``kube-system/ebs-csi-controller-sa``) gets a role of its own (IRSA or Pod Identity) with the
AWS managed policy ``AmazonEBSCSIDriverPolicy`` and, when the volumes use a customer key, that
key's grants (:mod:`.iam`). Then the StorageClass (:mod:`.classes`): gp3, encrypted,
``WaitForFirstConsumer``, expandable, the only default.

Objects that use volumes depend on :attr:`EbsStorage.ready` (:meth:`EbsStorage.workload_options`):
on destroy they go first, while the driver still runs and deletes their EBS volumes.
"""

from __future__ import annotations

from typing import Any

import pulumi

from ... import aws_context, naming
from ... import validation as v
from ...cluster.managed_addon import ManagedAddon, ManagedAddonArgs, claim_addon
from ...identity.cluster_ref import ClusterRef, as_cluster_ref
from ..controller import options_after
from .args import (
    ADDON_NAME,
    NAMESPACE,
    PROVISIONER,
    SERVICE_ACCOUNT,
    EbsStorageArgs,
)
from .classes import create_storage_class, demote_gp2
from .iam import driver_policy, key_grant
from .validation import validate_settings

__all__ = ["PROVISIONER", "EbsStorage", "EbsStorageArgs", "validate_settings"]


class EbsStorage(pulumi.ComponentResource):
    """The EBS CSI driver (EKS add-on) with its role, and the cluster's default StorageClass.

    Creates, as children: a :class:`~components.cluster.managed_addon.ManagedAddon`
    ``aws-ebs-csi-driver`` (the add-on, and the role of ``kube-system/ebs-csi-controller-sa``),
    the StorageClass ``storage_class`` and, with ``default_class`` and ``demote_gp2``, a patch
    that makes EKS's ``gp2`` class not the default.

    Args: :class:`EbsStorageArgs`. Outputs: ``storage_class_name``, ``role_arn``,
    ``addon_version``.
    """

    cluster: ClusterRef
    """The cluster."""
    addon: ManagedAddon
    """The driver's add-on and role."""
    role_arn: pulumi.Output[str]
    """ARN of the driver's role."""
    storage_class_name: pulumi.Output[str]
    """Name of the StorageClass."""
    kms_key_arn: pulumi.Input[str] | None
    """The key the volumes are encrypted with (None: the account's ``aws/ebs`` key)."""
    ready: list[pulumi.Resource]
    """What objects with volumes depend on: the add-on and the StorageClass."""

    def __init__(
        self, name: str, args: EbsStorageArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        """Install the driver and make the StorageClass; see :class:`EbsStorage`."""
        owner = f"EbsStorage {name!r}"
        with v.component_errors("EbsStorage", name):
            v.resource_options(opts)
            if not v.was_validated(args):  # else the stack's configuration checked them
                v.check_fields(args, EbsStorageArgs)
                validate_settings(args)
            cluster = as_cluster_ref(args.cluster)
            key = args.kms_key_arn
            if key is None:  # the stack's key: the cluster's Secrets key, when it has one
                key = getattr(args.cluster, "secrets_key_arn", None)
            if key is not None:
                key = v.when_known(
                    key, lambda x, f: v.kms_key_arn(x, f, allow_alias=False), "kms_key_arn", owner
                )
            claim_addon(cluster, ADDON_NAME, owner, self, "cluster", for_child=True)
            naming.claim_object(
                cluster.provider,
                cluster.key,
                "StorageClass",
                "",
                args.storage_class,
                owner=owner,
                by=self,
                field="storage_class",
                hint="one component makes each StorageClass; give one of them another name",
            )
        super().__init__("eks-platform:index:EbsStorage", name, None, opts)
        self.cluster, self.kms_key_arn = cluster, key
        provider = aws_context.provider_of(opts) or cluster.aws_provider
        self.addon = ManagedAddon(
            name,
            ManagedAddonArgs(
                cluster=cluster,
                addon_name=ADDON_NAME,
                version=args.version,
                configuration_values=_configuration(args),
                service_account=SERVICE_ACCOUNT,
                namespace=NAMESPACE,
                identity=args.identity,
                managed_policy_arns=driver_policy(provider),
                permissions=[key_grant(key)] if key is not None else [],
                role=args.role,
                deletion_protection=args.deletion_protection,
                tags=dict(args.tags),
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        assert self.addon.role_arn is not None
        self.role_arn = self.addon.role_arn
        on_cluster = pulumi.ResourceOptions(
            parent=self,
            provider=cluster.provider,
            depends_on=[self.addon.addon],
            protect=args.deletion_protection,
        )
        storage_class = create_storage_class(name, args, key, on_cluster)
        self.storage_class_name = storage_class.metadata.apply(lambda m: m.name or "")
        if args.default_class and args.demote_gp2:
            demote_gp2(name, pulumi.ResourceOptions.merge(on_cluster, _unprotected()))
        self.ready = [self.addon.addon, storage_class]
        self.register_outputs(
            {
                "storageClassName": self.storage_class_name,
                "roleArn": self.role_arn,
                "addonVersion": self.addon.addon_version,
            }
        )

    def workload_options(
        self, opts: pulumi.ResourceOptions | None = None
    ) -> pulumi.ResourceOptions:
        """Options for an object with volumes (a PersistentVolumeClaim, a StatefulSet): the
        cluster's provider and a dependency on :attr:`ready`, merged with ``opts``."""
        return options_after(self.cluster, self.ready, opts)


def _configuration(args: EbsStorageArgs) -> dict[str, Any]:
    """The add-on's configuration: the user's values and the controller's placement
    (:data:`~.validation.MANAGED_VALUES`, which the user's may not set)."""
    controller: dict[str, Any] = {"tolerations": [dict(t) for t in args.tolerations]}
    if args.node_selector:
        controller["nodeSelector"] = dict(args.node_selector)
    values = dict(args.configuration_values)
    values["controller"] = {**dict(values.get("controller") or {}), **controller}
    return values


def _unprotected() -> pulumi.ResourceOptions:
    """The patch is never protected: removing it only gives the annotation back to EKS."""
    return pulumi.ResourceOptions(protect=False)
