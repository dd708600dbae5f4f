"""Synth many app-team programs quickly, each as ``python -m eks_platform.synth`` would.

Run by the installed wheel's interpreter (a fresh virtualenv), outside the repository:
``python driver.py RUNS.json RESULTS.json``; ``RUNS.json`` is a list of
``{"id", "program", "args"}``.

Each run is a process of its own, forked from this one: the child does what
``python -m eks_platform.synth --program <program> --stack dev <args>`` does
(``eks_platform.synth.__main__.run``, then ``os._exit`` with its status), with its file
descriptors 1 and 2 going to files. Nothing (state, garbage, the warnings already shown) passes
from one run to another, and the imports are paid once: this process imports the library
first, with the modules of the SDKs the programs name (``k8s.core.v1.Namespace``: the provider
SDKs load their modules on first use), and after each run, what that run imported, so that
later children find them loaded as they would after their own imports (and no two children
running at once pay for the same module).
What differs from a fresh process: modules are already imported (so a run is faster, and
allocates less), and every child has this process's hash seed. A mistake the library handles
one way or the other depending on timing or memory layout can behave differently here and under
the command line (run a program with ``python -m eks_platform.synth`` to see it as a user does);
deterministic behaviour is the same (tests/misuse compares some programs both ways). POSIX only
(``os.fork``).

Each result holds the exit status, both streams, the seconds the run took, and the URN of every
resource the Pulumi SDK's mock monitor accepted, in the order accepted (``RegisterResource``,
``ReadResource``: the synth runs the program under that monitor), or None if the child died
before writing them.

This file imports nothing of the repository: it is copied next to the programs.
"""

from __future__ import annotations

import ast
import gc
import importlib
import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import eks_platform
from eks_platform.synth.__main__ import run as synth_main
from pulumi.runtime import mocks

PARALLEL = max(1, min(8, os.cpu_count() or 1))
"""Children running at once."""

_lock = threading.Lock()
_registered: list[str] = []


def _recording(method: Any) -> Any:
    """Wrap a mock-monitor method: note the URN of each registration it accepts."""

    def wrapper(self: Any, request: Any) -> Any:
        response = method(self, request)
        if request.type != "pulumi:pulumi:Stack":
            with _lock:
                _registered.append(response.urn)
        return response

    return wrapper


def _try_import(load: Any) -> None:
    """``load()``; if it fails, forget the library's modules it added, as if it had not been
    tried: a failed import leaves the submodules it had loaded behind, which a program that
    meets the same failure in a fresh process would not find. (Other packages it loaded stay:
    they loaded completely, and some, such as the provider SDKs, cannot load twice.)"""
    before = set(sys.modules)
    try:
        load()
    except Exception:
        for name in set(sys.modules) - before:
            if name.partition(".")[0] != eks_platform.__name__:
                continue
            del sys.modules[name]
            parent, _, child = name.rpartition(".")
            if parent in sys.modules and child in vars(sys.modules[parent]):
                delattr(sys.modules[parent], child)


def _preload() -> None:
    """What the runs need: the synth's command line and the library's exports (one that does
    not import is left to fail in the runs that use it, as it would)."""
    importlib.import_module("eks_platform.synth.cli")
    for name in eks_platform.__all__:
        _try_import(lambda name=name: getattr(eks_platform, name))
    _try_import(lambda: importlib.import_module("eks_platform.addons.external_secrets"))


def _named_modules(source: str) -> set[str]:
    """The modules a program names through a package it imports: for
    ``import pulumi_kubernetes as k8s`` and ``k8s.core.v1.Namespace(...)``,
    ``pulumi_kubernetes.core`` and ``pulumi_kubernetes.core.v1`` (candidates: a name that is
    not a module fails to import, and is skipped; a program that does not parse names none)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    packages: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                top = alias.name.partition(".")[0]
                packages[alias.asname or top] = alias.name if alias.asname else top
    named: set[str] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute):
            continue
        chain: list[str] = []
        value: ast.expr = node
        while isinstance(value, ast.Attribute):
            chain.insert(0, value.attr)
            value = value.value
        if isinstance(value, ast.Name) and value.id in packages:
            parts = [packages[value.id], *chain]
            named.update(".".join(parts[:end]) for end in range(2, len(parts)))
    return named


def _preload_named(programs: list[str]) -> None:
    """Import the modules the programs name (:func:`_named_modules`)."""
    named: set[str] = set()
    for program in programs:
        main = Path(program, "__main__.py")
        if main.is_file():
            named |= _named_modules(main.read_text())
    for name in sorted(named):
        if name not in sys.modules:
            _try_import(lambda name=name: importlib.import_module(name))


def _child(run: dict[str, Any], out: Path) -> None:
    """In the forked child: the synth's command line; never returns."""
    code = 70  # EX_SOFTWARE: the child failed before the synth returned
    try:
        for fd, name in ((1, "stdout"), (2, "stderr")):
            target = os.open(out / name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
            os.dup2(target, fd)
            os.close(target)
        loaded = set(sys.modules)
        mocks.MockMonitor.RegisterResource = _recording(mocks.MockMonitor.RegisterResource)  # type: ignore[method-assign]
        mocks.MockMonitor.ReadResource = _recording(mocks.MockMonitor.ReadResource)  # type: ignore[method-assign]
        try:
            code = synth_main(["--program", run["program"], "--stack", "dev", *run["args"]])
        except SystemExit as exit:  # argparse refusing the arguments, as the command line
            code = exit.code if isinstance(exit.code, int) else 1
        sys.stdout.flush()
        sys.stderr.flush()
        with _lock:
            (out / "registered").write_text(json.dumps(_registered))
        imported = {
            name: getattr(module, "__file__", None)
            for name, module in list(sys.modules.items())
            if name not in loaded
        }
        (out / "imported").write_text(json.dumps(imported))
    finally:
        os._exit(code)


def _import_like(out: Path, programs: list[str]) -> None:
    """Import what a finished child imported, except the programs' own modules."""
    path = out / "imported"
    if not path.exists():
        return
    for name, file in json.loads(path.read_text()).items():
        if name in sys.modules or name == "__main__":
            continue
        if file and any(file.startswith(p) for p in programs):
            continue
        _try_import(lambda name=name: importlib.import_module(name))


def run_all(runs: list[dict[str, Any]]) -> dict[str, Any]:
    _preload()
    programs = sorted({str(Path(r["program"]).resolve()) + os.sep for r in runs})
    _preload_named(programs)
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        pending = list(runs)
        running: dict[int, tuple[dict[str, Any], Path, float]] = {}
        while pending or running:
            while pending and len(running) < PARALLEL:
                run = pending.pop(0)
                out = Path(tempfile.mkdtemp(dir=tmp))
                sys.stdout.flush()
                sys.stderr.flush()
                gc.freeze()  # a collection in the child leaves what it inherited alone (no copy)
                pid = os.fork()
                if pid == 0:
                    _child(run, out)
                running[pid] = (run, out, time.perf_counter())
            pid, wait_status = os.wait()
            run, out, started = running.pop(pid)
            seconds = time.perf_counter() - started
            registered = out / "registered"
            results[run["id"]] = {
                "status": os.waitstatus_to_exitcode(wait_status),
                "stdout": (out / "stdout").read_text(),
                "stderr": (out / "stderr").read_text(),
                "registered": json.loads(registered.read_text()) if registered.exists() else None,
                "seconds": round(seconds, 3),
            }
            _import_like(out, programs)
    return results


if __name__ == "__main__":
    runs_path, results_path = sys.argv[1:]
    results = run_all(json.loads(Path(runs_path).read_text()))
    Path(results_path).write_text(json.dumps(results, indent=1) + "\n")
