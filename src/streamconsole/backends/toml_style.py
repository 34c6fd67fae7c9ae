"""Inline tables written the file's way: ``{ algorithm = "HS256" }`` or ``{algorithm="HS256"}``.

``tomlkit`` keeps what it parsed but writes what an edit adds in its own spacing, and joins
the two badly (``{ label = "x", play = true}``, ``{label="x",play = true}``). An inline
table an edit touched is written again here, in one style: the table's own when it had
entries, else the first inline table of the file with entries, else the spaced style of
TOML's examples. Entries the edit did not touch keep their text (a value's quotes, a date's
form, a nested table's spacing); an inline table holds no comment to lose.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\'')
# An inline table with entries (`= {` not followed by `}`) and the rest of its line.
_INLINE_WITH_ENTRIES = re.compile(r"=[ \t]*(\{(?![ \t]*\})[^\n]*)")
_EQUALS = re.compile(r"[ \t]*=[ \t]*")
_COMMA = re.compile(r"[ \t]*,[ \t]*")
_PADDING = re.compile(r"\{([ \t]*)")


@dataclass(frozen=True, slots=True)
class InlineStyle:
    padding: str  # inside each brace: " " or ""
    equals: str  # between a key and its value: " = " or "="
    comma: str  # between entries: ", " or ","

    @classmethod
    def of(cls, text: str) -> InlineStyle:
        """The style of the inline table that starts ``text`` (at its ``{``)."""
        bare = _STRING.sub('""', text)
        padding = _PADDING.match(bare)
        equals = _EQUALS.search(bare)
        spaced = equals is None or equals.group() != "="
        comma = _COMMA.search(bare)
        return cls(
            padding.group(1) if padding else " ",
            equals.group() if equals else " = ",
            comma.group() if comma else (", " if spaced else ","),
        )


SPACED = InlineStyle(" ", " = ", ", ")


def file_style(text: str) -> InlineStyle:
    """The style of ``text``'s first inline table with entries; spaced when it has none."""
    for found in _INLINE_WITH_ENTRIES.finditer(text):
        line_start = text.rfind("\n", 0, found.start()) + 1
        if "#" not in text[line_start : found.start()]:  # not in a comment
            return InlineStyle.of(found.group(1))
    return SPACED


class InlineTables:
    """The inline tables under one table, as text, before an edit; after it,
    :meth:`restyle` writes again, in one style, those the edit changed or added."""

    def __init__(self, table: Any, file_text: str) -> None:
        self._before = {id(t): t.as_string() for t in _inline_tables(table)}
        self._file_text = file_text

    def restyle(self, parent: Any, name: str) -> None:
        """Write again ``parent[name]`` if it is a changed inline table, or the changed
        inline tables directly in it if it is a section."""
        import tomlkit

        table = parent[name]
        if isinstance(table, tomlkit.items.InlineTable):
            if self._changed(table):
                parent[name] = self._rewritten(table, self._style_of(table))
            return
        for key, value in list(table.items()):
            if isinstance(value, tomlkit.items.InlineTable) and self._changed(value):
                table[key] = self._rewritten(value, self._style_of(value))

    def _changed(self, table: Any) -> bool:
        return bool(self._before.get(id(table)) != table.as_string())

    def _style_of(self, table: Any) -> InlineStyle:
        before = self._before.get(id(table), "{}")
        if _PADDING.sub("", before, count=1).strip(" \t}"):
            return InlineStyle.of(before)
        return file_style(self._file_text)

    def _rewritten(self, table: Any, style: InlineStyle) -> Any:
        import tomlkit

        return tomlkit.parse(f"x = {self._text(table, style)}\n")["x"]

    def _text(self, table: Any, style: InlineStyle) -> str:
        import tomlkit

        entries = []
        for key, value in table.value.body:
            if key is None:  # white space, commas, what a deletion left
                continue
            if isinstance(value, tomlkit.items.InlineTable) and self._changed(value):
                text = self._text(value, style)
            else:
                text = value.as_string()
            entries.append(f"{key.as_string().strip()}{style.equals}{text}")
        if not entries:
            return "{}"
        return f"{{{style.padding}{style.comma.join(entries)}{style.padding}}}"


def _inline_tables(table: Any) -> list[Any]:
    """``table`` and every inline table under it (tomlkit items)."""
    import tomlkit

    found = [table] if isinstance(table, tomlkit.items.InlineTable) else []
    if isinstance(table, dict):
        for value in table.values():
            if isinstance(value, dict):
                found.extend(_inline_tables(value))
    return found
