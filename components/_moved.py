"""Module paths of earlier versions, still importable.

Two kinds of reference outlive a release: a Pulumi state pickles each dynamic provider by its
module path (``components.load_balancer_cleanup._Provider`` in 0.2), and ``refresh`` and
``destroy`` import that path again; and user programs import the modules the docs named
(``eks_platform.permissions``). Each old path maps to the module that holds the code now, so
both keep working after a move.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
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
