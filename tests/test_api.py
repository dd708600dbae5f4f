"""The public API as a user meets it: keyword-only args, documented fields, readable help()."""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
import pydoc
import re
import sys
import typing
from pathlib import Path

import pytest

import components
from components.validation.config_reader import describe

MODULES = [
    importlib.import_module(m.name)
    for m in pkgutil.walk_packages(components.__path__, "components.")
    if not m.name.startswith(("components.synth", "components.policies"))
]
ARGS_CLASSES = sorted(
    {
        obj
        for module in MODULES
        for obj in vars(module).values()
        if isinstance(obj, type)
        and dataclasses.is_dataclass(obj)
        and obj.__module__ == module.__name__
        and obj.__name__.endswith(
            ("Args", "Spec", "Settings", "Binding", "Zone", "Taint", "Selector")
        )
        and not obj.__name__.startswith("Resolved")
    },
    key=lambda c: c.__name__,
)


def test_the_args_classes_are_found() -> None:
    names = {c.__name__ for c in ARGS_CLASSES}
    assert {"WorkloadRoleArgs", "EksClusterArgs", "RoleSettings", "NodeGroupSpec"} <= names


@pytest.mark.parametrize("cls", ARGS_CLASSES, ids=lambda c: c.__name__)
def test_args_are_keyword_only_and_every_field_is_documented(cls: type) -> None:
    params = dataclasses.fields(cls)
    assert all(f.kw_only for f in params), f"{cls.__name__} is not keyword-only"
    undocumented = [f.name for f in describe(cls) if not f.doc]
    assert not undocumented, f"{cls.__name__}: fields without a docstring: {undocumented}"
    assert cls.__doc__ and "(required)" not in (cls.__doc__ or "")


@pytest.mark.parametrize("cls", ARGS_CLASSES, ids=lambda c: c.__name__)
def test_a_required_field_has_no_default_and_does_not_take_none(cls: type) -> None:
    # Required means no default: never a "(required)" docstring over a None default.
    assert all("(required)" not in f.doc for f in describe(cls)), cls.__name__
    for f in dataclasses.fields(cls):
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            assert "None" not in re.findall(r"\w+", str(f.type)), (
                f"{cls.__name__}.{f.name}: required, yet typed to accept None ({f.type})"
            )


COMPONENTS = [
    "EksCluster",
    "IrsaRole",
    "PodIdentityRole",
    "OidcTrust",
    "LoadBalancerController",
    "ExternalDns",
    "ExternalSecrets",
    "Karpenter",
    "Network",
    "NodeGroup",
]


@pytest.mark.parametrize("name", COMPONENTS)
def test_help_shows_what_the_component_creates_and_its_args(name: str) -> None:
    cls = getattr(components, name)
    text = pydoc.render_doc(cls, renderer=pydoc.plaintext)  # type: ignore[attr-defined]
    first_line = (cls.__doc__ or "").strip().splitlines()[0]
    assert first_line and first_line in text
    assert "Args" in text
    init_doc = cls.__init__.__doc__ or ""
    assert "ComponentResource" not in init_doc, f"{name}.__init__ shows Pulumi's base docstring"


def _library_types(hint: object) -> set[type]:
    """The classes of this library a type hint names, however nested (``list[Taint]``...)."""
    found: set[type] = set()
    if isinstance(hint, type) and hint.__module__.startswith("components"):
        found.add(hint)
    for arg in typing.get_args(hint):
        found |= _library_types(arg)
    return found


def test_every_type_a_public_args_field_requires_is_exported() -> None:
    public = {getattr(components, n) for n in components.__all__ if n != "permissions"}
    args_classes = [c for c in public if dataclasses.is_dataclass(c) and isinstance(c, type)]
    missing: set[str] = set()
    seen: set[str] = set()
    for cls in args_classes:
        module = sys.modules[cls.__module__]
        namespace = {**vars(typing), **vars(module)}
        for f in dataclasses.fields(cls):
            try:
                hint = eval(f.type, namespace) if isinstance(f.type, str) else f.type
            except NameError:  # a name the module imports only for type checking
                continue
            for needed in _library_types(hint):
                seen.add(needed.__name__)
                if needed not in public and not needed.__name__.startswith("_"):
                    missing.add(f"{cls.__name__}.{f.name}: {needed.__name__}")
    assert {"AccessEntrySpec", "NodeGroupSpec", "RoleSettings", "Taint"} <= seen
    assert not missing, sorted(missing)


def test_the_demo_is_not_platform_api() -> None:
    """0.2 exported it; a program that still imports it learns where it went."""
    assert "SampleApp" not in components.__all__
    for name in ("SampleApp", "SampleAppArgs"):
        said = f"cannot import name '{name}' from 'components': .*stacks/sample_app.py"
        with pytest.raises(ImportError, match=said):
            getattr(components, name)
        with pytest.raises(ImportError, match=said):
            exec(f"from components import {name}", {})


@pytest.mark.parametrize("old", ["IrsaRoleArgs", "PodIdentityRoleArgs"])
def test_a_name_of_0_2_is_the_same_class_with_a_warning_naming_the_new_one(old: str) -> None:
    """A 0.2 program keeps running: the old name is the class, and the warning points at the
    line of the program that used it."""
    with pytest.warns(DeprecationWarning, match=f"{old} is components.WorkloadRoleArgs") as seen:
        cls = getattr(components, old)
    assert cls is components.WorkloadRoleArgs
    assert [w.filename for w in seen] == [__file__]
    assert old not in components.__all__
    namespace: dict[str, object] = {}
    with pytest.warns(DeprecationWarning):
        exec(f"from components import {old}", namespace)
    assert namespace[old] is components.WorkloadRoleArgs


@pytest.mark.parametrize(
    ("name", "closest"),
    [("IrsaRol", "IrsaRole"), ("WorkloadRoleArg", "WorkloadRoleArgs"), ("Nothing", None)],
)
def test_a_misspelt_name_is_refused_with_the_closest_export(name: str, closest: str | None) -> None:
    with pytest.raises(AttributeError) as raised:
        getattr(components, name)
    hint = f" (did you mean '{closest}'?)" if closest else ""
    assert str(raised.value) == f"module 'components' has no attribute '{name}'{hint}"


@pytest.mark.parametrize("package", ["components", "components.synth"])
def test_the_lazy_exports_are_the_names_type_checkers_see(package: str) -> None:
    """The package imports its names on first use (``__getattr__``, hidden from type
    checkers); its ``if TYPE_CHECKING:`` imports are what mypy and pyright see instead. Both,
    and ``__all__``, list the same names from the same modules: a name added to one list only
    would be missing at run time, or to a type checker."""
    import ast

    module = importlib.import_module(package)
    tree = ast.parse(Path(module.__file__ or "").read_text())
    seen: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            for imported in node.body:
                assert isinstance(imported, ast.ImportFrom) and imported.level == 1
                for alias in imported.names:
                    seen[alias.asname or alias.name] = f"{imported.module}.{alias.name}"
    lazy = {name: f"{where}.{name}" for name, where in vars(module)["_EXPORTS"].items()}
    lazy |= {name: where for name, where in vars(module).get("_MODULES", {}).items()}
    assert len(seen) > 10 and seen == lazy
    assert sorted(module.__all__) == sorted(lazy)
