"""``play_url`` in a THEOlive server profile: where the probe asks for an alias's stream."""

from __future__ import annotations

from pathlib import Path

import pytest

from streamconsole.backends.base import ConfigError
from streamconsole.backends.toml_config import parse_config
from tests.cli.conftest import run_cli


def _config(tmp_path: Path, kind: str, play_url: str) -> tuple[str, Path]:
    text = (
        f'[servers.s]\nkind = "{kind}"\nurl = "https://api.example.com"\n'
        f'credentials_env = "SC_S"\nplay_url = "{play_url}"\n'
    )
    return text, tmp_path / "c.toml"


def test_a_theolive_play_url_with_alias_and_channel_is_kept(tmp_path: Path) -> None:
    url = "https://cdn.example.com/{channel}/{alias}/main.m3u8"
    config, warnings = parse_config(*_config(tmp_path, "theolive", url))
    assert config.servers["s"].play_url == url
    assert warnings == ()


@pytest.mark.parametrize(
    ("kind", "play_url", "message"),
    [
        ("theolive", "https://cdn.example.com/main.m3u8", "play_url takes {alias} and {channel}"),
        ("theolive", "https://cdn.example.com/{alias}/{stream}", "'{stream}' is not one"),
        ("theolive", "https://cdn.example.com/{alias}/{", "a brace that closes no"),
        ("theolive", "ftp://cdn.example.com/{alias}", "is not an http(s) URL"),
        ("theolive", "{alias}", "is not an http(s) URL"),
        ("antmedia", "https://cdn.example.com/{alias}", "play_url is for theolive servers"),
    ],
)
def test_a_bad_play_url_is_an_error_at_its_place(
    tmp_path: Path, kind: str, play_url: str, message: str
) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_config(*_config(tmp_path, kind, play_url))
    [problem] = raised.value.problems
    assert problem.path == "servers.s.play_url"
    assert problem.line == 5
    assert message in problem.message


def test_plain_http_play_url_off_this_machine_is_warned(tmp_path: Path) -> None:
    _, warnings = parse_config(*_config(tmp_path, "theolive", "http://cdn.example.com/{alias}"))
    [warning] = warnings
    assert warning.path == "servers.s.play_url"
    assert "plain http to cdn.example.com" in warning.message


def test_check_reports_a_bad_play_url_at_its_line(tmp_path: Path) -> None:
    text, path = _config(tmp_path, "theolive", "https://cdn.example.com/{stream}")
    path.write_text(text)
    done = run_cli("check", str(path))
    assert done.returncode == 2
    assert f"{path}:5: servers.s.play_url: error: play_url takes {{alias}}" in done.stderr
