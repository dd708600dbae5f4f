"""A referenced stack's outputs in the offline synth: each with its own secrecy, and an output the
stack lacks refused in one line, however the program names it."""

from __future__ import annotations

import pulumi
import pytest

from components.synth import SynthResult, run_program
from components.synth.diff import SECRET
from components.synth.errors import MissingStackOutput
from components.synth.mocks import SECRET_MARK

STACK = "acme/eks-platform/dev"
OUTPUTS = {
    "clusterName": "dev-eks",
    "kubeconfig": SECRET_MARK,
    "oidcIssuerUrl": "https://oidc.example",
}


def _run(*names: str, get: bool = False, as_outputs: bool = False) -> SynthResult:
    """A program exporting each of ``names`` of the referenced stack (``as_outputs``: each name
    given as an Output)."""

    def program() -> None:
        ref = pulumi.StackReference("platform", stack_name=STACK)
        for i, name in enumerate(names):
            key = pulumi.Output.from_input(name) if as_outputs else name
            pulumi.export(str(i), ref.get_output(key) if get else ref.require_output(key))

    return run_program(program, "app", "dev", stack_outputs={STACK: dict(OUTPUTS)})


def test_each_output_keeps_its_own_secrecy() -> None:
    names = ("clusterName", "kubeconfig", "oidcIssuerUrl")
    expected = {"0": "dev-eks", "1": SECRET, "2": "https://oidc.example"}
    assert _run(*names).outputs == expected
    assert _run(*names, as_outputs=True).outputs == expected
    assert _run(*names, get=True).outputs == expected


@pytest.mark.parametrize("as_outputs", [False, True], ids=["str", "Output"])
def test_a_required_output_the_stack_lacks_is_one_line(as_outputs: bool) -> None:
    with pytest.raises(MissingStackOutput) as refused:
        _run("clusterName", "vpcId", as_outputs=as_outputs)
    assert str(refused.value) == (
        f"stack '{STACK}' has no output 'vpcId' (in the outputs given for it; it has: "
        "clusterName, kubeconfig, oidcIssuerUrl)"
    )
    assert _run("vpcId", get=True).outputs == {"0": None}
