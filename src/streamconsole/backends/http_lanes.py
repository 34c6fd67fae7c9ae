"""The connections of one :class:`~streamconsole.backends.http.HttpClient` ("lanes"), each a
single keep-alive httpcore connection, on asyncio's own streams.

Measured on 1,000 keep-alive GETs at 64 lanes, client CPU per request: an httpx transport
(an httpcore pool of one connection) per lane, 1.3 ms; the httpcore connection itself, asked
directly, 0.8 ms; the same on asyncio streams instead of anyio's (whose cancel scopes wrap
every read and write), 0.67 ms. What the pool did is done here, for one connection: a
connection the server has closed, or idle past ``KEEPALIVE_EXPIRY``, is replaced before a
request goes out on it, and a proxy, when the profile names one, is reached as httpcore
reaches it (a CONNECT tunnel for https, the absolute URL for http).
"""

from __future__ import annotations

import asyncio
import os
import select
import socket
import ssl
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx

KEEPALIVE_EXPIRY = 5.0  # seconds an idle connection is kept (httpx's default)
# httpcore's names for what asyncio calls otherwise.
_EXTRA_INFO_NAMES = {"client_addr": "sockname", "server_addr": "peername"}


def readable(sock: socket.socket | None) -> bool:
    """Whether an idle connection's socket has something to read, without reading: for a
    keep-alive connection nothing is due, so it is the server's close (or garbage). A socket
    that is gone counts as readable, as its next read would end it. (httpcore's pool makes
    the same test with a private helper of its own; this is ours, not an import of it.)"""
    fd = -1 if sock is None else sock.fileno()
    if fd < 0:
        return True
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(0))


def connect_failure(error: OSError) -> str:
    """Why a connection could not be made, in the system's words and without the address
    asyncio puts in its text: the operator knows which server it is, and on loopback the
    port differs from run to run (snapshots, logs)."""
    if isinstance(error, socket.gaierror):  # its errno is the resolver's, not the OS's
        return error.strerror or "the host name could not be resolved"
    if error.errno is not None:
        return os.strerror(error.errno)
    return "all connection attempts failed"  # asyncio's "Multiple exceptions: …"


class AsyncioStream(httpcore.AsyncNetworkStream):
    """One TCP (or TLS) connection on asyncio streams, with httpcore's errors."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        try:
            async with asyncio.timeout(timeout):
                return await self._reader.read(max_bytes)
        except TimeoutError as error:
            raise httpcore.ReadTimeout(str(error) or "read timed out") from error
        except OSError as error:
            raise httpcore.ReadError(str(error)) from error

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        try:
            self._writer.write(buffer)
            async with asyncio.timeout(timeout):
                await self._writer.drain()
        except TimeoutError as error:
            raise httpcore.WriteTimeout(str(error) or "write timed out") from error
        except OSError as error:
            raise httpcore.WriteError(str(error)) from error

    async def aclose(self) -> None:
        # As anyio's stream does: close, one turn of the loop to send what is queued, then
        # drop it, never waiting for the server (a TLS close would wait for its close_notify).
        self._writer.close()
        await asyncio.sleep(0)
        self._writer.transport.abort()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            async with asyncio.timeout(timeout):
                await self._writer.start_tls(ssl_context, server_hostname=server_hostname)
        except TimeoutError as error:
            await self.aclose()
            raise httpcore.ConnectTimeout(str(error) or "TLS handshake timed out") from error
        except (OSError, ssl.SSLError, EOFError) as error:
            await self.aclose()
            raise httpcore.ConnectError(str(error) or type(error).__name__) from error
        return self

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":  # idle and readable: the server has closed it
            return readable(self._writer.get_extra_info("socket"))
        return self._writer.get_extra_info(_EXTRA_INFO_NAMES.get(info, info))


class AsyncioBackend(httpcore.AsyncNetworkBackend):
    """Connections for httpcore on asyncio streams (asyncio sets TCP_NODELAY on them)."""

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            async with asyncio.timeout(timeout):
                reader, writer = await asyncio.open_connection(
                    host, port, local_addr=(local_address, 0) if local_address else None
                )
        except TimeoutError as error:
            raise httpcore.ConnectTimeout(str(error) or "connect timed out") from error
        except OSError as error:
            raise httpcore.ConnectError(connect_failure(error)) from error
        sock = writer.get_extra_info("socket")
        for option in socket_options or ():
            sock.setsockopt(*option)
        return AsyncioStream(reader, writer)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are not used")

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


_BACKEND = AsyncioBackend()


def connection_factory(verify: ssl.SSLContext, proxy: str) -> httpcore.AsyncConnectionPool:
    """What makes each lane's connection (``create_connection``), direct or through
    ``proxy``; never asked to send a request itself."""
    if not proxy:
        return httpcore.AsyncConnectionPool(
            ssl_context=verify, keepalive_expiry=KEEPALIVE_EXPIRY, network_backend=_BACKEND
        )
    through = httpx.Proxy(proxy)
    return httpcore.AsyncHTTPProxy(
        proxy_url=httpcore.URL(
            scheme=through.url.raw_scheme,
            host=through.url.raw_host,
            port=through.url.port,
            target=through.url.raw_path,
        ),
        proxy_auth=through.raw_auth,
        proxy_headers=through.headers.raw,
        ssl_context=verify,
        keepalive_expiry=KEEPALIVE_EXPIRY,
        network_backend=_BACKEND,
    )


class Lane:
    """One connection at a time to ``origin``, opened on first use and replaced when the
    server has closed it or it has been idle too long."""

    def __init__(self, factory: httpcore.AsyncConnectionPool, origin: httpcore.Origin) -> None:
        self._factory = factory
        self._origin = origin
        self._connection: httpcore.AsyncConnectionInterface | None = None

    async def send(self, request: httpcore.Request) -> httpcore.Response:
        """The reply's head; its body is read from ``aiter_stream`` and the response closed
        (which frees the connection) before the lane takes another request."""
        connection = self._connection
        if connection is None or connection.is_closed() or connection.has_expired():
            connection = await self._reconnect()
        try:
            return await connection.handle_async_request(request)
        except httpcore.ConnectionNotAvailable:
            # Closed under us before anything was sent: once more on a new one, as a pool does.
            return await (await self._reconnect()).handle_async_request(request)

    async def _reconnect(self) -> httpcore.AsyncConnectionInterface:
        await self.aclose()
        self._connection = self._factory.create_connection(self._origin)
        return self._connection

    async def aclose(self) -> None:
        if self._connection is not None:
            await self._connection.aclose()
            self._connection = None
