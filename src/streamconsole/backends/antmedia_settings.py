"""Ant Media's application settings object, without I/O: which fields hold what the
console edits, the three-way merge a save makes onto the server's current object, and why
the server refused one."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from streamconsole.backends.base import ConflictError, RemoteError
from streamconsole.core.edits import ScopeChange, SetEnforcement, SetKey
from streamconsole.core.keys import SharedKey
from streamconsole.core.model import Direction

ENFORCEMENT_FIELD = {
    Direction.PUBLISH: "publishJwtControlEnabled",
    Direction.PLAY: "playJwtControlEnabled",
}
ONE_TIME_FIELD = {
    Direction.PUBLISH: "publishTokenControlEnabled",
    Direction.PLAY: "playTokenControlEnabled",
}
SECRET_FIELD = "jwtStreamSecretKey"
# The kinds of token control of which Ant Media Server (since 2.9.0) lets a direction have at
# most one on, as the operator knows them; JWT first. Hash control is not counted.
_TOKEN_CONTROLS = {
    Direction.PUBLISH: (
        ("JWT", ENFORCEMENT_FIELD[Direction.PUBLISH]),
        ("one-time tokens", ONE_TIME_FIELD[Direction.PUBLISH]),
        ("TOTP one-time passwords", "enableTimeTokenForPublish"),
    ),
    Direction.PLAY: (
        ("JWT", ENFORCEMENT_FIELD[Direction.PLAY]),
        ("one-time tokens", ONE_TIME_FIELD[Direction.PLAY]),
        ("TOTP one-time passwords", "enableTimeTokenForPlay"),
    ),
}


def _is_secret_field(name: str) -> bool:
    return "secret" in name.lower() or "password" in name.lower()


def secret_values(settings: Mapping[str, Any]) -> list[str]:
    """The secrets a settings object holds (the stream secret, the REST API's and the
    server's JWT secrets, passwords): what a save sends that must never be quoted back."""
    return [v for k, v in settings.items() if _is_secret_field(k) and isinstance(v, str) and v]


def settings_difference(seen: dict[str, Any], now: dict[str, Any]) -> list[str]:
    """What another admin changed, one line a field; secret values are not shown."""
    lines = []
    for name in sorted(set(seen) | set(now)):
        before, after = seen.get(name), now.get(name)
        if before == after:
            continue
        if _is_secret_field(name):
            lines.append(f"{name}: changed (value hidden)")
        else:
            lines.append(f"{name}: {before!r} → {after!r}")
    return lines


def merge_settings(
    app: str, seen: Mapping[str, Any], current: Mapping[str, Any], ours: Mapping[str, Any]
) -> dict[str, Any]:
    """The settings object to POST: our fields (``ours``) put onto the server's ``current``.

    A three-way merge against ``seen``, the object the operator's edits were made on. What
    someone else changed since stays as they left it, unless it is a field we change and now
    holds another value than ours: then nothing is merged and ConflictError shows those
    fields only, secret values hidden. Fields the server maintains (``updateTime``, stamped
    at every save) are never ours, so they never conflict.
    """
    conflicts = {
        name
        for name, value in ours.items()
        if current.get(name) != seen.get(name) and current.get(name) != value
    }
    if conflicts:
        difference = settings_difference(
            {name: seen.get(name) for name in conflicts},
            {name: current.get(name) for name in conflicts},
        )
        raise ConflictError(
            f"{app}: settings you change were changed on the server since they were loaded "
            f"({'; '.join(difference)}); nothing was written. Refresh, then edit again"
        )
    return {**current, **ours}


def refusal(app: str, reply: object, posted: Mapping[str, Any], quote: Callable[[str], str]) -> str:
    """Why the server refused to save ``posted``, in words that say what to do; what the
    server said goes through ``quote`` (the HTTP client's, which masks the secrets sent).

    Ant Media's ``AntMediaApplicationAdapter.updateSettings`` answers a refused save with
    ``new Result(false)``: ``success: false`` and an empty message. So the server's message
    is quoted when there is one, and otherwise the posted object is checked against the
    rule an operator of this console meets: since 2.9.0 (``isTokenSecuritySettingsValid``)
    a direction may have at most one kind of token control on. An application whose
    settings come from its properties file (or from an older server) can hold two, and then
    every save of it is refused, whatever the save changes. The rule is not checked before
    sending: an older server saves such settings, and the server is the judge.
    """
    message = reply.get("message") if isinstance(reply, dict) else None
    if isinstance(message, str) and message.strip():
        said = f"the server refused the settings: {quote(message)}"
    elif isinstance(reply, dict):
        said = "the server refused the settings and gave no reason"
    else:
        said = f"the server refused the settings: {quote(json.dumps(reply))}"
    for direction, kinds in _TOKEN_CONTROLS.items():
        on = [(kind, field) for kind, field in kinds if posted.get(field) is True]
        if len(on) < 2:
            continue
        kinds_on = [kind for kind, _ in on]
        if kinds_on[0] == "JWT":  # JWT stays only when every other kind goes
            advice = (
                f"turn {' and '.join(kinds_on[1:])} off for {direction} in the server's web "
                f"panel, or turn {direction} JWT off"
            )
        else:
            advice = f"turn {' or '.join(kinds_on)} off for {direction} in the server's web panel"
        return (
            f"{app}: {said}. Ant Media Server (2.9 and later) saves at most one kind of token "
            f"control per direction, and {direction} has {' and '.join(kinds_on)} on "
            f"({', '.join(field for _, field in on)}): {advice}, then save again; nothing was "
            "written"
        )
    return f"{app}: {said}; nothing was written"


def fields_of(changes: Sequence[ScopeChange]) -> dict[str, Any]:
    """The settings fields that ``changes`` set, with their new values."""
    fields: dict[str, Any] = {}
    for change in changes:
        if isinstance(change, SetEnforcement):
            fields[ENFORCEMENT_FIELD[change.direction]] = change.enabled
        elif isinstance(change, SetKey):
            key = change.entry.key
            if not isinstance(key, SharedKey):
                raise RemoteError("Ant Media Server takes an HS256 shared secret only")
            fields[SECRET_FIELD] = key.secret.reveal()
    return fields
