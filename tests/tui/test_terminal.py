"""The console on terminals that can show less (issue 12, item 14): ASCII symbols (the
Linux console, ``--ascii``), 16 colours, and a terminal too small to work in."""

from __future__ import annotations

import html
import re

from rich.style import Style
from textual.pilot import Pilot
from textual.widgets import Static

from streamconsole.core.glyphs import ASCII
from streamconsole.tui.terminal import TooSmall

from .conftest import AppFactory, console, row_text, scope_list, text_of, wait_loaded


def screen_text(pilot: Pilot[None]) -> str:
    """Every character on the screen, as the terminal gets it (after the line filters)."""
    svg = pilot.app.export_screenshot()
    shown = html.unescape("\n".join(re.findall(r">([^<]*)</text>", svg)))
    return shown.replace("\xa0", " ")


def not_ascii(text: str) -> set[str]:
    return {char for char in text if not char.isascii()}


class TestAscii:
    async def test_every_screen_draws_ascii_only(self, make_app: AppFactory) -> None:
        app = make_app(glyphs=ASCII)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_loaded(pilot)
            await pilot.press("down")
            for keys, shows in [
                ((), "LiveApp"),  # list, status line, detail, footer
                (("d",), "scroll"),  # the detail full screen
                (("escape", "question_mark"), "enter space"),  # help: keys by name
                (("escape", "r"), "Use new key"),  # rotate
                (("escape", "t"), "HS256"),  # token preview
                (("escape", "p", "q"), "Discard"),  # the unsaved-changes question
            ]:
                await pilot.press(*keys)
                await wait_loaded(pilot)
                text = screen_text(pilot)
                assert shows in text
                assert not_ascii(text) == set(), (keys, text)

    async def test_rows_say_on_and_off_in_ascii(self, make_app: AppFactory) -> None:
        async with make_app(glyphs=ASCII).run_test(size=(80, 24)) as pilot:
            await wait_loaded(pilot)
            row = row_text(pilot, "LiveApp")
            assert row.startswith("> - LiveApp (2)")  # cursor, no mark, expanded
            assert "P+ >-" in row  # publish enforced, play off
            assert "P. >-" in row_text(pilot, "news/morning")  # THEOlive: no publish JWT

    async def test_help_explains_the_ascii_markers(self, make_app: AppFactory) -> None:
        async with make_app(glyphs=ASCII).run_test(size=(100, 40)) as pilot:
            await wait_loaded(pilot)
            await pilot.press("question_mark")
            await pilot.pause()
            notes = text_of(pilot.app.screen.query_one("#help-notes", Static))
            assert "+ enforced, - off, . not supported" in notes
            assert "! the detail has warnings" in notes

    def test_snapshot_at_80x24(self, snap_compare, make_app: AppFactory) -> None:  # type: ignore[no-untyped-def]
        async def run_before(pilot: Pilot[None]) -> None:
            await wait_loaded(pilot)
            await pilot.press("x")  # a mark too

        assert snap_compare(make_app(glyphs=ASCII), terminal_size=(80, 24), run_before=run_before)


def _state_cells(pilot: Pilot[None], y: int) -> dict[str, Style]:
    """The publish and play cells of row ``y`` by their text (" P●", " ▶○")."""
    cells = {}
    for segment in scope_list(pilot).render_line(y):
        if segment.text.strip() in ("P●", "▶○") and segment.style is not None:
            cells[segment.text.strip()] = segment.style
    return cells


async def test_in_16_colours_enforced_and_off_differ_by_more_than_the_glyph(
    make_app: AppFactory,
) -> None:
    """ansi-dark: muted is the terminal's own colour there, and the cursor row drops every
    colour; enforced is bold, off dim (never bold), on the cursor row too."""
    async with make_app(theme="ansi-dark").run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot)
        for y in (0, 1):  # LiveApp under the cursor, then stream1: publish on, play off
            cells = _state_cells(pilot, y)
            on, off = cells["P●"], cells["▶○"]
            assert on.bold and not on.dim, (y, on)
            assert off.dim and not off.bold, (y, off)


class TestTooSmall:
    async def test_it_says_so_and_comes_back_when_resized(self, make_app: AppFactory) -> None:
        app = make_app()
        async with app.run_test(size=(50, 12)) as pilot:
            await wait_loaded(pilot)
            assert isinstance(app.screen, TooSmall)
            message = text_of(app.screen.query_one("#too-small", Static))
            assert "50×12" in message and "60×16" in message
            await pilot.press("p", "ctrl+p", "ctrl+s")  # nothing it cannot show runs
            assert isinstance(app.screen, TooSmall)
            assert console(pilot).session is not None and not console(pilot).session.pending

            await pilot.resize_terminal(59, 30)
            await pilot.pause()
            assert "59×30" in text_of(app.screen.query_one("#too-small", Static))

            await pilot.resize_terminal(80, 24)
            await pilot.pause()
            assert app.screen is console(pilot).main_screen
            await pilot.press("p")
            assert console(pilot).session is not None and console(pilot).session.pending

    async def test_a_dialog_open_before_comes_back_with_it(self, make_app: AppFactory) -> None:
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_loaded(pilot)
            await pilot.press("question_mark")
            await pilot.pause()
            help_screen = app.screen
            await pilot.resize_terminal(80, 10)
            await pilot.pause()
            assert isinstance(app.screen, TooSmall)
            await pilot.resize_terminal(80, 24)
            await pilot.pause()
            assert app.screen is help_screen

    async def test_q_quits_from_it(self, make_app: AppFactory) -> None:
        app = make_app()
        async with app.run_test(size=(40, 10)) as pilot:
            await wait_loaded(pilot)
            await pilot.press("q")
            await pilot.pause()
        assert app.return_code == 0

    def test_snapshot(self, snap_compare, make_app: AppFactory) -> None:  # type: ignore[no-untyped-def]
        assert snap_compare(make_app(), terminal_size=(50, 12), run_before=wait_loaded)
