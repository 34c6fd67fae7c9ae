"""The arguments of every headless command: one builder each, given the command's ``prog``
(``streamconsole NAME``); the table in :mod:`streamconsole.cli.table` names them."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from streamconsole.cli.command_parser import CommandParser, RawDescriptionTerminalHelpFormatter


def _config_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-c",
        "--config",
        type=Path,
        default=Path(os.environ.get("STREAMCONSOLE_CONFIG", "streamconsole.toml")),
        help="the TOML config (default: $STREAMCONSOLE_CONFIG or ./streamconsole.toml)",
    )


def _source_options(parser: argparse.ArgumentParser) -> None:
    _config_option(parser)
    parser.add_argument("--server", help="work on this [servers.NAME] of the config instead")


class _ServerNames(argparse.Action):
    """``--server NAME``, repeatable: every name in ``servers``, the last in ``server`` (the
    one a single-server command works on)."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: object,
        option_string: str | None = None,
    ) -> None:
        namespace.servers = [*namespace.servers, str(values)]
        namespace.server = str(values)


def _jobs(text: str) -> int:
    try:
        jobs = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if jobs < 1:
        raise argparse.ArgumentTypeError(f"{jobs}: at least one server at a time")
    return jobs


def _fleet_options(parser: argparse.ArgumentParser) -> None:
    """``-c``, and ``--server`` given once or several times, or ``--all-servers``, with
    ``--jobs``: a command that works on several servers at once (see :func:`several`)."""
    # Here: the parser is built when its command runs, which loads the model anyway.
    from streamconsole.core.model import DEFAULT_JOBS

    _config_option(parser)
    server_options(parser, "work on")
    parser.add_argument(
        "--jobs",
        type=_jobs,
        default=DEFAULT_JOBS,
        metavar="N",
        help=f"work on at most N servers at once (default {DEFAULT_JOBS})",
    )


def server_options(parser: argparse.ArgumentParser, verb: str) -> None:
    """``--server NAME`` once or several times (``args.servers``; the last in ``server``), or
    ``--all-servers``; ``verb`` says what is done with them (``work on``, ``open``)."""
    chosen = parser.add_mutually_exclusive_group()
    chosen.add_argument(
        "--server",
        action=_ServerNames,
        metavar="NAME",
        help=f"{verb} this [servers.NAME] of the config instead; give it several times for "
        "several servers",
    )
    chosen.add_argument(
        "--all-servers", action="store_true", help=f"{verb} every [servers.NAME] of the config"
    )
    parser.set_defaults(server=None, servers=[])


def several(args: argparse.Namespace) -> bool:
    """Whether the arguments name several servers (or all of them): the fleet form of a
    command, whose output names the server of every row."""
    return bool(args.all_servers) or len(args.servers) > 1


def _json_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")


def _switch_options(parser: argparse.ArgumentParser, saved_with: str = "") -> None:
    """``--publish on|off`` and ``--play on|off``."""
    for direction in ("publish", "play"):
        parser.add_argument(
            f"--{direction}",
            choices=["on", "off"],
            help=f"{direction} JWT enforcement{saved_with}",
        )


def check_parser(prog: str) -> argparse.ArgumentParser:
    parser = CommandParser(
        prog=prog,
        description="Validate a config: TOML syntax, types, unknown keys, key files and key "
        "strength. Prints every problem with its place. Exit 0 when clean (warnings allowed), "
        "2 when not.",
    )
    parser.add_argument("config", type=Path)
    return parser


def list_parser(prog: str) -> argparse.ArgumentParser:
    parser = CommandParser(
        prog=prog,
        description="Applications and aliases with their effective publish/play policy, key "
        "algorithm and fingerprint (never a secret). With several servers, every row names "
        "its server.",
    )
    _fleet_options(parser)
    _json_option(parser)
    parser.add_argument(
        "--applications-only", action="store_true", help="do not list aliases (faster remotely)"
    )
    parser.add_argument(
        "--overdue",
        action="store_true",
        help="only the keys older than their max_key_age, once each where they are set; exit 1 "
        "when there are any",
    )
    return parser


def show_parser(prog: str) -> argparse.ArgumentParser:
    parser = CommandParser(
        prog=prog,
        description="One application or alias: effective policies and where they come from, "
        "the key, and warnings; with several servers, on each of them.",
    )
    parser.add_argument("scope", metavar="APP[/ALIAS]")
    _fleet_options(parser)
    _json_option(parser)
    return parser


def token_parser(prog: str) -> argparse.ArgumentParser:
    parser = CommandParser(
        prog=prog,
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
    parser.add_argument(
        "--format",
        choices=["jwt", "rtmp", "obs", "hls", "player", "webrtc", "bearer", "curl", "interceptor"],
        default="jwt",
        help="the token as a player or encoder takes it: jwt (the bare token), Ant Media "
        "publish rtmp, obs (Server and Stream Key), webrtc (the websocket message, one line of "
        "JSON); Ant Media play hls, player (the embedded player page), webrtc; THEOlive "
        "bearer (the header), curl (fetch the manifest), interceptor (THEOplayer snippet). "
        "--json lists every form",
    )
    _source_options(parser)
    _json_option(parser)
    return parser


def decode_parser(prog: str) -> argparse.ArgumentParser:
    parser = CommandParser(
        prog=prog,
        description="Decode a token without trusting it: its header, claims, and each time "
        "claim (exp, nbf, iat) as a date and an age. With --against, check it the way the "
        "alias's server would, against every key the alias holds (two during a rotation), "
        "naming the one that matched. Exit 1 when the server would reject it, or when that "
        "cannot be told (a key the server holds whose material is not kept here).",
    )
    parser.add_argument(
        "token",
        nargs="?",
        default="-",
        help="the token; left out or -, it is read from stdin (a token given here is visible "
        "to other users in ps)",
    )
    parser.add_argument("--against", metavar="APP[/ALIAS]", help="check against this scope")
    parser.add_argument("--type", choices=["publish", "play"], default="play", dest="direction")
    _source_options(parser)
    _json_option(parser)
    return parser


def toggle_parser(prog: str) -> argparse.ArgumentParser:
    parser = CommandParser(
        prog=prog,
        description="Switch publish and/or play JWT enforcement where the scope's server keeps "
        "it (an Ant Media stream edits its application), and save. Audited.",
    )
    parser.add_argument("scope", metavar="APP[/ALIAS]")
    _switch_options(parser)
    _source_options(parser)
    return parser


def rotate_parser(prog: str) -> argparse.ArgumentParser:
    # Here, not at the top: only this help needs the model (costly), for one sentence.
    from streamconsole.core.model import HARD_CUTOVER

    parser = CommandParser(
        prog=prog,
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
        formatter_class=RawDescriptionTerminalHelpFormatter,
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


def plan_parser(prog: str) -> argparse.ArgumentParser:
    parser = CommandParser(
        prog=prog,
        description="Compare the desired state in --config with --server and print the "
        "steps that would make the server match; with several servers, for each of them. "
        "Exit 1 when there are differences, 3 when a server could not be read.",
    )
    _fleet_options(parser)
    parser.add_argument(
        "--out", type=Path, help="also write the plan (JSON) to this file (one server only)"
    )
    parser.add_argument("--json", action="store_true")
    return parser


def apply_parser(prog: str) -> argparse.ArgumentParser:
    parser = CommandParser(
        prog=prog,
        description="Make --server match --config: keys first, then enforcement; one "
        "scope at a time (its key and switches in one save), stopping at the first "
        "failure. Idempotent. With several servers, up to --jobs of them at once (one "
        "save at a time on each), then one summary; exit 0 only when every server "
        "succeeded.",
    )
    _fleet_options(parser)
    parser.add_argument(
        "--plan",
        type=Path,
        help="carry out this plan (from plan --out) or nothing: refuse if the server, the "
        "file, a key or the steps differ (one server only)",
    )
    parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    parser.add_argument(
        "--verify",
        action="store_true",
        help="then probe every scope it changed (see 'streamconsole probe') and print the "
        "table; exit 1 on a mismatch. On several servers, each right after its own apply "
        "succeeded; a failed apply's exit code comes first",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="with --verify: the probe's results as JSON on stdout; on several servers: the "
        "summary (progress on stderr either way)",
    )
    return parser


def probe_parser(prog: str) -> argparse.ArgumentParser:
    parser = CommandParser(
        prog=prog,
        description="Ask the server's delivery endpoint (where players fetch a stream) three "
        "times per direction: without a token, with a fresh valid token, and with one signed "
        "by a wrong key; each from a new client with no cookies, carrying no credentials. "
        "Prints the status codes and whether enforcement is live as configured. Publish over "
        "RTMP cannot be probed over HTTP. With several servers, up to --jobs at once, then a "
        "summary line per server. Exit 0 as configured, 1 any mismatch, 3 an answer that says "
        "nothing (5xx, no connection) or a server that could not be read.",
    )
    parser.add_argument("scope", metavar="APP[/ALIAS]")
    parser.add_argument(
        "--type",
        choices=["publish", "play"],
        dest="direction",
        help="one direction (default: every direction the server has)",
    )
    _fleet_options(parser)
    _json_option(parser)
    return parser


def diff_parser(prog: str) -> argparse.ArgumentParser:
    parser = CommandParser(
        prog=prog,
        description="The drift between two servers, or a server and the file (--file): per "
        "application, and per alias where aliases carry their own policy, the kind, publish "
        "and play enforcement, key algorithm and fingerprint (never a secret). Exit 0 when "
        "they are the same, 1 when they differ (or a key cannot be compared: its material is "
        "not kept here), 3 when a side could not be read.",
    )
    parser.add_argument("application", nargs="?", metavar="APP", help="compare this one only")
    _config_option(parser)
    parser.add_argument(
        "--server",
        action=_ServerNames,
        metavar="NAME",
        help="a side: a [servers.NAME] of the config (give two, or one with --file)",
    )
    parser.set_defaults(server=None, servers=[])
    parser.add_argument(
        "--file", action="store_true", help="a side: the config file's own applications"
    )
    _json_option(parser)
    return parser


def export_parser(prog: str) -> argparse.ArgumentParser:
    parser = CommandParser(
        prog=prog,
        description="Write --server's current state to a TOML file that 'check' accepts; "
        "secrets go to 0600 key files beside it.",
    )
    _source_options(parser)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument(
        "--force", action="store_true", help="replace an existing --out and key files"
    )
    return parser


def retire_parser(prog: str) -> argparse.ArgumentParser:
    parser = CommandParser(
        prog=prog,
        description="Delete one key by id from an alias on a server that holds two "
        "(THEOlive): the old key at the end of a rotation, once every token signed with "
        "it has expired. Refuses to delete the last key unless --turn-off.",
    )
    parser.add_argument("scope", metavar="APP/ALIAS")
    parser.add_argument("key_id", metavar="KEY_ID", help="as 'show --server' lists it")
    parser.add_argument(
        "--turn-off", action="store_true", help="allow retiring the last key (security off)"
    )
    _source_options(parser)
    return parser


def serve_parser(prog: str) -> argparse.ArgumentParser:
    parser = CommandParser(
        prog=prog,
        description="Run the console in a web browser (textual-serve). It prints a URL "
        "holding a per-run token: without it, no page and no websocket. It listens on "
        "127.0.0.1 by default; reach it with 'ssh -L'.",
    )
    parser.add_argument("config", type=Path)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--read-only", action="store_true")
    return parser
