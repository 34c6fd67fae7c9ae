"""Ant Media Server state kept in memory: applications, broadcasts, users, sessions.

Tests read and set it directly (``emulator.state``) from their own thread; every method that
changes more than one thing takes the lock, since the server thread reads concurrently.
"""

from __future__ import annotations

import copy
import hashlib
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from .hostile_names import hostile, hostile_segment
from .jwscheck import Clock, claims_if_signed, times_ok

MIN_STREAM_SECRET_CHARS = 32
LOCKOUT_FAILURES = 2
LOCKOUT_SECONDS = 300.0
BROADCAST_PAGE_MAX = 50
DIRECTIONS = ("publish", "play")
# The vendor's own example secret from its JWT stream security guide.
VENDOR_EXAMPLE_SECRET = "zautXStXM9iW3aD3FuyPH0TdK4GHPmHq"


def md5_hex(password: str) -> str:
    """How the web panel sends passwords to ``/users/authenticate``."""
    return hashlib.md5(password.encode("utf-8"), usedforsecurity=False).hexdigest()


def default_settings() -> dict[str, Any]:
    """A realistic AppSettings object with its defaults (a fresh copy every call)."""
    return {
        "mp4MuxingEnabled": False,
        "webMEnabled": False,
        "hlsMuxingEnabled": True,
        "dashMuxingEnabled": False,
        "hlsListSize": "15",
        "hlsTime": "2",
        "webRTCEnabled": True,
        "deleteHLSFilesOnEnded": True,
        "acceptOnlyStreamsInDataStore": False,
        "encoderSettings": [
            {"height": 720, "videoBitrate": 2000000, "audioBitrate": 128000, "forceEncode": True}
        ],
        "publishTokenControlEnabled": False,
        "playTokenControlEnabled": False,
        "timeTokenSubscriberOnly": False,
        "enableTimeTokenForPublish": False,
        "enableTimeTokenForPlay": False,
        "hashControlPublishEnabled": False,
        "hashControlPlayEnabled": False,
        "tokenHashSecret": "",
        "jwtControlEnabled": False,
        "jwtSecretKey": "",
        "jwksURL": None,
        "publishJwtControlEnabled": False,
        "playJwtControlEnabled": False,
        "jwtStreamSecretKey": "",
        "ipFilterEnabled": True,
        "remoteAllowedCIDR": "127.0.0.1",
        "allowedPublisherCIDR": "",
        "listenerHookURL": "",
        "webhookAuthenticateURL": "",
        "vodFolder": "",
        "h264Enabled": True,
        "h265Enabled": False,
        "vp8Enabled": False,
        "dataChannelEnabled": True,
        "maxResolutionAccept": 0,
        "s3RecordingEnabled": False,
        "updateTime": 0,
    }


_BOOL_FIELDS = frozenset(k for k, v in default_settings().items() if isinstance(v, bool))
_STRING_FIELDS = frozenset(k for k, v in default_settings().items() if isinstance(v, str))
# The kinds of token control of each direction, of which the server lets at most one be on
# (one-time tokens, JWT, TOTP "time tokens"); hash control is not counted.
TOKEN_CONTROLS = {
    "publish": (
        "publishTokenControlEnabled",
        "publishJwtControlEnabled",
        "enableTimeTokenForPublish",
    ),
    "play": ("playTokenControlEnabled", "playJwtControlEnabled", "enableTimeTokenForPlay"),
}
# The floors the server puts under two HLS fields (strings holding integers) before it saves.
HLS_FLOORS = {"hlsListSize": 5, "hlsTime": 1}


class SettingsRefused(ValueError):
    """A settings POST the server answers with an error: ``status``, and its reply body."""

    def __init__(self, status: int, body: dict[str, Any] | str) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status
        self.body = body


def result(success: bool) -> dict[str, Any]:
    """The server's ``Result`` object as Gson writes it: ``new Result(success)`` leaves the
    message and dataId empty, so a refused save gives no reason."""
    return {"success": success, "message": "", "dataId": "", "errorId": 0}


def validated_settings(settings: object) -> dict[str, Any]:
    """The settings object an accepted POST stores, or SettingsRefused with the reply.

    Shape errors are what the JSON binding refuses (400, our own choice of message). The
    rest is Ant Media's own ``AntMediaApplicationAdapter.updateSettings`` (called from
    ``CommonRestService.changeSettings`` behind ``RestServiceV2.changeSettings``; source:
    ant-media/Ant-Media-Server, ``src/main/java/io/antmedia/AntMediaApplicationAdapter.java``):

    * ``isEncoderSettingsValid``: an encoder setting with ``height`` ≤ 0 fails the save;
    * ``isTokenSecuritySettingsValid`` (since 2.9.0, issue #6042): more than one kind of
      token control on for one direction (:data:`TOKEN_CONTROLS`) fails the save;
    * a failed save is ``new Result(false)``: HTTP 200, ``success: false``, an empty message;
    * then ``hlsListSize`` below 5 (or null) becomes "5" and ``hlsTime`` below 1 (or null)
      becomes "1"; ``Integer.valueOf`` on any other text throws, which the container
      answers 500;
    * ``updateAppSettingsBean`` copies every field of the posted object, and the posted
      object is a fresh ``AppSettings``: a field the body leaves out is saved with its
      default (:func:`default_settings`), not kept.

    There is no check of ``jwtStreamSecretKey`` here: a short secret is saved, and only
    issuing a token with it fails (``RestServiceBase.getJwtToken``).
    """
    if not isinstance(settings, dict):
        raise SettingsRefused(400, "settings must be a JSON object")
    for name in sorted(_BOOL_FIELDS & settings.keys()):
        if not isinstance(settings[name], bool):
            raise SettingsRefused(400, f"{name} must be true or false")
    for name in sorted(_STRING_FIELDS & settings.keys()):
        if settings[name] is not None and not isinstance(settings[name], str):
            raise SettingsRefused(400, f"{name} must be a string")
    encoders = settings.get("encoderSettings") or []
    if any(isinstance(e, dict) and _number(e.get("height")) <= 0 for e in encoders):
        raise SettingsRefused(200, result(False))
    for fields in TOKEN_CONTROLS.values():
        if sum(settings.get(name) is True for name in fields) > 1:
            raise SettingsRefused(200, result(False))
    stored = default_settings() | copy.deepcopy(settings)
    for name, floor in HLS_FLOORS.items():
        value = stored.get(name)
        try:
            number = floor if value is None else int(value)
        except (TypeError, ValueError):
            raise SettingsRefused(500, _SERVLET_500) from None
        stored[name] = str(max(number, floor))
    return stored


def _number(value: object) -> float:
    return value if isinstance(value, int | float) and not isinstance(value, bool) else 0


_SERVLET_500 = (
    '<!doctype html><html lang="en"><head><title>HTTP Status 500 – Internal Server Error'
    "</title></head><body><h1>HTTP Status 500 – Internal Server Error</h1></body></html>"
)


def broadcast(stream_id: str, *, name: str = "", status: str = "created") -> dict[str, Any]:
    return {
        "streamId": stream_id,
        "name": name or stream_id,
        "status": status,
        "type": "liveStream",
        "publishType": "RTMP",
        "date": 1767225600000,
        "hlsViewerCount": 0,
        "webRTCViewerCount": 0,
        "rtmpViewerCount": 0,
        "description": None,
    }


@dataclass
class AntApplication:
    name: str
    settings: dict[str, Any] = field(default_factory=default_settings)
    broadcasts: list[dict[str, Any]] = field(default_factory=list)
    # Every settings object accepted by POST, newest last (for tests checking what was sent).
    posted: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class User:
    email: str
    password_md5: str
    user_type: str = "ADMIN"  # or "READ_ONLY": may read, may not change settings


@dataclass
class _Failures:
    count: int = 0
    locked_until: float = 0.0


class AntMediaState:
    """Everything the emulated Ant Media Server knows. ``clock`` is unix seconds."""

    def __init__(self, clock: Clock = time.time) -> None:
        self.lock = threading.RLock()
        self.clock = clock
        self.applications: dict[str, AntApplication] = {}
        self.users: dict[str, User] = {}
        self.sessions: dict[str, str] = {}  # JSESSIONID -> email
        self.jwt_server_control_enabled = True
        self.jwt_server_secret_key = ""
        self.unauthenticated_status = 401
        self._failures: dict[str, _Failures] = {}
        # Ant Media issue 7254 (reported on 2.13.2 and 2.14.0, open): once a play request's
        # JWT passed, the session (JSESSIONID) plays that stream without a token. Off by
        # default (not reproduced on 2.15); tests that model an affected server turn it on.
        self.remembers_play_sessions = False
        self.play_sessions: dict[str, set[tuple[str, str]]] = {}  # JSESSIONID -> (app, stream)

    # --- applications and broadcasts -------------------------------------------------------

    def add_application(self, name: str, **changes: Any) -> AntApplication:
        """An application whose settings are set as its properties file would: unchecked."""
        app = AntApplication(name)
        app.settings.update(changes)
        self.applications[name] = app
        return app

    def settings(self, app: str) -> dict[str, Any]:
        """A deep copy of an application's settings (KeyError if unknown)."""
        return copy.deepcopy(self.applications[app].settings)

    def replace_settings(self, app: str, posted: dict[str, Any]) -> None:
        """What a POST does: validate and normalise (SettingsRefused), then the whole object
        replaces the old one, stamped."""
        stored = validated_settings(posted)
        with self.lock:
            application = self.applications[app]
            application.posted.append(copy.deepcopy(posted))
            last = application.settings.get("updateTime")
            application.settings = stored
            self._stamp(application, last)

    def update_settings(self, app: str, **changes: Any) -> None:
        """Change some fields directly (no validation), as another admin's save would: the
        server stamps that save too."""
        with self.lock:
            application = self.applications[app]
            last = application.settings.get("updateTime")
            application.settings.update(copy.deepcopy(changes))
            self._stamp(application, last)

    def _stamp(self, application: AntApplication, last: object) -> None:
        """Stamp ``updateTime`` (epoch ms) as the server does on every accepted save.

        Ant Media's ``RestServiceV2.changeSettings`` calls ``AntMediaApplicationAdapter.
        updateSettings(newSettings, true, false)``, whose ``updateAppSettingsBean`` copies the
        posted fields and then sets ``updateTime`` to ``System.currentTimeMillis()`` (source:
        ant-media/Ant-Media-Server, AntMediaApplicationAdapter.java). The posted value is
        ignored. Two saves in the same millisecond would share a stamp there; here each one
        moves it on, so a client that takes its own write for someone else's always shows.
        """
        stamp = int(self.clock() * 1000)
        if isinstance(last, int) and stamp <= last:
            stamp = last + 1
        application.settings["updateTime"] = stamp

    def add_broadcasts(self, app: str, stream_ids: list[str], *, status: str = "created") -> None:
        self.applications[app].broadcasts.extend(broadcast(s, status=status) for s in stream_ids)

    def seed(self, applications: int, broadcasts: int, *, prefix: str = "App") -> None:
        """Replace all applications with ``applications`` generated ones, cheaply.

        Every third application has play JWT control on with a valid secret, every fifth
        also publish, so a benchmark sees a mix of policies.
        """
        width = len(str(max(applications - 1, 0)))
        apps: dict[str, AntApplication] = {}
        for i in range(applications):
            name = f"{prefix}{i:0{width}d}"
            app = AntApplication(name)
            if i % 3 == 0:
                app.settings["playJwtControlEnabled"] = True
                app.settings["publishJwtControlEnabled"] = i % 5 == 0
                app.settings["jwtStreamSecretKey"] = f"{name}-secret-".ljust(40, "x")
            app.broadcasts = [broadcast(f"{name}-stream{j}") for j in range(broadcasts)]
            apps[name] = app
        with self.lock:
            self.applications = apps

    # --- users, sessions, lockout ----------------------------------------------------------

    def add_user(self, email: str, password: str, *, user_type: str = "ADMIN") -> User:
        user = User(email, md5_hex(password), user_type)
        self.users[email] = user
        return user

    def locked(self, email: str) -> bool:
        failures = self._failures.get(email)
        return failures is not None and failures.locked_until > self.clock()

    def authenticate(self, email: str, password_md5: str) -> tuple[str | None, str]:
        """(new session id or None, message). Two failures lock the account for 300 s."""
        with self.lock:
            if self.locked(email):
                return None, f"User is blocked for {int(LOCKOUT_SECONDS)} seconds"
            user = self.users.get(email)
            if user is None or not secrets.compare_digest(user.password_md5, password_md5):
                failures = self._failures.setdefault(email, _Failures())
                failures.count += 1
                if failures.count >= LOCKOUT_FAILURES:
                    failures.count = 0
                    failures.locked_until = self.clock() + LOCKOUT_SECONDS
                return None, "Invalid email or password"
            self._failures.pop(email, None)
            session = secrets.token_hex(16)
            self.sessions[session] = email
            return session, ""

    def proxy_token_ok(self, token: str) -> bool:
        """A ProxyAuthorization JWT: HS256 with ``jwtServerSecretKey``; ``exp`` honoured."""
        if not (self.jwt_server_control_enabled and self.jwt_server_secret_key):
            return False
        key = self.jwt_server_secret_key.encode("utf-8")
        claims = claims_if_signed(token, ("HS256",), (key,))
        return claims is not None and times_ok(claims, self.clock(), require_exp=False)

    # --- stream tokens ---------------------------------------------------------------------

    def verify_stream_token(self, app: str, stream_id: str, direction: str, token: str) -> bool:
        """Whether ``token`` is a valid ``direction`` token for ``stream_id`` in ``app``.

        HS256 with the app's ``jwtStreamSecretKey`` (UTF-8), ``streamId`` and ``type`` must
        match, ``exp`` required. Says nothing about whether the server asks for a token:
        see :meth:`admits`.
        """
        application = self.applications.get(app)
        if application is None or direction not in DIRECTIONS:
            return False
        secret = application.settings.get("jwtStreamSecretKey") or ""
        if not isinstance(secret, str) or not secret:
            return False
        claims = claims_if_signed(token, ("HS256",), (secret.encode("utf-8"),))
        return (
            claims is not None
            and claims.get("streamId") == stream_id
            and claims.get("type") == direction
            and times_ok(claims, self.clock(), require_exp=True)
        )

    def admits(self, app: str, stream_id: str, direction: str, token: str | None) -> bool:
        """Whether the server lets this publish/play through: the token matters only when
        the application's JWT switch for ``direction`` is on."""
        application = self.applications[app]
        if not application.settings.get(f"{direction}JwtControlEnabled"):
            return True
        return token is not None and self.verify_stream_token(app, stream_id, direction, token)

    def remember_play_session(self, app: str, stream_id: str) -> str | None:
        """The session a validated play request opens, where this server keeps one (7254)."""
        if not self.remembers_play_sessions:
            return None
        session = secrets.token_hex(16)
        with self.lock:
            self.play_sessions.setdefault(session, set()).add((app, stream_id))
        return session

    def play_session_admits(self, session: str | None, app: str, stream_id: str) -> bool:
        """Whether ``session`` plays ``stream_id`` without a token (issue 7254)."""
        return session is not None and (app, stream_id) in self.play_sessions.get(session, ())


# --- demo data -------------------------------------------------------------------------------

ADMIN_EMAIL = "admin@example.com"
ADMIN_PASSWORD = "demo-admin-password"
READ_ONLY_EMAIL = "viewer@example.com"
READ_ONLY_PASSWORD = "demo-viewer-password"
SERVER_SECRET = "demo-jwt-server-secret-key-0123456789"


def demo_state(clock: Clock = time.time) -> AntMediaState:
    """Three applications covering the interesting cases, two users, a server JWT secret."""
    state = AntMediaState(clock)
    state.add_user(ADMIN_EMAIL, ADMIN_PASSWORD)
    state.add_user(READ_ONLY_EMAIL, READ_ONLY_PASSWORD, user_type="READ_ONLY")
    state.jwt_server_secret_key = SERVER_SECRET
    state.add_application(
        "LiveApp",
        publishJwtControlEnabled=True,
        jwtStreamSecretKey=VENDOR_EXAMPLE_SECRET,
        # Unrelated fields set away from their defaults, so a lost field shows.
        jwtControlEnabled=True,
        jwtSecretKey="rest-api-secret-not-for-streams-000000",
        remoteAllowedCIDR="127.0.0.1,10.0.0.0/8",
    )
    state.add_broadcasts("LiveApp", ["stream1", "stream2", "lobby-camera"], status="broadcasting")
    state.add_broadcasts("LiveApp", [f"event{i:03d}" for i in range(117)])
    state.add_application(
        "WebRTCAppEE",
        publishJwtControlEnabled=True,
        playJwtControlEnabled=True,
        # One-time tokens beside play JWT: a state the server's REST API refuses to save
        # since 2.9.0, but holds when its settings come from red5-web.properties (written
        # by hand, or by a server before 2.9.0): the application starts with them unchecked.
        # So every save of this application is refused until one of the two is off.
        playTokenControlEnabled=True,
        jwtStreamSecretKey="webrtc-demo-stream-secret-abcdefghijkl",
        jwksURL="https://idp.example.com/.well-known/jwks.json",
    )
    state.add_broadcasts("WebRTCAppEE", ["room-101", "room-102", "town-hall"])
    state.add_application("VodApp", ipFilterEnabled=False)
    return state


HOSTILE_APP = hostile_segment("Evil")
HOSTILE_STREAM = hostile_segment("cam")
REFUSED_STREAM = hostile("bad")  # holds control characters: the client leaves it out
HOSTILE_SECRET = "hostile-demo-stream-secret-0123456789"


def hostile_state(clock: Clock = time.time) -> AntMediaState:
    """The demo state and one more application whose name and streams carry terminal
    controls and markup (``hostile_names``): one stream the client can name (its label
    holds every payload), and one whose id it must refuse. The application has a key and
    play JWT off."""
    state = demo_state(clock)
    app = state.add_application(HOSTILE_APP, jwtStreamSecretKey=HOSTILE_SECRET)
    app.broadcasts.append(broadcast(HOSTILE_STREAM, name=hostile("Camera ")))
    app.broadcasts.append(broadcast(REFUSED_STREAM))
    return state
