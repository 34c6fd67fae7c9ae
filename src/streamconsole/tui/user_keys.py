"""The operator's keys: the config's keymap (``[console.keys]``), and write keys that
leave the footer where they do not apply (read-only mode, ``p`` on a THEOlive row:
``check_action``) yet, pressed anyway, still run, so that the edit flows say why nothing
is written instead of the key doing nothing at all."""

from __future__ import annotations

from collections.abc import Mapping

from textual import events
from textual.app import App
from textual.dom import DOMNode


class UserKeys(App[None]):
    """An app with the user's keymap, whose hidden write keys still explain themselves."""

    def __init__(self) -> None:
        super().__init__()
        self.keymap: dict[str, str] = {}  # binding id → keys, as the config sets them

    def use_keymap(self, keymap: Mapping[str, str]) -> None:
        """Remap the keys (``keymap`` checked already: :func:`.keymap.keymap_problems`)."""
        self.keymap = dict(keymap)
        self.set_keymap(self.keymap)

    def on_key(self, event: events.Key) -> None:
        # Before the bindings are looked up; a hidden key finds none there, so no action
        # runs twice. Only on the first screen: nothing over it (a dialog, the cover of a
        # terminal too small) hides its keys for a reason the edit flows would explain.
        if len(self.screen_stack) > 1:
            return
        screen = self.screen
        # Loaded with the first key, not at start-up.
        from streamconsole.tui.keymap import write_binding_on

        nodes: tuple[DOMNode, ...] = (screen, self)
        for node in nodes:
            binding = write_binding_on(event.key, self.keymap, node.BINDINGS)
            if binding is not None:
                if node.check_action(binding.action, ()) is False:
                    getattr(node, f"action_{binding.action}")()
                return
