"""``EksCluster``: the EKS control plane and the capacity pods run on.

Wraps ``pulumi_eks.Cluster`` for the control plane and adds, as plain resources a
reviewer sees in ``pulumi preview``:

* access entries (authentication mode ``API``; no ``aws-auth`` ConfigMap) giving
  the admin principals the ``AmazonEKSClusterAdminPolicy``,
* the core add-ons ``vpc-cni``, ``kube-proxy`` and ``coredns`` (and the
  ``eks-pod-identity-agent``) as EKS managed add-ons, ordered so that nodes find
  a CNI when they boot and CoreDNS finds nodes to run on,
* managed node groups on launch templates (:mod:`components.cluster.node_group`),
* Fargate profiles with their pod execution role,
* a KMS key for envelope encryption of Secrets (with rotation), unless given one,
* the ``kubernetes.Provider`` every in-cluster component uses.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import pulumi
import pulumi_aws as aws
import pulumi_eks as eks
import pulumi_kubernetes as k8s

from .. import aws_context
from .. import validation as v
from ..identity import iam
from ..identity.cluster_ref import ClusterRef
from ..identity.oidc import OidcTrust, OidcTrustArgs, ServiceAccountRef
from .access import (
    ACCESS_POLICIES,
    MANAGED_TAG,
    AccessEntrySpec,
    CreatorAccessRemoval,
    validate_access_entries,
)
from .node_group import NodeGroup, NodeGroupArgs, NodeGroupSpec, validate_spec

# In EKS standard support through 2026-11 and beyond (EKS 1.35: released early 2026, 14 months of standard support).
DEFAULT_KUBERNETES_VERSION = "1.35"
EKS_VERSIONS = ("1.31", "1.32", "1.33", "1.34", "1.35", "1.36")
"""The Kubernetes versions EKS offers, standard and extended support, as of 2026-11-23 (1.31
leaves extended support on 2026-11-26). Update when EKS adds or retires one."""
EKS_VERSIONS_AS_OF = "2026-11-23"
_NODE_GROUP_NAME = re.compile(r"^[0-9A-Za-z][A-Za-z0-9_-]*$")
LOG_TYPES = ("api", "audit", "authenticator", "controllerManager", "scheduler")
DEFAULT_LOG_TYPES = ("api", "audit", "authenticator")
NODE_POLICIES = ("AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryPullOnly")
"""What every node needs: join the cluster, pull images. The CNI's ENI permissions go to the
CNI's own role; Session Manager (``AmazonSSMManagedInstanceCore``) only to groups that ask."""
CNI_POLICY = "AmazonEKS_CNI_Policy"
SSM_POLICY = "AmazonSSMManagedInstanceCore"
CNI_SERVICE_ACCOUNT = ("kube-system", "aws-node")
LAST_VERSION_WITH_AL2 = (1, 32)
"""EKS publishes Amazon Linux 2 AMIs up to Kubernetes 1.32."""
CORE_ADDONS = ("vpc-cni", "kube-proxy", "coredns")
# The retention periods CloudWatch Logs accepts, in days.
LOG_RETENTION_DAYS: tuple[int, ...] = (
    *(1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731),
    *(1096, 1827, 2192, 2557, 2922, 3288, 3653),
)


@dataclass(kw_only=True)
class FargateSelector:
    """Which pods a Fargate profile takes: a namespace, optionally narrowed by labels."""

    namespace: str
    """Namespace whose pods run on Fargate."""
    labels: dict[str, str] = field(default_factory=dict)
    """Only pods with all of these labels (empty: every pod in the namespace)."""


@dataclass(kw_only=True)
class FargateProfileSpec:
    """A Fargate profile: up to five selectors; its pods run in the private subnets."""

    selectors: list[FargateSelector]
    """The pods this profile schedules onto Fargate."""


@dataclass(kw_only=True)
class EksClusterArgs:
    """Arguments of :class:`EksCluster`."""

    cluster_name: str
    """The EKS cluster name: 1-100 letters, digits, ``-`` and ``_``, starting with a letter or digit."""
    vpc_id: pulumi.Input[str]
    """VPC to run in (``Network.vpc_id``)."""
    private_subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]]
    """Private subnets for the control plane's network interfaces, nodes and Fargate pods."""
    public_subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]] = field(default_factory=list)
    """Public subnets (internet-facing load balancers)."""
    kubernetes_version: str = DEFAULT_KUBERNETES_VERSION
    """Kubernetes ``major.minor`` version."""
    access_entries: Mapping[str, AccessEntrySpec] = field(default_factory=dict)
    """Who may use the Kubernetes API, keyed by names you choose (they name the entries):
    ``{"platform": AccessEntrySpec(principal_arn=..., policy="cluster-admin")}``. List the
    identity that runs ``pulumi up`` (the CI deploy role) as ``cluster-admin``: the entry EKS
    gives the creator is replaced by it (see ``remove_creator_admin``)."""
    remove_creator_admin: bool = True
    """Remove the access entry EKS gives the identity that created the cluster (in no code, no
    preview) during the first ``pulumi up``, once that identity has a declared entry; refuse
    with a clear message when it has none. With False the creator keeps that entry, and must
    not be declared in ``access_entries`` (EKS allows one entry per principal)."""
    upgrade_support: Literal["STANDARD", "EXTENDED"] = "STANDARD"
    """What happens when the Kubernetes version leaves EKS standard support: ``STANDARD`` (EKS
    upgrades the control plane to the next version) or ``EXTENDED`` (the cluster stays, on
    extended support, at $0.60 per cluster-hour instead of $0.10: about $438 a month more)."""
    enabled_log_types: list[str] = field(default_factory=lambda: list(DEFAULT_LOG_TYPES))
    """Control-plane log types sent to CloudWatch (``/aws/eks/<name>/cluster``)."""
    log_retention_days: int = 30
    """Days CloudWatch keeps the control-plane logs; the log group is the stack's (created before
    the cluster, deleted with it). One of CloudWatch's retention values (1, 3, 5, 7, 14, 30, 60,
    90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)."""
    log_kms_key_arn: pulumi.Input[str] | None = None
    """A KMS key to encrypt the control-plane log group with; its key policy must let
    ``logs.<region>.amazonaws.com`` use it."""
    secrets_encryption: bool = False
    """Envelope-encrypt Kubernetes Secrets with KMS (a new key with rotation unless ``kms_key_arn``)."""
    kms_key_arn: pulumi.Input[str] | None = None
    """An existing KMS key for Secrets encryption (its ARN); implies ``secrets_encryption``."""
    kms_key_administrators: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Who administers the Secrets key this component creates (IAM role/user ARNs, keyed by
    names you choose); required with ``secrets_encryption``. Include the identity that runs
    ``pulumi up``: KMS refuses a key policy that would lock its creator out."""
    kms_break_glass_principal_arn: pulumi.Input[str] | None = None
    """The only principal that may disable the Secrets key or schedule its deletion (everyone
    else, administrators included, is denied both); none: nobody may."""
    oidc_provider_arn: pulumi.Input[str] | None = None
    """An existing IAM OIDC provider for the cluster's issuer to adopt (e.g. when re-creating
    a cluster's stack); by default the cluster's :class:`OidcTrust` creates one."""
    endpoint_public_access: bool = False
    """Whether the API server endpoint is reachable from the internet, from
    ``public_access_cidrs`` only. Off by default: the deploy then runs inside or peered with the VPC."""
    endpoint_private_access: bool = True
    """Whether the API server endpoint is reachable from inside the VPC (nodes use it)."""
    public_access_cidrs: list[str] = field(default_factory=list)
    """CIDR blocks allowed to reach the public endpoint (required with it);
    ``0.0.0.0/0`` only with ``allow_public_endpoint_from_anywhere``."""
    allow_public_endpoint_from_anywhere: bool = False
    """Accept ``0.0.0.0/0`` in ``public_access_cidrs`` (an API server open to the internet,
    behind IAM authentication only)."""
    deployer_cidrs: list[str] = field(default_factory=list)
    """Egress CIDRs of the machines that run ``pulumi up`` against the public endpoint (CI
    runners): refused unless ``public_access_cidrs`` cover them, so a stack cannot lock its
    own deploy job out."""
    node_groups: dict[str, NodeGroupSpec] = field(default_factory=dict)
    """Managed node groups by name."""
    fargate_profiles: dict[str, FargateProfileSpec] = field(default_factory=dict)
    """Fargate profiles by name."""
    addon_versions: dict[str, str] = field(default_factory=dict)
    """Pinned versions of the managed add-ons (``vpc-cni``, ``kube-proxy``, ``coredns``,
    ``eks-pod-identity-agent``); EKS's default for the Kubernetes version otherwise."""
    pod_identity_agent: bool = True
    """Install the ``eks-pod-identity-agent`` add-on (needed by :class:`PodIdentityRole`)."""
    cni_role: bool = True
    """Give the VPC CNI (``kube-system/aws-node``) a role of its own through IRSA, with
    ``AmazonEKS_CNI_Policy``; the nodes' role then lacks ENI permissions. False: the nodes carry
    them (EKS's default)."""
    kubeconfig_aws_profile: str | None = None
    """The AWS CLI profile the kubeconfig's ``aws eks get-token`` uses (the stack's ``aws:profile``,
    when the program runs with one); none: the default credential chain."""
    deletion_protection: bool = False
    """Refuse deletion: Pulumi ``protect`` on the control plane and EKS deletion protection."""
    tags: dict[str, str] = field(default_factory=dict)
    """AWS tags for every resource the component creates."""


class EksCluster(pulumi.ComponentResource):
    """An EKS cluster with access entries, managed add-ons, node groups and Fargate profiles.

    Creates, as children: the control plane (``pulumi_eks.Cluster``, API authentication mode),
    its service role, access entries (``access_entries``), the managed add-ons (``vpc-cni``,
    ``kube-proxy``, ``coredns``, ``eks-pod-identity-agent``), node groups on launch templates
    (:class:`~components.cluster.node_group.NodeGroup`) with their node role, Fargate profiles with
    their pod execution role, a KMS key for Secrets (when asked), the cluster's
    :class:`~components.identity.oidc.OidcTrust` (``oidc``) and a Kubernetes provider (``provider``).

    Args: :class:`EksClusterArgs`. Pass the cluster itself as ``cluster=`` to the components
    that run on it (``IrsaRole``, ``LoadBalancerController``, ...).
    """

    cluster_name: pulumi.Output[str]
    """The cluster name (known once the control plane exists, so dependents wait for it)."""
    endpoint: pulumi.Output[str]
    """The API server endpoint URL."""
    oidc_issuer_url: pulumi.Output[str]
    """The OIDC issuer URL, ``https://oidc.eks.<region>.amazonaws.com/id/<id>``."""
    kubeconfig: pulumi.Output[str]
    """Kubeconfig (JSON) that authenticates with ``aws eks get-token``; a secret."""
    vpc_id: pulumi.Output[str]
    """The VPC id."""
    private_subnet_ids: pulumi.Output[list[str]]
    """Private subnet ids."""
    public_subnet_ids: pulumi.Output[list[str]]
    """Public subnet ids."""
    cluster_security_group_id: pulumi.Output[str]
    """The security group EKS creates for the cluster: on the control plane's network interfaces,
    on every managed node and (through the VPC CNI) every pod; the only group the cluster uses
    (pulumi-eks's extra node and cluster groups are not created)."""
    node_role_arns: pulumi.Output[list[str]]
    """IAM role ARNs of the managed node groups (empty without node groups)."""
    provider: k8s.Provider
    """Kubernetes provider for this cluster."""
    oidc: OidcTrust
    """IAM's trust in the cluster's OIDC issuer (IRSA): the provider created or adopted."""
    oidc_provider_arn: pulumi.Output[str]
    """ARN of the cluster's IAM OIDC provider."""
    ref: ClusterRef
    """What other components need to run on this cluster (they also take the cluster itself)."""

    addons: dict[str, aws.eks.Addon]
    """The managed add-ons by name."""
    log_group: aws.cloudwatch.LogGroup
    """The control-plane log group, ``/aws/eks/<name>/cluster``."""

    def __init__(
        self, name: str, args: EksClusterArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        """Create the cluster; see :class:`EksCluster` and :class:`EksClusterArgs`.

        The steps, in order: the Secrets key, the control plane (after its log group), access
        entries, the networking add-ons, node groups, Fargate profiles, CoreDNS and the Pod
        Identity agent, the Kubernetes provider, the OIDC trust.
        """
        owner = f"EksCluster {name!r}"
        with v.component_errors("EksCluster", name):
            v.check_fields(args, EksClusterArgs)
            validate_args(args)
            entries = {
                key: v.when_known(
                    entry.principal_arn,
                    v.iam_principal_arn,
                    f"access_entries[{key!r}].principal_arn",
                    owner,
                )
                for key, entry in args.access_entries.items()
            }
            service_role_name = iam.resolve_role_name(
                f"{name}-cluster", iam.RoleSettings(), owner, self, "service_role"
            )
            node_role_names = {
                group: iam.resolve_role_name(
                    f"{name}-{group}-node",
                    iam.RoleSettings(),
                    owner,
                    self,
                    f"node_groups[{group!r}]",
                )
                for group in args.node_groups
            }
            cni_role_name = (
                iam.resolve_role_name(
                    f"{name}-vpc-cni", iam.RoleSettings(), owner, self, "cni_role"
                )
                if args.cni_role
                else ""
            )
            fargate_role_name = (
                iam.resolve_role_name(
                    f"{name}-fargate", iam.RoleSettings(), owner, self, "fargate_role"
                )
                if args.fargate_profiles
                else ""
            )
        super().__init__("eks-platform:index:EksCluster", name, None, opts)
        self.__name, self.__args, self.__owner = name, args, owner
        self.__tags = {**args.tags}
        self.addons = {}
        self._service_role(service_role_name)
        key_arn = self._secrets_key()
        self._control_plane(key_arn)
        access = self._access(entries)
        self._oidc_trust()
        networking = [self._cni(cni_role_name), self._addon("kube-proxy", [])]
        capacity = self._node_groups(node_role_names, networking)
        capacity += self._fargate_profiles(fargate_role_name, networking)
        self._workload_addons(capacity, networking)
        self._kubernetes_provider(access)
        self.ref = ClusterRef(
            key=name,
            name=self.cluster_name,
            provider=self.provider,
            kubeconfig=self.kubeconfig,
            vpc_id=self.vpc_id,
            oidc=self.oidc,
            cluster_security_group_id=self.cluster_security_group_id,
            uses_fargate=bool(args.fargate_profiles),
            workload_dependencies=[*capacity, self.addons["coredns"]],
            pod_identity_agent=self.addons.get("eks-pod-identity-agent"),
            manage_pod_identity_agent=False,
        )
        self.register_outputs(
            {
                "clusterName": self.cluster_name,
                "endpoint": self.endpoint,
                "oidcIssuerUrl": self.oidc_issuer_url,
                "oidcProviderArn": self.oidc_provider_arn,
                "kubeconfig": self.kubeconfig,
                "vpcId": self.vpc_id,
                "privateSubnetIds": self.private_subnet_ids,
                "publicSubnetIds": self.public_subnet_ids,
                "clusterSecurityGroupId": self.cluster_security_group_id,
                "nodeRoleArns": self.node_role_arns,
            }
        )

    # -- the steps, in order -----------------------------------------------------------------

    def _service_role(self, role_name: str) -> None:
        """The role the EKS service manages the cluster with: ``AmazonEKSClusterPolicy`` only.

        Created here rather than inside pulumi-eks, so that its ARN is known to the Secrets
        key's policy and a preview shows it."""
        self.service_role = iam.create_role(
            f"{self.__name}-cluster",
            role_name=role_name,
            trust_policy=iam.service_trust_policy(
                "eks.amazonaws.com", ("sts:AssumeRole", "sts:TagSession")
            ),
            settings=iam.RoleSettings(tags=self.__tags),
            parent=self,
            managed_policy_arns=iam.managed("AmazonEKSClusterPolicy"),
        )

    def _secrets_key(self) -> pulumi.Input[str] | None:
        """The KMS key that envelope-encrypts Secrets: given, created (with a key policy), or none."""
        args = self.__args
        if args.kms_key_arn is not None:
            return v.when_known(args.kms_key_arn, v.kms_key_arn, "kms_key_arn", self.__owner)
        if not args.secrets_encryption:
            return None
        admins = [
            v.when_known(arn, v.iam_principal_arn, f"kms_key_administrators[{k!r}]", self.__owner)
            for k, arn in args.kms_key_administrators.items()
        ]
        policy = pulumi.Output.all(
            aws_context.account_id(),
            self.service_role.arn,
            args.kms_break_glass_principal_arn,
            *admins,
        ).apply(lambda a: json.dumps(secrets_key_policy(a[0], a[1], a[2], a[3:])))
        key = aws.kms.Key(
            f"{self.__name}-secrets",
            description=f"EKS Secrets envelope encryption for cluster {args.cluster_name}",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            policy=policy,
            tags=self.__tags,
            opts=pulumi.ResourceOptions(parent=self, protect=args.deletion_protection),
        )
        aws.kms.Alias(
            f"{self.__name}-secrets",
            name=f"alias/eks/{args.cluster_name}",
            target_key_id=key.key_id,
            opts=pulumi.ResourceOptions(parent=self),
        )
        return key.arn

    def _control_plane(self, key_arn: pulumi.Input[str] | None) -> None:
        """The log group, then the control plane (pulumi-eks) and the facts read from it."""
        args = self.__args
        # EKS writes to /aws/eks/<name>/cluster; created first, it is the stack's (retention,
        # encryption) and goes with the stack instead of outliving it.
        self.log_group = aws.cloudwatch.LogGroup(
            f"{self.__name}-control-plane-logs",
            name=f"/aws/eks/{args.cluster_name}/cluster",
            retention_in_days=args.log_retention_days,
            kms_key_id=v.when_known(
                args.log_kms_key_arn, v.kms_key_arn, "log_kms_key_arn", self.__owner
            )
            if args.log_kms_key_arn is not None
            else None,
            tags=self.__tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        # The cluster's name comes through the log group, so the control plane (a remote
        # component, whose dependencies do not reach inside it) is created after it.
        name_after_log_group = self.log_group.name.apply(lambda _: args.cluster_name)
        self.cluster = eks.Cluster(
            f"{self.__name}-eks",
            name=name_after_log_group,
            version=args.kubernetes_version,
            vpc_id=args.vpc_id,
            private_subnet_ids=args.private_subnet_ids,
            public_subnet_ids=args.public_subnet_ids,
            node_associate_public_ip_address=False,
            authentication_mode=eks.AuthenticationMode.API,
            skip_default_node_group=True,
            service_role=self.service_role,
            # Nodes and pods use the security group EKS creates for the cluster; pulumi-eks's
            # own node and cluster groups would only be unused extras.
            skip_default_security_groups=True,
            create_oidc_provider=False,  # OidcTrust owns the IAM OIDC provider
            # The core add-ons are managed below, where a preview shows them.
            bootstrap_self_managed_addons=False,
            use_default_vpc_cni=True,
            coredns_addon_options=eks.CoreDnsAddonOptionsArgs(enabled=False),
            kube_proxy_addon_options=eks.KubeProxyAddonOptionsArgs(enabled=False),
            enabled_cluster_log_types=args.enabled_log_types,
            encryption_config_key_arn=key_arn,
            endpoint_public_access=args.endpoint_public_access,
            endpoint_private_access=args.endpoint_private_access,
            public_access_cidrs=args.public_access_cidrs if args.endpoint_public_access else None,
            upgrade_policy=aws.eks.ClusterUpgradePolicyArgs(support_type=args.upgrade_support),
            deletion_protection=args.deletion_protection,
            provider_credential_opts=eks.KubeconfigOptionsArgs(
                profile_name=args.kubeconfig_aws_profile
            )
            if args.kubeconfig_aws_profile
            else None,
            tags=self.__tags,
            opts=pulumi.ResourceOptions(parent=self, protect=args.deletion_protection),
        )
        # Derived from an output of the control plane so that everything using the name
        # (access entries, add-ons, node groups) waits for the cluster to exist.
        self.cluster_name = self.cluster.kubeconfig_json.apply(lambda _: args.cluster_name)
        self.kubeconfig = pulumi.Output.secret(self.cluster.kubeconfig_json)
        self.endpoint = self.cluster.kubeconfig_json.apply(_server_from_kubeconfig)
        self.oidc_issuer_url = self.cluster.oidc_issuer.apply(
            lambda issuer: issuer if issuer.startswith("https://") else f"https://{issuer}"
        )
        self.cluster_security_group_id = self.cluster.cluster_security_group_id
        self.vpc_id = pulumi.Output.from_input(args.vpc_id)
        self.private_subnet_ids = pulumi.Output.from_input(args.private_subnet_ids)  # type: ignore[arg-type]
        self.public_subnet_ids = pulumi.Output.from_input(args.public_subnet_ids)  # type: ignore[arg-type]

    def _access(self, principals: Mapping[str, pulumi.Input[str]]) -> list[pulumi.Resource]:
        """The declared access entries, each with its access policy and scope; first, once, the
        creator's undeclared entry goes (:class:`~components.cluster.access.CreatorAccessRemoval`)."""
        args = self.__args
        created: list[pulumi.Resource] = []
        first: list[pulumi.Resource] = []
        if args.remove_creator_admin:
            removal = CreatorAccessRemoval(
                f"{self.__name}-creator-access",
                cluster_name=self.cluster_name,
                region=aws_context.region(),
                declared_principals=list(principals.values()),
                opts=pulumi.ResourceOptions(parent=self),
            )
            first = [removal]
            created.append(removal)
        partition = aws_context.partition()
        for key, spec in args.access_entries.items():
            entry_name = f"{self.__name}-access-{key}"
            entry = aws.eks.AccessEntry(
                entry_name,
                cluster_name=self.cluster_name,
                principal_arn=principals[key],
                type="STANDARD",
                tags={**self.__tags, MANAGED_TAG: key},
                opts=pulumi.ResourceOptions(parent=self, depends_on=first),
            )
            policy_name = ACCESS_POLICIES[spec.policy]
            association = aws.eks.AccessPolicyAssociation(
                entry_name,
                cluster_name=self.cluster_name,
                principal_arn=entry.principal_arn,
                policy_arn=pulumi.Output.concat(
                    "arn:", partition, f":eks::aws:cluster-access-policy/{policy_name}"
                ),
                access_scope=aws.eks.AccessPolicyAssociationAccessScopeArgs(
                    type="namespace", namespaces=list(spec.namespaces)
                )
                if spec.namespaces
                else aws.eks.AccessPolicyAssociationAccessScopeArgs(type="cluster"),
                opts=pulumi.ResourceOptions(parent=self),
            )
            created += [entry, association]
        return created

    def _addon(
        self,
        addon_name: str,
        depends_on: Sequence[pulumi.Resource],
        config: dict | None = None,
        service_account_role_arn: pulumi.Input[str] | None = None,
    ) -> aws.eks.Addon:
        """A managed add-on at its pinned version, or EKS's default for the cluster's version.

        Resolving the default on every run means a ``kubernetes_version`` bump moves the
        add-ons too (after the control plane, whose name they wait for).
        """
        args = self.__args
        version: pulumi.Input[str] | None = args.addon_versions.get(addon_name)
        if version is None:
            version = aws.eks.get_addon_version_output(
                addon_name=addon_name,
                kubernetes_version=args.kubernetes_version,
                most_recent=False,
                opts=pulumi.InvokeOutputOptions(parent=self),
            ).version
        addon = aws.eks.Addon(
            f"{self.__name}-{addon_name}",
            cluster_name=self.cluster_name,
            addon_name=addon_name,
            addon_version=version,
            configuration_values=json.dumps(config) if config else None,
            service_account_role_arn=service_account_role_arn,
            resolve_conflicts_on_create="OVERWRITE",
            resolve_conflicts_on_update="OVERWRITE",
            tags=self.__tags,
            opts=pulumi.ResourceOptions(
                parent=self, depends_on=list(depends_on), protect=args.deletion_protection
            ),
        )
        self.addons[addon_name] = addon
        return addon

    def _cni(self, role_name: str) -> aws.eks.Addon:
        """The VPC CNI add-on, with a role of its own (IRSA) unless the nodes carry its policy."""
        if not self.__args.cni_role:
            return self._addon("vpc-cni", [])
        namespace, service_account = CNI_SERVICE_ACCOUNT
        self.cni_role = iam.create_role(
            f"{self.__name}-vpc-cni",
            role_name=role_name,
            trust_policy=self.oidc.trust_policy([ServiceAccountRef(namespace, service_account)]),
            settings=iam.RoleSettings(tags=self.__tags),
            parent=self,
            managed_policy_arns=iam.managed(CNI_POLICY),
        )
        return self._addon(
            "vpc-cni",
            iam.children_of(self.cni_role),
            service_account_role_arn=self.cni_role.arn,
        )

    def _node_groups(
        self, role_names: Mapping[str, str], networking: list[aws.eks.Addon]
    ) -> list[pulumi.Resource]:
        """A role and a managed node group per entry; nodes wait for the CNI and their role's
        policies (and are deleted before them)."""
        args = self.__args
        self.node_groups: dict[str, NodeGroup] = {}
        roles: list[pulumi.Output[str]] = []
        for group_name, spec in args.node_groups.items():
            policies = [*NODE_POLICIES]
            if not args.cni_role:
                policies.append(CNI_POLICY)
            if spec.ssm_access:
                policies.append(SSM_POLICY)
            node_role = iam.create_role(
                f"{self.__name}-{group_name}-node",
                role_name=role_names[group_name],
                trust_policy=iam.service_trust_policy("ec2.amazonaws.com"),
                settings=iam.RoleSettings(tags=self.__tags),
                parent=self,
                managed_policy_arns=iam.managed(*policies),
            )
            roles.append(node_role.arn)
            group = NodeGroup(
                f"{args.cluster_name}-{group_name}",
                NodeGroupArgs(
                    cluster_name=self.cluster_name,
                    node_role_arn=node_role.arn,
                    subnet_ids=args.private_subnet_ids,
                    kubernetes_version=args.kubernetes_version,
                    spec=dataclasses.replace(spec, tags={**self.__tags, **spec.tags}),
                ),
                opts=pulumi.ResourceOptions(
                    parent=self,
                    depends_on=[*networking, *iam.children_of(node_role)],
                    protect=args.deletion_protection,
                ),
            )
            self.node_groups[group_name] = group
        self.node_role_arns = pulumi.Output.all(*roles).apply(list)
        return [g.resource for g in self.node_groups.values()]

    def _fargate_profiles(
        self, pod_role_name: str, networking: list[aws.eks.Addon]
    ) -> list[pulumi.Resource]:
        """The pod execution role and the Fargate profiles (autonamed, so a change of selectors
        replaces a profile create-before-delete)."""
        args = self.__args
        self.fargate_profiles: dict[str, aws.eks.FargateProfile] = {}
        if not args.fargate_profiles:
            return []
        pod_role = iam.create_role(
            f"{self.__name}-fargate",
            role_name=pod_role_name,
            trust_policy=self._fargate_trust_policy(args.cluster_name),
            settings=iam.RoleSettings(tags=self.__tags),
            parent=self,
            managed_policy_arns=iam.managed("AmazonEKSFargatePodExecutionRolePolicy"),
        )
        for profile_name, profile in args.fargate_profiles.items():
            self.fargate_profiles[profile_name] = aws.eks.FargateProfile(
                f"{self.__name}-{profile_name}",
                cluster_name=self.cluster_name,
                pod_execution_role_arn=pod_role.arn,
                subnet_ids=args.private_subnet_ids,
                selectors=[
                    aws.eks.FargateProfileSelectorArgs(
                        namespace=s.namespace, labels=s.labels or None
                    )
                    for s in profile.selectors
                ],
                tags=self.__tags,
                opts=pulumi.ResourceOptions(
                    parent=self, depends_on=[*networking, *iam.children_of(pod_role)]
                ),
            )
        return list(self.fargate_profiles.values())

    def _workload_addons(
        self, capacity: list[pulumi.Resource], networking: list[aws.eks.Addon]
    ) -> None:
        """CoreDNS and the Pod Identity agent, once there is capacity to run them."""
        args = self.__args
        # CoreDNS needs somewhere to run; on a Fargate-only cluster it must be told so.
        self._addon(
            "coredns", capacity, {"computeType": "Fargate"} if not args.node_groups else None
        )
        if args.pod_identity_agent:
            self._addon("eks-pod-identity-agent", capacity)

    def _kubernetes_provider(self, access: list[pulumi.Resource]) -> None:
        """The Kubernetes provider. It depends on the access entries, so that on destroy every
        Kubernetes object goes while the deploying identity still has access."""
        self.provider = k8s.Provider(
            f"{self.__name}-k8s",
            kubeconfig=self.kubeconfig,
            opts=pulumi.ResourceOptions(parent=self, depends_on=access),
        )

    def _oidc_trust(self) -> None:
        """IAM's trust in the cluster's OIDC issuer (IRSA): created, or adopted by ARN."""
        args = self.__args
        self.oidc = OidcTrust(
            f"{self.__name}-oidc",
            OidcTrustArgs(
                issuer_url=self.oidc_issuer_url,
                provider_arn=args.oidc_provider_arn,
                tags=self.__tags,
            ),
            # Stacks of 0.1 created the trust beside the cluster: keep its provider on upgrade.
            opts=pulumi.ResourceOptions(
                parent=self,
                aliases=[pulumi.Alias(parent=pulumi.ROOT_STACK_RESOURCE)],
                protect=args.deletion_protection,
            ),
        )
        self.oidc_provider_arn = self.oidc.provider_arn

    @staticmethod
    def _fargate_trust_policy(cluster_name: str) -> pulumi.Output[str]:
        """Fargate may assume the pod execution role only on behalf of this cluster's profiles."""
        return pulumi.Output.all(
            aws_context.partition(), aws_context.region(), aws_context.account_id()
        ).apply(
            lambda a: json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "eks-fargate-pods.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                            "Condition": {
                                "ArnLike": {
                                    "aws:SourceArn": f"arn:{a[0]}:eks:{a[1]}:{a[2]}:fargateprofile/{cluster_name}/*"
                                }
                            },
                        }
                    ],
                }
            )
        )


KEY_ADMIN_ACTIONS = (
    "kms:Create*",
    "kms:Describe*",
    "kms:Enable*",
    "kms:List*",
    "kms:Put*",
    "kms:Update*",
    "kms:Revoke*",
    "kms:Disable*",
    "kms:Get*",
    "kms:Delete*",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:ScheduleKeyDeletion",
    "kms:CancelKeyDeletion",
    "kms:RotateKeyOnDemand",
)
KEY_USER_ACTIONS = (
    "kms:Encrypt",
    "kms:Decrypt",
    "kms:ReEncrypt*",
    "kms:GenerateDataKey*",
    "kms:DescribeKey",
)
KEY_PROTECTED_ACTIONS = ("kms:ScheduleKeyDeletion", "kms:DisableKey")


def secrets_key_policy(
    account_id: str,
    cluster_role_arn: str,
    break_glass_arn: str | None,
    administrators: Sequence[str],
) -> dict[str, Any]:
    """The Secrets key's policy: administrators manage it, the cluster role uses it (and may
    grant EKS's own use of it), and nobody but the break-glass principal may disable it or
    schedule its deletion."""
    statements: list[dict[str, Any]] = [
        {
            "Sid": "Administrators",
            "Effect": "Allow",
            "Principal": {"AWS": sorted(set(administrators))},
            "Action": list(KEY_ADMIN_ACTIONS),
            "Resource": "*",
        },
        {
            "Sid": "ClusterUsesTheKey",
            "Effect": "Allow",
            "Principal": {"AWS": cluster_role_arn},
            "Action": list(KEY_USER_ACTIONS),
            "Resource": "*",
        },
        {
            "Sid": "ClusterGrantsForEks",
            "Effect": "Allow",
            "Principal": {"AWS": cluster_role_arn},
            "Action": ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
            "Resource": "*",
            "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}},
        },
    ]
    deny: dict[str, Any] = {
        "Sid": "NoDisableOrDeletionButBreakGlass",
        "Effect": "Deny",
        "Principal": {"AWS": "*"},
        "Action": list(KEY_PROTECTED_ACTIONS),
        "Resource": "*",
    }
    if break_glass_arn:
        deny["Condition"] = {"ArnNotEquals": {"aws:PrincipalArn": break_glass_arn}}
        statements[0]["Principal"]["AWS"] = sorted({*administrators, break_glass_arn})
    statements.append(deny)
    return {"Version": "2012-10-17", "Id": f"eks-secrets-{account_id}", "Statement": statements}


def _server_from_kubeconfig(kubeconfig: str | dict) -> str:
    doc = json.loads(kubeconfig) if isinstance(kubeconfig, str) else kubeconfig
    return str(doc["clusters"][0]["cluster"]["server"])


def validate_args(args: EksClusterArgs) -> None:
    """Check EksClusterArgs; raises ValueError naming the field."""
    v.cluster_name(args.cluster_name, "cluster_name")
    v.require(
        isinstance(args.kubernetes_version, str)
        and len(args.kubernetes_version.split(".")) == 2
        and all(p.isdigit() for p in args.kubernetes_version.split(".")),
        "kubernetes_version",
        f"{args.kubernetes_version!r} is not a Kubernetes major.minor version such as {DEFAULT_KUBERNETES_VERSION!r}",
    )
    v.require(
        args.kubernetes_version in EKS_VERSIONS,
        "kubernetes_version",
        f"EKS does not offer Kubernetes {args.kubernetes_version} (it offers "
        f"{', '.join(EKS_VERSIONS)} as of {EKS_VERSIONS_AS_OF})",
    )
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
    v.require(
        bool(args.node_groups) or bool(args.fargate_profiles),
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
    for addon_name in args.addon_versions:
        v.one_of(addon_name, (*CORE_ADDONS, "eks-pod-identity-agent"), "addon_versions")
