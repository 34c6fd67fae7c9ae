"""Commands that read and report: ``show`` and ``decode`` (``list`` is cli/listing.py, ``token``
cli/issuing.py)."""

from __future__ import annotations

import argparse
import sys
import time
from typing import TYPE_CHECKING, Any

from streamconsole.cli.common import (
    EXIT_OK,
    EXIT_REJECTED,
    EXIT_REMOTE,
    CommandError,
    command,
    emit,
    load_scope,
    now_utc,
    read_stdin,
    safe,
    terminal_glyphs,
)
from streamconsole.core.model import Alias, Application, Config, Direction, ScopeRef, ServerKind
from streamconsole.core.policy import effective_policy
from streamconsole.core.report import (
    explanation_view,
    scope_report,
    time_view,
    unreadable,
)
from streamconsole.core.text import pretty_json
from streamconsole.core.token_times import describe_times, iso_utc
from streamconsole.core.tokens import (
    TokenFormatError,
    decode_unverified,
    normalise,
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


# --- decode ------------------------------------------------------------------------------


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
