"""Serving an emulator for real: uvicorn on 127.0.0.1, in a thread (tests) or in front (CLI).

The server thread owns its own event loop, so the same running emulator serves sync tests,
async tests (any loop) and benchmarks alike.
"""

from __future__ import annotations

import argparse
import socket
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Generic, Self, TypeVar

import uvicorn
from starlette.types import ASGIApp

from .delivery import Delivery
from .faults import FaultMiddleware, FaultPlan, RequestLog

HOST = "127.0.0.1"
_START_TIMEOUT = 10.0
_STOP_TIMEOUT = 10.0

StateT = TypeVar("StateT")


class ServerThread:
    """``app`` served by uvicorn on 127.0.0.1 (a free port unless told) in a daemon thread."""

    def __init__(self, app: ASGIApp, *, port: int = 0) -> None:
        self._app = app
        self._port = port
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.base_url = ""

    def start(self) -> str:
        if self._server is not None:
            raise RuntimeError("server already started")
        # proto must be IPPROTO_TCP (not 0): asyncio sets TCP_NODELAY only on sockets that
        # say so, and without it every reply body waits ~40 ms for a delayed ACK.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((HOST, self._port))
        port = sock.getsockname()[1]
        config = uvicorn.Config(
            self._app,
            log_level="warning",
            access_log=False,
            lifespan="off",
            # A hung request (fault "hang") must not hold shutdown for long.
            timeout_graceful_shutdown=1,
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name=f"emulator:{port}", daemon=True
        )
        thread.start()
        deadline = time.monotonic() + _START_TIMEOUT
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                sock.close()
                raise RuntimeError(f"emulator server on port {port} did not start")
            time.sleep(0.005)
        self._server, self._thread = server, thread
        self.base_url = f"http://{HOST}:{port}"
        return self.base_url

    def stop(self) -> None:
        if self._server is None or self._thread is None:
            return
        self._server.should_exit = True
        self._thread.join(_STOP_TIMEOUT)
        if self._thread.is_alive():
            raise RuntimeError(f"emulator server at {self.base_url} did not stop")
        self._server = self._thread = None


class Emulator(ABC, Generic[StateT]):
    """One emulated server: its state, armed faults, request log, and (once started) URL.

    Request handlers read ``self.state`` on every request, so :meth:`reset` (or a test
    assigning a new state) takes effect at once, even on a running server.
    """

    def __init__(self) -> None:
        self.faults = FaultPlan()
        self.log = RequestLog()
        # Every request to a delivery endpoint, whole (see .delivery); cleared by reset().
        self.deliveries: list[Delivery] = []
        self.state: StateT = self.demo_state()
        self._server: ServerThread | None = None

    @abstractmethod
    def demo_state(self) -> StateT:
        """The seeded state every test starts from."""

    @abstractmethod
    def routes(self) -> ASGIApp:
        """The emulated API, without faults."""

    @abstractmethod
    def app_of(self, path: str) -> str | None:
        """Which application a request path concerns, for the request log."""

    def asgi(self) -> ASGIApp:
        return FaultMiddleware(self.routes(), self.faults, self.log, self.app_of)

    def reset(self) -> None:
        """Back to the demo state, no faults, empty logs."""
        self.state = self.demo_state()
        self.faults.clear()
        self.log.clear()
        self.deliveries.clear()

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("emulator not started")
        return self._server.base_url

    def start(self, *, port: int = 0) -> str:
        self._server = ServerThread(self.asgi(), port=port)
        return self._server.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def cli_port(description: str, default_port: int, argv: Sequence[str] | None) -> int:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--port", type=int, default=default_port, help=f"port on {HOST} (default {default_port})"
    )
    port: int = parser.parse_args(argv).port
    return port


def serve_forever(emulator: Emulator[StateT], port: int) -> None:
    """Serve in the foreground until Ctrl+C (bound to 127.0.0.1 only).

    uvicorn's access log is off: it prints query strings, where tokens travel. The request
    log echoes method, path and status instead.
    """
    emulator.log.echo = True
    uvicorn.run(emulator.asgi(), host=HOST, port=port, log_level="info", access_log=False)
