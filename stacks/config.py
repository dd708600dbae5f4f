"""The stack configuration: every ``eks-platform:*`` key, read and validated up front.

Each key holds an object whose fields are the camelCase names of a component's
Args fields (see the README's configuration reference). :func:`load` reads them
all, refuses unknown or missing keys and wrong types, and runs every component's
validation, so that a mistake anywhere stops the program with one line naming the
key before any resource is registered.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pulumi

from components import network as network_mod
from components import validation as v
from components.addons import external_dns as external_dns_mod
from components.addons import external_secrets as external_secrets_mod
from components.addons import karpenter as karpenter_mod
from components.addons import load_balancer_controller as lbc_mod
from components.addons.external_dns import ExternalDnsArgs, HostedZone
from components.addons.external_secrets import ExternalSecretsArgs, SecretsTenantSpec
from components.addons.karpenter import KarpenterArgs
from components.addons.load_balancer_controller import LoadBalancerControllerArgs
from components.cluster import eks_cluster as cluster_mod
from components.cluster.eks_cluster import EksClusterArgs
from components.network import NetworkArgs
from components.validation import InvalidArgument
from components.validation.config_reader import (
    config_error,
    describe,
    from_config,
    markdown_table,
    project_keys,
)
from stacks import sample_app as sample_app_mod
from stacks.sample_app import SampleAppArgs

from . import demo as demo_mod
from .demo import DemoArgs

T = TypeVar("T")


@dataclass(kw_only=True)
class PlatformConfig:
    """The whole stack's settings, typed and validated."""

    environment: str
    """Which composition in ``stacks/`` runs (``dev``, ``staging``, ``prod``); defaults to the stack name."""
    network: NetworkArgs
    """``eks-platform:network``."""
    cluster: EksClusterArgs
    """``eks-platform:cluster`` (VPC and subnets are filled in from the network)."""
    tags: dict[str, str] = field(default_factory=dict)
    """``eks-platform:tags``: AWS tags on everything."""
    load_balancer_controller: LoadBalancerControllerArgs | None = None
    """``eks-platform:loadBalancerController`` (cluster and OIDC filled in when composing)."""
    external_dns: ExternalDnsArgs | None = None
    """``eks-platform:externalDns`` (the cluster filled in when composing)."""
    external_secrets: ExternalSecretsArgs | None = None
    """``eks-platform:externalSecrets`` (the cluster filled in when composing)."""
    karpenter: KarpenterArgs | None = None
    """``eks-platform:karpenter`` (the cluster filled in when composing)."""
    sample_app: SampleAppArgs | None = None
    """``eks-platform:sampleApp`` (the controller filled in when composing)."""
    demo: DemoArgs | None = None
    """``eks-platform:demo``: the demo workloads, when set."""


KEYS: dict[str, str] = {
    "environment": "Which stacks/<environment>.py composes this stack (default: the stack name).",
    "tags": "AWS tags applied to every resource.",
    "network": "A new VPC (NetworkArgs) or an existing one (existingVpc).",
    "cluster": "The EKS cluster (EksClusterArgs without the VPC fields).",
    "loadBalancerController": "The AWS Load Balancer Controller (LoadBalancerControllerArgs without `cluster`); omit to skip it.",
    "externalDns": "ExternalDNS for the hosted zones (ExternalDnsArgs without `cluster`); omit to skip it.",
    "externalSecrets": "The External Secrets Operator and its stores (ExternalSecretsArgs without `cluster`); omit to skip it.",
    "karpenter": "Karpenter (KarpenterArgs without `cluster`): NodePools by name, each with limits.cpu and limits.memory; omit to skip it.",
    "sampleApp": "The 2048 game behind an ALB (SampleAppArgs); needs loadBalancerController.",
    "demo": "Demo IRSA and Pod Identity workloads (DemoArgs); dev only.",
}
"""Every ``eks-platform:`` key a stack may set, with what it is for."""


def reference_markdown() -> str:
    """The configuration reference for the README, generated from the Args dataclasses."""
    from components.addons.helm import ChartSpec
    from components.addons.karpenter import (
        DisruptionBudgetSpec,
        NodeClassSpec,
        NodePoolSpec,
    )
    from components.cluster.eks_cluster import FargateProfileSpec, FargateSelector
    from components.cluster.node_group import NodeGroupSpec, Taint
    from components.identity.iam import RoleSettings
    from components.network import ExistingVpcArgs

    sections: list[tuple[str, type, tuple[str, ...]]] = [
        ("`eks-platform:network` (NetworkArgs)", NetworkArgs, ("cluster_name",)),
        ("`network.existingVpc` (ExistingVpcArgs)", ExistingVpcArgs, ()),
        (
            "`eks-platform:cluster` (EksClusterArgs)",
            EksClusterArgs,
            ("vpc_id", "private_subnet_ids", "public_subnet_ids"),
        ),
        ("`cluster.nodeGroups.<name>` (NodeGroupSpec)", NodeGroupSpec, ()),
        (
            "`cluster.nodeGroups.<name>.taints[]`, `karpenter.nodePools.<name>.taints[]` (Taint)",
            Taint,
            (),
        ),
        ("`cluster.fargateProfiles.<name>` (FargateProfileSpec)", FargateProfileSpec, ()),
        ("`cluster.fargateProfiles.<name>.selectors[]` (FargateSelector)", FargateSelector, ()),
        (
            "`eks-platform:loadBalancerController` (LoadBalancerControllerArgs)",
            LoadBalancerControllerArgs,
            ("cluster",),
        ),
        ("`<controller>.chart` (ChartSpec)", ChartSpec, ()),
        (
            "`<controller>.role`, `externalSecrets.tenants.<name>.role`, `karpenter.nodeRole` (RoleSettings)",
            RoleSettings,
            (),
        ),
        ("`eks-platform:externalDns` (ExternalDnsArgs)", ExternalDnsArgs, ("cluster",)),
        ("`externalDns.zones[]` (HostedZone)", HostedZone, ()),
        ("`eks-platform:externalSecrets` (ExternalSecretsArgs)", ExternalSecretsArgs, ("cluster",)),
        ("`externalSecrets.tenants.<name>` (SecretsTenantSpec)", SecretsTenantSpec, ()),
        ("`eks-platform:karpenter` (KarpenterArgs)", KarpenterArgs, ("cluster",)),
        ("`karpenter.nodePools.<name>` (NodePoolSpec)", NodePoolSpec, ()),
        ("`karpenter.nodePools.<name>.budgets[]` (DisruptionBudgetSpec)", DisruptionBudgetSpec, ()),
        ("`karpenter.nodeClass` (NodeClassSpec)", NodeClassSpec, ()),
        ("`eks-platform:sampleApp` (SampleAppArgs)", SampleAppArgs, ("controller",)),
        ("`eks-platform:demo` (DemoArgs)", DemoArgs, ()),
    ]
    parts = ["| key | meaning |", "|---|---|"]
    parts += [f"| `eks-platform:{key}` | {text} |" for key, text in KEYS.items()]
    for title, cls, exclude in sections:
        parts += ["", f"### {title}", "", markdown_table(describe(cls, exclude))]
    return "\n".join(parts) + "\n"


def _validated(prefix: str, build: Callable[[], T], validate: Callable[[T], None]) -> T:
    """Build a component's args from config and run its checks, errors restated for ``prefix``."""
    try:
        args = build()
    except InvalidArgument as e:  # from_config already names the full key
        raise InvalidArgument(e.field, e.rule) from None
    try:
        validate(args)
    except InvalidArgument as e:
        raise config_error(prefix, e) from None
    return args


def load(config: pulumi.Config | None = None) -> PlatformConfig:
    """Read and validate the stack's configuration."""
    config = config or pulumi.Config()
    ns = config.name
    unknown = [k for k in project_keys(config) if k.split(".")[0] not in KEYS]
    if unknown:
        raise ValueError(f"{ns}:{unknown[0]}: unknown key (known keys: {', '.join(sorted(KEYS))})")

    def obj(key: str, required: bool = False) -> dict[str, Any]:
        try:
            value = config.require_object(key) if required else config.get_object(key)
        except pulumi.ConfigMissingError:
            raise ValueError(f"{ns}:{key}: required key is missing") from None
        except Exception:
            raise ValueError(f"{ns}:{key}: must be an object") from None
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise ValueError(f"{ns}:{key}: must be an object, got {value!r}")
        return value

    environment = config.get("environment") or pulumi.get_stack()
    _check_keys_used(ns, environment, config)
    tags_raw = obj("tags")
    tags = {str(k): str(v) for k, v in tags_raw.items()}
    v.aws_tags(tags, f"{ns}:tags")

    cluster = _validated(
        f"{ns}:cluster",
        lambda: from_config(
            EksClusterArgs,
            obj("cluster", required=True),
            f"{ns}:cluster",
            vpc_id="vpc-pending",  # filled from the network when composing
            private_subnet_ids=pulumi.Output.from_input(["pending"]),
            public_subnet_ids=pulumi.Output.from_input(["pending"]),
        ),
        cluster_mod.validate_args,
    )
    cluster = dataclasses.replace(cluster, tags={**tags, **cluster.tags})
    network = _validated(
        f"{ns}:network",
        lambda: from_config(
            NetworkArgs, obj("network"), f"{ns}:network", cluster_name=cluster.cluster_name
        ),
        network_mod.validate_args,
    )
    network = dataclasses.replace(network, tags={**tags, **network.tags})
    _check_zones_in_region(network, ns)

    def optional(
        key: str,
        cls: type[T],
        validate: Callable[[T], None],
        exclude: tuple[str, ...] = (),
        **fixed: Any,
    ) -> T | None:
        if config.get(key) is None:
            return None
        return _validated(
            f"{ns}:{key}",
            lambda: from_config(cls, obj(key), f"{ns}:{key}", exclude, **fixed),
            validate,
        )

    no_cluster: dict[str, Any] = {"cluster": None}
    controller = optional(
        "loadBalancerController",
        LoadBalancerControllerArgs,
        lbc_mod.validate_settings,
        **no_cluster,
    )
    external_dns = optional(
        "externalDns", ExternalDnsArgs, external_dns_mod.validate_settings, **no_cluster
    )
    external_secrets = optional(
        "externalSecrets",
        ExternalSecretsArgs,
        external_secrets_mod.validate_settings,
        **no_cluster,
    )
    karpenter = optional("karpenter", KarpenterArgs, karpenter_mod.validate_settings, **no_cluster)
    if karpenter is not None:
        _check_karpenter_placement(karpenter, cluster, ns)
        network = dataclasses.replace(network, karpenter_discovery=True)
    sample_app = optional(
        "sampleApp", SampleAppArgs, sample_app_mod.validate_settings, controller=None
    )
    if sample_app is not None:
        if controller is None:
            raise ValueError(
                f"{ns}:sampleApp: needs {ns}:loadBalancerController "
                "(its Ingress becomes an ALB through the controller)"
            )
        if external_dns is not None and sample_app.host is not None:
            _check_host_in_zones(sample_app.host, external_dns.zones, f"{ns}:sampleApp.host")
    demo = optional("demo", DemoArgs, demo_mod.validate_args)
    if demo is not None and external_secrets is not None:
        _check_demo_in_scope(demo, external_secrets, ns)
    return PlatformConfig(
        environment=environment,
        network=network,
        cluster=cluster,
        tags=tags,
        load_balancer_controller=controller,
        external_dns=external_dns,
        external_secrets=external_secrets,
        karpenter=karpenter,
        sample_app=sample_app,
        demo=demo,
    )


def _check_karpenter_placement(karpenter: KarpenterArgs, cluster: EksClusterArgs, ns: str) -> None:
    """Karpenter must run where it does not manage the nodes: a managed node group its
    nodeSelector matches, or a Fargate profile selecting its namespace."""
    key = f"{ns}:karpenter"
    if karpenter.fargate:
        selected = {s.namespace for p in cluster.fargate_profiles.values() for s in p.selectors}
        if karpenter.namespace not in selected:
            raise InvalidArgument(
                f"{key}.fargate",
                f"no cluster.fargateProfiles selector picks namespace {karpenter.namespace!r}; "
                "add one, or run Karpenter on a node group",
            )
        return
    groups = [
        name
        for name, group in cluster.node_groups.items()
        if all(group.labels.get(k) == v for k, v in karpenter.node_selector.items())
    ]
    if not groups:
        raise InvalidArgument(
            f"{key}.nodeSelector",
            f"{karpenter.node_selector} matches no cluster.nodeGroups labels; Karpenter would "
            "have nowhere to run (it never runs on the nodes it launches)",
        )


def _check_demo_in_scope(demo: DemoArgs, eso: ExternalSecretsArgs, ns: str) -> None:
    """The demo's secret and parameter must lie where the operator may read, or it never syncs."""
    secret = demo_mod.demo_secret_name(demo)
    if not any(secret.startswith(p) for p in eso.secret_prefixes):
        raise InvalidArgument(
            f"{ns}:externalSecrets.secretPrefixes",
            f"the demo secret {secret!r} is under none of {eso.secret_prefixes}; add "
            f"{secret.rsplit('/', 1)[0]}/",
        )
    path = demo.parameter_path
    if not any(path == p or path.startswith(p + "/") for p in eso.parameter_paths):
        raise InvalidArgument(
            f"{ns}:externalSecrets.parameterPaths",
            f"the demo parameter path {path!r} is under none of {eso.parameter_paths}; add it",
        )


def _check_host_in_zones(host: str, zones: list[HostedZone], key: str) -> None:
    """The sample app's host must lie in a zone ExternalDNS manages, or no record gets published."""
    if any(z.domain is None for z in zones):
        return  # a zone given by id alone: its domain is only known at deploy time
    domains = [str(z.domain) for z in zones]
    if not any(host == d or host.endswith("." + d) for d in domains):
        raise InvalidArgument(
            key,
            f"{host!r} is not under any externalDns zone ({', '.join(domains)}); "
            "ExternalDNS would not publish it",
        )


ONLY_IN: dict[str, tuple[str, ...]] = {"demo": ("dev",), "sampleApp": ("dev",)}
"""Keys only some compositions read; set for another environment, they would be ignored."""


def _check_keys_used(ns: str, environment: str, config: pulumi.Config) -> None:
    for key, environments in ONLY_IN.items():
        if config.get(key) is not None and environment not in environments:
            raise InvalidArgument(
                f"{ns}:{key}",
                f"is set, but the {environment} composition (stacks/{environment}.py) does not "
                f"use it (only {', '.join(environments)} does); remove it",
            )


def _check_zones_in_region(network: NetworkArgs, ns: str) -> None:
    region = pulumi.Config("aws").get("region")
    if region is None or not isinstance(network.availability_zones, list):
        return
    for i, zone in enumerate(network.availability_zones):
        if not (zone.startswith(region) and len(zone) == len(region) + 1):
            raise InvalidArgument(
                f"{ns}:network.availabilityZones[{i}]",
                f"{zone!r} is not an availability zone of aws:region {region} "
                f"({region}a, {region}b, ...)",
            )


if __name__ == "__main__":
    print(reference_markdown(), end="")
