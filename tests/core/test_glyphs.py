"""The glyph table: ASCII on the Linux console and on request, and ASCII forms that keep
apart what the Unicode ones tell apart."""

from __future__ import annotations

import pytest
from rich.cells import cell_len

from streamconsole.core.glyphs import ASCII, ASCII_CELLS, UNICODE, Glyphs, glyphs_for


@pytest.mark.parametrize("term", ["linux", "linux-16color", "vt100", "vt220", "cons25"])
def test_consoles_without_unicode_fonts_get_ascii(term: str) -> None:
    assert glyphs_for(term) is ASCII


@pytest.mark.parametrize("term", [None, "", "xterm-256color", "tmux-256color", "screen", "dumb"])
def test_other_terminals_get_unicode_unless_asked(term: str | None) -> None:
    assert glyphs_for(term) is UNICODE
    assert glyphs_for(term, ascii=True) is ASCII


def _symbols(glyphs: Glyphs) -> dict[str, str]:
    return {name: getattr(glyphs, name) for name in Glyphs._fields if name != "ascii"}


def test_every_ascii_glyph_is_ascii_and_every_unicode_one_has_an_ascii_form() -> None:
    assert all(symbol.isascii() and symbol for symbol in _symbols(ASCII).values())
    assert _symbols(ASCII).keys() == _symbols(UNICODE).keys()


@pytest.mark.parametrize(
    "apart",
    [
        ("enforced", "off", "unsupported", "unread"),  # a row's P and play states
        ("warning", "no_key"),  # the marker column ("*" is unsaved)
        ("passed", "refused", "skipped"),  # a token check
        ("expanded", "collapsed", "leaf"),
    ],
)
def test_ascii_keeps_apart_what_unicode_keeps_apart(apart: tuple[str, ...]) -> None:
    for glyphs in (UNICODE, ASCII):
        shown = [getattr(glyphs, name) for name in apart]
        assert len(set(shown)) == len(shown), (glyphs.ascii, shown)
    assert "*" not in (ASCII.warning, ASCII.no_key, ASCII.failed)


def test_the_cell_table_turns_one_cell_into_one_ascii_cell() -> None:
    for code, ascii in ASCII_CELLS.items():
        assert cell_len(chr(code)) == 1, chr(code)
        assert len(ascii) == 1 and ascii.isascii(), chr(code)
    # The table's own one-cell symbols are in it, as the table's ASCII forms begin.
    assert "●▶⚠…│─▔▁▏".translate(ASCII_CELLS) == "+>!.|--_|"


def test_a_token_check_mark_by_status() -> None:
    assert [ASCII.check(s) for s in ("passed", "failed", "skipped")] == ["+", "x", "-"]
    assert UNICODE.check("failed") == "✖"
