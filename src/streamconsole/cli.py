"""The ``streamconsole`` command: the console by default, headless commands by name.

Exit codes: 0 ok, 1 rejected or differences found, 2 usage or input error, 3 remote error.
Errors go to stderr and never as a traceback: every expected failure is a typed error.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import streamconsole
from streamconsole import commands
from streamconsole.commands import EXIT_OK, EXIT_USAGE, CommandSpec
from streamconsole.workflow import workflow_commands


class _Version(argparse.Action):
    """``--version``, looked up only when asked (importlib.metadata costs ~80 ms)."""

    def __init__(self, option_strings: list[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *args: Any, **kwargs: Any) -> None:
        print(f"streamconsole {streamconsole.__version__}")
        parser.exit()


def _epilog() -> str:
    """The command list of ``--help``, from the table that registers the commands."""
    width = max(len(spec.usage) for spec in COMMANDS.values()) + 2
    listing = "\n".join(f"  {spec.usage:<{width}}{spec.summary}" for spec in COMMANDS.values())
    return (
        f"commands:\n{listing}\n\n"
        "Run 'streamconsole COMMAND --help' for a command's options.\n"
        "Exit codes: 0 ok, 1 rejected/differences, 2 usage or input error, 3 remote error."
    )


def _console_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="streamconsole",
        description="Operator console for live-streaming JWT security "
        "(Ant Media Server, THEOlive).",
        epilog=_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action=_Version, help="print the version and exit")
    parser.add_argument("config", type=Path, help="the TOML config to open (see README)")
    parser.add_argument(
        "--server",
        metavar="NAME",
        help="open this [servers.NAME] of the config instead of the file's applications",
    )
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
    warnings = [*source.warnings, *source.scope_warnings(config)]
    for problem in warnings:
        print(problem, file=sys.stderr)
    print(
        f"{args.config}: ok: {len(config.applications)} applications, "
        f"{config.alias_count} aliases, {len(config.servers)} servers, "
        f"{len(warnings)} warning(s)"
    )
    return EXIT_OK


def _run_console(args: argparse.Namespace) -> int:
    from streamconsole.backends.base import ConfigError, SourceError
    from streamconsole.backends.registry import open_source
    from streamconsole.tui.app import run_console
    from streamconsole.tui.sources import SourceOpener

    if not args.config.is_file():
        print(f"error: {args.config}: no such file", file=sys.stderr)
        return EXIT_USAGE
    try:
        source = open_source(args.config, server=args.server, read_only=args.read_only)
    except ConfigError as error:  # only with --server: the file's own errors show in the UI
        errors = sum(not p.warning for p in error.problems)
        print(
            f"error: {args.config}: {errors} error(s); run: streamconsole check {args.config}",
            file=sys.stderr,
        )
        return EXIT_USAGE
    except SourceError as error:  # e.g. an unknown server, or credentials not set
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    opener = SourceOpener(args.config, read_only=args.read_only)
    return run_console(
        source, read_only=args.read_only, theme=args.theme, opener=opener, server=args.server
    )


def _source_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-c",
        "--config",
        type=Path,
        default=Path(os.environ.get("STREAMCONSOLE_CONFIG", "streamconsole.toml")),
        help="the TOML config (default: $STREAMCONSOLE_CONFIG or ./streamconsole.toml)",
    )
    parser.add_argument("--server", help="work on this [servers.NAME] of the config instead")


def _json_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")


def _list_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="streamconsole list",
        description="Applications and aliases with their effective publish/play policy, key "
        "algorithm and fingerprint (never a secret).",
    )
    _source_options(parser)
    _json_option(parser)
    parser.add_argument(
        "--applications-only", action="store_true", help="do not list aliases (faster remotely)"
    )
    return parser


def _show_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="streamconsole show",
        description="One application or alias: effective policies and where they come from, "
        "the key, and warnings.",
    )
    parser.add_argument("scope", metavar="APP[/ALIAS]")
    _source_options(parser)
    _json_option(parser)
    return parser


def _token_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="streamconsole token",
        description="Issue a token for an alias with the claims its server expects, signed "
        "with the alias's effective key. Prints the token.",
    )
    parser.add_argument("scope", metavar="APP/ALIAS")
    parser.add_argument("--type", choices=["publish", "play"], default="play", dest="direction")
    parser.add_argument("--ttl", help="lifetime: 90s, 10m, 1h (default: the config's token_ttl)")
    parser.add_argument(
        "--claim",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="an extra claim; VALUE is JSON if it parses, else a string (repeatable)",
    )
    _source_options(parser)
    _json_option(parser)
    return parser


def _decode_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="streamconsole decode",
        description="Decode a token without trusting it: its header, claims, and each time "
        "claim (exp, nbf, iat) as a date and an age. With --against, check it the way the "
        "alias's server would, against every key the alias holds (two during a rotation), "
        "naming the one that matched. Exit 1 when the server would reject it, or when that "
        "cannot be told (a key the server holds whose material is not kept here).",
    )
    parser.add_argument("token", nargs="?", default="-", help="the token, or - for stdin")
    parser.add_argument("--against", metavar="APP[/ALIAS]", help="check against this scope")
    parser.add_argument("--type", choices=["publish", "play"], default="play", dest="direction")
    _source_options(parser)
    _json_option(parser)
    return parser


def _switch_options(parser: argparse.ArgumentParser, saved_with: str = "") -> None:
    """``--publish on|off`` and ``--play on|off``."""
    for direction in ("publish", "play"):
        parser.add_argument(
            f"--{direction}",
            choices=["on", "off"],
            help=f"{direction} JWT enforcement{saved_with}",
        )


def _toggle_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="streamconsole toggle",
        description="Switch publish and/or play JWT enforcement where the scope's server keeps "
        "it (an Ant Media stream edits its application), and save. Audited.",
    )
    parser.add_argument("scope", metavar="APP[/ALIAS]")
    _switch_options(parser)
    _source_options(parser)
    return parser


def _rotate_parser() -> argparse.ArgumentParser:
    from streamconsole.core.model import HARD_CUTOVER

    parser = argparse.ArgumentParser(
        prog="streamconsole rotate",
        description="Replace a scope's key and save; prints old → new fingerprint. Audited.\n"
        "Secrets are read from a file, an environment variable or stdin, never from an\n"
        "argument. --play/--publish switch enforcement in the same save as the key: the\n"
        "one command that secures an alias which has no key yet (THEOlive has play JWT\n"
        "only, no ingest JWT).\n\n"
        "Ant Media holds one key per application; a new key there is a\n"
        f"{HARD_CUTOVER}.\n"
        "THEOlive keeps the old key beside the new one (at most two per alias) until\n"
        "'streamconsole retire' deletes it.",
        epilog="examples:\n"
        "  secure a THEOlive alias that has no key: its first key and play JWT, one save\n"
        "    streamconsole rotate news-channel/morning --generate HS256 --play on --server prod\n"
        "  a new Ant Media secret in an exported file (hard cut-over once applied)\n"
        "    streamconsole rotate LiveApp --generate HS256 -c prod.toml",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("scope", metavar="APP[/ALIAS]")
    _switch_options(parser, ", in the same save as the key")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--generate", metavar="ALG", help="generate a key: HS256, RS256, ...")
    source.add_argument("--secret-file", metavar="FILE", help="a shared secret from a file")
    source.add_argument("--secret-env", metavar="VAR", help="a shared secret from a variable")
    source.add_argument("--secret-stdin", action="store_true", help="a shared secret from stdin")
    source.add_argument("--public-key", metavar="FILE", help="a public key (PEM or JWK)")
    source.add_argument("--private-key-file", metavar="FILE", help="a private key PEM")
    parser.add_argument("--algorithm", help="algorithm of an imported key (default: the server's)")
    parser.add_argument("--rsa-bits", type=int, default=3072, help="RSA size for --generate")
    _source_options(parser)
    return parser


def _serve_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="streamconsole serve",
        description="Run the console in a web browser (textual-serve). It prints a URL "
        "holding a per-run token: without it, no page and no websocket. It listens on "
        "127.0.0.1 by default; reach it with 'ssh -L'.",
    )
    parser.add_argument("config", type=Path)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--read-only", action="store_true")
    return parser


# Every headless command, in the order --help lists them (it is generated from this table).
COMMANDS: dict[str, CommandSpec] = {
    "check": CommandSpec(
        "check CONFIG", "validate a config and list every problem", _check_parser, _run_check
    ),
    "list": CommandSpec(
        "list", "applications and aliases with their policies", _list_parser, commands.run_list
    ),
    "show": CommandSpec(
        "show APP[/ALIAS]",
        "one scope: policies, where they come from, key, warnings",
        _show_parser,
        commands.run_show,
    ),
    "token": CommandSpec(
        "token APP/ALIAS",
        "issue a token (--type, --ttl, --claim)",
        _token_parser,
        commands.run_token,
    ),
    "decode": CommandSpec(
        "decode [TOKEN|-]",
        "decode a token; --against APP/ALIAS explains a refusal",
        _decode_parser,
        commands.run_decode,
    ),
    "toggle": CommandSpec(
        "toggle APP[/ALIAS]",
        "--publish on|off --play on|off, saved and audited",
        _toggle_parser,
        commands.run_toggle,
    ),
    "rotate": CommandSpec(
        "rotate APP[/ALIAS]",
        "--generate ALG | --secret-file F | --public-key F ...",
        _rotate_parser,
        commands.run_rotate,
    ),
    **workflow_commands(_source_options),
    "serve": CommandSpec(
        "serve CONFIG",
        "the console in a browser, on 127.0.0.1:8000",
        _serve_parser,
        commands.run_serve,
    ),
}


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments and arguments[0] in COMMANDS:
        spec = COMMANDS[arguments[0]]
        args, command = spec.parser().parse_args(arguments[1:]), spec.run
    else:
        args, command = _console_parser().parse_args(arguments), _run_console
    try:
        return command(args)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
