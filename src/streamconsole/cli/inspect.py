"""Commands that read and report: ``list``, ``show``, ``token`` and ``decode``."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from typing import TYPE_CHECKING, Any

from streamconsole.cli.common import (
    EXIT_OK,
    EXIT_REJECTED,
    EXIT_REMOTE,
    CommandError,
    close,
    command,
    emit,
    now_utc,
    open_loaded,
    read_file,
    read_stdin,
    run_async,
    safe,
    terminal_glyphs,
)
from streamconsole.core.delivery import DeliveryFormat, delivery_form, delivery_forms
from streamconsole.core.durations import parse_duration
from streamconsole.core.model import (
    Alias,
    Application,
    Config,
    Direction,
    ScopeRef,
    ServerKind,
    effective_policy,
)
from streamconsole.core.report import (
    delivery_view,
    explanation_view,
    overdue_keys,
    overdue_row,
    scope_report,
    summary_row,
    time_view,
    unreadable,
)
from streamconsole.core.text import pretty_json
from streamconsole.core.token_times import describe_times, iso_utc
from streamconsole.core.tokens import (
    TokenFormatError,
    build_claims,
    decode_unverified,
    normalise,
    sign,
)

if TYPE_CHECKING:
    from streamconsole.core.explain import Explanation

# A label is listed when this many characters of it fit on the terminal's line.
LABEL_MIN_CELLS = 8

# --- list / show ----------------------------------------------------------------------------


def _on_off(value: bool | None) -> str:
    return "n/a" if value is None else ("on" if value else "off")


def _state(row: dict[str, Any], direction: str) -> str:
    return "unknown" if "error" in row else _on_off(row[direction])


@command
def run_list(args: argparse.Namespace) -> int:
    async def load() -> Config:
        source, config = await open_loaded(args, aliases=not args.applications_only)
        await close(source)
        return config

    config = read_file(args) if args.server is None else run_async(load)
    if args.overdue:
        return _list_overdue(config, as_json=args.json)
    rows = []
    for app in config.applications.values():
        rows.append(summary_row(app, None))
        if not args.applications_only:
            rows.extend(summary_row(app, alias) for alias in app.aliases.values())
    if args.json:
        emit(rows)
    else:
        print_rows(rows)
    return _unreadable_code(config, EXIT_OK)


def _unreadable_code(config: Config, code: int) -> int:
    """After the rest is printed: what could not be read, and an exit code that says so
    (else ``code``)."""
    failed = [unreadable(app) for app in config.applications.values() if app.problem]
    for message in failed:
        print(f"error: {safe(message)}", file=sys.stderr)
    return EXIT_REMOTE if failed else code


def _list_overdue(config: Config, *, as_json: bool) -> int:
    """``list --overdue``: each key past its max_key_age; exit 1 when there is one."""
    now = now_utc()
    rows = [overdue_row(app, alias, entry, now) for app, alias, entry in overdue_keys(config, now)]
    if as_json:
        emit(rows)
    elif rows:
        width = max(len(row["scope"]) for row in rows)
        print(f"{'SCOPE':<{width}}  KIND      ALGORITHM  FINGERPRINT  AGE  MAX_KEY_AGE")
        for row in rows:
            print(
                f"{safe(row['scope']):<{width}}  {row['kind']:<8}  {row['algorithm']:<9}  "
                f"{row['fingerprint']}  {row['age']}  {row['max_key_age']}"
            )
    policies = [app.max_key_age for app in config.applications.values()]
    if not any(policies) and not as_json:
        print("note: no max_key_age is set, so no key is overdue", file=sys.stderr)
    return _unreadable_code(config, EXIT_REJECTED if rows else EXIT_OK)


def print_rows(rows: list[dict[str, Any]]) -> None:
    """``list``'s table (:func:`list_lines`), labels cut to the terminal's width."""
    columns = shutil.get_terminal_size().columns if sys.stdout.isatty() else None
    print(*list_lines(rows, columns), sep="\n")


def list_lines(rows: list[dict[str, Any]], columns: int | None) -> list[str]:
    """``list``'s table as lines: a SERVER column first where the rows name their server (a
    row with no scope stands for a server that could not be read); labels last (the columns
    before them split on spaces), cut to ``columns`` where that is the terminal's width
    (None: whole), and left out where too little of them would fit."""
    from rich.cells import cell_len, set_cell_size  # late: the other commands need no rich

    servers = [safe(row["server"]) for row in rows if "server" in row]
    server_width = max([len(name) for name in servers] + [6])
    scopes = [safe(row["scope"] or "-") for row in rows]
    width = max([len(scope) for scope in scopes] + [5])
    printed = max([len(row["fingerprint"] or "-") for row in rows] + [len("FINGERPRINT")])
    head = f"{'SERVER':<{server_width}}  " if servers else ""
    fingerprint = f"{'FINGERPRINT':<{printed}}"
    header = f"{head}{'SCOPE':<{width}}  KIND      PUBLISH  PLAY     ALGORITHM  {fingerprint}"
    room = None if columns is None else columns - len(header) - 2
    labelled = any(row.get("label") for row in rows) and (room is None or room >= LABEL_MIN_CELLS)
    lines = [f"{header}  LABEL" if labelled else header.rstrip()]
    for row, scope in zip(rows, scopes, strict=True):
        head = f"{safe(row['server']):<{server_width}}  " if servers else ""
        mark = "" if "error" not in row else "  ! could not be read"
        if row["scope"] is None:
            mark = "  ! server could not be read"
        line = (
            f"{head}{scope:<{width}}  {row['kind']:<8}  {_state(row, 'publish'):<7}  "
            f"{_state(row, 'play'):<7}  {row['algorithm'] or '-':<9}  "
            f"{row['fingerprint'] or '-':<{printed}}"
        )
        label = safe(row.get("label") or "") if labelled else ""
        if label and room is not None and cell_len(label) + len(mark) > room:
            label = set_cell_size(label, max(room - len(mark) - 1, 0)) + "…"
        lines.append((f"{line}  {label}" if label else line.rstrip()) + mark)
    return lines


@command
def run_show(args: argparse.Namespace) -> int:
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
    if args.server is None:  # the file: its aliases are loaded with it
        config = read_file(args)
        ref = ScopeRef.parse(text)
        config.resolve(ScopeRef(ref.application))
        return config, ref

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


def resolve(config: Config, text: str) -> tuple[ScopeRef, Application, Alias | None]:
    ref = ScopeRef.parse(text)
    app, alias = config.resolve(ref)
    return ref, app, alias


def print_scope(view: dict[str, Any]) -> None:
    title = view["application"] + (f"/{view['alias']}" if view["alias"] else "")
    print(
        f"{safe(title)}  ({view['kind']})" + (f"  {safe(view['label'])}" if view["label"] else "")
    )
    if view["policies"] is None:  # not read: say so, never a guess (the reason is on stderr)
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
        from streamconsole.core.explain import explain  # late: it imports PyJWT's verifiers

        view = explanation_view(explain(token, policy, stream=ref.alias, now=now))
        forms = delivery_view(delivery_forms(app, ref.alias, direction, token))
        emit({"token": token, "expires_at": claims["exp"], "scope": str(ref), **view, **forms})
    else:
        fmt = DeliveryFormat(args.format)
        print(delivery_form(app, ref.alias, direction, token, fmt).text)
    return EXIT_OK


def _read_token(argument: str) -> str:
    """The token from stdin ("-", the default), or from the arguments with a note: there
    other users of the machine can read it (ps, /proc) and the shell history keeps it."""
    if argument != "-":
        print(
            "note: a token in the arguments is visible to other users (ps, shell history); "
            "give it on stdin instead: streamconsole decode < token.txt",
            file=sys.stderr,
        )
        return argument.strip()
    return read_stdin("paste the token, then Enter: ", limit=64 * 1024 + 1).strip()


def print_explanation(result: Explanation) -> None:
    if result.decoded is not None:
        print("header: " + pretty_json(result.decoded.header))
        print("claims: " + pretty_json(result.decoded.claims))
    glyphs = terminal_glyphs()
    for check in result.checks:
        print(f"  {glyphs.check(check.status.value)} {check.name:<11} {safe(check.reason)}")
    print(f"verdict: {safe(result.summary)}")


def print_times(claims: dict[str, Any], now: float) -> None:
    times = describe_times(claims, now)
    if not times:
        print("time: no exp, nbf or iat claim")
        return
    print(f"time (now {iso_utc(now)}):")
    for claim in times:
        print(f"  {safe(claim.text)}")


@command
def run_decode(args: argparse.Namespace) -> int:
    token = normalise(_read_token(args.token))
    if args.against is None:
        try:
            decoded = decode_unverified(token)
        except TokenFormatError as error:
            raise CommandError(f"not a token: {error}") from None
        now = time.time()
        repeated = {"header": decoded.header_duplicates, "payload": decoded.claim_duplicates}
        if args.json:
            view = {"header": decoded.header, "claims": decoded.claims, "verified": False}
            named_twice = {part: list(names) for part, names in repeated.items() if names}
            emit({**view, "time": time_view(decoded.claims, now), "duplicates": named_twice})
        else:
            print("header: " + pretty_json(decoded.header))
            print("claims: " + pretty_json(decoded.claims))
            for part, names in repeated.items():
                if names:
                    # late: only this note needs the verifier rules, which token and show do not
                    from streamconsole.core.verifier_rules import quoted_names

                    print(
                        f"note: the {part} names {quoted_names(names)} more than once; shown "
                        "is the last of each (verifiers differ: see --against)"
                    )
            print_times(decoded.claims, now)
            print("(not verified: give --against APP/ALIAS to check it as a server would)")
        return EXIT_OK

    from streamconsole.core.explain import explain  # late: it imports PyJWT's verifiers

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
