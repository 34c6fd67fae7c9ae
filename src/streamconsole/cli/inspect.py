"""Commands that read and report: ``list``, ``show``, ``token`` and ``decode``."""

from __future__ import annotations

import argparse
import json
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
    scope_report,
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
