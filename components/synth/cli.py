"""``python -m eks_platform.synth``: the command line of the synth (render a stack offline)."""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import sys
import traceback
import warnings
from pathlib import Path

from .errors import describe
from .runner import synth
from .stack_refs import load_stack_outputs
from .transition_engine import recording_options
from .tree import render_tree


def main(argv: list[str] | None = None, prog: str | None = None) -> int:
    """``python -m eks_platform.synth``: render a stack offline; returns the exit status."""
    # A program that fails leaves the SDK's pending Output coroutines unawaited; their
    # RuntimeWarnings would print before the one error line (pulumi up does not show them).
    warnings.filterwarnings(
        "ignore", message="coroutine .* was never awaited", category=RuntimeWarning
    )
    parser = argparse.ArgumentParser(
        prog=prog or f"python -m {__package__}",
        description="Render a Pulumi program offline: run it under mocks and print what it "
        "would register.",
    )
    parser.add_argument("--program", default=".", help="Pulumi project directory (default: .)")
    parser.add_argument(
        "--stack", default="dev", help="stack name: reads Pulumi.<stack>.yaml (default: dev)"
    )
    parser.add_argument(
        "--json", dest="json_path", help="also write the resources as JSON to this path"
    )
    parser.add_argument(
        "--record-options",
        action="store_true",
        help="with --json: also record each resource's aliases and the options that decide a "
        "replacement or a delete, so that `synth diff` of two such documents shows what "
        "`pulumi up` would do",
    )
    parser.add_argument(
        "--stack-outputs",
        action="append",
        default=[],
        metavar="STACK=PATH",
        help="outputs of a stack the program references (pulumi.StackReference): a synth "
        "--json document of it, or a JSON object of its outputs; repeatable",
    )
    parser.add_argument("--policy-pack", metavar="DIR", help="evaluate this policy pack")
    parser.add_argument("--policy-config", metavar="FILE", help="the policy pack's config")
    parser.add_argument(
        "--debug", action="store_true", help="on an error, also print the Python traceback"
    )
    args = parser.parse_args(argv)
    if args.record_options and not args.json_path:
        parser.error("--record-options records into the --json document: give --json PATH")
    # As Pulumi's language host does: a failed program leaves futures nobody awaits, which
    # asyncio would report (with tracebacks) when they are collected.
    logging.getLogger("asyncio").setLevel(logging.CRITICAL)
    try:
        stack_outputs = dict(load_stack_outputs(spec) for spec in args.stack_outputs)
        with recording_options() if args.record_options else contextlib.nullcontext():
            result = synth(args.program, args.stack, stack_outputs)
    except Exception as e:
        if args.debug:
            traceback.print_exception(e, file=sys.stderr)
        print(f"error: {describe(e)}", file=sys.stderr)
        return 1
    print(render_tree(result))
    if args.json_path:
        path = Path(args.json_path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(result.as_json(), indent=2, sort_keys=False) + "\n")
    if args.policy_pack or args.policy_config:
        from .policy import run_policy_pack

        return run_policy_pack(result, args.policy_pack, args.policy_config)
    return 0
