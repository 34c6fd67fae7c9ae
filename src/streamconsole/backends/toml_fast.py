"""The fast path of config reading: ``rtoml``, where it certainly agrees with ``tomllib``.

``rtoml`` parses a 100k-alias config in about a tenth of ``tomllib``'s time, but it reads
TOML 1.1, which ``tomllib`` (TOML 1.0, our definition of a valid config) refuses in places:
line breaks and trailing commas in inline tables, ``\\x``/``\\e`` escapes, times without
seconds, a leading BOM. :func:`fast_toml` declines any text that may hold one of those, and
any text ``rtoml`` refuses (``1e999``, which ``tomllib`` reads as infinity; every syntax
error): the caller then parses with ``tomllib``, which decides and names the line.

The screen is conservative — a brace left open in a comment or a multi-line string only
costs the slow path — and runs at C speed, a few regex passes over the text.
"""

from __future__ import annotations

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


def fast_toml(text: str) -> dict[str, Any] | None:
    """``text`` parsed by ``rtoml``; None where ``tomllib`` must decide (see the module)."""
    if text.startswith("\ufeff") or any(escape in text for escape in _NEWER_ESCAPES):
        return None
    if _may_hold_toml_1_1(text):
        return None
    try:
        return rtoml.loads(text)
    except (rtoml.TomlParsingError, ValueError, RecursionError):
        return None


def _may_hold_toml_1_1(text: str) -> bool:
    if any(pattern.search(text) for pattern in _LINE_BREAK_IN_INLINE_TABLE):
        return True
    for match in _MINUTES_AT_THE_END.finditer(text):
        hours = text[max(match.start() - 3, 0) : match.start()]
        # HH:MM with no seconds; :SS after HH:MM, or an offset's +HH:MM, is not one.
        if hours[-2:].isdigit() and not (len(hours) == 3 and hours[0] in "0123456789:+-"):
            return True
    return False
