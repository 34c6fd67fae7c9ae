"""Toasts, each once: one identical to a toast still shown is not raised again, so that a
failure retried (ctrl+s pressed again, say) does not stack copies over the screen. Only
errors are toasts in the console; routine feedback goes to the status line (``Noted``)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from textual.app import App

if TYPE_CHECKING:
    from textual.notifications import SeverityLevel


class ToastsOnce(App[None]):
    """An app whose identical toasts (title, message, severity) are shown once at a time."""

    def __init__(self) -> None:
        super().__init__()
        self._toasts_until: dict[tuple[str, str, str], float] = {}  # shown until (monotonic)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        now = time.monotonic()
        shown = (title, message, severity)
        if self._toasts_until.get(shown, 0.0) > now:
            return
        self._toasts_until[shown] = now + (timeout or self.NOTIFICATION_TIMEOUT)
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)
