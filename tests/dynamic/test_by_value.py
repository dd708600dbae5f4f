"""The dynamic providers are stored by value: no module path of this library is in the state.

``pulumi.dynamic.dynamic.serialize_provider`` is what the SDK writes under ``__provider``; the
provider host loads it with ``dill.loads``. The pickle's only global must be one every Python
has (``builtins.eval``), and it must load in a process that can import neither ``components``
nor ``eks_platform``.
"""

from __future__ import annotations

import base64
import json
import pickletools
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import dill
import pytest
from pulumi.dynamic import ResourceProvider
from pulumi.dynamic.dynamic import serialize_provider

from components.addons.karpenter.cleanup import _Provider as KarpenterProvider
from components.addons.load_balancer_controller.cleanup import _Provider as LoadBalancerProvider
from components.cluster.creator_access import _Provider as CreatorProvider
from components.dynamic.by_value import BundleError, bundle

PROVIDERS = [LoadBalancerProvider, KarpenterProvider, CreatorProvider]
OURS = ("components", "eks_platform")


def globals_of(serialized: str) -> list[str]:
    """``module.name`` of every GLOBAL / STACK_GLOBAL in a pickle (the strings pushed before a
    STACK_GLOBAL are its module and name)."""
    found: list[str] = []
    strings: list[str] = []
    for op, arg, _ in pickletools.genops(base64.b64decode(serialized)):
        if op.name == "GLOBAL":
            found.append(str(arg).replace(" ", "."))
        elif op.name == "STACK_GLOBAL":
            found.append(".".join(strings[-2:]))
        elif "UNICODE" in op.name:
            strings.append(str(arg))
    return found


@pytest.mark.parametrize("provider", PROVIDERS, ids=lambda p: p.__module__)
def test_the_pickle_names_no_module_of_this_library(provider: type) -> None:
    serialized = serialize_provider(provider())
    assert globals_of(serialized) == ["builtins.eval"]
    assert not any(g.startswith(OURS) for g in globals_of(serialized))
    # Deterministic: an unchanged program shows no diff on __provider.
    assert serialized == serialize_provider(provider())


LOAD_ELSEWHERE = """
import base64, importlib.util, json, sys, traceback
import dill
from pulumi.dynamic import ResourceProvider
assert importlib.util.find_spec("components") is None
assert importlib.util.find_spec("eks_platform") is None
found = {}
for name in sys.argv[1:]:
    try:
        provider = dill.loads(base64.b64decode(open(name + ".b64").read()))
        assert isinstance(provider, ResourceProvider), type(provider)
        assert callable(provider.delete) and callable(provider.configure)
        ours = sorted(m for m in sys.modules if m.split(".")[0] in ("components", "eks_platform"))
        assert not ours, ours
        found[name] = [type(provider).__qualname__, type(provider).__module__]
    except Exception:
        found[name] = traceback.format_exc()
print(json.dumps(found))
"""


@pytest.fixture(scope="module")
def loaded_elsewhere(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Each provider's pickle loaded in a process that can import neither ``components`` nor
    ``eks_platform`` (one process for all: each pickle is its own package, named after its
    content, so none can lean on what another loaded): by module, ``[qualname, module]`` of
    the loaded class, or the traceback."""
    directory = tmp_path_factory.mktemp("by-value")
    for provider in PROVIDERS:
        (directory / f"{provider.__module__}.b64").write_text(serialize_provider(provider()))
    proc = subprocess.run(
        [sys.executable, "-c", LOAD_ELSEWHERE, *(p.__module__ for p in PROVIDERS)],
        cwd=directory,
        env={"PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    found: dict[str, Any] = json.loads(proc.stdout.splitlines()[-1])
    return found


@pytest.mark.parametrize("provider", PROVIDERS, ids=lambda p: p.__module__)
def test_it_loads_where_neither_components_nor_eks_platform_can_be_imported(
    provider: type, loaded_elsewhere: dict[str, Any]
) -> None:
    loaded = loaded_elsewhere[provider.__module__]
    assert isinstance(loaded, list), loaded  # else the traceback
    qualname, module = loaded
    assert qualname == "_Provider"
    assert module.startswith("_eks_platform_dynamic_")
    assert module.endswith(provider.__module__.removeprefix("components."))


def test_in_the_same_process_it_loads_as_its_own_package() -> None:
    loaded = dill.loads(base64.b64decode(serialize_provider(LoadBalancerProvider())))
    assert isinstance(loaded, ResourceProvider)
    assert type(loaded) is not LoadBalancerProvider  # rebuilt from the source, not imported
    assert getattr(type(loaded), "KIND", None) == LoadBalancerProvider.KIND


def test_the_bundle_is_the_provider_module_and_what_it_imports_relatively() -> None:
    modules = [m for m, _ in bundle(LoadBalancerProvider)["modules"]]
    assert modules[-1] == "addons.load_balancer_controller.cleanup"
    assert set(modules[:-1]) == {
        "dynamic.aws",
        "dynamic.by_value",
        "dynamic.kube",
        "dynamic.provider",
    }
    # Not the package's __init__ modules: nothing of the program side is run in the host.
    assert "addons.load_balancer_controller" not in modules


def _fake_module(tmp_path: Path, name: str, source: str, monkeypatch: pytest.MonkeyPatch) -> type:
    """A provider class in a module ``components.<name>`` written to ``tmp_path``."""
    import importlib.util

    path = tmp_path / f"{name}.py"
    path.write_text(textwrap.dedent(source))
    spec = importlib.util.spec_from_file_location(f"components.{name}", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    module.__package__ = "components"
    monkeypatch.setitem(sys.modules, spec.name, module)
    spec.loader.exec_module(module)
    return module.P


@pytest.mark.parametrize(
    ("source", "refused"),
    [
        (
            """
            from components.dynamic.provider import AwsProvider
            class P(AwsProvider):
                pass
            """,
            "line 2: imports components.dynamic.provider (use a relative import)",
        ),
        (
            """
            from .dynamic.provider import AwsProvider
            class P(AwsProvider):
                def create(self, props):
                    from . import naming
            """,
            "line 5: a relative import inside a function or class",
        ),
    ],
)
def test_a_module_the_host_could_not_load_is_refused_when_pickled(
    tmp_path: Path, source: str, refused: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = f"bad_{len(refused)}"
    provider = _fake_module(tmp_path, name, source, monkeypatch)
    with pytest.raises(BundleError, match=re.escape(f"components.{name} {refused}")):
        serialize_provider(provider())
