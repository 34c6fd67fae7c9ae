"""What the main screen asks of the app.

Messages go up, attributes go down: the screen posts these requests, which bubble up to the
app; the app owns the source and the session, acts, and shows the result on the screen by
setting its attributes and calling its methods. The app's own news (a config loaded, aliases
arrived) are nested in their senders. These live apart so that the app names them without
importing the screen, which it loads only once it starts (start-up time): this module
imports nothing heavy at run time.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


class ScreenMounted(Message):
    """The main screen is mounted: a loaded config (or its problems) can be shown on it."""


@dataclass
class AliasesRequested(Message):
    """The operator is on ``application``: its aliases are wanted now."""

    application: str
