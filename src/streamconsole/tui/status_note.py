"""The status line's note: routine feedback, where no toast covers what it is about."""

from __future__ import annotations

from textual.content import Content
from textual.timer import Timer
from textual.widgets import Static

from streamconsole.core.text import inert
from streamconsole.tui.terminal import glyphs_of

NOTE_SECONDS = 10  # how long the status line shows what an action said


class StatusNote(Static):
    """What the last keystroke's action said (:meth:`say`), gone after a while.

    While its screen is under another, nothing is drawn (:meth:`draw` catches up when the
    screen is back on top): Textual repaints the whole terminal for any change in the screen
    below the top one, for nothing visible. Its timer is the app's for the same reason: one
    of the screen's would wake the screen to draw whatever it had pending.
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id, markup=False)
        self._notes: list[Content] = []  # what the last keystroke's action said
        self._expire: Timer | None = None
        self._shown: Content | None = None  # what the note says; None: hidden
        self._drawn: Content | None = None  # what is drawn of it

    def say(self, text: str, *, warning: bool = False) -> None:
        """``text`` before what the same keystroke's action said already (the outcome
        comes last, and is what matters)."""
        style = "$text-warning" if warning else "$text-success"
        self._notes.insert(0, Content.styled(inert(text.replace("\n", " ")), style))
        self._shown = Content(f" {glyphs_of(self).dot} ").join(self._notes)
        self.draw()
        if self._expire is not None:
            self._expire.stop()
        self._expire = self.app.set_timer(NOTE_SECONDS, self._over)

    def next_keystroke(self) -> None:
        """What the next keystroke's action says replaces what the last one said."""
        self._notes.clear()

    def draw(self) -> None:
        """Show what the note says now, if its screen is on top and it changed."""
        if self.screen.is_active and self._drawn is not self._shown:
            self._drawn = shown = self._shown
            self.update(shown or "")
            self.display = shown is not None

    def _over(self) -> None:
        self._notes.clear()
        self._shown = None
        self.draw()
