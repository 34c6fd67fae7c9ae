"""A screen spared two passes Textual makes over every widget of a screen for nothing, each a
restyle, or a layout and a redraw of the whole terminal; both were in the start-up before
the list was on screen:

* the restyle of the whole screen as it is first shown: each widget was styled as it was
  mounted, a moment before, with the classes it still has;
* a second layout at the size the screen was just laid out at: having laid a screen out at
  a new size, Textual sends the screen itself a Resize of that size. A change since then has
  its own layout pending (``_layout_required``), which the next update does as always.

Both rest on Textual's internals (``ScreenResume.refresh_styles``, ``_screen_resized``, the
compositor's size): Textual is pinned exactly (pyproject.toml).
"""

from __future__ import annotations

from textual import events, on
from textual.geometry import Size
from textual.screen import Screen


class LeanScreen(Screen[None]):
    _shown = False  # shown once already

    @on(events.ScreenResume)
    def _first_shown(self, event: events.ScreenResume) -> None:
        # Before Screen's own handler (a subclass's handlers come first), which reads this.
        if not self._shown:
            self._shown = True
            event.refresh_styles = False

    def _screen_resized(self, size: Size) -> None:
        if size != self._compositor.size:
            super()._screen_resized(size)
