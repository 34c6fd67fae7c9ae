"""The footer, rebuilt once for a burst of key changes, and not at all when the keys it
shows are the ones it would show.

Textual's ``Footer`` recomposes after the next refresh for every ``refresh_bindings`` (a
load, a selection, a focus change each ask for one), restyling all its keys each time: at
start-up four recomposes were queued in the frame that shows the list, most of that frame's
style work, and each of them rebuilt the footer the loading screen already showed.
Its keys are built compact, as the footer is: not restyled on mount.
"""

from __future__ import annotations

from collections.abc import Iterator

from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey


class KeyFooter(Footer):
    _rebuild_pending = False  # a recompose is queued: later changes wait for it
    _shown: tuple[object, ...] | None = None  # what the keys on screen were built from

    def compose(self) -> Iterator[Widget]:
        # Each key gets its compact class on mount (a watcher): built with it, the key and
        # its two parts are styled once, not restyled as soon as they are mounted.
        for widget in super().compose():
            if isinstance(widget, FooterKey):
                widget.set_class(self.compact, "-compact", update=False)
            yield widget

    def bindings_changed(self, screen: Screen[object]) -> None:
        if self._rebuild_pending:
            return
        super().bindings_changed(screen)
        # Footer queues a recompose only under these conditions: the changes before it
        # runs are covered by it, as it reads the keys as they are then.
        queued = screen.app.app_focus and self.is_attached and screen is self.screen
        self._rebuild_pending = queued

    async def recompose(self) -> None:
        self._rebuild_pending = False  # a change from now on needs another rebuild
        wanted = self._built_from()
        if wanted == self._shown:
            return
        self._shown = wanted
        await super().recompose()

    def _built_from(self) -> tuple[object, ...]:
        """Everything ``Footer.compose`` reads: the keys it shows, enabled or not, as
        displayed."""
        palette = self.app.COMMAND_PALETTE_BINDING
        return (
            self.show_command_palette,
            self.combine_groups,
            *(
                (binding, enabled, tooltip, self.app.get_key_display(binding))
                for key, (_, binding, enabled, tooltip) in self.screen.active_bindings.items()
                if binding.show or key == palette
            ),
        )
