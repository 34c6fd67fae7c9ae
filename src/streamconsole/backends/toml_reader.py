"""A strict, problem-collecting reader of parsed TOML, driven by a declared schema.

Nothing here knows what a config holds (that is :mod:`.toml_schema`): it checks a table's
keys and values against the :class:`Table` declared for it and collects every problem with
its key path, so ``check`` can list them all at once; lines are found on demand, in one pass.
An unknown key or value is refused with the nearest valid one.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from streamconsole.backends.base import ConfigError, Problem
from streamconsole.core.text import inert

if TYPE_CHECKING:
    from streamconsole.backends.toml_scan import KeyPath


# NamedTuples, not dataclasses: a schema is a handful of records, and a dataclass costs
# ~1 ms of start-up to create.
class Field(NamedTuple):
    """A key a table may hold: the TOML type of its value and, for a string, the values it
    may take (none listed: any). ``object``: a value of several types (a duration as text or
    seconds, a date or date-time), checked by the code that builds on it."""

    value_type: type
    choices: tuple[str, ...] = ()


class Table(NamedTuple):
    """The keys a table may hold, in the order messages list them."""

    fields: Mapping[str, Field]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.fields)

    def narrowed(self, choices: Mapping[str, tuple[str, ...]]) -> Table:
        """This table with some string fields limited to ``choices``."""
        fields = {
            name: spec._replace(choices=choices.get(name, spec.choices))
            for name, spec in self.fields.items()
        }
        return Table(fields)


_TYPE_NAMES: dict[type, str] = {
    bool: "a boolean",
    int: "an integer",
    float: "a float",
    str: "a string",
    list: "an array",
    dict: "a table",
    datetime: "a date-time (e.g. 2026-09-01T10:00:00Z)",
}
# A pattern: re compiles (and caches) it on first use; a config without a syntax error
# needs none.
_SYNTAX_POSITION = r"\(at line (\d+), column (\d+)\)"


def type_name(value: object) -> str:
    """What a value from the file is, for a message: 'a string', 'a table', ..."""
    return _TYPE_NAMES.get(type(value), f"a {type(value).__name__}")


def quoted(text: str) -> str:
    """A name or value from the file, quoted for a message: at most 60 characters of it."""
    return inert(repr(text), limit=60)


def _did_you_mean(text: str, choices: tuple[str, ...]) -> str:
    """'; did you mean X?' for a near miss. Text over 3x the longest choice cannot reach
    difflib's 0.6 cutoff, and indexing a 10 MB value would take difflib seconds."""
    if len(text) > 3 * max(len(choice) for choice in choices):
        return ""
    import difflib  # late: only a misspelt name needs it, and every command reads a config

    near = difflib.get_close_matches(text, choices, n=1)
    return f"; did you mean {near[0]!r}?" if near else ""


class LineFinders:
    """Finders of the lines of key paths in one text (a :class:`.base.Problem`'s
    ``at_line``): the first one asked locates every path handed out so far, in one pass of
    :func:`.toml_scan.locate_all`; none asked, no pass (and no scanner imported: list and
    token never ask)."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._paths: list[KeyPath] = []
        self._lines: dict[KeyPath, int] | None = None

    def finder(self, path: KeyPath) -> Callable[[], int | None]:
        """What finds the line of ``path`` (or of its longest prefix in the text)."""
        self._paths.append(path)
        self._lines = None  # a path added after a pass: the next question makes a new one
        return partial(self._line_of, path)

    def _line_of(self, path: KeyPath) -> int | None:
        lines = self._lines
        if lines is None:
            from streamconsole.backends.toml_scan import locate_all  # see the docstring

            lines = self._lines = locate_all(self._text, self._paths)
        return lines.get(path)


class TomlReader:
    """One read of one file: the problems found, each with its key path (and its line,
    found when first asked: see :class:`LineFinders`)."""

    def __init__(self, file: Path, text: str, environ: Mapping[str, str]) -> None:
        self.file = file
        self.environ = environ
        self.problems: list[Problem] = []
        self._lines = LineFinders(text)

    # --- reporting ---------------------------------------------------------------------

    def error(self, path: KeyPath, message: str) -> None:
        self._report(path, message, warning=False)

    def warn(self, path: KeyPath, message: str) -> None:
        self._report(path, message, warning=True)

    def _report(self, path: KeyPath, message: str, *, warning: bool) -> None:
        line = self._lines.finder(path)
        self.problems.append(Problem(message, ".".join(path), self.file, line, warning))

    @property
    def failed(self) -> bool:
        return any(not p.warning for p in self.problems)

    # --- typed access ------------------------------------------------------------------

    def known_keys(self, data: Mapping[str, Any], table: Table, path: KeyPath) -> None:
        allowed = table.names
        for name in data:
            if name not in allowed:
                hint = _did_you_mean(name, allowed)
                self.error(
                    (*path, name),
                    f"unknown key {quoted(name)}{hint} (valid: {', '.join(allowed)})",
                )

    def get(self, data: Mapping[str, Any], table: Table, name: str, path: KeyPath) -> Any:
        """``data[name]`` if it has the type (and is one of the values) ``table`` declares
        for ``name``; None when it is absent or wrong (then the problem is reported)."""
        spec = table.fields[name]
        value = data.get(name)
        if value is None:
            return None
        kind = spec.value_type
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            self.error((*path, name), f"expected {_TYPE_NAMES[kind]}, got {type_name(value)}")
            return None
        if spec.choices and value not in spec.choices:
            text = str(value)  # fields with choices are strings
            hint = _did_you_mean(text, spec.choices)
            listed = ", ".join(spec.choices)
            self.error((*path, name), f"{quoted(text)} is not one of {listed}{hint}")
            return None
        return value

    def table(
        self, data: Mapping[str, Any], table: Table, name: str, path: KeyPath
    ) -> dict[str, Any]:
        """The table ``data[name]``; empty when it is absent or not a table."""
        value = self.get(data, table, name, path)
        return value if value is not None else {}

    def keymap(
        self, data: Mapping[str, Any], table: Table, name: str, path: KeyPath
    ) -> dict[str, str]:
        """A keymap table (the config's ``[console.keys]``, the user's ``[keys]``): each
        binding id's keys, a comma-separated list ("ctrl+r,f5"). Only the form is checked
        here; which ids exist, and which keys clash, is the console's to say (tui.keymap)."""
        keymap: dict[str, str] = {}
        for binding_id, keys in self.table(data, table, name, path).items():
            where = (*path, name, binding_id)
            if not isinstance(keys, str):
                self.error(where, f"expected keys such as 'ctrl+r,f5', got {type_name(keys)}")
            elif not all(key.strip() for key in keys.split(",")):
                self.error(where, f"{quoted(keys)} names an empty key (keys: 'ctrl+r,f5')")
            else:
                keymap[binding_id] = keys
        return keymap

    def read_env(self, name: str, path: KeyPath) -> str | None:
        value = self.environ.get(name)
        if value is None:
            self.error(path, f"environment variable {name} is not set")
        return value


def load_toml(text: str, file: Path) -> dict[str, Any]:
    """``text`` parsed; a syntax error is a ConfigError naming its line."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError([_syntax_problem(file, str(error))]) from None
    except RecursionError:
        raise ConfigError([Problem("nested too deeply to be a config", file=file)]) from None


def _syntax_problem(file: Path, message: str) -> Problem:
    match = re.search(_SYNTAX_POSITION, message)
    line = int(match.group(1)) if match else None
    text = re.sub(_SYNTAX_POSITION, "", message).strip()
    if text.startswith(("Cannot declare", "Cannot overwrite")):
        text += ": a name is defined twice (duplicate application, alias or key)"
    return Problem(f"invalid TOML: {text}", file=file, at_line=line)


def decode_config_bytes(data: bytes, file: Path) -> str:
    """UTF-8 text of a config; a BOM is dropped (editors on Windows add one)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ConfigError(
            [Problem(f"not UTF-8 text (byte {error.start})", file=file, at_line=line)]
        ) from None
    return text.removeprefix("\ufeff")
