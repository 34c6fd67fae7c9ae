"""Fault injection and the request log, as one ASGI middleware shared by both emulators.

A test arms faults on :class:`FaultPlan` (from the test thread) and the server thread consumes
them. One request gets at most one fault: the first armed rule that matches it. Rules match
on method and a glob over the path (``fnmatch``, so ``*`` also crosses ``/``).

What each fault does to the request:

* ``fail`` / ``html_error`` / ``hang``: the request never reaches the emulator (no state
  changes), like a proxy or a crashed worker answering instead.
* ``echo``: the request never reaches the emulator either; the reply quotes it back, as
  a server's error does ("bad request: ..."): some of its headers, then its body or only
  some fields of it (a validation error naming the value it refused).
* ``truncate`` / ``malform``: the emulator handles the request (a POST takes effect) and the
  reply body is damaged on the way back, so a client cannot know whether it worked.
* ``after``: a hook run right after the emulator handled a matching request and before the
  reply leaves, e.g. another admin saving settings just after our GET.
"""

from __future__ import annotations

import asyncio
import json
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from fnmatch import fnmatchcase
from typing import Protocol, TypeVar

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Far longer than any sane client timeout; the wait ends early when the client gives up.
HANG_SECONDS = 3600.0
CLIENT_CLOSED = 499  # nginx's code for "client closed the request", used in the log only


class FaultKind(StrEnum):
    STATUS = "status"
    HTML = "html"
    HANG = "hang"
    TRUNCATE = "truncate"
    MALFORM = "malform"
    ECHO = "echo"


@dataclass
class FaultRule:
    kind: FaultKind
    times: int | None  # None: every matching request until cleared
    path: str | None = None  # glob over the request path; None matches all
    method: str | None = None  # None matches all
    status: int = 200
    retry_after: int | None = None
    seconds: float = HANG_SECONDS
    quoted_headers: tuple[str, ...] = ()  # echo: these request headers
    quoted_fields: tuple[str, ...] = ()  # echo: these fields of the JSON body (else all of it)

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method.upper() != method:
            return False
        return self.path is None or fnmatchcase(path, self.path)


@dataclass
class _Hook:
    action: Callable[[], None]
    times: int | None
    path: str
    method: str | None


@dataclass(frozen=True)
class RequestRecord:
    """One request as logged: never query strings, headers or bodies (they carry secrets)."""

    method: str
    path: str  # decoded, as the server routes it
    status: int
    app: str | None  # the application (Ant Media app, THEOlive channel) it concerned
    fault: FaultKind | None
    raw_path: str = ""  # as it came on the wire, percent-encoding and all


@dataclass
class RequestLog:
    records: list[RequestRecord] = field(default_factory=list)
    # Bumped by clear(): a request still in flight from before (a hung one, say) must not
    # land in the next test's log.
    epoch: int = 0

    # Print each record to stderr (the CLI's access log, which must not show query strings).
    echo: bool = False
    # Requests being handled right now, and the most there were at once since clear().
    in_flight: int = 0
    peak_in_flight: int = 0

    def append(self, record: RequestRecord, *, epoch: int) -> None:
        if epoch != self.epoch:
            return
        self.records.append(record)  # list.append is atomic under the GIL
        if self.echo:
            fault = f"  [fault: {record.fault}]" if record.fault else ""
            print(f"{record.method} {record.path} -> {record.status}{fault}", file=sys.stderr)

    def clear(self) -> None:
        self.epoch += 1
        self.records.clear()
        self.peak_in_flight = self.in_flight

    def started(self) -> None:
        """A request came in (the server thread's loop runs one handler at a time)."""
        self.in_flight += 1
        self.peak_in_flight = max(self.peak_in_flight, self.in_flight)

    def count(
        self,
        *,
        method: str | None = None,
        app: str | None = None,
        path: str | None = None,
        status: int | None = None,
    ) -> int:
        """How many logged requests match every given filter (``path`` is a glob)."""
        return sum(
            1
            for r in list(self.records)
            if (method is None or r.method == method.upper())
            and (app is None or r.app == app)
            and (path is None or fnmatchcase(r.path, path))
            and (status is None or r.status == status)
        )

    def per_app(self, *, method: str | None = None) -> dict[str, int]:
        counts: dict[str, int] = {}
        for r in list(self.records):
            if r.app is not None and (method is None or r.method == method.upper()):
                counts[r.app] = counts.get(r.app, 0) + 1
        return counts


class FaultPlan:
    """Faults armed by tests; thread-safe because tests and the server run on two threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []
        self._hooks: list[_Hook] = []
        self.latency = 0.0  # seconds added to every request

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()
            self._hooks.clear()
            self.latency = 0.0

    def _arm(self, rule: FaultRule) -> FaultRule:
        if rule.times is not None and rule.times < 1:
            raise ValueError("times must be at least 1, or None for every request")
        with self._lock:
            self._rules.append(rule)
        return rule

    def fail(
        self,
        status: int,
        *,
        times: int | None = 1,
        path: str | None = None,
        method: str | None = None,
        retry_after: int | None = None,
    ) -> FaultRule:
        """Answer ``status`` with a small JSON body (and ``Retry-After`` if given)."""
        return self._arm(FaultRule(FaultKind.STATUS, times, path, method, status, retry_after))

    def html_error(
        self,
        status: int = 502,
        *,
        times: int | None = 1,
        path: str | None = None,
        method: str | None = None,
    ) -> FaultRule:
        """Answer ``status`` with an HTML page, as a reverse proxy in front would."""
        return self._arm(FaultRule(FaultKind.HTML, times, path, method, status))

    def hang(
        self,
        *,
        times: int | None = 1,
        path: str | None = None,
        method: str | None = None,
        seconds: float = HANG_SECONDS,
    ) -> FaultRule:
        """Say nothing for ``seconds`` (or until the client hangs up), then 504."""
        return self._arm(FaultRule(FaultKind.HANG, times, path, method, 504, seconds=seconds))

    def echo(
        self,
        status: int = 400,
        *,
        times: int | None = 1,
        path: str | None = None,
        method: str | None = None,
        headers: tuple[str, ...] = (),
        fields: tuple[str, ...] = (),
    ) -> FaultRule:
        """Answer ``status`` with the request quoted in the message: ``headers`` (lower-case
        names), then the body's ``fields`` (the whole body when none are named)."""
        rule = FaultRule(FaultKind.ECHO, times, path, method, status)
        rule.quoted_headers, rule.quoted_fields = headers, fields
        return self._arm(rule)

    def truncate(
        self, *, times: int | None = 1, path: str | None = None, method: str | None = None
    ) -> FaultRule:
        """Handle the request, then send only the first half of the reply body."""
        return self._arm(FaultRule(FaultKind.TRUNCATE, times, path, method))

    def malform(
        self, *, times: int | None = 1, path: str | None = None, method: str | None = None
    ) -> FaultRule:
        """Handle the request, then send a body that is not JSON (still labelled JSON)."""
        return self._arm(FaultRule(FaultKind.MALFORM, times, path, method))

    def after(
        self,
        path: str,
        action: Callable[[], None],
        *,
        method: str | None = "GET",
        times: int | None = 1,
    ) -> None:
        """Run ``action`` (on the server thread) after a matching request was handled."""
        with self._lock:
            self._hooks.append(_Hook(action, times, path, method))

    @property
    def armed(self) -> int:
        """Rules and hooks not yet used up."""
        with self._lock:
            return len(self._rules) + len(self._hooks)

    def take_rule(self, method: str, path: str) -> FaultRule | None:
        with self._lock:
            for rule in self._rules:
                if rule.matches(method, path):
                    _use(self._rules, rule)
                    return rule
        return None

    def take_hooks(self, method: str, path: str) -> list[Callable[[], None]]:
        with self._lock:
            hooks = [
                h
                for h in self._hooks
                if (h.method is None or h.method.upper() == method) and fnmatchcase(path, h.path)
            ]
            for hook in hooks:
                _use(self._hooks, hook)
        return [h.action for h in hooks]


class _Counted(Protocol):
    times: int | None


_C = TypeVar("_C", bound=_Counted)


def _use(items: list[_C], item: _C) -> None:
    """Count one use of ``item``; drop it from ``items`` when it is used up."""
    if item.times is not None:
        item.times -= 1
        if item.times == 0:
            items.remove(item)


HTML_PAGE = (
    "<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n"
    "<center><h1>{status} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)
MALFORMED_BODY = b"{\"data\": [{'id': 1,}, <!-- not json -->"
_REASONS = {502: "Bad Gateway", 503: "Service Temporarily Unavailable", 504: "Gateway Time-out"}


class FaultMiddleware:
    """Applies latency and armed faults, runs hooks, and logs every HTTP request."""

    def __init__(
        self,
        app: ASGIApp,
        plan: FaultPlan,
        log: RequestLog,
        app_of: Callable[[str], str | None],
    ) -> None:
        self.app = app
        self.plan = plan
        self.log = log
        self.app_of = app_of

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method: str = scope["method"]
        path: str = scope["path"]
        raw_path = bytes(scope.get("raw_path") or path.encode()).decode("ascii", "replace")
        epoch = self.log.epoch
        self.log.started()
        try:
            reply, kind = await self._respond(scope, receive, method, path)
            status = reply.status if reply else CLIENT_CLOSED
            # Logged before the reply leaves: a client that has its answer finds it in the log.
            record = RequestRecord(method, path, status, self.app_of(path), kind, raw_path)
            self.log.append(record, epoch=epoch)
            if reply is not None:
                await reply.send(send)
        finally:
            self.log.in_flight -= 1

    async def _respond(
        self, scope: Scope, receive: Receive, method: str, path: str
    ) -> tuple[_Reply | None, FaultKind | None]:
        """The reply to send (None: the client hung up) and the fault applied, if any."""
        if self.plan.latency > 0:
            early, receive = await _wait(receive, self.plan.latency)
            if early:
                return None, None
        rule = self.plan.take_rule(method, path)
        if rule is None:
            return await self._handle(scope, receive, method, path), None
        if rule.kind is FaultKind.HANG:
            early, receive = await _wait(receive, rule.seconds)
            if early:
                return None, rule.kind
            return _Reply(504, [(b"content-type", b"text/plain")], b"upstream timed out"), rule.kind
        if rule.kind in (FaultKind.STATUS, FaultKind.HTML):
            return _instead(rule), rule.kind
        if rule.kind is FaultKind.ECHO:
            return await _echoed(rule, scope, receive), rule.kind
        reply = await self._handle(scope, receive, method, path)  # TRUNCATE or MALFORM
        if rule.kind is FaultKind.MALFORM:
            reply.body = MALFORMED_BODY
        else:
            reply.body = reply.body[: len(reply.body) // 2]
        return reply, rule.kind

    async def _handle(self, scope: Scope, receive: Receive, method: str, path: str) -> _Reply:
        """The emulator's own reply, captured whole; then the hooks armed for this request."""
        reply = _Reply(500, [], b"")

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                reply.status = message["status"]
                reply.headers = [
                    (k, v) for k, v in message.get("headers", []) if k.lower() != b"content-length"
                ]
            elif message["type"] == "http.response.body":
                reply.body += message.get("body", b"")

        await self.app(scope, receive, capture)
        for action in self.plan.take_hooks(method, path):
            action()
        return reply


@dataclass
class _Reply:
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes

    async def send(self, send: Send) -> None:
        headers = [*self.headers, (b"content-length", str(len(self.body)).encode())]
        await send({"type": "http.response.start", "status": self.status, "headers": headers})
        await send({"type": "http.response.body", "body": self.body})


def _instead(rule: FaultRule) -> _Reply:
    """What answers in the emulator's place for a STATUS or HTML fault."""
    if rule.kind is FaultKind.HTML:
        reason = _REASONS.get(rule.status, "Error")
        body = HTML_PAGE.format(status=rule.status, reason=reason).encode()
        headers = [(b"content-type", b"text/html")]
    else:
        body = json.dumps({"message": f"injected fault: HTTP {rule.status}"}).encode()
        headers = [(b"content-type", b"application/json")]
    if rule.retry_after is not None:
        headers.append((b"retry-after", str(rule.retry_after).encode()))
    return _Reply(rule.status, headers, body)


async def _echoed(rule: FaultRule, scope: Scope, receive: Receive) -> _Reply:
    """The request quoted back in an error message (see :meth:`FaultPlan.echo`)."""
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if message["type"] != "http.request" or not message.get("more_body"):
            break
    headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
    parts = [f"{name}: {headers.get(name, '')}" for name in rule.quoted_headers]
    if rule.quoted_fields:
        fields = json.loads(body)
        parts += [f"{name}={json.dumps(fields.get(name))}" for name in rule.quoted_fields]
    else:
        parts.append(body.decode("utf-8", "replace"))
    said = f"bad request: {'; '.join(parts)}"
    reply = json.dumps({"success": False, "message": said}).encode()
    return _Reply(rule.status, [(b"content-type", b"application/json")], reply)


async def _wait(receive: Receive, seconds: float) -> tuple[bool, Receive]:
    """Wait ``seconds`` unless the client hangs up first: (hung up?, receive to use after).

    Watching for the hang-up means reading the request, so what was read is replayed to
    the app by the returned ``receive``.
    """
    read: list[Message] = []

    async def until_client_leaves() -> None:
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            read.append(message)

    try:
        await asyncio.wait_for(until_client_leaves(), seconds)
    except TimeoutError:
        pass
    else:
        return True, receive

    async def replay() -> Message:
        return read.pop(0) if read else await receive()

    return False, replay
