"""Finding the line of a dotted key path in TOML text, for error messages.

``tomllib`` reports positions only for syntax errors; for a wrong type or an unknown key
this scans the text once, tracking table headers, and returns the line of the longest
prefix of the path it finds. It runs only when there is an error to report.
"""

from __future__ import annotations

import re

_BARE = re.compile(r"[A-Za-z0-9_-]+")


def _split_keys(text: str) -> tuple[list[str], str] | None:
    """Parse a dotted key at the start of ``text``; return its parts and the rest."""
    parts: list[str] = []
    rest = text.lstrip()
    while True:
        if rest[:1] in ('"', "'"):
            quote = rest[0]
            end = rest.find(quote, 1)
            if end < 0:
                return None
            parts.append(rest[1:end])
            rest = rest[end + 1 :].lstrip()
        else:
            match = _BARE.match(rest)
            if match is None:
                return None
            parts.append(match.group())
            rest = rest[match.end() :].lstrip()
        if rest[:1] != ".":
            return parts, rest
        rest = rest[1:].lstrip()


def _inline_keys(text: str, prefix: list[str]) -> list[list[str]]:
    """Keys of an inline table that starts in ``text`` (one level, good enough to point)."""
    found: list[list[str]] = []
    for piece in re.split(r"[{,]", text)[1:]:
        split = _split_keys(piece)
        if split is not None and split[1].startswith("="):
            found.append(prefix + split[0])
    return found


def locate(text: str, path: tuple[str, ...]) -> int | None:
    """1-based line of ``path`` (or of its longest prefix) in ``text``."""
    target = list(path)
    best_line: int | None = None
    best_len = 0
    table: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        candidates: list[list[str]] = []
        if stripped.startswith("["):
            split = _split_keys(stripped.lstrip("["))
            if split is None:
                continue
            table = split[0]
            candidates.append(table)
        else:
            split = _split_keys(stripped)
            if split is None or not split[1].startswith("="):
                continue
            full = table + split[0]
            candidates.append(full)
            candidates.extend(_inline_keys(split[1], full))
        for candidate in candidates:
            size = len(candidate)
            if size > best_len and target[:size] == candidate:
                best_line, best_len = number, size
                if size == len(target):
                    return best_line
    return best_line
