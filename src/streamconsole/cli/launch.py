"""What ``streamconsole`` runs: the console, a headless command, or help (see
:mod:`streamconsole.cli`, which imports this for anything but ``--version``)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from streamconsole.cli import version_line
from streamconsole.cli.arguments import server_options
from streamconsole.cli.command_parser import CommandParser, RawDescriptionTerminalHelpFormatter
from streamconsole.cli.table import COMMANDS, CONSOLE_RUN, epilog, load


class _Version(argparse.Action):
    """``--version``: prints it and exits, before any other argument is looked at."""

    def __init__(self, option_strings: list[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *args: Any, **kwargs: Any) -> None:
        print(version_line())
        parser.exit()


def _console_parser() -> argparse.ArgumentParser:
    parser = CommandParser(
        prog="streamconsole",
        description="Operator console for live-streaming JWT security "
        "(Ant Media Server, THEOlive).",
        epilog=epilog(),
        formatter_class=RawDescriptionTerminalHelpFormatter,
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


def run(arguments: list[str]) -> int:
    """``streamconsole ARGUMENTS``: what :func:`streamconsole.cli.main` does after
    ``--version``."""
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
