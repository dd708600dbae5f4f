"""EbsStorage's rules, beside its args: :func:`validate_settings` is the one implementation the
component and the stack configuration (``eks-platform:storage``) run."""

from __future__ import annotations

from typing import Any

from ... import validation as v
from ...cluster.addon_spec import AddonSpec, validate_addon_spec
from ...identity.iam import validate_role_settings
from ...identity.workload_identity import validate_mechanism
from .args import EKS_GP2_CLASS, FS_TYPES, RECLAIM_POLICIES, EbsStorageArgs

MANAGED_VALUES = {
    "controller.nodeSelector": "node_selector",
    "controller.tolerations": "tolerations",
}
"""Configuration paths EbsStorage sets, each with the argument that sets it."""


def validate_settings(args: EbsStorageArgs) -> None:
    """Check the plain fields; raises InvalidArgument naming the field."""
    spec = AddonSpec(version=args.version, configuration_values=args.configuration_values)
    validate_addon_spec("aws-ebs-csi-driver", spec, managed=MANAGED_VALUES)
    validate_mechanism(args.identity, "identity")
    v.dns_subdomain(args.storage_class, "storage_class", "StorageClass name")
    v.require(
        args.storage_class != EKS_GP2_CLASS,
        "storage_class",
        f"{EKS_GP2_CLASS!r} is the class EKS creates (provisioner kubernetes.io/aws-ebs, which "
        "cannot be changed); choose another name, e.g. gp3",
    )
    for name in ("default_class", "demote_gp2", "deletion_protection"):
        value: Any = getattr(args, name)
        v.require(isinstance(value, bool), name, "must be true or false")
    v.one_of(args.fs_type, FS_TYPES, "fs_type")
    v.one_of(args.reclaim_policy, RECLAIM_POLICIES, "reclaim_policy")
    v.labels(args.node_selector, "node_selector")
    v.tolerations(args.tolerations, "tolerations")
    with v.nested("role"):
        validate_role_settings(args.role)
    v.aws_tags(args.tags, "tags")
    if isinstance(args.kms_key_arn, str):
        v.kms_key_arn(args.kms_key_arn, "kms_key_arn", allow_alias=False)
