"""``Console.forms``: a token in each form the alias's players and encoders take."""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

import streamconsole
from streamconsole.audit import AuditLog
from tests.conftest import lab_config
from tests.emulators import AntMediaEmulator

SECRET = "zautXStXM9iW3aD3FuyPH0TdK4GHPmHq"


def test_forms_from_a_file(tmp_path: Path) -> None:
    (tmp_path / "a.secret").write_text(SECRET)
    (tmp_path / "a.secret").chmod(0o600)
    config = tmp_path / "c.toml"
    config.write_text(
        '[applications.LiveApp]\nkind = "antmedia"\nhost = "ams.example.com"\n'
        'key = { algorithm = "HS256", key_file = "a.secret" }\n'
        '[applications.LiveApp.aliases]\n"room 7?" = {}\n'
        '[applications.Bare]\nkind = "antmedia"\n'
        'key = { algorithm = "HS256", key_file = "a.secret" }\n'
        "[applications.Bare.aliases]\ns = {}\n"
    )
    with streamconsole.open_config(config, audit=AuditLog(tmp_path / "a.jsonl")) as console:
        issued = console.token("LiveApp/room 7?", "publish")
        forms = console.forms(issued.token, "LiveApp/room 7?", "publish")
        assert list(forms) == ["jwt", "rtmp", "obs", "webrtc"]
        assert forms["obs"]["Server"] == "rtmp://ams.example.com/LiveApp"
        assert forms["rtmp"] == f"{forms['obs']['Server']}/{forms['obs']['Stream Key']}"
        assert parse_qs(urlsplit(forms["rtmp"]).query) == {"token": [issued.token]}
        message = json.loads(forms["webrtc"])
        assert message == {"command": "publish", "streamId": "room 7?", "token": issued.token}

        bare = console.token("Bare/s")
        with pytest.warns(UserWarning, match=r"\[applications\.Bare\]"):
            unplaced = console.forms(bare.token, "Bare/s")
        assert list(unplaced) == ["jwt", "webrtc"]


def test_forms_on_a_server_carry_a_token_it_accepts(
    tmp_path: Path, antmedia: AntMediaEmulator
) -> None:
    config = lab_config(tmp_path, antmedia)
    audit = AuditLog(tmp_path / "a.jsonl")
    with streamconsole.open_server(config, "lab", audit=audit) as console:
        issued = console.token("LiveApp/stream1", "play")
        hls = console.forms(issued.token, "LiveApp/stream1")["hls"]
    assert hls.startswith(f"{antmedia.base_url}/LiveApp/streams/stream1.m3u8?")
    (token,) = parse_qs(urlsplit(hls).query)["token"]
    assert antmedia.state.verify_stream_token("LiveApp", "stream1", "play", token)
    assert shlex.split(hls) == [hls]  # no character a shell would split on
