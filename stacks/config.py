"""The stack configuration: one table of every ``eks-platform:*`` key, read and checked up front.

:data:`SECTIONS` declares each key once: the Args class its object becomes, the environments
that may set it, the fields the composition fills in instead, what it takes from other keys,
how it is checked, and the nested classes its reference documents. From the table follow the
known keys, the unknown-key and wrong-environment errors, :func:`load`, the configuration
reference (:func:`reference_markdown`, ``make docs``) and, for add-ons, the composition
(:mod:`stacks.platform`).

Each key holds an object whose fields are the camelCase names of its Args fields. A value is
checked once on its way to the component, by the component's own rules (an add-on's
``validate_settings``), and an error names the config key, so a mistake anywhere stops the
program with one line before any resource is registered.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import pulumi

from components import (
    AutoModeIngress,
    AutoModeIngressArgs,
    AutoModeNodePoolSpec,
    AutoModeSpec,
    ChartSpec,
    DisruptionBudgetSpec,
    EksClusterArgs,
    ExistingVpcArgs,
    ExternalDns,
    ExternalDnsArgs,
    ExternalSecrets,
    ExternalSecretsArgs,
    FargateProfileSpec,
    FargateSelector,
    HostedZone,
    Karpenter,
    KarpenterArgs,
    LoadBalancerController,
    LoadBalancerControllerArgs,
    NetworkArgs,
    NodeClassSpec,
    NodeGroupSpec,
    NodePoolSpec,
    RoleSettings,
    SecretsTenantSpec,
    Taint,
)
from components import network as network_rules
from components import validation as v
from components.addons import (
    auto_mode_ingress,
    external_dns,
    external_secrets,
    karpenter,
    load_balancer_controller,
)
from components.cluster import validation as cluster_rules
from components.cluster.compute import AUTO_MODE
from components.validation import InvalidArgument
from components.validation.config_reader import project_keys
from stacks import sample_app
from stacks.demo import args as demo
from stacks.sample_app import SampleAppArgs

from .section import Addon, PlatformConfig, Reader, Reference, Section, read_object
from .section import reference_markdown as _reference
from .storage_metrics import ADDON_SPEC_REFERENCE
from .storage_metrics import sections as _storage_and_metrics

# -- what a key takes from the others, and what it must agree with ------------------------------


def _tags(raw: str | None, key: str) -> dict[str, str]:
    tags = {str(k): str(value) for k, value in read_object(raw, key).items()}
    return v.aws_tags(tags, key)


def _network(network: NetworkArgs, config: PlatformConfig) -> NetworkArgs:
    """The cluster's subnets: tagged for its name (and Karpenter's discovery, when it runs)."""
    return dataclasses.replace(
        network,
        cluster_name=config[CLUSTER].cluster_name,
        karpenter_discovery=network.karpenter_discovery or config.is_set(KARPENTER),
    )


def _zones_in_region(network: NetworkArgs, config: PlatformConfig) -> None:
    region = pulumi.Config("aws").get("region")
    if region is None or not isinstance(network.availability_zones, list):
        return
    for i, zone in enumerate(network.availability_zones):
        if not (zone.startswith(region) and len(zone) == len(region) + 1):
            raise InvalidArgument(
                f"{config.key(NETWORK)}.availabilityZones[{i}]",
                f"{zone!r} is not an availability zone of aws:region {region} "
                f"({region}a, {region}b, ...)",
            )


def _cluster(cluster: EksClusterArgs, config: PlatformConfig) -> EksClusterArgs:
    """The VPC and subnets stand in until the network exists (filled in when composing)."""
    pending = pulumi.Output.from_input(["pending"])
    return dataclasses.replace(
        cluster, vpc_id="vpc-pending", private_subnet_ids=pending, public_subnet_ids=pending
    )


def _external_secrets(eso: ExternalSecretsArgs, config: PlatformConfig) -> ExternalSecretsArgs:
    """What the demo syncs is readable (its names follow the cluster's: stacks/demo/args.py)."""
    demo_args = config.get(DEMO)
    return eso if demo_args is None else demo.with_demo_scope(eso, demo_args)


SCOPED_STORE_ENVIRONMENTS = ("staging", "prod")
"""The environments whose shared ClusterSecretStores must list the namespaces they serve."""


def _shared_stores_scoped(eso: ExternalSecretsArgs, config: PlatformConfig) -> None:
    """staging and prod name the namespaces that may use the shared stores (or say, with
    storesForEveryNamespace, that every namespace may)."""
    env = config[ENVIRONMENT]
    if env in SCOPED_STORE_ENVIRONMENTS and not (
        eso.store_namespaces or eso.stores_for_every_namespace
    ):
        raise InvalidArgument(
            f"{config.key(EXTERNAL_SECRETS)}.storeNamespaces",
            f"{env} must list the namespaces whose ExternalSecrets may use the shared "
            "ClusterSecretStores (empty: every namespace reads the whole shared scope); or set "
            "storesForEveryNamespace: true to allow that on purpose",
        )


def _karpenter(args: KarpenterArgs, config: PlatformConfig) -> KarpenterArgs:
    """Where the VPC CNI has its own role, Karpenter's nodes need no ENI permissions."""
    cni_policy = args.node_cni_policy and not config[CLUSTER].cni_role
    return dataclasses.replace(args, node_cni_policy=cni_policy)


def _managed_compute_only(section: Section[Any], config: PlatformConfig, what: str) -> None:
    """What EKS Auto Mode runs itself is not installed beside it (docs/compute.md)."""
    if config[CLUSTER].compute == AUTO_MODE:
        raise InvalidArgument(
            config.key(section),
            f"{what} is not installed with cluster.compute auto-mode, which runs it itself; "
            "remove this key, or set cluster.compute to managed",
        )


def _load_balancer_controller(args: LoadBalancerControllerArgs, config: PlatformConfig) -> None:
    _managed_compute_only(
        LOAD_BALANCER_CONTROLLER,
        config,
        "the load-balancer controller (Auto Mode serves its own IngressClasses: autoModeIngress)",
    )


def _auto_mode_ingress(args: AutoModeIngressArgs, config: PlatformConfig) -> None:
    """Auto Mode's IngressClasses only where Auto Mode runs (set or not, the stack makes them
    there)."""
    if config.is_set(AUTO_MODE_INGRESS) and config[CLUSTER].compute != AUTO_MODE:
        raise InvalidArgument(
            config.key(AUTO_MODE_INGRESS),
            "is for cluster.compute auto-mode (this stack's compute is managed: the "
            "loadBalancerController makes its IngressClasses); remove it, or set cluster.compute "
            "to auto-mode",
        )


def _karpenter_placement(args: KarpenterArgs, config: PlatformConfig) -> None:
    """Karpenter must run where it does not manage the nodes: a managed node group its
    nodeSelector matches, or a Fargate profile selecting its namespace."""
    _managed_compute_only(KARPENTER, config, "Karpenter (Auto Mode launches the nodes)")
    key, cluster = config.key(KARPENTER), config[CLUSTER]
    if args.fargate:
        selected = {s.namespace for p in cluster.fargate_profiles.values() for s in p.selectors}
        if args.namespace not in selected:
            raise InvalidArgument(
                f"{key}.fargate",
                f"no cluster.fargateProfiles selector picks namespace {args.namespace!r}; "
                "add one, or run Karpenter on a node group",
            )
        return
    if not any(
        all(group.labels.get(k) == value for k, value in args.node_selector.items())
        for group in cluster.node_groups.values()
    ):
        raise InvalidArgument(
            f"{key}.nodeSelector",
            f"{args.node_selector} matches no cluster.nodeGroups labels; Karpenter would "
            "have nowhere to run (it never runs on the nodes it launches)",
        )


def _sample_app_reachable(args: SampleAppArgs, config: PlatformConfig) -> None:
    """The app needs the controller, and its host must lie in a zone ExternalDNS publishes."""
    if config.get(LOAD_BALANCER_CONTROLLER) is None:
        raise ValueError(
            f"{config.key(SAMPLE_APP)}: needs {config.key(LOAD_BALANCER_CONTROLLER)} "
            "(its Ingress becomes an ALB through the controller)"
        )
    dns = config.get(EXTERNAL_DNS)
    if dns is None or args.host is None or any(z.domain is None for z in dns.zones):
        return  # a zone given by id alone: its domain is only known at deploy time
    domains = [str(z.domain) for z in dns.zones]
    if not any(args.host == d or args.host.endswith("." + d) for d in domains):
        raise InvalidArgument(
            f"{config.key(SAMPLE_APP)}.host",
            f"{args.host!r} is not under any externalDns zone ({', '.join(domains)}); "
            "ExternalDNS would not publish it",
        )


def _demo(args: demo.DemoArgs, config: PlatformConfig) -> demo.DemoArgs:
    return demo.for_cluster(args, config[CLUSTER].cluster_name)


# -- the table ------------------------------------------------------------------------------------

ENVIRONMENT: Section[str] = Section(
    key="environment",
    summary="Which stacks/<environment>.py composes this stack (default: the stack name).",
    read=lambda raw, key: raw or pulumi.get_stack(),
)
TAGS: Section[dict[str, str]] = Section(
    key="tags", summary="AWS tags applied to every resource.", read=_tags
)
NETWORK = Section(
    key="network",
    summary="A new VPC (NetworkArgs) or an existing one (existingVpc).",
    args=NetworkArgs,
    presence="always",
    composed=("cluster_name",),
    derive=_network,
    validate=network_rules.validate_settings,
    check=_zones_in_region,
    documents=(Reference(ExistingVpcArgs, "network.existingVpc"),),
)
CLUSTER = Section(
    key="cluster",
    summary="The EKS cluster (EksClusterArgs without the VPC fields).",
    args=EksClusterArgs,
    presence="required",
    composed=("vpc_id", "private_subnet_ids", "public_subnet_ids"),
    derive=_cluster,
    validate=cluster_rules.validate_args,
    documents=(
        Reference(NodeGroupSpec, "cluster.nodeGroups.<name>"),
        Reference(
            Taint,
            "cluster.nodeGroups.<name>.taints[]",
            "cluster.autoMode.nodePools.<name>.taints[]",
            "karpenter.nodePools.<name>.taints[]",
        ),
        Reference(AutoModeSpec, "cluster.autoMode"),
        Reference(AutoModeNodePoolSpec, "cluster.autoMode.nodePools.<name>"),
        Reference(FargateProfileSpec, "cluster.fargateProfiles.<name>"),
        Reference(FargateSelector, "cluster.fargateProfiles.<name>.selectors[]"),
        ADDON_SPEC_REFERENCE,
    ),
)
STORAGE, METRICS_SERVER = _storage_and_metrics(CLUSTER)
LOAD_BALANCER_CONTROLLER = Addon(
    key="loadBalancerController",
    summary="The AWS Load Balancer Controller (LoadBalancerControllerArgs without `cluster`); "
    "omit to skip it.",
    args=LoadBalancerControllerArgs,
    validate=load_balancer_controller.validate_settings,
    check=_load_balancer_controller,
    documents=(
        Reference(ChartSpec, "<controller>.chart"),
        Reference(
            RoleSettings,
            "<controller>.role",
            "externalSecrets.tenants.<name>.role",
            "karpenter.nodeRole",
            "cluster.addons.<name>.role",
            "storage.role",
        ),
    ),
    component=LoadBalancerController,
    name="aws-load-balancer-controller",
    exports=lambda c: {"ingressClass": c.ingress_class_name, "ingressClasses": c.ingress_classes},
)
AUTO_MODE_INGRESS = Addon(
    key="autoModeIngress",
    summary="EKS Auto Mode's IngressClasses (AutoModeIngressArgs without `cluster`), the "
    "load-balancer controller's classes for cluster.compute auto-mode: made there whether set "
    "or not.",
    args=AutoModeIngressArgs,
    presence="always",
    installed=lambda config: config[CLUSTER].compute == AUTO_MODE,
    validate=auto_mode_ingress.validate_settings,
    check=_auto_mode_ingress,
    component=AutoModeIngress,
    name="auto-mode-ingress",
    exports=lambda c: {"ingressClass": c.ingress_class_name, "ingressClasses": c.ingress_classes},
)
EXTERNAL_DNS = Addon(
    key="externalDns",
    summary="ExternalDNS for the hosted zones (ExternalDnsArgs without `cluster`); omit to skip it.",
    args=ExternalDnsArgs,
    validate=external_dns.validate_settings,
    documents=(Reference(HostedZone, "externalDns.zones[]"),),
    component=ExternalDns,
    name="external-dns",
    exports=lambda c: {"externalDnsZoneIds": c.zone_ids},
)
EXTERNAL_SECRETS = Addon(
    key="externalSecrets",
    summary="The External Secrets Operator and its stores (ExternalSecretsArgs without "
    "`cluster`); omit to skip it.",
    args=ExternalSecretsArgs,
    derive=_external_secrets,
    validate=external_secrets.validate_settings,
    check=_shared_stores_scoped,
    documents=(Reference(SecretsTenantSpec, "externalSecrets.tenants.<name>"),),
    component=ExternalSecrets,
    name="external-secrets",
    exports=lambda c: {
        "externalSecretsRoleArn": c.role_arn,
        "externalSecretsStores": c.store_catalog,
    },
)
KARPENTER = Addon(
    key="karpenter",
    summary="Karpenter (KarpenterArgs without `cluster`): NodePools by name, each with "
    "limits.cpu and limits.memory; omit to skip it.",
    args=KarpenterArgs,
    derive=_karpenter,
    validate=karpenter.validate_settings,
    check=_karpenter_placement,
    documents=(
        Reference(NodePoolSpec, "karpenter.nodePools.<name>"),
        Reference(DisruptionBudgetSpec, "karpenter.nodePools.<name>.budgets[]"),
        Reference(NodeClassSpec, "karpenter.nodeClass"),
    ),
    component=Karpenter,
    name="karpenter",
    exports=lambda c: {
        "karpenterNodeRoleArn": c.node_role_arn,
        "karpenterNodePools": c.node_pool_names,
    },
)
DEMO = Section(
    key="demo",
    summary="Demo IRSA and Pod Identity workloads (DemoArgs); dev only.",
    args=demo.DemoArgs,
    environments=("dev",),
    derive=_demo,
    validate=demo.validate_settings,
)
SAMPLE_APP = Section(
    key="sampleApp",
    summary="The 2048 game behind an ALB (SampleAppArgs); needs loadBalancerController.",
    args=SampleAppArgs,
    environments=("dev",),
    composed=("controller",),
    validate=sample_app.validate_settings,
    check=_sample_app_reachable,
)

SECTIONS: tuple[Section[Any], ...] = (
    ENVIRONMENT,
    TAGS,
    NETWORK,
    CLUSTER,
    LOAD_BALANCER_CONTROLLER,
    AUTO_MODE_INGRESS,
    EXTERNAL_DNS,
    EXTERNAL_SECRETS,
    KARPENTER,
    STORAGE,
    METRICS_SERVER,
    DEMO,
    SAMPLE_APP,
)
"""Every ``eks-platform:`` key a stack may set, in the order of the reference."""
ADDONS: tuple[Addon[Any, Any], ...] = tuple(s for s in SECTIONS if isinstance(s, Addon))
"""The sections that install an add-on on the cluster (:func:`stacks.platform.deploy`)."""
BY_KEY: Mapping[str, Section[Any]] = {s.key: s for s in SECTIONS}


# -- reading --------------------------------------------------------------------------------------


def environment(config: pulumi.Config | None = None) -> str:
    """The composition this stack runs: ``eks-platform:environment``, else the stack name."""
    return Reader(config or pulumi.Config())[ENVIRONMENT]


def load(config: pulumi.Config | None = None) -> PlatformConfig:
    """Read and check the stack's configuration: every key known, set only where a composition
    uses it, then each section of the table."""
    reader = Reader(config or pulumi.Config())
    ns = reader.namespace
    unknown = [k for k in project_keys(reader.config) if k.split(".")[0] not in BY_KEY]
    if unknown:
        raise ValueError(
            f"{ns}:{unknown[0]}: unknown key (known keys: {', '.join(sorted(BY_KEY))})"
        )
    env = reader[ENVIRONMENT]
    for section in SECTIONS:
        if reader.is_set(section) and env not in section.environments:
            raise InvalidArgument(
                reader.key(section),
                f"is set, but the {env} composition (stacks/{env}.py) does not use it (only "
                f"{', '.join(section.environments)} does); remove it",
            )
    for section in SECTIONS:
        reader.get(section)
    return PlatformConfig(ns, reader.values)


def reference_markdown() -> str:
    """The configuration reference (docs/configuration.md), generated from the table."""
    return _reference("eks-platform", SECTIONS)


if __name__ == "__main__":
    print(reference_markdown(), end="")
