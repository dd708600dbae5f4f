"""Offline synth: render any Pulumi program without the Pulumi CLI, plugins or an AWS account.

    python -m eks_platform.synth [--program DIR] [--stack NAME] [--json PATH]
                                 [--stack-outputs ORG/PROJECT/STACK=PATH ...]
    python -m eks_platform.synth diff BASE.json HEAD.json [--markdown] [--exit-code]

(``python -m components.synth`` from a checkout of the repository.)

* :mod:`.runner`: runs the program in-process under the Pulumi SDK's mock engine
  (:func:`synth`, :func:`run_program`); :mod:`.record`: what it records of every
  registration; :mod:`.cli`: the command line; made fast by :mod:`.monitor_calls` (the
  monitor answers in the program's thread) and :mod:`.stack_trace` (the SDK's stack trace
  up to the program's frame, without its per-frame cost);
* as strict as the engine: :mod:`.engine` refuses what it refuses (duplicate URNs,
  unregistered parents, providers, dependencies), :mod:`.transforms` runs transforms as it
  does, :mod:`.stack_refs` holds ``--stack-outputs`` to the stacks the program references;
  :mod:`.errors`: one line for any error (:func:`describe`);
* :mod:`.mocks`: plausible ids, ARNs and remote-component outputs;
* :mod:`.tree`: the resource tree printed to stdout;
* :mod:`.diff`: the structural diff of two ``--json`` documents (no provider SDK needed),
  :mod:`.diff_markdown` (for pull requests), :mod:`.diff_cli` (``synth diff``);
  :mod:`.diff_plan`: what ``pulumi up`` would do, for two documents written with
  ``--record-options`` (:mod:`.transitions`, :mod:`.transition_engine` and
  :mod:`.replacements`: the engine's matching, replacements and delete order);
  :mod:`.input_paths`, :mod:`.policy`, :mod:`.policy_config`: input paths, the policy pack.

The names below are imported lazily, so ``synth diff`` starts without loading the provider
SDKs.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .cli import main
    from .diff import diff_documents
    from .errors import EngineRefusal, SynthError, describe
    from .mocks import PlatformMocks, default_stack_outputs
    from .record import Recorded, SynthResult
    from .runner import load_stack_config, run_program, synth
    from .stack_refs import load_stack_outputs
    from .tree import facts, render_tree

_EXPORTS = {
    "Recorded": "record",
    "SynthError": "errors",
    "EngineRefusal": "errors",
    "describe": "errors",
    "SynthResult": "record",
    "load_stack_config": "runner",
    "load_stack_outputs": "stack_refs",
    "main": "cli",
    "run_program": "runner",
    "synth": "runner",
    "PlatformMocks": "mocks",
    "default_stack_outputs": "mocks",
    "render_tree": "tree",
    "facts": "tree",
    "diff_documents": "diff",
}

__all__ = [
    "EngineRefusal",
    "PlatformMocks",
    "Recorded",
    "SynthError",
    "SynthResult",
    "default_stack_outputs",
    "describe",
    "diff_documents",
    "facts",
    "load_stack_config",
    "load_stack_outputs",
    "main",
    "render_tree",
    "run_program",
    "synth",
]


if not TYPE_CHECKING:  # type checkers see the imports above: a misspelt name is their error

    def __getattr__(name: str) -> Any:
        module = _EXPORTS.get(name)
        if module is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        return getattr(importlib.import_module(f".{module}", __name__), name)
