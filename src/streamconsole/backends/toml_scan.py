"""A line scanner for TOML text: where each table header and key/value statement is.

Two users: error messages (the line of a key path; ``tomllib`` gives positions only for
syntax errors) and surgical saves (the few lines that define one scope, so an edit can run
``tomlkit`` on those lines instead of on a 100k-line document). It understands what can
make a statement span lines — multi-line strings, arrays and inline tables — and treats
anything it cannot read as "not found", so callers fall back to a full parse.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

# Patterns, compiled (and cached) by re on first use: only a scan needs them.
_BARE = r"[A-Za-z0-9_-]+"
_STRINGS = r'"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\''
# The common line, `name = "x"` or `name = { label = "x", play = true }`: one key, no
# escapes, nothing that can open a multi-line construct. Matched in one regex call.
_SIMPLE_LINE = (
    r'[ \t]*(?:([A-Za-z0-9_-]+)|"([^"\\\n]*)")[ \t]*='
    r'((?:[^"\'\[\]{}#\n]|"[^"\\\n]*")*(?:\{(?:[^"\'\[\]{}#\n]|"[^"\\\n]*")*\})?[ \t]*)'
    r"(?:#[^\n]*)?\n?"
)
KeyPath = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Statement:
    """Lines ``first``..``last`` (0-based, inclusive) define ``path``.

    For a header, ``path`` is the table's path and ``key`` is empty; for a key/value,
    ``path`` is the full path and ``key`` the key as written relative to its table.
    """

    path: KeyPath
    key: KeyPath
    first: int
    last: int
    value: str = ""  # the value text of a one-line key/value (for inline-table keys)

    @property
    def is_header(self) -> bool:
        return not self.key


def split_key(text: str) -> tuple[list[str], str] | None:
    """Parse a dotted key at the start of ``text``; return its parts and the rest."""
    parts: list[str] = []
    rest = text.lstrip()
    while True:
        if rest[:1] in ('"', "'"):
            quote = rest[0]
            end = rest.find(quote, 1)
            if end < 0 or (quote == '"' and "\\" in rest[1:end]):
                return None  # escapes in keys: rare; let the caller fall back
            parts.append(rest[1:end])
            rest = rest[end + 1 :].lstrip()
        else:
            match = re.match(_BARE, rest)
            if match is None:
                return None
            parts.append(match.group())
            rest = rest[match.end() :].lstrip()
        if rest[:1] != ".":
            return parts, rest
        rest = rest[1:].lstrip()


def _depth(value: str) -> int | None:
    """Open brackets left after ``value``; None when a multi-line string is in it."""
    if '"""' in value or "'''" in value:
        return None
    bare = re.sub(_STRINGS, "", value).split("#", 1)[0]
    return bare.count("[") + bare.count("{") - bare.count("]") - bare.count("}")


def _multiline_string(value: str) -> str | None:
    """The delimiter of a multi-line string value left open at the end of ``value``."""
    stripped = value.lstrip()
    for delimiter in ('"""', "'''"):
        if stripped.startswith(delimiter) and value.count(delimiter) % 2 == 1:
            return delimiter
    return None


def _one_line(line: str) -> bool:
    """Whether ``line`` certainly ends its statement (checked at C speed, no parsing)."""
    return (
        '"""' not in line
        and "'''" not in line
        and line.count("[") == line.count("]")
        and line.count("{") == line.count("}")
    )


def scan(
    lines: list[str], wanted: Callable[[KeyPath], bool] | None = None
) -> list[Statement] | None:
    """Statements of a TOML text split into lines; None when it holds a construct the
    scanner does not follow (array-of-tables, unterminated multi-line values).

    Every table header is listed. With ``wanted``, key/value statements are listed only
    for the tables it accepts; the others' one-line statements are skipped unparsed, which
    is what keeps a look-up in a 100k-alias file fast.
    """
    simple_line = re.compile(_SIMPLE_LINE)  # once a scan: the loop below runs per line
    statements: list[Statement] = []
    table: KeyPath = ()
    skipping = False
    index, count = 0, len(lines)
    while index < count:
        line = lines[index]
        stripped = line.lstrip()
        if (
            not stripped
            or stripped[0] == "#"
            or (skipping and stripped[0] != "[" and _one_line(line))
        ):
            index += 1
            continue
        simple = None if '"""' in line else simple_line.fullmatch(line)
        if simple is not None:
            name: str = simple.group(1) or simple.group(2)
            statements.append(Statement((*table, name), (name,), index, index, simple.group(3)))
            index += 1
            continue
        if stripped[0] == "[":
            if stripped.startswith("[["):
                return None
            split = split_key(stripped[1:])
            if split is None or not split[1].startswith("]"):
                return None
            table = tuple(split[0])
            skipping = wanted is not None and not wanted(table)
            statements.append(Statement(table, (), index, index))
            index += 1
            continue
        split = split_key(stripped)
        if split is None or not split[1].startswith("="):
            return None
        value = split[1][1:]
        first = index
        key = tuple(split[0])
        delimiter = _multiline_string(value)
        if delimiter is not None:  # e.g. a PEM in a multi-line string
            index += 1
            while index < count and lines[index].count(delimiter) % 2 == 0:
                index += 1
            if index >= count:
                return None
            statements.append(Statement(table + key, key, first, index))
            index += 1
            continue
        depth = _depth(value)
        while depth is not None and depth > 0 and index + 1 < count:
            index += 1
            extra = _depth(lines[index])
            depth = None if extra is None else depth + extra
        if depth is None or depth != 0:
            return None
        one_line = value if first == index else ""
        statements.append(Statement(table + key, key, first, index, one_line))
        index += 1
    return statements


def _inline_keys(statement: Statement) -> Iterable[KeyPath]:
    """One level of keys inside a one-line inline table (enough to point at a line)."""
    for piece in re.split(r"[{,]", statement.value)[1:]:
        split = split_key(piece)
        if split is not None and split[1].startswith("="):
            yield statement.path + tuple(split[0])


def locate_all(text: str, paths: Iterable[KeyPath]) -> dict[KeyPath, int]:
    """1-based line of each path, or of its longest prefix found; one pass over ``text``."""
    targets = {path for path in paths if path}
    if not targets:
        return {}  # nothing to report: no 100k-line scan
    best: dict[KeyPath, tuple[int, int]] = {}  # path -> (matched length, line)
    prefixes = {path[:size] for path in targets for size in range(1, len(path) + 1)}
    # A target can only be in a table whose path is one of its prefixes (or the root).
    statements = scan(text.splitlines(), lambda table: table in prefixes) or []
    for statement in statements:
        candidates = [statement.path]
        if statement.value and statement.path in prefixes:
            candidates.extend(_inline_keys(statement))
        for candidate in candidates:
            if candidate not in prefixes:
                continue
            for target in targets:
                size = len(candidate)
                if target[:size] == candidate and size > best.get(target, (0, 0))[0]:
                    best[target] = (size, statement.first + 1)
    return {path: line for path, (_, line) in best.items()}
