"""Editing one table of a TOML text while keeping every other byte as it was.

``tomlkit`` keeps comments and formatting but parses a 100k-alias file in ~20 s. An edit
touches one scope, so :func:`edit_table` runs ``tomlkit`` on just the lines that define
it — its table section, or its one ``name = { ... }`` line — and splices the result back.
Layouts the scanner does not follow fall back to a full ``tomlkit`` parse. Inline tables
the edit changed are written in the file's style (:mod:`.toml_style`).
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from typing import Any

from streamconsole.backends.toml_scan import KeyPath, Statement, scan
from streamconsole.backends.toml_style import InlineTables

Mutate = Callable[[Any], None]


def _navigate(container: Any, path: KeyPath) -> Any:
    for part in path:
        container = container[part]
    return container


def _snippet_bounds(statements: list[Statement], index: int) -> tuple[int, int]:
    """First and past-the-end line of the snippet that defines ``statements[index]``."""
    statement = statements[index]
    if not statement.is_header:
        return statement.first, statement.last + 1
    last = statement.last
    for following in statements[index + 1 :]:
        if following.is_header:
            break
        last = following.last
    # Comments and blank lines after the section's last key stay outside: they usually
    # introduce the next section, and tomlkit appends new keys after them.
    return statement.first, last + 1


def _mutate_in_style(document: Any, path: KeyPath, mutate: Mutate, text: str) -> set[str]:
    """Apply ``mutate`` to the table at ``path`` in ``document`` (parsed from ``text`` or a
    part of it); return the names it added."""
    table = _navigate(document, path)
    tables = InlineTables(table, text)
    before = set(table)
    mutate(table)
    added = set(table) - before
    tables.restyle(_navigate(document, path[:-1]), path[-1])
    return added


def _surgical(text: str, path: KeyPath, mutate: Mutate) -> str | None:
    import tomlkit  # ~20 ms to import: only when something is edited, not to read

    lines = text.splitlines(keepends=True)
    # Only tables on the path to ``path``, or under it, can hold what the edit touches.
    statements = scan(
        lines, lambda table: table == path[: len(table)] or table[: len(path)] == path
    )
    if statements is None:
        return None
    matches = [i for i, s in enumerate(statements) if s.path == path]
    if len(matches) != 1:
        return None
    statement = statements[matches[0]]
    first, end = _snippet_bounds(statements, matches[0])
    snippet = "".join(lines[first:end])
    if not snippet.endswith("\n"):
        snippet += "\n"
    try:
        document = tomlkit.parse(snippet)
        where = path if statement.is_header else statement.key
        added = {(*path, name) for name in _mutate_in_style(document, where, mutate, text)}
        edited = tomlkit.dumps(document)
        tomllib.loads(edited)  # the snippet must still be valid TOML on its own
    except (tomlkit.exceptions.TOMLKitError, tomllib.TOMLDecodeError, KeyError):
        return None
    outside = statements[: matches[0]] + [s for s in statements if s.first >= end]
    if any(s.path[: len(path) + 1] in added for s in outside):
        return None  # a new key would collide with a table defined elsewhere
    if not text.endswith("\n") and end == len(lines):
        edited = edited.removesuffix("\n")
    return "".join(lines[:first]) + edited + "".join(lines[end:])


def edit_table(text: str, path: KeyPath, mutate: Mutate) -> str:
    """``text`` with ``mutate`` applied to the table at ``path``; KeyError if it is absent."""
    edited = _surgical(text, path, mutate)
    if edited is not None:
        return edited
    import tomlkit  # only when the surgical edit cannot: ~20 ms to import

    document = tomlkit.parse(text)
    _mutate_in_style(document, path, mutate, text)
    return tomlkit.dumps(document)
