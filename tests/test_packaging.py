"""`pip install` of the repository gives another program the components and their policy data."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHECK = """
import components, components.load_balancer_controller, components.external_dns, components.irsa
from components import EksCluster, IrsaRole, LoadBalancerController
from components.policies import load_balancer_controller_policy
assert components.__file__.startswith({site!r}), components.__file__
assert len(load_balancer_controller_policy("aws-cn")["Statement"]) == 16
print("ok")
"""


def test_wheel_carries_the_components_and_policies_and_imports_from_outside(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    shutil.copytree(
        ROOT / "components", src / "components", ignore=shutil.ignore_patterns("__pycache__")
    )
    dist = tmp_path / "dist"
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
    assert "components/policies/aws-load-balancer-controller-v3.5.0-iam-policy.json" in names
    assert "components/synth.py" in names
    assert not any(n.startswith(("tests/", "stacks/")) for n in names)

    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site)}
    proc = subprocess.run(
        [sys.executable, "-c", CHECK.format(site=str(site))],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"
