"""SVG snapshots of the compare view (issue 16) on two Ant Media emulators, a THEOlive one and
a server that is down, with a fixed clock, a fixed terminal size and no animations. Update
them only after looking at snapshot_report.html:
``pytest tests/tui/test_compare_snapshots.py --snapshot-update``."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot

from tests.emulators.antmedia_state import ADMIN_PASSWORD, SERVER_SECRET, VENDOR_EXAMPLE_SECRET

from .conftest import FleetLab
from .fleet_support import compare_console
from .remote_support import settle
from .snapshot_text import leaked, secret_windows, shown_text

ROTATED = "production-rotated-this-one-0123456789abcdef"


async def _compared(pilot: Pilot[None]) -> None:
    await settle(pilot)
    await pilot.press("c")
    await settle(pilot)


@pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
def test_compare_view(  # type: ignore[no-untyped-def]
    snap_compare,
    size: tuple[int, int],
    fleet_lab: FleetLab,
) -> None:
    fleet_lab.us.state.update_settings(
        "LiveApp", playJwtControlEnabled=True, jwtStreamSecretKey=ROTATED
    )
    app = compare_console(fleet_lab)
    assert snap_compare(app, terminal_size=size, run_before=_compared)


def test_these_snapshots_show_no_secret_or_address() -> None:
    svgs = sorted((Path(__file__).parent / "__snapshots__" / Path(__file__).stem).glob("*.svg"))
    assert len(svgs) == 2
    secrets = (ROTATED, VENDOR_EXAMPLE_SECRET, ADMIN_PASSWORD, SERVER_SECRET)
    windows = secret_windows(secrets)
    for svg in svgs:
        raw = svg.read_text("utf-8")
        shown = shown_text(raw)
        assert "hs:w0-gjwQH4bK2qeJiRt0P3Q" in shown, svg.name  # the rotated key's fingerprint
        assert not leaked(raw, windows), f"{svg.name}: a secret"
        assert "127.0.0.1" not in shown, svg.name
