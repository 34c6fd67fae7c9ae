"""A paste target for PEM and JWK keys that never shows what was pasted."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import events
from textual.binding import BindingType
from textual.message import Message
from textual.widget import Widget

from streamconsole.core.pem import pem_kind
from streamconsole.tui.bindings import KEY_PASTE_BINDINGS

# Far above any RSA 4096 PEM or JWK (~3.3 KB); anything longer is not a key.
MAX_KEY_TEXT_CHARS = 64 * 1024


def describe_key_text(text: str) -> str:
    """What kind of key text this looks like, without any of its content."""
    if text.startswith("{"):
        return "JWK"
    return {
        "public": "PEM public key",
        "private": "PEM PRIVATE key",
        "certificate": "PEM certificate",
        "unknown": "not a PEM key",
    }[pem_kind(text)]


class KeyPasteBox(Widget, can_focus=True):
    """Focus it and paste a key. A private key is a secret, so the box shows only the size
    and kind of what it holds; public keys are no more useful to read as base64."""

    BINDINGS: ClassVar[list[BindingType]] = KEY_PASTE_BINDINGS

    class Changed(Message):
        """The pasted text changed (``text`` is empty after a clear)."""

        def __init__(self, box: KeyPasteBox, text: str) -> None:
            super().__init__()
            self.box = box
            self.text = text

        @property
        def control(self) -> KeyPasteBox:
            return self.box

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._text = ""
        self._refused = 0

    @property
    def text(self) -> str:
        return self._text

    def set_text(self, text: str) -> None:
        """Replace the content, as a paste does."""
        text = text.strip()
        if len(text) > MAX_KEY_TEXT_CHARS:
            self._refused, text = len(text), ""
        else:
            self._refused = 0
        self._text = text
        self.refresh()
        self.post_message(self.Changed(self, text))

    async def _on_paste(self, event: events.Paste) -> None:
        event.stop()
        self.set_text(event.text)

    def action_paste(self) -> None:
        self.set_text(self.app.clipboard)

    def action_clear(self) -> None:
        self.set_text("")

    def render(self) -> Text:
        if self._refused:
            return Text(f"{self._refused:,} chars pasted: too long for a key")
        if not self._text:
            return Text("focus here and paste a PEM key or a JWK")
        return Text(f"{describe_key_text(self._text)}, {len(self._text):,} chars (hidden)")
