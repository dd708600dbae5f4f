"""Fixtures shared by the tests."""

from __future__ import annotations

import fcntl
import gc
import json
import os
import resource
import shutil
import subprocess
import sys
import sysconfig
import threading
import warnings
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent


HEAP_STEP_KIB = 1 << 20
"""How far (KiB: 1 GiB) a test process's memory may grow between two cyclic collections."""
NEVER_AWAITED = r"coroutine 'Output\.(future|is_known)' was never awaited"
"""What the SDK leaves behind when an Output's part fails (pyproject.toml, filterwarnings)."""


class _Heap:
    """When the next collection is due: resident memory's high-water mark, in KiB."""

    collect_at = HEAP_STEP_KIB


def _max_resident_kib() -> int:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak // 1024 if sys.platform == "darwin" else peak  # bytes there, KiB on Linux


def pytest_configure(config: pytest.Config) -> None:
    """No automatic cyclic garbage collection in a test process. Each synth leaves its Outputs,
    futures and tasks in reference cycles; collecting them as they pile up (every 100,000
    allocations, or every 700 by default) took about 9 s of the workers' 70 s of CPU, whatever
    the threshold, and a whole run leaves only about 600 MB per worker uncollected. Collection
    runs once a process has grown another GiB (:func:`pytest_runtest_logfinish`), so a larger
    suite is bounded, and wherever a test asks for it (``gc.collect()``)."""
    gc.disable()


def pytest_runtest_logfinish() -> None:
    if _max_resident_kib() > _Heap.collect_at:
        with warnings.catch_warnings():  # between tests: pyproject.toml's filters do not apply
            warnings.filterwarnings("ignore", NEVER_AWAITED, RuntimeWarning)
            gc.collect()
        _Heap.collect_at = _max_resident_kib() + HEAP_STEP_KIB


FIRST = (
    "tests/misuse/",
    "tests/test_packaging.py",
    "tests/dynamic/",
    "tests/stacks/test_transitions_destroy.py",
    "tests/addons/test_karpenter_cleanup.py",
    "tests/addons/test_load_balancer_cleanup.py",
    "tests/stacks/test_transitions",
)
"""Tests that start other processes (the wheel's virtualenv, provider hosts, moto) or synth
whole stacks again and again: run first, so that the many short tests fill in around them and
the two workers finish together (a scheduling hint only: every test stays independent)."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        path = item.nodeid
        return next((i for i, prefix in enumerate(FIRST) if path.startswith(prefix)), len(FIRST))

    items.sort(key=rank)  # stable: the order within a rank is the collection's


def pytest_unconfigure(config: pytest.Config) -> None:
    """The process is about to exit: no collection of its heap on the way out (a pytest-xdist
    worker would spend seconds on it while the run waits for the worker to end)."""
    gc.disable()
    gc.freeze()


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


MOTO_SERVER = """
import json, logging, os, sys
from moto.utilities.utils import load_resource
# moto's own AMIs, without the thousands of recent ones per region it would otherwise load into
# every EC2 backend (a second each).
with open(sys.argv[1], "w") as amis:
    json.dump(load_resource("ec2/resources/amis.json"), amis)
os.environ["MOTO_AMIS_PATH"] = sys.argv[1]
from moto.server import ThreadedMotoServer
logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request otherwise
server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
server.start()
print("http://%s:%d" % server.get_host_and_port(), flush=True)
sys.stdin.read()  # until the tests close it, or exit
"""


@pytest.fixture(scope="session")
def moto_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of moto's server, one per test process (its EC2 backend takes a second or two to
    start: it is never emptied, every test works on names of its own).

    In a process of its own: ``moto.mock_aws()``, which other tests use, resets every backend
    of the process it runs in, a server's in that process too (its users, keys and assumed
    roles gone in the middle of the session)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "PYTHONPATH"))}
    directory = tmp_path_factory.mktemp("moto")
    log = directory / "stderr"
    with open(log, "wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-c", MOTO_SERVER, str(directory / "amis.json")],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            env=env,
            text=True,
        )
    assert process.stdout is not None and process.stdin is not None
    url = process.stdout.readline().strip()
    if not url.startswith("http://"):
        process.kill()
        process.wait(timeout=10)
        raise RuntimeError(f"moto's server did not start: {log.read_text()}")
    threading.Thread(target=process.stdout.read, daemon=True).start()  # never a full pipe
    yield url
    process.stdin.close()
    process.kill()
    process.wait(timeout=10)


@pytest.fixture
def moto_env(moto_server: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """This process's AWS SDK on moto's server (``AWS_ENDPOINT_URL``) with test keys, and no
    other AWS setting of the environment; the server's URL. The server is shared: a test
    works on names of its own."""
    for key in [k for k in os.environ if k.startswith("AWS_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    return moto_server


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
def built_wheel(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The library's wheel, built once per run, and a directory it was installed into by
    unpacking it: ``{"wheel": ..., "site": ...}``."""
    built: dict[str, str] = once_per_run(tmp_path_factory, "eks-platform-wheel", _build_wheel)
    return built


@pytest.fixture(scope="session")
def installed(built_wheel: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The python of a fresh virtualenv with the built wheel installed by pip (its dependencies
    come from the test environment), made once per run."""
    install = lambda tmp: _install_wheel(Path(built_wheel["wheel"]), tmp)  # noqa: E731
    return Path(once_per_run(tmp_path_factory, "installed-wheel", install))


@pytest.fixture(scope="session")
def installed_site(built_wheel: dict[str, str]) -> Path:
    """A directory holding only the package installed from the wheel (``eks_platform`` and its
    ``.dist-info``), as ``pip install --no-deps --target`` puts it: what a ``PYTHONPATH``
    names, the dependencies coming from the interpreter."""
    return Path(built_wheel["site"])


def _build_wheel(tmp: Path) -> dict[str, str]:
    import tomllib

    src = tmp / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    shutil.copytree(
        ROOT / "components", src / "components", ignore=shutil.ignore_patterns("__pycache__")
    )
    dist = tmp / "dist"
    # The build backend pyproject.toml names, through its PEP 517 hook: what `pip wheel
    # --no-build-isolation` runs, without pip's own second of start-up and checks.
    backend = tomllib.loads((src / "pyproject.toml").read_text())["build-system"]["build-backend"]
    subprocess.run(
        [
            sys.executable,
            "-c",
            f"import sys, {backend} as backend; backend.build_wheel(sys.argv[1])",
            str(dist),
        ],
        cwd=src,
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = dist.glob("eks_platform-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        assert "eks_platform/py.typed" in names
        assert "eks_platform/synth/__main__.py" in names
        assert "eks_platform/policies/aws-load-balancer-controller-v3.5.0-iam-policy.json" in names
        assert not any(n.startswith(("components/", "tests/", "stacks/")) for n in names), names
        # A pure-Python wheel ("Root-Is-Purelib: true", no .data directory) installs by being
        # unpacked: what `pip install --target` would write, without a second pip run.
        (metadata,) = [n for n in names if n.endswith(".dist-info/WHEEL")]
        assert "Root-Is-Purelib: true" in archive.read(metadata).decode()
        assert not any(".data/" in n for n in names), names
        site = tmp / "site"
        archive.extractall(site)
    assert (site / "eks_platform" / "dynamic" / "by_value.py").exists()
    assert not (site / "components").exists()
    return {"wheel": str(wheel), "site": str(site)}


def _install_wheel(wheel: Path, tmp: Path) -> str:
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    # The dependencies (pulumi, the provider SDKs) come from the test environment.
    Path(purelib, "test-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    # pip of the test environment, installing under the virtualenv's prefix: the same
    # interpreter version, so the same site-packages the virtualenv's own pip would write
    # (checked below), without a second pip started inside it as ``--python`` does.
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-index",
            "--disable-pip-version-check",
            "--prefix",
            str(venv),
            str(wheel),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    assert (Path(purelib) / "eks_platform" / "__init__.py").is_file(), purelib
    return str(python)
