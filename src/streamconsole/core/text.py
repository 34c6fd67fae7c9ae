"""Making untrusted text (claims, server replies) safe to show on a terminal."""

from __future__ import annotations

import unicodedata
from typing import Any

# Bidirectional overrides can make "evil" read as "live" on screen (Trojan Source).
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")


def inert(text: str, *, limit: int = 4096) -> str:
    """Control characters, escape sequences, bidi overrides and lone surrogates shown as
    ``\\xNN``/``\\uNNNN`` escapes.

    The result is still to be rendered without markup parsing (Rich ``Text``, not a str
    that goes through console markup).
    """
    out: list[str] = []
    for char in text[:limit]:
        # Cs: a lone surrogate (JSON "\ud800" makes one) cannot be encoded for the terminal.
        if char in _BIDI or (unicodedata.category(char) in ("Cc", "Cf", "Cs") and char != " "):
            out.append(char.encode("unicode_escape").decode("ascii"))
        else:
            out.append(char)
    if len(text) > limit:
        out.append(f"… ({len(text) - limit:,} more characters)")
    return "".join(out)


def inert_lines(text: str, *, limit: int = 4096) -> str:
    """:func:`inert` line by line: line breaks (``\\n``, ``\\r\\n``) stay line breaks,
    everything else is escaped (a bare ``\\r`` too)."""
    return "\n".join(inert(line, limit=limit) for line in text.replace("\r\n", "\n").split("\n"))


def plural(noun: str) -> str:
    """The English plural of one of our nouns: ``streams``, ``aliases``, ``switches``."""
    return noun + ("es" if noun.endswith(("s", "x", "ch", "sh")) else "s")


def counted(count: int, noun: str) -> str:
    """``1 stream``, ``3 streams``, ``50 aliases``, ``1,200 applications``: the count and its
    noun, plural unless the count is one. Every count shown in words goes through this."""
    return f"{count:,} {noun if count == 1 else plural(noun)}"


def pretty_json(value: Any) -> str:
    """Indented JSON with every non-ASCII and control character escaped: safe to print
    as it is (escape sequences and bidi overrides inside strings become ``\\uXXXX``)."""
    import json  # here, not at the top: `list` shows no JSON and imports this module

    return json.dumps(value, indent=2, ensure_ascii=True, sort_keys=False, default=str)


def brief_json(value: Any) -> str:
    """``value`` as ASCII JSON, cut to 40 characters: untrusted values quoted in a message."""
    import json

    text = json.dumps(value, ensure_ascii=True)
    return text if len(text) <= 40 else text[:37] + "..."
