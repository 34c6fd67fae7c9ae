"""Files planted around the config, and names from a server that become file names or
comments: the console never writes (or reads its own records) through a symbolic link, an
export never lets one name's key file replace another's, and what it writes ``check`` reads.

A symbolic link where the console writes is refused with an error naming the path; the
link's target is left as it was.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from streamconsole.backends.base import SourceError
from streamconsole.backends.theolive.records import KeyRecords
from tests.cli.conftest import run_cli
from tests.emulators import AntMediaEmulator

VICTIM_TEXT = "# another user's shell start-up file\nexport PATH=/usr/bin\n"
SYMLINK_REFUSED = "a symbolic link: refusing to follow it"


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    """A file a planted link points at (``~/.bashrc`` of someone else, say)."""
    path = tmp_path / "victim" / ".bashrc"
    path.parent.mkdir()
    path.write_text(VICTIM_TEXT)
    return path


def planted_link(at: Path, target: Path) -> Path:
    at.parent.mkdir(parents=True, exist_ok=True)
    at.symlink_to(target)
    return at


def assert_refused(result: subprocess.CompletedProcess[str], link: Path, victim: Path) -> None:
    __tracebackhide__ = True
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert f"{link}: {SYMLINK_REFUSED}" in result.stderr
    assert victim.read_text() == VICTIM_TEXT
    assert link.is_symlink()


@pytest.fixture
def ams_config(tmp_path: Path, antmedia: AntMediaEmulator) -> tuple[Path, dict[str, str]]:
    config = tmp_path / "online.toml"
    config.write_text(
        f'[servers.prod]\nkind = "antmedia"\nurl = "{antmedia.base_url}"\n'
        'credentials_env = "SC_PROD"\n'
    )
    return config, {"SC_PROD": f"{antmedia.admin_email}:{antmedia.admin_password}"}


# --- symbolic links where the console writes ------------------------------------------------


def test_audit_log_through_a_symlink_is_refused(tmp_path: Path, victim: Path) -> None:
    """An application name that runs a command must not land in someone's shell start-up."""
    config = tmp_path / "c.toml"
    config.write_text(
        '[console]\naudit_log = "audit.jsonl"\n'
        '[applications."$(touch pwned)"]\nkind = "generic"\nplay = true\n'
    )
    link = planted_link(tmp_path / "audit.jsonl", victim)
    result = run_cli("toggle", "$(touch pwned)", "--play", "off", "-c", str(config))
    assert_refused(result, link, victim)
    assert "audit log" in result.stderr


def test_default_audit_log_through_a_symlink_is_refused(tmp_path: Path, victim: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[applications.A]\nkind = "generic"\nplay = true\n')
    state = tmp_path / "state"
    link = planted_link(state / "streamconsole" / "audit.jsonl", victim)
    result = run_cli(
        "toggle", "A", "--play", "off", "-c", str(config), env={"XDG_STATE_HOME": str(state)}
    )
    assert_refused(result, link, victim)


def test_plan_out_through_a_symlink_is_refused(
    tmp_path: Path, victim: Path, ams_config: tuple[Path, dict[str, str]]
) -> None:
    config, env = ams_config
    link = planted_link(tmp_path / "plan.json", victim)
    result = run_cli("plan", "-c", str(config), "--server", "prod", "--out", str(link), env=env)
    assert_refused(result, link, victim)


def test_key_records_through_a_symlink_are_refused(tmp_path: Path) -> None:
    """Records name the files whose material is trusted as a key: never read through a link."""
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_text('{"version": 1, "keys": []}\n')
    link = planted_link(tmp_path / "state" / "theolive" / "theo.json", elsewhere)
    with pytest.raises(SourceError, match=f"{link}: {SYMLINK_REFUSED}"):
        KeyRecords(link).read()
