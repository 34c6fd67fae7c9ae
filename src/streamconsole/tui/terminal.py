"""What the console makes of the terminal it runs in: its glyphs (Unicode, or ASCII for the
Linux console and ``--ascii``), and a terminal too small to work in.

Below :data:`MIN_SIZE` the console says so, with both sizes, in place of every screen
(keys typed then reach no list and no dialog), and comes back once the terminal is large
enough again.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

from rich.segment import Segment
from textual import events
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.color import Color
from textual.containers import Center, Middle
from textual.dom import DOMNode
from textual.filter import LineFilter
from textual.geometry import Size
from textual.screen import Screen
from textual.widgets import Static

from streamconsole.core.glyphs import ASCII_CELLS, UNICODE, Glyphs
from streamconsole.tui.bindings import TOO_SMALL_BINDINGS
from streamconsole.tui.user_keys import key_of

# Absolute, so that subclasses defined elsewhere still find the stylesheet.
HERE = Path(__file__).parent
MIN_SIZE = Size(60, 16)  # below this the list has a row or two, the detail none


class AsciiCells(LineFilter):
    """Every symbol of the glyph table left in a line (the toolkit's borders and scroll
    bars, a symbol inside a sentence) as one ASCII character: nothing moves."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        return [
            segment
            if segment.text.isascii()
            else Segment(segment.text.translate(ASCII_CELLS), segment.style, segment.control)
            for segment in segments
        ]


class TerminalApp(App[None]):
    """An app that draws with :attr:`glyphs` (ASCII ones also pass every line through
    :class:`AsciiCells`), and covers its screens while the terminal is too small."""

    def __init__(self) -> None:
        super().__init__()
        self.glyphs: Glyphs = UNICODE
        self._ascii_cells = AsciiCells()

    def get_key_display(self, binding: Binding) -> str:
        shown = super().get_key_display(binding)
        # A key's symbol ("⏎", "↑") the terminal cannot show: its name ("enter", "up").
        return binding.key if self.glyphs.ascii and not shown.isascii() else shown

    def get_line_filters(self) -> Sequence[LineFilter]:
        filters = super().get_line_filters()
        return [*filters, self._ascii_cells] if self.glyphs.ascii else filters

    def on_resize(self, event: events.Resize) -> None:
        if too_small(event.size) and not any(isinstance(s, TooSmall) for s in self.screen_stack):
            self.push_screen(TooSmall(event.size))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # While the terminal is too small nothing it cannot show may run: only quitting.
        return not isinstance(self.screen, TooSmall) or action in ("quit", "help_quit")


def glyphs_of(node: DOMNode) -> Glyphs:
    """The glyphs of the app ``node`` is in (Unicode in any other app: a test's host)."""
    app = node.app
    return app.glyphs if isinstance(app, TerminalApp) else UNICODE


def too_small(size: Size) -> bool:
    return size.width < MIN_SIZE.width or size.height < MIN_SIZE.height


class TooSmall(Screen[None]):
    """In place of every screen while the terminal is below :data:`MIN_SIZE`."""

    CSS_PATH = HERE / "terminal.tcss"
    BINDINGS: ClassVar[list[BindingType]] = TOO_SMALL_BINDINGS

    def __init__(self, size: Size) -> None:
        super().__init__()
        self._size = size

    def compose(self) -> ComposeResult:
        with Middle(), Center():
            yield Static(self._message(self._size), id="too-small", markup=False)

    def _message(self, size: Size) -> str:
        times = glyphs_of(self).times
        return (
            f"The terminal is too small: {size.width}{times}{size.height}.\n"
            f"The console needs at least {MIN_SIZE.width}{times}{MIN_SIZE.height}.\n"
            f"Make the window larger, or press {key_of(self, 'quit')} to quit."
        )

    def on_resize(self, event: events.Resize) -> None:
        # Sent to every screen of the stack: under a dialog, it waits until it is on top.
        self._size = event.size
        if self.is_current:
            self._leave_if_large_enough()

    def on_screen_resume(self) -> None:
        # A dialog opened before the terminal shrank may have covered it meanwhile.
        self._leave_if_large_enough()

    def _leave_if_large_enough(self) -> None:
        if not too_small(self._size):
            self.dismiss()
        elif self.is_mounted:
            self.query_one("#too-small", Static).update(self._message(self._size))
