"""``token``: issue a token for an alias, as a player or encoder takes it.

A module of its own, as ``list`` has (cli/listing.py): ``token`` imports what issuing needs
(claims, signing; the delivery forms where one is asked for) and not what ``show`` and
``decode`` print with, so it starts within reach of a minimal PyJWT script
(benchmarks/cli_bench.py).
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

from streamconsole.cli.common import (
    EXIT_OK,
    EXIT_REMOTE,
    CommandError,
    command,
    emit,
    load_scope,
)
from streamconsole.core.durations import parse_duration
from streamconsole.core.model import Direction
from streamconsole.core.policy import effective_policy
from streamconsole.core.report import delivery_view, explanation_view, unreadable
from streamconsole.core.tokens import build_claims, sign


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
        from streamconsole.core.delivery import delivery_forms  # late: as for a --format below
        from streamconsole.core.explain import explain  # late: it imports PyJWT's verifiers

        view = explanation_view(explain(token, policy, stream=ref.alias, now=now))
        forms = delivery_view(delivery_forms(app, ref.alias, direction, token))
        emit({"token": token, "expires_at": claims["exp"], "scope": str(ref), **view, **forms})
    elif args.format == "jwt":  # the default: every server takes the bare token, as it is
        print(token)
    else:
        # Here: building a form takes core.delivery's classes (~3 ms to build), the bare
        # token none.
        from streamconsole.core.delivery import DeliveryFormat, delivery_form

        fmt = DeliveryFormat(args.format)
        print(delivery_form(app, ref.alias, direction, token, fmt).text)
    return EXIT_OK
