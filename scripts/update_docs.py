"""Regenerate docs/configuration.md's reference from the Args dataclasses (`make docs`)."""

from __future__ import annotations

import sys
from pathlib import Path

from stacks.config import reference_markdown

START, END = "<!-- config-reference:start -->", "<!-- config-reference:end -->"


def render(page: str) -> str:
    head, _, rest = page.partition(START)
    _, _, tail = rest.partition(END)
    return f"{head}{START}\n{reference_markdown()}{END}{tail}"


if __name__ == "__main__":
    path = Path(__file__).resolve().parent.parent / "docs" / "configuration.md"
    path.write_text(render(path.read_text()))
    sys.exit(0)
