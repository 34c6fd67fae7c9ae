"""What the main screen asks of the app, and what the app's edit flows tell it.

Messages go up, attributes go down: the screen posts these requests, which bubble up to the
app; the app owns the source and the session, acts, and shows the result on the screen by
setting its attributes and calling its methods. The app's own news (a config loaded, aliases
arrived) are nested in their senders. These live apart so that the app names them without
importing the screen or the edit flows, which it loads only once it starts (start-up time):
this module imports nothing heavy at run time. Over several servers, each request names the
server of the rows it is about (``server``); None is the one source otherwise.

Each message sets its fields in an ``__init__`` of its own, as Textual's messages do, rather
than being a dataclass: building a dataclass compiles its methods, ~1.5 ms a class at
start-up (issue 15).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from streamconsole.core.model import Direction, ScopeRef


class ScreenMounted(Message):
    """The main screen is mounted: a loaded config (or its problems) can be shown on it."""


class AliasesRequested(Message):
    """The operator is on ``application``: its aliases are wanted now."""

    def __init__(self, application: str, server: str | None = None) -> None:
        self.application = application
        self.server = server  # over several servers: the one it is on
        super().__init__()


class ToggleRequested(Message):
    """Turn ``direction`` JWT on or off for the ``marked`` scopes, else for ``current``."""

    def __init__(
        self,
        direction: Direction,
        current: ScopeRef | None,
        marked: tuple[ScopeRef, ...],
        server: str | None = None,
    ) -> None:
        self.direction = direction
        self.current = current  # the selection (None: nothing is selected)
        self.marked = marked
        self.server = server  # over several servers: the one it is on
        super().__init__()


class ScopeRequest(Message):
    """Something asked about ``current`` (None: nothing is selected)."""

    def __init__(self, current: ScopeRef | None, server: str | None = None) -> None:
        self.current = current
        self.server = server  # over several servers: the one it is on
        super().__init__()


class RotateRequested(ScopeRequest):
    """Choose a new key for ``current`` (None: nothing is selected)."""


class TokenPreviewRequested(ScopeRequest):
    """Issue and explain a preview token for ``current`` (None: nothing is selected)."""


class ProbeRequested(ScopeRequest):
    """Probe ``current``'s enforcement on the server (None: nothing is selected)."""


class SessionChanged(Message):
    """An edit was made or saved (or a save failed): what the screen shows is out of date."""


class Noted(Message):
    """Routine feedback for the status line, where no toast covers what it is about: what
    an action did, or why it did nothing (``warning``). Errors are toasts."""

    def __init__(self, text: str, warning: bool = False) -> None:
        self.text = text
        self.warning = warning
        super().__init__()
