"""Helpers for running the installed ``streamconsole`` entry point."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ENTRY = Path(sys.executable).with_name("streamconsole")
# The audit log defaults to the user's state directory: keep the tests' lines out of it.
STATE_HOME = tempfile.mkdtemp(prefix="streamconsole-test-state-")


def run_cli(
    *args: str,
    cwd: Path = ROOT,
    stdin: str | None = None,
    env: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("STREAMCONSOLE_")}
    environment["XDG_STATE_HOME"] = STATE_HOME
    environment.update(env or {})
    return subprocess.run(
        [str(ENTRY), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        input=stdin,
        env=environment,
        timeout=60,
        check=False,
    )


@pytest.fixture
def sample_dir(tmp_path: Path) -> Path:
    """A private copy of the sample config and its demo keys (0600, as they should be)."""
    shutil.copytree(ROOT / "sample_keys", tmp_path / "sample_keys")
    for key_file in (tmp_path / "sample_keys").glob("*"):
        key_file.chmod(0o600)
    shutil.copy(ROOT / "sample_config.toml", tmp_path / "streamconsole.toml")
    return tmp_path
