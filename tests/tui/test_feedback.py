"""Where the console says things: routine feedback in the status line (no toast over the
detail it is about), toasts for errors only, once each, away from the detail."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Static
from textual.widgets._toast import Toast

from streamconsole.backends.toml_file import TomlSource
from streamconsole.tui import status_note
from streamconsole.tui.app import StreamConsoleApp
from streamconsole.tui.messages import Noted
from streamconsole.tui.token_preview import TokenPreviewScreen
from tests.emulators import AntMediaEmulator

from .conftest import (
    AppFactory,
    Notes,
    console,
    detail_text,
    fixed_clock,
    text_of,
    wait_loaded,
)
from .remote_support import antmedia_source, console_on, settle
from .screen_host import record_rows_written
from .test_shell import FailingSaveSource


def note(pilot: Pilot[None]) -> str:
    widget = console(pilot).main_screen.query_one("#status-note", Static)
    return text_of(widget) if widget.display else ""


async def test_a_toggle_says_what_it_did_in_the_status_line_not_in_a_toast(
    make_app: AppFactory, notes: Notes
) -> None:
    async with make_app().run_test(size=(80, 24), message_hook=notes.hook) as pilot:
        await wait_loaded(pilot)
        await pilot.press("l")
        assert note(pilot) == "Play JWT on for LiveApp (unsaved)"
        await pilot.press("ctrl+s")
        await wait_loaded(pilot)
        assert note(pilot) == "Saved 1 change to console.toml."  # the next key's own
        assert notes.toasts == 0


async def test_what_one_key_says_is_shown_together(make_app: AppFactory) -> None:
    async with make_app().run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("down", "l")  # a stream: Ant Media edits its application
        await pilot.pause()
        shown = note(pilot)  # the outcome first: the status line may cut the rest
        assert shown.startswith("Play JWT on for LiveApp (unsaved) · ")
        assert "Ant Media enforces JWT per application" in shown


async def test_a_refused_toggle_says_why_in_the_status_line(
    make_app: AppFactory, notes: Notes
) -> None:
    async with make_app().run_test(message_hook=notes.hook) as pilot:
        await wait_loaded(pilot)
        await pilot.press("slash", *"evening", "enter", "down", "p")
        assert "THEOlive has no publish JWT control" in note(pilot)
        assert notes.toasts == 0


async def test_a_failed_save_is_one_toast_however_often_it_is_retried(
    config_path: Path, notes: Notes
) -> None:
    app = StreamConsoleApp(FailingSaveSource(TomlSource(config_path)), clock=fixed_clock)
    async with app.run_test(message_hook=notes.hook) as pilot:
        await wait_loaded(pilot)
        await pilot.press("l")
        for _ in range(3):
            await pilot.press("ctrl+s")
            await wait_loaded(pilot)
        assert notes.toasts == 1
        assert notes.any("unexpected OSError")


async def test_a_save_the_server_refuses_is_one_toast_however_often_it_is_retried(
    antmedia: AntMediaEmulator, notes: Notes
) -> None:
    # WebRTCAppEE holds play JWT and one-time tokens: Ant Media refuses every save of it.
    async with console_on(antmedia_source(antmedia)).run_test(message_hook=notes.hook) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"WebRTC", "enter", "p")
        for _ in range(3):
            await pilot.press("ctrl+s")
            await settle(pilot)
        assert notes.any("Not saved")
        assert notes.toasts == 1


async def test_error_toasts_keep_clear_of_the_detail(make_app: AppFactory) -> None:
    for size in ((80, 24), (120, 40)):
        app = make_app(read_only=True)
        async with app.run_test(size=size, notifications=True) as pilot:
            await wait_loaded(pilot)
            await pilot.press("p")  # refused: read-only
            await pilot.pause()
            toasts = list(pilot.app.screen.query(Toast))
            assert len(toasts) == 1
            detail = console(pilot).main_screen.detail.region
            assert not toasts[0].region.overlaps(detail), size


# --- what each action says ------------------------------------------------------------------


async def test_a_reload_says_what_changed(make_app: AppFactory, config_path: Path) -> None:
    async with make_app().run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("ctrl+r")
        await wait_loaded(pilot)
        assert note(pilot) == "Reloaded: nothing changed."

        text = config_path.read_text("utf-8")
        text = text.replace("publish = true\nplay = false", "publish = true\nplay = true", 1)
        text = text.replace('camera-2 = { label = "Lobby camera" }', "camera-3 = {}\ncamera-4 = {}")
        text = text.replace('label = "Morning show"', 'label = "Breakfast show"')
        config_path.write_text(text, encoding="utf-8")
        await pilot.press("ctrl+r")
        await wait_loaded(pilot)
        assert note(pilot) == (
            "Reloaded: 1 application changed, 2 aliases added, 1 alias removed, 1 alias changed."
        )


async def test_counts_read_in_the_singular_for_one(config_path: Path, make_app: AppFactory) -> None:
    config_path.write_text(
        '[applications.Solo]\nkind = "antmedia"\n\n[applications.Solo.aliases]\nonly = {}\n',
        encoding="utf-8",
    )
    async with make_app().run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        status = text_of(console(pilot).main_screen.query_one("#status-text", Static))
        assert "│ 1 application · 1 alias" in status
        assert "Ant Media application · 1 stream\n" in detail_text(pilot)
        await pilot.press("slash", "o", "n")
        status = text_of(console(pilot).main_screen.query_one("#status-text", Static))
        assert "filter: 1 alias matches" in status


async def test_under_another_screen_the_main_screen_redraws_nothing_until_it_is_back(
    make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Textual repaints the whole top screen for any change in the screen below it, or for
    # what it had pending once a timer of its own wakes it: a note shown or gone under the
    # token preview rewrote the whole terminal (6-18 KB) for nothing visible.
    async with make_app().run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot)
        widget = console(pilot).main_screen.query_one("#status-note", Static)
        rows_written = record_rows_written(pilot.app)

        async def noted_under_the_token_preview(text: str, seconds: float) -> None:
            monkeypatch.setattr(status_note, "NOTE_SECONDS", seconds)
            await pilot.pause(0.3)  # the main screen is drawn (an operator's key comes later)
            await pilot.press("t")
            assert isinstance(pilot.app.screen, TokenPreviewScreen)
            await pilot.pause()
            rows_written.clear()
            drawn = (widget.display, text_of(widget))
            pilot.app.post_message(Noted(text))
            await pilot.pause(2.0)  # a note of one second is shown, then over, meanwhile
            assert (widget.display, text_of(widget)) == drawn
            assert set().union(*rows_written) == set()
            await pilot.press("escape")

        await noted_under_the_token_preview("Reloaded: 1 change.", 60.0)
        assert note(pilot) == "Reloaded: 1 change."
        await noted_under_the_token_preview("Reloaded: 2 changes.", 1.0)
        assert note(pilot) == ""
