"""The console's probe (``e``) on the Ant Media emulator: enforcement on, off, and a key the
server changed after the console read it; and what it says on a file."""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import Static

from streamconsole.core.probe import Outcome, overall
from streamconsole.tui.probe_report import ProbeReport
from tests.emulators import AntMediaEmulator

from .conftest import AppFactory, console, current, text_of
from .remote_support import antmedia_source, console_on, settle


def report(pilot: Pilot[None]) -> ProbeReport:
    screen = pilot.app.screen
    assert isinstance(screen, ProbeReport)
    return screen


def shown(pilot: Pilot[None], widget: str) -> str:
    return text_of(report(pilot).query_one(widget, Static))


async def test_probe_enforced_as_configured(antmedia: AntMediaEmulator) -> None:
    async with console_on(antmedia_source(antmedia)).run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("down")
        assert current(pilot) == "WebRTCAppEE"
        await pilot.press("e")
        await settle(pilot)
        results = report(pilot).results
        assert results is not None and overall(results) is Outcome.AS_CONFIGURED
        assert shown(pilot, "#probe-summary") == "Enforcement is live as configured."
        table = shown(pilot, "#probe-table")
        assert "WebRTCAppEE  play     enforced    403       404          403" in table
        assert "not probed: publish goes over RTMP" in table
        await pilot.press("escape")
        assert not isinstance(pilot.app.screen, ProbeReport)
        app = console(pilot)
        titles = [c.title for c in app.get_system_commands(app.main_screen)]
        assert "Probe enforcement: WebRTCAppEE" in titles


async def test_probe_off_as_configured(antmedia: AntMediaEmulator) -> None:
    async with console_on(antmedia_source(antmedia)).run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert current(pilot) == "LiveApp"
        await pilot.press("e")
        await settle(pilot)
        assert "not enforced, as configured" in shown(pilot, "#probe-table")
        assert report(pilot).query_one("#probe-summary").has_class("-as-configured")


async def test_probe_shows_a_key_changed_on_the_server(antmedia: AntMediaEmulator) -> None:
    async with console_on(antmedia_source(antmedia)).run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        antmedia.state.update_settings(
            "WebRTCAppEE", jwtStreamSecretKey="another-admin-rotated-this-secret-0123456789"
        )
        await pilot.press("down", "e")
        await settle(pilot)
        assert shown(pilot, "#probe-summary").startswith("MISMATCH")
        assert "valid tokens refused (key mismatch?)" in shown(pilot, "#probe-table")
        assert report(pilot).query_one("#probe-summary").has_class("-mismatch")


async def test_probe_on_a_file_says_to_open_a_server(make_app: AppFactory) -> None:
    async with make_app().run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await pilot.pause()
        assert not isinstance(pilot.app.screen, ProbeReport)
        app = console(pilot)
        titles = [c.title for c in app.get_system_commands(app.main_screen)]
        assert not any(title.startswith("Probe") for title in titles)
        note = text_of(console(pilot).main_screen.query_one("#status-note", Static))
        assert "open one of the config's servers (o) first" in note
