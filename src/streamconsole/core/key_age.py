"""How old a key is, and whether it is past the age policy (``max_key_age``, issue 14).

The policy is set for the console, a server profile or an application; the closest wins and
is carried on each :class:`~streamconsole.core.model.Application`. A key whose creation time
is unknown (a key installed elsewhere) has no age: it is never called overdue.
"""

from __future__ import annotations

from datetime import UTC, datetime

from streamconsole.core.durations import format_duration

# Without a policy, a key this old is still worth a word (advice, not "overdue").
ADVISORY_DAYS = 365
# The longest max_key_age a config may set: ten years.
MAX_KEY_AGE = 3660 * 86400


def key_age(created: datetime | None, now: datetime) -> float | None:
    """Seconds since ``created`` (a time without a zone is UTC); None when unknown."""
    if created is None:
        return None
    if created.tzinfo is None:
        created = created.replace(tzinfo=UTC)
    return (now - created).total_seconds()


def is_overdue(created: datetime | None, max_age: int | None, now: datetime) -> bool:
    """Whether a key made at ``created`` is older than ``max_age`` seconds."""
    age = key_age(created, now)
    return max_age is not None and age is not None and age > max_age


def age_warning(created: datetime | None, max_age: int | None, now: datetime) -> str:
    """The warning about a key's age ("" when there is none to give)."""
    age = key_age(created, now)
    if age is None:
        return ""
    days = int(age // 86400)
    if max_age is not None:
        if age <= max_age:
            return ""
        return (
            f"the key is overdue: {days} days old, past max_key_age ({format_duration(max_age)});"
            " rotate it"
        )
    return f"the key is {days} days old; consider rotating" if days > ADVISORY_DAYS else ""
