"""SVG snapshots of the console (pytest-textual-snapshot), with a fixed clock, fixed keys,
no animations, no cursor blink and a fixed terminal size. Update them only after looking at
snapshot_report.html: ``pytest tests/tui/test_snapshots.py --snapshot-update``."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot

from .conftest import SECRETS, AppFactory, wait_loaded
from .snapshot_text import leaked, secret_windows

TESTS = Path(__file__).parent.parent


async def _loaded(pilot: Pilot[None]) -> None:
    await wait_loaded(pilot)


def _select(*keys: str):  # type: ignore[no-untyped-def]
    async def run_before(pilot: Pilot[None]) -> None:
        await wait_loaded(pilot)
        await pilot.press(*keys)
        await pilot.pause()

    return run_before


class TestMainScreen:
    def test_at_80x24(self, snap_compare, make_app: AppFactory) -> None:  # type: ignore[no-untyped-def]
        assert snap_compare(make_app(), terminal_size=(80, 24), run_before=_loaded)

    def test_at_120x40(self, snap_compare, make_app: AppFactory) -> None:  # type: ignore[no-untyped-def]
        assert snap_compare(make_app(), terminal_size=(120, 40), run_before=_loaded)

    def test_alias_with_its_own_policy(self, snap_compare, make_app: AppFactory) -> None:  # type: ignore[no-untyped-def]
        run_before = _select("slash", *"evening", "enter", "down")
        assert snap_compare(make_app(), terminal_size=(120, 40), run_before=run_before)

    def test_unsaved_edits_and_marks(self, snap_compare, make_app: AppFactory) -> None:  # type: ignore[no-untyped-def]
        run_before = _select("l", "x", "x")  # LiveApp's play on (unsaved), two rows marked
        assert snap_compare(make_app(), terminal_size=(120, 40), run_before=run_before)

    def test_full_detail_at_80x24(self, snap_compare, make_app: AppFactory) -> None:  # type: ignore[no-untyped-def]
        run_before = _select("slash", *"evening", "enter", "down", "d")
        assert snap_compare(make_app(), terminal_size=(80, 24), run_before=run_before)

    def test_read_only(self, snap_compare, make_app: AppFactory) -> None:  # type: ignore[no-untyped-def]
        assert snap_compare(make_app(read_only=True), terminal_size=(80, 24), run_before=_loaded)


class TestFeedback:
    def test_an_error_toast_at_80x24(self, snap_compare, make_app: AppFactory) -> None:  # type: ignore[no-untyped-def]
        # Toasts are for errors (a refused write here), at the top left: the detail is below.
        assert snap_compare(
            make_app(read_only=True), terminal_size=(80, 24), run_before=_select("p")
        )

    def test_an_error_toast_at_120x40(self, snap_compare, make_app: AppFactory) -> None:  # type: ignore[no-untyped-def]
        # At the bottom left: the detail is on the right.
        assert snap_compare(
            make_app(read_only=True), terminal_size=(120, 40), run_before=_select("p")
        )


class TestScreens:
    def test_help(self, snap_compare, make_app: AppFactory) -> None:  # type: ignore[no-untyped-def]
        assert snap_compare(make_app(), terminal_size=(100, 40), run_before=_select("?"))

    def test_unsaved_changes_question(self, snap_compare, make_app: AppFactory) -> None:  # type: ignore[no-untyped-def]
        assert snap_compare(make_app(), terminal_size=(80, 24), run_before=_select("p", "q"))

    def test_config_errors(self, snap_compare, make_app: AppFactory, config_path: Path) -> None:  # type: ignore[no-untyped-def]
        config_path.write_text(
            '[applications.broken]\nkind = "wowza"\npublish = "yes"\n', encoding="utf-8"
        )
        assert snap_compare(make_app(), terminal_size=(80, 24), run_before=_loaded)


@pytest.mark.parametrize(
    "theme",
    ["streamconsole-dark", "streamconsole-light", "streamconsole-high-contrast", "ansi-dark"],
)
def test_theme(snap_compare, make_app: AppFactory, theme: str) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(make_app(theme=theme), terminal_size=(100, 30), run_before=_select("down"))


def test_no_secret_appears_in_any_snapshot() -> None:
    svgs = sorted(TESTS.rglob("__snapshots__/**/*.svg"))
    assert svgs, "no snapshots to check"
    windows = secret_windows(SECRETS)
    for svg in svgs:
        assert not leaked(svg.read_text("utf-8"), windows), f"{svg.name} shows secret material"
