"""Files planted around the config, and names from a server that become file names or
comments: the console never writes (or reads its own records) through a symbolic link, an
export never lets one name's key file replace another's, and what it writes ``check`` reads.

A symbolic link where the console writes is refused with an error naming the path; the
link's target is left as it was.
"""

from __future__ import annotations

import subprocess
import tomllib
from pathlib import Path

import pytest

from streamconsole.backends.base import SourceError
from streamconsole.backends.theolive.records import KeyRecords
from tests.cli.conftest import run_cli
from tests.emulators import AntMediaEmulator, TheoLiveEmulator
from tests.hostile.support import unsafe_bytes_in

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


@pytest.mark.parametrize("planted", ["prod.toml", "keys/LiveApp.secret"])
def test_export_through_a_symlink_is_refused_even_with_force(
    planted: str, tmp_path: Path, victim: Path, ams_config: tuple[Path, dict[str, str]]
) -> None:
    config, env = ams_config
    out = tmp_path / "offline" / "prod.toml"
    link = planted_link(out.parent / planted, victim)
    result = run_cli(
        "export", "-c", str(config), "--server", "prod", "--out", str(out), "--force", env=env
    )
    assert_refused(result, link, victim)
    # Refused before anything was written: no config, no other key file.
    assert {p.name for p in out.parent.rglob("*")} == set(Path(planted).parts)


def test_key_records_through_a_symlink_are_refused(tmp_path: Path) -> None:
    """Records name the files whose material is trusted as a key: never read through a link."""
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_text('{"version": 1, "keys": []}\n')
    link = planted_link(tmp_path / "state" / "theolive" / "theo.json", elsewhere)
    with pytest.raises(SourceError, match=f"{link}: {SYMLINK_REFUSED}"):
        KeyRecords(link).read()


# --- names from a server --------------------------------------------------------------------


def test_export_gives_names_that_clean_alike_their_own_key_files(
    tmp_path: Path, antmedia: AntMediaEmulator, ams_config: tuple[Path, dict[str, str]]
) -> None:
    config, env = ams_config
    secrets = {
        "Live App": "live-app-with-a-space-0123456789abcdef",
        "Live_App": "live-app-with-an-underscore-012345678",
        "live_app": "live-app-in-lower-case-0123456789abcd",
    }
    for name, secret in secrets.items():
        antmedia.state.add_application(name, jwtStreamSecretKey=secret)
    out = tmp_path / "offline" / "prod.toml"
    exported = run_cli("export", "-c", str(config), "--server", "prod", "--out", str(out), env=env)
    assert exported.returncode == 0, exported.stderr

    applications = tomllib.loads(out.read_text())["applications"]
    key_files = {name: applications[name]["key"]["key_file"] for name in secrets}
    assert len({f.casefold() for f in key_files.values()}) == len(secrets), key_files
    for name, secret in secrets.items():
        assert (out.parent / key_files[name]).read_text() == secret
    # So the plan proposes nothing: each application's own secret came back.
    plan = run_cli("plan", "-c", str(out), "--server", "prod", env=env)
    assert plan.returncode == 0, plan.stdout + plan.stderr


def test_export_never_replaces_a_key_file_silently(
    tmp_path: Path, antmedia: AntMediaEmulator, ams_config: tuple[Path, dict[str, str]]
) -> None:
    config, env = ams_config
    offline = tmp_path / "offline"
    server = ("-c", str(config), "--server", "prod")
    first = run_cli("export", *server, "--out", str(offline / "monday.toml"), env=env)
    assert first.returncode == 0, first.stderr
    secret_file = offline / "keys" / "LiveApp.secret"
    monday = secret_file.read_text()

    # Unchanged keys: a second export beside the first shares them.
    same = run_cli("export", *server, "--out", str(offline / "copy.toml"), env=env)
    assert same.returncode == 0, same.stderr

    antmedia.state.update_settings("LiveApp", jwtStreamSecretKey="rotated-on-the-server-0123456789")
    refused = run_cli("export", *server, "--out", str(offline / "tuesday.toml"), env=env)
    assert refused.returncode == 2
    assert f"error: {secret_file} exists; add --force to replace it" in refused.stderr
    assert secret_file.read_text() == monday  # monday.toml still holds what it exported
    assert not (offline / "tuesday.toml").exists()

    forced = run_cli("export", *server, "--out", str(offline / "tuesday.toml"), "--force", env=env)
    assert forced.returncode == 0, forced.stderr
    assert secret_file.read_text() == "rotated-on-the-server-0123456789"


def test_export_makes_control_bytes_in_comments_inert(
    tmp_path: Path, theolive: TheoLiveEmulator
) -> None:
    """A key name the server holds (unknown here, so listed in a comment) carrying escape
    sequences and a newline that would start a TOML table: the export still passes check."""
    hostile = 'x\x1b]52;c;b3duZWQ=\x07\x00\r\n[applications.injected]\nkind = "generic"'
    theolive.state.add_key("morning", "m" * 40, name=hostile, key_id="key-hostile")
    config = tmp_path / "online.toml"
    config.write_text(
        f'[servers.theo]\nkind = "theolive"\nurl = "{theolive.base_url}"\n'
        'credentials_env = "SC_THEO"\n'
    )
    env = {"SC_THEO": f"{theolive.api_key}:{theolive.api_secret}"}
    out = tmp_path / "offline" / "theo.toml"
    exported = run_cli("export", "-c", str(config), "--server", "theo", "--out", str(out), env=env)
    assert exported.returncode == 0, exported.stderr

    data = out.read_bytes()
    assert not unsafe_bytes_in(data)
    assert b"\x00" not in data and b"\x07" not in data
    assert "injected" not in tomllib.loads(data.decode())["applications"]
    assert "key-hostile" in data.decode()  # still listed, escaped
    checked = run_cli("check", str(out))
    assert checked.returncode == 0, checked.stderr
