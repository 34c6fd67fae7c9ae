"""The enforcement probe, without I/O: which requests to send to a server's delivery
endpoint, and what their answers say about the configured policy.

Per direction of a scope, three requests: without a token, with a fresh token signed by the
scope's key, and with a token signed by a key made up for the probe (the server cannot
know it). Their status codes give one verdict: "enforced as configured", "NOT enforced (a
request without a token was served)", "valid tokens refused (key mismatch?)", ... The
backend (:mod:`streamconsole.backends.delivery_probe`) sends each request from a fresh
client with no cookies, so a server that lets a session through once a token was checked
(Ant Media issue 7254) cannot make a later request look refused or served by mistake.

Publish over RTMP (or WebRTC) cannot be asked over HTTP: those directions are listed as
not probed, and say why.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from streamconsole.core.key_generation import generate_key
from streamconsole.core.model import Alias, Application, Config, Direction, ScopeRef, ServerKind
from streamconsole.core.policy import effective_policy
from streamconsole.core.text import inert
from streamconsole.core.tokens import build_claims, sign

# Probe tokens live a minute: long enough for a slow link, short enough to be worthless.
PROBE_TOKEN_TTL = 60
# The stream an application-wide Ant Media probe asks for: the JWT filter answers before the
# stream's existence is looked at, so a name that exists nowhere serves as well (and asks
# the server for no real playlist).
PROBE_STREAM = "streamconsole-probe"
# RSA keys made up for a wrong-key token: the smallest size a server would take.
_WRONG_RSA_BITS = 2048
RTMP_NOT_PROBED = (
    "not probed: publish goes over RTMP or WebRTC, which an HTTP probe cannot ask; "
    "try an encoder with a token (streamconsole token APP/STREAM --type publish)"
)


class Attempt(StrEnum):
    NO_TOKEN = "no token"
    VALID = "valid token"
    WRONG_KEY = "wrong key"


class Outcome(StrEnum):
    AS_CONFIGURED = "as configured"
    MISMATCH = "mismatch"
    INCONCLUSIVE = "inconclusive"
    NOT_PROBED = "not probed"


@dataclass(frozen=True, slots=True)
class ProbeRequest:
    attempt: Attempt
    token: str | None  # None: sent without a token


@dataclass(frozen=True, slots=True)
class ProbeTarget:
    """One direction of one scope: what is configured and the requests that test it."""

    scope: ScopeRef
    kind: ServerKind
    direction: Direction
    enforced: bool  # what the console has for it (the server's own settings, on a server)
    stream: str  # the stream (Ant Media) or alias (THEOlive) the requests name
    requests: tuple[ProbeRequest, ...] = ()
    not_probed: str = ""  # why no request is sent for it; "" when they are
    note: str = ""  # why a request was left out (no key to sign a valid token here)


@dataclass(frozen=True, slots=True)
class Answer:
    """What the delivery endpoint said: a status code, or why there was none."""

    status: int | None
    error: str = ""

    def __str__(self) -> str:
        return str(self.status) if self.status is not None else f"error: {inert(self.error)}"


@dataclass(frozen=True, slots=True)
class ProbeResult:
    target: ProbeTarget
    answers: Mapping[Attempt, Answer] = field(default_factory=dict)
    outcome: Outcome = Outcome.NOT_PROBED
    verdict: str = ""

    def to_dict(self) -> dict[str, Any]:
        target = self.target
        return {
            "scope": str(target.scope),
            "direction": str(target.direction),
            "configured": "enforced" if target.enforced else "off",
            "outcome": str(self.outcome),
            "verdict": self.verdict,
            "answers": {
                str(attempt): {"status": answer.status, "error": answer.error or None}
                for attempt, answer in self.answers.items()
            },
            "note": target.note or None,
        }


@dataclass(frozen=True, slots=True)
class ServerProbe:
    """One server's part of a probe across several servers: its results, or why there are
    none (the server could not be read, or the scope cannot be probed there)."""

    server: str
    results: tuple[ProbeResult, ...] = ()
    error: str = ""  # why nothing was probed there; "" when the probe ran
    unread: bool = False  # the server (or the scope's settings there) could not be read

    @property
    def outcome(self) -> Outcome:
        """As for one server; a server that could not be read says nothing: inconclusive,
        and one where the scope cannot be probed (not there, no ``play_url``): not probed."""
        if not self.error:
            return overall(self.results)
        return Outcome.INCONCLUSIVE if self.unread else Outcome.NOT_PROBED

    @property
    def state(self) -> str:
        """Its outcome in a word or two, as a table shows it: where nothing was probed,
        whether the server could not be read or the scope could not be probed there."""
        if not self.error:
            return str(self.outcome)
        return "not read" if self.unread else "not probed"

    def to_dict(self) -> dict[str, Any]:
        """One server's record of ``probe --json`` on several servers: the one-server shape
        (``server``, ``outcome``, ``results``) with ``error``, each result naming its
        server too (for a flattened list)."""
        return {
            "server": self.server,
            "outcome": str(self.outcome),
            "results": [{"server": self.server, **result.to_dict()} for result in self.results],
            "error": self.error or None,
        }

    def rows(self) -> list[dict[str, Any]]:
        """Its results as table rows naming the server first, with an ``error`` column; a
        server without results is one row (of the same columns) saying why."""
        if not self.error:
            return [{"server": self.server, **r.to_dict(), "error": None} for r in self.results]
        why: dict[str, Any] = dict.fromkeys(("scope", "direction", "configured"))
        why |= {"outcome": str(self.outcome), "verdict": None, "answers": {}, "note": None}
        return [{"server": self.server, **why, "error": self.error}]


# --- the plan ---------------------------------------------------------------------------------


def probe_scopes(config: Config, ref: ScopeRef) -> list[tuple[Application, Alias | None]]:
    """The scopes a probe of ``ref`` asks about: the scope itself, or where the server keeps a
    policy per alias (THEOlive), each alias of an application (its aliases loaded)."""
    app, alias = config.resolve(ref)
    if alias is None and app.kind.policy_per_alias:
        return [(app, each) for each in app.aliases.values()]
    return [(app, alias)]


def plan_probe(
    app: Application,
    alias: Alias | None,
    directions: Iterable[Direction],
    *,
    now: float,
) -> list[ProbeTarget]:
    """The targets for ``directions`` of a scope, with their tokens issued at ``now``."""
    return [_target(app, alias, direction, now) for direction in directions]


def _target(app: Application, alias: Alias | None, direction: Direction, now: float) -> ProbeTarget:
    ref = ScopeRef(app.name, alias.name if alias is not None else None)
    policy = effective_policy(app, alias, direction)
    stream = alias.name if alias is not None else PROBE_STREAM
    target = ProbeTarget(ref, app.kind, direction, policy.enforced, stream)
    if not policy.supported:
        return replace(target, not_probed=f"not probed: {policy.reason}")
    if app.kind is ServerKind.GENERIC:
        why = "not probed: a generic server has no known delivery endpoint"
        return replace(target, not_probed=why)
    if direction is Direction.PUBLISH:
        return replace(target, not_probed=RTMP_NOT_PROBED)
    claims = build_claims(app.kind, direction, stream, now=now, ttl=PROBE_TOKEN_TTL)
    requests = [ProbeRequest(Attempt.NO_TOKEN, None)]
    note = ""
    key = policy.key.key if policy.key is not None else None
    if key is None:
        note = "no valid token sent: this console knows no key for it"
    elif not key.can_sign:
        note = "no valid token sent: no private key here to sign one"
    else:
        requests.append(ProbeRequest(Attempt.VALID, sign(claims, key)))
    algorithm = key.algorithm if key is not None else app.kind.algorithms[0]
    wrong = generate_key(algorithm, min_chars=app.kind.min_secret_chars, rsa_bits=_WRONG_RSA_BITS)
    requests.append(ProbeRequest(Attempt.WRONG_KEY, sign(claims, wrong)))
    return replace(target, requests=tuple(requests), note=note)


# --- the verdict ------------------------------------------------------------------------------


def served(kind: ServerKind, status: int) -> bool | None:
    """Whether ``status`` means the request got past the token check (None: cannot tell).

    Ant Media's JWT filter answers 403 before the stream's existence is looked at: a 404
    means the token passed. THEOlive answers 403, with no reason, to a token it refuses."""
    if status in (401, 403):
        return False
    if 200 <= status < 300:
        return True
    if kind is ServerKind.ANTMEDIA and status == 404:
        return True
    return None


def judge(target: ProbeTarget, answers: Mapping[Attempt, Answer]) -> ProbeResult:
    """The verdict on ``answers`` to ``target``'s requests."""
    if target.not_probed:
        return ProbeResult(target, answers, Outcome.NOT_PROBED, target.not_probed)
    passed: dict[Attempt, bool] = {}
    for attempt, answer in answers.items():
        got_past = served(target.kind, answer.status) if answer.status is not None else None
        if got_past is None:
            unclear = f"HTTP {answer.status}" if answer.status is not None else answer.error
            why = f"inconclusive: the request with {attempt} got {unclear}"
            return ProbeResult(target, answers, Outcome.INCONCLUSIVE, why)
        passed[attempt] = got_past
    outcome, verdict = _verdict(target.enforced, passed)
    return ProbeResult(target, answers, outcome, verdict)


def _verdict(enforced: bool, passed: Mapping[Attempt, bool]) -> tuple[Outcome, str]:
    if not enforced:
        if passed[Attempt.NO_TOKEN]:
            return Outcome.AS_CONFIGURED, "not enforced, as configured"
        return (
            Outcome.MISMATCH,
            "enforced, though configured off (a request without a token was refused)",
        )
    if passed[Attempt.NO_TOKEN]:
        return Outcome.MISMATCH, "NOT enforced (a request without a token was served)"
    if passed.get(Attempt.VALID) is False:
        return Outcome.MISMATCH, "valid tokens refused (key mismatch?)"
    if passed.get(Attempt.WRONG_KEY):
        return Outcome.MISMATCH, "a token signed by a wrong key was served (signature not checked?)"
    if Attempt.VALID not in passed:
        return Outcome.AS_CONFIGURED, "enforced as configured (valid tokens not tried)"
    return Outcome.AS_CONFIGURED, "enforced as configured"


def overall(results: Sequence[ProbeResult]) -> Outcome:
    """The worst of the results' outcomes (see :func:`worst`)."""
    return worst(result.outcome for result in results)


def worst(outcomes: Iterable[Outcome]) -> Outcome:
    """A mismatch, else an inconclusive answer, else as configured; not probed only when
    nothing was."""
    found = set(outcomes)
    for outcome in (Outcome.MISMATCH, Outcome.INCONCLUSIVE, Outcome.AS_CONFIGURED):
        if outcome in found:
            return outcome
    return Outcome.NOT_PROBED


def table_lines(results: Sequence[ProbeResult]) -> list[str]:
    """The results as a plain table: scope, direction, configured, the three status codes and
    the verdict; names and errors made inert."""
    header = ("SCOPE", "TYPE", "CONFIGURED", *(str(a).upper() for a in Attempt), "VERDICT")
    return _aligned(
        header,
        [
            (
                inert(str(r.target.scope)),
                str(r.target.direction),
                "enforced" if r.target.enforced else "off",
                *(str(r.answers[a]) if a in r.answers else "-" for a in Attempt),
                r.verdict + (f" ({r.target.note})" if r.target.note else ""),
            )
            for r in results
        ],
    )


def summary_lines(probes: Sequence[ServerProbe]) -> list[str]:
    """One line per server of a probe across several: its outcome, how many of its probed
    directions came out each way, and why nothing was probed there, if nothing was; names
    and errors made inert."""
    header = ("SERVER", "OUTCOME", *(str(o).upper() for o in Outcome), "ERROR")
    rows = []
    for probe in probes:
        found = [result.outcome for result in probe.results]
        counts = ["-"] * len(Outcome) if probe.error else [str(found.count(o)) for o in Outcome]
        rows.append((inert(probe.server), probe.state, *counts, inert(probe.error)))
    return _aligned(header, rows)


def _aligned(header: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    """``header`` and ``rows`` in columns two spaces apart; the last column, free text, is
    not padded."""
    lines = [tuple(header), *(tuple(row) for row in rows)]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header) - 1)]
    return [
        (
            "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=False))
            + "  "
            + line[-1]
        ).rstrip()
        for line in lines
    ]
