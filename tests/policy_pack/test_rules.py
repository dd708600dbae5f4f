"""Every rule of the pack on minimal programs an app team would write: each bad program breaks
exactly the rules it is about, each good one breaks none; and how config reaches the rules."""

from __future__ import annotations

import importlib
import re
from typing import Any

import pytest

from components.synth.policy import LoadedPack, evaluate, pack_imports, records
from tests.policy_pack.programs import CASES, Case, web_identity_role
from tests.policy_pack.support import PACK_DIR, ROOT, check, synth, violated


def test_every_rule_has_a_bad_and_a_good_program(pack: LoadedPack) -> None:
    names = [policy.name for policy in pack.policies]
    for name in names:
        assert any(c.rule == name and c.violates for c in CASES), f"no bad program for {name}"
        assert any(c.rule == name and not c.violates for c in CASES), f"no good program for {name}"
    assert {c.rule for c in CASES} <= set(names)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_program(pack: LoadedPack, case: Case) -> None:
    report = check(pack, synth(case.program), case.config)
    lines = "\n".join(v.line() for v in report.violations)
    assert violated(report) == set(case.violates), lines
    assert {v.level for v in report.violations} <= {"mandatory"}, lines
    assert report.warnings == []


def test_every_rule_is_documented_with_its_source(pack: LoadedPack) -> None:
    with pack_imports(PACK_DIR):
        RULES = importlib.import_module("rules").RULES
    assert [r.name for r in RULES] == [p.name for p in pack.policies]
    docs = (ROOT / "docs" / "policy-pack.md").read_text()
    for rule in RULES:
        assert "\n" not in rule.description and len(rule.description) < 130, rule.name
        assert rule.rationale and rule.source and rule.url.startswith("https://"), rule.name
        assert re.search(rf"\| `{re.escape(rule.name)}` \| {rule.level.value} \|", docs), (
            f"docs/policy-pack.md has no row for {rule.name} ({rule.level.value})"
        )
        for key, spec in rule.config.items():
            assert "default" in spec and spec.get("description"), f"{rule.name}.{key}"


def test_messages_say_what_to_fix(pack: LoadedPack) -> None:
    result = synth(lambda: web_identity_role("reader", {}))
    messages = [v.message for v in check(pack, result).violations]
    assert any(":aud is not pinned to sts.amazonaws.com" in m for m in messages), messages
    assert any("every ServiceAccount of the cluster can assume the role" in m for m in messages)


def test_enforcement_levels_come_from_the_config(pack: LoadedPack) -> None:
    result = synth(lambda: web_identity_role("reader", {}))
    advisory = check(pack, result, {"iam-irsa-trust-pinned": "advisory"})
    assert {v.level for v in advisory.violations} == {"advisory"}
    assert advisory.mandatory == []
    assert check(pack, result, {"iam-irsa-trust-pinned": "disabled"}).violations == []
    assert check(pack, result, {"all": "disabled"}).violations == []
    everything_advisory = check(
        pack, result, {"all": "advisory", "iam-irsa-trust-pinned": "mandatory"}
    )
    assert {v.level for v in everything_advisory.violations} == {"mandatory"}
    remediate = check(pack, result, {"iam-irsa-trust-pinned": {"enforcementLevel": "remediate"}})
    assert {v.level for v in remediate.violations} == {"mandatory"}  # as the SDK reports it


def test_an_unknown_value_cannot_be_checked_offline_either(pack: LoadedPack) -> None:
    """A value the synth cannot know (or a secret) reads as unknown: the SDK's advisory
    "can't run" note, as for an unknown during pulumi preview; never a mandatory verdict."""
    result = synth(lambda: web_identity_role("reader", {}))
    (role,) = result.by_type("aws:iam/role:Role")
    role.inputs["assumeRolePolicy"] = "[unknown]"
    report = check(pack, result)
    assert [(v.policy, v.level) for v in report.violations] == [
        ("iam-irsa-trust-pinned", "advisory"),
        ("iam-pod-identity-trust", "advisory"),
    ]
    assert "can't run" in report.violations[0].message
    assert "assumeRolePolicy" in report.violations[0].message


def test_a_remote_component_without_inputs_is_skipped(pack: LoadedPack) -> None:
    """Under the engine pulumi-eks registers eks:index:Cluster without inputs (its child
    aws:eks/cluster:Cluster is checked instead); the cluster rules must not fail it."""
    document: dict[str, Any] = {
        "resources": [
            {
                "urn": "urn:pulumi:test::apps::eks:index:Cluster::platform",
                "type": "eks:index:Cluster",
                "name": "platform",
                "parent": None,
                "custom": False,
                "inputs": {},
                "dependencies": [],
                "protect": False,
                "provider": None,
            }
        ]
    }
    assert evaluate(pack, records(document), {}).violations == []
