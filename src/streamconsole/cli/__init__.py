"""The ``streamconsole`` command: the console by default, headless commands by name;
with no argument, or ``help [COMMAND]``, what there is to run.

Exit codes: 0 ok, 1 rejected or differences found, 2 usage or input error, 3 remote error,
141 when the output's reader has gone (``| head``). Errors go to stderr and never as a
traceback: every expected failure is a typed error. The commands are listed in
:mod:`streamconsole.cli.table`; a command's module is imported only when it runs.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import streamconsole
from streamconsole.cli.arguments import server_options
from streamconsole.cli.table import COMMANDS, CONSOLE_RUN, epilog, load

__all__ = ["COMMANDS", "main"]


class _Version(argparse.Action):
    """``--version``: prints it and exits, before any other argument is looked at."""

    def __init__(self, option_strings: list[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *args: Any, **kwargs: Any) -> None:
        print(f"streamconsole {streamconsole.__version__}")
        parser.exit()


def _console_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="streamconsole",
        description="Operator console for live-streaming JWT security "
        "(Ant Media Server, THEOlive).",
        epilog=epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action=_Version, help="print the version and exit")
    parser.add_argument("config", type=Path, help="the TOML config to open (see README)")
    server_options(parser, "open")
    parser.add_argument(
        "--read-only", action="store_true", help="refuse every write (files and servers)"
    )
    parser.add_argument(
        "--theme", help="theme for this run (over your settings and the config's console.theme)"
    )
    parser.add_argument(
        "--ascii",
        action="store_true",
        help="draw with ASCII symbols only (automatic on the Linux console, TERM=linux)",
    )
    return parser


def _help(topic: list[str]) -> int:
    """``streamconsole`` alone or ``help``: the console's usage and every command;
    ``help COMMAND``: that command's options. Another topic is a usage error (exit 2)."""
    parser = _console_parser()
    if not topic:
        parser.print_help()
    elif len(topic) == 1 and topic[0] in COMMANDS:
        COMMANDS[topic[0]].parser().print_help()
    else:
        parser.error(
            f"help: no command named {' '.join(topic)!r}; the commands: {', '.join(COMMANDS)}"
        )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if not arguments or arguments[0] == "help":
        return _help(arguments[1:])
    if arguments[0] in COMMANDS:
        command = COMMANDS[arguments[0]]
        args = command.parser().parse_args(arguments[1:])
        run = command.runner(args)
    else:
        args, run = _console_parser().parse_args(arguments), load(CONSOLE_RUN)
    try:
        code = run(args)
        sys.stdout.flush()  # a reader that has gone shows here, not at the interpreter's exit
        return code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The output's reader went away (``list | head -1``): stop quietly, exit as a program
        # that SIGPIPE ended would (128 + 13), and keep the final flush from failing again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
