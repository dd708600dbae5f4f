"""What one program run remembers, kept on the run's root stack resource and gone with it.

Some checks and lookups hold state for one run of a Pulumi program: the IAM names and the
Kubernetes objects components claim (:mod:`.naming`), the partition, region and account
looked up per AWS provider (:mod:`.aws_context`), the policies made for each role
(:mod:`.identity.iam`), the add-ons a component installs through a child
(:mod:`.cluster.managed_addon`). :func:`registry` keeps each on the run's root resource: a
process that runs several programs (the Automation API, a test suite) starts each run empty
and frees a run's resources with it. (A module-level ``WeakKeyDictionary`` keyed by the root
would keep every run alive: its values reference the run's resources, which reference the
root.) Outside a program run (no root resource) the state is the module's own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import pulumi

T = TypeVar("T")

_ATTRIBUTE = "_eks_platform_run_state"
_OUTSIDE: dict[str, Any] = {}


def in_a_run() -> bool:
    """Whether a program run is under way (its root stack resource exists)."""
    return pulumi.runtime.get_root_resource() is not None


def registry(name: str, new: Callable[[], T]) -> T:
    """The current run's state called ``name``, made with ``new()`` on first use."""
    root = pulumi.runtime.get_root_resource()
    state: dict[str, Any] = _OUTSIDE if root is None else vars(root).setdefault(_ATTRIBUTE, {})
    if name not in state:
        state[name] = new()
    found: T = state[name]
    return found
