"""The commands' parsers find the terminal's width without shutil (issue 15), and their help
is what argparse's own formatter writes at that width."""

from __future__ import annotations

import argparse

import pytest

from streamconsole.cli.command_parser import (
    RawDescriptionTerminalHelpFormatter,
    TerminalHelpFormatter,
    terminal_columns,
)
from streamconsole.cli.launch import _console_parser
from streamconsole.cli.table import COMMANDS


def parsers() -> list[argparse.ArgumentParser]:
    return [_console_parser(), *(command.parser() for command in COMMANDS.values())]


def stock_help(parser: argparse.ArgumentParser) -> str:
    """The help argparse's own formatter (asking shutil for the width) writes."""
    ours = parser.formatter_class
    assert ours in (TerminalHelpFormatter, RawDescriptionTerminalHelpFormatter)
    parser.formatter_class = (
        argparse.RawDescriptionHelpFormatter
        if ours is RawDescriptionTerminalHelpFormatter
        else argparse.HelpFormatter
    )
    try:
        return parser.format_help()
    finally:
        parser.formatter_class = ours


@pytest.mark.parametrize("columns", ["50", "80", "131", None])
def test_each_parser_writes_argparse_s_help_at_the_terminal_s_width(
    monkeypatch: pytest.MonkeyPatch, columns: str | None
) -> None:
    # Without $COLUMNS both ask stdout's terminal, or take 80 columns where it is none.
    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", columns)
    for parser in parsers():
        assert parser.format_help() == stock_help(parser), parser.prog


@pytest.mark.parametrize(("columns", "width"), [("72", 72), ("0", 80), ("wide", 80), ("", 80)])
def test_the_width_comes_from_columns_else_the_terminal_else_80(
    monkeypatch: pytest.MonkeyPatch, columns: str, width: int
) -> None:
    monkeypatch.setenv("COLUMNS", columns)
    assert terminal_columns() == width
