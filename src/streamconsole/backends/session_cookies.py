"""The cookies one server has set (a login session), for every request to that server.

:mod:`http.cookiejar` decides for each request which cookies go with it (path, expiry,
domain, secure): measured, a twelfth of the client's CPU per request. Every request of one
:class:`~streamconsole.backends.http.HttpClient` goes to one host and scheme, so while each
cookie in the jar applies to every path (``Path=/``, as a login session's does) the header
is the same for all of them until a cookie expires or the server sets another: it is worked
out by the jar once, then reused. Any other path falls back to the jar on every request.
"""

from __future__ import annotations

import math
import time

import httpx


class SessionCookies:
    def __init__(self) -> None:
        self.jar = httpx.Cookies()
        self._header: str | None = None  # for every path, while it holds; None: ask the jar
        self._until = 0.0  # epoch seconds: the first cookie in it expires then

    def header(self, url: str) -> str | None:
        """The Cookie header of a request to ``url`` (None: no cookie goes with it)."""
        if self._header is not None and time.time() < self._until:
            return self._header
        if not self.jar:
            return None
        request = httpx.Request("GET", url)
        self.jar.set_cookie_header(request)
        cookies = list(self.jar.jar)
        header: str | None = request.headers.get("Cookie")
        if header is not None and all(c.path == "/" and c.port is None for c in cookies):
            self._header = header
            expiries = (c.expires for c in cookies if c.expires is not None)
            self._until = min(expiries, default=math.inf)
        return header

    def take_from(self, response: httpx.Response, request: httpx.Request) -> None:
        """Keeps what ``response`` (to ``request``) sets."""
        if "set-cookie" in response.headers:
            response.request = request
            self.jar.extract_cookies(response)
            self._header = None
