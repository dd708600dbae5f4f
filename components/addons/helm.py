"""Pinned Helm releases for the controllers.

Charts are installed as ``kubernetes.helm.v3.Release`` (a real Helm release, rendered
in the cluster), not rendered client-side: charts such as the AWS Load Balancer
Controller's generate a webhook certificate at render time, which a client-side
render would show as a change on every preview.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from .. import naming
from .. import validation as v

RELEASE_NAME_MAX = 53
"""Helm's limit on a release name (it becomes part of object names and labels)."""
_SEMVER = re.compile(r"^\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$")


@dataclass(frozen=True, kw_only=True)
class ChartSpec:
    """Where a chart comes from, pinned to one version."""

    chart: str
    """Chart name in the repository."""
    repository: str
    """Helm repository URL."""
    version: str
    """Exact chart version (``major.minor.patch``)."""

    def validate(self, field_name: str) -> None:
        """Refuse a version range or a missing repository."""
        v.require(
            bool(_SEMVER.match(self.version)),
            f"{field_name}.version",
            f"{self.version!r} is not an exact chart version (e.g. 1.2.3)",
        )
        v.require(
            self.repository.startswith(("https://", "oci://")),
            f"{field_name}.repository",
            f"{self.repository!r} is not an https:// or oci:// repository",
        )


def validate_chart(chart: Any, field_name: str = "chart") -> None:
    """A :class:`ChartSpec` pinned to an exact version from an https:// or oci:// repository."""
    v.require(
        isinstance(chart, ChartSpec),
        field_name,
        "must be a ChartSpec (chart, repository, version)",
    )
    chart.validate(field_name)


def release_name(name: str) -> str:
    """The Helm release name for component ``name``: a DNS-1123 label of at most 53 characters.

    The component name as it is when it fits; otherwise lower-cased, other characters
    replaced by ``-`` and shortened deterministically (:func:`naming.shorten`), so a valid
    component or cluster name never makes a controller refuse.
    """
    label = re.sub(r"[^a-z0-9-]+", "-", name.lower()).strip("-") or "release"
    return naming.shorten(label, RELEASE_NAME_MAX).strip("-")


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """``override`` merged into a copy of ``base``: mappings merge key by key, anything else replaces."""
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def release(
    name: str,
    chart: ChartSpec,
    namespace: str,
    values: pulumi.Input[dict[str, Any]],
    opts: pulumi.ResourceOptions,
    create_namespace: bool = False,
    skip_crds: bool = False,
) -> k8s.helm.v3.Release:
    """A Helm release of ``chart`` that waits for its workloads and rolls back on failure.

    An ``oci://`` repository is given to Helm as the chart reference
    (``oci://<registry>/<path>/<chart>``), the way Helm pulls OCI charts.
    """
    oci = chart.repository.startswith("oci://")
    return k8s.helm.v3.Release(
        name,
        name=name,
        chart=f"{chart.repository.rstrip('/')}/{chart.chart}" if oci else chart.chart,
        version=chart.version,
        repository_opts=None if oci else k8s.helm.v3.RepositoryOptsArgs(repo=chart.repository),
        namespace=namespace,
        create_namespace=create_namespace,
        skip_crds=skip_crds or None,
        values=values,
        atomic=True,
        cleanup_on_fail=True,
        timeout=600,
        opts=opts,
    )


_MISSING = object()

ManagedValues = Mapping[tuple[str, ...], str]
"""Chart value paths a component sets itself, each with what sets it (``"the argument
replicas"``): users set those through that, never through ``values``."""


def validate_values(values: Any, managed: ManagedValues, field_name: str = "values") -> None:
    """Extra chart values: a mapping that sets none of the ``managed`` paths.

    The one rule of every controller: a key the component sets cannot be overridden by user
    values (which would silently undo it), and the error names the argument to use instead.
    """
    v.require(isinstance(values, Mapping), field_name, "must be a mapping of chart values")
    for path, instead in managed.items():
        node: Any = values
        for key in path:
            node = node.get(key, _MISSING) if isinstance(node, Mapping) else _MISSING
        v.require(
            node is _MISSING,
            f"{field_name}.{'.'.join(path)}",
            f"is set by {instead}; do not set it in values",
        )
