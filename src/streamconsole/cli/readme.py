"""The README's command table, generated from :data:`streamconsole.cli.table.COMMANDS`.

``python -m streamconsole.cli.readme [README.md]`` rewrites the table in place;
``--check`` only says whether it is current (exit 1 when it drifted).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from streamconsole.cli.table import COMMANDS, CONSOLE_DETAILS, CONSOLE_SYNOPSIS

HEADER = "| command | what it does |\n|---|---|\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")  # a bare | would end the cell, even inside backticks


def command_table() -> str:
    """The table, header included, one line per row."""
    rows = [(CONSOLE_SYNOPSIS, CONSOLE_DETAILS)]
    rows += [(f"{c.name} {c.synopsis}".rstrip(), c.details) for c in COMMANDS.values()]
    return HEADER + "".join(
        f"| `{_cell(f'streamconsole {usage}')}` | {_cell(details)} |\n" for usage, details in rows
    )


def with_current_table(readme: str) -> str:
    """``readme`` with its command table (from the header to the first line that is not a
    table row) replaced by the generated one."""
    start = readme.find(HEADER)
    if start < 0:
        raise ValueError(f"no command table: the README has no line {HEADER.splitlines()[0]!r}")
    end = start + len(HEADER)
    while readme.startswith("|", end):
        newline = readme.find("\n", end)
        end = len(readme) if newline < 0 else newline + 1
    return readme[:start] + command_table() + readme[end:]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m streamconsole.cli.readme",
        description="Write the command table into the README from the CLI's command table.",
    )
    parser.add_argument("readme", type=Path, nargs="?", default=Path("README.md"))
    parser.add_argument("--check", action="store_true", help="exit 1 if it is not current")
    args = parser.parse_args(argv)
    text = args.readme.read_text(encoding="utf-8")
    current = with_current_table(text)
    if current == text:
        return 0
    if args.check:
        print(f"{args.readme}: the command table is not current", file=sys.stderr)
        return 1
    args.readme.write_text(current, encoding="utf-8")
    print(f"{args.readme}: command table rewritten")
    return 0


if __name__ == "__main__":
    sys.exit(main())
