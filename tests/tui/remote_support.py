"""The console on the emulators: sources built the way the backend tests build them (fast
HTTP settings), a status line without the latency for snapshots, and a wait for workers."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.worker import WorkerError

from streamconsole.backends.antmedia import AntMediaSource
from streamconsole.backends.base import remote_status
from streamconsole.backends.http import HttpSettings
from streamconsole.backends.theolive import TheoLiveSource
from streamconsole.backends.theolive.records import KeyRecords
from streamconsole.core.model import DEFAULT_CONCURRENCY, Application, ServerKind, ServerProfile
from streamconsole.core.secret import Secret
from streamconsole.tui.app import StreamConsoleApp
from tests.emulators import AntMediaEmulator, TheoLiveEmulator

from .conftest import fixed_clock

FAST = HttpSettings(timeout=1.0, connect_timeout=1.0, retries=1, backoff=0.01)
# A server that goes silent only trips this much later: long past any wait in a test.
PATIENT = HttpSettings(timeout=60.0, connect_timeout=5.0, retries=0)
PROFILE = "lab"


def antmedia_source(
    emulator: AntMediaEmulator,
    *,
    read_only: bool = False,
    settings: HttpSettings = FAST,
    cls: type[AntMediaSource] = AntMediaSource,
    concurrency: int = DEFAULT_CONCURRENCY,
) -> AntMediaSource:
    profile = ServerProfile(
        PROFILE, ServerKind.ANTMEDIA, emulator.base_url, concurrency=concurrency
    )
    credentials = Secret(f"{emulator.admin_email}:{emulator.admin_password}")
    return cls(profile, credentials, read_only=read_only, settings=settings)


def theolive_source(
    emulator: TheoLiveEmulator, state_dir: Path, *, name: str = "theo-lab"
) -> TheoLiveSource:
    """v2, as the profile ``name``; its key records in ``state_dir``."""
    profile = ServerProfile(
        name, ServerKind.THEOLIVE, emulator.base_url, api_version="v2", auth="basic"
    )
    credentials = Secret(f"{emulator.api_key}:{emulator.api_secret}")
    records = KeyRecords(state_dir / "theo-lab.json")
    return TheoLiveSource(profile, credentials, settings=FAST, key_records=records)


class SteadyAntMedia(AntMediaSource):
    """Ant Media with a status line that does not depend on this machine's speed: the real
    latency is replaced by a fixed one once a request has been made."""

    @property
    def status(self) -> str:
        latency = None if self.http.last_latency is None else 0.012
        return remote_status(self.profile.name, self.user, latency)


class HeldSettings(SteadyAntMedia):
    """Ant Media whose settings reads wait until the test opens the gate, recorded in the
    order they were asked for (the listing itself is not held)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.asked: list[str] = []
        self.gate = asyncio.Event()

    async def load_settings(self, app: Application) -> None:
        self.asked.append(app.name)
        await self.gate.wait()
        await super().load_settings(app)


class ClosingAntMedia(AntMediaSource):
    """Ant Media that remembers being closed."""

    closed = False

    async def aclose(self) -> None:
        self.closed = True
        await super().aclose()


def console_on(source: Any, **options: Any) -> StreamConsoleApp:
    return StreamConsoleApp(source, clock=fixed_clock, **options)


async def settle(pilot: Pilot[Any]) -> None:
    """Until no worker is left running (loads, alias fetches, saves) and the screen caught
    up. A worker cancelled on the way (a newer selection replaced it) is fine."""
    app = pilot.app
    for _ in range(1000):
        await pilot.pause()
        running = [worker for worker in app.workers if not worker.is_finished]
        if not running:
            await pilot.pause()
            return
        with contextlib.suppress(WorkerError):
            await app.workers.wait_for_complete(running)
    raise AssertionError(f"workers still running: {list(app.workers)}")
