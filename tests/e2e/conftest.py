"""What the end-to-end tests share: a working copy of the sample config and its keys."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """The sample config as ``console.toml`` beside its keys, made 0600 as an operator's are."""
    shutil.copytree(ROOT / "sample_keys", tmp_path / "sample_keys")
    for key_file in (tmp_path / "sample_keys").glob("*"):
        key_file.chmod(0o600)
    shutil.copy(ROOT / "sample_config.toml", tmp_path / "console.toml")
    return tmp_path
