"""The console over several servers (issue 16), on the fleet the CLI and API tests use
(:class:`tests.cli.conftest.Fleet`: eu and us on Ant Media, theo on THEOlive, down where
nothing listens): as one tree (:func:`tree_console`) or on eu with the others to compare
against (:func:`compare_console`), and the waits their tests share."""

from __future__ import annotations

from collections.abc import Callable

from textual.pilot import Pilot

from streamconsole.backends.toml_file import TomlSource
from streamconsole.core.glyphs import UNICODE, Glyphs
from streamconsole.tui.app import StreamConsoleApp
from streamconsole.tui.sources import SourceOpener

from .conftest import FleetLab, console, fixed_clock
from .remote_support import console_on, settle

SERVERS = ("eu", "us", "theo", "down")


def tree_console(
    lab: FleetLab,
    *,
    servers: tuple[str, ...] = SERVERS,
    us_read_only: bool = True,
    glyphs: Glyphs = UNICODE,
    unset: tuple[str, ...] = (),
) -> StreamConsoleApp:
    """The console on ``servers`` in one tree, its saves kept manual and audited in
    ``lab.audit``, each load timed as taking no time (the snapshots show no machine's
    speed); the credentials variables ``unset`` are not set."""
    fleet = lab.fleet(us_read_only=us_read_only)
    console_table = f'[console]\nsave = "manual"\naudit_log = "{lab.audit}"\n\n'
    fleet.config.write_text(console_table + fleet.servers)
    environ = {name: value for name, value in fleet.env.items() if name not in unset}
    return StreamConsoleApp(
        TomlSource(fleet.config, environ=environ),
        clock=fixed_clock,
        opener=SourceOpener(fleet.config, environ=environ),
        servers=servers,
        glyphs=glyphs,
        timer=lambda: 0.0,
    )


def compare_console(lab: FleetLab, glyphs: Glyphs = UNICODE) -> StreamConsoleApp:
    """The console on eu, with the fleet's other servers to compare against."""
    fleet = lab.fleet(us_read_only=False)
    opener = SourceOpener(fleet.config, environ=fleet.env)
    return console_on(opener.open("eu"), opener=opener, server="eu", glyphs=glyphs)


async def until(pilot: Pilot[None], ready: Callable[[], bool]) -> None:
    for _ in range(1000):
        await pilot.pause(0.01)
        if ready():
            return
    raise AssertionError("the console never got there")


async def loaded(pilot: Pilot[None]) -> None:
    """Until every server was read or failed, and nothing is left running. (A wait for the
    workers alone may come before the servers' load has started: the file is read first.)"""
    app = console(pilot)
    for _ in range(1000):
        await settle(pilot)
        if all(member.latency is not None for member in app.members):
            return
        await pilot.pause(0.01)
    raise AssertionError("the servers did not load")


async def refreshed(pilot: Pilot[None], started: Callable[[], bool]) -> None:
    """ctrl+r, then until every server was read again or failed. The file is read again
    first: ``started`` says the servers' reload began (a wait that misses it, done already,
    goes on: the servers are then loaded)."""
    await pilot.press("ctrl+r")
    for _ in range(1000):
        if started():
            break
        await pilot.pause(0.01)
    await loaded(pilot)
