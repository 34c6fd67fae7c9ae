"""The README's generated tables: the commands, from :data:`streamconsole.cli.table.COMMANDS`,
and the console's keys, from :mod:`streamconsole.tui.bindings` (by way of
:func:`streamconsole.tui.keymap.key_rows`).

``python -m streamconsole.cli.readme [README.md]`` rewrites them in place;
``--check`` only says whether they are current (exit 1 when one drifted).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from streamconsole.cli.table import COMMANDS, CONSOLE_DETAILS, CONSOLE_SYNOPSIS
from streamconsole.tui.keymap import key_as_written, key_rows

HEADER = "| command | what it does |\n|---|---|\n"
KEYS_HEADER = "| where | keys | binding id | what it does |\n|---|---|---|---|\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")  # a bare | would end the cell, even inside backticks


def command_table() -> str:
    """The table, header included, one line per row."""
    rows = [(CONSOLE_SYNOPSIS, CONSOLE_DETAILS)]
    rows += [(f"{c.name} {c.synopsis}".rstrip(), c.details) for c in COMMANDS.values()]
    return HEADER + "".join(
        f"| `{_cell(f'streamconsole {usage}')}` | {_cell(details)} |\n" for usage, details in rows
    )


def key_table() -> str:
    """Every binding of every screen, with its id (for ``[console.keys]``), header included."""
    lines = []
    shown = ""
    for screen, keys, binding_id, what in key_rows():
        where = screen.removeprefix("the ") if screen != shown else ""
        shown = screen
        listed = " ".join(f"`{_cell(key_as_written(key))}`" for key in keys)
        lines.append(f"| {where} | {listed} | `{binding_id}` | {_cell(what)} |\n")
    return KEYS_HEADER + "".join(lines)


def _with_table(readme: str, header: str, table: str) -> str:
    """``readme`` with the table that starts at ``header`` (up to the first line that is
    not a table row) replaced by ``table``."""
    start = readme.find(header)
    if start < 0:
        raise ValueError(f"no such table: the README has no line {header.splitlines()[0]!r}")
    end = start + len(header)
    while readme.startswith("|", end):
        newline = readme.find("\n", end)
        end = len(readme) if newline < 0 else newline + 1
    return readme[:start] + table + readme[end:]


def with_current_tables(readme: str) -> str:
    """``readme`` with its command table and its key table as generated now."""
    return _with_table(_with_table(readme, HEADER, command_table()), KEYS_HEADER, key_table())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m streamconsole.cli.readme",
        description="Write the command and key tables into the README from the code.",
    )
    parser.add_argument("readme", type=Path, nargs="?", default=Path("README.md"))
    parser.add_argument("--check", action="store_true", help="exit 1 if they are not current")
    args = parser.parse_args(argv)
    text = args.readme.read_text(encoding="utf-8")
    current = with_current_tables(text)
    if current == text:
        return 0
    if args.check:
        print(f"{args.readme}: the command or key table is not current", file=sys.stderr)
        return 1
    args.readme.write_text(current, encoding="utf-8")
    print(f"{args.readme}: tables rewritten")
    return 0


if __name__ == "__main__":
    sys.exit(main())
