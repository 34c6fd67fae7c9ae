"""The one table of headless commands. ``--help``'s command list, each command's argument
parser and the README's command table are generated from it, and a command's module is
imported only when that command runs (start-up of ``--version`` and the console stays light).
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable
from typing import NamedTuple, cast

import streamconsole.cli.arguments as arguments
from streamconsole.cli.arguments import several

Run = Callable[[argparse.Namespace], int]


class Command(NamedTuple):
    """One headless command: ``streamconsole NAME ...``. A named tuple rather than a
    dataclass: ``dataclasses`` (with ``inspect``) would be most of ``--version``'s imports."""

    name: str
    run: str  # "module:function", imported when the command runs
    usage: str  # after the name in --help's list: "APP[/ALIAS]"
    summary: str  # one line, after the usage in --help
    arguments: Callable[[str], argparse.ArgumentParser]  # given the prog, its parser
    synopsis: str  # after the name in the README: the main options too
    details: str  # what it does, in the README (Markdown)
    # Where the arguments name several servers: "module:function" that runs instead (list,
    # show, plan, apply and probe have one, in cli/fleet.py; their parsers take
    # arguments._fleet_options).
    fleet_run: str = ""
    fleet_when: Callable[[argparse.Namespace], bool] = several

    @property
    def listed(self) -> str:
        """The command as ``--help`` lists it: ``rotate APP[/ALIAS]``."""
        return f"{self.name} {self.usage}".rstrip()

    def parser(self) -> argparse.ArgumentParser:
        return self.arguments(f"streamconsole {self.name}")

    def runner(self, args: argparse.Namespace | None = None) -> Run:
        """The function to run: the fleet form where ``args`` name several servers."""
        if self.fleet_run and args is not None and self.fleet_when(args):
            return load(self.fleet_run)
        return load(self.run)


def load(target: str) -> Run:
    """The function ``"module:function"`` names, importing its module now: the one place
    where the CLI imports a command's code."""
    module, _, function = target.partition(":")
    return cast(Run, getattr(importlib.import_module(module), function))


# The console itself (``streamconsole CONFIG``, no command name), for main and the README.
CONSOLE_RUN = "streamconsole.cli.console:run_console"
CONSOLE_SYNOPSIS = "CONFIG [--server NAME ...|--all-servers] [--read-only] [--theme NAME] [--ascii]"
CONSOLE_DETAILS = (
    "the console (TUI), on the file or on one of its servers; on several servers (`--server` "
    "given several times, or `--all-servers`), all of them in one tree (see Several "
    "servers); in a terminal only (stdin, "
    "stdout and stderr), exit 2 otherwise; ASCII symbols with `--ascii`, and on the Linux "
    "console (`TERM=linux`). `streamconsole` alone, or `streamconsole help [COMMAND]`, lists "
    "the commands (or one command's options)"
)

# Every headless command, in the order --help and the README list them.
COMMANDS: dict[str, Command] = {
    command.name: command
    for command in (
        Command(
            name="check",
            run="streamconsole.cli.check:run_check",
            usage="CONFIG",
            summary="validate a config and list every problem",
            arguments=arguments.check_parser,
            synopsis="CONFIG",
            details=(
                "validates a config: TOML syntax, types, unknown keys (with the nearest valid "
                "name), key files, key strength, server rules (a `ca_file` that does not exist), "
                "an application's `host`; warns about keys past their `max_key_age` and "
                "where `show` would (one-time tokens beside JWT on one direction); prints "
                "every problem as `file:line: key.path: error: message`; exit 0 when clean "
                "(warnings allowed), 2 when not"
            ),
        ),
        Command(
            name="list",
            run="streamconsole.cli.listing:run_list",
            usage="",
            summary="applications and aliases with their policies (--overdue: old keys)",
            arguments=arguments.list_parser,
            synopsis="[--server S ...|--all-servers] [--json] [--applications-only] [--overdue]",
            details=(
                "applications and aliases, effective publish/play policy, key algorithm and "
                "fingerprint, and label (a THEOlive or Ant Media name; last, cut to the "
                "terminal's width); an application the server could not read is listed "
                "`unknown` (in `--json`: policies `null` and an `error`), and the exit code is 3. "
                "With several servers (see Several servers) every row names its `server`. "
                "`--overdue` (one source): only the keys older than their `max_key_age`, each "
                "once where it is set, with its age; exit 1 when there are any (for cron or CI)"
            ),
            fleet_run="streamconsole.cli.fleet:run_list",
        ),
        Command(
            name="show",
            run="streamconsole.cli.inspect:run_show",
            usage="APP[/ALIAS]",
            summary="one scope: policies, where they come from, key, warnings",
            arguments=arguments.show_parser,
            synopsis="APP[/ALIAS] [--server S ...|--all-servers] [--json]",
            details=(
                "one scope: each policy and where it comes from, the key, warnings; `unknown` and "
                "exit 3 where the server could not read it; on several servers, each of them"
            ),
            fleet_run="streamconsole.cli.fleet:run_show",
        ),
        Command(
            name="token",
            run="streamconsole.cli.issuing:run_token",
            usage="APP/ALIAS",
            summary="issue a token (--type, --ttl, --claim, --format rtmp|hls|...)",
            arguments=arguments.token_parser,
            synopsis=(
                "APP/ALIAS --type publish|play --ttl 10m [--claim k=v] "
                "[--format jwt|rtmp|obs|hls|player|webrtc|bearer|curl|interceptor] [--json]"
            ),
            details=(
                "issue a token with the claims the server expects; `--format` prints it as a "
                "player or encoder takes it (see Token delivery), `--json` lists every form. "
                "A form that needs the server's address where none is known exits 2, naming "
                "the setting (`host`)"
            ),
        ),
        Command(
            name="decode",
            run="streamconsole.cli.inspect:run_decode",
            usage="[TOKEN|-]",
            summary="decode a token; --against APP/ALIAS explains a refusal",
            arguments=arguments.decode_parser,
            synopsis="[TOKEN|-] [--against APP/ALIAS --type play] [--json]",
            details=(
                "decode without trusting, with each time claim (`exp`, `nbf`, `iat`) as a date and"
                " an age (`--json`: a `time` section); with `--against`, the checklist a server "
                "would run, against every key the alias holds; exit 1 when it would refuse "
                "(`rejected`, or `likely rejected` where the server does not document its "
                "verifier), or when it cannot tell (the token may be signed with a key whose "
                "material is not kept here). The token is read from stdin when none is given "
                "(`streamconsole decode < token.txt`; on a terminal it asks for it): one in the "
                "arguments is visible to other users in `ps`, and decode says so"
            ),
        ),
        Command(
            name="toggle",
            run="streamconsole.cli.edit:run_toggle",
            usage="APP[/ALIAS]",
            summary="--publish on|off --play on|off, saved and audited",
            arguments=arguments.toggle_parser,
            synopsis="APP[/ALIAS] --publish on|off --play on|off",
            details="switch enforcement where the server keeps it, save, audit",
        ),
        Command(
            name="rotate",
            run="streamconsole.cli.edit:run_rotate",
            usage="APP[/ALIAS]",
            summary="--generate ALG | --secret-file F | --public-key F ...",
            arguments=arguments.rotate_parser,
            synopsis=(
                "APP[/ALIAS] --generate ALG | --secret-file F | --secret-env VAR | --secret-stdin "
                "| --public-key F | --private-key-file F [--play on|off] [--publish on|off]"
            ),
            details=(
                "replace the key, save, audit; prints `old → new` fingerprint. "
                "`--play`/`--publish` switch enforcement in the same save as the key. "
                "`--secret-stdin` on a terminal asks for the secret and does not echo it; a "
                "guessable secret is refused (see Keys)"
            ),
        ),
        Command(
            name="export",
            run="streamconsole.cli.workflow:run_export",
            usage="--server S",
            summary="write a server's state to a TOML file (--out)",
            arguments=arguments.export_parser,
            synopsis="--server S --out FILE [--force]",
            details=(
                "a server's state as a config that `check` accepts; every key (and the profile's "
                "`ca_file`) in `keys/` beside it, by relative path, secrets and private keys 0600;"
                " a missing directory is created 0700. An existing `FILE`, or a key file there "
                "with other content, is replaced only with `--force` (nothing is written "
                "otherwise)"
            ),
        ),
        Command(
            name="plan",
            run="streamconsole.cli.workflow:run_plan",
            usage="--server S",
            summary="compare --config with the server; exit 1 on differences",
            arguments=arguments.plan_parser,
            synopsis="--server S [--server S2 ...|--all-servers] [--out plan.json] [--json]",
            details=(
                "the steps from the server's state to the file's; exit 1 when there are any (on "
                "several servers: on any; 3 when one could not be read)"
            ),
            fleet_run="streamconsole.cli.fleet:run_plan",
        ),
        Command(
            name="apply",
            run="streamconsole.cli.workflow:run_apply",
            usage="--server S",
            summary="make the server match --config (keys first; --yes)",
            arguments=arguments.apply_parser,
            synopsis="--server S [--server S2 ...|--all-servers] [--jobs N] [--plan plan.json] "
            "[--yes] [--verify] [--json]",
            details=(
                "carry the steps out: keys first, then enforcement; one scope at a time (its key "
                "and switches in one save); stops at the first failure. `--verify` then probes "
                "every scope it changed (as `probe` does) and prints the table (`--json`: JSON "
                "on stdout, progress on stderr); exit 1 on a mismatch. On several servers, up to "
                "`--jobs` (4) at once, one save at a time on each, and one summary (applied / "
                "failed / skipped per server; `--json`: as JSON); exit 0 only when every server "
                "succeeded; `--verify` probes each server right after its own apply, only what it "
                "changed, and the summary gains its outcome (a failed apply's exit code first)"
            ),
            fleet_run="streamconsole.cli.fleet:run_apply",
        ),
        Command(
            name="probe",
            run="streamconsole.cli.probe:run_probe",
            usage="APP[/ALIAS]",
            summary="is enforcement live, as configured? ask the delivery endpoint",
            arguments=arguments.probe_parser,
            synopsis="APP[/ALIAS] --server S [--server S2 ...|--all-servers] [--jobs N] "
            "[--type play|publish] [--json]",
            details=(
                "asks the server's delivery endpoint (Ant Media: `/APP/streams/STREAM.m3u8`; "
                "THEOlive: the profile's `play_url`) three times per direction: without a token, "
                "with a fresh valid token, with a token signed by a wrong key; each from a new "
                "client with no cookies and no credentials. Prints the status codes and a "
                "verdict: `enforced as configured`, `NOT enforced (a request without a token was "
                "served)`, `valid tokens refused (key mismatch?)`, `not enforced, as configured`. "
                "Publish over RTMP cannot be probed over HTTP, and says so. Exit 0 as configured, "
                "1 any mismatch, 3 an answer that says nothing (5xx, no connection). On several "
                "servers, up to `--jobs` (4) at once: the table under each server's name, then "
                "a line per server (`--json`: a record per server); the exit code is the worst "
                "over every server, one that could not be read counting as 3"
            ),
            fleet_run="streamconsole.cli.fleet:run_probe",
        ),
        Command(
            name="diff",
            run="streamconsole.cli.diff:run_diff",
            usage="[APP]",
            summary="drift: --server A --server B, or --server A --file",
            arguments=arguments.diff_parser,
            synopsis="--server A --server B|--file [APP] [--json]",
            details=(
                "the drift between two servers, or a server and the file (`--file`): per "
                "application (and alias where aliases hold a policy) the kind, publish, play, key "
                "algorithm and fingerprint, never a secret; exit 0 when the same, 1 when they "
                "differ or a key cannot be compared (its material is not kept here), 3 when a "
                "side could not be read"
            ),
        ),
        Command(
            name="retire",
            run="streamconsole.cli.workflow:run_retire",
            usage="APP/ALIAS ID",
            summary="delete an old key kept beside the new one (THEOlive)",
            arguments=arguments.retire_parser,
            synopsis="APP/ALIAS KEY_ID --server S [--turn-off]",
            details=(
                "THEOlive (servers that hold two keys): delete the old key an alias keeps beside "
                "the new one after a rotation, once every token signed with it has expired; ids "
                "from `show APP/ALIAS --server S`. Refuses to delete the last key unless "
                "`--turn-off` (security off). Audited"
            ),
        ),
        Command(
            name="serve",
            run="streamconsole.cli.serve:run_serve",
            usage="CONFIG",
            summary="the console in a browser, on 127.0.0.1:8000",
            arguments=arguments.serve_parser,
            synopsis="CONFIG [--host 127.0.0.1] [--port 8000]",
            details=(
                "the console in a browser (textual-serve), at the URL with a per-run token that it"
                " prints"
            ),
        ),
    )
}


def epilog() -> str:
    """The command list of ``--help``, and how to read exit codes."""
    width = max(len(command.listed) for command in COMMANDS.values()) + 2
    listing = "\n".join(
        f"  {command.listed:<{width}}{command.summary}" for command in COMMANDS.values()
    )
    return (
        f"commands:\n{listing}\n\n"
        "Run 'streamconsole help COMMAND' (or COMMAND --help) for a command's options.\n"
        "Exit codes: 0 ok, 1 rejected/differences, 2 usage or input error, 3 remote error, "
        "141 output's reader gone."
    )
