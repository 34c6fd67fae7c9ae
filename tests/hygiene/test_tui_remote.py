"""The console on a server (Ant Media with a password login, THEOlive v2 with HTTP Basic),
drawn and exported to SVG: the status line names the server and user, the detail shows
fingerprints, a secret pasted in the rotate dialog goes to the server and nowhere else."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.message import Message
from textual.notifications import Notify
from textual.pilot import Pilot
from textual.widgets import Input
from textual.worker import WorkerError

from streamconsole.backends.antmedia import AntMediaSource
from streamconsole.backends.http import HttpSettings
from streamconsole.backends.theolive import TheoLiveSource
from streamconsole.backends.theolive.records import KeyRecords
from streamconsole.core.keys import Algorithm, shared_key
from streamconsole.core.model import ScopeRef, ServerKind, ServerProfile
from streamconsole.core.secret import Secret
from streamconsole.tui.app import StreamConsoleApp
from streamconsole.tui.messages import Noted
from streamconsole.tui.rotate import RotateKeyScreen
from tests.emulators import AntMediaEmulator, TheoLiveEmulator
from tests.hygiene.canaries import (
    ADMIN_EMAIL,
    API_KEY,
    Canaries,
    Planted,
    assert_clean,
    assert_shows,
    planted_text,
)
from tests.hygiene.files import assert_state_clean
from tests.tui.screen_host import screen_text

FAST = HttpSettings(timeout=2.0, connect_timeout=2.0, retries=1, backoff=0.01)
SIZE = (120, 40)


def fixed_clock() -> float:
    return 1790812800.0


@pytest.fixture(autouse=True)
def _no_animations(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")


class Toasts:
    def __init__(self) -> None:
        self.texts: list[str] = []

    def hook(self, message: Message) -> None:
        if isinstance(message, Notify):
            self.texts.append(f"{message.notification.title}: {message.notification.message}")
        elif isinstance(message, Noted):  # the status line's notes
            self.texts.append(message.text)


def drawn(pilot: Pilot[Any]) -> str:
    return screen_text(pilot.app) + "\n" + pilot.app.export_screenshot()


async def settle(pilot: Pilot[Any]) -> None:
    """Until no worker is left (loads, alias fetches, saves); a cancelled one is fine."""
    for _ in range(200):
        await pilot.pause()
        running = [w for w in pilot.app.workers if not w.is_finished]
        if not running:
            await pilot.pause()
            return
        with contextlib.suppress(WorkerError):
            await pilot.app.workers.wait_for_complete(running)
    raise AssertionError("workers still running")


async def select(pilot: Pilot[Any], scope: str) -> None:
    app = pilot.app
    assert isinstance(app, StreamConsoleApp)
    assert app.main_screen.scope_list.select(ScopeRef.parse(scope))
    await settle(pilot)


async def paste_secret(pilot: Pilot[Any], secret: str) -> None:
    await pilot.press("r")
    await settle(pilot)
    assert isinstance(pilot.app.screen, RotateKeyScreen)
    field = pilot.app.screen.query_one("#rotate-secret", Input)
    field.focus()
    await pilot.pause()
    field.post_message(events.Paste(secret))
    await pilot.pause()


async def test_console_on_antmedia(antmedia: AntMediaEmulator, canaries: Canaries) -> None:
    antmedia.state.add_user(ADMIN_EMAIL, canaries.password)
    antmedia.state.jwt_server_secret_key = canaries.server_secret
    antmedia.state.update_settings("LiveApp", jwtStreamSecretKey=canaries.stream_secret)
    profile = ServerProfile("hygiene-ams", ServerKind.ANTMEDIA, antmedia.base_url)
    source = AntMediaSource(profile, Secret(f"{ADMIN_EMAIL}:{canaries.password}"), settings=FAST)
    toasts = Toasts()
    stream = canaries.secret("stream_secret")
    async with StreamConsoleApp(source, clock=fixed_clock).run_test(
        size=SIZE, message_hook=toasts.hook
    ) as pilot:
        await settle(pilot)
        sessions = [planted_text("the session id", s) for s in antmedia.state.sessions]
        planted: tuple[Planted, ...] = (*canaries.all, canaries.public_key, *sessions)
        for scope in ("WebRTCAppEE", "LiveApp/stream1", "LiveApp"):
            await select(pilot, scope)
            assert_clean(drawn(pilot), planted, f"the detail of {scope}")
        assert ADMIN_EMAIL in drawn(pilot)  # the status line names the user, and only that
        await pilot.press("v")
        assert_shows(drawn(pilot), stream, "LiveApp after 'v'")
        await pilot.press("v")
        assert_clean(drawn(pilot), planted, "LiveApp after 'v' again")

        await paste_secret(pilot, canaries.new_secret)
        assert_clean(drawn(pilot), planted, "a secret pasted for the server")
        await pilot.press("ctrl+y")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert_clean(drawn(pilot), planted, "the console after a save")
    assert antmedia.state.settings("LiveApp")["jwtStreamSecretKey"] == canaries.new_secret
    assert_clean("\n".join(toasts.texts), planted, "the notifications")
    audit = assert_state_clean(Path(os.environ["XDG_STATE_HOME"]), canaries)
    assert shared_key(Algorithm.HS256, canaries.new_secret).fingerprint in audit


async def test_console_on_theolive(theolive: TheoLiveEmulator, canaries: Canaries) -> None:
    theolive.state.api_keys[API_KEY] = canaries.api_secret
    profile = ServerProfile(
        "hygiene-theo", ServerKind.THEOLIVE, theolive.base_url, api_version="v2", auth="basic"
    )
    state = Path(os.environ["XDG_STATE_HOME"])
    source = TheoLiveSource(
        profile,
        Secret(f"{API_KEY}:{canaries.api_secret}"),
        settings=FAST,
        key_records=KeyRecords(state / "theolive" / "hygiene-theo.json"),
    )
    toasts = Toasts()
    planted = (*canaries.all, canaries.public_key)
    async with StreamConsoleApp(source, clock=fixed_clock).run_test(
        size=SIZE, message_hook=toasts.hook
    ) as pilot:
        await settle(pilot)
        for scope in ("news-channel/evening", "sports/sports-main", "sports/sports-backup"):
            await select(pilot, scope)
            assert_clean(drawn(pilot), planted, f"the detail of {scope}")
        await select(pilot, "sports/sports-main")
        await paste_secret(pilot, canaries.hs512_secret)
        assert_clean(drawn(pilot), planted, "a secret pasted for the server")
        await pilot.press("ctrl+y")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert_clean(drawn(pilot), planted, "the console after a save")
        await pilot.press("v")
        hs512 = canaries.secret("hs512_secret")
        assert_shows(drawn(pilot), hs512, "sports-main after 'v'")
    assert any(
        k.material == canaries.hs512_secret for k in theolive.state.aliases["sports-main"].keys
    )
    assert_clean("\n".join(toasts.texts), planted, "the notifications")
    assert_state_clean(state, canaries)
