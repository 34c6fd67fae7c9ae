"""Fixtures for the console's pilot and snapshot tests: a real TomlSource over a copy of
tests/tui/fixtures/console.toml and the fixed test keys, a fixed clock, no animations."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from textual import events
from textual.content import Content
from textual.message import Message
from textual.notifications import Notify
from textual.pilot import Pilot
from textual.widgets import Static

from streamconsole.backends.toml_file import TomlSource
from streamconsole.backends.user_settings import SettingsFile, settings_path
from streamconsole.core.glyphs import UNICODE, Glyphs
from streamconsole.core.model import ScopeRef
from streamconsole.tui.app import StreamConsoleApp
from streamconsole.tui.messages import Noted
from streamconsole.tui.scope_list import ScopeList
from tests.cli.conftest import Fleet
from tests.emulators import AntMediaEmulator, TheoLiveEmulator

HERE = Path(__file__).parent
KEYS = HERE.parent / "fixtures" / "keys"
# 2026-10-01T00:00:00Z: LiveApp's key is then 29 days old, evening's 624.
FIXED_NOW = 1790812800.0
SECRETS = tuple(
    (KEYS / name).read_text(encoding="utf-8").strip() for name in ("hs256.secret", "hs512.secret")
) + tuple(
    line
    for name in ("rs256.pem", "es256.pem")
    for line in (KEYS / name).read_text(encoding="utf-8").splitlines()
    if line and not line.startswith("-----")
)


def fixed_clock() -> float:
    return FIXED_NOW


@pytest.fixture(autouse=True)
def _no_animations(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")
    monkeypatch.delenv("NO_COLOR", raising=False)


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    """A private copy of the test config and its keys (saving writes into it)."""
    shutil.copy(HERE / "fixtures" / "console.toml", tmp_path / "console.toml")
    shutil.copytree(KEYS, tmp_path / "keys")
    for key_file in (tmp_path / "keys").iterdir():
        key_file.chmod(0o600)  # git checks files out 0644: the source would warn about each
    return tmp_path


@pytest.fixture
def config_path(config_dir: Path) -> Path:
    return config_dir / "console.toml"


AppFactory = Callable[..., StreamConsoleApp]


@pytest.fixture
def make_app(config_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppFactory:
    # A relative path, so the status line and messages (and snapshots) do not show tmp_path.
    monkeypatch.chdir(config_path.parent)

    def make(
        *, read_only: bool = False, theme: str | None = None, glyphs: Glyphs = UNICODE
    ) -> StreamConsoleApp:
        source = TomlSource(Path(config_path.name), read_only=read_only, clock=fixed_clock)
        settings = SettingsFile(settings_path()).read()  # as the launcher does, once
        return StreamConsoleApp(
            source,
            clock=fixed_clock,
            read_only=read_only,
            theme=theme,
            glyphs=glyphs,
            settings=settings,
        )

    return make


@dataclass(frozen=True)
class FleetLab:
    """The fleet's emulators, and the directory its config (and audit log) is written in."""

    directory: Path
    eu: AntMediaEmulator
    us: AntMediaEmulator
    theo: TheoLiveEmulator

    @property
    def audit(self) -> Path:
        return self.directory / "audit.jsonl"

    def fleet(self, *, us_read_only: bool) -> Fleet:
        return Fleet(self.directory, self.eu, self.us, self.theo, us_read_only=us_read_only)


@pytest.fixture
def fleet_lab(
    tmp_path: Path,
    antmedia: AntMediaEmulator,
    antmedia_us: AntMediaEmulator,
    theolive: TheoLiveEmulator,
) -> FleetLab:
    """Several servers at once (issue 16): the consoles of tests/tui/fleet_support.py."""
    return FleetLab(tmp_path, antmedia, antmedia_us, theolive)


class Notes:
    """What the app said, captured from its message stream: toasts (``toasts`` counts them)
    and the status line's notes."""

    def __init__(self) -> None:
        self.messages: list[str] = []
        self.titles: list[str] = []
        self.toasts = 0

    def hook(self, message: Message) -> None:
        if isinstance(message, Notify):
            self.messages.append(message.notification.message)
            self.titles.append(message.notification.title)
            self.toasts += 1
        elif isinstance(message, Noted):
            self.messages.append(message.text)

    def any(self, fragment: str) -> bool:
        return any(fragment in text for text in self.messages + self.titles)

    def clear(self) -> None:
        self.messages.clear()
        self.titles.clear()
        self.toasts = 0


@pytest.fixture
def notes() -> Notes:
    return Notes()


# --- pilot helpers ------------------------------------------------------------------------


async def wait_loaded(pilot: Pilot[None]) -> None:
    """Until the load (or save) workers finished and the screen caught up."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


_KEY_NAMES = {"/": "slash", " ": "space"}


async def burst(pilot: Pilot[None], typed: str) -> None:
    """``typed`` as one burst, as SSH or mosh deliver fast typing: every key is queued
    before the app handles the first (``Pilot.press`` lets the app settle after each)."""
    for char in typed:
        pilot.app.post_message(events.Key(_KEY_NAMES.get(char, char), char))
    await pilot.pause()


def console(pilot: Pilot[None]) -> StreamConsoleApp:
    app = pilot.app
    assert isinstance(app, StreamConsoleApp)
    return app


def scope_list(pilot: Pilot[None]) -> ScopeList:
    return console(pilot).main_screen.scope_list


def current(pilot: Pilot[None]) -> str:
    return str(scope_list(pilot).current_ref)


def text_of(widget: Static) -> str:
    content = widget.content
    return content.plain if isinstance(content, Content) else str(content)


def detail_text(pilot: Pilot[None]) -> str:
    return text_of(console(pilot).main_screen.query_one("#detail-body", Static))


def row_text(pilot: Pilot[None], ref: str | ScopeRef) -> str:
    """The drawn text of the row naming ``ref`` (it must be visible)."""
    widget = scope_list(pilot)
    assert widget.index is not None
    row = widget.index.locate(ScopeRef.parse(ref) if isinstance(ref, str) else ref)
    assert row is not None
    number = widget.index.find(row)
    assert number is not None
    y = number - int(widget.scroll_y)
    assert 0 <= y < widget.size.height, f"{ref} is not on screen"
    return widget.render_line(y).text
