"""``streamconsole serve``: the console in a browser, for whoever holds this run's token.

textual-serve runs the console behind a websocket with no authentication and no Origin
check, so any page open in the operator's browser (or any local user) could drive it. Here
every URL lives under a random per-run path segment, a request without it gets 403 before
any handler runs, and a websocket upgrade must come from the origin the page was served
from. The page names nothing absolute: its assets, and the websocket URL its script derives
from ``location``, are relative, so ``ssh -L 9000:127.0.0.1:8000`` works on any local port,
and nothing is fetched from the internet.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from pathlib import Path

from aiohttp import hdrs, web
from aiohttp.typedefs import Handler, Middleware
from textual_serve.server import Server
from yarl import URL

from streamconsole.core.text import inert

PAGE = Path(__file__).with_name("web.html")
TOKEN_BYTES = 32  # 256 bits
WEBSOCKET_ROUTE = "websocket"
FORBIDDEN = "forbidden: open the URL that 'streamconsole serve' printed"


def serve_console(command: str, *, host: str, port: int) -> None:
    """Serve ``command`` (the console) until interrupted; prints the URL to open."""
    TokenServer(command, host=host, port=port).serve()


class TokenServer(Server):
    """textual-serve's websocket bridge behind :func:`guard`, with a page of our own."""

    def __init__(self, command: str, *, host: str, port: int) -> None:
        super().__init__(command, host=host, port=port)
        self.token = secrets.token_urlsafe(TOKEN_BYTES)

    @property
    def url(self) -> URL:
        return URL.build(scheme="http", host=self.host, port=self.port, path=f"/{self.token}/")

    async def _make_app(self) -> web.Application:
        app = web.Application(middlewares=[guard(self.token)])
        # The guard is the gate (403, in constant time, for any path without the token);
        # the routes merely live under it. No download route: the console delivers no
        # files, and textual.js would build that URL from the origin alone, without the token.
        prefix = f"/{self.token}"
        app.add_routes(
            [
                web.get(f"{prefix}/", self.handle_page),
                web.get(f"{prefix}/ws", self.handle_websocket, name=WEBSOCKET_ROUTE),
                web.static(f"{prefix}/static", self.statics_path),
            ]
        )
        app.on_startup.append(self.on_startup)
        return app

    async def handle_page(self, request: web.Request) -> web.StreamResponse:
        # The URL is a credential: not sent on as a Referer, nothing cached under it.
        headers = {"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}
        return web.FileResponse(PAGE, headers=headers)

    async def on_startup(self, app: web.Application) -> None:
        # The only place the token is shown: the access log masks it (TokenMask).
        print(f"streamconsole serve: open {self.url} in a browser", flush=True)
        print(
            "(the token in that URL is this run's password: keep it private; Ctrl+C stops)",
            flush=True,
        )

    def initialize_logging(self) -> None:
        handler = logging.StreamHandler()
        handler.setFormatter(TokenMask(self.token))
        root = logging.getLogger()
        root.addHandler(handler)
        root.setLevel(logging.INFO)  # INFO: the access log


def guard(token: str) -> Middleware:
    """A middleware refusing every request whose first path segment is not ``token``, any
    request with a foreign ``Origin``, and a websocket upgrade without one."""
    expected = token.encode()

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        parts = request.rel_url.raw_parts  # ("/", token, ...)
        given = parts[1] if len(parts) > 1 else ""
        if not hmac.compare_digest(given.encode(), expected):
            raise web.HTTPForbidden(text=FORBIDDEN)
        origin = request.headers.get(hdrs.ORIGIN)
        if origin is None:
            if request.match_info.route.name == WEBSOCKET_ROUTE:
                raise web.HTTPForbidden(text=f"{FORBIDDEN} (no Origin)")
        elif not same_origin(origin, request):
            raise web.HTTPForbidden(text=f"{FORBIDDEN} (foreign Origin)")
        return await handler(request)

    return middleware


def same_origin(origin: str, request: web.Request) -> bool:
    """Whether ``origin`` is the one the request was sent to (as its Host header says)."""
    sent = origin_of(origin)
    return sent is not None and sent == origin_of(f"{request.scheme}://{request.host}")


def origin_of(text: str) -> tuple[str, str, int] | None:
    """Scheme, host and port of an origin (``http://host:port``, nothing more), else None."""
    try:
        url = URL(text)
    except ValueError:
        return None
    if (
        not url.absolute
        or url.host is None
        or url.port is None
        or url.user is not None
        or url.raw_path not in ("", "/")
        or url.raw_query_string
        or url.raw_fragment
    ):
        return None
    return url.scheme, url.host, url.port


class TokenMask(logging.Formatter):
    """Log lines with the token masked and made inert: the access log quotes request lines
    and headers, which come from whoever connects."""

    def __init__(self, token: str) -> None:
        super().__init__("%(name)s: %(message)s")
        self._token = token

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record).replace(self._token, "<token>")
        return "\n".join(inert(line) for line in text.splitlines())
