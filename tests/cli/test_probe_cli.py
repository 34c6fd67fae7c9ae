"""``probe`` and ``apply --verify`` from the command line, on the emulators: enforcement on,
off, and a key the server changed after the console read it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.conftest import OneServer, on_antmedia, on_theolive, run_cli
from tests.emulators import AntMediaEmulator, TheoLiveEmulator

OTHER_SECRET = "another-admin-rotated-this-secret-0123456789"


@pytest.fixture
def ams(tmp_path: Path, antmedia: AntMediaEmulator) -> OneServer:
    return on_antmedia(tmp_path, antmedia, "ams")


def probe(ams: OneServer, *args: str) -> tuple[int, str, str]:
    done = ams.run("probe", *args)
    return done.returncode, done.stdout, done.stderr


def row(stdout: str, direction: str) -> list[str]:
    return next(line.split() for line in stdout.splitlines() if line.split()[1:2] == [direction])


def test_enforced_as_configured(ams: OneServer) -> None:
    code, out, err = probe(ams, "WebRTCAppEE")
    assert code == 0, err
    assert out.splitlines()[0].split()[:4] == ["SCOPE", "TYPE", "CONFIGURED", "NO"]
    assert row(out, "play")[:6] == ["WebRTCAppEE", "play", "enforced", "403", "404", "403"]
    assert "enforced as configured" in out
    assert "not probed: publish goes over RTMP or WebRTC" in out


def test_off_as_configured(ams: OneServer) -> None:
    code, out, err = probe(ams, "LiveApp/stream1", "--type", "play")
    assert code == 0, err
    assert row(out, "play")[:6] == ["LiveApp/stream1", "play", "off", "200", "200", "200"]
    assert "not enforced, as configured" in out
    assert "publish" not in out


def test_key_changed_on_the_server_is_exit_1(ams: OneServer, antmedia: AntMediaEmulator) -> None:
    antmedia.edit_after_next_get("WebRTCAppEE", jwtStreamSecretKey=OTHER_SECRET)
    code, out, _ = probe(ams, "WebRTCAppEE", "--type", "play", "--json")
    assert code == 1
    report = json.loads(out)
    assert (report["server"], report["outcome"]) == ("ams", "mismatch")
    [play] = report["results"]
    assert play["verdict"] == "valid tokens refused (key mismatch?)"
    statuses = {attempt: answer["status"] for attempt, answer in play["answers"].items()}
    assert statuses == {"no token": 403, "valid token": 403, "wrong key": 403}


def test_switched_off_on_the_server_is_exit_1(ams: OneServer, antmedia: AntMediaEmulator) -> None:
    antmedia.edit_after_next_get("WebRTCAppEE", playJwtControlEnabled=False)
    code, out, _ = probe(ams, "WebRTCAppEE/room-101", "--type", "play")
    assert code == 1
    assert "NOT enforced (a request without a token was served)" in out


def test_publish_alone_cannot_be_probed_over_http(ams: OneServer) -> None:
    code, out, err = probe(ams, "WebRTCAppEE", "--type", "publish")
    assert code == 2
    assert "RTMP" in out
    assert "nothing could be probed over HTTP" in err


def test_a_probe_needs_a_server(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[applications.A]\nkind = "antmedia"\n')
    done = run_cli("probe", "A", "-c", str(config))
    assert done.returncode == 2
    assert "--server NAME" in done.stderr
    assert "Traceback" not in done.stderr


def test_theolive_probe_with_play_url(tmp_path: Path, theolive: TheoLiveEmulator) -> None:
    play_url = f"{theolive.base_url}/play/{{alias}}/main.m3u8"
    theo = on_theolive(tmp_path, theolive, play_url=play_url)
    secured = theo.run("rotate", "news-channel/morning", "--generate", "HS256", "--play", "on")
    assert secured.returncode == 0, secured.stderr
    done = theo.run("probe", "news-channel/morning")
    assert done.returncode == 0, done.stdout + done.stderr
    assert row(done.stdout, "play")[:6] == [
        "news-channel/morning",
        "play",
        "enforced",
        "403",
        "200",
        "403",
    ]
    sent = [d.header("authorization") or "" for d in theolive.deliveries]
    assert len(sent) == 3
    assert not any(value.startswith("Basic") for value in sent)
    assert not any(theolive.api_secret in d.text for d in theolive.deliveries)


def test_apply_verify_probes_what_it_changed(
    tmp_path: Path, antmedia: AntMediaEmulator, ams: OneServer
) -> None:
    env = ams.env
    offline = tmp_path / "prod.toml"
    server = ("-c", str(offline), "--server", "ams")
    exported = ams.run("export", "--out", str(offline))
    assert exported.returncode == 0, exported.stderr
    assert run_cli("toggle", "LiveApp", "--play", "on", "-c", str(offline)).returncode == 0

    applied = run_cli("apply", *server, "--yes", "--verify", "--json", env=env)
    assert applied.returncode == 0, applied.stderr
    assert "all 1 step applied" in applied.stderr  # progress on stderr, JSON alone on stdout
    report = json.loads(applied.stdout)
    scopes = {(r["scope"], r["direction"]): r["verdict"] for r in report["results"]}
    assert scopes[("LiveApp", "play")] == "enforced as configured"
    assert set(scopes) == {("LiveApp", "publish"), ("LiveApp", "play")}

    assert run_cli("toggle", "LiveApp", "--play", "off", "-c", str(offline)).returncode == 0
    applied = run_cli("apply", *server, "--yes", "--verify", env=env)
    assert applied.returncode == 0, applied.stderr
    assert "all 1 step applied" in applied.stdout
    assert row(applied.stdout, "play")[:6] == ["LiveApp", "play", "off", "404", "404", "404"]


def test_apply_json_without_verify_is_refused(ams: OneServer) -> None:
    done = ams.run("apply", "--json")
    assert done.returncode == 2
    assert "--verify" in done.stderr
