"""``Console.probe`` on the Ant Media emulator: enforcement on, off, and a key the server
changed after the console read it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import streamconsole
from streamconsole.api import Console
from streamconsole.audit import AuditLog
from streamconsole.backends.base import SourceError
from tests.conftest import lab_config
from tests.emulators import AntMediaEmulator


@pytest.fixture
def console(tmp_path: Path, antmedia: AntMediaEmulator) -> Iterator[Console]:
    config = lab_config(tmp_path, antmedia)
    with streamconsole.open_server(config, "lab", audit=AuditLog(tmp_path / "a.jsonl")) as opened:
        yield opened


def _statuses(row: dict[str, object]) -> list[object]:
    answers = row["answers"]
    assert isinstance(answers, dict)
    return [answer["status"] for answer in answers.values()]


def test_probe_enforced_and_off_as_configured(console: Console) -> None:
    [play] = console.probe("WebRTCAppEE", "play")
    assert (play["outcome"], play["verdict"]) == ("as configured", "enforced as configured")
    assert _statuses(play) == [403, 404, 403]
    publish, play = console.probe("LiveApp/stream1")
    assert publish["outcome"] == "not probed"
    assert (play["configured"], play["verdict"]) == ("off", "not enforced, as configured")
    assert "<table>" in console.probe("LiveApp", "play")._repr_html_()


def test_probe_finds_a_key_changed_on_the_server(
    console: Console, antmedia: AntMediaEmulator
) -> None:
    antmedia.state.update_settings(
        "WebRTCAppEE", jwtStreamSecretKey="another-admin-rotated-this-secret-0123456789"
    )
    [play] = console.probe("WebRTCAppEE/room-101", "play")
    assert (play["outcome"], play["verdict"]) == (
        "mismatch",
        "valid tokens refused (key mismatch?)",
    )


def test_probe_on_a_file_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[applications.A]\nkind = "antmedia"\n')
    with streamconsole.open_config(config) as console, pytest.raises(SourceError, match="--server"):
        console.probe("A")
