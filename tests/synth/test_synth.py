"""The offline synth's contract (DESIGN.md): tree, JSON, secrets, dependencies, protect, errors."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from components.synth import main

ROOT = Path(__file__).resolve().parents[2]


def copy_program(tmp_path: Path, stack: str, config_text: str) -> Path:
    """A copy of the project with one stack file, to synth bad or unusual configurations."""
    for name in ("Pulumi.yaml", "__main__.py"):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(
        ROOT / "stacks", tmp_path / "stacks", ignore=shutil.ignore_patterns("__pycache__")
    )
    (tmp_path / f"Pulumi.{stack}.yaml").write_text(config_text)
    return tmp_path


def test_json_follows_the_contract(dev_cli: dict[str, Any]) -> None:
    """The dev stack as `make synth SYNTH_JSON=...` runs it (tests/synth/cli_runs.py)."""
    assert dev_cli["status"] == 0, dev_cli["stderr"]
    tree, written = dev_cli["stdout"], dev_cli["json"]
    assert tree.startswith("eks-platform/dev: ")
    assert "eks:index:Cluster  dev-eks-eks" in tree

    doc = json.loads(written)
    assert doc["project"] == "eks-platform" and doc["stack"] == "dev"
    urns = {r["urn"] for r in doc["resources"]}
    for r in doc["resources"]:
        assert set(r) == {
            "urn",
            "type",
            "name",
            "parent",
            "custom",
            "inputs",
            "dependencies",
            "protect",
            "provider",
        }
        assert r["urn"].startswith("urn:pulumi:dev::eks-platform::")
        assert r["parent"] is None or r["parent"] in urns
        assert r["provider"] is None or r["provider"] in urns
        assert set(r["dependencies"]) <= urns
    assert doc["outputs"]["kubeconfig"] == "[secret]"
    assert doc["outputs"]["clusterName"] == "dev-eks"
    # Secrets in inputs are masked too: the Kubernetes provider's kubeconfig.
    provider = next(r for r in doc["resources"] if r["type"] == "pulumi:providers:kubernetes")
    assert provider["inputs"]["kubeconfig"] == "[secret]"
    assert "get-token" not in written.split('"outputs"')[1]


def test_dependencies_include_those_through_inputs_and_explicit_ones(
    dev_cli: dict[str, Any],
) -> None:
    resources = json.loads(dev_cli["json"])["resources"]
    node_group = next(r for r in resources if r["type"] == "aws:eks/nodeGroup:NodeGroup")
    assert any(
        d.endswith("::dev-eks-system-lt") for d in node_group["dependencies"]
    )  # through inputs
    assert any(d.endswith("::dev-eks-vpc-cni") for d in node_group["dependencies"])  # explicit


def test_protect_is_recorded(prod_cli: dict[str, Any]) -> None:
    assert prod_cli["status"] == 0, prod_cli["stderr"]
    control_plane = next(
        r for r in json.loads(prod_cli["json"])["resources"] if r["type"] == "eks:index:Cluster"
    )
    assert control_plane["protect"] is True


def test_bad_config_is_one_line_and_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = (ROOT / "Pulumi.dev.yaml").read_text().replace("minSize: 1", "minSize: 5")
    program = copy_program(tmp_path, "dev", config)
    assert main(["--program", str(program), "--stack", "dev"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert (
        captured.err
        == "error: eks-platform:cluster.nodeGroups.system.minSize: must be <= desiredSize (5 > 1)\n"
    )


def test_a_personal_stack_picks_its_environment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = (ROOT / "Pulumi.dev.yaml").read_text() + "  eks-platform:environment: dev\n"
    config = config.replace("clusterName: dev-eks", "clusterName: alice-eks")
    program = copy_program(tmp_path, "dev-alice", config)
    assert main(["--program", str(program), "--stack", "dev-alice"]) == 0
    assert "IrsaRole  alice-eks-demo-irsa" in capsys.readouterr().out


def test_an_unknown_environment_names_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    program = copy_program(tmp_path, "qa", (ROOT / "Pulumi.staging.yaml").read_text())
    assert main(["--program", str(program), "--stack", "qa"]) == 1
    assert capsys.readouterr().err.startswith(
        "error: eks-platform:environment: stack 'qa' has no composition"
    )


def test_cli_errors_have_no_traceback() -> None:
    """The real command line, as a user runs it: an unknown stack is one line and exit code 1."""
    proc = subprocess.run(
        [sys.executable, "-m", "components.synth", "--stack", "nope"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert proc.stderr.strip().splitlines() == [
        "error: --stack: Pulumi.nope.yaml not found; stacks here: dev, prod, staging"
    ]


def test_diff_subcommand_is_dispatched(
    tmp_path: Path, dev_cli: dict[str, Any], prod_cli: dict[str, Any]
) -> None:
    base, head = tmp_path / "base.json", tmp_path / "head.json"
    base.write_text(dev_cli["json"])
    head.write_text(prod_cli["json"])
    from components.synth.__main__ import run as entry

    assert entry(["diff", str(base), str(base)]) == 0
    assert entry(["diff", str(base), str(head), "--exit-code"]) == 2


def test_bad_config_ends_the_real_program_with_a_run_error(tmp_path: Path) -> None:
    """Under `pulumi up`, a RunError prints as one error line, not a Python traceback."""
    import pulumi

    from components.synth import synth

    config = (
        (ROOT / "Pulumi.dev.yaml").read_text().replace("capacityType: SPOT", "capacityType: CHEAP")
    )
    program = copy_program(tmp_path, "dev", config)
    with pytest.raises(
        pulumi.RunError, match=r"^eks-platform:cluster.nodeGroups.system.capacityType: 'CHEAP'"
    ):
        synth(program, "dev")
