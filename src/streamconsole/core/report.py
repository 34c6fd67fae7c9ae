"""Plain data views of the model for ``--json``, text output and notebooks.

Never includes secret material: keys appear as algorithm, fingerprint and location.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from streamconsole.core.durations import format_duration
from streamconsole.core.key_age import is_overdue
from streamconsole.core.key_records import KeyEntry
from streamconsole.core.model import Alias, Application, Config, ScopeRef, ServerKind
from streamconsole.core.policy import EffectivePolicy, effective_policy
from streamconsole.core.policy_warnings import policy_warnings

if TYPE_CHECKING:  # explain imports PyJWT, which list and show never need
    from streamconsole.core.delivery import Deliveries
    from streamconsole.core.explain import Explanation


def key_view(
    entry: KeyEntry | None, now: datetime, max_age: int | None = None
) -> dict[str, Any] | None:
    if entry is None:
        return None
    view: dict[str, Any] = {
        "algorithm": entry.algorithm.value,
        "fingerprint": entry.fingerprint,
        "origin": entry.origin.value,
        "location": entry.location,
        "can_sign": entry.key.can_sign,
    }
    if entry.created is not None:
        view["created"] = entry.created.isoformat()
        view["age"] = format_duration((now - entry.created).total_seconds())
    if max_age is not None:
        view["max_key_age"] = format_duration(max_age)
        view["overdue"] = is_overdue(entry.created, max_age, now)
    return view


def policy_view(
    policy: EffectivePolicy, now: datetime, max_age: int | None = None
) -> dict[str, Any]:
    return {
        "supported": policy.supported,
        "enforced": policy.enforced,
        "from": policy.enforced_from.value,
        "reason": policy.reason,
        "key_from": policy.key_from.value,
        "key": key_view(policy.key, now, max_age),
    }


def unreadable(app: Application) -> str:
    """Why ``app``'s policies are unknown, in one line; "" when its server read it. A policy
    that could not be read is never shown as off: that would be a guess."""
    if not app.problem:
        return ""
    return f"{app.name}: could not be read, so its policies are unknown: {app.problem}"


def scope_view(app: Application, alias: Alias | None, now: datetime) -> dict[str, Any]:
    """Everything ``show`` prints for one application or alias; for an application the
    server could not read, ``policies`` is None and ``error`` says why."""
    view: dict[str, Any] = {
        "application": app.name,
        "alias": alias.name if alias is not None else None,
        "kind": app.kind.value,
        "label": (alias.label if alias is not None else app.label) or "",
    }
    if app.problem:
        return {**view, "policies": None, "warnings": [], "error": app.problem}
    view["policies"] = {
        direction.value: policy_view(effective_policy(app, alias, direction), now, app.max_key_age)
        for direction in app.kind.directions
    }
    view["warnings"] = policy_warnings(app, alias, now)
    settings = alias.settings if alias is not None else app.settings
    if settings is not None and settings.remote_keys:
        view["remote_keys"] = [
            {"id": k.id, "name": k.name, "fingerprint": k.fingerprint or None}
            for k in settings.remote_keys
        ]
    if alias is None:
        view["aliases"] = len(app.aliases) if app.aliases_loaded else None
    return view


def scope_report(config: Config, ref: ScopeRef, now: datetime) -> dict[str, Any]:
    """:func:`scope_view` of the scope ``ref`` names. Where its application could not be
    read, its aliases are unknown too: the view names the one asked for, with no policy."""
    app, _ = config.resolve(ScopeRef(ref.application))
    if app.problem:
        return scope_view(app, Alias(ref.alias) if ref.alias is not None else None, now)
    return scope_view(*config.resolve(ref), now)


SUMMARY_FIELDS = ("publish", "play", "algorithm", "fingerprint")


def summary_row(app: Application, alias: Alias | None) -> dict[str, Any]:
    """One line of ``list``: where it is, its label (a THEOlive name, say; "" for none), both
    switches, the key's algorithm and fingerprint; for an application the server could not
    read, None for each and ``error`` saying why."""
    row: dict[str, Any] = {"scope": app.name if alias is None else f"{app.name}/{alias.name}"}
    row["label"] = (alias or app).label
    row["kind"] = app.kind.value
    if app.problem:
        return {**row, **dict.fromkeys(SUMMARY_FIELDS), "error": app.problem}
    for direction in ("publish", "play"):
        supported = [d for d in app.kind.directions if d.value == direction]
        row[direction] = effective_policy(app, alias, supported[0]).enforced if supported else None
    key = effective_policy(app, alias, app.kind.directions[0]).key
    row["algorithm"] = key.algorithm.value if key is not None else None
    row["fingerprint"] = key.fingerprint if key is not None else None
    return row


def unknown_row(server: str, scope: str | None, kind: ServerKind, error: str) -> dict[str, Any]:
    """A ``list`` row for what ``server`` could not give (the whole server where ``scope``
    is None): its policies and key unknown (None), and ``error`` saying why."""
    return {
        "server": server,
        "scope": scope,
        "label": "",
        "kind": kind.value,
        **dict.fromkeys(SUMMARY_FIELDS),
        "error": error,
    }


def server_rows(server: str, config: Config, *, aliases: bool = True) -> list[dict[str, Any]]:
    """``list``'s rows for one server of several, each naming it."""
    rows: list[dict[str, Any]] = []
    for app in config.applications.values():
        rows.append({"server": server, **summary_row(app, None)})
        if aliases:
            rows.extend({"server": server, **summary_row(app, a)} for a in app.aliases.values())
    return rows


def overdue_keys(config: Config, now: datetime) -> list[tuple[Application, str | None, KeyEntry]]:
    """Every key past its ``max_key_age`` at ``now``, once, at the scope that holds it (an
    application's key, not again for each alias that inherits it): (application, alias
    name or None, key)."""
    found: list[tuple[Application, str | None, KeyEntry]] = []
    for app in config.applications.values():
        held: list[tuple[str | None, KeyEntry | None]] = [(None, app.settings.key)]
        if app.kind.alias_overrides:
            held += [(a.name, a.settings.key) for a in app.aliases.values() if a.settings]
        found += [
            (app, alias, entry)
            for alias, entry in held
            if entry is not None and is_overdue(entry.created, app.max_key_age, now)
        ]
    return found


def overdue_row(
    app: Application, alias: str | None, entry: KeyEntry, now: datetime
) -> dict[str, Any]:
    """One line of ``list --overdue``."""
    view = key_view(entry, now, app.max_key_age) or {}
    return {
        "scope": app.name if alias is None else f"{app.name}/{alias}",
        "kind": app.kind.value,
        **{name: view.get(name) for name in ("algorithm", "fingerprint", "created", "age")},
        "max_key_age": view.get("max_key_age"),
    }


def explanation_view(result: Explanation) -> dict[str, Any]:
    view: dict[str, Any] = {
        "verdict": result.verdict.value,
        "summary": result.summary,
        "checks": [
            {"name": c.name, "status": c.status.value, "reason": c.reason} for c in result.checks
        ],
    }
    if result.decoded is not None:
        view["header"] = result.decoded.header
        view["claims"] = result.decoded.claims
    return view


def time_view(claims: Mapping[str, Any], now: float) -> dict[str, Any]:
    """The token's time claims in words (``decode``'s ``time`` section), as of ``now``."""
    from streamconsole.core.token_times import describe_times, iso_utc  # late: list needs none

    return {
        "now": iso_utc(now),
        "claims": {t.claim: t.to_json() for t in describe_times(claims, now)},
    }


def forms_view(found: Deliveries) -> dict[str, Any]:
    """Every form of a token, by format: the value, or its fields by label (OBS's Server and
    Stream Key)."""
    return {
        str(form.format): (
            form.fields[0].value
            if len(form.fields) == 1
            else {field.label: field.value for field in form.fields}
        )
        for form in found.forms
    }


def delivery_view(found: Deliveries) -> dict[str, Any]:
    """:func:`forms_view` as ``forms``; ``forms_missing`` says which setting would give the
    forms left out."""
    missing = {"forms_missing": found.missing} if found.missing else {}
    return {"forms": forms_view(found), **missing}
