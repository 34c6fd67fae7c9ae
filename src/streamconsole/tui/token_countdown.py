"""A live expiry countdown that redraws only itself, once a second."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.message import Message
from textual.widget import Widget

from streamconsole.core.durations import countdown

WARNING_SECONDS = 60
# Past this, mm:ss stops meaning anything to an operator (and a hostile ``exp`` of 1e300
# would make a 300-digit hour count).
LONGEST_SHOWN_SECONDS = 100 * 86400


class ExpiryCountdown(Widget):
    """``expires in mm:ss`` for one token.

    Its own one-second timer reads the injected clock and redraws this widget alone, and
    only when the text changes; nothing else on the screen refreshes. Crossing the expiry
    posts :class:`ExpiryCountdown.Expired` once, so the owner can re-check the token.
    """

    class Expired(Message):
        """The token shown has just expired."""

    def __init__(
        self, clock: Callable[[], float], *, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(id=id, classes=classes)
        self._clock = clock
        self._expires_at: float | None = None
        self._counting = False
        self._expiry_reported = False
        self._label = ""

    def on_mount(self) -> None:
        self.set_interval(1.0, self.tick)

    def show(self, expires_at: float | None) -> None:
        """Count down to ``expires_at`` (``None``: the token has no usable ``exp``)."""
        if expires_at != self._expires_at or not self._counting:
            self._expiry_reported = False
        self._expires_at = expires_at
        self._counting = True
        self.tick()

    def clear(self) -> None:
        """No token: show nothing."""
        self._expires_at = None
        self._counting = False
        self.tick()

    def tick(self) -> None:
        """Re-read the clock and redraw if the shown text changed (the timer calls this)."""
        expires_at = self._expires_at
        if expires_at is None:
            label = "no usable expiry (exp) in this token" if self._counting else ""
            self.set_class(False, "-warning", "-expired")
            self._draw(label)
            return
        remaining = expires_at - self._clock()
        expired = remaining <= 0
        self.set_class(expired, "-expired")
        self.set_class(not expired and remaining < WARNING_SECONDS, "-warning")
        if expired:
            label = f"expired {countdown(0)}"
        elif remaining >= LONGEST_SHOWN_SECONDS:
            label = "expires in more than 100 days"
        else:
            label = f"expires in {countdown(remaining)}"
        self._draw(label)
        if expired and not self._expiry_reported:
            self._expiry_reported = True
            self.post_message(self.Expired())

    @property
    def label(self) -> str:
        return self._label

    def _draw(self, label: str) -> None:
        if label != self._label:
            self._label = label
            self.refresh()

    def render(self) -> Text:
        return Text(self._label)
