"""SVG snapshots of the console on a remote source (the Ant Media emulator), with a fixed
clock, a fixed terminal size, no animations and the latency fixed in the status line.
Update them only after looking at snapshot_report.html:
``pytest tests/tui/test_remote_snapshots.py --snapshot-update``."""

from __future__ import annotations

import re
from pathlib import Path

from textual.pilot import Pilot

from tests.emulators import AntMediaEmulator
from tests.emulators.antmedia_state import (
    ADMIN_PASSWORD,
    READ_ONLY_PASSWORD,
    SERVER_SECRET,
    VENDOR_EXAMPLE_SECRET,
)

from .remote_support import HeldSettings, SteadyAntMedia, antmedia_source, console_on, settle
from .snapshot_text import leaked, secret_windows, shown_text

SNAPSHOTS = Path(__file__).parent / "__snapshots__" / Path(__file__).stem
BROKEN = "/rest/v2/applications/settings/VodApp"


def _settled(*keys: str):  # type: ignore[no-untyped-def]
    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press(*keys)
        await settle(pilot)
        # What a toast said is on screen in place too; a toast's life is wall-clock time.
        pilot.app.clear_notifications()
        await pilot.pause()

    return run_before


def test_main_screen_on_a_server(snap_compare, antmedia: AntMediaEmulator) -> None:  # type: ignore[no-untyped-def]
    app = console_on(antmedia_source(antmedia, cls=SteadyAntMedia))
    assert snap_compare(app, terminal_size=(80, 24), run_before=_settled("enter", "down"))


def test_an_application_the_server_could_not_read(  # type: ignore[no-untyped-def]
    snap_compare, antmedia: AntMediaEmulator
) -> None:
    antmedia.faults.html_error(500, times=None, path=BROKEN)
    app = console_on(antmedia_source(antmedia, cls=SteadyAntMedia))
    assert snap_compare(app, terminal_size=(100, 30), run_before=_settled("end"))


def test_the_names_before_their_settings_are_read(  # type: ignore[no-untyped-def]
    snap_compare, antmedia: AntMediaEmulator
) -> None:
    app = console_on(antmedia_source(antmedia, cls=HeldSettings))
    source = app.source
    assert isinstance(source, HeldSettings)

    async def listed(pilot: Pilot[None]) -> None:
        for _ in range(200):  # until the list is up and every settings read held at the gate
            await pilot.pause()
            if len(source.asked) == 3:
                break
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=listed)


def test_these_snapshots_show_no_secret_address_or_port() -> None:
    svgs = sorted(SNAPSHOTS.glob("*.svg"))
    assert len(svgs) == 3, f"expected 3 snapshots in {SNAPSHOTS}"
    secrets = (
        VENDOR_EXAMPLE_SECRET,
        "webrtc-demo-stream-secret-abcdefghijkl",
        "rest-api-secret-not-for-streams-000000",
        ADMIN_PASSWORD,
        READ_ONLY_PASSWORD,
        SERVER_SECRET,
    )
    windows = secret_windows(secrets)
    for svg in svgs:
        raw = svg.read_text("utf-8")
        shown = shown_text(raw)
        assert "lab · admin@example.com · 12 ms" in shown, svg.name  # what the test fixed
        assert not leaked(raw, windows), f"{svg.name}: a secret"
        assert "127.0.0.1" not in shown and "http" not in shown, svg.name
        assert not re.search(r":\d{4,5}\b", shown), f"{svg.name} shows a port"
