"""A lane keeps its connection while the server does, and opens a new one, before sending,
when the server has closed it (an idle timeout): a request that is not retried (a POST)
never goes out on a dead connection."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import httpcore
import pytest

from streamconsole.backends.base import RemoteError
from streamconsole.backends.http import HttpClient, HttpSettings, transport_reason

REPLY = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"


@dataclass
class OneShotServer:
    """Answers requests with ``{}``; closes each connection after ``per_connection``."""

    per_connection: int
    connections: int = 0
    closed: asyncio.Event = field(default_factory=asyncio.Event)

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        for _ in range(self.per_connection):
            head = await reader.readuntil(b"\r\n\r\n")
            length = next(
                (
                    int(line.split(b":")[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                ),
                0,
            )
            await reader.readexactly(length)
            writer.write(REPLY)
            await writer.drain()
        writer.close()
        await writer.wait_closed()
        self.closed.set()


@pytest.fixture
async def closing_server() -> AsyncIterator[tuple[OneShotServer, str]]:
    server = OneShotServer(per_connection=1)
    listening = await asyncio.start_server(server.serve, "127.0.0.1", 0)
    port = listening.sockets[0].getsockname()[1]
    async with listening:
        yield server, f"http://127.0.0.1:{port}"


async def test_a_connection_the_server_closed_is_replaced_before_a_post(
    closing_server: tuple[OneShotServer, str],
) -> None:
    server, url = closing_server
    client = HttpClient(url, settings=HttpSettings(retries=0), concurrency=1)
    try:
        assert await client.request("GET", "/first") == {}
        await server.closed.wait()
        await asyncio.sleep(0)  # the server's FIN reaches the client's socket
        assert await client.request("POST", "/second", json_body={"a": 1}) == {}
    finally:
        await client.aclose()
    assert server.connections == 2


async def test_a_lane_keeps_its_connection_while_the_server_does() -> None:
    server = OneShotServer(per_connection=3)
    listening = await asyncio.start_server(server.serve, "127.0.0.1", 0)
    port = listening.sockets[0].getsockname()[1]
    async with listening:
        client = HttpClient(f"http://127.0.0.1:{port}", concurrency=1)
        try:
            for path in ("/a", "/b", "/c"):
                assert await client.request("GET", path) == {}
        finally:
            await client.aclose()
    assert server.connections == 1


def test_a_failure_whose_causes_loop_is_still_explained() -> None:
    """An error raised while handling the one it caused links back to it: the search for a
    TLS failure among the causes once went round that loop for ever."""
    read, reset = httpcore.ReadError("read failed"), ConnectionResetError("reset")
    read.__cause__, reset.__context__ = reset, read
    assert transport_reason(read) == "connection failed (ReadError)"


async def test_a_refused_connection_is_explained_without_its_address() -> None:
    """asyncio writes the address into its text ("Connect call failed ('127.0.0.1', 40123)");
    the reason shown is the system's word for it: the same on every run, no port in it."""
    listening = await asyncio.start_server(OneShotServer(1).serve, "127.0.0.1", 0)
    port = listening.sockets[0].getsockname()[1]
    listening.close()
    await listening.wait_closed()  # nothing listens on that port now
    client = HttpClient(f"http://127.0.0.1:{port}", settings=HttpSettings(retries=0))
    try:
        with pytest.raises(RemoteError) as refused:
            await client.request("GET", "/rest/v2/applications")
    finally:
        await client.aclose()
    assert str(refused.value) == "GET /rest/v2/applications: cannot connect (Connection refused)"
    assert str(port) not in str(refused.value)
