"""What the console tells the operator about a failed read or write."""

from __future__ import annotations

from streamconsole.core.errors import StreamconsoleError


def failure_text(error: Exception) -> str:
    """Our errors say it all; anything else is a bug, named by its type (no traceback)."""
    if isinstance(error, StreamconsoleError):
        return str(error)
    return f"unexpected {type(error).__name__}: {error}"
