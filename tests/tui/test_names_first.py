"""The console on an Ant Media server shows the applications as soon as the list call
answers: their policy cells say "not read yet" (◌) while the settings are fetched, those on
screen first; edits there are refused until they are in; a failure stays on its row."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import App
from textual.css.query import NoMatches
from textual.pilot import Pilot
from textual.widgets import Static

from streamconsole.backends.base import ListsFirst
from streamconsole.core.glyphs import ASCII
from streamconsole.tui.alias_loader import AliasLoader
from streamconsole.tui.main_screen import MainScreen
from tests.emulators import AntMediaEmulator

from .conftest import Notes, console, current, detail_text, row_text, scope_list, text_of
from .remote_support import HeldSettings, antmedia_source, console_on, settle
from .test_terminal import not_ascii, screen_text

SETTINGS = "/rest/v2/applications/settings/"
LATENCY = 0.02  # seconds the emulator adds to every request, as a server over a network


def status(pilot: Pilot[None]) -> str:
    return text_of(console(pilot).main_screen.query_one("#status-text", Static))


async def until(pilot: Pilot[None], ready: Callable[[], bool]) -> None:
    for _ in range(500):
        await pilot.pause()
        if ready():
            return
    raise AssertionError("the console never got there")


def on_screen(pilot: Pilot[None]) -> set[str]:
    index = scope_list(pilot).index
    assert index is not None
    return {index.applications[i].name for i in scope_list(pilot).applications_on_screen}


async def test_names_come_before_the_settings_which_come_on_screen_first(
    antmedia: AntMediaEmulator, notes: Notes
) -> None:
    antmedia.state.seed(40, 1)
    antmedia.faults.latency = LATENCY
    # Ten lanes: eight for the background (two kept for the operator), fewer than the rows.
    source = antmedia_source(antmedia, cls=HeldSettings, concurrency=10)
    assert isinstance(source, HeldSettings)
    app = console_on(source)
    async with app.run_test(size=(80, 24), message_hook=notes.hook) as pilot:
        # The list is up while every settings read is held at the gate.
        await until(pilot, lambda: len(source.asked) >= 8)
        assert antmedia.log.count(path=SETTINGS + "*") == 0
        assert current(pilot) == "App00"
        assert row_text(pilot, "App00").rstrip().endswith("AntMedia ◌      P◌ ▶◌")
        assert "40 loading…" in status(pilot)
        assert "Settings not read yet" in detail_text(pilot)
        assert "Publish JWT" not in detail_text(pilot)  # no policy shown from a guess
        # The selection first, then the rest of the screen, as many as the lanes allow.
        assert source.asked[0] == "App00"
        assert set(source.asked) <= on_screen(pilot) and len(set(source.asked)) == 8
        # Edits wait for the settings: refused, saying so, nothing pending or written.
        notes.clear()
        await pilot.press("p", "l", "r", "t")
        assert notes.any("App00: settings not read from lab yet")
        assert isinstance(app.screen, MainScreen)
        assert app.session is not None and app.session.pending == ()
        await pilot.press("end")
        await pilot.pause()
        assert current(pilot) == "App39"
        assert "App39" in source.asked[8:]  # the new selection is read at once
        seen = on_screen(pilot) - {"App39"}
        source.gate.set()
        await settle(pilot)
        later = [name for name in source.asked[8:] if name not in ("App00", "App39")]
        assert set(later[: len(seen)]) == seen, later  # what is seen comes next
        assert sorted(set(source.asked)) == [f"App{i:02d}" for i in range(40)]
        assert "loading" not in status(pilot)
        assert "P○ ▶●" in row_text(pilot, "App39")  # seeded: play on, publish off
        assert "App39 (1)" in row_text(pilot, "App39")  # then its streams
        await pilot.press("l")
        assert app.session.pending != ()  # read now: it can be edited
    assert antmedia.log.count(method="POST", path=SETTINGS + "*") == 0


async def test_one_application_whose_settings_fail_is_marked_the_rest_are_read(
    antmedia: AntMediaEmulator, notes: Notes
) -> None:
    antmedia.state.seed(40, 1)
    antmedia.faults.latency = LATENCY
    antmedia.faults.html_error(500, times=None, path=SETTINGS + "App03")
    source = antmedia_source(antmedia, cls=HeldSettings)
    assert isinstance(source, HeldSettings)
    async with console_on(source).run_test(size=(80, 24), message_hook=notes.hook) as pilot:
        await until(pilot, lambda: len(source.asked) >= 8)
        assert "P◌ ▶◌" in row_text(pilot, "App03")  # not read yet, not failed yet
        source.gate.set()
        await settle(pilot)
        assert notes.any("App03: GET /rest/v2/applications/settings/App03: HTTP 500")
        row = row_text(pilot, "App03")
        assert "P? ▶?" in row and row.rstrip().endswith("✗")
        assert "✗ 1 not read" in status(pilot)
        assert "P○ ▶○" in row_text(pilot, "App04")  # the others are read
        await pilot.press(*["down"] * 3)
        assert current(pilot) == "App03"
        assert "App03 could not be read" in detail_text(pilot)
        assert "Settings not read yet" not in detail_text(pilot)
        notes.clear()
        await pilot.press("p")
        assert notes.any("App03: not read from lab, so the policy is unknown")


async def test_refused_credentials_on_the_settings_leave_the_names_marked_unread(
    antmedia: AntMediaEmulator, notes: Notes
) -> None:
    antmedia.state.seed(200, 1)  # more than the background's 62 lanes
    antmedia.faults.fail(401, times=None, path=SETTINGS + "*")
    async with console_on(antmedia_source(antmedia)).run_test(message_hook=notes.hook) as pilot:
        await settle(pilot)
        assert "✗ 200 not read" in status(pilot)  # listed, then not read: still on screen
        assert "loading" not in status(pilot)
        assert notes.any("HTTP 401")
        assert "P? ▶?" in row_text(pilot, "App000")
        # One login to list, then one for all the reads refused on its session (a login per
        # application would lock a real account); and no read after the refusal.
        assert antmedia.log.count(path="/rest/v2/users/authenticate") == 2
        assert antmedia.log.count(path=SETTINGS + "*") < 200
        await pilot.press("end")
        assert "not fetched: GET /" in detail_text(pilot)


async def test_not_read_yet_in_ascii(antmedia: AntMediaEmulator) -> None:
    source = antmedia_source(antmedia, cls=HeldSettings)
    assert isinstance(source, HeldSettings)
    async with console_on(source, glyphs=ASCII).run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: len(source.asked) == 3)
        assert row_text(pilot, "VodApp").rstrip().endswith("AntMedia ~      P~ >~")
        assert "~ Settings not read yet" in detail_text(pilot)
        assert not_ascii(screen_text(pilot)) == set()


async def test_reads_going_on_while_the_console_quits_find_no_screen_and_go_on(
    antmedia: AntMediaEmulator,
) -> None:
    # Quitting removes the screens before the workers stop: a read that ended in between
    # asked the gone list what is on screen, and its worker failed with NoMatches.
    antmedia.state.seed(12, 1)
    source = antmedia_source(antmedia)
    assert isinstance(source, ListsFirst)
    config = await source.list_applications()

    def screen_gone() -> list[str]:
        raise NoMatches("No nodes match '#scope-list'")

    async with App[None]().run_test() as pilot:
        loader = AliasLoader(pilot.app, source, config, on_screen=screen_gone)
        loader.start()
        await pilot.app.workers.wait_for_complete()
        failed = [worker for worker in pilot.app.workers if worker.error is not None]
        assert failed == []
        assert all(app.settings_loaded for app in config.applications.values())
    await source.aclose()
