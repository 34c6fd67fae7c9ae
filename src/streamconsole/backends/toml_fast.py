"""The fast path of config reading: ``rtoml``, where it certainly agrees with ``tomllib``.

``rtoml`` parses a 100k-alias config in about a tenth of ``tomllib``'s time, but it reads
TOML 1.1, which ``tomllib`` (TOML 1.0, our definition of a valid config) refuses in places:
line breaks and trailing commas in inline tables, ``\\x``/``\\e`` escapes, times without
seconds, a leading BOM. :func:`fast_toml` declines any text that may hold one of those, and
any text ``rtoml`` refuses (``1e999``, which ``tomllib`` reads as infinity; every syntax
error): the caller then parses with ``tomllib``, which decides and names the line.

The screen is conservative — a brace left open in a comment or a multi-line string only
costs the slow path — and runs at C speed, a few regex passes over the text.

A big config is parsed a piece at a time (:func:`_pieces_parsed`): ``rtoml`` keeps the whole
document in Rust while it builds the Python data, about three times the data's own size, so
one call on a 100k-alias file costs ~130 MiB at its peak; a piece of a table's body costs a
few. The pieces give ``rtoml.loads(text)``'s data exactly, or the whole text is parsed in one
call (see the function for why).
"""

from __future__ import annotations

import contextlib
import re
from typing import Any

import rtoml

_ONE_LINE_STRING = r'"(?:[^"\\\n]++|\\.)*+"|\'[^\'\n]*+\''
# The rest of a line up to its end, stepping over one-line strings (which may hold braces)
# and comments, and stopping at a brace or bracket that closes something.
_TO_THE_LINE_END = r"(?:[^}\]\"'#\n]++|" + _ONE_LINE_STRING + r"|[\"']|#[^\n]*)*+(?:\n|\Z)"
# TOML 1.0 closes an inline table on the line that opens it. TOML 1.1 may break a line after
# its "{" or after one of its values (seen as a "}," of an inner table with nothing closing
# after it), with the next line then starting with "," or "}"; and may end it with ",}".
_LINE_BREAK_IN_INLINE_TABLE = (
    re.compile(r"\{" + _TO_THE_LINE_END),
    re.compile(r"\}[ \t]*," + _TO_THE_LINE_END),
    re.compile(r"\n[ \t]*[,}]"),
    re.compile(r",[ \t]*\}"),
)
# :MM after HH, not followed by :SS (TOML 1.1 makes the seconds optional): checked on each
# match's left side, as a regex led by the colon skips ahead at C speed.
_MINUTES_AT_THE_END = re.compile(r":\d\d(?![\d:])")
_NEWER_ESCAPES = ("\\x", "\\e")
# A big table's body is parsed in pieces of about this many characters (whole lines).
PIECE_CHARS = 1 << 16
# Line starts are found by the newline before them: a pattern led by "^" is tried at every
# position of the text (~25 ms over a 100k-alias file each), one led by a character is not.
_LINE_STARTING_A_TABLE = re.compile(r"\n\[")
_TABLE_HEADER = re.compile(r"\[[^\[\]\n]*\][ \t]*(?:#[^\n]*)?\n")  # [a."b"] # a comment
_INDENTED_BRACKET = re.compile(r"\n[ \t]+\[")


def fast_toml(text: str) -> dict[str, Any] | None:
    """``text`` parsed by ``rtoml``; None where ``tomllib`` must decide (see the module)."""
    if text.startswith("\ufeff") or any(escape in text for escape in _NEWER_ESCAPES):
        return None
    if _may_hold_toml_1_1(text):
        return None
    try:
        if len(text) > PIECE_CHARS:
            with contextlib.suppress(rtoml.TomlParsingError, ValueError, RecursionError):
                if (data := _pieces_parsed(text)) is not None:
                    return data
        return rtoml.loads(text)
    except (rtoml.TomlParsingError, ValueError, RecursionError):
        return None


def _pieces_parsed(text: str) -> dict[str, Any] | None:
    """``rtoml.loads(text)``'s data, parsed a piece at a time; None (or an error) where the
    pieces might not add up to it, and the caller parses the whole text.

    The bodies of big ``[table]`` sections (the lines up to the next line that starts with
    "[") are cut out; the rest, the skeleton, is parsed whole, so TOML's rules between
    tables (no table defined twice, none extended after an inline table or a dotted key)
    are ``rtoml``'s to check as before. Each cut-out body is parsed in pieces of whole lines
    and put into its table, which the skeleton must leave empty (nothing else defines
    anything inside it), with no key given twice. Without multi-line strings (declined) a
    line is a whole statement or part of an array or inline table left open: a piece that
    ends inside one fails to parse. A body with a line that starts with "[" after blanks
    (an indented header) is left in the skeleton."""
    if '"""' in text or "'''" in text:
        return None
    cuts: list[tuple[str, int, int]] = []  # (header, body start, body end)
    skeleton: list[str] = []
    kept = 0
    starts = [0] if text.startswith("[") else []
    starts += [match.start() + 1 for match in _LINE_STARTING_A_TABLE.finditer(text)]
    for start, end in zip(starts, [*starts[1:], len(text)], strict=True):
        body = text.find("\n", start) + 1
        if body == 0 or end - body < PIECE_CHARS or not _TABLE_HEADER.match(text, start):
            continue
        if _INDENTED_BRACKET.search(text, body - 1, end):  # from the header's newline
            continue
        cuts.append((text[start:body], body, end))
        skeleton.append(text[kept:body])
        kept = end
    if not cuts:
        return None
    skeleton.append(text[kept:])
    data: dict[str, Any] = rtoml.loads("".join(skeleton))
    for header, body, end in cuts:
        table = _table_named(data, header)
        if table is None or table:
            return None
        while body < end:
            cut = text.find("\n", min(body + PIECE_CHARS, end - 1), end) + 1 or end
            for key, value in rtoml.loads(text[body:cut]).items():
                if key in table:
                    return None  # a dotted key split between pieces, or a duplicate
                table[key] = value
            body = cut
    return data


def _table_named(data: dict[str, Any], header: str) -> dict[str, Any] | None:
    """The table of ``data`` that a ``[header]`` line names (None: not a plain table)."""
    named = rtoml.loads(header)
    table: Any = data
    while len(named) == 1:
        key, named = next(iter(named.items()))
        if not isinstance(table, dict) or not isinstance(named, dict):
            return None
        table = table.get(key)
    return table if isinstance(table, dict) and not named else None


def _may_hold_toml_1_1(text: str) -> bool:
    if any(pattern.search(text) for pattern in _LINE_BREAK_IN_INLINE_TABLE):
        return True
    for match in _MINUTES_AT_THE_END.finditer(text):
        hours = text[max(match.start() - 3, 0) : match.start()]
        # HH:MM with no seconds; :SS after HH:MM, or an offset's +HH:MM, is not one.
        if hours[-2:].isdigit() and not (len(hours) == 3 and hours[0] in "0123456789:+-"):
            return True
    return False
