"""The project's stacks before and after one change, for the transition scenarios.

Each stack is synthed under :func:`~components.synth.transitions.recording_options` (aliases,
``deleteBeforeReplace``, registration order), from its ``Pulumi.<stack>.yaml`` with one edit,
once per test session: :func:`variant` caches by ``(stack, name of the change)``.
:func:`plan` is :func:`~components.synth.transitions.transition` told what the engine learns
from the creator-removal's own ``diff`` (it asks to be replaced when the cluster changes).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from components.cluster.creator_access import REPLACE_ON
from components.synth.transitions import Change, Plan, transition
from tests.stacks import synths

PROJECT = "eks-platform"
DYNAMIC = "pulumi-python:dynamic:Resource"
RELEASE = "kubernetes:helm.sh/v3:Release"
INGRESS_CLASS = "kubernetes:networking.k8s.io/v1:IngressClass"
INGRESS_CLASS_PARAMS = "kubernetes:elbv2.k8s.aws/v1beta1:IngressClassParams"
ROLE = "aws:iam/role:Role"
ACCESS_ENTRY = "aws:eks/accessEntry:AccessEntry"
ASSOCIATION = "aws:eks/accessPolicyAssociation:AccessPolicyAssociation"
POD_IDENTITY = "aws:eks/podIdentityAssociation:PodIdentityAssociation"
K8S_PROVIDER = "pulumi:providers:kubernetes"
NODE_POOL = "kubernetes:karpenter.sh/v1:NodePool"
NODE_CLASS = "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass"

Edit = Callable[[dict[str, Any]], None]
"""Changes the stack's ``eks-platform:`` keys, by short name (``cluster``, ``karpenter``)."""


def _short(edit: Edit) -> synths.Edit:
    """``edit`` on the configuration as the stack file keys it (``eks-platform:cluster``)."""
    prefix = f"{PROJECT}:"

    def on_full(config: dict[str, Any]) -> None:
        short = {k.removeprefix(prefix): v for k, v in config.items() if k.startswith(prefix)}
        edit(short)
        for key in [k for k in config if k.startswith(prefix)]:  # the others keep their place
            if key.removeprefix(prefix) not in short:
                del config[key]
        config.update({prefix + k: v for k, v in short.items()})

    return on_full


def variant(stack: str, name: str = "as checked in", edit: Edit | None = None) -> dict[str, Any]:
    """The document of ``stack`` after ``edit`` (none: as checked in), as ``--json`` writes it,
    synthed once per process for each configuration (:func:`tests.stacks.synths.document`:
    keyed by the configuration itself, ``name`` is the change's name for the reader).
    Shared: read-only."""
    if edit is None:
        return synths.document(stack)
    assert synths.changes(stack, _short(edit)), f"{name}: changes nothing in Pulumi.{stack}.yaml"
    return synths.document(stack, _short(edit))


def creator_replace_on(*docs: dict[str, Any]) -> dict[str, tuple[str, ...]]:
    """The creator-removal's replace-on-change inputs, by URN (its ``diff`` replaces on them)."""
    return {
        r["urn"]: REPLACE_ON
        for doc in docs
        for r in doc["resources"]
        if r["type"] == DYNAMIC and r["name"].endswith("-creator-access")
    }


def plan(v1: dict[str, Any], v2: dict[str, Any]) -> Plan:
    """What ``pulumi up`` does going from ``v1`` to ``v2``."""
    return transition(v1, v2, replace_on=creator_replace_on(v1, v2))


def subtree(doc: dict[str, Any], type_: str) -> set[str]:
    """The URNs of the one component of ``type_`` in ``doc`` and of everything under it."""
    (root,) = [r["urn"] for r in doc["resources"] if r["type"] == type_]
    parents = {r["urn"]: r["parent"] for r in doc["resources"]}
    found = set()
    for urn in parents:
        node: str | None = urn
        while node is not None and node != root:
            node = parents.get(node)
        if node == root:
            found.add(urn)
    return found


def changed(plan: Plan, *actions: str) -> list[Change]:
    """The changes of ``plan`` with one of ``actions``."""
    return [c for c in plan.changes if c.action in actions]


def named(changes: Iterable[Change]) -> list[tuple[str, str]]:
    """``(type, name)`` of each change, sorted: what an assertion message shows."""
    return sorted((c.type, c.name) for c in changes)


def cleanups(plan: Plan) -> list[Change]:
    """The controllers' cleanup resources in ``plan`` (the load balancer's, Karpenter's)."""
    return [c for c in plan.changes if c.type == DYNAMIC and c.name.endswith("-cleanup")]


def of_type(plan: Plan, type_: str, within: str = "") -> list[Change]:
    """The changes of resources of ``type_`` whose name contains ``within``."""
    return [c for c in plan.changes if c.type == type_ and within in c.name]
