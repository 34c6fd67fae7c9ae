"""Ant Media Server REST API emulator (management ``/rest/v2`` + per-application API).

Run by hand: ``python -m tests.emulators.antmedia --port 5080``.

Choices where the vendor's behaviour is not pinned down (see the spec):

* An accepted ``POST /applications/settings/{app}`` stamps ``updateTime`` (epoch ms) on the
  stored object, as the server does (see ``AntMediaState.replace_settings``).
* ``POST /applications/settings/{app}`` validates and normalises as the server does (see
  ``antmedia_state.validated_settings``, which cites the source): a refused save answers 200
  with ``{"success": false, "message": ""}`` (no reason given). Bodies that are not a JSON
  object, or fields of the wrong type, answer 400 with a message (our choice).
* Missing credentials answer ``state.unauthenticated_status`` (401); a bad session or
  ``ProxyAuthorization`` token and a read-only user writing answer 403.
* The per-application API requires the same login as the management API, and an unknown
  application there gets the servlet container's HTML 404 page.
* ``GET /{app}/streams/{stream}.m3u8`` is the players' HLS endpoint behind the stream
  filter: with play JWT on, 403 without a valid token before the stream is looked for;
  then 404 for an unknown stream, 200 for a known one. Issue 7254's session pass (a
  validated request's JSESSIONID plays on without a token) is there when
  ``state.remembers_play_sessions`` is on. ``deliveries`` keeps each request whole.
* A path holding an encoded slash (``%2F``) gets Tomcat's HTML 400 page before any route
  sees it: Tomcat's connector rejects one by default (``encodedSolidusHandling="reject"``).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any

import jwt
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from .antmedia_state import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    BROADCAST_PAGE_MAX,
    DIRECTIONS,
    MIN_STREAM_SECRET_CHARS,
    READ_ONLY_EMAIL,
    READ_ONLY_PASSWORD,
    AntMediaState,
    SettingsRefused,
    demo_state,
    md5_hex,
    result,
)
from .delivery import Delivery
from .server import Emulator, cli_port, serve_forever

SESSION_COOKIE = "JSESSIONID"
PROXY_HEADER = "ProxyAuthorization"
_TOMCAT_404 = (
    '<!doctype html><html lang="en"><head><title>HTTP Status 404 – Not Found</title></head>'
    "<body><h1>HTTP Status 404 – Not Found</h1></body></html>"
)
_TOMCAT_400 = (
    '<!doctype html><html lang="en"><head><title>HTTP Status 400 – Bad Request</title></head>'
    "<body><h1>HTTP Status 400 – Bad Request</h1></body></html>"
)


def _fail(status: int, message: str) -> JSONResponse:
    return JSONResponse({"success": False, "message": message}, status_code=status)


class AntMediaEmulator(Emulator[AntMediaState]):
    """The emulated server. ``admin_email``/``admin_password`` log in (the password as typed;
    the emulator expects its MD5 hex on the wire)."""

    admin_email = ADMIN_EMAIL
    admin_password = ADMIN_PASSWORD
    read_only_email = READ_ONLY_EMAIL
    read_only_password = READ_ONLY_PASSWORD

    def demo_state(self) -> AntMediaState:
        return demo_state()

    def app_of(self, path: str) -> str | None:
        parts = path.strip("/").split("/")
        if parts[:4] == ["rest", "v2", "applications", "settings"] and len(parts) == 5:
            return parts[4]
        if parts[0] and parts[0] != "rest":
            return parts[0]
        return None

    # --- test conveniences -----------------------------------------------------------------

    def edit_after_next_get(self, app: str, **changes: Any) -> None:
        """Another admin changes ``app``'s settings right after our next GET of them."""
        self.faults.after(
            f"/rest/v2/applications/settings/{app}",
            lambda: self.state.update_settings(app, **changes),
        )

    def proxy_token(self, *, exp: int | None = None, secret: str | None = None) -> str:
        """A ``ProxyAuthorization`` JWT signed with the server secret (or ``secret``)."""
        claims: dict[str, Any] = {"sub": "streamconsole-tests"}
        if exp is not None:
            claims["exp"] = exp
        key = self.state.jwt_server_secret_key if secret is None else secret
        return jwt.encode(claims, key, algorithm="HS256")

    # --- HTTP ------------------------------------------------------------------------------

    def routes(self) -> ASGIApp:
        return _RejectEncodedSlash(self._routes())

    def _routes(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/rest/v2/users/authenticate", self._login, methods=["POST"]),
                Route("/rest/v2/applications", self._applications, methods=["GET"]),
                Route(
                    "/rest/v2/applications/settings/{app}",
                    self._settings,
                    methods=["GET", "POST"],
                ),
                Route(
                    "/{app}/rest/v2/broadcasts/list/{offset:int}/{size:int}",
                    self._broadcasts,
                    methods=["GET"],
                ),
                Route(
                    "/{app}/rest/v2/broadcasts/{stream_id}/jwt-token",
                    self._jwt_token,
                    methods=["GET"],
                ),
                Route("/{app}/streams/{stream_id}.m3u8", self._hls, methods=["GET"]),
            ]
        )

    def _user_type(self, request: Request) -> str | Response:
        """The caller's user type, or the refusal to send."""
        session = request.cookies.get(SESSION_COOKIE)
        proxy = request.headers.get(PROXY_HEADER)
        if session is None and proxy is None:
            return _fail(self.state.unauthenticated_status, "Not authenticated")
        if session is not None:
            email = self.state.sessions.get(session)
            user = self.state.users.get(email) if email else None
            if user is not None:
                return user.user_type
        if proxy is not None and self.state.proxy_token_ok(proxy):
            return "ADMIN"
        return _fail(403, "Forbidden: invalid session or token")

    async def _login(self, request: Request) -> Response:
        try:
            body = json.loads(await request.body())
            email, password = body["email"], body["password"]
        except (ValueError, TypeError, KeyError):
            return _fail(400, 'expected {"email": ..., "password": ...}')
        if not isinstance(email, str) or not isinstance(password, str):
            return _fail(400, "email and password must be strings")
        session, message = self.state.authenticate(email, password)
        if session is None:
            return JSONResponse({"success": False, "message": message})
        response = JSONResponse({"success": True, "message": ""})
        response.set_cookie(SESSION_COOKIE, session, path="/", httponly=True)
        return response

    async def _applications(self, request: Request) -> Response:
        user_type = self._user_type(request)
        if isinstance(user_type, Response):
            return user_type
        return JSONResponse({"applications": list(self.state.applications)})

    async def _settings(self, request: Request) -> Response:
        user_type = self._user_type(request)
        if isinstance(user_type, Response):
            return user_type
        app: str = request.path_params["app"]
        if app not in self.state.applications:
            return _fail(404, f"Application {app} not found")
        if request.method == "GET":
            return JSONResponse(self.state.settings(app))
        if user_type == "READ_ONLY":
            return _fail(403, "Read-only users cannot change settings")
        try:
            settings = json.loads(await request.body())
        except ValueError:
            return _fail(400, "request body is not valid JSON")
        try:
            self.state.replace_settings(app, settings)
        except SettingsRefused as refused:
            if isinstance(refused.body, dict):
                return JSONResponse(refused.body, status_code=refused.status)
            if refused.status >= 500:
                return HTMLResponse(refused.body, status_code=refused.status)
            return _fail(refused.status, refused.body)
        return JSONResponse(result(True))

    def _app_or_404(self, request: Request) -> str | Response:
        app: str = request.path_params["app"]
        if app not in self.state.applications:
            return HTMLResponse(_TOMCAT_404, status_code=404)
        return app

    async def _broadcasts(self, request: Request) -> Response:
        app = self._app_or_404(request)
        if isinstance(app, Response):
            return app
        user_type = self._user_type(request)
        if isinstance(user_type, Response):
            return user_type
        offset: int = request.path_params["offset"]
        size = min(request.path_params["size"], BROADCAST_PAGE_MAX)
        page = self.state.applications[app].broadcasts[offset : offset + size]
        return JSONResponse(page)

    async def _jwt_token(self, request: Request) -> Response:
        app = self._app_or_404(request)
        if isinstance(app, Response):
            return app
        user_type = self._user_type(request)
        if isinstance(user_type, Response):
            return user_type
        stream_id: str = request.path_params["stream_id"]
        kind = request.query_params.get("type", "")
        try:
            expire = int(request.query_params.get("expireDate", ""))
        except ValueError:
            return _fail(400, "expireDate must be a unix time in seconds")
        if kind not in DIRECTIONS:
            return _fail(400, "type must be publish or play")
        secret = self.state.applications[app].settings.get("jwtStreamSecretKey") or ""
        if not isinstance(secret, str) or len(secret) < MIN_STREAM_SECRET_CHARS:
            # RestServiceBase.getJwtToken's words, answered 400 by getJwtTokenV2.
            return _fail(
                400,
                "Cannot create JWT token. The problem can be ->  this is community edition or "
                f"JWT stream key is not set or it's length is less than {MIN_STREAM_SECRET_CHARS}",
            )
        claims = {"streamId": stream_id, "type": kind, "exp": expire}
        token = jwt.encode(claims, secret, algorithm="HS256")
        return JSONResponse(
            {
                "tokenId": token,
                "streamId": stream_id,
                "expireDate": expire,
                "type": kind,
                "roomId": None,
            }
        )

    async def _hls(self, request: Request) -> Response:
        """A player's HLS request. Ant Media's stream filter (``TokenFilterManager``) runs
        before the servlet that serves files: with the application's play JWT switch on, a
        request without a valid token is refused 403 whether or not the stream exists; past
        the filter an unknown stream is the container's 404."""
        self.deliveries.append(Delivery.of(request))
        app = self._app_or_404(request)
        if isinstance(app, Response):
            return app
        stream_id: str = request.path_params["stream_id"]
        token = request.query_params.get("token")
        session = request.cookies.get(SESSION_COOKIE)
        if self.state.play_session_admits(session, app, stream_id):
            passed, new_session = True, None
        else:
            passed = self.state.admits(app, stream_id, "play", token)
            checked = token is not None and passed
            new_session = self.state.remember_play_session(app, stream_id) if checked else None
        if not passed:
            return Response("Invalid JWT Token", status_code=403, media_type="text/plain")
        streams = self.state.applications[app].broadcasts
        if not any(b["streamId"] == stream_id for b in streams):
            response: Response = HTMLResponse(_TOMCAT_404, status_code=404)
        else:
            playlist = f"#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n# {stream_id}\n"
            response = Response(playlist, media_type="application/vnd.apple.mpegurl")
        if new_session is not None:
            response.set_cookie(SESSION_COOKIE, new_session, path="/", httponly=True)
        return response


class _RejectEncodedSlash:
    """Tomcat's connector: a request path with ``%2F`` in it is answered 400, unrouted."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and b"%2f" in bytes(scope.get("raw_path") or b"").lower():
            await HTMLResponse(_TOMCAT_400, status_code=400)(scope, receive, send)
            return
        await self.app(scope, receive, send)


def main(argv: Sequence[str] | None = None) -> int:
    port = cli_port("Ant Media Server REST API emulator (demo data)", 5080, argv)
    emulator = AntMediaEmulator()
    url = f"http://127.0.0.1:{port}"
    print(
        f"Ant Media emulator on {url}\n"
        f"  log in:  POST {url}/rest/v2/users/authenticate\n"
        f"           email {emulator.admin_email}, password {emulator.admin_password!r}"
        f" (sent as MD5 hex {md5_hex(emulator.admin_password)})\n"
        f"  read-only user: {emulator.read_only_email} / {emulator.read_only_password!r}\n"
        f"  applications: {', '.join(emulator.state.applications)}\n"
        "  (demo credentials, loopback only)",
        file=sys.stderr,
    )
    serve_forever(emulator, port)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
