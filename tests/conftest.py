"""Fixtures shared by the tests."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def eks_platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """``import eks_platform`` works, as for a user who installed the distribution.

    The examples are other teams' programs: they import the installed name, never the
    repository's ``components``. A link named ``eks_platform`` to ``components/`` stands in
    for the installed package (``tests/test_packaging.py`` installs the real wheel).
    """
    site = tmp_path_factory.mktemp("site")
    (site / "eks_platform").symlink_to(ROOT / "components", target_is_directory=True)
    sys.path.insert(0, str(site))
    yield site
    sys.path.remove(str(site))


def once_per_run(
    tmp_path_factory: pytest.TempPathFactory, name: str, produce: Callable[[Path], Any]
) -> Any:
    """``produce(directory)`` once per test run, even with pytest-xdist (whose workers each
    run session fixtures): the first worker to ask runs it under a lock, the others wait and
    read its result (JSON) from the run's shared temporary directory."""
    if os.environ.get("PYTEST_XDIST_WORKER") is None:
        return produce(tmp_path_factory.mktemp(name))
    shared = tmp_path_factory.getbasetemp().parent  # one per run, shared by its workers
    done = shared / f"{name}.json"
    with open(shared / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if done.exists():
            return json.loads(done.read_text())
        directory = shared / name
        shutil.rmtree(directory, ignore_errors=True)  # a worker that failed before
        directory.mkdir()
        result = produce(directory)
        done.write_text(json.dumps(result))
        return result


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The python of a fresh virtualenv with the built wheel installed (its dependencies come
    from the test environment), built once per run."""
    return Path(once_per_run(tmp_path_factory, "installed-wheel", _install_wheel))


def _install_wheel(tmp: Path) -> str:
    src = tmp / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    shutil.copytree(
        ROOT / "components", src / "components", ignore=shutil.ignore_patterns("__pycache__")
    )
    dist = tmp / "dist"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(dist),
            str(src),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = dist.glob("eks_platform-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "eks_platform/py.typed" in names
    assert "eks_platform/synth/__main__.py" in names
    assert "eks_platform/policies/aws-load-balancer-controller-v3.5.0-iam-policy.json" in names
    assert not any(n.startswith(("components/", "tests/", "stacks/")) for n in names), names

    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    # The dependencies (pulumi, the provider SDKs) come from the test environment.
    Path(site, "test-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--quiet",
            "--no-deps",
            str(wheel),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return str(python)
