"""Durations as operators type them, and as the console shows them."""

from __future__ import annotations

import pytest

from streamconsole.core.durations import MAX_TTL, format_duration, parse_duration
from streamconsole.core.errors import DurationError


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("90s", 90),
        ("10m", 600),
        ("1h30m", 5400),
        ("2d", 172_800),
        ("45", 45),
        ("1", 1),
        ("1s", 1),
        ("1d2h3m4s", 93_784),
        ("  10M  ", 600),
        ("1H 30M", 5400),
        ("1h 30m", 5400),
        ("007m", 420),
        ("366d", MAX_TTL),
        ("8784h", MAX_TTL),
    ],
)
def test_parse(text: str, seconds: int) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "s",
        "m10",
        "10x",
        "1.5h",
        "-5s",
        "+5s",
        "1h30",
        "10 minutes",
        "1h\t30m",
        "ten",
        "0x10",
        "1_000",
        "1e3",
        "²",  # isdigit() is true for it, int() refuses it
        "٣٠s",  # Arabic-Indic digits: operators type ASCII; accept only that
        "３０s",  # fullwidth digits
    ],
)
def test_not_a_duration(text: str) -> None:
    with pytest.raises(DurationError, match="is not a duration") as caught:
        parse_duration(text)
    assert repr(text) in str(caught.value)  # the message names what was typed


@pytest.mark.parametrize("text", ["0", "0s", "0m0s", "367d", "366d1s", "8785h", "99999999999"])
def test_out_of_range(text: str) -> None:
    with pytest.raises(DurationError, match="out of range: between 1s and 366d"):
        parse_duration(text)


@pytest.mark.parametrize(
    "text", ["9" * 5000, "1" * 4301 + "s", "0" * 5000 + "1m"], ids=["bare", "seconds", "zeros"]
)
def test_huge_numbers_are_a_duration_error_not_a_crash(text: str) -> None:
    # Past 4300 digits int() raises ValueError; that must not escape as a crash.
    with pytest.raises(DurationError, match="out of range"):
        parse_duration(text)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0s"),
        (0.9, "0s"),
        (1, "1s"),
        (42, "42s"),
        (60, "1m"),
        (598, "9m 58s"),
        (3600, "1h"),
        (3900, "1h 5m"),
        (3601, "1h 1s"),
        (3661, "1h 1m"),  # two units at most: the smallest is dropped, not rounded
        (86_400, "1d"),
        (90_061, "1d 1h"),
        (MAX_TTL, "366d"),
        (-75, "1m 15s"),  # a magnitude: callers say "ago" or "in"
        (59.999, "59s"),
    ],
)
def test_format(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text


@pytest.mark.parametrize("seconds", [1, 59, 61, 3599, 3600, 5400, 86_399, 86_400, MAX_TTL])
def test_format_then_parse_keeps_what_two_units_can_say(seconds: int) -> None:
    shown = format_duration(seconds)
    parsed = parse_duration(shown)
    assert parsed <= seconds
    assert format_duration(parsed) == shown
