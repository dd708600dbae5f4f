"""Fixtures shared by the tests."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def eks_platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """``import eks_platform`` works, as for a user who installed the distribution.

    The examples are other teams' programs: they import the installed name, never the
    repository's ``components``. A link named ``eks_platform`` to ``components/`` stands in
    for the installed package (``tests/test_packaging.py`` installs the real wheel).
    """
    site = tmp_path_factory.mktemp("site")
    (site / "eks_platform").symlink_to(ROOT / "components", target_is_directory=True)
    sys.path.insert(0, str(site))
    yield site
    sys.path.remove(str(site))
