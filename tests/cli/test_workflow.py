"""export → edit offline → plan → apply, against the Ant Media emulator, as a user runs it."""

from __future__ import annotations

import json
import stat
import time
from pathlib import Path

import jwt
import pytest

from streamconsole.backends.toml_file import TomlSource
from streamconsole.core.keys import Algorithm, shared_key
from streamconsole.core.model import HARD_CUTOVER
from tests.cli.conftest import on_antmedia, on_theolive, run_cli
from tests.emulators import AntMediaEmulator, TheoLiveEmulator


@pytest.fixture
def workspace(tmp_path: Path, antmedia: AntMediaEmulator) -> tuple[Path, dict[str, str]]:
    """A connected config naming the emulator, and the environment with its credentials."""
    prod = on_antmedia(tmp_path, antmedia)
    return prod.config, prod.env


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
    assert "all 2 steps applied" in applied.stdout
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
    # LiveApp's key and switch went in one save: one settings POST.
    assert antmedia.log.count(method="POST", path="/rest/v2/applications/settings/*") == 1


def test_failure_mid_apply_then_resume(
    tmp_path: Path, antmedia: AntMediaEmulator, workspace: tuple[Path, dict[str, str]]
) -> None:
    online, env = workspace
    offline = tmp_path / "prod.toml"
    run_cli("export", "-c", str(online), "--server", "prod", "--out", str(offline), env=env)
    for app in ("LiveApp", "VodApp"):
        assert run_cli("rotate", app, "--generate", "HS256", "-c", str(offline)).returncode == 0
    toggled = run_cli("toggle", "VodApp", "--publish", "on", "-c", str(offline))
    assert toggled.returncode == 0, toggled.stderr
    antmedia.faults.fail(500, times=1, path="/rest/v2/applications/settings/VodApp", method="POST")
    first = run_cli("apply", "-c", str(offline), "--server", "prod", "--yes", env=env)
    assert first.returncode == 3
    # VodApp's key and switch were one save: both failed, both are left.
    assert "FAILED: VodApp: install key" in first.stderr
    assert "applied (1): LiveApp: install key" in first.stderr
    assert "not applied (2): VodApp: install key" in first.stderr
    assert "VodApp: publish JWT on" in first.stderr.split("not applied (2)")[1]
    assert antmedia.state.settings("VodApp")["publishJwtControlEnabled"] is False
    resumed = run_cli("apply", "-c", str(offline), "--server", "prod", "--yes", env=env)
    assert resumed.returncode == 0, resumed.stderr
    assert "all 2 steps applied" in resumed.stdout
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
    assert stat.S_IMODE(plan_file.stat().st_mode) == 0o600  # it names every scope that differs
    antmedia.state.update_settings("LiveApp", publishJwtControlEnabled=False)  # another admin
    drift = run_cli(
        "apply", "-c", str(offline), "--server", "prod", "--plan", str(plan_file), "--yes", env=env
    )
    assert drift.returncode == 1
    assert "changed since the plan was made" in drift.stderr
    assert antmedia.state.settings("LiveApp")["playJwtControlEnabled"] is False


# --- apply --plan carries out what was reviewed, or nothing ---------------------------------

REVIEWED_SECRET = "Qm9v8d7c6b5a4Z3Y2X1W0V9U8T7S6R5Q4P3O2N1M"
SWAPPED_SECRET = "Zp4q8R2s6T0u4V8w2X6y0Z4a8B2c6D0e4F8g2H6i"
SETTINGS_POSTS = {"method": "POST", "path": "/rest/v2/applications/settings/*"}


@pytest.mark.parametrize("held_in", ["key_file", "key_env"])
def test_a_key_swapped_after_the_plan_is_refused(
    tmp_path: Path, antmedia: AntMediaEmulator, workspace: tuple[Path, dict[str, str]], held_in: str
) -> None:
    """The TOML text stays the same, the key it points at does not: apply names the scope and
    both fingerprints, installs nothing, and applies the plan once the reviewed key is back."""
    online, env = workspace
    key_file = tmp_path / "live.secret"
    where = 'key_file = "live.secret"' if held_in == "key_file" else 'key_env = "SC_LIVE_KEY"'
    config = tmp_path / "prod.toml"
    config.write_text(
        online.read_text() + '[applications.LiveApp]\nkind = "antmedia"\npublish = true\n'
        f'play = false\nkey = {{ algorithm = "HS256", {where} }}\n'
    )

    def hold(secret: str) -> dict[str, str]:
        key_file.write_text(secret + "\n")
        key_file.chmod(0o600)
        return {**env, "SC_LIVE_KEY": secret}

    plan_file = tmp_path / "plan.json"
    server = ("-c", str(config), "--server", "prod")
    made = run_cli("plan", *server, "--out", str(plan_file), env=hold(REVIEWED_SECRET))
    assert made.returncode == 1, made.stderr
    reviewed = shared_key(Algorithm.HS256, REVIEWED_SECRET).fingerprint
    assert f"LiveApp: install key {reviewed}" in made.stdout
    before = antmedia.state.settings("LiveApp")

    swapped = run_cli("apply", *server, "--plan", str(plan_file), "--yes", env=hold(SWAPPED_SECRET))
    assert swapped.returncode == 1, swapped.stdout + swapped.stderr
    other = shared_key(Algorithm.HS256, SWAPPED_SECRET).fingerprint
    assert f"LiveApp: the file's key is {other} now; the plan was made with {reviewed}" in (
        swapped.stderr
    )
    assert SWAPPED_SECRET not in swapped.stdout + swapped.stderr
    assert antmedia.state.settings("LiveApp") == before
    assert antmedia.log.count(**SETTINGS_POSTS) == 0

    applied = run_cli(
        "apply", *server, "--plan", str(plan_file), "--yes", env=hold(REVIEWED_SECRET)
    )
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert antmedia.state.settings("LiveApp")["jwtStreamSecretKey"] == REVIEWED_SECRET


def _planned_publish_off(
    tmp_path: Path, online: Path, env: dict[str, str]
) -> tuple[tuple[str, ...], Path]:
    """An export with LiveApp's publish JWT turned off, and its plan saved: one step."""
    offline = tmp_path / "prod.toml"
    run_cli("export", "-c", str(online), "--server", "prod", "--out", str(offline), env=env)
    assert run_cli("toggle", "LiveApp", "--publish", "off", "-c", str(offline)).returncode == 0
    plan_file = tmp_path / "plan.json"
    server = ("-c", str(offline), "--server", "prod")
    assert run_cli("plan", *server, "--out", str(plan_file), env=env).returncode == 1
    return server, plan_file


PUBLISH_OFF = {
    "scope": "LiveApp",
    "action": "relax",
    "direction": "publish",
    "description": "LiveApp: publish JWT off",
}
PLAY_ON = {
    "scope": "LiveApp",
    "action": "enforce",
    "direction": "play",
    "description": "LiveApp: play JWT on",
}


@pytest.mark.parametrize(
    ("saved_steps", "message"),
    [
        (
            [PLAY_ON],
            "step 1 (LiveApp: publish JWT off) is not the plan's: the plan says action "
            "'enforce', apply would now do 'relax'",
        ),
        (
            [{**PUBLISH_OFF, "description": "LiveApp: play JWT on"}],
            "step 1 (LiveApp: publish JWT off) is not the plan's: the plan says description "
            "'LiveApp: play JWT on', apply would now do 'LiveApp: publish JWT off'",
        ),
        ([], "step 1 (LiveApp: publish JWT off) is not in the plan"),
        ([PUBLISH_OFF, PLAY_ON], "step 2 of the plan (LiveApp: play JWT on) is not needed now"),
    ],
    ids=["other-action", "other-words", "step-left-out", "step-added"],
)
def test_a_plan_whose_steps_were_edited_is_refused(
    tmp_path: Path,
    antmedia: AntMediaEmulator,
    workspace: tuple[Path, dict[str, str]],
    saved_steps: list[dict[str, str]],
    message: str,
) -> None:
    online, env = workspace
    server, plan_file = _planned_publish_off(tmp_path, online, env)
    record = json.loads(plan_file.read_text())
    assert record["steps"] == [PUBLISH_OFF]
    plan_file.write_text(json.dumps({**record, "steps": saved_steps}))
    before = antmedia.state.settings("LiveApp")

    refused = run_cli("apply", *server, "--plan", str(plan_file), "--yes", env=env)
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert refused.stderr == f"error: --plan {plan_file}: {message}; run plan again\n"
    assert antmedia.state.settings("LiveApp") == before
    assert antmedia.log.count(**SETTINGS_POSTS) == 0


def test_the_plan_as_saved_is_applied(
    tmp_path: Path, antmedia: AntMediaEmulator, workspace: tuple[Path, dict[str, str]]
) -> None:
    online, env = workspace
    server, plan_file = _planned_publish_off(tmp_path, online, env)
    applied = run_cli("apply", *server, "--plan", str(plan_file), "--yes", env=env)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert "applied: LiveApp: publish JWT off" in applied.stdout
    assert antmedia.state.settings("LiveApp")["publishJwtControlEnabled"] is False


def test_plan_needs_a_server(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[applications.A]\nkind = "generic"\n')
    result = run_cli("plan", "-c", str(config))
    assert result.returncode == 2
    assert "--server" in result.stderr


# --- THEOlive: an exported alias that has no key, given one and play = true offline ----------


def theolive_exported(
    tmp_path: Path, theolive: TheoLiveEmulator, version: str
) -> tuple[Path, dict[str, str]]:
    """The emulator's THEOlive account (API ``version``) exported to an offline file, and
    the environment that reaches the server."""
    theo = on_theolive(tmp_path, theolive, own_state=True, api_version=version)
    offline = tmp_path / "offline" / "theo.toml"
    offline.parent.mkdir()
    exported = theo.run("export", "--out", str(offline))
    assert exported.returncode == 0, exported.stderr
    return offline, theo.env


@pytest.mark.parametrize(
    ("version", "edit"), [("v1", "rotate, then toggle"), ("v2", "rotate --play on")]
)
def test_theolive_keyless_alias_secured_offline_then_applied(
    tmp_path: Path, theolive: TheoLiveEmulator, version: str, edit: str
) -> None:
    offline, env = theolive_exported(tmp_path, theolive, version)
    server = ("-c", str(offline), "--server", "theo")

    rotate = ("rotate", "news-channel/morning", "--generate", "HS256", "-c", str(offline))
    if edit == "rotate --play on":
        assert run_cli(*rotate, "--play", "on", env=env).returncode == 0
    else:
        assert run_cli(*rotate, env=env).returncode == 0
        toggled = run_cli("toggle", "news-channel/morning", "--play", "on", "-c", str(offline))
        assert toggled.returncode == 0, toggled.stderr

    plan = run_cli("plan", *server, "--json", env=env)
    assert plan.returncode == 1, plan.stderr
    steps = [(s["scope"], s["action"]) for s in json.loads(plan.stdout)["steps"]]
    assert steps == [("news-channel/morning", "key"), ("news-channel/morning", "enforce")]

    applied = run_cli("apply", *server, "--yes", env=env)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert "all 2 steps applied" in applied.stdout
    assert HARD_CUTOVER not in applied.stdout  # nothing was replaced
    assert len(theolive.state.aliases["morning"].keys) == 1

    again = run_cli("plan", *server, env=env)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "no differences" in again.stdout
    token = run_cli("token", "news-channel/morning", *server, env=env)
    assert token.returncode == 0, token.stderr
    assert not theolive.state.admits("morning", None)
    assert theolive.state.admits("morning", token.stdout.strip())


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_theolive_play_off_on_an_alias_holding_keys_is_refused_at_plan_not_half_applied(
    tmp_path: Path, theolive: TheoLiveEmulator, version: str
) -> None:
    """Turning play off where keys keep it on: the plan says the server refuses it, in
    the command line's words, and apply writes nothing (it used to pass plan, then fail
    at apply naming internal functions)."""
    offline, env = theolive_exported(tmp_path, theolive, version)
    server = ("-c", str(offline), "--server", "theo")
    toggled = run_cli("toggle", "sports/sports-main", "--play", "off", "-c", str(offline))
    assert toggled.returncode == 0, toggled.stderr
    keys_before = list(theolive.state.aliases["sports-main"].keys)

    plan = run_cli("plan", *server, "--json", env=env)
    assert plan.returncode == 1, plan.stderr
    (refusal,) = json.loads(plan.stdout)["refusals"]
    assert refusal.startswith("sports/sports-main")
    assert "streamconsole retire APP/ALIAS KEY_ID" in refusal
    assert "disable_v2" not in refusal and "turn_off=True)" not in refusal
    printed = run_cli("plan", *server, env=env)
    assert "✗ refused by the server: sports/sports-main" in printed.stderr

    applied = run_cli("apply", *server, "--yes", env=env)
    assert applied.returncode == 1, applied.stdout + applied.stderr
    assert "nothing was written" in applied.stderr
    assert "run apply again" not in applied.stderr
    assert theolive.log.count(method="POST") + theolive.log.count(method="DELETE") == 0
    assert theolive.state.aliases["sports-main"].keys == keys_before


# --- Ant Media: one key per application, so a new key is a hard cut-over ---------------------


def test_antmedia_rotate_plan_and_apply_say_hard_cut_over(
    tmp_path: Path, antmedia: AntMediaEmulator, workspace: tuple[Path, dict[str, str]]
) -> None:
    online, env = workspace
    offline = tmp_path / "prod.toml"
    server = ("-c", str(offline), "--server", "prod")
    run_cli("export", "-c", str(online), "--server", "prod", "--out", str(offline), env=env)
    old_secret = antmedia.state.settings("LiveApp")["jwtStreamSecretKey"]

    rotated = run_cli(
        "rotate", "LiveApp", "--generate", "HS256", "--play", "on", "-c", str(offline)
    )
    assert rotated.returncode == 0, rotated.stderr
    assert f"LiveApp: {HARD_CUTOVER}" in rotated.stdout
    assert "LiveApp: play JWT on" in rotated.stdout
    plan = run_cli("plan", *server, env=env)
    assert plan.returncode == 1
    assert "LiveApp: install key hs:" in plan.stdout
    assert f"; {HARD_CUTOVER}" in plan.stdout
    unconfirmed = run_cli("apply", *server, env=env)  # the confirmation shows it first
    assert unconfirmed.returncode == 2
    assert HARD_CUTOVER in unconfirmed.stdout

    applied = run_cli("apply", *server, "--yes", env=env)
    assert applied.returncode == 0, applied.stderr
    assert HARD_CUTOVER in applied.stdout
    old_token = jwt.encode(
        {"streamId": "stream1", "type": "play", "exp": int(time.time()) + 600},
        old_secret,
        algorithm="HS256",
    )
    assert not antmedia.state.admits("LiveApp", "stream1", "play", old_token)
    new_token = run_cli("token", "LiveApp/stream1", "--type", "play", "-c", str(offline))
    assert antmedia.state.admits("LiveApp", "stream1", "play", new_token.stdout.strip())
    # The key and the switch of one application: one save, one settings POST.
    assert antmedia.log.count(method="POST", path="/rest/v2/applications/settings/*") == 1


# --- Ant Media refuses every save of an application with two kinds of token control --------

DOUBLE_PLAY_CONTROL = (
    "WebRTCAppEE: the server refused the settings and gave no reason. Ant Media Server (2.9 "
    "and later) saves at most one kind of token control per direction, and play has JWT and "
    "one-time tokens on (playJwtControlEnabled, playTokenControlEnabled): turn one-time "
    "tokens off for play in the server's web panel, or turn play JWT off, then save again; "
    "nothing was written"
)


def test_toggle_and_apply_say_what_to_turn_off_where_the_server_refuses_every_save(
    tmp_path: Path, antmedia: AntMediaEmulator, workspace: tuple[Path, dict[str, str]]
) -> None:
    """WebRTCAppEE holds play JWT and one-time tokens (from its properties file): the server
    refuses any save of it, and gives no reason. The commands say which rule and what to
    turn off, write nothing else, and leave the file as it was."""
    online, env = workspace
    before = antmedia.state.settings("WebRTCAppEE")
    secret = before["jwtStreamSecretKey"]

    toggled = run_cli(
        "toggle", "WebRTCAppEE", "--publish", "off", "-c", str(online), "--server", "prod", env=env
    )
    assert toggled.returncode == 3
    assert toggled.stderr == f"error: remote error: {DOUBLE_PLAY_CONTROL}\n"

    offline = tmp_path / "prod.toml"
    run_cli("export", "-c", str(online), "--server", "prod", "--out", str(offline), env=env)
    assert (
        run_cli("rotate", "WebRTCAppEE", "--generate", "HS256", "-c", str(offline)).returncode == 0
    )
    exported = offline.read_text()
    applied = run_cli("apply", "-c", str(offline), "--server", "prod", "--yes", env=env)
    assert applied.returncode == 3
    assert f"(HS256); {HARD_CUTOVER}: {DOUBLE_PLAY_CONTROL}\n" in applied.stderr
    assert "applied (0): none" in applied.stderr
    # The same apply would be refused again: no "run apply again" (only the server's
    # settings can change it).
    assert "run apply again" not in applied.stderr
    assert "change what the error names (the file or the server), then plan again" in (
        applied.stderr
    )
    for output in (toggled.stdout + toggled.stderr, applied.stdout + applied.stderr):
        assert secret not in output
    assert antmedia.state.settings("WebRTCAppEE") == before
    assert offline.read_text() == exported

    # Once one-time tokens are off for play (in the web panel), the same apply goes through.
    antmedia.state.update_settings("WebRTCAppEE", playTokenControlEnabled=False)
    again = run_cli("apply", "-c", str(offline), "--server", "prod", "--yes", env=env)
    assert again.returncode == 0, again.stderr
    assert antmedia.state.settings("WebRTCAppEE")["jwtStreamSecretKey"] != secret
