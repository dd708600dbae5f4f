"""``ClusterRef``: what the workload roles and controllers need to know about a cluster.

An :class:`~components.cluster.EksCluster` hands one out as ``cluster.ref``. A
cluster created elsewhere (another stack, eksctl, the console) is described by
building one from its name, VPC id, OIDC issuer URL and a Kubernetes provider,
so the same components work on both.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s


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


def _plain_name(name: pulumi.Input[str]) -> str:
    if not isinstance(name, str):
        raise ValueError(
            "cluster.name: must be a plain string to name the Pod Identity agent add-on; "
            "pass pod_identity_agent or manage_pod_identity_agent=False"
        )
    return name
