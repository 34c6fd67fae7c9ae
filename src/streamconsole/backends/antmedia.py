"""Ant Media Server (REST v2) as a source: applications, their settings and broadcasts.

Per the wire format (see shared/spec/antmedia.md): ``GET /rest/v2/applications``, the
whole settings object per application, broadcasts paged from the per-application API.
Writes are read–modify–write of the whole settings object: a field-level three-way merge
(:func:`merge_settings`) just before the POST, against what the operator's edits were made
on. Listing costs one request per application; broadcasts (aliases) are fetched on demand
with :meth:`AntMediaSource.load_aliases`.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import Callable, Generator, Mapping, Sequence
from functools import partial
from typing import Any

import httpx
import jwt

from streamconsole.backends.base import (
    AuthError,
    Closable,
    ConflictError,
    Problem,
    ReadOnlyError,
    RemoteError,
    Step,
    remote_status,
    run_steps,
)
from streamconsole.backends.credentials import split_pair
from streamconsole.backends.http import HttpClient, HttpSettings, excerpt, expect, tls_verify
from streamconsole.core.edits import Change, SetEnforcement, SetKey
from streamconsole.core.errors import KeyValidationError
from streamconsole.core.keys import ANTMEDIA_MIN_SECRET_CHARS, Algorithm, SharedKey, shared_key
from streamconsole.core.model import (
    Alias,
    Application,
    Config,
    ConsoleSettings,
    Direction,
    KeyEntry,
    KeyOrigin,
    ScopeSettings,
    ServerKind,
    ServerProfile,
)
from streamconsole.core.secret import Secret

BROADCAST_PAGE = 50
_ENFORCEMENT_FIELD = {
    Direction.PUBLISH: "publishJwtControlEnabled",
    Direction.PLAY: "playJwtControlEnabled",
}
_ONE_TIME_FIELD = {
    Direction.PUBLISH: "publishTokenControlEnabled",
    Direction.PLAY: "playTokenControlEnabled",
}
SECRET_FIELD = "jwtStreamSecretKey"
# The kinds of token control of which Ant Media Server (since 2.9.0) lets a direction have at
# most one on, as the operator knows them; JWT first. Hash control is not counted.
_TOKEN_CONTROLS = {
    Direction.PUBLISH: (
        ("JWT", _ENFORCEMENT_FIELD[Direction.PUBLISH]),
        ("one-time tokens", _ONE_TIME_FIELD[Direction.PUBLISH]),
        ("TOTP one-time passwords", "enableTimeTokenForPublish"),
    ),
    Direction.PLAY: (
        ("JWT", _ENFORCEMENT_FIELD[Direction.PLAY]),
        ("one-time tokens", _ONE_TIME_FIELD[Direction.PLAY]),
        ("TOTP one-time passwords", "enableTimeTokenForPlay"),
    ),
}


class _ProxyAuthorization(httpx.Auth):
    """A short-lived HS256 JWT signed with the server's ``jwtServerSecretKey``."""

    def __init__(self, server_secret: Secret, clock: Callable[[], float]) -> None:
        self._secret = server_secret
        self._clock = clock

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        claims = {"exp": int(self._clock()) + 300, "sub": "streamconsole"}
        token = jwt.encode(claims, self._secret.reveal_bytes(), algorithm="HS256")
        request.headers["ProxyAuthorization"] = token
        yield request


def _is_secret_field(name: str) -> bool:
    return "secret" in name.lower() or "password" in name.lower()


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


def _refusal(app: str, reply: object, posted: Mapping[str, Any]) -> str:
    """Why the server refused to save ``posted``, in words that say what to do.

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
        said = f"the server refused the settings: {excerpt(message)}"
    elif isinstance(reply, dict):
        said = "the server refused the settings and gave no reason"
    else:
        said = f"the server refused the settings: {excerpt(json.dumps(reply))}"
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


def _fields_of(changes: Sequence[Change]) -> dict[str, Any]:
    """The settings fields that ``changes`` set, with their new values."""
    fields: dict[str, Any] = {}
    for change in changes:
        if isinstance(change, SetEnforcement):
            fields[_ENFORCEMENT_FIELD[change.direction]] = change.enabled
        elif isinstance(change, SetKey):
            key = change.entry.key
            if not isinstance(key, SharedKey):
                raise RemoteError("Ant Media Server takes an HS256 shared secret only")
            fields[SECRET_FIELD] = key.secret.reveal()
    return fields


class AntMediaSource(Closable):
    kind = ServerKind.ANTMEDIA

    def __init__(
        self,
        profile: ServerProfile,
        credentials: Secret,
        *,
        read_only: bool = False,
        settings: HttpSettings | None = None,
        clock: Callable[[], float] = time.time,
        console: ConsoleSettings | None = None,
    ) -> None:
        self.profile = profile
        self._read_only = read_only or profile.read_only
        self._credentials = credentials
        self._clock = clock
        auth = None
        if profile.auth == "proxy-jwt":
            auth = _ProxyAuthorization(credentials, clock)
            self.user = "proxy-jwt"
        else:
            self.user, _ = split_pair(credentials, "email:password")
        self.http = HttpClient(
            profile.url,
            verify=tls_verify(profile.ca_file, profile.base_dir),
            auth=auth,
            settings=settings,
        )
        self._logged_in = profile.auth == "proxy-jwt"
        self._refused: AuthError | None = None
        self._console = console or ConsoleSettings()
        self._login_lock = asyncio.Lock()
        self._seen: dict[str, dict[str, Any]] = {}
        self.warnings: tuple[Problem, ...] = ()

    @property
    def name(self) -> str:
        return self.profile.name

    @property
    def status(self) -> str:
        return remote_status(self.profile.name, self.user, self.http.last_latency)

    @property
    def read_only(self) -> bool:
        return self._read_only

    async def aclose(self) -> None:
        await self.http.aclose()

    # --- authentication -------------------------------------------------------------------

    async def _login(self) -> None:
        async with self._login_lock:
            if self._logged_in:
                return
            if self._refused is not None:
                # Never again with these credentials: two failed logins lock the account
                # for five minutes, and requests already under way would each try.
                raise AuthError(str(self._refused), status=self._refused.status)
            email, password = split_pair(self._credentials, "email:password")
            digest = hashlib.md5(password.reveal_bytes(), usedforsecurity=False).hexdigest()
            try:
                reply = await self.http.request(
                    "POST",
                    "/rest/v2/users/authenticate",
                    json_body={"email": email, "password": digest},
                    idempotent=False,
                )
            except AuthError as error:
                self._refused = error
                raise
            if not isinstance(reply, dict) or reply.get("success") is not True:
                message = reply.get("message") if isinstance(reply, dict) else None
                self._refused = AuthError(
                    f"login as {email} refused ({message or 'no reason given'}); not retrying: "
                    "two failed logins lock the account for 5 minutes"
                )
                raise self._refused
            self._logged_in = True

    async def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        await self._login()
        try:
            return await self.http.request(method, path, **kwargs)
        except AuthError:
            if self.profile.auth == "proxy-jwt":
                raise
            # The session may have expired: log in again once (a fresh login, not a retry
            # of a failed one), then give up.
            self._logged_in = False
            await self._login()
            return await self.http.request(method, path, **kwargs)

    # --- reading --------------------------------------------------------------------------

    async def load(self) -> Config:
        reply = await self._call("GET", "/rest/v2/applications")
        names = expect(expect(reply, dict, "the reply").get("applications"), list, "applications")
        if not all(isinstance(n, str) for n in names):
            raise RemoteError("unexpected reply: application names should be strings")
        warnings: list[Problem] = []
        apps = await asyncio.gather(*(self._load_application(n, warnings) for n in names))
        self.warnings = tuple(warnings)
        return Config(applications={app.name: app for app in apps}, settings=self._console)

    async def _read_settings(self, name: str) -> dict[str, Any]:
        reply = await self._call("GET", f"/rest/v2/applications/settings/{name}")
        settings: dict[str, Any] = expect(reply, dict, f"the settings of {name}")
        return settings

    async def _load_application(self, name: str, warnings: list[Problem]) -> Application:
        try:
            settings = await self._read_settings(name)
        except AuthError:
            raise
        except RemoteError as error:
            return Application(name, ServerKind.ANTMEDIA, problem=str(error), aliases_loaded=False)
        self._seen[name] = settings
        app = Application(name, ServerKind.ANTMEDIA, aliases_loaded=False)
        app.settings = ScopeSettings(
            publish=settings.get(_ENFORCEMENT_FIELD[Direction.PUBLISH]) is True,
            play=settings.get(_ENFORCEMENT_FIELD[Direction.PLAY]) is True,
            key=self._remote_key(name, settings.get(SECRET_FIELD), warnings),
        )
        app.one_time_token = frozenset(
            d for d, field in _ONE_TIME_FIELD.items() if settings.get(field) is True
        )
        return app

    def _remote_key(self, app: str, secret: object, warnings: list[Problem]) -> KeyEntry | None:
        if not isinstance(secret, str) or not secret:
            return None
        try:
            key = shared_key(Algorithm.HS256, secret, min_chars=ANTMEDIA_MIN_SECRET_CHARS)
        except KeyValidationError as error:
            # The server holds it, so show it; but say plainly that it is weak.
            warnings.append(Problem(f"the server's stream secret is weak: {error}", app))
            key = SharedKey(Algorithm.HS256, Secret(secret))
        return KeyEntry(key, KeyOrigin.REMOTE, location=f"{self.name}:{app}")

    async def load_aliases(self, app: Application) -> None:
        """Fetch the application's broadcasts (paged) as its aliases."""
        aliases: dict[str, Alias] = {}
        offset = 0
        while True:
            page = await self._call(
                "GET", f"/{app.name}/rest/v2/broadcasts/list/{offset}/{BROADCAST_PAGE}"
            )
            for item in expect(page, list, f"the broadcasts of {app.name}"):
                if isinstance(item, dict) and isinstance(item.get("streamId"), str):
                    stream = item["streamId"]
                    name = item.get("name")
                    label = name if isinstance(name, str) and name != stream else ""
                    aliases[stream] = Alias(stream, label)
            if len(page) < BROADCAST_PAGE:
                break
            offset += BROADCAST_PAGE
        app.aliases = aliases
        app.aliases_loaded = True

    # --- writing --------------------------------------------------------------------------

    async def apply(self, changes: Sequence[Change]) -> None:
        if self._read_only:
            raise ReadOnlyError(f"{self.name} is read-only; nothing was written")
        by_app: dict[str, list[Change]] = {}
        for change in changes:
            by_app.setdefault(change.scope.application, []).append(change)
        await run_steps(
            [
                Step(app, partial(self._apply_to, app, app_changes))
                for app, app_changes in by_app.items()
            ]
        )

    async def _apply_to(self, app: str, changes: Sequence[Change]) -> None:
        ours = _fields_of(changes)
        current = await self._read_settings(app)
        # Never loaded (its settings could not be read then): nothing to merge against.
        seen = self._seen.get(app, current)
        try:
            merged = merge_settings(app, seen, current, ours)
        except ConflictError:
            # The operator is shown the server's values now: the same edit, asked for again,
            # goes through.
            self._seen[app] = current
            raise
        reply = await self._call(
            "POST", f"/rest/v2/applications/settings/{app}", json_body=merged, idempotent=False
        )
        if not isinstance(reply, dict) or reply.get("success") is not True:
            raise RemoteError(_refusal(app, reply, merged))
        self._seen[app] = await self._read_back(app, merged)
        for change in changes:
            if isinstance(change, SetKey):
                change.entry.origin = KeyOrigin.REMOTE
                change.entry.location = f"{self.name}:{app}"

    async def _read_back(self, app: str, posted: dict[str, Any]) -> dict[str, Any]:
        """The baseline for the next save after our own: the object as the server now holds
        it, since the server stamps ``updateTime`` and may adjust other fields it keeps.

        The write has landed, so a failed read must not fail the save: what we posted then
        stands in, which holds every field we changed (the only ones a merge compares).
        """
        try:
            return await self._read_settings(app)
        except RemoteError:
            return posted

    # --- server-issued tokens -------------------------------------------------------------

    async def issue_token(self, app: str, stream: str, direction: Direction, expires: int) -> str:
        """A token issued by the server itself, to compare with a locally signed one."""
        reply = await self._call(
            "GET",
            f"/{app}/rest/v2/broadcasts/{stream}/jwt-token",
            params={"expireDate": expires, "type": str(direction)},
            idempotent=False,
        )
        token = expect(reply, dict, "the jwt-token reply").get("tokenId")
        return str(expect(token, str, "tokenId"))
