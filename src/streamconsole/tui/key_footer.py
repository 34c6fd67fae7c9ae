"""The footer, rebuilt once for a burst of key changes rather than once per change.

Textual's ``Footer`` recomposes after the next refresh for every ``refresh_bindings`` (a
load, a selection, a focus change each ask for one): at start-up four recomposes queued in
one frame restyled its keys four times, most of the style work of the first frame with the
list. The one rebuild that runs reads the keys as they are then, so the others add nothing.
"""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer


class KeyFooter(Footer):
    _rebuild_pending = False  # a recompose is queued: later changes wait for it

    def bindings_changed(self, screen: Screen[object]) -> None:
        if self._rebuild_pending:
            return
        super().bindings_changed(screen)
        # Footer queues a recompose only under these conditions: mark it so the next
        # changes (before it runs) are covered by it.
        queued = screen.app.app_focus and self.is_attached and screen is self.screen
        self._rebuild_pending = queued

    async def recompose(self) -> None:
        self._rebuild_pending = False  # a change from now on needs another rebuild
        await super().recompose()
