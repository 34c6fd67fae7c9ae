"""What the main screen asks of the app, and what the app's edit flows tell it.

Messages go up, attributes go down: the screen posts these requests, which bubble up to the
app; the app owns the source and the session, acts, and shows the result on the screen by
setting its attributes and calling its methods. The app's own news (a config loaded, aliases
arrived) are nested in their senders. These live apart so that the app names them without
importing the screen or the edit flows, which it loads only once it starts (start-up time):
this module imports nothing heavy at run time. Over several servers, each request names the
server of the rows it is about (``server``); None is the one source otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from streamconsole.core.model import Direction, ScopeRef


class ScreenMounted(Message):
    """The main screen is mounted: a loaded config (or its problems) can be shown on it."""


@dataclass
class AliasesRequested(Message):
    """The operator is on ``application``: its aliases are wanted now."""

    application: str
    server: str | None = None  # over several servers: the one it is on


@dataclass
class ToggleRequested(Message):
    """Turn ``direction`` JWT on or off for the ``marked`` scopes, else for ``current``."""

    direction: Direction
    current: ScopeRef | None  # the selection (None: nothing is selected)
    marked: tuple[ScopeRef, ...]
    server: str | None = None  # over several servers: the one it is on


@dataclass
class RotateRequested(Message):
    """Choose a new key for ``current`` (None: nothing is selected)."""

    current: ScopeRef | None
    server: str | None = None  # over several servers: the one it is on


@dataclass
class TokenPreviewRequested(Message):
    """Issue and explain a preview token for ``current`` (None: nothing is selected)."""

    current: ScopeRef | None
    server: str | None = None  # over several servers: the one it is on


@dataclass
class ProbeRequested(Message):
    """Probe ``current``'s enforcement on the server (None: nothing is selected)."""

    current: ScopeRef | None
    server: str | None = None  # over several servers: the one it is on


class SessionChanged(Message):
    """An edit was made or saved (or a save failed): what the screen shows is out of date."""


@dataclass
class Noted(Message):
    """Routine feedback for the status line, where no toast covers what it is about: what
    an action did, or why it did nothing (``warning``). Errors are toasts."""

    text: str
    warning: bool = False
