"""The compare view (``c``, issue 16): the selection on every server of the config side by
side, on two Ant Media emulators, a THEOlive one and a server that is down, all at once."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from streamconsole.core.glyphs import ASCII
from streamconsole.core.model import ScopeRef
from streamconsole.tui.compare import CompareScreen, start_compare
from streamconsole.tui.sources import SourceOpener
from tests.emulators.hostile_names import hostile_segment

from .conftest import AppFactory, FleetLab, console, current, fixed_clock, text_of
from .fleet_support import compare_console, until
from .remote_support import console_on, settle


def compare_screen(pilot: Pilot[None]) -> CompareScreen:
    screen = pilot.app.screen
    assert isinstance(screen, CompareScreen)
    return screen


def shown(pilot: Pilot[None], widget: str) -> str:
    return text_of(compare_screen(pilot).query_one(widget, Static))


async def test_one_application_on_every_server_with_the_difference_highlighted(
    fleet_lab: FleetLab,
) -> None:
    fleet_lab.us.state.update_settings("LiveApp", playJwtControlEnabled=True)
    app = compare_console(fleet_lab)
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
        fleet_lab.us.state.update_settings("LiveApp", playJwtControlEnabled=False)
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert compare_screen(pilot).rows["us"]["play"] is False
        assert shown(pilot, "#compare-summary").startswith("LiveApp on 4 servers: the same on")
        await pilot.press("escape")
        assert not isinstance(pilot.app.screen, CompareScreen)


async def test_an_alias_compares_its_own_policy_and_no_secret_is_shown(fleet_lab: FleetLab) -> None:
    app = compare_console(fleet_lab)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        start_compare(app, app.switcher, ScopeRef("sports", "sports-main"), fixed_clock)
        await settle(pilot)
        rows = compare_screen(pilot).rows
        assert rows["theo"]["play"] is True and rows["theo"]["kind"] == "theolive"
        assert rows["eu"]["error"] == "no sports/sports-main on this server"
        table = shown(pilot, "#compare-table")
        for secret in (fleet_lab.eu.admin_password, fleet_lab.theo.api_secret):
            assert secret not in table


async def test_a_server_that_hangs_is_marked_reading_while_the_others_show(
    fleet_lab: FleetLab,
) -> None:
    app = compare_console(fleet_lab)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        fleet_lab.us.faults.hang(times=None)
        await pilot.press("c")
        screen = compare_screen(pilot)
        await until(pilot, lambda: len(screen.rows) == 3)
        assert sorted(screen.rows) == ["down", "eu", "theo"]
        lines = shown(pilot, "#compare-table").splitlines()
        assert lines[2].split() == ["us", "reading…"]
        assert shown(pilot, "#compare-summary").startswith("LiveApp on 4 servers: reading 1 of 4")
        # The console answers meanwhile, and closing the view cancels the read still running.
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(pilot.app.screen, CompareScreen)
        assert "us" not in screen.rows


async def test_names_from_servers_are_inert_on_the_compare_view(fleet_lab: FleetLab) -> None:
    name = hostile_segment("Evil")
    for emulator in (fleet_lab.eu, fleet_lab.us):
        emulator.state.add_application(name, playJwtControlEnabled=True)
    app = compare_console(fleet_lab)
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


async def test_the_palette_offers_compare_where_there_are_servers(fleet_lab: FleetLab) -> None:
    app = compare_console(fleet_lab)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        commands = {c.title: c for c in app.get_system_commands(app.main_screen)}
        commands["Compare across servers"].callback()
        await settle(pilot)
        assert compare_screen(pilot).rows["us"]["play"] is False


async def test_the_compare_view_in_ascii(fleet_lab: FleetLab) -> None:
    fleet_lab.us.faults.hang(times=None)
    app = compare_console(fleet_lab, glyphs=ASCII)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("c")
        screen = compare_screen(pilot)
        await until(pilot, lambda: len(screen.rows) == 3)
        texts = [shown(pilot, f"#compare-{part}") for part in ("summary", "table", "hint")]
        assert "reading..." in texts[1] and texts[2] == "ctrl+r reads again - escape closes"
        assert texts[1].splitlines()[1].split()[:5] == ["eu", "Ant", "Media", "on", "off"]
        assert [text for text in texts if not text.isascii()] == []
        await pilot.press("escape")
