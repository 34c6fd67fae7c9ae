"""The compare view (``c``, issue 16): the selection on every server of the config side by
side, on two Ant Media emulators, a THEOlive one and a server that is down, all at once."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from streamconsole.core.glyphs import ASCII, UNICODE, Glyphs
from streamconsole.core.model import ScopeRef
from streamconsole.tui.app import StreamConsoleApp
from streamconsole.tui.compare import CompareScreen, start_compare
from streamconsole.tui.sources import SourceOpener
from tests.emulators import AntMediaEmulator, TheoLiveEmulator
from tests.emulators.hostile_names import hostile_segment

from .conftest import AppFactory, console, current, fixed_clock, text_of
from .remote_support import console_on, settle

# Nothing listens on the discard port: a server that is down, at an address that stays put.
DOWN_URL = "http://127.0.0.1:9"


def fleet_config(
    directory: Path, eu: AntMediaEmulator, us: AntMediaEmulator, theo: TheoLiveEmulator
) -> Path:
    """eu and us (Ant Media), theo (THEOlive) and down, in that order."""
    servers = [
        ("eu", "antmedia", eu.base_url, "SC_AMS"),
        ("us", "antmedia", us.base_url, "SC_AMS"),
        ("theo", "theolive", theo.base_url, "SC_THEO"),
        ("down", "antmedia", DOWN_URL, "SC_AMS"),
    ]
    config = directory / "fleet.toml"
    config.write_text(
        "".join(
            f'[servers.{name}]\nkind = "{kind}"\nurl = "{url}"\ncredentials_env = "{env}"\n'
            for name, kind, url, env in servers
        )
    )
    return config


def fleet_console(
    directory: Path,
    eu: AntMediaEmulator,
    us: AntMediaEmulator,
    theo: TheoLiveEmulator,
    glyphs: Glyphs = UNICODE,
) -> StreamConsoleApp:
    """The console on eu, with the fleet's other servers to compare against."""
    environ = {
        "SC_AMS": f"{eu.admin_email}:{eu.admin_password}",
        "SC_THEO": f"{theo.api_key}:{theo.api_secret}",
    }
    opener = SourceOpener(fleet_config(directory, eu, us, theo), environ=environ)
    return console_on(opener.open("eu"), opener=opener, server="eu", glyphs=glyphs)


def compare_screen(pilot: Pilot[None]) -> CompareScreen:
    screen = pilot.app.screen
    assert isinstance(screen, CompareScreen)
    return screen


def shown(pilot: Pilot[None], widget: str) -> str:
    return text_of(compare_screen(pilot).query_one(widget, Static))


async def test_one_application_on_every_server_with_the_difference_highlighted(
    tmp_path: Path,
    antmedia: AntMediaEmulator,
    antmedia_us: AntMediaEmulator,
    theolive: TheoLiveEmulator,
) -> None:
    antmedia_us.state.update_settings("LiveApp", playJwtControlEnabled=True)
    app = fleet_console(tmp_path, antmedia, antmedia_us, theolive)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert current(pilot) == "LiveApp"
        await pilot.press("c")
        await settle(pilot)
        screen = compare_screen(pilot)
        assert screen.servers == ["eu", "us", "theo", "down"]
        assert [(s, screen.rows[s]["play"]) for s in ("eu", "us")] == [("eu", False), ("us", True)]
        assert screen.rows["theo"]["error"] == "no LiveApp on this server"
        assert "cannot connect" in screen.rows["down"]["error"]
        summary = shown(pilot, "#compare-summary")
        assert summary == (
            "LiveApp on 4 servers: play differs (highlighted) · missing or unread on 2: theo, down"
        )
        lines = shown(pilot, "#compare-table").splitlines()
        assert lines[0].split() == [
            "SERVER",
            "KIND",
            "PUBLISH",
            "PLAY",
            "KEY",
            "FINGERPRINT",
            "KEY",
            "AGE",
        ]
        assert lines[1].split()[:5] == ["eu", "Ant", "Media", "on", "off"]
        assert lines[2].split()[:5] == ["us", "Ant", "Media", "on", "on"]
        assert lines[3].split(maxsplit=1) == ["theo", "no LiveApp on this server"]
        assert lines[4].startswith("down") and "cannot connect" in lines[4]
        # The odd one out is highlighted, and only it.
        table = compare_screen(pilot).query_one("#compare-table", Static).content
        highlighted = [
            str(table)[span.start : span.end]
            for span in table.spans
            if "reverse" in str(span.style)
        ]
        assert highlighted == ["on  "]
        # Set right on the server, then read again: no drift left.
        antmedia_us.state.update_settings("LiveApp", playJwtControlEnabled=False)
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert compare_screen(pilot).rows["us"]["play"] is False
        assert shown(pilot, "#compare-summary").startswith("LiveApp on 4 servers: the same on")
        await pilot.press("escape")
        assert not isinstance(pilot.app.screen, CompareScreen)


async def test_an_alias_compares_its_own_policy_and_no_secret_is_shown(
    tmp_path: Path,
    antmedia: AntMediaEmulator,
    antmedia_us: AntMediaEmulator,
    theolive: TheoLiveEmulator,
) -> None:
    app = fleet_console(tmp_path, antmedia, antmedia_us, theolive)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        start_compare(app, app.switcher, ScopeRef("sports", "sports-main"), fixed_clock)
        await settle(pilot)
        rows = compare_screen(pilot).rows
        assert rows["theo"]["play"] is True and rows["theo"]["kind"] == "theolive"
        assert rows["eu"]["error"] == "no sports/sports-main on this server"
        table = shown(pilot, "#compare-table")
        for secret in (antmedia.admin_password, theolive.api_secret):
            assert secret not in table


async def test_a_server_that_hangs_is_marked_reading_while_the_others_show(
    tmp_path: Path,
    antmedia: AntMediaEmulator,
    antmedia_us: AntMediaEmulator,
    theolive: TheoLiveEmulator,
) -> None:
    app = fleet_console(tmp_path, antmedia, antmedia_us, theolive)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        antmedia_us.faults.hang(times=None)
        await pilot.press("c")
        screen = compare_screen(pilot)
        for _ in range(500):
            if len(screen.rows) == 3:
                break
            await pilot.pause(0.01)
        assert sorted(screen.rows) == ["down", "eu", "theo"]
        lines = shown(pilot, "#compare-table").splitlines()
        assert lines[2].split() == ["us", "reading…"]
        assert shown(pilot, "#compare-summary").startswith("LiveApp on 4 servers: reading 1 of 4")
        # The console answers meanwhile, and closing the view cancels the read still running.
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(pilot.app.screen, CompareScreen)
        assert "us" not in screen.rows


async def test_names_from_servers_are_inert_on_the_compare_view(
    tmp_path: Path,
    antmedia: AntMediaEmulator,
    antmedia_us: AntMediaEmulator,
    theolive: TheoLiveEmulator,
) -> None:
    name = hostile_segment("Evil")
    for emulator in (antmedia, antmedia_us):
        emulator.state.add_application(name, playJwtControlEnabled=True)
    app = fleet_console(tmp_path, antmedia, antmedia_us, theolive)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        start_compare(app, app.switcher, ScopeRef(name), fixed_clock)
        await settle(pilot)
        assert compare_screen(pilot).rows["eu"]["play"] is True
        for widget in ("#compare-title", "#compare-summary", "#compare-table"):
            text = shown(pilot, widget)
            assert "\u202e" not in text and "\\u202e" in text, widget
        assert "[bold red]markup" in shown(pilot, "#compare-table")  # as text, not markup


async def test_compare_on_a_file_without_servers_says_why(
    config_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(config_path.parent)
    opener = SourceOpener(Path(config_path.name))
    async with console_on(opener.open(None), opener=opener).run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await pilot.pause()
        assert not isinstance(pilot.app.screen, CompareScreen)
        app = console(pilot)
        titles = [c.title for c in app.get_system_commands(app.main_screen)]
        assert "Compare across servers" not in titles
        note = text_of(app.main_screen.query_one("#status-note", Static))
        assert "Compare needs a config file with [servers.NAME]" in note


async def test_no_compare_without_the_config_file(make_app: AppFactory) -> None:
    async with make_app().run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await pilot.pause()
        assert not isinstance(pilot.app.screen, CompareScreen)
        assert not console(pilot).main_screen.query_one("#status-note", Static).content


async def test_the_palette_offers_compare_where_there_are_servers(
    tmp_path: Path,
    antmedia: AntMediaEmulator,
    antmedia_us: AntMediaEmulator,
    theolive: TheoLiveEmulator,
) -> None:
    app = fleet_console(tmp_path, antmedia, antmedia_us, theolive)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        commands = {c.title: c for c in app.get_system_commands(app.main_screen)}
        commands["Compare across servers"].callback()
        await settle(pilot)
        assert compare_screen(pilot).rows["us"]["play"] is False


async def test_the_compare_view_in_ascii(
    tmp_path: Path,
    antmedia: AntMediaEmulator,
    antmedia_us: AntMediaEmulator,
    theolive: TheoLiveEmulator,
) -> None:
    antmedia_us.faults.hang(times=None)
    app = fleet_console(tmp_path, antmedia, antmedia_us, theolive, glyphs=ASCII)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("c")
        screen = compare_screen(pilot)
        for _ in range(500):
            if len(screen.rows) == 3:
                break
            await pilot.pause(0.01)
        texts = [shown(pilot, f"#compare-{part}") for part in ("summary", "table", "hint")]
        assert "reading..." in texts[1] and texts[2] == "ctrl+r reads again - escape closes"
        assert texts[1].splitlines()[1].split()[:5] == ["eu", "Ant", "Media", "on", "off"]
        assert [text for text in texts if not text.isascii()] == []
        await pilot.press("escape")
