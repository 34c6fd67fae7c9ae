"""The operator's keys: the config's keymap (``[console.keys]``), and write keys in
read-only mode, which leave the footer (``check_action``) yet, pressed anyway, still run
so that the edit flows say why nothing is written."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from textual import events
from textual.app import App
from textual.screen import Screen

from streamconsole.tui.bindings import APP_BINDINGS


class UserKeys(App[None]):
    """An app with the user's keymap, whose hidden write keys still explain themselves."""

    def __init__(self) -> None:
        super().__init__()
        self.keymap: dict[str, str] = {}  # binding id → keys, as the config sets them

    def use_keymap(self, keymap: Mapping[str, str]) -> None:
        """Remap the keys (``keymap`` checked already: :func:`.keymap.keymap_problems`)."""
        self.keymap = dict(keymap)
        self.set_keymap(self.keymap)

    def writes_refused_on(self, screen: Screen[Any]) -> bool:
        """Whether write keys are hidden on ``screen`` for read-only mode (the app says)."""
        return False

    def on_key(self, event: events.Key) -> None:
        # Before the bindings are looked up: a hidden write key finds no binding there.
        screen = self.screen
        if not self.writes_refused_on(screen):
            return
        # Loaded with the first key pressed in read-only mode, not at start-up.
        from streamconsole.tui.keymap import write_binding_on

        binding = write_binding_on(event.key, self.keymap)
        if binding is not None:
            node = self if binding in APP_BINDINGS else screen
            getattr(node, f"action_{binding.action}")()
