"""`streamconsole serve` starts textual-serve on loopback and serves the console's page."""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

import httpx

from tests.cli.conftest import ENTRY


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_serve_binds_loopback_and_serves_the_page(sample_dir: Path) -> None:
    port = free_port()
    server = subprocess.Popen(
        [str(ENTRY), "serve", "streamconsole.toml", "--port", str(port)],
        cwd=sample_dir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        page = None
        while time.monotonic() < deadline and page is None:
            try:
                page = httpx.get(f"http://127.0.0.1:{port}/", timeout=2)
            except httpx.TransportError:
                time.sleep(0.2)
        assert page is not None, "the server did not answer within 20 s"
        assert page.status_code == 200
        assert "streamconsole" in page.text
        assert f'data-session-websocket-url="ws://127.0.0.1:{port}/ws"' in page.text
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert server.stderr is not None
    assert "warning" not in server.stderr.read()  # loopback: no exposure warning


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
    assert "no authentication" in result.stderr
    assert "no such file" in result.stderr
