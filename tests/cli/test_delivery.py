"""``token --format``: the token in the form a player or encoder takes, from a file (its
``host``) and from a server (its profile's URL), each parsed back and checked the way the
server would check the token it carries."""

from __future__ import annotations

import json
import shlex
import subprocess
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import httpx
import jwt

from streamconsole.cli.arguments import token_parser
from streamconsole.core.delivery import DeliveryFormat
from tests.cli.conftest import OneServer, on_antmedia, on_theolive, run_cli
from tests.emulators import AntMediaEmulator, TheoLiveEmulator

SECRET = "zautXStXM9iW3aD3FuyPH0TdK4GHPmHq"


def _file(tmp_path: Path, host: str | None = "ams.example.com", stream: str = "stream1") -> Path:
    (tmp_path / "a.secret").write_text(SECRET)
    (tmp_path / "a.secret").chmod(0o600)
    config = tmp_path / "c.toml"
    host_line = f"host = {json.dumps(host)}\n" if host is not None else ""
    config.write_text(
        f'[applications.LiveApp]\nkind = "antmedia"\n{host_line}publish = true\n'
        'key = { algorithm = "HS256", key_file = "a.secret" }\n'
        f"[applications.LiveApp.aliases]\n{json.dumps(stream)} = {{}}\n"
    )
    return config


def _query_token(url: str) -> str:
    (token,) = parse_qs(urlsplit(url).query, strict_parsing=True)["token"]
    return token


def test_every_format_is_a_choice() -> None:
    formats = token_parser("token")._option_string_actions["--format"].choices
    assert list(formats or ()) == [str(fmt) for fmt in DeliveryFormat]


def test_rtmp_and_obs_from_a_file_with_a_host(tmp_path: Path) -> None:
    config = _file(tmp_path, stream="lobby cam #2")
    scope = ("token", "LiveApp/lobby cam #2", "--type", "publish", "-c", str(config))
    rtmp = run_cli(*scope, "--format", "rtmp")
    assert rtmp.returncode == 0, rtmp.stderr
    url = rtmp.stdout.strip()
    assert url.startswith("rtmp://ams.example.com/LiveApp/")
    assert unquote(urlsplit(url).path.rsplit("/", 1)[1]) == "lobby cam #2"
    claims = jwt.decode(_query_token(url), SECRET, algorithms=["HS256"])
    assert (claims["streamId"], claims["type"]) == ("lobby cam #2", "publish")
    bare = run_cli(*scope).stdout.strip()  # the default, --format jwt: the token alone
    assert jwt.decode(bare, SECRET, algorithms=["HS256"])["streamId"] == "lobby cam #2"

    obs = run_cli(*scope, "--format", "obs").stdout.splitlines()
    assert obs[0] == "Server: rtmp://ams.example.com/LiveApp"
    assert obs[1].startswith("Stream Key: lobby%20cam%20%232?token=")


def test_a_form_that_needs_a_host_names_the_setting(tmp_path: Path) -> None:
    config = _file(tmp_path, host=None)
    hls = run_cli("token", "LiveApp/stream1", "--format", "hls", "-c", str(config))
    assert hls.returncode == 2
    assert hls.stdout == ""
    assert 'set host = "…" in [applications.LiveApp]' in hls.stderr
    # The forms that need no host are there, and --json says what the others need.
    webrtc = run_cli("token", "LiveApp/stream1", "--format", "webrtc", "-c", str(config))
    assert json.loads(webrtc.stdout)["command"] == "play"
    view = json.loads(run_cli("token", "LiveApp/stream1", "--json", "-c", str(config)).stdout)
    assert set(view["forms"]) == {"jwt", "webrtc"}
    assert "[applications.LiveApp]" in view["forms_missing"]


def test_a_form_of_the_other_direction_is_refused(tmp_path: Path) -> None:
    config = _file(tmp_path)
    scope = ("token", "LiveApp/stream1", "--type", "publish", "-c", str(config))
    refused = run_cli(*scope, "--format", "hls")
    assert refused.returncode == 2
    assert "the forms are jwt, rtmp, obs, webrtc" in refused.stderr


def test_json_lists_every_form(tmp_path: Path) -> None:
    config = _file(tmp_path)
    view = json.loads(run_cli("token", "LiveApp/stream1", "--json", "-c", str(config)).stdout)
    assert list(view["forms"]) == ["jwt", "hls", "player", "webrtc"]
    assert view["forms"]["jwt"] == view["token"]
    assert _query_token(view["forms"]["hls"]) == view["token"]
    assert "forms_missing" not in view


def test_check_validates_host(tmp_path: Path) -> None:
    assert run_cli("check", str(_file(tmp_path))).returncode == 0
    bad = _file(tmp_path, host="https://ams.example.com/LiveApp")
    result = run_cli("check", str(bad))
    assert result.returncode == 2
    assert (
        f"{bad}:3: applications.LiveApp.host: error: 'https://ams.example.com/LiveApp' is not "
        "a host name with an optional port"
    ) in result.stderr


def test_on_a_server_the_forms_use_its_url_and_its_server_accepts_the_token(
    tmp_path: Path, antmedia: AntMediaEmulator
) -> None:
    prod = on_antmedia(tmp_path, antmedia)
    for fmt, direction in (("hls", "play"), ("player", "play"), ("rtmp", "publish")):
        issued = prod.run("token", "LiveApp/stream1", "--type", direction, "--format", fmt)
        assert issued.returncode == 0, issued.stderr
        url = issued.stdout.strip()
        netloc = urlsplit(antmedia.base_url).netloc
        expected = f"rtmp://{netloc.rsplit(':', 1)[0]}" if fmt == "rtmp" else antmedia.base_url
        assert url.startswith(f"{expected}/LiveApp/")
        stream = parse_qs(urlsplit(url).query).get("id", ["stream1"])[0]
        assert antmedia.state.verify_stream_token("LiveApp", stream, direction, _query_token(url))


def test_the_hls_url_is_served_by_the_server_that_enforces_play_jwt(
    tmp_path: Path, antmedia: AntMediaEmulator
) -> None:
    hostile = "lobby cam?#&é"
    antmedia.state.add_broadcasts("WebRTCAppEE", [hostile])
    prod = on_antmedia(tmp_path, antmedia)
    for stream in ("room-101", hostile):
        issued = prod.run("token", f"WebRTCAppEE/{stream}", "--format", "hls")
        assert issued.returncode == 0, issued.stderr
        url = issued.stdout.strip()
        assert httpx.get(url).status_code == 200
        without_token = url.split("?", 1)[0]
        assert httpx.get(without_token).status_code == 403


def _curl_after_a_rotation(theo: OneServer) -> subprocess.CompletedProcess[str]:
    """``token --format curl`` for sports-main, once it has a key of ours."""
    rotated = theo.run("rotate", "sports/sports-main", "--generate", "HS256")
    assert rotated.returncode == 0, rotated.stderr
    curl = theo.run("token", "sports/sports-main", "--format", "curl")
    assert curl.returncode == 0, curl.stderr
    return curl


def test_theolive_curl_carries_a_token_the_cdn_accepts(
    tmp_path: Path, theolive: TheoLiveEmulator
) -> None:
    theo = on_theolive(tmp_path, theolive)
    curl = _curl_after_a_rotation(theo)
    argv = shlex.split(curl.stdout)
    header = argv[argv.index("-H") + 1]
    assert header.startswith("Authorization: Bearer ")
    assert argv[-1] == "https://discovery.theo.live/channels/sports-main/stream/main.m3u8"
    token = header.removeprefix("Authorization: Bearer ")
    assert theolive.state.verify_viewer_token("sports-main", token)


def test_theolive_curl_fetches_the_play_url_and_is_let_in(
    tmp_path: Path, theolive: TheoLiveEmulator
) -> None:
    theo = on_theolive(tmp_path, theolive, play_url=f"{theolive.base_url}/play/{{alias}}")
    argv = shlex.split(_curl_after_a_rotation(theo).stdout)
    url, header = argv[-1], argv[argv.index("-H") + 1]
    assert url == f"{theolive.base_url}/play/sports-main"
    name, _, value = header.partition(": ")
    assert httpx.get(url, headers={name: value}).status_code == 200
    assert httpx.get(url).status_code == 403
