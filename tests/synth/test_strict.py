"""The synth refuses what the engine refuses, and every error is one line (issue 19, points 1-2).

Each refusal is a minimal program in a temporary project directory, run through the command
line in-process: exit status 1, nothing on stdout, exactly one line on stderr with the
engine's meaning and, where known, the user's file and line.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from components.synth import main

URN = "urn:pulumi:dev::strict::"
ROOT = Path(__file__).resolve().parents[2]


def project(tmp_path: Path, body: str) -> Path:
    """A Pulumi project ``strict`` with a dev stack and ``body`` as its ``__main__.py``."""
    (tmp_path / "Pulumi.yaml").write_text("name: strict\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text("config:\n  aws:region: eu-west-1\n")
    (tmp_path / "__main__.py").write_text(textwrap.dedent(body).lstrip())
    return tmp_path


def refused(capsys: pytest.CaptureFixture[str], program: Path, *args: str) -> str:
    """Synth ``program``; it must fail with exactly one line on stderr, which is returned."""
    assert main(["--program", str(program), "--stack", "dev", *args]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    return lines[0]


def test_two_resources_with_one_urn_are_refused_naming_both_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    program = project(
        tmp_path,
        """
        import pulumi_kubernetes as k8s

        k8s.core.v1.ConfigMap("cm", data={"a": "1"})
        k8s.core.v1.ConfigMap("cm", data={"a": "2"})
        """,
    )
    main_py = program / "__main__.py"
    assert refused(capsys, program) == (
        f"error: {main_py}:4: Duplicate resource URN '{URN}kubernetes:core/v1:ConfigMap::cm'; "
        f"try giving it a unique name (also registered at {main_py}:3)"
    )


COMPONENTS = """
import pulumi
import pulumi_kubernetes as k8s


class Box(pulumi.ComponentResource):
    def __init__(self, name, kind="my:index:Box", opts=None, twice=False):
        super().__init__(kind, name, None, opts)
        k8s.core.v1.ConfigMap("cm", data={}, opts=pulumi.ResourceOptions(parent=self))
        if twice:
            k8s.core.v1.ConfigMap("cm", data={}, opts=pulumi.ResourceOptions(parent=self))


"""


def test_a_duplicate_under_nested_components_has_the_engines_urn(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    program = project(
        tmp_path,
        COMPONENTS
        + """
outer = pulumi.ComponentResource("my:index:Outer", "outer")
Box("inner", opts=pulumi.ResourceOptions(parent=outer), twice=True)
""",
    )
    main_py = program / "__main__.py"
    assert refused(capsys, program) == (
        f"error: {main_py}:10: Duplicate resource URN "
        f"'{URN}my:index:Outer$my:index:Box$kubernetes:core/v1:ConfigMap::cm'; "
        f"try giving it a unique name (also registered at {main_py}:8)"
    )


def test_two_components_with_one_name_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    program = project(tmp_path, COMPONENTS + 'Box("a")\nBox("a")\n')
    main_py = program / "__main__.py"
    assert refused(capsys, program) == (
        f"error: {main_py}:14: Duplicate resource URN '{URN}my:index:Box::a'; "
        f"try giving it a unique name (also registered at {main_py}:13)"
    )


def test_children_of_two_components_of_one_type_need_distinct_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A child's URN carries its parent's type, not its parent's name (so components name
    their children after themselves)."""
    program = project(tmp_path, COMPONENTS + 'Box("a")\nBox("b")\n')
    main_py = program / "__main__.py"
    assert refused(capsys, program) == (
        f"error: {main_py}:8: Duplicate resource URN "
        f"'{URN}my:index:Box$kubernetes:core/v1:ConfigMap::cm'; "
        f"try giving it a unique name (also registered at {main_py}:8)"
    )


def test_one_name_under_parents_of_different_types_is_not_a_duplicate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    program = project(tmp_path, COMPONENTS + 'Box("a")\nBox("b", kind="my:index:Bag")\n')
    assert main(["--program", str(program), "--stack", "dev"]) == 0, capsys.readouterr().err


@pytest.mark.parametrize(
    ("option", "meaning"),
    [
        (
            "parent=Elsewhere(GONE)",
            f"could not find parent resource {URN}my:index:Gone::gone of "
            f"{URN}my:index:Gone$kubernetes:core/v1:ConfigMap::cm: no resource with that URN is "
            "registered in this program",
        ),
        (
            "provider=pulumi.resource.DependencyProviderResource(GONE_PROVIDER)",
            f"unknown provider '{URN}pulumi:providers:kubernetes::gone::0b5e' for "
            f"{URN}kubernetes:core/v1:ConfigMap::cm: no provider with that URN is registered",
        ),
        (
            "depends_on=[pulumi.resource.DependencyResource(GONE)]",
            f"resource {URN}kubernetes:core/v1:ConfigMap::cm's dependency "
            f"{URN}my:index:Gone::gone refers to a missing resource",
        ),
    ],
    ids=["parent", "provider", "depends_on"],
)
def test_what_the_program_did_not_register_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str, meaning: str
) -> None:
    program = project(
        tmp_path,
        f"""
        import pulumi
        import pulumi_kubernetes as k8s

        class Elsewhere(pulumi.resource.DependencyResource):  # known by its URN only
            _protect, _providers, _transformations, _childResources = False, {{}}, [], set()

        GONE = "{URN}my:index:Gone::gone"
        GONE_PROVIDER = "{URN}pulumi:providers:kubernetes::gone::0b5e"
        k8s.core.v1.ConfigMap("cm", data={{}}, opts=pulumi.ResourceOptions({option}))
        """,
    )
    line = refused(capsys, program)
    assert line.startswith(f"error: {program / '__main__.py'}:9: {meaning}"), line


def test_an_invalid_argument_inside_an_apply_is_the_librarys_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    program = project(
        tmp_path,
        """
        import pulumi
        import pulumi_aws as aws
        from components import OidcTrust, OidcTrustArgs

        arn = pulumi.Output.from_input("arn:aws:iam::123456789012:role/x")
        trust = OidcTrust("cluster", OidcTrustArgs(provider_arn=arn))
        aws.iam.Role("r", assume_role_policy=trust.provider_arn)
        """,
    )
    assert refused(capsys, program) == (
        "error: OidcTrust 'cluster': provider_arn: 'arn:aws:iam::123456789012:role/x' is not an "
        "IAM OIDC provider ARN (arn:<partition>:iam::<account>:oidc-provider/<issuer host>)"
    )


def test_a_misspelt_args_field_is_one_line_with_a_suggestion(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    program = project(
        tmp_path,
        """
        from components import OidcTrust, OidcTrustArgs

        OidcTrust("t", OidcTrustArgs(provider_ar="arn:aws:iam::123456789012:oidc-provider/x"))
        """,
    )
    assert refused(capsys, program) == (
        f"error: {program / '__main__.py'}:3: OidcTrustArgs: unknown argument 'provider_ar' "
        "(did you mean 'provider_arn'?)"
    )


def test_a_misspelt_resource_argument_names_the_resource(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    program = project(tmp_path, 'import pulumi_aws as aws\n\naws.sqs.Queue("q", delay_secnds=3)\n')
    assert refused(capsys, program) == (
        f"error: {program / '__main__.py'}:3: Queue: unknown argument 'delay_secnds' "
        "(did you mean 'delay_seconds'?)"
    )


def test_an_unknown_keyword_without_a_close_match_lists_the_fields(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    program = project(
        tmp_path,
        """
        import components as platform

        args = platform.OidcTrustArgs(cluster="x")
        """,
    )
    assert refused(capsys, program) == (
        f"error: {program / '__main__.py'}:3: OidcTrustArgs: unknown argument 'cluster' "
        "(it takes: issuer_url, provider_arn, tags)"
    )


def test_any_other_error_is_one_line_and_debug_shows_the_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    program = project(
        tmp_path,
        """
        import pulumi

        settings = {"region": "eu-west-1"}
        pulumi.export("zone", pulumi.Output.from_input(1).apply(lambda _: settings["zone"]))
        """,
    )
    expected = f"error: {program / '__main__.py'}:4: KeyError: 'zone'"
    assert refused(capsys, program) == expected

    assert main(["--program", str(program), "--stack", "dev", "--debug"]) == 1
    err = capsys.readouterr().err
    assert "Traceback (most recent call last):" in err
    assert err.splitlines()[-1] == expected


STACK = "acme/eks-platform/dev"
REFERENCE = f"""
import pulumi

ref = pulumi.StackReference("platform", stack_name="{STACK}")
pulumi.export("issuer", ref.require_output("oidcIssuerUrl"))
"""


def test_stack_outputs_for_a_stack_the_program_does_not_reference_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    program = project(tmp_path, REFERENCE)
    outputs = tmp_path / "prod.json"
    outputs.write_text('{"oidcIssuerUrl": "https://oidc.example"}')
    assert refused(capsys, program, "--stack-outputs", f"acme/eks-platform/prd={outputs}") == (
        f"error: --stack-outputs: the program does not reference stack 'acme/eks-platform/prd' "
        f"(from {outputs}); the stacks it references: {STACK}"
    )


def test_an_output_missing_from_the_stack_outputs_file_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    program = project(tmp_path, REFERENCE)
    outputs = tmp_path / "dev.json"
    outputs.write_text('{"clusterName": "dev-eks", "vpcId": "vpc-1"}')
    assert refused(capsys, program, "--stack-outputs", f"{STACK}={outputs}") == (
        f"error: stack '{STACK}' has no output 'oidcIssuerUrl' "
        f"(in {outputs}; it has: clusterName, vpcId)"
    )
    outputs.write_text('{"oidcIssuerUrl": "https://oidc.example"}')
    assert main(["--program", str(program), "--stack-outputs", f"{STACK}={outputs}"]) == 0
    assert "issuer: https://oidc.example" in capsys.readouterr().out


def test_the_command_line_prints_one_line_for_an_error_inside_an_apply(tmp_path: Path) -> None:
    """As a user runs it: nothing of the unawaited futures a failed program leaves behind."""
    program = project(
        tmp_path,
        """
        import pulumi
        import pulumi_aws as aws
        from components import OidcTrust, OidcTrustArgs

        arn = pulumi.Output.from_input("arn:aws:iam::123456789012:role/x")
        aws.iam.Role("r", assume_role_policy=OidcTrust("c", OidcTrustArgs(provider_arn=arn)).provider_arn)
        """,
    )
    proc = subprocess.run(
        [sys.executable, "-m", "components.synth", "--program", str(program), "--stack", "dev"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (proc.returncode, proc.stdout) == (1, "")
    assert proc.stderr.splitlines() == [
        "error: OidcTrust 'c': provider_arn: 'arn:aws:iam::123456789012:role/x' is not an IAM "
        "OIDC provider ARN (arn:<partition>:iam::<account>:oidc-provider/<issuer host>)"
    ]
