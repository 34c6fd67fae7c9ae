"""A token's time claims (``exp``, ``nbf``, ``iat``) in words: the date, and how far from now.

Pure: the caller passes ``now`` (unix seconds). Every value is attacker input: a string, a
bool, a float, a negative or a 400-digit number each get a note, never an exception.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from streamconsole.core.durations import format_duration
from streamconsole.core.text import brief_json

TIME_CLAIMS = ("exp", "nbf", "iat")
# Further from now than this, a time claim is a bug or an attack (Java servers overflow on 1e30).
MAX_EXP_AHEAD_SECONDS = 100 * 366 * 86400


def is_number(value: object) -> bool:
    """A JSON number (bools are ints to Python, not to JSON)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def finite(value: float) -> bool:
    """``math.isfinite`` that also answers for JSON integers too large for a float."""
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def iso_utc(timestamp: float) -> str | None:
    """``2025-06-25T01:22:20Z`` (whole seconds), or None where no date can hold it."""
    try:
        moment = datetime.fromtimestamp(timestamp, UTC)
    except (OverflowError, OSError, ValueError):
        return None
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def when_utc(timestamp: float) -> str:
    """``2025-06-25 01:22:20Z`` for a reason in a checklist; "out of range" where no date
    can hold it."""
    try:
        return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M:%SZ")
    except (OverflowError, OSError, ValueError):
        return "out of range"


@dataclass(frozen=True, slots=True)
class TimeClaim:
    """One time claim as an operator reads it."""

    claim: str
    date: str | None  # ISO 8601 in UTC; None when the value is no date
    relative: str  # "expired 522d ago", "not yet valid for 3m"; "" when it cannot be said
    note: str  # what is odd about the value; "" when nothing is
    shown: str  # the date, or the raw value (quoted and cut) when there is no date

    @property
    def text(self) -> str:
        """``exp 2025-06-25T01:22:20Z — expired 522d 3h ago``."""
        said = "; ".join(part for part in (self.relative, self.note) if part)
        return f"{self.claim} {self.shown} — {said}"

    def to_json(self) -> dict[str, str | None]:
        return {"date": self.date, "relative": self.relative or None, "note": self.note or None}


def _relative(claim: str, ahead: float) -> str:
    """How ``claim`` stands, ``ahead`` seconds from now (negative: in the past)."""
    span = format_duration(ahead)
    if claim == "exp":
        return f"expires in {span}" if ahead > 0 else f"expired {span} ago"
    if claim == "nbf":
        return f"not yet valid for {span}" if ahead > 0 else f"valid since {span} ago"
    return f"issued {span} in the future (a clock ahead?)" if ahead > 0 else f"issued {span} ago"


def expiry_words(exp: float, now: float) -> str:
    """How a finite ``exp`` stands at ``now``, in the words the live countdown, the token
    checklist and ``decode`` share: ``expires in 9m 58s``, ``expired 522d 17h ago``; ""
    where it is absurdly far from now (the checklist says so)."""
    if abs(exp - now) > MAX_EXP_AHEAD_SECONDS:
        return ""
    return _relative("exp", exp - now)


def expiry_reason(exp: float, now: float) -> str:
    """The exp check's reason for a usable ``exp``: ``expired 14m ago, at 2026-…Z``."""
    return f"{expiry_words(exp, now)}, at {when_utc(exp)}"


def describe_time(claim: str, value: Any, now: float) -> TimeClaim:
    """``claim``'s ``value`` (anything a token may hold) in words, as of ``now``."""
    if not is_number(value):
        note = "not a number of seconds (NumericDate)"
        return TimeClaim(claim, None, "", note, brief_json(value))
    if not finite(value):
        return TimeClaim(claim, None, "", "out of range: no date", brief_json(value))
    date = iso_utc(value)
    shown = date or brief_json(value)
    ahead = value - now
    if abs(ahead) > MAX_EXP_AHEAD_SECONDS:
        side = "future" if ahead > 0 else "past"
        return TimeClaim(claim, date, "", f"absurdly far in the {side}", shown)
    notes = []
    if value < 0:
        notes.append("negative: before 1970")
    if isinstance(value, float) and not value.is_integer():
        notes.append("not a whole number of seconds")
    return TimeClaim(claim, date, _relative(claim, ahead), "; ".join(notes), shown)


def describe_times(claims: Mapping[str, Any], now: float) -> tuple[TimeClaim, ...]:
    """Each time claim the token holds, in the order exp, nbf, iat."""
    return tuple(describe_time(name, claims[name], now) for name in TIME_CLAIMS if name in claims)
