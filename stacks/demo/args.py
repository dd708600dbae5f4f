"""``eks-platform:demo``: the demo's settings, its rules, and the names it gives AWS values.

Every name follows one path, ``/<clusterName>/demo`` unless ``parameterPath`` says otherwise,
so two stacks in one account (``dev`` and a personal ``dev-alice``) never share a parameter
or a secret: the SSM parameter ``<path>/greeting``, the Secrets Manager secret
``<path>/db`` (without the leading ``/``), and the External Secrets scope that reads them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from components import ExternalSecretsArgs, permissions
from components import validation as v


@dataclass(kw_only=True)
class DemoArgs:
    """``eks-platform:demo``: the demo workloads' settings."""

    namespace: str = "demo"
    """Namespace of the demo ServiceAccounts (created)."""
    parameter_path: str | None = None
    """SSM parameter path the demo roles may read; the demo's parameter and secret live under
    it. Default: ``/<clusterName>/demo``, which no other stack uses."""


def validate_settings(args: DemoArgs) -> None:
    """Check DemoArgs; raises InvalidArgument naming the field."""
    v.dns_label(args.namespace, "namespace", "namespace")
    if args.parameter_path is not None:
        permissions.parameter_path(args.parameter_path, "parameter_path")


def for_cluster(args: DemoArgs, cluster_name: str) -> DemoArgs:
    """``args`` with the path the demo's names follow: ``/<clusterName>/demo`` unless given."""
    return dataclasses.replace(args, parameter_path=args.parameter_path or f"/{cluster_name}/demo")


def parameter_path(args: DemoArgs) -> str:
    """The SSM path of the demo (``/dev-eks/demo``); the roles may read below it."""
    assert args.parameter_path is not None, "the stack configuration sets it (for_cluster)"
    return args.parameter_path


def parameter_name(args: DemoArgs) -> str:
    """The demo's SSM parameter: ``<path>/greeting``."""
    return f"{parameter_path(args)}/greeting"


def secret_prefix(args: DemoArgs) -> str:
    """The Secrets Manager name prefix of the demo: the path without the leading ``/``."""
    return f"{parameter_path(args).lstrip('/')}/"


def secret_name(args: DemoArgs) -> str:
    """The demo's Secrets Manager secret: ``<prefix>db`` (``dev-eks/demo/db``)."""
    return f"{secret_prefix(args)}db"


def with_demo_scope(eso: ExternalSecretsArgs, args: DemoArgs) -> ExternalSecretsArgs:
    """External Secrets' settings with what the demo syncs added where not covered already:
    its secret prefix, its parameter path and (when the stores are limited to some
    namespaces) its namespace. Without them the demo's Secret would never sync."""
    prefix, path = secret_prefix(args), parameter_path(args)
    prefixes = list(eso.secret_prefixes)
    if not any(prefix.startswith(p) for p in prefixes):
        prefixes.append(prefix)
    paths = list(eso.parameter_paths)
    if not any(path == p or path.startswith(p + "/") for p in paths):
        paths.append(path)
    namespaces = list(eso.store_namespaces)  # empty: every namespace
    if namespaces and args.namespace not in namespaces:
        namespaces.append(args.namespace)
    return dataclasses.replace(
        eso, secret_prefixes=prefixes, parameter_paths=paths, store_namespaces=namespaces
    )
