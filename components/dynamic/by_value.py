"""A dynamic provider pickled as its source code, so that the state does not name a module path.

Pulumi stores each dynamic resource's provider in the state (``__provider``: ``dill`` of the
provider object, base64) and the provider host loads it again for every later ``preview``,
``up``, ``refresh`` and ``destroy`` (``pulumi/dynamic/__main__.py``). Pickled the ordinary way,
the provider is a reference, ``<module path>.<class>``: the host must import that module, so a
moved or renamed module, a stack that moves between the repository layout (``components``) and
the installed package (``eks_platform``), or a library version without the class breaks every
later ``refresh`` and ``destroy`` with ``ModuleNotFoundError``.

:class:`ByValue` pickles a provider as the *source text* of the modules it runs instead, with a
loader, through the one global every Python has: ``builtins.eval``. Loading it in the host:

1. ``eval`` runs :data:`LOADER` (source text too), which creates an empty package named after
   the bundle's content (``_eks_platform_dynamic_<sha256 prefix>``) and its sub-packages;
2. it compiles and runs each module's source as ``<that package>.<module's relative path>``,
   dependencies first, so the modules' relative imports between themselves resolve to one
   another (``from ...dynamic.aws import session``); the packages' ``__init__`` modules are
   not run;
3. it instantiates the provider class.

What the bundle may use, checked when the provider is pickled (at ``pulumi up``): the standard
library, installed third-party packages (``pulumi``, ``boto3``, ``kubernetes``), and other
modules of this package reached by *relative* imports at module level, which obey the same rule
(an import under ``if TYPE_CHECKING:`` is never run and may name anything). An absolute import
of ``components`` or ``eks_platform``, or a relative import inside a function, is refused with
the module and line.

Why source rather than ``dill``'s by-value pickling of classes and functions (what it does for
objects it cannot import: ``dill._dill.save_type``/``save_function`` when ``_locate_function``
fails): that pickles code objects, whose bytecode is specific to one Python minor version, so a
state written by a runner on 3.11 could not be destroyed by one on 3.12. Source is compiled by
the host's Python. The limits: the state holds the code of the last ``create``/``update`` (a
library upgrade shows as an update of each dynamic resource, which records the new code, and
``destroy`` runs the recorded code); the third-party packages must be installed where the host
runs (they are: the program's own dependencies); and the code must not rely on module identity
across bundles (each bundle is its own package).
"""

from __future__ import annotations

import ast
import builtins
import hashlib
import importlib.util
import sys
from pathlib import Path
from typing import Any

LOADER = """\
def _load(root, modules, target):
    import linecache
    import sys
    import types

    def package(name):
        if name not in sys.modules:
            module = types.ModuleType(name)
            module.__path__ = []
            sys.modules[name] = module
            parent, _, child = name.rpartition(".")
            if parent:
                setattr(package(parent), child, module)
        return sys.modules[name]

    package(root)
    for relative, source in modules:
        name = root + "." + relative
        if name in sys.modules:
            continue
        parent, _, child = name.rpartition(".")
        module = types.ModuleType(name)
        module.__package__ = parent
        module.__file__ = filename = "<" + name + ">"
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        sys.modules[name] = module
        setattr(package(parent), child, module)
        try:
            exec(compile(source, filename, "exec", dont_inherit=True), module.__dict__)
        except BaseException:
            del sys.modules[name]
            raise
    module_name, _, class_name = target.rpartition(":")
    return getattr(sys.modules[root + "." + module_name], class_name)()
"""
"""What the pickle runs first (source text): defines ``_load(root, modules, target)``."""

EXPRESSION = "exec(loader) or _load(root, modules, target)"
"""The expression ``builtins.eval`` evaluates when the pickle loads; its globals are the
bundle: ``loader``, ``root``, ``modules`` (``[relative module, source]`` pairs in load order),
``target`` (``<relative module>:<class>``)."""

PACKAGES = ("components", "eks_platform")
"""This library's names (the repository's and the installed one): never imported by a bundle."""


class BundleError(Exception):
    """A provider's module imports what the provider host may not have; names module and line."""


def _source(module_name: str) -> tuple[str, str]:
    """(module name, source) of an imported module of this package."""
    module = sys.modules.get(module_name)
    path = getattr(module, "__file__", None)
    if module is None or path is None:
        raise BundleError(f"{module_name} is not imported (or has no source file)")
    return module_name, Path(path).read_text(encoding="utf-8")


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(module_name: str, source: str) -> list[str]:
    """The package modules ``module_name`` imports relatively at module level; refuses what a
    bundle cannot hold."""
    package = module_name.rpartition(".")[0]
    tree = ast.parse(source)
    found: list[str] = []
    top_level = {id(node) for node in tree.body}
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and _is_type_checking(node):
            skipped.update(id(n) for n in ast.walk(node) if n is not node)
    for node in ast.walk(tree):
        if id(node) in skipped or not isinstance(node, ast.Import | ast.ImportFrom):
            continue
        where = f"{module_name} line {node.lineno}"
        if isinstance(node, ast.Import) or not node.level:
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module]
            for name in names:
                if (name or "").split(".")[0] in PACKAGES:
                    raise BundleError(f"{where}: imports {name} (use a relative import)")
            continue
        if id(node) not in top_level:
            raise BundleError(f"{where}: a relative import inside a function or class")
        base = importlib.util.resolve_name("." * node.level + (node.module or ""), package)
        for alias in node.names:
            candidate = f"{base}.{alias.name}"
            found.append(candidate if candidate in sys.modules else base)
    return found


def bundle(cls: type) -> dict[str, Any]:
    """The globals of :data:`EXPRESSION` that rebuild ``cls()``: its module and every module it
    imports relatively, transitively, dependencies first."""
    root, _, _ = cls.__module__.partition(".")
    ordered: list[tuple[str, str]] = []
    seen: set[str] = set()

    def visit(module_name: str, chain: tuple[str, ...]) -> None:
        if module_name in seen:
            return
        if module_name in chain:
            raise BundleError("import cycle: " + " -> ".join((*chain, module_name)))
        name, source = _source(module_name)
        for dependency in _imports(name, source):
            visit(dependency, (*chain, module_name))
        seen.add(module_name)
        ordered.append((name.removeprefix(f"{root}."), source))

    visit(cls.__module__, ())
    digest = hashlib.sha256(repr(ordered).encode()).hexdigest()[:16]
    module = cls.__module__.removeprefix(f"{root}.")
    return {
        "loader": LOADER,
        "root": f"_eks_platform_dynamic_{digest}",
        "modules": [list(pair) for pair in ordered],
        "target": f"{module}:{cls.__qualname__}",
    }


_BUNDLES: dict[type, dict[str, Any]] = {}


class ByValue:
    """Mixin of a dynamic provider: pickled as :func:`bundle` of its class (see the module).

    The provider is rebuilt with no arguments: whatever it needs comes from the resource's
    inputs and from ``configure`` (the stack's configuration), never from pickled state.
    """

    def __reduce__(self) -> tuple[Any, tuple[str, dict[str, Any]]]:
        cls = type(self)
        if cls not in _BUNDLES:
            _BUNDLES[cls] = bundle(cls)
        return builtins.eval, (EXPRESSION, dict(_BUNDLES[cls]))
