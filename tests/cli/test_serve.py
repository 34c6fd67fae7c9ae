"""`streamconsole serve`: the console in a browser on loopback, at the URL with the per-run
token that it prints. (What it refuses is in tests/hostile/test_serve.py.)"""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import httpx
import pytest

from tests.cli.conftest import ENTRY, Served, copy_sample, serving


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with serving(copy_sample(tmp_path_factory.mktemp("serve"))) as server:
        yield server


def test_serve_prints_a_url_with_a_token_on_loopback(served: Served) -> None:
    assert served.url == f"http://127.0.0.1:{served.port}/{served.token}/"
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", served.token)  # 32 random bytes, base64url
    assert "warning" not in served.output()  # loopback: no exposure warning


def test_the_url_opens_the_page(served: Served) -> None:
    page = httpx.get(served.url, timeout=10)
    assert page.status_code == 200
    assert "<title>streamconsole</title>" in page.text
    assert page.headers["Referrer-Policy"] == "no-referrer"  # the URL is a credential


def test_the_page_names_nothing_absolute_and_serves_what_it_names(served: Served) -> None:
    # Absolute URLs would fetch from the internet (fonts, scripts) or name a host and port
    # that are wrong behind 'ssh -L 9000:127.0.0.1:PORT'.
    page = httpx.get(served.url, timeout=10).text
    assert not re.search(r"[a-z][a-z0-9+.-]*://", page, re.IGNORECASE)
    assert not re.search(r"""(?:src|href)\s*=\s*["']?//|url\(\s*["']?//""", page)
    references = re.findall(r'(?:src|href)="([^"]+)"|url\("([^"]+)"\)', page)
    assets = {href or url for href, url in references}
    assert {"static/js/textual.js", "static/css/xterm.css"} < assets
    assert any(asset.startswith("static/fonts/") for asset in assets)  # the font is local
    for asset in assets:
        assert httpx.get(served.url + asset, timeout=10).status_code == 200, asset


async def test_the_page_origin_opens_the_console_websocket(served: Served) -> None:
    websocket_url = f"ws://127.0.0.1:{served.port}/{served.token}/ws?width=80&height=24"
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(websocket_url, origin=served.origin) as websocket,
    ):
        message = await websocket.receive(timeout=30)  # the console started and speaks
        assert message.type in (aiohttp.WSMsgType.BINARY, aiohttp.WSMsgType.TEXT)


async def test_the_websocket_works_through_ssh_forwarding_on_another_port(
    served: Served,
) -> None:
    # 'ssh -L 9000:127.0.0.1:PORT' passes the browser's bytes through unchanged: Host and
    # Origin both name the operator's local port.
    websocket_url = f"ws://127.0.0.1:{served.port}/{served.token}/ws"
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(
            websocket_url, origin="http://localhost:9000", headers={"Host": "localhost:9000"}
        ) as websocket,
    ):
        assert not websocket.closed


def test_the_token_is_printed_once_and_masked_in_the_access_log(served: Served) -> None:
    httpx.get(served.url + "static/css/xterm.css", timeout=10)
    httpx.get(f"{served.origin}/{served.token}-and-more/", timeout=10)
    deadline = time.monotonic() + 10
    while "/<token>-and-more/" not in served.output():
        assert time.monotonic() < deadline, f"no access log line: {served.output()}"
        time.sleep(0.1)
    output = served.output()
    assert "GET /<token>/static/css/xterm.css" in output
    assert output.count(served.token) == 1, output  # the line for the operator


def test_serve_warns_when_not_on_loopback(sample_dir: Path) -> None:
    # A missing config stops it before it binds anything; the warning comes first.
    result = subprocess.run(
        [str(ENTRY), "serve", "absent.toml", "--host", "0.0.0.0"],
        cwd=sample_dir,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2
    assert "warning: serving on 0.0.0.0 over plain HTTP" in result.stderr
    assert "no such file" in result.stderr
