"""The project's stacks through the command line, once per test run (tests/synth/cli_runs.py)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.synth.cli_runs import cli_run


@pytest.fixture(scope="session")
def dev_cli(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return cli_run(tmp_path_factory, "dev")


@pytest.fixture(scope="session")
def prod_cli(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return cli_run(tmp_path_factory, "prod")
