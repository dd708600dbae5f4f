"""A personal stack, as the README describes it, synths without editing any other key."""

from __future__ import annotations

import json
from pathlib import Path

from components.synth.cli import main

ROOT = Path(__file__).resolve().parents[2]


def test_a_personal_dev_stack_with_its_own_cluster_name_needs_no_other_edit(
    tmp_path: Path,
) -> None:
    for entry in ("Pulumi.yaml", "__main__.py", "components", "stacks"):
        (tmp_path / entry).symlink_to(ROOT / entry)
    dev = (ROOT / "Pulumi.dev.yaml").read_text()
    assert "clusterName: dev-eks" in dev
    personal = dev.replace("config:\n", "config:\n  eks-platform:environment: dev\n", 1).replace(
        "clusterName: dev-eks", "clusterName: alice-eks"
    )
    (tmp_path / "Pulumi.dev-alice.yaml").write_text(personal)
    out = tmp_path / "alice.json"
    assert main(["--program", str(tmp_path), "--stack", "dev-alice", "--json", str(out)]) == 0
    doc = json.loads(out.read_text())
    text = json.dumps(doc)
    assert "dev-eks" not in text  # every name that follows the cluster follows it
    parameters = [r for r in doc["resources"] if r["type"] == "aws:ssm/parameter:Parameter"]
    assert [p["inputs"]["name"] for p in parameters] == ["/alice-eks/demo/greeting"]
