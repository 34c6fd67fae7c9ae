"""Drift between two configs: two servers, or a server and the file. For each application,
and each alias where aliases carry a policy of their own (THEOlive, generic), the fields that
decide who gets in are compared: kind, publish, play, key algorithm and key fingerprint (never
the secret). Ant Media streams follow their application, so they are not compared one by one.

The same fields of one scope on several servers side by side (:func:`compare_row`,
:func:`differing`) are what the console's compare view and ``Fleet.compare`` show.

A key the server holds but whose material this machine does not keep (THEOlive keys
installed from elsewhere: write-only) has no fingerprint here, so two such keys cannot be
told apart: that is reported as a difference ("cannot tell"), never as "the same".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from streamconsole.core.durations import format_duration
from streamconsole.core.fleet import AliasChoice
from streamconsole.core.model import Alias, Application, Config, ScopeRef, ServerKind
from streamconsole.core.policy import effective_policy
from streamconsole.core.report import summary_row, unknown_row

DRIFT_FIELDS = ("kind", "publish", "play", "algorithm", "fingerprint")
UNKNOWN_KEYS = "unknown_keys"  # the field of a "cannot tell" difference


@dataclass(frozen=True, slots=True)
class Difference:
    """One field of one scope that is not the same on both sides."""

    scope: str
    field: str
    left: Any
    right: Any

    def to_dict(self) -> dict[str, Any]:
        return {"scope": self.scope, "field": self.field, "left": self.left, "right": self.right}


@dataclass(frozen=True, slots=True)
class Unread:
    """A scope one side could not read: its policies are unknown, so nothing is compared."""

    side: str
    scope: str
    error: str

    def to_dict(self) -> dict[str, str]:
        return {"side": self.side, "scope": self.scope, "error": self.error}


@dataclass(frozen=True, slots=True)
class Drift:
    """What differs between ``left`` and ``right`` (names of servers, or the file's path)."""

    left: str
    right: str
    compared: int  # scopes present on both sides
    differences: tuple[Difference, ...] = ()
    only_left: tuple[str, ...] = ()
    only_right: tuple[str, ...] = ()
    unread: tuple[Unread, ...] = ()

    @property
    def same(self) -> bool:
        """Both sides read, every scope on both, every field equal."""
        return not (self.differences or self.only_left or self.only_right or self.unread)

    def to_dict(self) -> dict[str, Any]:
        return {
            "left": self.left,
            "right": self.right,
            "same": self.same,
            "compared": self.compared,
            "differences": [d.to_dict() for d in self.differences],
            "only_left": list(self.only_left),
            "only_right": list(self.only_right),
            "unread": [u.to_dict() for u in self.unread],
        }


def _state(app: Application, alias: Alias | None) -> dict[str, Any]:
    row = summary_row(app, alias)
    state = {"application": app.name, **{name: row[name] for name in DRIFT_FIELDS}}
    if "error" in row:
        state["error"] = row["error"]
        return state
    held = effective_policy(app, alias, app.kind.directions[0]).held_keys
    state[UNKNOWN_KEYS] = sum(1 for key in held if not key.fingerprint)
    return state


def compared_aliases(application: str | None = None) -> AliasChoice:
    """The aliases a drift compares, to load from a server: those of applications whose
    aliases hold a policy (all of them, or of ``application`` only)."""

    def chosen(config: Config) -> Iterable[Application]:
        return [
            app
            for app in config.applications.values()
            if app.kind.alias_overrides
            and not app.aliases_loaded
            and not app.problem
            and application in (None, app.name)
        ]

    return chosen


def scope_states(config: Config, application: str | None = None) -> dict[str, dict[str, Any]]:
    """Scope name → the compared fields, for every application of ``config`` (or the one
    named) and its aliases where they carry a policy. An application that could not be read
    has ``error`` and no aliases (they are unknown too)."""
    states: dict[str, dict[str, Any]] = {}
    for app in config.applications.values():
        if application is not None and app.name != application:
            continue
        states[app.name] = _state(app, None)
        if app.problem or not app.kind.alias_overrides:
            continue
        for alias in app.aliases.values():
            states[f"{app.name}/{alias.name}"] = _state(app, alias)
    return states


def drift(
    left_name: str,
    left: Config,
    right_name: str,
    right: Config,
    application: str | None = None,
) -> Drift:
    """The drift between two loaded configs, in the left side's scope order (then the
    right's); ``application`` narrows it to one application and its aliases."""
    mine, theirs = scope_states(left, application), scope_states(right, application)
    differences: list[Difference] = []
    unread: list[Unread] = []
    both = [scope for scope in mine if scope in theirs]
    for scope in both:
        a, b = mine[scope], theirs[scope]
        failed = [(name, s) for name, s in ((left_name, a), (right_name, b)) if "error" in s]
        if failed:
            unread.extend(Unread(name, scope, s["error"]) for name, s in failed)
            continue
        differences.extend(
            Difference(scope, name, a[name], b[name]) for name in DRIFT_FIELDS if a[name] != b[name]
        )
        if a[UNKNOWN_KEYS] or b[UNKNOWN_KEYS]:
            differences.append(Difference(scope, UNKNOWN_KEYS, a[UNKNOWN_KEYS], b[UNKNOWN_KEYS]))
    return Drift(
        left=left_name,
        right=right_name,
        compared=len(both),
        differences=tuple(differences),
        only_left=_only(mine, theirs),
        only_right=_only(theirs, mine),
        unread=tuple(unread),
    )


def _only(mine: dict[str, dict[str, Any]], theirs: dict[str, dict[str, Any]]) -> tuple[str, ...]:
    """Scopes of ``mine`` missing from ``theirs``; not the aliases of an application the
    other side could not read (its aliases are unknown there, not missing)."""
    unread = {state["application"] for state in theirs.values() if "error" in state}
    return tuple(
        scope
        for scope, state in mine.items()
        if scope not in theirs and state["application"] not in unread
    )


def compare_row(
    server: str,
    kind: ServerKind,
    config: Config | None,
    problem: str,
    ref: ScopeRef,
    now: datetime,
) -> dict[str, Any]:
    """``ref`` on one server, for a side-by-side view: the drift's fields, how many of its
    keys this machine cannot fingerprint, and the key's age (None where unknown). Where the
    server was not read (``config`` None, ``problem`` says why) or has no such scope, every
    field is None and ``error`` says why. An Ant Media stream has its application's policy,
    whichever streams the server holds now."""
    app = config.applications.get(ref.application) if config is not None else None
    alias = None
    if app is not None and ref.alias is not None:
        held = app.aliases.get(ref.alias)
        # Unread, its policies are unknown: the row says so (the state's error).
        own = app.kind.alias_overrides and not app.problem
        alias = held if own else Alias(ref.alias)
    if app is None or (ref.alias is not None and alias is None):
        missing = problem or f"no {ref} on this server"
        return {**unknown_row(server, str(ref), kind, missing), UNKNOWN_KEYS: 0, "key_age": None}
    state = _state(app, alias)
    del state["application"]
    key = None if app.problem else effective_policy(app, alias, app.kind.directions[0]).key
    created = key.created if key is not None else None
    age = format_duration((now - created).total_seconds()) if created is not None else None
    return {"server": server, "scope": str(ref), **state, "key_age": age}


def differing(rows: Sequence[dict[str, Any]]) -> dict[str, frozenset[str]]:
    """Field → the servers (of :func:`compare_row`'s ``rows``) whose value is not the one
    most servers read have (the first server's among equals). A key this machine cannot
    fingerprint is never "the same": its fingerprint differs wherever two servers were read.
    Rows with an error take no part (they are marked in place); key ages are shown, not
    compared: one key given to two servers at different times is no drift."""
    read = [row for row in rows if "error" not in row]
    found: dict[str, frozenset[str]] = {}
    for name in DRIFT_FIELDS:
        usual = Counter(row[name] for row in read).most_common(1)
        odd = {row["server"] for row in read if row[name] != usual[0][0]}
        if name == "fingerprint" and len(read) > 1:
            odd |= {row["server"] for row in read if row[UNKNOWN_KEYS]}
        if odd:
            found[name] = frozenset(odd)
    return found
