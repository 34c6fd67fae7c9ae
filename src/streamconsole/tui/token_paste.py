"""The box an operator pastes a token into."""

from __future__ import annotations

from textual import events
from textual.message import Message
from textual.widgets import TextArea

from streamconsole.core.text import inert
from streamconsole.core.tokens import MAX_TOKEN_CHARS


def _displayable(text: str) -> str:
    """Pasted text with control characters, escape sequences and bidi overrides escaped.

    The text area would write them to the terminal as they are. A real token never holds
    any, so escaping them changes nothing for a real token and makes junk visible.
    """
    lines = text.replace("\r\n", "\n").split("\n")
    return "\n".join(inert(line, limit=MAX_TOKEN_CHARS) for line in lines)


class TokenPasteArea(TextArea):
    """A text area for one token.

    A paste longer than any server accepts (16 KiB) is not put into the document: a
    soft-wrapped megabyte takes the text area seconds per keystroke. It is reported with
    :class:`TokenPasteArea.Oversized` instead, so the screen can still explain why such a
    token is refused.
    """

    class Oversized(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    async def _on_paste(self, event: events.Paste) -> None:
        event.prevent_default()
        event.stop()
        self.insert_pasted(event.text)

    def action_paste(self) -> None:
        self.insert_pasted(self.app.clipboard)

    def insert_pasted(self, text: str) -> None:
        if self.read_only or not text:
            return
        if len(text) > MAX_TOKEN_CHARS:
            self.post_message(self.Oversized(text))
            return
        result = self.replace(_displayable(text), *self.selection)
        self.move_cursor(result.end_location)
