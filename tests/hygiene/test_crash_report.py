"""Textual's crash report: an unexpected exception ends the app and prints a traceback to
stderr. Secrets live as plain text in frames the Secret type cannot wrap (a pasted secret
in the rotate dialog, HMAC key bytes inside PyJWT), so the report must not print them."""

from __future__ import annotations

import io
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

import jwt.algorithms
import pytest
from rich.console import Console
from rich.pretty import pretty_repr
from rich.traceback import Traceback
from textual import events
from textual.binding import Binding, BindingType
from textual.pilot import Pilot
from textual.widgets import Input

import streamconsole.tui.rotate
from streamconsole.backends.base import Source
from streamconsole.backends.toml_file import TomlSource
from streamconsole.core.edits import set_key
from streamconsole.core.key_import import private_key_from_pem
from streamconsole.core.key_records import KeyEntry, KeyOrigin
from streamconsole.core.keys import Algorithm, Key, shared_key
from streamconsole.core.model import Application, Config, ScopeRef, ServerKind
from streamconsole.core.secret import Secret
from streamconsole.tui.app import StreamConsoleApp
from tests.hygiene.canaries import Canaries, assert_clean, environment

FIXED_NOW = 1790812800.0


def fixed_clock() -> float:
    return FIXED_NOW


class Crash(RuntimeError):
    """The unexpected exception these tests plant."""


class CrashingConsole(StreamConsoleApp):
    """The console with one more key, whose action fails while keys are in its locals."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("f9", "crash", "Crash")]

    def __init__(self, source: Source, canaries: Canaries) -> None:
        super().__init__(source, clock=fixed_clock)
        self._canaries = canaries

    def action_crash(self) -> None:
        secret = Secret(self._canaries.stream_secret)
        shared = shared_key(Algorithm.HS256, secret.reveal())
        assert shared.hmac_key  # cached on the key now
        entry = KeyEntry(shared, KeyOrigin.FILE, "keys/live.secret")
        pair = private_key_from_pem(Algorithm.RS256, self._canaries.private_pem)
        assert pair.signing_key  # the parsed private key, cached too
        pair_entry = KeyEntry(pair, KeyOrigin.FILE, "keys/rs256.pub.pem", "keys/rs256.pem")
        raise Crash(f"unexpected, with {entry.fingerprint} and {pair_entry.fingerprint} in hand")


@pytest.fixture(autouse=True)
def _no_animations(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")


@pytest.fixture
def source(config_path: Path, canaries: Canaries, monkeypatch: pytest.MonkeyPatch) -> TomlSource:
    monkeypatch.chdir(config_path.parent)
    return TomlSource(Path(config_path.name), environ=environment(canaries), clock=fixed_clock)


Steps = Callable[[Pilot[Any]], Awaitable[None]]


async def run(app: StreamConsoleApp, scope: str, steps: Steps) -> None:
    """Load, select ``scope``, take ``steps``: the app ends with the planted exception."""
    async with app.run_test() as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.main_screen.scope_list.select(ScopeRef.parse(scope))
        await pilot.pause()
        await steps(pilot)


def crash_report(capsys: pytest.CaptureFixture[str]) -> str:
    """What the app printed on its way out; it must be a traceback naming the crash."""
    printed = capsys.readouterr()
    report = printed.err + printed.out
    assert "Traceback" in report
    assert "Crash" in report
    return report


async def test_keys_in_the_failing_frame(
    source: TomlSource, canaries: Canaries, capsys: pytest.CaptureFixture[str]
) -> None:
    async def crash(pilot: Pilot[Any]) -> None:
        await pilot.press("f9")
        await pilot.pause()

    with pytest.raises(Crash):
        await run(CrashingConsole(source, canaries), "LiveApp", crash)
    report = crash_report(capsys)
    assert "action_crash" in report
    assert_clean(report, canaries.all, "the crash report")


async def test_a_pasted_secret_in_the_rotate_dialog(
    source: TomlSource,
    canaries: Canaries,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def failing_check(app: Application, key: Key) -> None:
        raise Crash("a bug in the key check")

    async def paste(pilot: Pilot[Any]) -> None:
        await pilot.press("r")
        await pilot.pause()
        await pilot.pause()
        field = pilot.app.screen.query_one("#rotate-secret", Input)
        field.focus()
        await pilot.pause()
        field.post_message(events.Paste(canaries.new_secret))
        await pilot.pause()

    monkeypatch.setattr(streamconsole.tui.rotate, "check_key_for", failing_check)
    with pytest.raises(Crash):
        await run(StreamConsoleApp(source, clock=fixed_clock), "LiveApp", paste)
    report = crash_report(capsys)
    assert "_import_secret" in report
    assert_clean(report, canaries.all, "the crash report")


async def test_signing_key_bytes_inside_pyjwt(
    source: TomlSource,
    canaries: Canaries,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def failing_sign(self: object, msg: bytes, key: bytes) -> bytes:
        raise Crash("a bug inside PyJWT")

    async def preview(pilot: Pilot[Any]) -> None:
        await pilot.press("t")
        await pilot.pause()

    monkeypatch.setattr(jwt.algorithms.HMACAlgorithm, "sign", failing_sign)
    with pytest.raises(Crash):
        await run(StreamConsoleApp(source, clock=fixed_clock), "LiveApp/stream1", preview)
    report = crash_report(capsys)
    assert "jwt" in report
    assert_clean(report, canaries.all, "the crash report")


def test_key_objects_print_no_key_material(canaries: Canaries) -> None:
    """The objects that hold keys, as repr(), str() and rich's pretty printer show them (the
    way Textual showed locals until the crash report dropped them), and as locals of a
    traceback rendered with show_locals by anything else (a rich logging handler, say)."""
    shared = shared_key(Algorithm.HS256, canaries.stream_secret)
    assert shared.hmac_key  # cached in the instance's __dict__ now
    pair = private_key_from_pem(Algorithm.RS256, canaries.private_pem)
    assert pair.signing_key
    entry = KeyEntry(shared, KeyOrigin.FILE, "keys/live.secret")
    pair_entry = KeyEntry(pair, KeyOrigin.FILE, "keys/rs256.pub.pem", "keys/rs256.pem")
    change = set_key(
        Config({"LiveApp": Application("LiveApp", ServerKind.ANTMEDIA)}),
        ScopeRef("LiveApp"),
        shared,
        datetime.now(UTC),
    )
    held = (Secret(canaries.new_secret), shared, pair, entry, pair_entry, change)
    for thing in held:
        for text in (repr(thing), str(thing), pretty_repr(thing)):
            assert_clean(text, canaries.all, f"a {type(thing).__name__}")

    def failing(secret: Secret, entries: tuple[KeyEntry, ...]) -> None:
        raise Crash("with keys in hand")

    buffer = io.StringIO()
    console = Console(width=100, file=buffer, color_system=None)
    try:
        failing(held[0], (entry, pair_entry))
    except Crash:
        console.print(Traceback(show_locals=True, locals_max_length=10))
    report = buffer.getvalue()
    assert "Secret('********')" in report  # the locals were rendered
    assert_clean(report, canaries.all, "a traceback with locals")
