"""Every console screen, as drawn and as exported to SVG, with known secrets loaded: the
shared secret shows only after the explicit reveal, key PEMs and signing secrets never."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.command import CommandPalette
from textual.message import Message
from textual.notifications import Notify
from textual.pilot import Pilot
from textual.widgets import Input, Select

from streamconsole.backends.toml_file import TomlSource
from streamconsole.core.keys import Algorithm, SharedKey, shared_key
from streamconsole.core.model import ScopeRef
from streamconsole.tui.app import StreamConsoleApp
from streamconsole.tui.dialogs import UnsavedChangesScreen
from streamconsole.tui.help import HelpScreen
from streamconsole.tui.messages import Noted
from streamconsole.tui.rotate import RotateKeyScreen
from streamconsole.tui.rotate_paste import KeyPasteBox
from streamconsole.tui.token_preview import TokenPreviewScreen
from tests.hygiene.canaries import (
    Canaries,
    Planted,
    assert_clean,
    assert_shows,
    broken_config,
    canary,
    environment,
    planted_text,
    planted_token,
    write_private,
)
from tests.hygiene.files import assert_state_clean
from tests.tui.screen_host import screen_text

FIXED_NOW = 1790812800.0  # 2026-10-01T00:00:00Z
SIZE = (120, 40)  # wide: the detail sits beside the list, a 72-character secret fits
SCOPES = (
    "LiveApp",
    "LiveApp/stream1",
    "news",
    "news/evening",
    "news/sports",
    "news/morning",
    "lab",
    "lab/bench",
)


def fixed_clock() -> float:
    return FIXED_NOW


@pytest.fixture(autouse=True)
def _no_animations(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")


class Notifications:
    """Every toast the app raised (run_test draws none, so they are read from messages), and
    every note for the status line."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def hook(self, message: Message) -> None:
        if isinstance(message, Notify):
            self.texts.append(f"{message.notification.title}: {message.notification.message}")
        elif isinstance(message, Noted):  # the status line's notes
            self.texts.append(message.text)

    @property
    def text(self) -> str:
        return "\n".join(self.texts)


@pytest.fixture
def toasts() -> Notifications:
    return Notifications()


@pytest.fixture
def console_app(
    config_path: Path, canaries: Canaries, monkeypatch: pytest.MonkeyPatch
) -> StreamConsoleApp:
    monkeypatch.chdir(config_path.parent)
    source = TomlSource(Path(config_path.name), environ=environment(canaries), clock=fixed_clock)
    return StreamConsoleApp(source, clock=fixed_clock)


def drawn(pilot: Pilot[Any]) -> str:
    """What the terminal shows, as text and as the SVG export (the snapshot format)."""
    return screen_text(pilot.app) + "\n" + pilot.app.export_screenshot()


async def loaded(pilot: Pilot[Any]) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def select(pilot: Pilot[Any], scope: str) -> None:
    app = pilot.app
    assert isinstance(app, StreamConsoleApp)
    assert app.main_screen.scope_list.select(ScopeRef.parse(scope))
    await pilot.pause()
    assert str(app.main_screen.scope_list.current_ref) == scope


async def pushed(pilot: Pilot[Any], kind: type[Any]) -> Any:
    await pilot.pause()
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, kind), f"expected {kind.__name__}, got {type(screen).__name__}"
    for field in screen.query("Input, TextArea"):
        field.cursor_blink = False  # type: ignore[attr-defined]
    return screen


def everything(canaries: Canaries) -> tuple[Planted, ...]:
    """On screen even the public key counts: the detail shows keys by fingerprint only."""
    return (*canaries.all, canaries.public_key)


def fingerprint(secret: str, algorithm: Algorithm = Algorithm.HS256) -> str:
    return shared_key(algorithm, secret).fingerprint


# --- main screen and detail -----------------------------------------------------------------


async def test_every_scope_detail_shows_fingerprints_only(
    console_app: StreamConsoleApp, canaries: Canaries, toasts: Notifications
) -> None:
    async with console_app.run_test(size=SIZE, message_hook=toasts.hook) as pilot:
        await loaded(pilot)
        for scope in SCOPES:
            await select(pilot, scope)
            assert_clean(drawn(pilot), everything(canaries), f"the detail of {scope}")
        await select(pilot, "news/sports")
        assert fingerprint(canaries.hs512_secret, Algorithm.HS512) in drawn(pilot)
    assert_clean(toasts.text, everything(canaries), "the notifications")


async def test_reveal_shows_the_shared_secret_and_hides_it_again(
    console_app: StreamConsoleApp, canaries: Canaries
) -> None:
    stream = canaries.secret("stream_secret")
    async with console_app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await select(pilot, "LiveApp")
        text = drawn(pilot)
        assert fingerprint(canaries.stream_secret) in text
        assert_clean(text, everything(canaries), "LiveApp before the reveal")

        await pilot.press("v")
        text = drawn(pilot)
        assert_shows(text, stream, "LiveApp after 'v'")
        assert_clean(text, everything(canaries), "LiveApp revealed", shown=[stream])

        await pilot.press("v")
        assert_clean(drawn(pilot), everything(canaries), "LiveApp after 'v' again")

        await pilot.press("v")
        assert_shows(drawn(pilot), stream, "LiveApp after 'v'")
        await select(pilot, "LiveApp/stream1")  # same key, another row: hidden again
        assert_clean(drawn(pilot), everything(canaries), "the next row after a reveal")


async def test_reveal_never_shows_key_pairs(
    console_app: StreamConsoleApp, canaries: Canaries, toasts: Notifications
) -> None:
    async with console_app.run_test(size=SIZE, message_hook=toasts.hook) as pilot:
        await loaded(pilot)
        await select(pilot, "news/evening")
        await pilot.press("v")
        assert_clean(drawn(pilot), everything(canaries), "news/evening after 'v'")
        assert "Only shared secrets can be revealed" in toasts.text


async def test_help_screen_and_palette(console_app: StreamConsoleApp, canaries: Canaries) -> None:
    async with console_app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await select(pilot, "LiveApp")
        await pilot.press("question_mark")
        await pushed(pilot, HelpScreen)
        assert_clean(drawn(pilot), everything(canaries), "the help screen")
        await pilot.press("escape")
        await pilot.press("ctrl+p")
        await pushed(pilot, CommandPalette)
        await pilot.press(*"secret")
        await pilot.pause()
        text = drawn(pilot)
        assert "Reveal secret: LiveApp" in text
        assert_clean(text, everything(canaries), "the command palette")


# --- rotation -------------------------------------------------------------------------------


async def test_rotate_generate_and_paste_a_secret(
    console_app: StreamConsoleApp,
    canaries: Canaries,
    config_path: Path,
    toasts: Notifications,
) -> None:
    new = canaries.secret("new_secret")
    async with console_app.run_test(size=SIZE, message_hook=toasts.hook) as pilot:
        await loaded(pilot)
        await select(pilot, "LiveApp")
        await pilot.press("r")
        screen = await pushed(pilot, RotateKeyScreen)
        assert_clean(drawn(pilot), everything(canaries), "the rotate dialog")

        await pilot.press("ctrl+g")
        generated = screen.candidate
        assert isinstance(generated, SharedKey)
        made = planted_text("the generated secret", generated.secret.reveal())
        text = drawn(pilot)
        assert generated.fingerprint in text
        assert_clean(text, (*everything(canaries), made), "a generated secret")
        await pilot.press("v")
        assert_shows(drawn(pilot), made, "a generated secret after v")
        await pilot.press("v")
        assert_clean(drawn(pilot), (*everything(canaries), made), "v again")

        field = screen.query_one("#rotate-secret", Input)
        field.focus()
        await pilot.pause()
        field.post_message(events.Paste(canaries.new_secret))
        await pilot.pause()
        assert screen.candidate is not None
        text = drawn(pilot)
        assert fingerprint(canaries.new_secret) in text
        assert_clean(text, everything(canaries), "a pasted secret")
        await pilot.press("escape", "v")  # out of the field, where v would type
        text = drawn(pilot)
        assert_shows(text, new, "a pasted secret after v")
        assert_clean(text, everything(canaries), "the revealed paste", shown=[new])
        await pilot.press("v")
        assert_clean(drawn(pilot), everything(canaries), "a pasted secret hidden again")

        await pilot.press("ctrl+y")
        await pilot.pause()
        assert pilot.app.screen is console_app.main_screen
        assert_clean(drawn(pilot), everything(canaries), "the detail of an unsaved key")

        await pilot.press("q")
        await pushed(pilot, UnsavedChangesScreen)
        text = drawn(pilot)
        assert fingerprint(canaries.new_secret) in text
        assert_clean(text, everything(canaries), "the unsaved-changes dialog")
        await pilot.press("s")  # save, then quit
        await loaded(pilot)
    assert_clean(toasts.text, everything(canaries), "the notifications")
    assert canaries.new_secret not in config_path.read_text(encoding="utf-8")
    assert fingerprint(canaries.new_secret) in assert_state_clean(
        Path(os.environ["XDG_STATE_HOME"]), canaries
    )


async def test_rotate_paste_a_private_key(
    console_app: StreamConsoleApp, canaries: Canaries, toasts: Notifications
) -> None:
    async with console_app.run_test(size=SIZE, message_hook=toasts.hook) as pilot:
        await loaded(pilot)
        await select(pilot, "news/morning")
        await pilot.press("r")
        screen = await pushed(pilot, RotateKeyScreen)
        screen.query_one("#rotate-algorithm", Select).value = Algorithm.RS256
        await pilot.pause()
        box = screen.query_one("#rotate-key-paste", KeyPasteBox)
        box.focus()
        await pilot.pause()
        box.post_message(events.Paste(canaries.private_pem))
        await pilot.pause()
        candidate = screen.candidate
        assert candidate is not None and candidate.can_sign
        text = drawn(pilot)
        assert candidate.fingerprint[:20] in text  # the panel wraps it
        assert "PEM PRIVATE key" in text
        assert_clean(text, everything(canaries), "a pasted private key")
        await pilot.press("v")  # no reveal for key pairs
        assert_clean(drawn(pilot), everything(canaries), "a pasted private key after v")

        await pilot.press("ctrl+y")
        await pilot.pause()
        assert_clean(drawn(pilot), everything(canaries), "the detail of a new key pair")
        await pilot.press("v")
        assert_clean(drawn(pilot), everything(canaries), "a new key pair after 'v'")
    assert_clean(toasts.text, everything(canaries), "the notifications")


# --- token preview --------------------------------------------------------------------------


async def test_token_preview_shows_the_token_never_its_key(
    console_app: StreamConsoleApp, canaries: Canaries
) -> None:
    async with console_app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        # A secret from a file, a key pair, a secret from the environment.
        for scope in ("LiveApp/stream1", "news/evening", "news/sports"):
            await select(pilot, scope)
            await pilot.press("t")
            screen = await pushed(pilot, TokenPreviewScreen)
            issued = screen.token
            assert issued is not None
            token = planted_token("the issued token", issued)
            text = drawn(pilot)
            assert_shows(text, token, f"the token preview of {scope}")
            assert_clean(text, everything(canaries), f"the token preview of {scope}")

            if scope == "LiveApp/stream1":  # the checker tab draws the same report
                await pilot.press("3")
                screen.query_one("#token-paste").post_message(events.Paste(issued))
                await pilot.pause()
                text = drawn(pilot)
                assert "ACCEPTED" in text
                assert_clean(text, everything(canaries), f"a pasted token on {scope}")
            pilot.app.pop_screen()
            await pilot.pause()


# --- a config that does not load ------------------------------------------------------------


async def test_config_errors_name_places_not_secrets(
    tmp_path: Path, canaries: Canaries, monkeypatch: pytest.MonkeyPatch
) -> None:
    weak = canary("weak", 26)
    spaced = " " + canaries.new_secret
    (tmp_path / "keys").mkdir()
    write_private(tmp_path / "keys" / "rs256.pem", canaries.private_pem)
    (tmp_path / "broken.toml").write_text(broken_config(weak, "SPACED"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    source = TomlSource(Path("broken.toml"), environ={"SPACED": spaced}, clock=fixed_clock)
    app = StreamConsoleApp(source, clock=fixed_clock)
    planted = (*everything(canaries), planted_text("the weak secret", weak))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        assert app.load_failed
        text = drawn(pilot)
        assert "applications.news.aliases.evening.key.key_file" in text
        assert "PRIVATE key" in text
        assert "white space" in text
        assert_clean(text, planted, "the config-error state")
