"""inert(): hostile claim text made safe to put on a terminal (and pretty_json beside it)."""

from __future__ import annotations

import json
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from streamconsole.core.text import counted, inert, inert_lines, pretty_json

BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f"


def unsafe_chars(text: str) -> list[str]:
    """Characters a terminal would act on, or could not encode at all."""
    return [c for c in text if unicodedata.category(c) in ("Cc", "Cf", "Cs") or c in BIDI]


@pytest.mark.parametrize(
    "text",
    ["live-stream_01", "Café 🎥 ストリーム", "", "a b  c", "100% [ok] <b>{x}</b>"],
)
def test_ordinary_text_is_unchanged(text: str) -> None:
    assert inert(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("\x1b[31mred\x1b[0m", "\\x1b[31mred\\x1b[0m"),
        ("\x1b]52;c;ZXZpbA==\x07", "\\x1b]52;c;ZXZpbA==\\x07"),  # OSC 52: write the clipboard
        ("\x1b]0;owned\x1b\\", "\\x1b]0;owned\\x1b\\"),  # OSC 0: set the window title
        ("a\x9b2Jb", "a\\x9b2Jb"),  # C1 CSI: a one-byte escape sequence
        ("line1\nline2", "line1\\nline2"),  # a claim cannot fake a second row
        ("over\rwrite", "over\\rwrite"),
        ("tab\there", "tab\\there"),
        ("nul\x00del\x7f", "nul\\x00del\\x7f"),
        ("bell\x07", "bell\\x07"),
        ("zero\u200bwidth", "zero\\u200bwidth"),
        ("soft\u00adhyphen", "soft\\xadhyphen"),
        ("bom\ufeff", "bom\\ufeff"),
    ],
)
def test_control_characters_are_shown_as_escapes(text: str, expected: str) -> None:
    assert inert(text) == expected
    assert unsafe_chars(inert(text)) == []


@pytest.mark.parametrize("char", list(BIDI))
def test_every_bidi_override_is_escaped(char: str) -> None:
    result = inert(f"admin{char}nimda")
    assert char not in result
    assert result == f"admin\\u{ord(char):04x}nimda"


def test_trojan_source_string_reads_as_written() -> None:
    # RLO ... PDI makes "evil" display reversed; escaped, the order on screen is the order in
    # memory.
    hostile = "stream\u202e\u2066live\u2069\u2066"
    assert inert(hostile) == "stream\\u202e\\u2066live\\u2069\\u2066"


def test_lone_surrogates_are_escaped_so_the_terminal_can_encode_them() -> None:
    # json.loads('"\\ud800"') gives a lone surrogate: a claim can carry one, and writing it to a
    # UTF-8 terminal raises UnicodeEncodeError.
    claim = json.loads('"a\\ud800b\\udfffc"')
    result = inert(claim)
    assert result == "a\\ud800b\\udfffc"
    result.encode("utf-8")


@pytest.mark.parametrize(
    "markup",
    [
        "[bold]x[/bold]",
        "[red on white]alert[/]",
        "[link=https://evil.example]ok[/link]",
        "[@click=quit]",
    ],
)
def test_rich_markup_is_left_as_literal_text(markup: str) -> None:
    # inert does not strip or escape markup: the TUI renders the result as Text, never markup.
    assert inert(markup) == markup


def test_text_longer_than_the_limit_is_cut_with_a_count() -> None:
    assert inert("x" * 25, limit=10) == "x" * 10 + "… (15 more characters)"


def test_text_at_the_limit_is_not_cut() -> None:
    assert inert("x" * 10, limit=10) == "x" * 10


def test_the_default_limit_is_4096_with_thousands_separators() -> None:
    result = inert("y" * 5096)
    assert result == "y" * 4096 + "… (1,000 more characters)"


def test_cutting_happens_before_escaping() -> None:
    # An escape sequence past the limit does not reach the output in any form.
    result = inert("ok" + "\x1b[2J" * 10, limit=2)
    assert result == "ok… (40 more characters)"


def test_inert_lines_keeps_line_breaks_and_escapes_a_bare_carriage_return() -> None:
    text = "first \x1b[2J\r\nsecond\rover\nthird \u202e"
    assert inert_lines(text) == "first \\x1b[2J\nsecond\\rover\nthird \\u202e"


def test_pretty_json_is_ascii_and_escapes_control_characters() -> None:
    text = pretty_json({"name": "\x1b[31mé\u202e", "n": 1})
    assert text.isascii()
    assert "\x1b" not in text
    assert "\\u001b[31m\\u00e9\\u202e" in text
    assert json.loads(text) == {"name": "\x1b[31mé\u202e", "n": 1}


def test_pretty_json_keeps_claim_order_and_shows_odd_values() -> None:
    text = pretty_json({"z": 1, "a": [True, None], "when": object})
    assert text.index('"z"') < text.index('"a"')
    assert "<class 'object'>" in text


@settings(max_examples=300, deadline=None, database=None)
# st.text() never yields lone surrogates; build strings from characters to get them.
@given(st.lists(st.characters() | st.characters(categories=["Cs"])).map("".join))
def test_inert_output_has_nothing_a_terminal_acts_on(text: str) -> None:
    result = inert(text)
    assert unsafe_chars(result) == []
    result.encode("utf-8")


@settings(max_examples=200, deadline=None, database=None)
@given(st.text(st.characters(categories=("L", "N", "P", "S", "Zs"))))
def test_inert_leaves_printable_text_alone(text: str) -> None:
    assert inert(text) == text


@pytest.mark.parametrize(
    ("count", "noun", "words"),
    [
        (1, "stream", "1 stream"),
        (3, "stream", "3 streams"),
        (0, "alias", "0 aliases"),
        (50, "alias", "50 aliases"),
        (1, "alias", "1 alias"),
        (1200, "application", "1,200 applications"),
        (2, "switch", "2 switches"),
    ],
)
def test_counted_says_one_in_the_singular_and_the_rest_in_the_plural(
    count: int, noun: str, words: str
) -> None:
    assert counted(count, noun) == words
