"""The ``streamconsole`` command: the console by default, headless commands by name.

Exit codes: 0 ok, 1 rejected or differences found, 2 usage or input error, 3 remote error.
Errors go to stderr and never as a traceback: every expected failure is a typed error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from streamconsole import __version__

EXIT_OK = 0
EXIT_REJECTED = 1
EXIT_USAGE = 2
EXIT_REMOTE = 3

Command = Callable[[argparse.Namespace], int]


def _console_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="streamconsole",
        description="Operator console for live-streaming JWT security "
        "(Ant Media Server, THEOlive).",
        epilog="commands:\n  check CONFIG   validate a config and list every problem\n\n"
        "Run 'streamconsole COMMAND --help' for a command's options.\n"
        "Exit codes: 0 ok, 1 rejected/differences, 2 usage or input error, 3 remote error.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"streamconsole {__version__}")
    parser.add_argument("config", type=Path, help="the TOML config to open (see README)")
    parser.add_argument(
        "--read-only", action="store_true", help="refuse every write (files and servers)"
    )
    parser.add_argument("--theme", help="theme name (overrides the config's console.theme)")
    return parser


def _check_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="streamconsole check",
        description="Validate a config: TOML syntax, types, unknown keys, key files and key "
        "strength. Prints every problem with its place. Exit 0 when clean (warnings allowed), "
        "2 when not.",
    )
    parser.add_argument("config", type=Path)
    return parser


def _run_check(args: argparse.Namespace) -> int:
    from streamconsole.backends.base import ConfigError, SourceError
    from streamconsole.backends.toml_file import TomlSource

    source = TomlSource(args.config, read_only=True)
    try:
        config = source.load_sync()
    except ConfigError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        errors = sum(not p.warning for p in error.problems)
        print(f"{args.config}: {errors} error(s)", file=sys.stderr)
        return EXIT_USAGE
    except SourceError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    for problem in source.warnings:
        print(problem, file=sys.stderr)
    print(
        f"{args.config}: ok: {len(config.applications)} applications, "
        f"{config.alias_count} aliases, {len(config.servers)} servers, "
        f"{len(source.warnings)} warning(s)"
    )
    return EXIT_OK


def _run_console(args: argparse.Namespace) -> int:
    from streamconsole.tui.app import run_console

    if not args.config.is_file():
        print(f"error: {args.config}: no such file", file=sys.stderr)
        return EXIT_USAGE
    return run_console(args.config, read_only=args.read_only, theme=args.theme)


_COMMANDS: dict[str, tuple[Callable[[], argparse.ArgumentParser], Command]] = {
    "check": (_check_parser, _run_check),
}


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments and arguments[0] in _COMMANDS:
        make_parser, command = _COMMANDS[arguments[0]]
        args = make_parser().parse_args(arguments[1:])
    else:
        args, command = _console_parser().parse_args(arguments), _run_console
    try:
        return command(args)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
