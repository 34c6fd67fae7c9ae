"""One HTTP client per server (httpcore connections), with the rules every remote backend
shares.

* keep-alive HTTP/1.1, a timeout on every call, at most the profile's ``concurrency``
  requests in flight (64 by default), each on a connection of its own (see HttpClient). At
  20 ms a request, 16 let the latency set a listing's time (1,000 settings reads in 1.25 s
  at best); 64 leave it to the client's CPU;
* a deadline on every attempt: a reply dripping in a byte at a time never trips a timeout;
* retries with jittered exponential back-off only for idempotent requests, and only on
  timeouts, connection errors, 429 and 5xx (``Retry-After`` honoured, capped);
* redirects are never followed, so credentials never reach another host;
* nothing is taken from the environment: no ``HTTP_PROXY`` (a proxy only where the profile
  names one), no ``SSL_CERT_FILE``/``SSL_CERT_DIR`` (the trust is the profile's ``ca_file``
  or the bundled roots), no ``.netrc``; plain http only to this machine (see
  :mod:`.wire_rules`);
* bodies are capped (8 MiB) and parsed as JSON with a clear error when they are not;
* error messages quote a short, inert excerpt of the body, with every secret this client
  has sent masked (credentials, and the keys the sources declare): a server that echoes
  the request in an error page puts no secret into a message, the audit log or stderr;
* httpx's request log and httpcore's debug log have ``token=`` query values and session
  cookies masked.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import ssl
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path
from typing import Any

import httpcore
import httpx

from streamconsole.backends.base import AuthError, RemoteError, RemoteTimeout, SourceError
from streamconsole.backends.http_lanes import Lane, connection_factory
from streamconsole.backends.http_requests import Authenticate, RawHeaders, RequestMaker
from streamconsole.backends.masks import REQUEST_LOGGER, excerpt, install_log_mask, masked_secrets
from streamconsole.backends.wire_rules import HTTP_ADVICE, plain_http_refusal
from streamconsole.core.model import DEFAULT_CONCURRENCY, ServerProfile
from streamconsole.core.text import inert

MAX_BODY_BYTES = 8 * 1024 * 1024
# A credential taken from a request's headers is masked from this length on: a short
# cookie value ("en") would mask every "en" of a message.
_MIN_HEADER_CREDENTIAL = 8
_log = logging.getLogger(REQUEST_LOGGER)
# What httpcore raises when a connection fails (its timeouts apart).
TRANSPORT_ERRORS = (
    httpcore.NetworkError,
    httpcore.ProtocolError,
    httpcore.ProxyError,
    httpcore.UnsupportedProtocol,
)


@dataclass(frozen=True, slots=True)
class HttpSettings:
    timeout: float = 15.0  # per connect, read or write: a slow drip of bytes never trips it
    connect_timeout: float = 5.0
    deadline: float = 60.0  # the most one attempt may take, however its bytes come
    retries: int = 3
    backoff: float = 0.25  # first retry waits 0.25 s ± jitter, then doubles
    max_retry_after: float = 10.0


def tls_verify(ca_file: str, base_dir: str = "") -> ssl.SSLContext:
    """TLS verification is always on: the bundled roots, or ``ca_file``, a private CA,
    instead. A relative path is relative to ``base_dir``, the config's directory (not the
    working directory). ``SSL_CERT_FILE`` and ``SSL_CERT_DIR`` are not read: they would
    replace the profile's trust without a word."""
    if not ca_file:
        return _bundled_roots()
    path = Path(base_dir, Path(ca_file).expanduser())
    try:
        return ssl.create_default_context(cafile=path)
    except (OSError, ssl.SSLError) as error:
        raise RemoteError(f"ca_file {path}: cannot be loaded ({error})") from None


@cache
def _bundled_roots() -> ssl.SSLContext:
    """The bundled roots, loaded once: 25-50 ms of CPU each time, which several servers
    opened at once paid one after the other before their first request."""
    return httpx.create_ssl_context(trust_env=False)


class HttpClient:
    """JSON over HTTP to one server, within the rules in the module docstring.

    It keeps one connection per concurrent request ("lanes", :mod:`.http_lanes`) and hands
    the most recently freed lane to each request, so connections are opened only as far as
    requests overlap. Measured on 1,000 keep-alive GETs: one pool of 16 connections spends
    ~3.8 ms CPU per request in its bookkeeping (it checks every connection on every request);
    a pool of one per lane ~1.1 ms, a bare connection per lane less again. Requests are made
    as httpcore takes them (:mod:`.http_requests`), not through ``httpx.AsyncClient``, whose
    layer (URL merging, a copy of the cookie jar per request, the auth and redirect loops)
    was a fifth of the rest; what it did is done here: the base URL, the default headers,
    the timeouts, the auth (one header a request: Basic and ProxyAuthorization never answer
    a challenge) and one cookie jar (a login session) for all lanes. Redirects are never
    followed. The lanes share one TLS context (loading the CA bundle costs ~40 ms).
    """

    def __init__(
        self,
        base_url: str,
        *,
        verify: ssl.SSLContext | None = None,
        auth: Authenticate | None = None,
        settings: HttpSettings | None = None,
        proxy: str = "",
        secrets: Iterable[str] = (),
        concurrency: int = DEFAULT_CONCURRENCY,
    ) -> None:
        install_log_mask()
        self.settings = settings or HttpSettings()
        factory = connection_factory(verify or tls_verify(""), proxy)
        origin = httpcore.URL(base_url).origin
        self._lanes = [Lane(factory, origin) for _ in range(concurrency)]
        # Most recently used first: its connection is the one most likely still open.
        self._idle: asyncio.LifoQueue[Lane] = asyncio.LifoQueue()
        for lane in reversed(self._lanes):
            self._idle.put_nowait(lane)
        timeouts = httpx.Timeout(self.settings.timeout, connect=self.settings.connect_timeout)
        self._requests = RequestMaker(base_url, auth, timeouts.as_dict())
        # Every secret this client has sent or was told of: masked in what a server says.
        self._secrets = {secret for secret in secrets if secret}
        self.base_url = base_url
        self.requests = 0
        self.last_latency: float | None = None
        self._closed = False

    async def aclose(self) -> None:
        self._closed = True
        for lane in self._lanes:
            await lane.aclose()

    def quote(self, text: bytes | str, limit: int = 200, *, also: Iterable[str] = ()) -> str:
        """What a server said, for a message: a short inert excerpt with every secret this
        client knows (and ``also``) masked. The one way server text enters a message."""
        decoded = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
        return excerpt(masked_secrets(decoded, (*self._secrets, *also)), limit)

    def _quote_sent(self, sent: httpcore.Request, text: bytes | str, limit: int) -> str:
        """:meth:`quote`, with the credentials ``sent`` carried masked as well (only worked
        out for a message: most replies need none)."""
        return self.quote(text, limit, also=_credentials_in(sent))

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str | int] | None = None,
        json_body: Any = None,
        idempotent: bool | None = None,
        expect_json: bool = True,
        secrets: Iterable[str] = (),
    ) -> Any:
        """The parsed JSON reply (None for an empty one); raises RemoteError and subclasses.
        ``path`` is appended to the base URL as it is (names in it already quoted);
        ``secrets``: what of ``json_body`` is secret (a key), masked from now on."""
        self._secrets.update(secret for secret in secrets if secret)
        retry = idempotent if idempotent is not None else method in ("GET", "HEAD", "DELETE")
        attempts_left = self.settings.retries if retry else 0
        attempt = 0
        while True:
            try:
                status, body, reply_headers, sent = await self._send(
                    method, path, params, json_body
                )
            except (httpcore.TimeoutException, TimeoutError):
                if attempt >= attempts_left:
                    raise RemoteTimeout(f"{method} {path}: no answer in time") from None
                retry_after = None
            except TRANSPORT_ERRORS as error:
                if attempt >= attempts_left:
                    raise RemoteError(f"{method} {path}: {transport_reason(error)}") from None
                retry_after = None
            else:
                if not ((status == 429 or status >= 500) and attempt < attempts_left):
                    quote = partial(self._quote_sent, sent)
                    return _reply(method, path, status, body, reply_headers, expect_json, quote)
                retry_after = httpx.Headers(reply_headers).get("retry-after")
            await self._wait(attempt, retry_after)
            attempt += 1

    async def _send(
        self,
        method: str,
        path: str,
        params: Mapping[str, str | int] | None,
        json_body: Any,
    ) -> tuple[int, bytes, RawHeaders, httpcore.Request]:
        """Status, body and headers of the reply, and the request as sent (with its
        credentials). The headers stay raw: most replies are read for their body alone, and
        ``httpx.Headers`` of them cost ~1% of a request's CPU."""
        if self._closed:  # a transport would open a new connection: a caller's mistake
            raise RuntimeError(f"{method} {path}: the HTTP client has been closed")
        lane = await self._idle.get()
        try:
            request = self._requests.make(method, path, params, json_body)
            started = time.perf_counter()
            async with asyncio.timeout(self.settings.deadline):
                response = await lane.send(request)
                try:
                    body = bytearray()
                    async for chunk in response.aiter_stream():
                        body += chunk
                        if len(body) > MAX_BODY_BYTES:
                            raise RemoteError(
                                f"{method} {path}: the reply is larger than "
                                f"{MAX_BODY_BYTES // (1024 * 1024)} MiB; refused",
                                status=response.status,
                            )
                finally:
                    await response.aclose()
            self.requests += 1
            self.last_latency = time.perf_counter() - started
        finally:
            self._idle.put_nowait(lane)
        if _log.isEnabledFor(logging.INFO):
            _log.info(
                "HTTP Request: %s %s %d", method, self._requests.url(request), response.status
            )
        self._requests.take_cookies(request, response.status, response.headers)
        return response.status, bytes(body), response.headers, request

    async def _wait(self, attempt: int, retry_after: str | None) -> None:
        delay = self.settings.backoff * (2**attempt) * random.uniform(0.5, 1.5)  # noqa: S311
        if retry_after is not None:
            with contextlib.suppress(ValueError):
                delay = max(delay, min(float(retry_after), self.settings.max_retry_after))
        await asyncio.sleep(delay)


def open_client(
    profile: ServerProfile,
    *,
    base_url: str = "",
    auth: Authenticate | None = None,
    settings: HttpSettings | None = None,
    secrets: Iterable[str] = (),
) -> HttpClient:
    """The client for ``profile`` (at ``base_url``, else its URL): its CA, its proxy, and
    ``secrets``, the credentials, masked in what the server says. Plain http anywhere but
    straight to this machine is refused (SourceError, nothing sent) unless the profile
    allows it."""
    url = base_url or profile.url
    checked_url(profile, url)
    return HttpClient(
        url,
        verify=tls_verify(profile.ca_file, profile.base_dir),
        auth=auth,
        settings=settings,
        proxy=profile.proxy,
        secrets=secrets,
        concurrency=profile.concurrency,
    )


def checked_url(profile: ServerProfile, url: str) -> httpx.URL:
    """``url`` parsed, for a request on ``profile``'s behalf; SourceError (nothing sent) where
    it is no URL, or plain http anywhere but straight to this machine that the profile does
    not allow."""
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL:
        raise SourceError(f"server {profile.name!r}: url {inert(url)!r} is not a URL") from None
    refusal = plain_http_refusal(parsed.scheme, parsed.host, profile.proxy)
    if refusal and not profile.allow_insecure_http:
        raise SourceError(
            f"server {profile.name!r}: {refusal}; nothing was sent. {HTTP_ADVICE} "
            f"(in [servers.{profile.name}])"
        )
    return parsed


def _credentials_in(request: httpcore.Request) -> set[str]:
    """The credentials ``request`` carried in its headers (the auth header and the session
    cookie): each header's value, its token (``Basic <token>``), and each cookie's value."""
    found: set[str] = set()
    headers = httpx.Headers(request.headers)
    for name in ("authorization", "proxyauthorization"):
        value = headers.get(name, "")
        found.update((value, value.rpartition(" ")[2]))
    for cookie in headers.get("cookie", "").split(";"):
        found.add(cookie.partition("=")[2].strip())
    return {value for value in found if len(value) >= _MIN_HEADER_CREDENTIAL}


def transport_reason(error: Exception) -> str:
    """Why a connection failed (``error``: httpx's, or httpcore's from :class:`HttpClient`)."""
    text = str(error)
    if "CERTIFICATE_VERIFY_FAILED" in text or "certificate verify failed" in text:
        return "TLS certificate verification failed (set ca_file for a private CA)"
    if _caused_by_tls(error):  # e.g. an https URL to a plain-HTTP port
        return f"TLS handshake failed ({inert(text, limit=120)}); is it an https server?"
    if isinstance(error, httpx.ConnectError | httpcore.ConnectError):
        return f"cannot connect ({inert(text, limit=120) or 'connection refused'})"
    return f"connection failed ({type(error).__name__})"


def _caused_by_tls(error: BaseException) -> bool:
    # A chain can loop (an error raised while handling one that caused it): each link once.
    seen: set[int] = set()
    cause: BaseException | None = error
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, ssl.SSLError):
            return True
        seen.add(id(cause))
        cause = cause.__cause__ or cause.__context__
    return False


def _reply(
    method: str,
    path: str,
    status: int,
    body: bytes,
    headers: RawHeaders,
    expect_json: bool,
    quote: Callable[[bytes | str, int], str],
) -> Any:
    where = f"{method} {path}"
    if 300 <= status < 400:
        target = httpx.URL(httpx.Headers(headers).get("location", "")).host or "elsewhere"
        raise RemoteError(
            f"{where}: the server redirected to {target}; not followed, so credentials stay "
            "with the configured server",
            status=status,
        )
    if status in (401, 403):
        raise AuthError(f"{where}: HTTP {status}: {quote(body, 200)}", status=status)
    if status >= 400:
        raise RemoteError(f"{where}: HTTP {status}: {quote(body, 200)}", status=status)
    if not expect_json or not body.strip():
        return None
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        raise RemoteError(
            f"{where}: the reply is not valid JSON: {quote(body, 80)}", status=status
        ) from None


def expect(value: Any, kind: type, what: str) -> Any:
    """``value`` if it is a ``kind``; else a RemoteError naming what the server sent."""
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        raise RemoteError(
            f"unexpected reply: {what} should be {kind.__name__}, got {type(value).__name__}"
        )
    return value
