"""``synth diff`` of two documents written with ``--record-options`` also says what
``pulumi up`` would do: what a reviewer of a pull request cannot read from changed inputs."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from components.synth.cli import main as synth_main
from components.synth.diff_cli import main as diff_main
from components.synth.diff_plan import TITLE
from tests.stacks.transition_support import variant

ROOT = Path(__file__).resolve().parents[2]
OPTIONS = ("aliases", "deleteBeforeReplace", "replaceOnChanges", "ignoreChanges", "sequence")


def _instance_types(config: dict[str, Any]) -> None:
    config["cluster"]["nodeGroups"]["general"]["instanceTypes"] = ["m7i.large"]


def _diff(
    tmp_path: Path, base: dict[str, Any], head: dict[str, Any], *flags: str
) -> tuple[int, str]:
    (tmp_path / "base.json").write_text(json.dumps(base))
    (tmp_path / "head.json").write_text(json.dumps(head))
    out = tmp_path / "diff.txt"
    status = diff_main(
        [str(tmp_path / "base.json"), str(tmp_path / "head.json"), *flags, "--output", str(out)]
    )
    return status, out.read_text()


def test_a_replacement_is_named_with_its_cause_and_order(tmp_path: Path) -> None:
    base = variant("staging")
    head = variant("staging", "instance types", _instance_types)
    status, text = _diff(tmp_path, base, head)
    assert status == 0
    assert '~ instanceTypes[0]: "m6i.large" -> "m7i.large"' in text  # the diff, as before
    plan = text.split(TITLE, 1)[1]
    assert plan.startswith(": 0 to create, 0 to update, 1 to replace, 0 to delete, 0 moved")
    assert (
        "  aws:eks/nodeGroup:NodeGroup  staging-eks-general: replace (create first): "
        "instanceTypes\n" in plan
    )
    assert "  deletes run last, in this order:\n    1. aws:eks/nodeGroup:NodeGroup  " in plan

    _, markdown = _diff(tmp_path, base, head, "--markdown")
    assert f"#### {TITLE}" in markdown
    assert (
        "| <code>aws:eks/nodeGroup:NodeGroup</code> | <code>staging-eks-general</code> | "
        "replace (create first): instanceTypes |  |" in markdown
    )


def test_a_move_by_alias_is_a_move_not_a_delete_and_a_create(tmp_path: Path) -> None:
    """0.3's VPC CNI role, from what 0.2 registered (tests/stacks/test_upgrade_from_0_2.py)."""
    with gzip.open(ROOT / "tests/fixtures/state-0.2/staging.synth.json.gz", "rt") as f:
        base = json.load(f)
    _, text = _diff(tmp_path, base, variant("staging"))
    assert "- aws:iam/role:Role  staging-eks-vpc-cni" in text  # the diff matches by URN only
    plan = text.split(TITLE, 1)[1]
    old = "urn:pulumi:staging::eks-platform::eks-platform:index:EksCluster$aws:iam/role:Role::"
    assert f"  aws:iam/role:Role  staging-eks-vpc-cni: move from {old}staging-eks-vpc-cni\n" in plan
    assert " 1 to delete, 2 moved by alias," in plan


def test_no_plan_when_pulumi_up_would_do_nothing(tmp_path: Path) -> None:
    _, text = _diff(tmp_path, variant("staging"), variant("staging"))
    assert text.startswith("Synth diff eks-platform/staging: no changes") and TITLE not in text


def test_without_recorded_options_the_diff_is_as_before(tmp_path: Path) -> None:
    snapshot = json.loads((ROOT / "tests/snapshots/staging.json").read_text())
    assert not any(key in r for r in snapshot["resources"] for key in OPTIONS)
    _, text = _diff(tmp_path, snapshot, variant("staging"))
    assert TITLE not in text


@pytest.mark.parametrize("record", [True, False])
def test_the_command_line_records_the_options_only_when_asked(
    tmp_path: Path, eks_platform: Path, capsys: pytest.CaptureFixture[str], record: bool
) -> None:
    out = tmp_path / "doc.json"
    args = ["--program", str(ROOT / "examples" / "existing-cluster"), "--stack", "example"]
    assert synth_main([*args, "--json", str(out), *(["--record-options"] if record else [])]) == 0
    capsys.readouterr()
    resources = json.loads(out.read_text())["resources"]
    with_options = [all(key in r for key in OPTIONS) for r in resources]
    without = [not any(key in r for key in OPTIONS) for r in resources]
    assert resources and all(with_options if record else without)


def test_recording_options_without_a_document_is_refused(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exit_:
        synth_main(["--stack", "dev", "--record-options"])
    assert exit_.value.code == 2
    assert "--record-options records into the --json document" in capsys.readouterr().err
