"""What the console tells the operator about a failed read or write, and about a crash."""

from __future__ import annotations

from typing import TYPE_CHECKING

from streamconsole.core.errors import StreamconsoleError
from streamconsole.core.text import inert_lines

if TYPE_CHECKING:
    from rich.console import Console
    from rich.segment import Segments


def failure_text(error: Exception) -> str:
    """Our errors say it all; anything else is a bug, named by its type (no traceback)."""
    if isinstance(error, StreamconsoleError):
        return str(error)
    return f"unexpected {type(error).__name__}: {error}"


def crash_report(console: Console) -> Segments:
    """The traceback of the exception being handled, without the local variables of each
    frame (Textual's crash report prints them), its text inert.

    Secret text also lives in frames the Secret type cannot wrap (a pasted secret being
    validated, HMAC key bytes inside PyJWT), so the report keeps the frames, not their locals.
    The exception's message may quote a name a server sent: Rich would print its escape
    sequences as they are.
    """
    # Only on a crash: rich.traceback takes ~50 ms to import.
    import rich
    from rich.segment import Segments
    from rich.traceback import Traceback

    traceback = Traceback(show_locals=False, width=None, suppress=[rich])
    segments = console.render(traceback, console.options)
    return Segments(segment._replace(text=inert_lines(segment.text)) for segment in segments)
