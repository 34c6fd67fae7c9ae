"""Fixtures of the hygiene suite: one set of planted secrets per module, and the config
that holds them (written fresh for every test, since tests rotate and save)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hygiene.canaries import Canaries, write_config


@pytest.fixture(scope="module")
def canaries() -> Canaries:
    return Canaries.fresh()


@pytest.fixture
def config_path(tmp_path: Path, canaries: Canaries) -> Path:
    return write_config(tmp_path, canaries)
