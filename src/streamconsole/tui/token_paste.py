"""The box an operator pastes a token into."""

from __future__ import annotations

from textual import events
from textual.message import Message
from textual.widgets import TextArea

from streamconsole.core.text import inert_lines
from streamconsole.core.tokens import MAX_TOKEN_CHARS


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
        # The text area would write control characters and escape sequences to the terminal
        # as they are. A real token holds none, so escaping them only makes junk visible.
        result = self.replace(inert_lines(text, limit=MAX_TOKEN_CHARS), *self.selection)
        self.move_cursor(result.end_location)
