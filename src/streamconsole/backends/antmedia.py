"""Ant Media Server (REST v2) as a source: applications, their settings and broadcasts.

Per the wire format (see shared/spec/antmedia.md): ``GET /rest/v2/applications``, the
whole settings object per application, broadcasts paged from the per-application API.
Writes are read–modify–write of the whole settings object: a field-level three-way merge
(:func:`merge_settings`) just before the POST, against what the operator's edits were made
on. Listing costs one request, then one per application for its settings (the console
shows the names first and reads those in the background: :meth:`AntMediaSource.load_settings`);
broadcasts (aliases) are fetched on demand with :meth:`AntMediaSource.load_aliases`. Names
are URL path segments (:mod:`.wire_rules`): an application the server lists under a name
that cannot be one is kept with a problem, unread; a stream, left out with a warning.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import jwt

from streamconsole.backends.antmedia_settings import (
    ENFORCEMENT_FIELD,
    ONE_TIME_FIELD,
    SECRET_FIELD,
    fields_of,
    merge_settings,
    refusal,
    secret_values,
)
from streamconsole.backends.base import (
    AuthError,
    ConflictError,
    Problem,
    ReadOnlyError,
    RemoteError,
    scope_path,
)
from streamconsole.backends.credentials import split_pair
from streamconsole.backends.http import HttpSettings, expect, open_client
from streamconsole.backends.remote import ItemLimit, RemoteSource, Step, run_steps
from streamconsole.backends.wire_rules import check_name, name_refusal, segment
from streamconsole.core.edits import Change, ScopeChange, SetKey
from streamconsole.core.errors import KeyValidationError
from streamconsole.core.key_records import KeyEntry, KeyOrigin
from streamconsole.core.keys import (
    ANTMEDIA_MIN_SECRET_CHARS,
    Algorithm,
    SharedKey,
    guessable,
    shared_key,
)
from streamconsole.core.model import (
    Alias,
    Application,
    Config,
    ConsoleSettings,
    Direction,
    ScopeSettings,
    ServerKind,
    ServerProfile,
)
from streamconsole.core.secret import Secret
from streamconsole.core.text import inert

BROADCAST_PAGE = 50


class _ProxyAuthorization:
    """A short-lived HS256 JWT signed with the server's ``jwtServerSecretKey``, fresh for
    each request (an :data:`~.http_requests.Authenticate`)."""

    def __init__(self, server_secret: Secret, clock: Callable[[], float]) -> None:
        self._secret = server_secret
        self._clock = clock

    def __call__(self) -> tuple[str, str]:
        claims = {"exp": int(self._clock()) + 300, "sub": "streamconsole"}
        return "ProxyAuthorization", jwt.encode(
            claims, self._secret.reveal_bytes(), algorithm="HS256"
        )


def _md5_hex(password: Secret) -> str:
    """What the login sends for the password (so it is masked like the password)."""
    return hashlib.md5(password.reveal_bytes(), usedforsecurity=False).hexdigest()


class AntMediaSource(RemoteSource):
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
            secrets = [credentials.reveal()]
        else:
            self.user, password = split_pair(credentials, "email:password")
            secrets = [password.reveal(), _md5_hex(password)]
        self.http = open_client(profile, auth=auth, settings=settings, secrets=secrets)
        self._limit = ItemLimit(profile.name, profile.max_items)
        self._logged_in = profile.auth == "proxy-jwt"
        self._refused: AuthError | None = None
        self._console = console or ConsoleSettings()
        self._login_lock = asyncio.Lock()
        # Which login the session is: a request refused (401) on an older one needs no new
        # login, only a retry on the session another request's login brought; and the
        # newest that has answered a request (one that has not is not renewed).
        self._session = 0
        self._answered = 0
        self._seen: dict[str, dict[str, Any]] = {}
        self.warnings: tuple[Problem, ...] = ()

    # --- authentication -------------------------------------------------------------------

    async def _login(self) -> None:
        async with self._login_lock:
            await self._log_in()

    async def _log_in(self) -> None:
        """Log in unless logged in (under the login lock)."""
        if self._logged_in:
            return
        if self._refused is not None:
            # Never again with these credentials: two failed logins lock the account
            # for five minutes, and requests already under way would each try.
            raise AuthError(str(self._refused), status=self._refused.status)
        email, password = split_pair(self._credentials, "email:password")
        try:
            reply = await self.http.request(
                "POST",
                "/rest/v2/users/authenticate",
                json_body={"email": email, "password": _md5_hex(password)},
                idempotent=False,
            )
        except AuthError as error:
            self._refused = error
            raise
        if not isinstance(reply, dict) or reply.get("success") is not True:
            message = reply.get("message") if isinstance(reply, dict) else None
            reason = self.http.quote(message) if isinstance(message, str) else ""
            self._refused = AuthError(
                f"login as {inert(email, limit=80)} refused ({reason or 'no reason given'});"
                " not retrying: two failed logins lock the account for 5 minutes"
            )
            raise self._refused
        self._session += 1
        self._logged_in = True

    async def _renewed(self, refused: int) -> bool:
        """Whether a request refused on session ``refused`` may be sent again, on a newer
        one: logged in by the first request refused on it, which every other waits for (each
        request in flight would log in again). A session that has not answered a request is
        not renewed: refused from the start, it did not expire."""
        async with self._login_lock:
            if refused == self._session:
                if self._answered != refused:
                    return False
                self._logged_in = False
            await self._log_in()
        return True

    async def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        await self._login()
        session = self._session
        try:
            reply = await self.http.request(method, path, **kwargs)
        except AuthError:
            # The session may have expired: send it again once, on a fresh one.
            if self.profile.auth == "proxy-jwt" or not await self._renewed(session):
                raise
            session = self._session
            reply = await self.http.request(method, path, **kwargs)
        self._answered = max(self._answered, session)
        return reply

    # --- reading --------------------------------------------------------------------------

    async def load(self) -> Config:
        config = await self.list_applications()
        await asyncio.gather(*(self.load_settings(app) for app in config.applications.values()))
        return config

    async def list_applications(self) -> Config:
        """The applications by name, as the list call answers: their settings still to read
        (:meth:`load_settings`); a name that cannot be a URL path segment kept with a problem."""
        reply = await self._call("GET", "/rest/v2/applications")
        names = expect(expect(reply, dict, "the reply").get("applications"), list, "applications")
        self._limit.check(len(names), "GET /rest/v2/applications")
        if not all(isinstance(n, str) for n in names):
            raise RemoteError("unexpected reply: application names should be strings")
        self.warnings = ()
        apps = {
            name: Application(
                name,
                ServerKind.ANTMEDIA,
                problem=name_refusal(name, "application"),
                aliases_loaded=False,
                settings_loaded=False,
            )
            for name in names
        }
        return Config(applications=apps, settings=self._console)

    async def _read_settings(self, name: str) -> dict[str, Any]:
        path = f"/rest/v2/applications/settings/{segment(name, 'application')}"
        reply = await self._call("GET", path)
        if isinstance(reply, dict):  # the name is made inert only for a message
            return reply
        settings: dict[str, Any] = expect(reply, dict, f"the settings of {inert(name)}")
        return settings

    async def load_settings(self, app: Application) -> None:
        """Read ``app``'s settings into it; one that cannot be read gets ``app.problem``."""
        if app.problem:
            return
        try:
            settings = await self._read_settings(app.name)
        except AuthError:
            raise
        except RemoteError as error:
            app.problem = str(error)
            return
        self._seen[app.name] = settings
        app.delivery_url = self.profile.url  # Ant Media serves streams where it serves REST
        app.max_key_age = self._console.max_key_age
        warnings: list[Problem] = []
        app.settings = ScopeSettings(
            publish=settings.get(ENFORCEMENT_FIELD[Direction.PUBLISH]) is True,
            play=settings.get(ENFORCEMENT_FIELD[Direction.PLAY]) is True,
            key=self._remote_key(app.name, settings.get(SECRET_FIELD), warnings),
        )
        app.one_time_token = frozenset(
            d for d, field in ONE_TIME_FIELD.items() if settings.get(field) is True
        )
        app.settings_loaded = True
        self.warnings = (*self.warnings, *warnings)

    def _remote_key(self, app: str, secret: object, warnings: list[Problem]) -> KeyEntry | None:
        if not isinstance(secret, str) or not secret:
            return None
        # The server holds it, so show it; but say plainly when it is weak.
        try:
            key = shared_key(Algorithm.HS256, secret, min_chars=ANTMEDIA_MIN_SECRET_CHARS)
            weakness = guessable(key)
        except KeyValidationError as error:
            key, weakness = SharedKey(Algorithm.HS256, Secret(secret)), str(error)
        if weakness:
            warning = f"the server's stream secret is weak: {weakness}"
            warnings.append(Problem(warning, scope_path(app), warning=True))
        return KeyEntry(key, KeyOrigin.REMOTE, location=f"{self.name}:{app}")

    async def load_aliases(self, app: Application) -> None:
        """Fetch the application's broadcasts (paged) as its aliases; a stream whose id
        cannot be a URL path segment is left out, with a warning."""
        aliases: dict[str, Alias] = {}
        left_out: list[Problem] = []
        base = f"/{segment(app.name, 'application')}/rest/v2/broadcasts/list"
        offset = 0
        while True:
            page = await self._call("GET", f"{base}/{offset}/{BROADCAST_PAGE}")
            for item in expect(page, list, f"the broadcasts of {inert(app.name)}"):
                if isinstance(item, dict) and isinstance(item.get("streamId"), str):
                    stream = item["streamId"]
                    unusable = name_refusal(stream, "stream")
                    if unusable:
                        left_out.append(
                            Problem(f"{unusable}; left out", scope_path(app.name), warning=True)
                        )
                        continue
                    name = item.get("name")
                    label = name if isinstance(name, str) and name != stream else ""
                    aliases[stream] = Alias(stream, label)
            self._limit.check(offset + len(page), f"GET {base}")
            if len(page) < BROADCAST_PAGE:
                break
            offset += BROADCAST_PAGE
        app.aliases = aliases
        app.aliases_loaded = True
        self.warnings = (*self.warnings, *(w for w in left_out if w not in self.warnings))

    # --- writing --------------------------------------------------------------------------

    async def apply(self, changes: Sequence[Change]) -> None:
        if self._read_only:
            raise ReadOnlyError(f"{self.name} is read-only; nothing was written")
        by_app: dict[str, list[ScopeChange]] = {}
        for change in self.scope_changes(changes):
            by_app.setdefault(change.scope.application, []).append(change)
        for app in by_app:  # every name, before the first write
            check_name(app, "application")
        await run_steps(
            [
                Step(app, partial(self._apply_to, app, app_changes))
                for app, app_changes in by_app.items()
            ]
        )

    async def _apply_to(self, app: str, changes: Sequence[ScopeChange]) -> None:
        ours = fields_of(changes)
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
            "POST",
            f"/rest/v2/applications/settings/{segment(app, 'application')}",
            json_body=merged,
            idempotent=False,
            secrets=secret_values(merged),
        )
        if not isinstance(reply, dict) or reply.get("success") is not True:
            # It answered (200) with ``success: false``: a refusal, not a failure to retry.
            raise RemoteError(refusal(app, reply, merged, self.http.quote), status=200)
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
        path = f"/{segment(app, 'application')}/rest/v2/broadcasts/{segment(stream, 'stream')}"
        reply = await self._call(
            "GET",
            f"{path}/jwt-token",
            params={"expireDate": expires, "type": str(direction)},
            idempotent=False,
        )
        token = expect(reply, dict, "the jwt-token reply").get("tokenId")
        return str(expect(token, str, "tokenId"))
