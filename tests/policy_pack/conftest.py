"""The policy pack, loaded once per session the way the offline synth loads it; the dev stack
through the command line with the pack, once per test run (tests/synth/cli_runs.py)."""

from __future__ import annotations

from typing import Any

import pytest

from components.synth.policy import LoadedPack, load_policy_pack
from tests.policy_pack.support import PACK_DIR
from tests.synth.cli_runs import cli_run


@pytest.fixture(scope="session")
def pack() -> LoadedPack:
    return load_policy_pack(PACK_DIR)


@pytest.fixture(scope="session")
def dev_cli(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return cli_run(tmp_path_factory, "dev")
