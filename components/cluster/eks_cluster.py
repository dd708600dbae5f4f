"""``EksCluster``: the EKS control plane and the capacity pods run on.

Wraps ``pulumi_eks.Cluster`` for the control plane and adds, as plain resources a
reviewer sees in ``pulumi preview``:

* access entries (authentication mode ``API``; no ``aws-auth`` ConfigMap) giving
  the admin principals the ``AmazonEKSClusterAdminPolicy`` (:mod:`.access`),
* the core add-ons ``vpc-cni``, ``kube-proxy`` and ``coredns`` (and the
  ``eks-pod-identity-agent``) as EKS managed add-ons, ordered so that nodes find
  a CNI when they boot and CoreDNS finds nodes to run on (:mod:`.addons`),
* managed node groups on launch templates (:mod:`.node_group`),
* Fargate profiles with their pod execution role (:mod:`.fargate`),
* a KMS key for envelope encryption of Secrets (with rotation), unless given one
  (:mod:`.secrets_key`),
* the ``kubernetes.Provider`` every in-cluster component uses.

Its arguments are :class:`~.args.EksClusterArgs`, checked by :func:`~.validation.validate_args`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
import pulumi_eks as eks
import pulumi_kubernetes as k8s

from .. import naming
from .. import validation as v
from ..identity import iam
from ..identity.cluster_ref import POD_IDENTITY_AGENT, ClusterRef
from ..identity.kubeconfig import kubeconfig_server
from ..identity.oidc import OidcTrust, OidcTrustArgs
from .access import check_deployer_entry, create_access_entries
from .addons import CNI_POLICY, AddonTarget, managed_addon, vpc_cni, workload_addons
from .args import EksClusterArgs
from .auto_mode import auto_mode_node_roles, auto_mode_options, create_in_cluster, role_policies
from .compute import AUTO_MODE, AUTO_MODE_NODE_ROLE, CLUSTER_ROLE_POLICIES
from .fargate import create_fargate_profiles
from .managed_addon import create_cluster_addons
from .node_group import create_node_groups
from .secrets_key import create_secrets_key
from .validation import validate_args


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
    """IAM role ARNs of :attr:`node_roles` (the node groups', or Auto Mode's nodes')."""
    node_roles: dict[str, aws.iam.Role]
    """The roles the nodes run as, by node group (``auto-mode``: Auto Mode's), and their names."""
    node_role_names: dict[str, pulumi.Output[str]]
    compute: str
    """``managed`` or ``auto-mode``: what Auto Mode runs itself is not installed under it."""
    provider: k8s.Provider
    """Kubernetes provider for this cluster."""
    oidc: OidcTrust
    """IAM's trust in the cluster's OIDC issuer (IRSA): the provider created or adopted."""
    oidc_provider_arn: pulumi.Output[str]
    """ARN of the cluster's IAM OIDC provider."""
    ref: ClusterRef
    """What other components need to run on this cluster (they also take the cluster itself)."""

    addons: dict[str, aws.eks.Addon]
    """The managed add-ons by name (the core ones and ``addons``); their roles: ``addon_roles``."""
    log_group: aws.cloudwatch.LogGroup
    """The control-plane log group, ``/aws/eks/<name>/cluster``."""

    def __init__(
        self, name: str, args: EksClusterArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        """Create the cluster; see :class:`EksCluster` and :class:`EksClusterArgs`.

        The steps, in order: the service role, the Secrets key, the control plane (after its
        log group), access entries, the OIDC trust, the Kubernetes provider, the networking
        add-ons (the VPC CNI's IrsaRole needs the cluster's reference), node groups, Fargate
        profiles, CoreDNS and the Pod Identity agent.
        """
        owner = f"EksCluster {name!r}"
        with v.component_errors("EksCluster", name):
            v.check_fields(args, EksClusterArgs)
            validate_args(args)
            principals = {
                key: v.when_known(
                    entry.principal_arn,
                    v.iam_principal_arn,
                    f"access_entries[{key!r}].principal_arn",
                    owner,
                )
                for key, entry in args.access_entries.items()
            }
            if args.remove_creator_admin:
                check_deployer_entry(args.access_entries, "access_entries", opts)
            roles = self._role_names(name, args, owner)
        super().__init__("eks-platform:index:EksCluster", name, None, opts)
        self.aws_provider = self.get_provider("aws:index:provider")  # lookups and ARNs
        self.__name, self.__args, self.__owner, self.compute = name, args, owner, args.compute
        self.__tags = {**args.tags}
        self._service_role(roles.service)
        self.node_roles = auto_mode_node_roles(name, roles.auto_node, self.__tags, self)
        key_arn = self._secrets_key()
        self.secrets_key_arn = key_arn
        self._control_plane(key_arn)
        access = self._access(principals)
        self._oidc_trust()
        self._kubernetes_provider(access)
        ref = ClusterRef(
            key=name,
            name=self.cluster_name,
            provider=self.provider,
            kubeconfig=self.kubeconfig,
            vpc_id=self.vpc_id,
            oidc=self.oidc,
            cluster_security_group_id=self.cluster_security_group_id,
            node_security_group_id=self.cluster_security_group_id,  # the nodes' too
            private_subnet_ids=self.private_subnet_ids,
            public_subnet_ids=self.public_subnet_ids,
            kubernetes_version=args.kubernetes_version,
            compute=args.compute,
            uses_fargate=bool(args.fargate_profiles),
            aws_provider=self.aws_provider,
        )
        networking = self._networking_addons(roles.cni, ref)
        capacity = self._node_groups(roles.nodes, networking)
        capacity += self._fargate_profiles(roles.fargate, networking)
        self._workload_addons(capacity)
        self.auto_mode = create_in_cluster(self, name, args.auto_mode, key_arn)  # None: managed
        auto = args.compute == AUTO_MODE
        self.ref = dataclasses.replace(
            ref,
            workload_dependencies=[*capacity, *[self.addons[k] for k in ("coredns",) if not auto]],
            pod_identity_agent=self.addons.get(POD_IDENTITY_AGENT, self.cluster if auto else None),
            node_role_arn=None if auto else next((r.arn for r in self.node_roles.values()), None),
        )
        self.addon_roles = create_cluster_addons(self, name, self.__addons.place(), args.addons)
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

    def _role_names(self, name: str, args: EksClusterArgs, owner: str) -> _RoleNames:
        """The names of the roles the cluster creates, unique per stack and claimed for it."""

        def role_name(suffix: str, field_name: str) -> str:
            return iam.resolve_role_name(
                f"{name}-{suffix}", iam.RoleSettings(), owner, self, field_name
            )

        return _RoleNames(
            service=role_name("cluster", "service_role"),
            nodes={
                group: role_name(f"{group}-node", f"node_groups[{group!r}]")
                for group in args.node_groups
            },
            # Named as before; the IrsaRole claims the name (a claim here would collide).
            cni=naming.stack_unique(f"{name}-vpc-cni") if args.cni_role else None,
            fargate=role_name("fargate", "fargate_role") if args.fargate_profiles else "",
            auto_node=role_name("auto-node", "auto_mode") if args.compute == AUTO_MODE else None,
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
            managed_policy_arns=iam.managed(
                *CLUSTER_ROLE_POLICIES[self.__args.compute], provider=self.aws_provider
            ),
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
        return create_secrets_key(
            self.__name,
            cluster_name=args.cluster_name,
            cluster_role_arn=self.service_role.arn,
            administrators=admins,
            break_glass_arn=args.kms_break_glass_principal_arn,
            tags=self.__tags,
            protect=args.deletion_protection,
            parent=self,
        )

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
        auto_node_role = self.node_roles.get(AUTO_MODE_NODE_ROLE)
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
            auto_mode=auto_mode_options(args.auto_mode, auto_node_role),
            deletion_protection=args.deletion_protection,
            provider_credential_opts=eks.KubeconfigOptionsArgs(
                profile_name=args.kubeconfig_aws_profile
            )
            if args.kubeconfig_aws_profile
            else None,
            tags=self.__tags,
            opts=pulumi.ResourceOptions(
                parent=self,
                protect=args.deletion_protection,
                depends_on=role_policies(self.service_role, auto_node_role),
            ),
        )
        # Derived from an output of the control plane so that everything using the name
        # (access entries, add-ons, node groups) waits for the cluster to exist.
        self.cluster_name = self.cluster.kubeconfig_json.apply(lambda _: args.cluster_name)
        self.kubeconfig = pulumi.Output.secret(self.cluster.kubeconfig_json)
        self.endpoint = self.cluster.kubeconfig_json.apply(kubeconfig_server)
        self.oidc_issuer_url = self.cluster.oidc_issuer.apply(
            lambda issuer: issuer if issuer.startswith("https://") else f"https://{issuer}"
        )
        self.cluster_security_group_id = self.cluster.cluster_security_group_id
        self.vpc_id = pulumi.Output.from_input(args.vpc_id)
        self.private_subnet_ids = pulumi.Output.from_input(args.private_subnet_ids)  # type: ignore[arg-type]
        self.public_subnet_ids = pulumi.Output.from_input(args.public_subnet_ids)  # type: ignore[arg-type]

    def _access(self, principals: Mapping[str, pulumi.Input[str]]) -> list[pulumi.Resource]:
        """The access entries (:func:`~components.cluster.access.create_access_entries`)."""
        args = self.__args
        return create_access_entries(
            self.__name,
            cluster_name=self.cluster_name,
            # New for every cluster EKS creates, even under the same name.
            cluster_identity=self.oidc_issuer_url,
            entries=args.access_entries,
            principals=principals,
            remove_creator_admin=args.remove_creator_admin,
            tags=self.__tags,
            parent=self,
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

    def _networking_addons(self, cni_role_name: str | None, ref: ClusterRef) -> list[aws.eks.Addon]:
        """The VPC CNI (with its IRSA role unless the nodes carry its policy) and kube-proxy:
        the nodes need both to become Ready."""
        args = self.__args
        self.__addons = AddonTarget(
            parent=self,
            name=self.__name,
            cluster_name=self.cluster_name,
            kubernetes_version=args.kubernetes_version,
            versions=args.addon_versions,
            tags=self.__tags,
            protect=args.deletion_protection,
            specs=args.addons,
        )
        if args.compute == AUTO_MODE:  # Auto Mode runs pod networking and kube-proxy itself
            self.cni_role, self.addons = None, {}
            return []
        cni, self.cni_role = vpc_cni(self.__addons, cni_role_name, ref)
        self.addons = {"vpc-cni": cni, "kube-proxy": managed_addon(self.__addons, "kube-proxy", [])}
        return [cni, self.addons["kube-proxy"]]

    def _node_groups(
        self, role_names: Mapping[str, str], networking: list[aws.eks.Addon]
    ) -> list[pulumi.Resource]:
        """A role and a managed node group per entry (:func:`.node_group.create_node_groups`)."""
        args = self.__args
        self.node_groups, roles = create_node_groups(
            groups=args.node_groups,
            role_prefix=self.__name,
            cluster_name=args.cluster_name,
            eks_cluster_name=self.cluster_name,
            role_names=role_names,
            extra_policies=[] if args.cni_role else [CNI_POLICY],
            subnet_ids=args.private_subnet_ids,
            kubernetes_version=args.kubernetes_version,
            tags=self.__tags,
            depends_on=networking,
            protect=args.deletion_protection,
            parent=self,
        )
        self.node_roles.update(roles)
        self.node_role_names = {group: role.name for group, role in self.node_roles.items()}
        arns = [role.arn for role in self.node_roles.values()]
        self.node_role_arns = pulumi.Output.all(*arns).apply(list)
        return [g.resource for g in self.node_groups.values()]

    def _fargate_profiles(
        self, role_name: str, networking: list[aws.eks.Addon]
    ) -> list[pulumi.Resource]:
        """The Fargate profiles and their pod execution role (:mod:`.fargate`)."""
        args = self.__args
        self.fargate_profiles = create_fargate_profiles(
            self.__name,
            profiles=args.fargate_profiles,
            cluster_name=args.cluster_name,
            eks_cluster_name=self.cluster_name,
            role_name=role_name,
            subnet_ids=args.private_subnet_ids,
            tags=self.__tags,
            depends_on=networking,
            parent=self,
        )
        return list(self.fargate_profiles.values())

    def _workload_addons(self, capacity: list[pulumi.Resource]) -> None:
        """CoreDNS and the Pod Identity agent, once there is capacity to run them."""
        args = self.__args
        if args.compute == AUTO_MODE:  # Auto Mode runs CoreDNS and the Pod Identity agent
            return
        self.addons |= workload_addons(
            self.__addons,
            capacity,
            fargate_only=not args.node_groups,
            pod_identity_agent=args.pod_identity_agent,
        )

    def _kubernetes_provider(self, access: list[pulumi.Resource]) -> None:
        """The Kubernetes provider. It depends on the access entries, so that on destroy every
        Kubernetes object goes while the deploying identity still has access."""
        self.provider = k8s.Provider(
            f"{self.__name}-k8s",
            kubeconfig=self.kubeconfig,
            opts=pulumi.ResourceOptions(parent=self, depends_on=access),
        )


@dataclass(frozen=True)
class _RoleNames:
    """The IAM names of the cluster's roles."""

    service: str
    nodes: dict[str, str]
    cni: str | None
    fargate: str
    auto_node: str | None = None
