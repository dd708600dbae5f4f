"""The policy pack, loaded once per session the way the offline synth loads it."""

from __future__ import annotations

import pytest

from components.synth.policy import LoadedPack, load_policy_pack
from tests.policy_pack.support import PACK_DIR


@pytest.fixture(scope="session")
def pack() -> LoadedPack:
    return load_policy_pack(PACK_DIR)
