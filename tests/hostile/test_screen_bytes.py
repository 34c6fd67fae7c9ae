"""Hostile names from a server, through every flow of the console, down to the bytes the
terminal receives.

The emulators hold names that carry an OSC 52 clipboard write, an SGR colour, a C1 CSI, a
right-to-left override, a bare CR and Rich markup (``tests/emulators/hostile_names.py``).
The console runs on them with a driver that keeps every byte it writes, and each flow
(load, token preview, palette, toggle, the unsaved-changes dialog, save, rotate, a save the
server refuses, reload) must write none of what the names carried: only Textual's own
sequences, the names shown as escapes. Markup in a name is text, never style.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from textual.command import CommandList, CommandPalette
from textual.pilot import Pilot
from textual.widgets import Static

from streamconsole.core.model import ScopeRef
from streamconsole.core.text import inert
from streamconsole.tui.app import StreamConsoleApp
from streamconsole.tui.edit_flows import EditFlows
from streamconsole.tui.sources import SourceOpener
from tests.emulators import AntMediaEmulator, TheoLiveEmulator, antmedia_state, theolive_state
from tests.emulators.hostile_names import hostile, hostile_segment
from tests.hostile.terminal import raw_controls, recording_driver
from tests.tui.conftest import Notes, text_of
from tests.tui.remote_support import antmedia_source, console_on, settle, theolive_source

Step = Callable[[Pilot[None]], Awaitable[None]]
SIZE = (100, 30)


@pytest.fixture(autouse=True)
def _no_animations(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")


@pytest.fixture
def notes() -> Notes:
    return Notes()


async def walk(app: StreamConsoleApp, steps: dict[str, Step], notes: Notes) -> dict[str, list[str]]:
    """Run ``steps`` in order on ``app``; what each one wrote to the terminal that only a
    hostile name could have put there (none: an empty list). ``notes`` gets every
    notification."""
    written: list[str] = []
    app.driver_class = recording_driver(written)
    leaks: dict[str, list[str]] = {}
    run = app.run_test(headless=False, size=SIZE, notifications=True, message_hook=notes.hook)
    async with run as pilot:
        for name, step in {"load": settle, **steps}.items():
            app.clear_notifications()  # each step's own notifications only
            await settle(pilot)
            written.clear()
            await step(pilot)
            await settle(pilot)
            leaks[name] = raw_controls("".join(written))
    return leaks


def on(ref: ScopeRef) -> Step:
    async def step(pilot: Pilot[None]) -> None:
        app = pilot.app
        assert isinstance(app, StreamConsoleApp)
        assert app.main_screen.scope_list.select(ref), f"{ref!r} is not in the list"

    return step


def keys(*pressed: str) -> Step:
    async def step(pilot: Pilot[None]) -> None:
        for key in pressed:
            await pilot.press(key)
            await settle(pilot)

    return step


def then(*steps: Step) -> Step:
    async def step(pilot: Pilot[None]) -> None:
        for each in steps:
            await each(pilot)

    return step


def palette_shows(text: str) -> Step:
    """The command palette (or the source picker) is open, and an entry shows ``text`` as
    it is: its markup as text."""

    async def step(pilot: Pilot[None]) -> None:
        assert isinstance(pilot.app.screen, CommandPalette)
        options = pilot.app.screen.query_one(CommandList).options
        prompts = [str(option.prompt) for option in options]
        assert any(text in prompt for prompt in prompts), prompts

    return step


TOGGLE = keys("l")  # play JWT on or off
ROTATE = keys("r", "ctrl+g", "ctrl+y")  # generate a key in the dialog and take it


def the_walk(
    selected: ScopeRef, saved: str, refused: str, changed_elsewhere: Callable[[], None]
) -> dict[str, Step]:
    """Every flow, on ``selected``: the edit named ``saved`` is saved; then another admin
    changes the scope on the server (``changed_elsewhere``), and the save of the edit named
    ``refused`` is refused (a conflict)."""
    edits = {"toggle": TOGGLE, "rotate": ROTATE}

    async def other_admin(pilot: Pilot[None]) -> None:
        changed_elsewhere()

    return {
        "select": on(selected),
        "token preview": keys("t", "escape"),
        "palette": then(keys("ctrl+p"), palette_shows(inert(str(selected))), keys("escape")),
        saved: edits[saved],
        "unsaved dialog": keys("q", "escape"),
        "save": keys("ctrl+s"),
        refused: edits[refused],
        "refused save": then(other_admin, keys("ctrl+s")),
        "reload": keys("ctrl+r", "D"),
    }


async def test_hostile_ant_media_names_never_reach_the_terminal_raw(
    antmedia: AntMediaEmulator, notes: Notes
) -> None:
    antmedia.state = antmedia_state.hostile_state()
    # One more application, whose streams cannot be read: the failure names it.
    antmedia.state.add_application(hostile_segment("Broken"))
    antmedia.faults.fail(500, times=None, path="/Broken*/rest/v2/broadcasts/*")
    app = console_on(antmedia_source(antmedia))
    selected = ScopeRef(antmedia_state.HOSTILE_APP, antmedia_state.HOSTILE_STREAM)
    elsewhere = "another-admins-stream-secret-0123456789"

    def new_secret_elsewhere() -> None:
        antmedia.state.update_settings(antmedia_state.HOSTILE_APP, jwtStreamSecretKey=elsewhere)

    leaks = await walk(app, the_walk(selected, "toggle", "rotate", new_secret_elsewhere), notes)

    assert {step: found for step, found in leaks.items() if found} == {}
    # Routine feedback names them in the status line (made inert there: no leak above);
    # error toasts show them as escapes, their markup as text.
    assert notes.any(f"Play JWT on for {antmedia_state.HOSTILE_APP} (unsaved)")
    assert notes.any("Saved 1 change to lab")
    assert notes.any(f"{inert(antmedia_state.HOSTILE_APP)}: settings you change were changed")
    settings = antmedia.state.settings(antmedia_state.HOSTILE_APP)
    assert settings["playJwtControlEnabled"] is True  # saved
    assert settings["jwtStreamSecretKey"] == elsewhere  # the new key was refused


async def test_hostile_theolive_names_never_reach_the_terminal_raw(
    theolive: TheoLiveEmulator, tmp_path: Path, notes: Notes
) -> None:
    theolive.state = theolive_state.hostile_state()
    # The profile's name comes from the config file: attacker input too.
    source = theolive_source(theolive, tmp_path, name=hostile("theo"))
    alias = theolive.state.aliases[theolive_state.HOSTILE_ALIAS]
    hostile_key = alias.keys[0]
    selected = ScopeRef(theolive_state.HOSTILE_CHANNEL, theolive_state.HOSTILE_ALIAS)

    def old_key_retired_elsewhere() -> None:
        theolive.state.delete_key(alias.id, hostile_key.id)

    walked = the_walk(selected, "rotate", "toggle", old_key_retired_elsewhere)
    leaks = await walk(console_on(source), walked, notes)

    assert {step: found for step, found in leaks.items() if found} == {}
    scope = inert(str(selected))
    assert notes.any("New HS256 key") and notes.any(f"for {selected} (unsaved)")
    assert notes.any(f"Saved 1 change to {hostile('theo')}.")
    assert notes.any("holds a control character")  # the channel with the refused alias
    assert notes.any(f"{scope}: token security changed on the server since it was loaded")
    # The new key was saved beside the old; the toggle's save was refused (nothing deleted).
    assert len(alias.keys) == 1
    assert alias.keys[0].material != hostile_key.material


def toml_key(name: str) -> str:
    """``name`` as a quoted TOML key (a JSON string is a TOML basic string)."""
    return json.dumps(name)


LOCKED, DOWN = hostile("locked"), hostile("down")  # servers' names: free text in a config
DOWN_CREDENTIALS = "STREAMCONSOLE_TEST_DOWN"


def hostile_config(directory: Path) -> Path:
    """A config whose application (its name as a server could name it, its label with every
    payload) and servers are named with the hostile payloads: one server without
    credentials, one that does not answer."""
    config = directory / "console.toml"
    secret = "config-file-shared-secret-0123456789abcdef"
    config.write_text(
        f'[applications.{toml_key(hostile_segment("App"))}]\nkind = "generic"\n'
        f"label = {toml_key(hostile('label'))}\n"
        f'key = {{ algorithm = "HS256", secret = "{secret}" }}\n'
        f'[servers.{toml_key(LOCKED)}]\nkind = "antmedia"\nurl = "http://127.0.0.1:9"\n'
        'credentials_env = "STREAMCONSOLE_TEST_UNSET"\n'
        f'[servers.{toml_key(DOWN)}]\nkind = "antmedia"\nurl = "http://127.0.0.1:9"\n'
        f'credentials_env = "{DOWN_CREDENTIALS}"\n',
        encoding="utf-8",
    )
    return config


async def could_not_read(pilot: Pilot[None]) -> None:
    """The console says, in place of the list, that the server named DOWN could not be read."""
    app = pilot.app
    assert isinstance(app, StreamConsoleApp)
    problems = text_of(app.main_screen.query_one("#problems-text", Static))
    assert problems.startswith(f"{inert(DOWN)} could not be read."), problems


async def test_hostile_names_in_the_config_never_reach_the_terminal_raw(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, notes: Notes
) -> None:
    """The config file is attacker input too: its names, through the source picker (browsed,
    then searched), the question about unsaved edits, a server that cannot be opened and
    one that cannot be read."""
    monkeypatch.chdir(tmp_path)
    config = Path(hostile_config(tmp_path).name)
    opener = SourceOpener(config, environ={DOWN_CREDENTIALS: "admin@example.com:password"})
    app = console_on(opener.open(None), opener=opener)
    steps: dict[str, Step] = {
        "toggle": TOGGLE,
        "picker": then(keys("o"), palette_shows(inert(LOCKED)), keys("escape")),
        "search": then(keys("o", *"locked"), palette_shows(inert(LOCKED))),
        "cannot open": keys("enter", "D"),
        "cannot read": then(keys("o", *"down", "enter", "D"), could_not_read),
    }
    leaks = await walk(app, steps, notes)

    assert {step: found for step, found in leaks.items() if found} == {}
    assert notes.any(f"Cannot open server {inert(LOCKED)}")


async def test_the_title_and_sub_title_are_inert(tmp_path: Path) -> None:
    app = console_on(SourceOpener(hostile_config(tmp_path)).open(None))
    async with app.run_test() as pilot:
        await settle(pilot)
        app.title, app.sub_title = hostile("title"), hostile("sub-title")
        assert (app.title, app.sub_title) == (inert(hostile("title")), inert(hostile("sub-title")))


async def test_a_crash_report_that_quotes_a_name_holds_none_of_its_controls(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug whose exception quotes a name: the traceback printed on the way out shows it
    as escapes too."""

    def failing_preview(self: EditFlows, ref: ScopeRef | None) -> None:
        raise RuntimeError(f"a bug, on {ref}")

    monkeypatch.setattr(EditFlows, "preview_token", failing_preview)
    app = console_on(SourceOpener(hostile_config(tmp_path)).open(None))

    async def preview() -> None:
        async with app.run_test() as pilot:
            await settle(pilot)
            await pilot.press("t")
            await pilot.pause()

    with pytest.raises(RuntimeError, match="a bug, on"):
        await preview()
    printed = capsys.readouterr()
    report = printed.err + printed.out
    assert "a bug, on App\\u202e[bold red]markup" in report  # as escapes, markup as text
    assert raw_controls(report) == []
