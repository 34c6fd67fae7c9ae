"""SVG snapshots of several servers in one console tree (issue 16): two Ant Media emulators
(us read-only), a THEOlive one and a server that is down, with a fixed clock, a fixed
terminal size, no animations and every load timed as taking no time. Update them only
after looking at snapshot_report.html:
``pytest tests/tui/test_fleet_tree_snapshots.py --snapshot-update``."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot

from tests.emulators.antmedia_state import ADMIN_PASSWORD, SERVER_SECRET, VENDOR_EXAMPLE_SECRET

from .conftest import FleetLab
from .fleet_support import loaded, tree_console
from .snapshot_text import leaked, secret_windows, shown_text


async def _settled(pilot: Pilot[None]) -> None:
    await loaded(pilot)
    pilot.app.clear_notifications()  # a toast's life is wall-clock time
    await pilot.pause()


@pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
def test_several_servers_in_one_tree(  # type: ignore[no-untyped-def]
    snap_compare,
    size: tuple[int, int],
    fleet_lab: FleetLab,
) -> None:
    app = tree_console(fleet_lab)
    assert snap_compare(app, terminal_size=size, run_before=_settled)


def test_these_snapshots_show_no_secret_address_or_port() -> None:
    svgs = sorted((Path(__file__).parent / "__snapshots__" / Path(__file__).stem).glob("*.svg"))
    assert len(svgs) == 2
    secrets = (VENDOR_EXAMPLE_SECRET, ADMIN_PASSWORD, SERVER_SECRET)
    windows = secret_windows(secrets)
    for svg in svgs:
        raw = svg.read_text("utf-8")
        shown = shown_text(raw)
        assert "4 servers" in shown, svg.name
        assert not leaked(raw, windows), f"{svg.name}: a secret"
        assert "127.0.0.1" not in shown and "localhost" not in shown, svg.name
