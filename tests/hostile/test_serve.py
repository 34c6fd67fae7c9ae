"""The browser as an attacker: any page open in the operator's browser can send requests to
``streamconsole serve`` on 127.0.0.1, and any local user can send anything.

What must hold: without this run's token there is no page, no asset and no websocket; a
websocket from any origin but the page's own is refused before the console process
starts; and what a request carries (its line, its headers) reaches the operator's terminal
inert, never with the token.
"""

from __future__ import annotations

import secrets
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import aiohttp
import httpx
import pytest

from tests.cli.conftest import Served, copy_sample, serving
from tests.hostile.support import unsafe_bytes_in


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with serving(copy_sample(tmp_path_factory.mktemp("serve"))) as server:
        yield server


def children(pid: int) -> list[str]:
    """The processes ``pid`` started that are still running (the console, once it runs)."""
    return Path(f"/proc/{pid}/task/{pid}/children").read_text().split()


def other_token() -> str:
    return secrets.token_urlsafe(32)


# Paths a page could try, from the token the server printed.
NOT_THE_TOKEN: dict[str, Callable[[str], str]] = {
    "the bare server": lambda token: "/",
    "a query token": lambda token: f"/?token={token}",
    "another token": lambda token: f"/{other_token()}/",
    "one character short": lambda token: f"/{token[:-1]}/",
    "one character more": lambda token: f"/{token}A/",
    "other letter case": lambda token: f"/{token.swapcase()}/",
    "an empty first segment": lambda token: f"//{token}/",
    "non-ASCII": lambda token: "/%C3%A9%E2%80%AE/",
    "an asset": lambda token: "/static/js/textual.js",
    "an asset of another token": lambda token: f"/{other_token()}/static/js/textual.js",
}


@pytest.mark.parametrize("path", NOT_THE_TOKEN.values(), ids=NOT_THE_TOKEN.keys())
def test_no_page_without_the_token(served: Served, path: Callable[[str], str]) -> None:
    reply = httpx.get(served.origin + path(served.token), timeout=10)
    assert reply.status_code == 403
    assert "<html" not in reply.text.lower()


def test_the_token_opens_the_page(served: Served) -> None:
    # What the refusals above are measured against.
    assert httpx.get(served.url, timeout=10).status_code == 200


WEBSOCKET_NOT_THE_TOKEN: dict[str, Callable[[str], str]] = {
    "no token": lambda token: "/ws",
    "another token": lambda token: f"/{other_token()}/ws",
    "one character short": lambda token: f"/{token[:-1]}/ws",
    "a query token": lambda token: f"/ws?token={token}",
}


@pytest.mark.parametrize(
    "path", WEBSOCKET_NOT_THE_TOKEN.values(), ids=WEBSOCKET_NOT_THE_TOKEN.keys()
)
async def test_no_websocket_without_the_token(served: Served, path: Callable[[str], str]) -> None:
    await assert_refused(served, f"ws://127.0.0.1:{served.port}{path(served.token)}", served.origin)


FOREIGN_ORIGINS = {
    "no Origin": None,
    "a sandboxed or file page": "null",
    "a web page": "http://evil.example",
    "another local port": "http://127.0.0.1:{other_port}",
    "another scheme": "https://127.0.0.1:{port}",
    "another name for the host": "http://localhost:{port}",
    "a look-alike host": "http://127.0.0.1:{port}.evil.example",
    "user information": "http://127.0.0.1:{port}@evil.example",
    "a trailing path": "http://evil.example/http://127.0.0.1:{port}",
}


@pytest.mark.parametrize("origin", FOREIGN_ORIGINS.values(), ids=FOREIGN_ORIGINS.keys())
async def test_no_websocket_from_a_foreign_origin(served: Served, origin: str | None) -> None:
    foreign = origin and origin.format(port=served.port, other_port=served.port + 1)
    await assert_refused(served, f"ws://127.0.0.1:{served.port}/{served.token}/ws", foreign)


async def assert_refused(served: Served, url: str, origin: str | None) -> None:
    async with aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await session.ws_connect(url, origin=origin)
    assert refused.value.status == 403
    assert children(served.process.pid) == []  # refused before the console was started


def test_request_lines_and_headers_reach_the_terminal_inert(served: Served) -> None:
    # A local user's request: a User-Agent and a Referer carrying Trojan Source and C1 CSI
    # (an ESC itself is refused by the HTTP parser, with a 400).
    hostile = "hostile-\u202e-\x9b[31m-agent".encode()
    with socket.create_connection(("127.0.0.1", served.port), timeout=10) as connection:
        connection.sendall(
            f"GET /{served.token}/ HTTP/1.1\r\nHost: 127.0.0.1:{served.port}\r\n".encode()
            + b"User-Agent: " + hostile + b"\r\nReferer: " + hostile
            + b"\r\nConnection: close\r\n\r\n"
        )  # fmt: skip
        assert connection.recv(12) == b"HTTP/1.1 200"
    deadline = time.monotonic() + 10
    while "hostile-" not in served.output():
        assert time.monotonic() < deadline, "no access log line"
        time.sleep(0.1)
    output = served.output_file.read_bytes()
    assert unsafe_bytes_in(output) == []
    assert output.count(served.token.encode()) == 1  # the URL printed for the operator
