"""A live expiry countdown that redraws only itself, once a second."""

from __future__ import annotations

from collections.abc import Callable

from textual.content import Content
from textual.message import Message
from textual.timer import Timer
from textual.widget import Widget

from streamconsole.core.token_times import expiry_words

WARNING_SECONDS = 60


class ExpiryCountdown(Widget):
    """``expires in 9m 58s`` for one token, in the words of the token checklist's exp line
    (:func:`~streamconsole.core.token_times.expiry_words`), so the two always agree.

    Its own one-second timer reads the injected clock and redraws this widget alone, and
    only when the text changes, then calls ``follow`` with the time it read (the checklist's
    exp line follows it there and then, so a terminal gets both in one frame; a message
    would arrive a frame later). Crossing the expiry posts :class:`ExpiryCountdown.Expired`
    once, so the owner can re-check the token.
    """

    class Expired(Message):
        """The token shown has just expired."""

    def __init__(
        self,
        clock: Callable[[], float],
        follow: Callable[[float], None],
        *,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self._clock = clock
        self._follow = follow  # called with "now" (unix seconds) when the text changed
        self._expires_at: float | None = None
        self._counting = False
        self._expiry_reported = False
        self._label = ""
        self._timer: Timer | None = None
        self.auto_links = False  # none here: no link styling on each draw

    def on_mount(self) -> None:
        self._timer = self.set_interval(1.0, self.tick, pause=self._expires_at is None)

    def show(self, expires_at: float | None) -> None:
        """Count down to ``expires_at`` (``None``: the token has no usable ``exp``)."""
        if expires_at != self._expires_at or not self._counting:
            self._expiry_reported = False
        self._expires_at = expires_at
        self._counting = True
        self._run_timer()
        self.tick()

    def clear(self) -> None:
        """No token: show nothing."""
        self._expires_at = None
        self._counting = False
        self._run_timer()
        self.tick()

    def _run_timer(self) -> None:
        """The timer runs only while there is an expiry to count down to: each time it fires
        it wakes the app (the pasted token's report, say, is empty until a paste)."""
        if self._timer is None:
            return
        if self._expires_at is None:
            self._timer.pause()
        else:
            self._timer.resume()

    def tick(self) -> None:
        """Re-read the clock and redraw if the shown text changed (the timer calls this)."""
        expires_at = self._expires_at
        if expires_at is None:
            label = "no usable expiry (exp) in this token" if self._counting else ""
            self.set_class(False, "-warning", "-expired")
            self._draw(label)
            return
        now = self._clock()
        remaining = expires_at - now
        expired = remaining <= 0
        self.set_class(expired, "-expired")
        self.set_class(not expired and remaining < WARNING_SECONDS, "-warning")
        if self._draw(expiry_words(expires_at, now) or "exp is absurdly far from now"):
            self._follow(now)
        if expired and not self._expiry_reported:
            self._expiry_reported = True
            self.post_message(self.Expired())

    @property
    def label(self) -> str:
        return self._label

    def _draw(self, label: str) -> bool:
        """Show ``label``; whether it changed."""
        if label == self._label:
            return False
        self._label = label
        self.refresh()
        return True

    def render(self) -> Content:
        return Content(self._label)  # Textual's own text: no conversion from Rich each second
