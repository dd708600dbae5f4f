"""Module paths and names of earlier versions: still importable, or refused with what to do.

Three kinds of reference outlive a release: a Pulumi state pickles each dynamic provider by its
module path (``components.load_balancer_cleanup._Provider`` in 0.2), and ``refresh`` and
``destroy`` import that path again; user programs import the modules the docs named
(``eks_platform.permissions``); and they import the names the package exported
(``eks_platform.IrsaRoleArgs`` in 0.2). Each old path maps to the module that holds the code
now, so both keep working after a move; an old name of a class that has one name now still
resolves, with a warning naming the new one (:data:`RENAMED`); a name the package no longer
exports is refused with where it went (:data:`REMOVED`). docs/upgrading.md lists them.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import warnings
from types import ModuleType
from typing import Any

MOVED: dict[str, str] = {
    # 0.2 -> 0.3: one folder per concept.
    "cluster_access": "cluster.access",
    "load_balancer_cleanup": "addons.load_balancer_controller.cleanup",
    "permissions": "identity.permissions",
    "external_secrets": "addons.external_secrets",
}
"""Old module (relative to the package) -> where it lives now."""

RENAMED: dict[str, str] = {
    # 0.2 -> 0.3: one name for the arguments of IrsaRole and PodIdentityRole.
    "IrsaRoleArgs": "WorkloadRoleArgs",
    "PodIdentityRoleArgs": "WorkloadRoleArgs",
}
"""Old exported name -> the one name of the same class now (a DeprecationWarning on use)."""

_DEMO = (
    "the dev stacks' demo moved out of the package in 0.3: it is stacks/sample_app.py in the "
    "eks-platform repository, an example to copy"
)
REMOVED: dict[str, str] = {
    # 0.2 -> 0.3: the dev stacks' demo is an example in the repository, not platform API.
    "SampleApp": _DEMO,
    "SampleAppArgs": _DEMO,
}
"""Old exported name the package no longer has -> where it went."""


def old_name(package: str, name: str) -> Any:
    """The new name's value for an old name of :data:`RENAMED` (warning the caller's caller,
    the program that used it); for a name of :data:`REMOVED`, an ImportError saying where it
    went (an AttributeError would not reach the program: ``from package import name`` replaces
    it with its own message); for any other, AttributeError naming the closest export."""
    if name in RENAMED:
        new = RENAMED[name]
        warnings.warn(
            f"{package}.{name} is {package}.{new} since 0.3 (the same class, one name): "
            f"import {new} instead",
            DeprecationWarning,
            stacklevel=3,
        )
        return getattr(sys.modules[package], new)
    if name in REMOVED:
        raise ImportError(f"cannot import name {name!r} from {package!r}: {REMOVED[name]}")
    import difflib  # only on this error path: not paid by every import of the package

    exported = getattr(sys.modules[package], "__all__", [])
    close = difflib.get_close_matches(name, [*exported, *RENAMED], n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise AttributeError(f"module {package!r} has no attribute {name!r}{hint}")


class _Alias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds ``<package>.<old>`` and hands out the module it moved to."""

    def __init__(self, package: str) -> None:
        self.package = package

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        old = fullname.removeprefix(f"{self.package}.")
        if old == fullname or old not in MOVED:
            return None
        return importlib.machinery.ModuleSpec(fullname, self)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        old = spec.name.removeprefix(f"{self.package}.")
        return importlib.import_module(f"{self.package}.{MOVED[old]}")

    def exec_module(self, module: ModuleType) -> None:
        """Nothing to run: the module was imported under its own name."""


def install(package: str) -> None:
    """Make the old paths of ``package`` (``components`` or ``eks_platform``) importable."""
    if not any(isinstance(f, _Alias) and f.package == package for f in sys.meta_path):
        sys.meta_path.append(_Alias(package))
