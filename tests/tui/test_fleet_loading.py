"""The order in which a tree of several servers is read: each server's names as soon as it
lists them; the settings of its rows on screen next; what is off screen only once every
server has listed its applications (or failed), or the hold's cap passed: on one machine, a
server that answered first must not slow the listing of those still at it."""

from __future__ import annotations

import threading

import pytest
from textual.pilot import Pilot

from streamconsole.tui import fleet_console
from streamconsole.tui.fleet_screen import FleetScreen
from tests.emulators import AntMediaEmulator

from .conftest import FleetLab, console
from .fleet_support import loaded, tree_console, until

LIST = "/rest/v2/applications"
SETTINGS = "/rest/v2/applications/settings/"
APPS = 60  # more than a screen shows at 80×24
LATENCY = 0.02  # seconds the emulators add to every request, as servers over a network


def settings_asked(server: AntMediaEmulator) -> list[str]:
    """The applications whose settings ``server`` was asked for, in order."""
    return [r.app or "" for r in list(server.log.records) if r.path.startswith(SETTINGS)]


def eu_on_screen(pilot: Pilot[None]) -> set[str]:
    screen = console(pilot).main_screen
    assert isinstance(screen, FleetScreen)
    return set(screen.applications_on_screen_of(console(pilot).member_named("eu")))


def eu_settings_read(pilot: Pilot[None], names: set[str]) -> bool:
    session = console(pilot).member_named("eu").session
    if session is None:
        return False
    applications = session.config.applications
    return bool(names) and all(applications[name].settings_loaded for name in names)


async def test_off_screen_settings_wait_until_every_server_has_listed(fleet_lab: FleetLab) -> None:
    fleet_lab.eu.state.seed(APPS, 1)
    for server in (fleet_lab.eu, fleet_lab.us):
        server.faults.latency = LATENCY
    us_lists = threading.Event()  # us answers its listing only once this is set
    fleet_lab.us.faults.after(LIST, lambda: us_lists.wait(timeout=30), times=1)
    app = tree_console(fleet_lab, servers=("eu", "us"))
    async with app.run_test(size=(80, 24)) as pilot:
        try:
            # eu is listed and its rows on screen read while us is still listing.
            await until(pilot, lambda: eu_settings_read(pilot, eu_on_screen(pilot)))
            on_screen = eu_on_screen(pilot)
            assert len(on_screen) < APPS
            for _ in range(30):  # a while, for anything else eu's loader would fetch
                await pilot.pause(0.01)
            assert console(pilot).member_named("us").latency is None  # still listing
            assert set(settings_asked(fleet_lab.eu)) <= on_screen
        finally:
            us_lists.set()
        # us listed: eu's other applications follow, each read once.
        await loaded(pilot)
        await until(pilot, lambda: len(settings_asked(fleet_lab.eu)) == APPS)
        assert sorted(settings_asked(fleet_lab.eu)) == sorted(fleet_lab.eu.state.applications)


async def test_a_server_that_never_lists_holds_the_others_only_so_long(
    fleet_lab: FleetLab,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(fleet_console, "LISTING_HOLD", 0.2)
    fleet_lab.eu.state.seed(APPS, 1)
    fleet_lab.us.faults.hang(path=LIST, method="GET")
    app = tree_console(fleet_lab, servers=("eu", "us"))
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: len(settings_asked(fleet_lab.eu)) == APPS)
        assert console(pilot).member_named("us").latency is None  # us has not answered
