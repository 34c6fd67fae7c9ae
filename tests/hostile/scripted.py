"""A loopback HTTP server that answers from a script, for replies the emulators never give
(wrong JSON types, huge or dripping bodies, redirects) and a recorder of who called it."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from tests.emulators.server import ServerThread

Reply = Callable[[Request], Response]
METHODS = ["GET", "POST", "PUT", "DELETE"]


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    headers: dict[str, str]


def json_reply(value: Any, status: int = 200) -> Reply:
    return lambda request: JSONResponse(value, status_code=status)


def raw_reply(body: bytes, content_type: str = "application/json", status: int = 200) -> Reply:
    return lambda request: Response(body, status_code=status, media_type=content_type)


def redirect_reply(location: str, status: int = 302) -> Reply:
    return lambda request: Response(b"", status_code=status, headers={"location": location})


@dataclass
class Drip:
    """A reply that sends ``body`` one byte every ``interval`` seconds; ``sent`` counts the
    bytes that left before the client hung up."""

    body: bytes
    interval: float
    sent: int = 0

    def __call__(self, request: Request) -> Response:
        async def chunks() -> AsyncIterator[bytes]:
            for index in range(len(self.body)):
                yield self.body[index : index + 1]
                self.sent = index + 1
                await asyncio.sleep(self.interval)

        return StreamingResponse(chunks(), media_type="application/json")


@dataclass
class ScriptedServer:
    """Answers ``replies[(method, path)]``, ``path`` as it came on the wire (percent-encoded,
    without the query); anything unscripted gets a JSON 404. Every request is recorded with
    its headers (lower-case names)."""

    replies: dict[tuple[str, str], Reply] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/{path:path}", self._answer, methods=METHODS)])

    async def _answer(self, request: Request) -> Response:
        path = bytes(request.scope.get("raw_path") or b"").decode("latin-1") or request.url.path
        self.seen.append(Seen(request.method, path, dict(request.headers)))
        reply = self.replies.get((request.method, path))
        if reply is None:
            return JSONResponse({"message": f"not scripted: {request.method} {path}"}, 404)
        return reply(request)

    def script(self, replies: dict[tuple[str, str], Reply]) -> None:
        self.replies = dict(replies)
        self.seen.clear()


@contextmanager
def serving(server: ScriptedServer) -> Iterator[str]:
    thread = ServerThread(server.app())
    url = thread.start()
    try:
        yield url
    finally:
        thread.stop()


@contextmanager
def serving_tls(server: ScriptedServer, cert: Path, key: Path) -> Iterator[str]:
    """``server`` over TLS on 127.0.0.1 with ``cert`` (the emulators' thread serves plain
    HTTP only, so this one starts uvicorn with the certificate itself)."""
    config = uvicorn.Config(
        server.app(),
        host="127.0.0.1",
        port=0,
        log_level="critical",
        access_log=False,
        lifespan="off",
        ssl_certfile=str(cert),
        ssl_keyfile=str(key),
    )
    runner = uvicorn.Server(config)
    thread = threading.Thread(target=runner.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not runner.started:
        assert thread.is_alive() and time.monotonic() < deadline, "TLS server did not start"
        time.sleep(0.01)
    port = runner.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"https://127.0.0.1:{port}"
    finally:
        runner.should_exit = True
        thread.join(10)


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 (EC P-256, a day long) and its key, as PEM files."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "loopback.crt", directory / "loopback.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path
