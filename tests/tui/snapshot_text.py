"""What an SVG snapshot shows, for the tests that check no secret or address is in one."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

WINDOW = 12  # characters: any run this long of a secret, shown, gives it away


def secret_windows(secrets: Iterable[str]) -> set[str]:
    """Every run of ``WINDOW`` characters of each secret."""
    return {s[i : i + WINDOW] for s in secrets for i in range(len(s) - WINDOW + 1)}


def shown_text(raw: str) -> str:
    """The text an SVG snapshot draws, its cells joined, entities and no-break spaces undone."""
    return html.unescape("".join(re.findall(r">([^<]*)</text>", raw))).replace("\xa0", " ")


def leaked(raw: str, windows: set[str]) -> list[str]:
    """The secret runs in the SVG's raw text or in what it draws."""
    shown = shown_text(raw)
    return [window for window in windows if window in raw or window in shown]
