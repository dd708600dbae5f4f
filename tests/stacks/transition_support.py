"""The project's stacks before and after one change, for the transition scenarios.

Each stack is synthed under :func:`~components.synth.transitions.recording_options` (aliases,
``deleteBeforeReplace``, registration order), from its ``Pulumi.<stack>.yaml`` with one edit,
once per test session: :func:`variant` caches by ``(stack, name of the change)``.
:func:`plan` is :func:`~components.synth.transitions.transition` told what the engine learns
from the creator-removal's own ``diff`` (it asks to be replaced when the cluster changes).
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable, Iterable
from typing import Any

from components.cluster.creator_access import REPLACE_ON
from components.synth import load_stack_config, run_program
from components.synth.transitions import Change, Plan, recording_options, transition
from tests.stacks.harness import ROOT

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

_CACHE: dict[tuple[str, str], dict[str, Any]] = {}


def _synth(stack: str, edit: Edit | None) -> dict[str, Any]:
    config, secrets = load_stack_config(ROOT, PROJECT, stack)
    prefix = f"{PROJECT}:"
    short = {
        k.removeprefix(prefix): json.loads(v) if v[:1] in "[{" else v
        for k, v in config.items()
        if k.startswith(prefix)
    }
    if edit is not None:
        edit(short)
    raw = {k: v for k, v in config.items() if not k.startswith(prefix)}
    raw |= {prefix + k: v if isinstance(v, str) else json.dumps(v) for k, v in short.items()}

    def program() -> None:
        from stacks.config import load

        importlib.import_module(f"stacks.{stack}").main(load())

    with recording_options():
        result = run_program(program, PROJECT, stack, raw, secrets)
    return json.loads(json.dumps(result.as_json()))  # as `--json` writes it


def variant(stack: str, name: str = "as checked in", edit: Edit | None = None) -> dict[str, Any]:
    """The document of ``stack`` after ``edit`` (none: as checked in), synthed once per session
    for each ``(stack, name)``."""
    key = (stack, name)
    if key not in _CACHE:
        _CACHE[key] = _synth(stack, edit)
    return _CACHE[key]


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
