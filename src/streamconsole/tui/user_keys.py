"""The operator's keys: the config's keymap (``[console.keys]``) with the user's own
(``[keys]`` in their settings file) over it; and write keys that leave the footer where
they do not apply (read-only mode, ``p`` on a THEOlive row: ``check_action``) yet, pressed
anyway, still run, so that the edit flows say why nothing is written instead of the key
doing nothing at all."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from textual import events
from textual.app import App
from textual.dom import DOMNode

if TYPE_CHECKING:
    from streamconsole.backends.user_settings import UserSettings


class UserKeys(App[None]):
    """An app with the user's keymap, whose hidden write keys still explain themselves."""

    def __init__(self, settings: UserSettings | None = None) -> None:
        """``settings``: the user's own, whose ``[keys]`` win over a config's keymap."""
        super().__init__()
        self.keymap: dict[str, str] = {}  # binding id → keys, as the config and user set them
        self._own = settings
        self._told: set[str] = set()  # the warnings about the user's keys shown already

    def on_mount(self) -> None:
        # The user's keys apply before a config is loaded, and while it cannot be.
        self.use_keymap({})

    def use_keymap(self, keymap: Mapping[str, str]) -> None:
        """Remap the keys: a config's ``keymap`` (checked already:
        :func:`.keymap.keymap_problems`) with the user's own over it. A key of theirs that
        names no binding or clashes is left out, with a warning (once) naming its line."""
        if self._own is not None and self._own.keys:
            from streamconsole.tui.keymap import with_own_keys  # loaded with a config

            keymap, problems = with_own_keys(keymap, self._own)
            for problem in map(str, problems):
                if problem not in self._told:
                    self._told.add(problem)
                    self.notify(problem, title="Key not used", severity="warning")
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


def key_of(node: DOMNode, binding_id: str) -> str:
    """How a message names the key of ``binding_id`` now, in the app ``node`` is in: the
    first key the user's keymap puts it on, else its default ("ctrl+r"). One helper for
    every message that names a key, so that none names a key the user moved."""
    from streamconsole.tui.keymap import key_named  # loaded with the first such message

    app = node.app
    return key_named(binding_id, app.keymap if isinstance(app, UserKeys) else {})
