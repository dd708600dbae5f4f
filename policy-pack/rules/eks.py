"""EKS: the control plane (endpoint, Secrets encryption, audit logs, authentication, admins) and
the nodes (IMDSv2, encrypted volumes).

A cluster is checked in two shapes, with the same inputs under different names:

* ``aws:eks/cluster:Cluster``, the provider's resource: what app teams' programs create, and
  what pulumi-eks creates inside its component under the real engine;
* ``eks:index:Cluster``, pulumi-eks's component as the program registers it: all that the
  offline synth sees (a remote component's children are made by its provider, which does not
  run offline). Under the real engine the program's registration of a remote component goes to
  the provider's ``Construct``, not to the policy pack; the component the provider registers
  itself carries no inputs, so the rules skip an ``eks:index:Cluster`` without any.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from pulumi_policy import ResourceValidationArgs

from .common import (
    MANDATORY,
    Check,
    Rule,
    as_list,
    boolean,
    falsy,
    get,
    mapping,
    matches,
    resource_policy,
    string_list,
    truthy,
)

RAW = "aws:eks/cluster:Cluster"
COMPONENT = "eks:index:Cluster"
CLUSTERS = (RAW, COMPONENT)
ACCESS_POLICY_ASSOCIATION = "aws:eks/accessPolicyAssociation:AccessPolicyAssociation"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
NODE_CLASSES = (
    "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass",
    "kubernetes:karpenter.k8s.aws/v1beta1:EC2NodeClass",
)
ANYWHERE = ("0.0.0.0/0", "::/0")
BEST_PRACTICES = "https://docs.aws.amazon.com/eks/latest/best-practices"

ALLOWED_CLUSTERS = {
    "allowedClusters": string_list(
        "Clusters exempt from the rule (patterns on the EKS cluster name or the Pulumi name): "
        "a stack's deliberate exception, declared in its policy config."
    )
}


@dataclass(frozen=True)
class ClusterInputs:
    """The inputs the rules read, from either shape."""

    names: list[str]
    public: bool
    public_cidrs: list[Any]
    cidrs_set: bool
    encryption_key: Any
    encrypts_secrets: bool
    log_types: list[Any]
    authentication_mode: Any
    access_entries: Mapping[str, Any]


ClusterCheck = Callable[[ClusterInputs, Mapping[str, Any]], Iterator[str]]


def cluster_inputs(args: ResourceValidationArgs) -> ClusterInputs | None:
    """The cluster's inputs, with AWS's and pulumi-eks's defaults; None for an input-less
    ``eks:index:Cluster`` (the real engine's view of the remote component)."""
    props = args.props
    names = [args.name] + [n for n in [get(props, "name")] if isinstance(n, str)]
    if args.resource_type == COMPONENT:
        if not props:
            return None
        key = get(props, "encryptionConfigKeyArn")
        return ClusterInputs(
            names=names,
            public=not falsy(get(props, "endpointPublicAccess")),
            public_cidrs=as_list(get(props, "publicAccessCidrs")) or list(ANYWHERE[:1]),
            cidrs_set=bool(as_list(get(props, "publicAccessCidrs"))),
            encryption_key=key,
            encrypts_secrets=bool(key),
            log_types=as_list(get(props, "enabledClusterLogTypes")),
            authentication_mode=get(props, "authenticationMode"),
            access_entries=mapping(get(props, "accessEntries")),
        )
    encryption = as_list(get(props, "encryptionConfig"))  # one block (a list in old providers)
    block = mapping(encryption[0]) if encryption else {}
    return ClusterInputs(
        names=names,
        public=not falsy(get(props, "vpcConfig", "endpointPublicAccess")),
        public_cidrs=as_list(get(props, "vpcConfig", "publicAccessCidrs")) or list(ANYWHERE[:1]),
        cidrs_set=bool(as_list(get(props, "vpcConfig", "publicAccessCidrs"))),
        encryption_key=get(block, "provider", "keyArn"),
        encrypts_secrets="secrets" in as_list(get(block, "resources")),
        log_types=as_list(get(props, "enabledClusterLogTypes")),
        authentication_mode=get(props, "accessConfig", "authenticationMode"),
        access_entries={},
    )


def _cluster_rule(check: ClusterCheck) -> Check:
    """Run ``check(cluster, config)`` on clusters that are not allow-listed."""

    def run(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
        cluster = cluster_inputs(args)
        if cluster is None or any(matches(n, config["allowedClusters"]) for n in cluster.names):
            return
        yield from check(cluster, config)

    return run


PUBLIC_ENDPOINT = Rule(
    name="eks-no-public-endpoint-anywhere",
    description="The cluster's API endpoint is private, or public only to listed CIDRs (never "
    "0.0.0.0/0)",
    level=MANDATORY,
    area="eks",
    rationale="A public endpoint open to 0.0.0.0/0 exposes the API server to the internet: "
    "every credential leak or API vulnerability is exploitable from anywhere. EKS and AWS "
    "default to exactly that when endpointPublicAccess or publicAccessCidrs are left unset.",
    source="CIS Amazon EKS Benchmark 5.4.1 (restrict access to the control plane endpoint) and "
    "5.4.2 (private endpoint enabled, public access disabled); EKS Best Practices Guide: "
    "Cluster access (make the endpoint private)",
    url="https://docs.aws.amazon.com/eks/latest/userguide/cluster-endpoint.html",
    remediation="endpointPublicAccess: false (reach it from the VPC), or publicAccessCidrs "
    "listing your office and runner CIDRs.",
    config=ALLOWED_CLUSTERS,
    cis="5.4.1",
)


def _public_endpoint(cluster: ClusterInputs, config: Mapping[str, Any]) -> Iterator[str]:
    anywhere = [c for c in cluster.public_cidrs if c in ANYWHERE]
    if cluster.public and anywhere:
        yield f"the public API endpoint is open to {', '.join(anywhere)}" + (
            "" if cluster.cidrs_set else " (publicAccessCidrs unset: EKS defaults to 0.0.0.0/0)"
        )


SECRETS_ENCRYPTION = Rule(
    name="eks-secrets-encryption",
    description="Kubernetes Secrets are envelope-encrypted with a customer-managed KMS key",
    level=MANDATORY,
    area="eks",
    rationale="With a key of your own, reading Secrets from etcd (backups, snapshots) also "
    "needs kms:Decrypt on that key, which is logged in CloudTrail and revocable; EKS's default "
    "encryption uses an AWS-owned key you cannot audit or revoke.",
    source="CIS Amazon EKS Benchmark 5.3.1 (encrypt Kubernetes Secrets with KMS CMKs); EKS "
    "Best Practices Guide: Data encryption and secrets management",
    url=f"{BEST_PRACTICES}/data-encryption-and-secrets-management.html",
    remediation="encryptionConfig {provider: {keyArn}, resources: [secrets]} (pulumi-eks: "
    "encryptionConfigKeyArn).",
    config=ALLOWED_CLUSTERS,
    cis="5.3.1",
)


def _secrets_encryption(cluster: ClusterInputs, config: Mapping[str, Any]) -> Iterator[str]:
    if not cluster.encryption_key or not cluster.encrypts_secrets:
        yield "Secrets are not encrypted with a KMS key of your own (no encryption config)"


AUDIT_LOGS = Rule(
    name="eks-audit-logs",
    description="Control-plane logging includes the audit log (and any other configured types)",
    level=MANDATORY,
    area="eks",
    rationale="The audit log is the record of who did what through the Kubernetes API; "
    "without it an incident cannot be reconstructed. EKS sends no control-plane logs unless "
    "asked.",
    source="CIS Amazon EKS Benchmark 2.1.1 (enable audit logs); EKS Best Practices Guide: "
    "Detective controls (enable audit logs)",
    url=f"{BEST_PRACTICES}/auditing-and-logging.html",
    remediation="enabledClusterLogTypes: [api, audit, authenticator].",
    config={
        **ALLOWED_CLUSTERS,
        "requiredLogTypes": string_list("Log types that must be enabled.", ["audit"]),
    },
    cis="2.1.1",
)


def _audit_logs(cluster: ClusterInputs, config: Mapping[str, Any]) -> Iterator[str]:
    missing = [t for t in config["requiredLogTypes"] if t not in cluster.log_types]
    if missing:
        yield f"control-plane log types {missing} are not enabled"


AUTH_MODE = Rule(
    name="eks-authentication-mode-api",
    description="The cluster authenticates through access entries only (authentication mode "
    "API, no aws-auth ConfigMap)",
    level=MANDATORY,
    area="eks",
    rationale="With CONFIG_MAP (EKS's default when unset) or API_AND_CONFIG_MAP, anyone who "
    "can edit the aws-auth ConfigMap in kube-system can grant cluster access, outside IAM and "
    "CloudTrail; access entries are IAM API calls, auditable and reviewable.",
    source="CIS Amazon EKS Benchmark 4.1.7 (use the Cluster Access Manager API); EKS Best "
    "Practices Guide: Identity and Access Management > Cluster access manager",
    url="https://docs.aws.amazon.com/eks/latest/userguide/grant-k8s-access.html",
    remediation="accessConfig.authenticationMode: API (pulumi-eks: authenticationMode: API) "
    "and access entries for every principal.",
    config={
        **ALLOWED_CLUSTERS,
        "allowedModes": string_list("Authentication modes that pass.", ["API"]),
    },
    cis="4.1.7",
)


def _auth_mode(cluster: ClusterInputs, config: Mapping[str, Any]) -> Iterator[str]:
    if cluster.authentication_mode not in config["allowedModes"]:
        shown = cluster.authentication_mode or "unset (EKS defaults to CONFIG_MAP)"
        yield f"authentication mode is {shown}, not {' or '.join(config['allowedModes'])}"


CLUSTER_ADMIN = Rule(
    name="eks-cluster-admin-declared",
    description="Only declared principals get AmazonEKSClusterAdminPolicy through access entries",
    level=MANDATORY,
    area="eks",
    rationale="Cluster admin is every permission on every object, Secrets included; who holds "
    "it must be a short, reviewed list (the platform's config), not whatever a program "
    "associates.",
    source="CIS Amazon EKS Benchmark 4.1.1 (use cluster-admin only where required); EKS Best "
    "Practices Guide: Identity and Access Management (least privileged access to the cluster)",
    url="https://docs.aws.amazon.com/eks/latest/userguide/access-policy-permissions.html",
    remediation="Declare the principal in clusterAdminPrincipals, or associate a narrower "
    "access policy (AmazonEKSAdminPolicy scoped to namespaces, AmazonEKSEditPolicy, ...).",
    config={
        "clusterAdminPrincipals": string_list(
            "IAM principal ARNs (patterns) that may hold cluster admin."
        ),
        "adminPolicies": string_list(
            "Access policy ARNs (patterns) that count as cluster admin.",
            ["arn:*:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"],
        ),
    },
    cis="4.1.1",
)


def _admin_grants(args: ResourceValidationArgs) -> Iterator[tuple[Any, Any]]:
    """(principal ARN, access policy ARN) of each association the resource makes."""
    if args.resource_type == ACCESS_POLICY_ASSOCIATION:
        yield get(args.props, "principalArn"), get(args.props, "policyArn")
        return
    cluster = cluster_inputs(args)
    for entry in (cluster.access_entries if cluster else {}).values():
        for association in mapping(get(entry, "accessPolicies")).values():
            yield get(entry, "principalArn"), get(association, "policyArn")


def _cluster_admin(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    for principal, policy in _admin_grants(args):
        if not isinstance(policy, str) or not matches(policy, config["adminPolicies"]):
            continue
        if not isinstance(principal, str) or not matches(
            principal, config["clusterAdminPrincipals"]
        ):
            yield (
                f"{principal} gets {policy.rsplit('/', 1)[-1]} but is not in clusterAdminPrincipals"
            )


IMDS = Rule(
    name="eks-node-imdsv2",
    description="Nodes require IMDSv2 with a hop limit of 1 (launch templates, node groups, "
    "Karpenter EC2NodeClasses)",
    level=MANDATORY,
    area="eks",
    rationale="With IMDSv1 or a hop limit above 1, any pod can read the node's instance-role "
    "credentials from 169.254.169.254 and act as the node (pull every image, describe the "
    "VPC, attach ENIs). A managed node group without a launch template gets EKS's default one: "
    "IMDSv1 allowed, hop limit 2.",
    source="EKS Best Practices Guide: Identity and Access Management (restrict access to the "
    "instance profile assigned to the worker node)",
    url=f"{BEST_PRACTICES}/identity-and-access-management.html",
    remediation="metadataOptions {httpTokens: required, httpPutResponseHopLimit: 1} on the "
    "launch template; node groups on a launch template of their own.",
    config={
        "maxHopLimit": {
            "type": "integer",
            "minimum": 1,
            "default": 1,
            "description": "The largest httpPutResponseHopLimit that passes.",
        }
    },
)


def _imds(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    if args.resource_type == NODE_GROUP:
        if not get(args.props, "launchTemplate"):
            yield (
                "no launchTemplate: EKS's default launch template allows IMDSv1 with hop limit 2"
            )
        return
    karpenter = args.resource_type in NODE_CLASSES
    options = mapping(get(args.props, "spec", "metadataOptions") if karpenter else None) or (
        mapping(get(args.props, "metadataOptions"))
    )
    if options.get("httpEndpoint") == "disabled":
        return  # no metadata service at all
    tokens = options.get("httpTokens")
    hops = options.get("httpPutResponseHopLimit")
    if tokens != "required" and not (karpenter and tokens is None):  # Karpenter defaults to it
        yield f"httpTokens is {tokens or 'unset (IMDSv1 allowed)'}, not required"
    limit = int(config.get("maxHopLimit") or 1)
    if hops is None and not karpenter:
        yield f"httpPutResponseHopLimit is unset (the AMI's default, 2 on AL2023), not {limit}"
    elif hops is not None and int(hops) > limit:
        yield f"httpPutResponseHopLimit is {hops}: pods can reach the node's credentials"


VOLUMES = Rule(
    name="eks-node-volume-encryption",
    description="Node EBS volumes are encrypted (launch templates, node groups, EC2NodeClasses)",
    level=MANDATORY,
    area="eks",
    rationale="Node volumes hold images, emptyDir data and logs that may contain secrets; an "
    "unencrypted volume or snapshot exposes them to anyone who can copy it.",
    source="EKS Best Practices Guide: Data encryption and secrets management (encryption at "
    "rest for EBS); AWS Foundational Security Best Practices EC2.7 (EBS default encryption)",
    url=f"{BEST_PRACTICES}/data-encryption-and-secrets-management.html",
    remediation="blockDeviceMappings [{deviceName: /dev/xvda, ebs: {encrypted: 'true', ...}}], "
    "or set ebsEncryptionByDefault when the account encrypts new volumes by default.",
    config={
        "ebsEncryptionByDefault": boolean(
            "The account has EBS encryption by default on: volumes not declared are encrypted."
        )
    },
)


def _volumes(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    by_default = bool(config.get("ebsEncryptionByDefault"))
    if args.resource_type == NODE_GROUP:
        if not get(args.props, "launchTemplate") and not by_default:
            yield "no launchTemplate: EKS's default launch template does not encrypt the disk"
        return
    karpenter = args.resource_type in NODE_CLASSES
    mappings = as_list(
        get(args.props, "spec", "blockDeviceMappings")
        if karpenter
        else get(args.props, "blockDeviceMappings")
    )
    volumes = [(get(m, "deviceName"), mapping(get(m, "ebs"))) for m in mappings if get(m, "ebs")]
    if not volumes and not karpenter and not by_default:
        yield "no blockDeviceMappings: the root volume is encrypted only if the account says so"
    for device, ebs in volumes:
        encrypted = ebs.get("encrypted")
        if truthy(encrypted) or (encrypted is None and by_default):
            continue
        yield f"volume {device or '?'} is not encrypted (encrypted: {encrypted})"


POLICIES = [
    resource_policy(PUBLIC_ENDPOINT, CLUSTERS, _cluster_rule(_public_endpoint)),
    resource_policy(SECRETS_ENCRYPTION, CLUSTERS, _cluster_rule(_secrets_encryption)),
    resource_policy(AUDIT_LOGS, CLUSTERS, _cluster_rule(_audit_logs)),
    resource_policy(AUTH_MODE, CLUSTERS, _cluster_rule(_auth_mode)),
    resource_policy(CLUSTER_ADMIN, [ACCESS_POLICY_ASSOCIATION, *CLUSTERS], _cluster_admin),
    resource_policy(IMDS, [LAUNCH_TEMPLATE, NODE_GROUP, *NODE_CLASSES], _imds),
    resource_policy(VOLUMES, [LAUNCH_TEMPLATE, NODE_GROUP, *NODE_CLASSES], _volumes),
]
RULES = [
    PUBLIC_ENDPOINT,
    SECRETS_ENCRYPTION,
    AUDIT_LOGS,
    AUTH_MODE,
    CLUSTER_ADMIN,
    IMDS,
    VOLUMES,
]
