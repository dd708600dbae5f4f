"""``python -m eks_platform.synth diff BASE.json HEAD.json``: the command line of :mod:`.diff`.

Exit status of :func:`main`: 0 when the diff was printed (with or without changes); 2 with
``--exit-code`` when there are changes; 1 when a document is missing or invalid, or on a
usage error.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from .diff import EXIT_CHANGES, EXIT_ERROR, EXIT_OK, SynthDocumentError, diff_documents, render_text
from .diff_markdown import render_markdown
from .diff_plan import plan_of, render_plan_markdown, render_plan_text


class _UsageError(Exception):
    pass


class _ArgumentParser(argparse.ArgumentParser):
    # argparse exits 2 on a usage error; 2 means "there are changes" here.
    def error(self, message: str) -> Any:
        raise _UsageError(message)


def _parser(prog: str | None = None) -> argparse.ArgumentParser:
    parser = _ArgumentParser(
        prog=prog or "python -m eks_platform.synth diff",
        description=(
            "Compare two offline synth documents (written by `python -m eks_platform.synth "
            "--json`) and print the resources added, removed and changed, with the changed "
            "input paths; when both were written with --record-options, also what `pulumi up` "
            "would do: replacements and why, moves by alias, deletes and their order."
        ),
        epilog=(
            "Exit status: 0 when the diff was printed; 2 with --exit-code when there are "
            "changes; 1 when a document is missing or invalid."
        ),
    )
    parser.add_argument("base", metavar="BASE.json", help="synth document of the base (before)")
    parser.add_argument("head", metavar="HEAD.json", help="synth document of the head (after)")
    parser.add_argument(
        "--markdown", action="store_true", help="print GitHub markdown (for a job summary)"
    )
    parser.add_argument(
        "--output", metavar="PATH", help="write the diff to PATH (overwritten) instead of stdout"
    )
    parser.add_argument(
        "--exit-code",
        action="store_true",
        help="exit 2 when there are changes, 0 when there are none",
    )
    return parser


def load_document(path: str) -> dict[str, Any]:
    """Read one synth document; raises :class:`SynthDocumentError` with a one-line reason."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SynthDocumentError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise SynthDocumentError(f"{path}: is a directory, not a synth JSON file") from None
    except UnicodeDecodeError:
        raise SynthDocumentError(f"{path}: not UTF-8 text") from None
    except OSError as error:
        raise SynthDocumentError(f"{path}: cannot read ({error.strerror or error})") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise SynthDocumentError(
            f"{path}: not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})"
        ) from None
    if not isinstance(document, dict):
        raise SynthDocumentError(f"{path}: not a synth document (expected a JSON object)")
    return document


def main(argv: list[str] | None = None, prog: str | None = None) -> int:
    """Entry point of ``python -m eks_platform.synth diff``; returns the exit status."""
    parser = _parser(prog)
    try:
        args = parser.parse_args(argv)
    except _UsageError as error:
        parser.print_usage(sys.stderr)
        print(f"error: {error}", file=sys.stderr)
        return EXIT_ERROR
    except SystemExit as exit_:  # --help
        return exit_.code if isinstance(exit_.code, int) else EXIT_OK

    try:
        base = load_document(args.base)
        head = load_document(args.head)
        try:
            diff = diff_documents(base, head)
        except SynthDocumentError as error:
            # diff_documents names the side ("base: ..."); name the file instead.
            side, _, reason = str(error).partition(": ")
            path = args.base if side == "base" else args.head
            raise SynthDocumentError(f"{path}: not a synth document: {reason}") from None
    except SynthDocumentError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_ERROR

    rendered = render_markdown(diff) if args.markdown else render_text(diff)
    plan = plan_of(base, head)
    if plan is not None:
        rendered += render_plan_markdown(plan) if args.markdown else render_plan_text(plan)
    if args.output:
        try:
            Path(args.output).write_text(rendered, encoding="utf-8")
        except OSError as error:
            print(
                f"error: {args.output}: cannot write ({error.strerror or error})", file=sys.stderr
            )
            return EXIT_ERROR
    else:
        sys.stdout.write(rendered)
        sys.stdout.flush()
    return EXIT_CHANGES if args.exit_code and diff.has_changes else EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
