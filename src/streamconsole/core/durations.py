"""Durations as operators write them: ``90s``, ``10m``, ``1h30m``, ``2d``."""

from __future__ import annotations

import re

from streamconsole.core.errors import DurationError

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
# ASCII digits only: \d and str.isdigit() also match digits int() refuses (e.g. "²").
_PART = re.compile(r"([0-9]+)([smhd])")
_WHOLE = re.compile(r"(?:[0-9]+[smhd])+")
MAX_TTL = 366 * 86400


def _shown(text: str) -> str:
    return repr(text) if len(text) <= 40 else repr(text[:40]) + "…"


def parse_duration(text: str, *, maximum: int = MAX_TTL) -> int:
    """Seconds in ``text`` (at most ``maximum``); a bare number is seconds."""
    cleaned = text.strip().lower().replace(" ", "")
    if cleaned.isascii() and cleaned.isdigit():
        cleaned += "s"
    if not _WHOLE.fullmatch(cleaned):
        raise DurationError(f"{_shown(text)} is not a duration; write e.g. 90s, 10m, 1h30m or 2d")
    try:
        seconds = sum(int(n) * _UNITS[u] for n, u in _PART.findall(cleaned))
    except ValueError:  # int() refuses over 4,300 digits; such a number is out of range anyway
        seconds = maximum + 1
    if not 0 < seconds <= maximum:
        raise DurationError(
            f"{_shown(text)} is out of range: between 1s and {format_duration(maximum)}"
        )
    return seconds


def format_duration(seconds: float) -> str:
    """A compact human duration: ``1h 5m``, ``9m 58s``, ``42s``."""
    total = int(abs(seconds))
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [(days, "d"), (hours, "h"), (minutes, "m"), (secs, "s")]
    shown = [f"{n}{u}" for n, u in parts if n][:2]
    return " ".join(shown) or "0s"
