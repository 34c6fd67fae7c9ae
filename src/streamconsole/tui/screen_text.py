"""Text on its way to the screen, where the app's own surfaces take it: notifications, the
title, and the entries of the command palette and the source picker.

Only errors are toasts in the console (routine feedback goes to the status line, as
``Noted``), and each is shown once at a time: a failure retried (ctrl+s pressed again, say)
does not stack copies over the screen.

Such text often names what a server or a file supplied (an application, an alias, a server,
an error text): it is made inert here (:func:`core.text.inert`), and never read as markup.
Widgets that draw names themselves (the list, the detail, the dialogs) make them inert as
they build their content.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from textual.app import App, SystemCommand

from streamconsole.core.text import inert, inert_lines

if TYPE_CHECKING:
    from textual.notifications import SeverityLevel


class InertTextApp(App[None]):
    """An app whose notifications and titles are made inert, whatever screen or widget
    sets them, and whose identical toasts (title, message, severity) show once at a time."""

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
        """Every notification comes through here (a widget's ``notify`` calls the app's):
        message and title inert, never markup (``markup`` is ignored)."""
        now = time.monotonic()
        shown = (title, message, severity)
        if self._toasts_until.get(shown, 0.0) > now:
            return
        self._toasts_until[shown] = now + (timeout or self.NOTIFICATION_TIMEOUT)
        super().notify(
            inert_lines(message),
            title=inert(title),
            severity=severity,
            timeout=timeout,
            markup=False,
        )

    # Nothing sets them from a name today; a header or the web page would show them.
    def validate_title(self, title: object) -> str:
        return inert(str(title))

    def validate_sub_title(self, sub_title: object) -> str:
        return inert(str(sub_title))


def as_shown(command: SystemCommand) -> SystemCommand:
    """``command`` as the palette may show it: the palette reads title and help as markup."""
    return command._replace(title=_literal(command.title), help=_literal(command.help))


def _literal(text: str) -> str:
    """Markup that shows ``text`` made inert, as it is: every "[" escaped. (Textual's
    ``escape`` leaves a "[" that opens no tag, such as ESC's "[31m" made inert, and the
    parser then keeps the escapes that follow it as text.)"""
    return inert(text).replace("[", "\\[")
