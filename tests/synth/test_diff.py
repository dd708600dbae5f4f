"""Tests for components.synth.diff: the structural diff of two offline synth documents."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from components.synth import diff as synth_diff
from components.synth.diff import (
    MISSING,
    SECRET,
    SynthDocumentError,
    ValueChange,
    diff_documents,
    diff_values,
    render_text,
)
from components.synth.diff_cli import main
from components.synth.diff_markdown import render_markdown

STACK = "dev"
PROJECT = "eks-platform"
CLUSTER = f"urn:pulumi:{STACK}::{PROJECT}::eks-platform:index:EksCluster::dev"
LBC = f"urn:pulumi:{STACK}::{PROJECT}::eks-platform:index:LoadBalancerController::dev-alb"
ROLE = (
    f"urn:pulumi:{STACK}::{PROJECT}::eks-platform:index:LoadBalancerController"
    "$aws:iam/role:Role::dev-alb-controller"
)
BUCKET = f"urn:pulumi:{STACK}::{PROJECT}::aws:s3/bucket:Bucket::dev-logs"
QUEUE = f"urn:pulumi:{STACK}::{PROJECT}::aws:sqs/queue:Queue::dev-interruptions"
ISSUER = "oidc.eks.eu-west-1.amazonaws.com/id/ABC123"
PLAIN_PASSWORD = "hunter2-do-not-print"


def _trust_policy(sub: str, *, aud: bool = True) -> str:
    condition = {f"{ISSUER}:sub": sub}
    if aud:
        condition[f"{ISSUER}:aud"] = "sts.amazonaws.com"
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Federated": f"arn:aws:iam::123456789012:oidc-provider/{ISSUER}"},
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    "Condition": {"StringEquals": condition},
                }
            ],
        }
    )


def _resource(urn: str, type_: str, name: str, **fields: Any) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "urn": urn,
        "type": type_,
        "name": name,
        "parent": None,
        "custom": True,
        "inputs": {},
        "dependencies": [],
        "protect": False,
    }
    resource.update(fields)
    return resource


def _base() -> dict[str, Any]:
    return {
        "project": PROJECT,
        "stack": STACK,
        "resources": [
            _resource(CLUSTER, "eks-platform:index:EksCluster", "dev", custom=False),
            _resource(LBC, "eks-platform:index:LoadBalancerController", "dev-alb", custom=False),
            _resource(
                ROLE,
                "aws:iam/role:Role",
                "dev-alb-controller",
                parent=LBC,
                inputs={
                    "assumeRolePolicy": _trust_policy(
                        "system:serviceaccount:kube-system:aws-load-balancer-controller"
                    ),
                    "name": "dev-alb-controller",
                    "tags": {"Name": "dev-alb-controller", "kubernetes.io/cluster/dev": "owned"},
                },
                dependencies=[CLUSTER],
            ),
            _resource(BUCKET, "aws:s3/bucket:Bucket", "dev-logs", inputs={"bucket": "dev-logs"}),
        ],
        "outputs": {"clusterName": "dev", "kubeconfig": SECRET},
    }


def _head() -> dict[str, Any]:
    head = _base()
    role = head["resources"][2]
    role["inputs"]["assumeRolePolicy"] = _trust_policy(
        "system:serviceaccount:kube-system:alb-controller"
    )
    role["inputs"]["tags"]["Team"] = "platform"
    del role["inputs"]["tags"]["kubernetes.io/cluster/dev"]
    role["protect"] = True
    del head["resources"][3]  # the bucket goes
    head["resources"].append(
        _resource(QUEUE, "aws:sqs/queue:Queue", "dev-interruptions", parent=CLUSTER)
    )
    head["outputs"]["clusterEndpoint"] = "https://ABC123.gr7.eu-west-1.eks.amazonaws.com"
    return head


def _write(path: Path, document: Any) -> str:
    path.write_text(json.dumps(document), encoding="utf-8")
    return str(path)


# --------------------------------------------------------------------------- diff_documents


def test_identical_documents_have_no_changes() -> None:
    diff = diff_documents(_base(), _base())
    assert not diff.has_changes
    assert (diff.added, diff.removed, diff.changed, diff.outputs) == ({}, {}, {}, [])
    assert "no changes" in render_text(diff)
    assert "no changes" in render_markdown(diff)


def test_added_removed_changed_are_keyed_by_urn() -> None:
    diff = diff_documents(_base(), _head())
    assert list(diff.added) == [QUEUE]
    assert list(diff.removed) == [BUCKET]
    assert list(diff.changed) == [ROLE]
    assert diff.added[QUEUE].type == "aws:sqs/queue:Queue"
    assert diff.added[QUEUE].name == "dev-interruptions"
    assert diff.removed[BUCKET].name == "dev-logs"
    role = diff.changed[ROLE]
    assert (role.type, role.name) == ("aws:iam/role:Role", "dev-alb-controller")
    assert role.protect == (False, True)
    assert [o.path for o in diff.outputs] == ["clusterEndpoint"]
    assert diff.outputs[0].kind == "added"


def test_changed_input_paths_with_old_and_new_values() -> None:
    role = diff_documents(_base(), _head()).changed[ROLE]
    by_path = {change.path: change for change in role.inputs}
    assert by_path["tags.Team"] == ValueChange("tags.Team", MISSING, "platform")
    removed = by_path['tags["kubernetes.io/cluster/dev"]']
    assert (removed.kind, removed.old, removed.new) == ("removed", "owned", MISSING)
    assert "name" not in by_path  # unchanged inputs are not listed


def test_json_string_policy_is_diffed_structurally() -> None:
    role = diff_documents(_base(), _head()).changed[ROLE]
    paths = [change.path for change in role.inputs]
    sub_path = f'assumeRolePolicy.Statement[0].Condition.StringEquals["{ISSUER}:sub"]'
    assert sub_path in paths
    (sub,) = [c for c in role.inputs if c.path == sub_path]
    assert sub.old == "system:serviceaccount:kube-system:aws-load-balancer-controller"
    assert sub.new == "system:serviceaccount:kube-system:alb-controller"
    # only the leaf that changed, not the whole document
    assert not any(p == "assumeRolePolicy" for p in paths)


def test_json_string_reformatting_is_not_a_change() -> None:
    policy = json.loads(_trust_policy("system:serviceaccount:a:b"))
    old = {"policy": json.dumps(policy)}
    new = {"policy": json.dumps(policy, indent=2, sort_keys=True)}
    assert old != new
    assert diff_values(old, new) == []


def test_nested_paths_lists_and_dicts() -> None:
    old = {"spec": {"containers": [{"image": "a:1", "args": ["--x"]}], "replicas": 2}}
    new = {"spec": {"containers": [{"image": "a:2", "args": ["--x", "--y"]}, {"image": "b"}]}}
    changes = diff_values(old, new)
    assert [(c.path, c.kind) for c in changes] == [
        ("spec.containers[0].args[1]", "added"),
        ("spec.containers[0].image", "changed"),
        ("spec.containers[1]", "added"),
        ("spec.replicas", "removed"),
    ]


def test_list_indices_are_in_numeric_order() -> None:
    changes = diff_values({"l": list(range(12))}, {"l": [n + 1 for n in range(12)]})
    assert [c.path for c in changes] == [f"l[{n}]" for n in range(12)]


def test_helm_values_json_string_inside_nested_input() -> None:
    old = {"values": json.dumps({"replicaCount": 2, "serviceAccount": {"name": "alb"}})}
    new = {"values": json.dumps({"replicaCount": 3, "serviceAccount": {"name": "alb"}})}
    assert diff_values(old, new) == [ValueChange("values.replicaCount", 2, 3)]


def test_type_changes_and_booleans_are_not_numbers() -> None:
    assert diff_values({"a": True}, {"a": 1}) == [ValueChange("a", True, 1)]
    assert diff_values({"a": 1}, {"a": 1.0}) == []
    assert diff_values({"a": {"b": 1}}, {"a": [1]}) == [ValueChange("a", {"b": 1}, [1])]
    assert diff_values({"a": None}, {"a": "x"}) == [ValueChange("a", None, "x")]


def test_dependencies_and_parent_changes() -> None:
    head = _base()
    head["resources"][2]["dependencies"] = [BUCKET]
    head["resources"][2]["parent"] = CLUSTER
    change = diff_documents(_base(), head).changed[ROLE]
    assert change.dependencies_added == [BUCKET]
    assert change.dependencies_removed == [CLUSTER]
    assert change.parent == (LBC, CLUSTER)
    assert change.inputs == []
    text = render_text(diff_documents(_base(), head))
    assert f"+ dependency: {BUCKET}" in text
    assert f"- dependency: {CLUSTER}" in text
    assert f"~ parent: {LBC} -> {CLUSTER}" in text


def test_a_move_to_another_provider_is_a_change() -> None:
    blue = "urn:pulumi:dev::eks-platform::pulumi:providers:kubernetes::blue-k8s"
    green = "urn:pulumi:dev::eks-platform::pulumi:providers:kubernetes::green-k8s"
    base = _base()
    base["resources"][2]["provider"] = blue
    head = copy.deepcopy(base)
    head["resources"][2]["provider"] = green
    diff = diff_documents(base, head)
    assert diff.changed[ROLE].provider == (blue, green)
    assert diff.changed[ROLE].change_count == 1
    assert f"~ provider: {blue} -> {green}" in render_text(diff)
    assert f"<i>provider</i> | <code>{blue}</code> | <code>{green}</code>" in render_markdown(diff)
    # A document written before the key existed says nothing about providers.
    del base["resources"][2]["provider"]
    assert not diff_documents(base, head).has_changes


def test_dependency_order_alone_is_not_a_change() -> None:
    base = _base()
    base["resources"][2]["dependencies"] = [CLUSTER, LBC]
    head = copy.deepcopy(base)
    head["resources"][2]["dependencies"] = [LBC, CLUSTER]
    assert not diff_documents(base, head).has_changes


def test_missing_optional_fields_default() -> None:
    base = {"resources": [{"urn": BUCKET}]}
    head = {"resources": [{"urn": BUCKET, "protect": True, "inputs": {"bucket": "x"}}]}
    diff = diff_documents(base, head)
    change = diff.changed[BUCKET]
    assert change.protect == (False, True)
    assert (change.type, change.name) == ("aws:s3/bucket:Bucket", "dev-logs")  # from the URN
    assert diff.project == "?" and diff.head_stack == "?"


def test_empty_base_shows_everything_added() -> None:
    empty = {"project": PROJECT, "stack": STACK, "resources": [], "outputs": {}}
    diff = diff_documents(empty, _head())
    assert sorted(diff.added) == sorted(r["urn"] for r in _head()["resources"])
    assert not diff.removed and not diff.changed


# --------------------------------------------------------------------------- secrets


def test_secret_to_secret_is_not_a_change() -> None:
    assert diff_values({"token": SECRET}, {"token": SECRET}) == []


@pytest.mark.parametrize(
    ("old", "new", "note"),
    [
        (PLAIN_PASSWORD, SECRET, "became secret"),
        (SECRET, PLAIN_PASSWORD, "no longer secret"),
        ({"password": PLAIN_PASSWORD}, SECRET, "became secret"),
        (SECRET, [PLAIN_PASSWORD], "no longer secret"),
    ],
)
def test_change_to_or_from_secret_masks_both_sides(old: Any, new: Any, note: str) -> None:
    assert diff_values({"data": old}, {"data": new}) == [ValueChange("data", SECRET, SECRET, note)]


def test_secrets_never_leak_into_any_rendering(tmp_path: Path, capsys: Any) -> None:
    base = _base()
    head = _head()
    base["resources"][2]["inputs"]["password"] = PLAIN_PASSWORD
    head["resources"][2]["inputs"]["password"] = SECRET
    head["resources"][2]["inputs"]["token"] = SECRET  # added secret
    base["outputs"]["adminToken"] = SECRET
    head["outputs"]["adminToken"] = PLAIN_PASSWORD  # output no longer secret
    diff = diff_documents(base, head)
    role = diff.changed[ROLE]
    assert ValueChange("password", SECRET, SECRET, "became secret") in role.inputs
    assert ValueChange("token", MISSING, SECRET) in role.inputs
    assert ValueChange("adminToken", SECRET, SECRET, "no longer secret") in diff.outputs
    for rendered in (render_text(diff), render_markdown(diff), repr(diff)):
        assert PLAIN_PASSWORD not in rendered
        assert "[secret]" in rendered
    base_path, head_path = _write(tmp_path / "b.json", base), _write(tmp_path / "h.json", head)
    assert main([base_path, head_path]) == 0
    assert main([base_path, head_path, "--markdown"]) == 0
    out, err = capsys.readouterr()
    assert PLAIN_PASSWORD not in out + err


# --------------------------------------------------------------------------- stable order


def test_order_is_stable_and_sorted() -> None:
    base, head = _base(), _head()
    shuffled_base, shuffled_head = copy.deepcopy(base), copy.deepcopy(head)
    shuffled_base["resources"].reverse()
    shuffled_head["resources"].reverse()
    # reorder the dict keys as well
    for doc in (shuffled_base, shuffled_head):
        for resource in doc["resources"]:
            resource["inputs"] = dict(reversed(list(resource["inputs"].items())))
    one, two = diff_documents(base, head), diff_documents(shuffled_base, shuffled_head)
    assert render_text(one) == render_text(two)
    assert render_markdown(one) == render_markdown(two)
    assert list(one.changed) == sorted(one.changed)
    paths = [c.path for c in one.changed[ROLE].inputs]
    assert paths == sorted(paths)


def test_many_resources_sorted_by_urn() -> None:
    urns = [f"urn:pulumi:dev::p::aws:s3/bucket:Bucket::b{n}" for n in (3, 1, 2)]
    head = {"resources": [{"urn": u} for u in urns]}
    assert list(diff_documents({}, head).added) == sorted(urns)


# --------------------------------------------------------------------------- rendering


def test_render_text_layout() -> None:
    text = render_text(diff_documents(_base(), _head()))
    lines = text.splitlines()
    assert lines[0] == (
        "Synth diff eks-platform/dev: 1 added, 1 removed, 1 changed, 1 output changed"
    )
    assert "+ aws:sqs/queue:Queue  dev-interruptions" in lines
    assert "- aws:s3/bucket:Bucket  dev-logs" in lines
    assert "~ aws:iam/role:Role  dev-alb-controller" in lines
    assert '    + tags.Team: "platform"' in lines
    assert "    ~ protect: false -> true" in lines
    assert any(
        line.startswith("    ~ assumeRolePolicy.Statement[0].Condition.StringEquals[")
        and line.endswith('"system:serviceaccount:kube-system:alb-controller"')
        for line in lines
    )
    # sections in order: added, removed, changed, outputs
    assert text.index("+ aws:sqs") < text.index("- aws:s3") < text.index("~ aws:iam")
    assert text.index("~ aws:iam") < text.index("Outputs:")


def test_render_markdown_sections_and_table() -> None:
    md = render_markdown(diff_documents(_base(), _head()))
    assert md.startswith(
        "### Synth diff <code>eks-platform/dev</code>: "
        "1 added, 1 removed, 1 changed, 1 output changed\n"
    )
    assert md.index("#### Added (1)") < md.index("#### Removed (1)") < md.index("#### Changed (1)")
    assert "| <code>aws:sqs/queue:Queue</code> | <code>dev-interruptions</code> |" in md
    assert "| <code>aws:s3/bucket:Bucket</code> | <code>dev-logs</code> |" in md
    assert "**<code>aws:iam/role:Role</code> <code>dev-alb-controller</code>**" in md
    assert "| Path | Old | New |" in md
    assert '| <code>tags.Team</code> | <i>absent</i> | <code>"platform"</code> |' in md
    assert "| <i>protect</i> | <code>false</code> | <code>true</code> |" in md
    assert "#### Stack outputs (1)" in md
    # every table row has the same number of cells as its header
    for line in md.splitlines():
        if line.startswith("| <code>") and "Path" not in line:
            assert line.count(" | ") in (1, 2)


def test_markdown_escapes_pipes_and_html() -> None:
    diff = diff_documents(
        {"resources": [{"urn": BUCKET, "inputs": {"a": "x"}}]},
        {"resources": [{"urn": BUCKET, "inputs": {"a": "<b>|</b>"}}]},
    )
    md = render_markdown(diff)
    row = next(line for line in md.splitlines() if line.startswith("| <code>a</code>"))
    assert "&lt;b&gt;&#124;&lt;/b&gt;" in row
    assert row.count("|") == 4  # only the cell separators


def test_long_values_are_truncated() -> None:
    long = "x" * 5000
    diff = diff_documents(
        {"resources": [{"urn": BUCKET, "inputs": {"userData": "short"}}]},
        {"resources": [{"urn": BUCKET, "inputs": {"userData": long}}]},
    )
    text, md = render_text(diff), render_markdown(diff)
    assert long not in text and long not in md
    assert "(5002 chars)" in text and "(5002 chars)" in md
    assert max(len(line) for line in text.splitlines()) < 200


def test_markdown_caps_rows_per_resource() -> None:
    count = synth_diff.MARKDOWN_MAX_PATHS + 7
    diff = diff_documents(
        {"resources": [{"urn": BUCKET, "inputs": {"tags": {}}}]},
        {"resources": [{"urn": BUCKET, "inputs": {"tags": {f"k{n}": "v" for n in range(count)}}}]},
    )
    md = render_markdown(diff)
    assert "… 7 more" in md
    assert md.count("<code>tags.k") == synth_diff.MARKDOWN_MAX_PATHS


# --------------------------------------------------------------------------- main


def test_main_exit_codes(tmp_path: Path, capsys: Any) -> None:
    base = _write(tmp_path / "base.json", _base())
    head = _write(tmp_path / "head.json", _head())
    assert main([base, head]) == 0
    assert main([base, head, "--exit-code"]) == 2
    assert main([base, base, "--exit-code"]) == 0
    out, err = capsys.readouterr()
    assert "1 added, 1 removed" in out and err == ""


def test_main_markdown_and_output_file(tmp_path: Path, capsys: Any) -> None:
    base = _write(tmp_path / "base.json", _base())
    head = _write(tmp_path / "head.json", _head())
    target = tmp_path / "diff.md"
    assert main([base, head, "--markdown", "--output", str(target)]) == 0
    assert capsys.readouterr().out == ""
    assert target.read_text(encoding="utf-8") == render_markdown(diff_documents(_base(), _head()))


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "no such file"),
        ("{not json", "not valid JSON (line 1"),
        ("[]", "expected a JSON object"),
        ('{"resources": {}}', '"resources" must be a list'),
        ('{"resources": [{"type": "x"}]}', 'has no "urn" string'),
        ('{"resources": [{"urn": "u"}, {"urn": "u"}]}', "duplicate urn u"),
        ('{"resources": [{"urn": "u", "inputs": []}]}', '"inputs" must be an object'),
        ('{"resources": [{"urn": "u", "provider": 1}]}', '"provider" must be a URN or null'),
        (b"\xff\xfe", "not UTF-8"),
    ],
)
def test_main_bad_input_is_one_line_and_exit_1(
    tmp_path: Path, capsys: Any, content: str | bytes | None, expected: str
) -> None:
    good = _write(tmp_path / "good.json", _base())
    bad = tmp_path / "bad.json"
    if isinstance(content, bytes):
        bad.write_bytes(content)
    elif content is not None:
        bad.write_text(content, encoding="utf-8")
    for argv in ([good, str(bad)], [str(bad), good]):
        assert main(argv) == 1
        out, err = capsys.readouterr()
        assert out == ""
        assert err.count("\n") == 1, err
        assert err.startswith(f"error: {bad}: ")
        assert expected in err
        assert "Traceback" not in err


def test_main_directory_and_usage_errors(tmp_path: Path, capsys: Any) -> None:
    good = _write(tmp_path / "good.json", _base())
    assert main([good, str(tmp_path)]) == 1
    assert "is a directory" in capsys.readouterr().err
    # a usage error is 1 too: 2 is reserved for "there are changes"
    assert main([good]) == 1
    assert "required" in capsys.readouterr().err
    assert main([good, good, "--bogus"]) == 1


def test_main_help_returns_zero(capsys: Any) -> None:
    assert main(["--help"]) == 0
    assert "--exit-code" in capsys.readouterr().out


def test_diff_documents_rejects_non_documents() -> None:
    with pytest.raises(SynthDocumentError, match="base: resources\\[0\\] must be an object"):
        diff_documents({"resources": ["x"]}, {})
    with pytest.raises(SynthDocumentError, match='head: "outputs" must be an object'):
        diff_documents({}, {"outputs": []})


def test_unknown_and_secret_markers_render_unquoted() -> None:
    diff = diff_documents(
        {"resources": [{"urn": BUCKET, "inputs": {"arn": "arn:aws:s3:::x", "tok": "a"}}]},
        {"resources": [{"urn": BUCKET, "inputs": {"arn": synth_diff.UNKNOWN, "tok": SECRET}}]},
    )
    text = render_text(diff)
    assert '~ arn: "arn:aws:s3:::x" -> [unknown]' in text
    assert "~ tok: [secret] -> [secret] (became secret)" in text
