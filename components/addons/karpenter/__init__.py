"""``Karpenter``: pending pods become EC2 nodes.

Karpenter watches for pods the scheduler cannot place, picks the cheapest EC2 instances that
fit them (within what a ``NodePool`` allows), launches them and lets them join the cluster;
when nodes are empty or underused it consolidates them away. The component owns everything
that takes, all children of it:

* the controller's IAM permissions: the six managed policies of Karpenter's v1.14
  getting-started CloudFormation template (vendored in :mod:`components.policies`, filled in by :mod:`.iam`), filled in
  with the partition, region, account, cluster, interruption queue and node role, attached to
  the controller's workload role (EKS Pod Identity by default, IRSA as the alternative) for
  the ServiceAccount ``<namespace>/karpenter``;
* the node role the instances run as (worker node, CNI unless the CNI has its own role, ECR
  pull, SSM optional) and its EKS access entry of type ``EC2_LINUX`` (no ``aws-auth``);
  Karpenter creates the instance profile itself from the EC2NodeClass;
* interruption handling: an SQS queue (SSE, 300 s retention, the upstream queue policy with
  its deny of non-TLS access) and the upstream EventBridge rules (Spot interruption warnings,
  rebalance recommendations, instance state changes, AWS Health scheduled changes, capacity
  reservation interruptions), each targeting the queue;
* discovery: the cluster security group tagged ``karpenter.sh/discovery: <cluster>`` (the
  private subnets carry the same tag when the :class:`~components.network.Network` is told
  ``karpenter_discovery``);
* the pinned Helm releases of the chart (``oci://public.ecr.aws/karpenter/karpenter``, the
  controller) and of ``karpenter-crd`` at the same version (the CRDs, so that a new pin
  upgrades them: Helm never upgrades a chart's ``crds/``);
* one ``EC2NodeClass`` (``karpenter.k8s.aws/v1``: AMI alias pinned, IMDSv2 with hop limit 1,
  encrypted gp3 root volume) and the ``NodePool`` objects (``karpenter.sh/v1``) the arguments
  describe, each with CPU and memory limits.

Destroy order is what keeps this safe: the cleanup (:mod:`.cleanup`) depends on the releases,
the EC2NodeClass and the NodePools, which depend on the release, which depends on the node
role, the queue, the access entry and the security group tag. ``pulumi destroy`` runs the
cleanup first: it deletes every NodePool and NodeClaim in the cluster, the teams' too, waits
for Karpenter to drain and terminate their nodes (bounded by the longest
``terminationGracePeriod``), deletes every EC2NodeClass and sweeps the instances left; then go
the stack's NodePools and EC2NodeClass (whose delete timeout exceeds that bound), the
controller, and only then the AWS resources the nodes needed. See ``docs/karpenter.md``.

The package, by role: :mod:`.args` (the arguments and specs, constants), :mod:`.validation`
(its rules; ``validate_settings`` is also what a stack runs on its configuration),
:mod:`.iam` (the upstream documents filled in, the node role, the controller's policies),
:mod:`.interruption` (queue and EventBridge rules), :mod:`.chart` (the values it manages, the
CRD chart), :mod:`.nodepools` (EC2NodeClass, NodePools, the discovery tag), and here the
component, built on :class:`~components.addons.controller.Controller`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from ... import aws_context, naming
from ... import validation as v
from ...identity import iam as roles
from ..controller import Controller
from . import iam, interruption, nodepools
from .args import (
    DEFAULT_AMI_ALIAS,
    DEFAULT_CHART,
    NAMESPACE,
    SERVICE_ACCOUNT,
    DisruptionBudgetSpec,
    KarpenterArgs,
    NodeClassSpec,
    NodePoolSpec,
)
from .chart import MANAGED_VALUES, chart_values, crd_chart, release_values
from .cleanup import KarpenterCleanup, drain_bound
from .validation import validate_cluster, validate_node_class, validate_node_pool, validate_settings

if TYPE_CHECKING:
    from ...identity.cluster_ref import ClusterRef
    from ...identity.iam import RoleSettings

__all__ = [
    "DEFAULT_AMI_ALIAS",
    "DEFAULT_CHART",
    "MANAGED_VALUES",
    "NAMESPACE",
    "DisruptionBudgetSpec",
    "Karpenter",
    "KarpenterArgs",
    "NodeClassSpec",
    "NodePoolSpec",
    "chart_values",
    "validate_node_class",
    "validate_node_pool",
    "validate_settings",
]


class Karpenter(Controller[KarpenterArgs]):
    """Karpenter: controller role and policies, node role, interruption queue, Helm release, NodePools.

    Creates, as children: the six controller IAM policies of the upstream v1.14 template and
    the controller's workload role with the ServiceAccount ``<namespace>/karpenter`` (Pod
    Identity or IRSA); the node role and its ``EC2_LINUX`` access entry; the interruption SQS
    queue, its policy and the EventBridge rules with their targets; the
    ``karpenter.sh/discovery`` tag on the cluster security group; the pinned Helm releases of
    the CRDs (``karpenter-crd``) and of the controller; one ``EC2NodeClass`` and the
    ``NodePool`` objects of ``node_pools``.

    Args: :class:`KarpenterArgs`. The custom resources depend on the release, the release on
    every AWS resource the nodes need, so ``pulumi destroy`` removes Karpenter's nodes while
    the controller still runs. Outputs: ``role_arn``, ``node_role_arn``, ``node_role_name``,
    ``queue_name``, ``queue_arn``, ``release_name``, ``release_status``, ``node_class_name``,
    ``node_pool_names``. Workloads that run on Karpenter's nodes take
    :meth:`workload_options` (``ready``: the release, the EC2NodeClass and the NodePools), so
    that on destroy they go before the NodePools drain the nodes under them.
    """

    KIND = "Karpenter"
    RUN_BY_AUTO_MODE = True
    RULES = staticmethod(validate_settings)
    ARGS = KarpenterArgs
    MANAGED_VALUES = MANAGED_VALUES

    namespace: str  # type: ignore[assignment]  # known here: the argument, not an Output
    """Namespace of the controller."""
    policies: dict[str, aws.iam.Policy]
    """The controller's IAM policies, by upstream logical id (``NodeLifecyclePolicy`` ...)."""
    node_role: aws.iam.Role
    """The role Karpenter's instances run as."""
    node_role_arn: pulumi.Output[str]
    """ARN of the node role."""
    node_role_name: pulumi.Output[str]
    """Name of the node role (the EC2NodeClass's ``spec.role``)."""
    access_entry: aws.eks.AccessEntry
    """The node role's access entry (``EC2_LINUX``): lets the instances join the cluster."""
    queue: aws.sqs.Queue
    """The interruption queue."""
    queue_name: pulumi.Output[str]
    """Name of the interruption queue (``settings.interruptionQueue``)."""
    queue_arn: pulumi.Output[str]
    """ARN of the interruption queue."""
    queue_policy: aws.sqs.QueuePolicy
    """The queue's policy: EventBridge and SQS may send; nothing without TLS."""
    event_rules: dict[str, aws.cloudwatch.EventRule]
    """The EventBridge rules, by upstream logical id (``SpotInterruptionRule`` ...)."""
    event_targets: dict[str, aws.cloudwatch.EventTarget]
    """Each rule's target (the queue), by upstream logical id."""
    security_group_tag: aws.ec2.Tag
    """``karpenter.sh/discovery: <cluster>`` on the cluster security group."""
    crds_release: k8s.helm.v3.Release
    """The Helm release of the CRDs (chart ``karpenter-crd``, same version)."""
    release: k8s.helm.v3.Release
    """The Helm release of the controller (its chart's own CRDs skipped)."""
    release_status: pulumi.Output[str]
    """Status of the Helm release (``deployed`` once the controller runs)."""
    node_class: k8s.apiextensions.CustomResource
    """The EC2NodeClass."""
    node_class_name: str
    """Name of the EC2NodeClass."""
    node_pools: dict[str, k8s.apiextensions.CustomResource]
    """The NodePools by name."""
    node_pool_names: list[str]
    """Names of the NodePools."""
    cleanup: KarpenterCleanup | None
    """Drains every node Karpenter launched before it goes (also in :attr:`cleanups`;
    disarmed when ``cleanup_on_delete`` is false); None without the cluster's kubeconfig."""

    def validate(self, args: KarpenterArgs, cluster: ClusterRef) -> None:
        """What the cluster must offer; the node role's settings with the owner (a boundary
        that is an Output is checked once known)."""
        validate_cluster(args, cluster)
        with v.nested("node_role"):
            self._node_settings: RoleSettings = roles.validate_role_settings(
                args.node_role, self.owner
            )

    def claim(self, name: str, args: KarpenterArgs) -> None:
        """The node role's name and the six policy names, refused if already taken."""
        self._node_role_name = roles.resolve_role_name(
            f"{name}-node", args.node_role, self.owner, self, "node_role"
        )
        self._policy_names = iam.policy_names(name)
        for policy_name in self._policy_names.values():
            naming.claim("policy", policy_name, self.owner, self, "role")

    def build(self, name: str, args: KarpenterArgs) -> Mapping[str, Any]:
        """The nodes' role and access, interruption handling, discovery, the controller's
        permissions and role, the CRD and controller releases, the EC2NodeClass and NodePools."""
        cluster = self.cluster

        # The nodes' role: what the instances run as, and how they join the cluster.
        self.node_role = iam.create_node_role(
            name,
            args,
            self._node_role_name,
            self._node_settings,
            parent=self,
            provider=self.aws_provider,
        )
        self.node_role_arn = self.node_role.arn
        self.node_role_name = self.node_role.name
        self.access_entry = aws.eks.AccessEntry(
            f"{name}-node",
            cluster_name=cluster.name,
            principal_arn=self.node_role.arn,
            type="EC2_LINUX",
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self),
        )

        # Interruption handling: EventBridge -> SQS -> the controller.
        handling = interruption.create_interruption(
            name, cluster.name, args.tags, parent=self, provider=self.aws_provider
        )
        self.queue, self.queue_policy = handling.queue, handling.queue_policy
        self.queue_name, self.queue_arn = handling.queue.name, handling.queue_arn
        self.event_rules, self.event_targets = handling.rules, handling.targets

        # Discovery: the EC2NodeClass selects the security group (and subnets) by tag.
        self.security_group_tag = nodepools.create_discovery_tag(
            name, cluster, self.owner, parent=self
        )

        # The controller's permissions (the vendored upstream documents, filled in) and role.
        self.policies = iam.create_controller_policies(
            name,
            args.role,
            self._policy_names,
            cluster.name,
            self.queue_arn,
            self.node_role.arn,
            parent=self,
            provider=self.aws_provider,
        )
        self.create_role(
            name,
            args,
            namespace=args.namespace,
            service_account=SERVICE_ACCOUNT,
            managed_policy_arns={iam.slug(k): p.arn for k, p in self.policies.items()},
            create_namespace=args.create_namespace,
        )
        self.namespace = args.namespace  # create_role set the ServiceAccount's, an Output

        # The CRDs first, from their own chart, so that a new pin upgrades them (after the
        # namespace, when the workload role creates it: Helm keeps the release there).
        self.crds_release = self.install(
            f"{name}-crd",
            args,
            args.namespace,
            {},
            chart=crd_chart(args.chart),
            depends_on=[self.workload_role],
            standard_dependencies=False,
        )
        # The controller: after everything it and its nodes need; removed before any of it.
        self.release = self.install(
            name,
            args,
            args.namespace,
            release_values(args, cluster.name, self.queue.name),
            depends_on=[
                self.node_role,
                *roles.children_of(self.node_role),
                self.access_entry,
                self.queue,
                self.queue_policy,
                *self.event_rules.values(),
                *self.event_targets.values(),
                self.security_group_tag,
                self.crds_release,
            ],
            skip_crds=True,
        )
        self.release_name = self.release.name.apply(lambda n: n or "")
        self.release_status = self.release.status.apply(lambda s: (s.status or "") if s else "")

        # The custom resources wait for the controller. On destroy the NodePools go first, then
        # the node class, whose finalizer holds until Karpenter has terminated every node that
        # used it; only then the controller.
        # The node class's delete waits for the longest drain the NodePools allow.
        drain_seconds = drain_bound([p.termination_grace_period for p in args.node_pools.values()])
        self.node_class_name = args.node_class.name
        self.node_class = nodepools.create_node_class(
            name,
            args.node_class,
            self.node_role.name,
            cluster.name,
            self.after(self.release),
            delete_timeout=f"{(drain_seconds + 15 * 60) // 60}m",
        )
        self.node_pools = nodepools.create_node_pools(
            name, args.node_pools, args.node_class.name, self.after(self.release, self.node_class)
        )
        self.node_pool_names = list(args.node_pools)
        self.ready = [self.release, self.node_class, *self.node_pools.values()]
        self.cleanup = self._cleanup(name, args, drain_seconds)
        return {
            "roleArn": self.role_arn,
            "nodeRoleArn": self.node_role_arn,
            "nodeRoleName": self.node_role_name,
            "queueName": self.queue_name,
            "queueArn": self.queue_arn,
            "releaseName": self.release_name,
            "releaseStatus": self.release_status,
            "nodeClassName": self.node_class_name,
            "nodePoolNames": self.node_pool_names,
        }

    def _cleanup(
        self, name: str, args: KarpenterArgs, drain_seconds: int
    ) -> KarpenterCleanup | None:
        """Before the controller, its node class and NodePools go, drain and delete every node
        Karpenter launched in the cluster, the teams' included (:mod:`.cleanup`); added to
        :attr:`cleanups`. With ``cleanup_on_delete`` false the resource stays, disarmed."""
        if self.cluster.kubeconfig is None:
            pulumi.log.warn(
                f"{name}: the cluster reference has no kubeconfig, so nodes of NodePools this "
                "stack does not own are not drained when Karpenter goes",
                resource=self,
            )
            return None
        cleanup = KarpenterCleanup(
            f"{name}-cleanup",
            kubeconfig=self.cluster.kubeconfig,
            cluster_name=self.cluster.name,
            region=aws_context.region(self.aws_provider),
            armed=args.cleanup_on_delete,
            drain_timeout_seconds=drain_seconds,
            opts=pulumi.ResourceOptions(
                parent=self,
                depends_on=[
                    self.release,
                    self.crds_release,
                    self.node_class,
                    *self.node_pools.values(),
                ],
            ),
        )
        self.cleanups.append(cleanup)
        return cleanup
