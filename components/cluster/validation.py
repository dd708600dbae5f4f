"""EksCluster's rules, beside its args: :func:`validate_args` checks :class:`EksClusterArgs`
before anything is registered (the stack configuration runs the same check)."""

from __future__ import annotations

import ipaddress
import re

from .. import validation as v
from ..network.args import LOG_RETENTION_DAYS
from .access import validate_access_entries
from .addons import validate_cluster_addons
from .args import LOG_TYPES, EksClusterArgs, validate_kubernetes_version
from .compute import AUTO_MODE, validate_compute
from .node_group import validate_spec

_NODE_GROUP_NAME = re.compile(r"^[0-9A-Za-z][A-Za-z0-9_-]*$")
LAST_VERSION_WITH_AL2 = (1, 32)
"""EKS publishes Amazon Linux 2 AMIs up to Kubernetes 1.32."""


def validate_args(args: EksClusterArgs) -> None:
    """Check EksClusterArgs; raises ValueError naming the field."""
    v.cluster_name(args.cluster_name, "cluster_name")
    validate_kubernetes_version(args.kubernetes_version, "kubernetes_version")
    if isinstance(args.private_subnet_ids, list):
        v.require(
            len(args.private_subnet_ids) >= 2,
            "private_subnet_ids",
            f"EKS needs at least 2 subnets in different AZs, got {len(args.private_subnet_ids)}",
        )
    validate_access_entries(args.access_entries, "access_entries")
    v.require(
        bool(args.access_entries) or not args.remove_creator_admin,
        "access_entries",
        "declare who may use the cluster (at least the identity that runs pulumi up, as "
        "cluster-admin): the creator's own entry is removed (remove_creator_admin)",
    )
    for key, arn in args.kms_key_administrators.items():
        v.resource_key(key, "kms_key_administrators")
        if isinstance(arn, str):
            v.iam_principal_arn(arn, f"kms_key_administrators[{key!r}]")
    if isinstance(args.kms_break_glass_principal_arn, str):
        v.iam_principal_arn(args.kms_break_glass_principal_arn, "kms_break_glass_principal_arn")
    v.require(
        not (args.secrets_encryption and args.kms_key_arn is None)
        or bool(args.kms_key_administrators),
        "kms_key_administrators",
        "the Secrets key this component creates needs administrators (include the identity "
        "that runs pulumi up), or give an existing key in kms_key_arn",
    )
    creates_key = args.secrets_encryption and args.kms_key_arn is None
    v.require(
        not (creates_key and args.deletion_protection)
        or args.kms_break_glass_principal_arn is not None,
        "kms_break_glass_principal_arn",
        "a protected cluster (deletion_protection) needs a break-glass principal for its Secrets "
        "key: only it may then disable the key, schedule its deletion or change its policy "
        "(without one, any key administrator could delete the key)",
    )
    glass = args.kms_break_glass_principal_arn
    for key, arn in args.kms_key_administrators.items():
        v.require(
            not (isinstance(glass, str) and arn == glass),
            "kms_break_glass_principal_arn",
            f"{glass} is also kms_key_administrators[{key!r}]: the break-glass principal must "
            "not be an everyday administrator, or the guard on the key guards nothing",
        )
    for i, log_type in enumerate(args.enabled_log_types):
        v.one_of(log_type, LOG_TYPES, f"enabled_log_types[{i}]")
    if isinstance(args.kms_key_arn, str):
        v.kms_key_arn(args.kms_key_arn, "kms_key_arn")
    v.require(
        args.endpoint_public_access or args.endpoint_private_access,
        "endpoint_private_access",
        "the API server needs a public or a private endpoint (both are off)",
    )
    for i, block in enumerate(args.public_access_cidrs):
        v.cidr(block, f"public_access_cidrs[{i}]")
    for i, block in enumerate(args.deployer_cidrs):
        v.cidr(block, f"deployer_cidrs[{i}]")
    if args.endpoint_public_access:
        v.require(
            bool(args.public_access_cidrs),
            "public_access_cidrs",
            "the public endpoint needs the CIDR blocks allowed to reach it (or turn it off: "
            "endpoint_public_access false, and deploy from inside the VPC)",
        )
        v.require(
            "0.0.0.0/0" not in args.public_access_cidrs or args.allow_public_endpoint_from_anywhere,
            "public_access_cidrs",
            "0.0.0.0/0 opens the API server to the internet; list your CIDRs, or set "
            "allow_public_endpoint_from_anywhere",
        )
        allowed = [ipaddress.ip_network(c) for c in args.public_access_cidrs]
        for i, block in enumerate(args.deployer_cidrs):
            v.require(
                any(ipaddress.ip_network(block).subnet_of(a) for a in allowed),  # type: ignore[arg-type]
                f"deployer_cidrs[{i}]",
                f"{block} is not within public_access_cidrs {args.public_access_cidrs}: the "
                "deploy job could not reach the API server it deploys to",
            )
    validate_compute(args)
    v.require(
        bool(args.node_groups) or bool(args.fargate_profiles) or args.compute == AUTO_MODE,
        "node_groups",
        "the cluster needs at least one node group or Fargate profile for CoreDNS and the controllers",
    )
    for group_name, spec in args.node_groups.items():
        v.require(
            bool(_NODE_GROUP_NAME.match(group_name)) and len(group_name) <= 30,
            f"node_groups[{group_name!r}]",
            f"{group_name!r} is not a node group name EKS accepts here (1-30 letters, digits, "
            f"'-' and '_', starting with a letter or digit; it has {len(group_name)} characters)",
        )
        validate_spec(spec, f"node_groups[{group_name!r}]")
        version = tuple(int(p) for p in args.kubernetes_version.split("."))
        v.require(
            not spec.ami_type.startswith("AL2_") or version <= LAST_VERSION_WITH_AL2,
            f"node_groups[{group_name!r}].ami_type",
            f"{spec.ami_type} has no AMIs for Kubernetes {args.kubernetes_version} (Amazon Linux 2 "
            "ends with 1.32); use an AL2023_* or BOTTLEROCKET_* AMI type",
        )
    if args.fargate_profiles and not args.node_groups:
        v.require(
            any(
                s.namespace == "kube-system"
                for p in args.fargate_profiles.values()
                for s in p.selectors
            ),
            "fargate_profiles",
            "a cluster without node groups needs a Fargate profile selecting kube-system for CoreDNS",
        )
    for profile_name, profile in args.fargate_profiles.items():
        where = f"fargate_profiles[{profile_name!r}]"
        v.require(
            1 <= len(profile.selectors) <= 5,
            f"{where}.selectors",
            "a Fargate profile takes 1 to 5 selectors",
        )
        for i, selector in enumerate(profile.selectors):
            v.dns_label(selector.namespace, f"{where}.selectors[{i}].namespace", "namespace")
            v.labels(selector.labels, f"{where}.selectors[{i}].labels")
    v.aws_tags(args.tags, "tags")
    v.require(
        args.log_retention_days in LOG_RETENTION_DAYS,
        "log_retention_days",
        f"{args.log_retention_days!r} is not a CloudWatch retention period; use one of "
        f"{', '.join(map(str, LOG_RETENTION_DAYS))}",
    )
    if isinstance(args.log_kms_key_arn, str):
        v.kms_key_arn(args.log_kms_key_arn, "log_kms_key_arn")
    v.one_of(args.upgrade_support, ("STANDARD", "EXTENDED"), "upgrade_support")
    validate_cluster_addons(
        args.addons,
        args.addon_versions,
        fargate_only=not args.node_groups,
        pod_identity_agent=args.pod_identity_agent,
    )
