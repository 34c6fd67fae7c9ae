"""The headless commands behind ``streamconsole <command>``: thin over core and backends.

Imports of the core and the backends happen inside the commands, so that starting the
console (which imports this module through the CLI) stays as fast as a bare Textual app.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from streamconsole.backends.base import Source
    from streamconsole.core.edits import SetKey
    from streamconsole.core.model import Alias, Application, Config, ScopeRef
    from streamconsole.core.tokens import Explanation

EXIT_OK = 0
EXIT_REJECTED = 1
EXIT_USAGE = 2
EXIT_REMOTE = 3

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class CommandSpec:
    """One headless command: how ``--help`` lists it, its argument parser, what runs it."""

    usage: str  # "rotate APP[/ALIAS]"
    summary: str  # one line, after the usage in --help
    parser: Callable[[], argparse.ArgumentParser]
    run: Callable[[argparse.Namespace], int]


class CommandError(Exception):
    """Ends a command with a message on stderr and an exit code."""

    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.code = code


def now_utc() -> datetime:
    return datetime.now(UTC)


def emit(data: Any) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=True, default=str))


def safe(text: object) -> str:
    """Untrusted text (names, claims, server replies) made inert for a terminal."""
    from streamconsole.core.text import inert

    return inert(str(text))


@contextmanager
def reported_errors() -> Iterator[None]:
    """Typed errors become a message and an exit code; nothing else is caught."""
    from streamconsole.backends.base import ConfigError, SourceError
    from streamconsole.backends.http import RemoteError
    from streamconsole.core.errors import StreamconsoleError

    try:
        yield
    except ConfigError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        raise CommandError("the config has errors; run 'streamconsole check'") from None
    except RemoteError as error:
        raise CommandError(f"remote error: {error}", EXIT_REMOTE) from None
    except (SourceError, StreamconsoleError) as error:
        raise CommandError(str(error)) from None


def run_async(make: Callable[[], Awaitable[T]]) -> T:
    async def runner() -> T:
        return await make()

    return asyncio.run(runner())


async def open_loaded(args: argparse.Namespace, *, aliases: bool = True) -> tuple[Source, Config]:
    """Open the source the arguments name, read-only (the commands that call this only
    read), and load it (remote aliases too, if asked, of the applications it could read)."""
    from streamconsole.backends.registry import open_source

    source = open_source(args.config, server=args.server, read_only=True)
    config = await source.load()
    if aliases:
        pending = [
            app
            for app in config.applications.values()
            if not app.aliases_loaded and not app.problem
        ]
        await asyncio.gather(*(source.load_aliases(app) for app in pending))
    return source, config


async def close(source: Source) -> None:
    closer = getattr(source, "aclose", None)
    if closer is not None:
        await closer()


def resolve(config: Config, text: str) -> tuple[ScopeRef, Application, Alias | None]:
    from streamconsole.core.model import ScopeRef

    ref = ScopeRef.parse(text)
    app, alias = config.resolve(ref)
    return ref, app, alias


def command(run: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Map CommandError (and typed errors) to stderr and an exit code."""

    def wrapped(args: argparse.Namespace) -> int:
        try:
            with reported_errors():
                return run(args)
        except CommandError as error:
            print(f"error: {error}", file=sys.stderr)
            return error.code

    wrapped.__doc__ = run.__doc__
    return wrapped


# --- list / show ----------------------------------------------------------------------------


def _on_off(value: bool | None) -> str:
    return "n/a" if value is None else ("on" if value else "off")


def _state(row: dict[str, Any], direction: str) -> str:
    return "unknown" if "error" in row else _on_off(row[direction])


@command
def run_list(args: argparse.Namespace) -> int:
    from streamconsole.core.report import summary_row, unreadable

    async def load() -> Config:
        source, config = await open_loaded(args, aliases=not args.applications_only)
        await close(source)
        return config

    config = run_async(load)
    rows = []
    for app in config.applications.values():
        rows.append(summary_row(app, None))
        if not args.applications_only:
            rows.extend(summary_row(app, alias) for alias in app.aliases.values())
    if args.json:
        emit(rows)
    else:
        width = max([len(r["scope"]) for r in rows] + [5])
        print(f"{'SCOPE':<{width}}  KIND      PUBLISH  PLAY     ALGORITHM  FINGERPRINT")
        for row in rows:
            print(
                f"{safe(row['scope']):<{width}}  {row['kind']:<8}  {_state(row, 'publish'):<7}  "
                f"{_state(row, 'play'):<7}  {row['algorithm'] or '-':<9}  "
                f"{row['fingerprint'] or '-'}" + ("  ! could not be read" if "error" in row else "")
            )
    # After the rest is printed: what could not be read, and an exit code that says so.
    failed = [unreadable(app) for app in config.applications.values() if app.problem]
    for message in failed:
        print(f"error: {safe(message)}", file=sys.stderr)
    return EXIT_REMOTE if failed else EXIT_OK


@command
def run_show(args: argparse.Namespace) -> int:
    from streamconsole.core.report import scope_report, unreadable

    config, ref = load_scope(args, args.scope)
    view = scope_report(config, ref, now_utc())
    if args.json:
        emit(view)
    else:
        print_scope(view)
    problem = unreadable(config.applications[ref.application])
    if problem:
        raise CommandError(problem, EXIT_REMOTE)
    return EXIT_OK


def load_scope(args: argparse.Namespace, text: str) -> tuple[Config, ScopeRef]:
    """Load the source and the scope named by ``text``: its application must exist, and
    for an alias the application's aliases are fetched (a remote source lists them lazily)
    unless the application itself could not be read (``Application.problem``)."""
    from streamconsole.core.model import ScopeRef

    async def load() -> tuple[Config, ScopeRef]:
        source, config = await open_loaded(args, aliases=False)
        try:
            ref = ScopeRef.parse(text)
            app, _ = config.resolve(ScopeRef(ref.application))
            if ref.alias is not None and not app.problem:
                await source.load_aliases(app)
        finally:
            await close(source)
        return config, ref

    return run_async(load)


def print_scope(view: dict[str, Any]) -> None:
    title = view["application"] + (f"/{view['alias']}" if view["alias"] else "")
    print(
        f"{safe(title)}  ({view['kind']})" + (f"  {safe(view['label'])}" if view["label"] else "")
    )
    if view["policies"] is None:  # not read: say so, never a guess (the reason is on stderr)
        from streamconsole.core.model import ServerKind

        for line in (*ServerKind(view["kind"]).directions, "key"):
            print(f"  {line:<8} unknown")
        return
    for direction, policy in view["policies"].items():
        state = "ENFORCED" if policy["enforced"] else "off"
        print(f"  {direction:<8} {state:<9} {safe(policy['reason'])}")
    key = next((p["key"] for p in view["policies"].values() if p["key"]), None)
    if key is None:
        print("  key      none")
    else:
        age = f", {key['age']} old" if "age" in key else ""
        where = f" at {safe(key['location'])}" if key["location"] else ""
        print(f"  key      {key['algorithm']} {key['fingerprint']} ({key['origin']}{where}{age})")
    for remote in view.get("remote_keys", []):
        known = remote["fingerprint"] or "(not uploaded from here)"
        print(f"  server key {safe(remote['id'])} {safe(remote['name'])} {known}")
    for warning in view["warnings"]:
        print(f"  warning: {safe(warning)}")


# --- token / decode -------------------------------------------------------------------------


def _claims(pairs: list[str]) -> dict[str, Any]:
    claims: dict[str, Any] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise CommandError(f"--claim {pair!r}: expected NAME=VALUE")
        try:
            claims[name] = json.loads(value)
        except ValueError:
            claims[name] = value
    return claims


@command
def run_token(args: argparse.Namespace) -> int:
    import time

    from streamconsole.core.durations import parse_duration
    from streamconsole.core.model import Direction, effective_policy
    from streamconsole.core.report import explanation_view, unreadable
    from streamconsole.core.tokens import build_claims, explain, sign

    direction = Direction(args.direction)
    extra = _claims(args.claim)

    config, ref = load_scope(args, args.scope)
    if ref.alias is None:
        raise CommandError("a token is for one alias: give APP/ALIAS")
    app = config.applications[ref.application]
    if app.problem:  # its key and policy are unknown: a token would be a guess
        raise CommandError(unreadable(app), EXIT_REMOTE)
    alias = app.aliases.get(ref.alias)
    if alias is None and app.kind.alias_overrides:
        raise CommandError(f"{ref.application} has no alias {ref.alias!r}")
    policy = effective_policy(app, alias, direction)
    if not policy.supported:
        raise CommandError(policy.reason)
    if policy.key is None:
        raise CommandError(f"{ref} has no key for {direction} tokens; rotate one in first")
    ttl = parse_duration(args.ttl) if args.ttl else config.settings.token_ttl
    now = time.time()
    claims = build_claims(app.kind, direction, ref.alias, now=now, ttl=ttl, extra=extra)
    token = sign(claims, policy.key.key)
    if args.json:
        view = explanation_view(explain(token, policy, stream=ref.alias, now=now))
        emit({"token": token, "expires_at": claims["exp"], "scope": str(ref), **view})
    else:
        print(token)
    return EXIT_OK


def _read_token(argument: str) -> str:
    text = sys.stdin.read(64 * 1024 + 1) if argument == "-" else argument
    return text.strip()


def print_explanation(result: Explanation) -> None:
    from streamconsole.core.text import pretty_json

    if result.decoded is not None:
        print("header: " + pretty_json(result.decoded.header))
        print("claims: " + pretty_json(result.decoded.claims))
    marks = {"passed": "✔", "failed": "✖", "skipped": "–"}
    for check in result.checks:
        print(f"  {marks[check.status.value]} {check.name:<11} {safe(check.reason)}")
    print(f"verdict: {safe(result.summary)}")


def print_times(claims: dict[str, Any], now: float) -> None:
    from streamconsole.core.token_times import describe_times, iso_utc

    times = describe_times(claims, now)
    if not times:
        print("time: no exp, nbf or iat claim")
        return
    print(f"time (now {iso_utc(now)}):")
    for claim in times:
        print(f"  {safe(claim.text)}")


@command
def run_decode(args: argparse.Namespace) -> int:
    import time

    from streamconsole.core.model import Direction, effective_policy
    from streamconsole.core.report import explanation_view, time_view
    from streamconsole.core.text import pretty_json
    from streamconsole.core.tokens import TokenFormatError, decode_unverified, explain, normalise

    token = normalise(_read_token(args.token))
    if args.against is None:
        try:
            decoded = decode_unverified(token)
        except TokenFormatError as error:
            raise CommandError(f"not a token: {error}") from None
        now = time.time()
        if args.json:
            view = {"header": decoded.header, "claims": decoded.claims, "verified": False}
            emit({**view, "time": time_view(decoded.claims, now)})
        else:
            print("header: " + pretty_json(decoded.header))
            print("claims: " + pretty_json(decoded.claims))
            print_times(decoded.claims, now)
            print("(not verified: give --against APP/ALIAS to check it as a server would)")
        return EXIT_OK

    config, _ = load_scope(args, args.against)
    ref, app, alias = resolve(config, args.against)
    policy = effective_policy(app, alias, Direction(args.direction))
    ttl = config.settings.token_ttl
    result = explain(token, policy, stream=ref.alias, now=time.time(), token_ttl=ttl)
    if args.json:
        emit({"scope": str(ref), "direction": args.direction, **explanation_view(result)})
    else:
        print_explanation(result)
    return EXIT_OK if result.accepted else EXIT_REJECTED


# --- toggle / rotate ------------------------------------------------------------------------


def open_console(args: argparse.Namespace) -> Any:
    """An api.Console for a write command (audited as coming from the CLI)."""
    from streamconsole.api import Console
    from streamconsole.backends.registry import open_source

    return Console(open_source(args.config, server=args.server), origin="cli")


def switches(args: argparse.Namespace) -> dict[str, bool]:
    """The ``--publish``/``--play`` switches given, as keyword arguments of Console.toggle."""
    given = {"publish": args.publish, "play": args.play}
    return {direction: value == "on" for direction, value in given.items() if value is not None}


@command
def run_toggle(args: argparse.Namespace) -> int:
    if args.publish is None and args.play is None:
        raise CommandError("say --publish on|off and/or --play on|off")
    console = open_console(args)
    try:
        changes = console.toggle(args.scope, **switches(args))
        console.save()
    finally:
        console.close()
    for change in changes:
        print(safe(change.describe()))
    if not changes:
        print("nothing to change")
    return EXIT_OK


def _read_secret_input(args: argparse.Namespace) -> tuple[str, str] | None:
    """(kind, text) of the key material the arguments point at; never from argv itself."""
    import os

    if args.secret_env:
        value = os.environ.get(args.secret_env)
        if value is None:
            raise CommandError(f"environment variable {args.secret_env} is not set")
        return "secret", value
    if args.secret_stdin:
        return "secret", sys.stdin.read().rstrip("\r\n")
    for kind, option, path in (
        ("secret", "--secret-file", args.secret_file),
        ("public_key", "--public-key", args.public_key),
        ("private_key", "--private-key-file", args.private_key_file),
    ):
        if path:
            text = _read_key_file(option, path)
            return kind, text.rstrip("\r\n") if kind == "secret" else text
    return None


def _read_key_file(option: str, path: str) -> str:
    limit = 64 * 1024  # as for key files in a config: larger is not a key
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read(limit + 1)
    except UnicodeDecodeError:
        raise CommandError(f"{option} {safe(path)}: not UTF-8 text") from None
    except OSError as error:
        raise CommandError(f"{option} {safe(path)}: {error.strerror}") from None
    if len(text) > limit:
        raise CommandError(f"{option} {safe(path)}: larger than 64 KiB, not a key")
    return text


def _replaces_a_key(config: Config, change: SetKey) -> tuple[Application, bool]:
    """The scope's application, and whether its server held a key before ``change`` (known
    here, or held by a server that never returns its keys)."""
    app, alias = config.resolve(change.scope)
    settings = alias.settings if alias is not None else app.settings
    held = settings is not None and bool(settings.remote_keys)
    return app, change.previous_fingerprint is not None or held


@command
def run_rotate(args: argparse.Namespace) -> int:
    material = _read_secret_input(args)
    if material is None and args.generate is None:
        raise CommandError(
            "give --generate ALG, --secret-file, --secret-env, --secret-stdin, "
            "--public-key or --private-key-file"
        )
    wanted = switches(args)
    console = open_console(args)
    try:
        if material is None:
            change = console.rotate(args.scope, generate=args.generate, rsa_bits=args.rsa_bits)
        else:
            kind, text = material
            change = console.rotate(args.scope, algorithm=args.algorithm, **{kind: text})
        # The switches go in the same save as the key: a THEOlive alias's first key turns
        # its token security on, so the key and play enforcement must land together.
        toggled = console.toggle(args.scope, **wanted) if wanted else []
        app, replaced = _replaces_a_key(console.config, change)
        console.save()
        overlap = getattr(console.source, "overlap_wait", None)
        guidance = overlap(console.config.settings.token_ttl) if overlap and replaced else None
    finally:
        console.close()
    old = change.previous_fingerprint or "none"
    print(
        f"{safe(str(change.scope))}: {old} → {change.entry.fingerprint} ({change.entry.algorithm})"
    )
    if replaced and not app.kind.keeps_old_key:
        from streamconsole.core.model import HARD_CUTOVER

        print(f"{safe(str(change.scope))}: {HARD_CUTOVER}")
    for switched in toggled:
        print(safe(switched.describe()))
    if change.entry.location:
        print(f"key written to {safe(change.entry.location)}")
    if guidance is not None:
        print(
            f"the old key stays installed beside the new one: {guidance}; then: streamconsole "
            f"retire {safe(args.scope)} OLD_KEY_ID --server {safe(args.server)} "
            f"(ids: streamconsole show {safe(args.scope)} --server {safe(args.server)})"
        )
    return EXIT_OK


# --- serve ----------------------------------------------------------------------------------

LOOPBACK = ("127.0.0.1", "localhost", "::1")


@command
def run_serve(args: argparse.Namespace) -> int:
    import shlex

    from streamconsole.web import serve_console

    if args.host not in LOOPBACK:
        print(
            f"warning: serving on {args.host} over plain HTTP: anyone who can watch this "
            "network can read the URL's token and use the console. Prefer the default "
            "127.0.0.1 with 'ssh -L'.",
            file=sys.stderr,
        )
    if not args.config.is_file():
        raise CommandError(f"{args.config}: no such file")
    console = [sys.executable, "-m", "streamconsole", str(args.config.resolve())]
    if args.read_only:
        console.append("--read-only")
    serve_console(shlex.join(console), host=args.host, port=args.port)
    return EXIT_OK
