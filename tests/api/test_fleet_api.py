"""open_servers: several servers from Python, read concurrently; a down one is listed with
its error, and every value in the notebook tables is escaped (names come from servers)."""

from __future__ import annotations

from pathlib import Path

import pytest

import streamconsole
from streamconsole.backends.base import RemoteError
from streamconsole.core.fleet import UnknownServer
from tests.cli.conftest import Fleet
from tests.emulators import AntMediaEmulator, TheoLiveEmulator

HOSTILE = "<img src=x onerror=alert(1)>&\"'"
OTHER_SECRET = "another-admin-rotated-this-secret-0123456789"


@pytest.fixture
def fleet(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    antmedia: AntMediaEmulator,
    antmedia_us: AntMediaEmulator,
    theolive: TheoLiveEmulator,
) -> Fleet:
    fleet = Fleet(tmp_path, antmedia, antmedia_us, theolive, us_read_only=True)
    for name, value in fleet.env.items():
        monkeypatch.setenv(name, value)
    return fleet


def test_every_server_read_and_the_down_one_listed_with_its_error(fleet: Fleet) -> None:
    servers = streamconsole.open_servers(fleet.config)  # no names: every server
    assert [(r["server"], r["state"], r["read_only"]) for r in servers.servers] == [
        ("eu", "read", False),
        ("us", "read", True),
        ("theo", "read", False),
        ("down", "down", False),
    ]
    assert list(servers.errors) == ["down"]
    rows = {(r["server"], r["scope"]) for r in servers.applications}
    assert {("eu", "LiveApp"), ("us", "VodApp"), ("theo", "sports"), ("down", None)} <= rows
    html = servers._repr_html_()
    assert html.startswith("<table>") and "cannot connect" in html


def test_compare_and_diff(fleet: Fleet) -> None:
    fleet.us.state.update_settings("LiveApp", playJwtControlEnabled=True)
    servers = streamconsole.open_servers(fleet.config, ["eu", "us", "theo"])
    side_by_side = {r["server"]: r for r in servers.compare("LiveApp")}
    assert (side_by_side["eu"]["play"], side_by_side["us"]["play"]) == (False, True)
    assert side_by_side["theo"]["error"] == "no LiveApp on this server"
    streams = {r["server"]: r for r in servers.compare("LiveApp/stream1")}  # the app's policy
    assert (streams["eu"]["play"], streams["us"]["play"]) == (False, True)
    aliases = [(r["server"], r["play"]) for r in servers.compare("sports/sports-main")]
    assert aliases[2] == ("theo", True)
    drift = servers.diff("eu", "us")
    assert not drift.same
    assert drift.data["differences"] == [
        {"scope": "LiveApp", "field": "play", "left": False, "right": True}
    ]
    assert servers.diff("eu", "us", "VodApp").same
    assert "<td>play</td>" in drift._repr_html_()
    with pytest.raises(UnknownServer, match="no server named 'down' here"):
        servers.diff("eu", "down")


def test_a_down_server_cannot_be_diffed_and_unknown_names_are_refused(fleet: Fleet) -> None:
    servers = streamconsole.open_servers(fleet.config, ["eu", "down"])
    with pytest.raises(RemoteError, match="cannot connect"):
        servers.diff("eu", "down")
    with pytest.raises(UnknownServer, match=r"no server named 'elsewhere' \(configured"):
        streamconsole.open_servers(fleet.config, ["eu", "elsewhere"])


def test_probe_on_every_server_reads_them_again_and_names_the_server_of_each_row(
    fleet: Fleet,
) -> None:
    servers = streamconsole.open_servers(fleet.config)
    # After the snapshot: us is switched off (the probe reads it again, so as configured),
    # then eu's key is changed right after that read (so valid tokens are refused).
    fleet.us.state.update_settings("WebRTCAppEE", playJwtControlEnabled=False)
    fleet.eu.edit_after_next_get("WebRTCAppEE", jwtStreamSecretKey=OTHER_SECRET)
    rows = {row["server"]: row for row in servers.probe("WebRTCAppEE", "play")}
    assert list(rows) == ["eu", "us", "theo", "down"]
    assert (rows["eu"]["outcome"], rows["eu"]["verdict"]) == (
        "mismatch",
        "valid tokens refused (key mismatch?)",
    )
    assert (rows["us"]["configured"], rows["us"]["verdict"]) == (
        "off",
        "not enforced, as configured",
    )
    assert (rows["theo"]["outcome"], rows["theo"]["scope"]) == ("not probed", None)
    assert rows["theo"]["error"] == "no application named 'WebRTCAppEE'"
    assert rows["down"]["outcome"] == "inconclusive" and "cannot connect" in rows["down"]["error"]
    assert list(rows["down"]) == list(rows["eu"])  # one set of columns for the HTML table
    html = servers.probe("WebRTCAppEE", "play")._repr_html_()
    assert html.startswith("<table><thead><tr><th>server</th><th>scope</th>")
    assert all(d.header("cookie") is None for d in fleet.eu.deliveries + fleet.us.deliveries)


def test_names_from_a_server_are_escaped_in_every_table(fleet: Fleet) -> None:
    fleet.us.state.add_application(HOSTILE, playJwtControlEnabled=True)
    servers = streamconsole.open_servers(fleet.config, ["eu", "us"])
    views = [
        servers._repr_html_(),
        servers.applications._repr_html_(),
        servers.compare(HOSTILE)._repr_html_(),
        servers.diff("eu", "us")._repr_html_(),
        servers.diff("us", "eu", HOSTILE)._repr_html_(),
        servers.probe(HOSTILE, "play")._repr_html_(),
    ]
    for html in views[1:]:
        assert "&lt;img src=x onerror=alert(1)&gt;&amp;&quot;&#x27;" in html
    for html in views:
        assert "<img" not in html and "&\"'" not in html


def test_a_console_on_one_of_them_for_edits(fleet: Fleet) -> None:
    servers = streamconsole.open_servers(fleet.config, ["eu", "us"])
    with servers.console("eu") as console:
        assert next(row["scope"] for row in console.applications) == "LiveApp"
    with pytest.raises(UnknownServer):
        servers.console("theo")  # configured, but not one of these
