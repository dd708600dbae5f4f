"""``ClusterRef``: what the workload roles and controllers need to know about a cluster.

An :class:`~components.cluster.EksCluster` hands one out as ``cluster.ref``. A
cluster created elsewhere (another stack, eksctl, the console) is described by
building one from its name, VPC id, OIDC issuer URL and a Kubernetes provider,
so the same components work on both.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, cast

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from . import validation as v


@dataclass
class ClusterRef:
    """A reference to an EKS cluster for the components that run on it."""

    name: pulumi.Input[str]
    """The EKS cluster name."""
    provider: k8s.Provider
    """A Kubernetes provider for the cluster; every Kubernetes object is created through it."""
    vpc_id: pulumi.Input[str]
    """The cluster's VPC id (the load-balancer controller needs it explicitly)."""
    oidc_issuer_url: pulumi.Input[str]
    """The cluster's OIDC issuer URL, ``https://oidc.eks.<region>.amazonaws.com/id/<id>``."""
    uses_fargate: bool = False
    """True when pods may run on Fargate (no NodePort there: load balancers must target pod IPs)."""
    workload_dependencies: list[pulumi.Resource] = field(default_factory=list)
    """Resources that must exist before pods can run (node groups, Fargate profiles, CoreDNS)."""
    pod_identity_agent: pulumi.Resource | None = None
    """The ``eks-pod-identity-agent`` add-on, when the cluster's owner created it."""
    manage_pod_identity_agent: bool = True
    """Create the Pod Identity agent add-on on first use when ``pod_identity_agent`` is None.
    Set False for a cluster whose agent is installed by someone else."""

    @classmethod
    def existing(
        cls,
        resource_name: str,
        cluster_name: str,
        vpc_id: pulumi.Input[str],
        oidc_issuer_url: pulumi.Input[str],
        uses_fargate: bool = False,
        manage_pod_identity_agent: bool = False,
    ) -> ClusterRef:
        """A reference to a cluster created elsewhere, with a Kubernetes provider for it.

        The provider's kubeconfig is built from ``aws.eks.get_cluster`` (endpoint and CA) and
        authenticates with ``aws eks get-token``, so the deploying identity needs an access entry.
        """
        v.cluster_name(cluster_name, "cluster_name")
        info = aws.eks.get_cluster_output(name=cluster_name)

        def render(values: list) -> str:
            endpoint, authorities = values
            ca = authorities[0]
            return kubeconfig_json(
                cluster_name, endpoint, ca["data"] if isinstance(ca, dict) else ca.data
            )

        kubeconfig: pulumi.Output[str] = pulumi.Output.all(
            info.endpoint, info.certificate_authorities
        ).apply(render)
        # Output.secret's generic signature trips mypy on an Output argument; the value is a str.
        provider = k8s.Provider(
            resource_name, kubeconfig=pulumi.Output.secret(cast(Any, kubeconfig))
        )
        return cls(
            name=cluster_name,
            provider=provider,
            vpc_id=vpc_id,
            oidc_issuer_url=oidc_issuer_url,
            uses_fargate=uses_fargate,
            manage_pod_identity_agent=manage_pod_identity_agent,
        )

    def ensure_pod_identity_agent(self) -> pulumi.Resource | None:
        """The cluster's ``eks-pod-identity-agent`` add-on, created once however many roles ask.

        Returns None when the agent is managed outside this program.
        """
        if self.pod_identity_agent is None and self.manage_pod_identity_agent:
            self.pod_identity_agent = aws.eks.Addon(
                f"{_plain_name(self.name)}-eks-pod-identity-agent",
                cluster_name=self.name,
                addon_name="eks-pod-identity-agent",
                resolve_conflicts_on_create="OVERWRITE",
                resolve_conflicts_on_update="OVERWRITE",
                opts=pulumi.ResourceOptions(depends_on=self.workload_dependencies),
            )
        return self.pod_identity_agent


def kubeconfig_json(cluster_name: str, endpoint: str, certificate_authority_data: str) -> str:
    """A kubeconfig for an EKS cluster that authenticates with ``aws eks get-token``."""
    return json.dumps(
        {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [
                {
                    "name": cluster_name,
                    "cluster": {
                        "server": endpoint,
                        "certificate-authority-data": certificate_authority_data,
                    },
                }
            ],
            "contexts": [
                {"name": cluster_name, "context": {"cluster": cluster_name, "user": cluster_name}}
            ],
            "current-context": cluster_name,
            "users": [
                {
                    "name": cluster_name,
                    "user": {
                        "exec": {
                            "apiVersion": "client.authentication.k8s.io/v1beta1",
                            "command": "aws",
                            "args": [
                                "eks",
                                "get-token",
                                "--cluster-name",
                                cluster_name,
                                "--output",
                                "json",
                            ],
                        }
                    },
                }
            ],
        }
    )


def _plain_name(name: pulumi.Input[str]) -> str:
    if not isinstance(name, str):
        raise ValueError(
            "cluster.name: must be a plain string to name the Pod Identity agent add-on; "
            "pass pod_identity_agent or manage_pod_identity_agent=False"
        )
    return name
