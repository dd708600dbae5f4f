"""``python -m eks_platform.synth [diff]``: see the package docstring."""

from __future__ import annotations

import os
import sys


def run(argv: list[str]) -> int:
    """Dispatch to ``diff`` (no provider SDKs imported) or to the synth itself."""
    prog = f"python -m {__package__}"
    if argv and argv[0] == "diff":
        from .diff_cli import main as diff_main

        return diff_main(argv[1:], prog=f"{prog} diff")
    from .cli import main

    return main(argv, prog=prog)


if __name__ == "__main__":
    code = run(sys.argv[1:])
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)  # skip interpreter teardown: the SDK's event loops complain when collected
