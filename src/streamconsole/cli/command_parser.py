"""The commands' argument parsers: argparse's, with help as wide as the terminal, a width
found without importing ``shutil``.

argparse builds a help formatter for every ``add_argument`` (to check the metavar) and the
formatter asks ``shutil.get_terminal_size`` for the width unless it is given one. Importing
shutil (with zlib, bz2 and lzma) is ~10 M instructions, 0.3x Python's whole start-up, in every
command, for a width only ``--help`` and usage errors print with (issue 15).
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any


def terminal_columns() -> int:
    """The terminal's width as ``shutil.get_terminal_size`` finds it: ``$COLUMNS``, else
    stdout's terminal, else 80."""
    try:
        columns = int(os.environ.get("COLUMNS", ""))
    except ValueError:
        columns = 0
    if columns > 0:
        return columns
    stdout = sys.__stdout__
    try:
        return (os.get_terminal_size(stdout.fileno()).columns if stdout else 0) or 80
    except (ValueError, OSError):  # stdout closed, or not a terminal
        return 80


class TerminalHelpFormatter(argparse.HelpFormatter):
    """argparse's help formatter, told the terminal's width (less 2, as argparse takes it)."""

    def __init__(
        self,
        prog: str,
        indent_increment: int = 2,
        max_help_position: int = 24,
        width: int | None = None,
    ) -> None:
        if width is None:
            width = terminal_columns() - 2
        super().__init__(prog, indent_increment, max_help_position, width)


class RawDescriptionTerminalHelpFormatter(
    TerminalHelpFormatter, argparse.RawDescriptionHelpFormatter
):
    """The same, keeping the description's and epilog's line breaks."""


class CommandParser(argparse.ArgumentParser):
    """``argparse.ArgumentParser`` with a :class:`TerminalHelpFormatter` unless told another."""

    def __init__(
        self,
        *,
        formatter_class: type[argparse.HelpFormatter] = TerminalHelpFormatter,
        **kwargs: Any,
    ) -> None:
        super().__init__(formatter_class=formatter_class, **kwargs)
