"""export → edit offline → plan → apply, against the Ant Media emulator, as a user runs it."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from streamconsole.backends.toml_file import TomlSource
from tests.cli.conftest import run_cli
from tests.emulators import AntMediaEmulator


@pytest.fixture
def workspace(tmp_path: Path, antmedia: AntMediaEmulator) -> tuple[Path, dict[str, str]]:
    """A connected config naming the emulator, and the environment with its credentials."""
    config = tmp_path / "online.toml"
    config.write_text(
        f'[servers.prod]\nkind = "antmedia"\nurl = "{antmedia.base_url}"\n'
        'credentials_env = "SC_PROD"\n'
    )
    env = {"SC_PROD": f"{antmedia.admin_email}:{antmedia.admin_password}"}
    return config, env


def test_round_trip_export_edit_plan_apply(
    tmp_path: Path, antmedia: AntMediaEmulator, workspace: tuple[Path, dict[str, str]]
) -> None:
    online, env = workspace
    offline = tmp_path / "offline" / "prod.toml"
    offline.parent.mkdir()
    exported = run_cli(
        "export", "-c", str(online), "--server", "prod", "--out", str(offline), env=env
    )
    assert exported.returncode == 0, exported.stderr
    secret_file = offline.parent / "keys" / "LiveApp.secret"
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    assert "zautXStXM9iW3aD3FuyPH0TdK4GHPmHq" not in offline.read_text()
    assert run_cli("check", str(offline)).returncode == 0

    # Nothing differs right after an export.
    same = run_cli("plan", "-c", str(offline), "--server", "prod", env=env)
    assert same.returncode == 0, same.stdout + same.stderr
    assert "no differences" in same.stdout

    # Offline: rotate LiveApp's key and turn play enforcement on.
    rotated = run_cli("rotate", "LiveApp", "--generate", "HS256", "-c", str(offline))
    assert rotated.returncode == 0, rotated.stderr
    assert run_cli("toggle", "LiveApp", "--play", "on", "-c", str(offline)).returncode == 0

    plan = run_cli("plan", "-c", str(offline), "--server", "prod", "--json", env=env)
    assert plan.returncode == 1
    steps = [(s["scope"], s["action"]) for s in json.loads(plan.stdout)["steps"]]
    assert steps == [("LiveApp", "key"), ("LiveApp", "enforce")]
    assert (
        antmedia.state.settings("LiveApp")["playJwtControlEnabled"] is False
    )  # plan wrote nothing

    refused = run_cli("apply", "-c", str(offline), "--server", "prod", env=env)
    assert refused.returncode == 2
    assert "--yes" in refused.stderr

    # The server stamps every save: the key and the switch of one application go in one.
    applied = run_cli("apply", "-c", str(offline), "--server", "prod", "--yes", env=env)
    assert applied.returncode == 0, applied.stderr
    assert "all 2 step(s) applied" in applied.stdout
    assert antmedia.log.count(method="POST", path="/rest/v2/applications/settings/*") == 1
    settings = antmedia.state.settings("LiveApp")
    assert settings["playJwtControlEnabled"] is True
    key = TomlSource(offline).load_sync().applications["LiveApp"].settings.key
    assert key is not None
    new_secret = key.key.secret.reveal()  # type: ignore[union-attr]
    assert settings["jwtStreamSecretKey"] == new_secret

    again = run_cli("apply", "-c", str(offline), "--server", "prod", "--yes", env=env)
    assert again.returncode == 0
    assert "no differences" in again.stdout
    assert antmedia.log.count(method="POST", path="/rest/v2/applications/settings/*") == 1


def test_failure_mid_apply_then_resume(
    tmp_path: Path, antmedia: AntMediaEmulator, workspace: tuple[Path, dict[str, str]]
) -> None:
    online, env = workspace
    offline = tmp_path / "prod.toml"
    run_cli("export", "-c", str(online), "--server", "prod", "--out", str(offline), env=env)
    for app in ("LiveApp", "WebRTCAppEE"):
        assert run_cli("rotate", app, "--generate", "HS256", "-c", str(offline)).returncode == 0
    toggled = run_cli("toggle", "WebRTCAppEE", "--publish", "off", "-c", str(offline))
    assert toggled.returncode == 0, toggled.stderr
    antmedia.faults.fail(
        500, times=1, path="/rest/v2/applications/settings/WebRTCAppEE", method="POST"
    )
    first = run_cli("apply", "-c", str(offline), "--server", "prod", "--yes", env=env)
    assert first.returncode == 3
    # WebRTCAppEE's key and switch were one save: both failed, both are left.
    assert "FAILED: WebRTCAppEE: install key" in first.stderr
    assert "applied (1): LiveApp: install key" in first.stderr
    assert "not applied (2): WebRTCAppEE: install key" in first.stderr
    assert "WebRTCAppEE: publish JWT off" in first.stderr.split("not applied (2)")[1]
    assert antmedia.state.settings("WebRTCAppEE")["publishJwtControlEnabled"] is True
    resumed = run_cli("apply", "-c", str(offline), "--server", "prod", "--yes", env=env)
    assert resumed.returncode == 0, resumed.stderr
    assert "all 2 step(s) applied" in resumed.stdout
    assert run_cli("plan", "-c", str(offline), "--server", "prod", env=env).returncode == 0


def test_drift_since_the_plan_is_refused(
    tmp_path: Path, antmedia: AntMediaEmulator, workspace: tuple[Path, dict[str, str]]
) -> None:
    online, env = workspace
    offline = tmp_path / "prod.toml"
    run_cli("export", "-c", str(online), "--server", "prod", "--out", str(offline), env=env)
    run_cli("toggle", "LiveApp", "--play", "on", "-c", str(offline))
    plan_file = tmp_path / "plan.json"
    made = run_cli("plan", "-c", str(offline), "--server", "prod", "--out", str(plan_file), env=env)
    assert made.returncode == 1
    antmedia.state.update_settings("LiveApp", publishJwtControlEnabled=False)  # another admin
    drift = run_cli(
        "apply", "-c", str(offline), "--server", "prod", "--plan", str(plan_file), "--yes", env=env
    )
    assert drift.returncode == 1
    assert "changed since the plan was made" in drift.stderr
    assert antmedia.state.settings("LiveApp")["playJwtControlEnabled"] is False


def test_plan_needs_a_server(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[applications.A]\nkind = "generic"\n')
    result = run_cli("plan", "-c", str(config))
    assert result.returncode == 2
    assert "--server" in result.stderr
