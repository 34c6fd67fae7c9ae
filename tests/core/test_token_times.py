"""A token's time claims in words, for ``decode`` without a key: dates, ages, odd values."""

from __future__ import annotations

import json
from typing import Any

import pytest

from streamconsole.core.report import time_view
from streamconsole.core.token_times import describe_time, describe_times

from .support import NOW  # 2027-01-15T08:00:00Z

DAY = 86400


def test_the_issue_example_expired_522_days_ago() -> None:
    exp = 1_750_814_540  # 2025-06-25T01:22:20Z
    now = exp + 522 * DAY
    assert describe_time("exp", exp, now).text == "exp 2025-06-25T01:22:20Z — expired 522d ago"


@pytest.mark.parametrize(
    ("claim", "offset", "text"),
    [
        ("exp", 600, "exp 2027-01-15T08:10:00Z — expires in 10m"),
        ("exp", 0, "exp 2027-01-15T08:00:00Z — expired 0s ago"),
        ("exp", -7260, "exp 2027-01-15T05:59:00Z — expired 2h 1m ago"),
        ("nbf", 180, "nbf 2027-01-15T08:03:00Z — not yet valid for 3m"),
        ("nbf", -30, "nbf 2027-01-15T07:59:30Z — valid since 30s ago"),
        ("iat", -7200, "iat 2027-01-15T06:00:00Z — issued 2h ago"),
        ("iat", 90, "iat 2027-01-15T08:01:30Z — issued 1m 30s in the future (a clock ahead?)"),
    ],
)
def test_past_and_future(claim: str, offset: int, text: str) -> None:
    assert describe_time(claim, int(NOW) + offset, NOW).text == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ('"1800000600"', 'exp "1800000600" — not a number of seconds (NumericDate)'),
        ("true", "exp true — not a number of seconds (NumericDate)"),
        ("false", "exp false — not a number of seconds (NumericDate)"),
        ("null", "exp null — not a number of seconds (NumericDate)"),
        ("[1800000600]", "exp [1800000600] — not a number of seconds (NumericDate)"),
        (
            "1800000600.5",
            "exp 2027-01-15T08:10:00Z — expires in 10m; not a whole number of seconds",
        ),
        ("-1", "exp 1969-12-31T23:59:59Z — expired 20833d 8h ago; negative: before 1970"),
        ("1e30", "exp 1e+30 — absurdly far in the future"),
        ("-1e300", "exp -1e+300 — absurdly far in the past"),
        ("1e400", "exp Infinity — out of range: no date"),
        ("1" + "0" * 400, "exp 1000000000000000000000000000000000000... — out of range: no date"),
        ("-" + "9" * 4000, "exp -999999999999999999999999999999999999... — out of range: no date"),
        ("7258118400", "exp 2200-01-01T00:00:00Z — absurdly far in the future"),
    ],
    ids=lambda v: v[:24],
)
def test_hostile_values_get_a_note(value: str, text: str) -> None:
    # json.loads as the token decoder does (a 4,000-digit number is still a JSON int).
    assert describe_time("exp", json.loads(value), NOW).text == text


def test_only_time_claims_in_a_fixed_order() -> None:
    claims: dict[str, Any] = {"sub": "x", "iat": int(NOW), "exp": int(NOW) + 60, "nbf": "?"}
    assert [t.claim for t in describe_times(claims, NOW)] == ["exp", "nbf", "iat"]
    assert describe_times({"sub": "x"}, NOW) == ()


def test_json_view() -> None:
    view = time_view({"exp": int(NOW) - 60, "nbf": True}, NOW)
    assert view == {
        "now": "2027-01-15T08:00:00Z",
        "claims": {
            "exp": {"date": "2027-01-15T07:59:00Z", "relative": "expired 1m ago", "note": None},
            "nbf": {
                "date": None,
                "relative": None,
                "note": "not a number of seconds (NumericDate)",
            },
        },
    }
    json.dumps(view)  # plain data
