"""The shell around the main screen: loading, errors, quitting, read-only, help, palette."""

from __future__ import annotations

import asyncio
import tomllib
from collections.abc import Sequence
from pathlib import Path

import pytest

from streamconsole.backends.base import Problem
from streamconsole.backends.toml_file import TomlSource
from streamconsole.core.edits import Change
from streamconsole.core.model import Application, Config, ScopeRef
from streamconsole.tui.app import StreamConsoleApp
from streamconsole.tui.dialogs import UnsavedChangesScreen
from streamconsole.tui.help import HelpScreen
from streamconsole.tui.main_screen import MainScreen
from streamconsole.tui.rotate import RotateKeyScreen

from .conftest import (
    SECRETS,
    AppFactory,
    Notes,
    console,
    current,
    detail_text,
    fixed_clock,
    row_text,
    scope_list,
    text_of,
    wait_loaded,
)


class GatedSource:
    """A TomlSource that reads only when the test opens the gate (to see the loading state)."""

    def __init__(self, inner: TomlSource) -> None:
        self.inner = inner
        self.gate = asyncio.Event()

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def status(self) -> str:
        return self.inner.status

    @property
    def read_only(self) -> bool:
        return self.inner.read_only

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return self.inner.warnings

    async def load(self) -> Config:
        await self.gate.wait()
        return await self.inner.load()

    async def load_aliases(self, app: Application) -> None:
        await self.inner.load_aliases(app)

    async def apply(self, changes: Sequence[Change]) -> None:
        await self.inner.apply(changes)

    async def aclose(self) -> None:
        await self.inner.aclose()


class FailingSaveSource(GatedSource):
    """A source whose writes fail the way a buggy backend's might: not a SourceError."""

    def __init__(self, inner: TomlSource) -> None:
        super().__init__(inner)
        self.gate.set()

    async def apply(self, changes: Sequence[Change]) -> None:
        raise OSError(28, "No space left on device")


# --- loading and bad input ----------------------------------------------------------------


async def test_the_screen_shows_a_loading_state_until_the_config_is_read(
    config_path: Path,
) -> None:
    source = GatedSource(TomlSource(config_path, clock=fixed_clock))
    app = StreamConsoleApp(source, clock=fixed_clock)
    async with app.run_test() as pilot:
        await pilot.pause()
        assert "loading" in text_of(app.main_screen.query_one("#status-text"))
        assert "Loading" in detail_text(pilot)
        assert scope_list(pilot).index is None
        source.gate.set()
        await wait_loaded(pilot)
        assert "loading" not in text_of(app.main_screen.query_one("#status-text"))
        assert current(pilot) == "LiveApp"


async def test_config_errors_are_listed_in_place_and_quitting_returns_1(
    make_app: AppFactory, config_path: Path, notes: Notes
) -> None:
    config_path.write_text('[applications.broken]\nkind = "wowza"\n', encoding="utf-8")
    app = make_app()
    async with app.run_test(message_hook=notes.hook) as pilot:
        await wait_loaded(pilot)
        problems = text_of(app.main_screen.query_one("#problems-text"))
        assert "The config has errors" in problems
        assert "applications.broken.kind" in problems
        assert "console.toml" in problems
        assert "Traceback" not in problems
        assert app.main_screen.has_class("-broken")
        shown = {active.binding.action for active in app.screen.active_bindings.values()}
        assert "quit" in shown and "reload" in shown
        assert not shown & {"toggle_publish", "toggle_play", "rotate_key", "save"}
        await pilot.press("q")
    assert app.return_code == 1


async def test_a_missing_file_is_explained_not_raised(tmp_path: Path) -> None:
    app = StreamConsoleApp(TomlSource(tmp_path / "nope.toml"), clock=fixed_clock)
    async with app.run_test() as pilot:
        await wait_loaded(pilot)
        problems = text_of(app.main_screen.query_one("#problems-text"))
        assert "no such file" in problems


async def test_the_problems_pane_is_built_by_a_failed_load_once(
    make_app: AppFactory, config_path: Path
) -> None:
    async with make_app().run_test() as pilot:
        await wait_loaded(pilot)
        screen = console(pilot).main_screen
        assert not screen.query("#problems")  # a config that loads never needs it
        for broken in ("this is = not [toml", '[applications.broken]\nkind = "wowza"\n'):
            config_path.write_text(broken, encoding="utf-8")
            await pilot.press("ctrl+r")
            await wait_loaded(pilot)
        assert len(screen.query("#problems")) == 1  # the second failure reuses it
        assert "applications.broken.kind" in text_of(screen.query_one("#problems-text"))


async def test_ctrl_r_reloads_after_the_file_was_fixed(
    make_app: AppFactory, config_path: Path
) -> None:
    good = config_path.read_text("utf-8")
    config_path.write_text("this is = not [toml", encoding="utf-8")
    async with make_app().run_test() as pilot:
        await wait_loaded(pilot)
        assert console(pilot).main_screen.has_class("-broken")
        config_path.write_text(good, encoding="utf-8")
        await pilot.press("ctrl+r")
        await wait_loaded(pilot)
        assert not console(pilot).main_screen.has_class("-broken")
        assert current(pilot) == "LiveApp"


async def test_source_warnings_are_notified_and_shown_where_they_belong(
    make_app: AppFactory, config_dir: Path, notes: Notes
) -> None:
    (config_dir / "keys" / "hs256.secret").chmod(0o644)
    async with make_app().run_test(message_hook=notes.hook) as pilot:
        await wait_loaded(pilot)
        assert notes.any("1 warning in the config")
        assert "readable by other users" in detail_text(pilot)
        await pilot.press("end")
        assert current(pilot) == "bare/s1"
        assert "readable by other users" not in detail_text(pilot)


async def test_a_keys_directory_others_can_write_is_warned_about_for_every_scope(
    make_app: AppFactory, config_dir: Path, notes: Notes
) -> None:
    (config_dir / "keys").chmod(0o777)
    async with make_app().run_test(message_hook=notes.hook) as pilot:
        await wait_loaded(pilot)
        assert notes.any("1 warning in the config")
        assert "'keys' of key files is writable by other users" in detail_text(pilot)
        await pilot.press("end")
        assert current(pilot) == "bare/s1"
        assert "'keys' of key files is writable by other users" in detail_text(pilot)


async def test_a_config_without_applications_says_so(
    make_app: AppFactory, config_path: Path, notes: Notes
) -> None:
    config_path.write_text('[console]\nsave = "manual"\n', encoding="utf-8")
    async with make_app().run_test(message_hook=notes.hook) as pilot:
        await wait_loaded(pilot)
        assert "no applications" in detail_text(pilot)
        await pilot.press("down", "enter", "p", "v", "t")
        assert notes.any("Nothing is selected")
        assert isinstance(pilot.app.screen, MainScreen)


async def test_hostile_names_are_shown_inert(
    make_app: AppFactory, config_path: Path, notes: Notes
) -> None:
    hostile = (
        '\n[applications."[b]evil[/b]"]\nkind = "generic"\n'
        '[applications."[b]evil[/b]".aliases]\n"[red]red[/red]" = {}\n'
    )
    config_path.write_text(config_path.read_text("utf-8") + hostile, encoding="utf-8")
    async with make_app().run_test(message_hook=notes.hook) as pilot:
        await wait_loaded(pilot)
        await pilot.press("end")
        row = row_text(pilot, ScopeRef("[b]evil[/b]", "[red]red[/red]"))
        assert "[red]red[/red]" in row  # shown as typed, not as markup
        await pilot.press("l")
        assert notes.any("[b]evil[/b]")


async def test_a_name_with_control_characters_is_a_config_error_shown_inert(
    make_app: AppFactory, config_path: Path
) -> None:
    # No server could be asked for such a name (it would be a URL path segment), so the
    # config refuses it; the error names it with its control characters escaped.
    hostile = '\n[applications.evil]\nkind = "generic"\n[applications.evil.aliases]\n'
    hostile += '"bell\\u0007\\u001b[31mred" = {}\n'
    config_path.write_text(config_path.read_text("utf-8") + hostile, encoding="utf-8")
    app = make_app()
    async with app.run_test() as pilot:
        await wait_loaded(pilot)
        problems = text_of(app.main_screen.query_one("#problems-text"))
        assert "applications.evil.aliases" in problems
        assert "\\x07\\x1b[31mred" in problems
        assert "\x1b" not in problems and "\x07" not in problems


async def test_an_unexpected_save_failure_is_a_notification_not_a_traceback(
    config_path: Path, notes: Notes
) -> None:
    app = StreamConsoleApp(FailingSaveSource(TomlSource(config_path)), clock=fixed_clock)
    async with app.run_test(message_hook=notes.hook) as pilot:
        await wait_loaded(pilot)
        await pilot.press("l", "ctrl+s")
        await wait_loaded(pilot)
        assert notes.any("unexpected OSError")
        assert app.is_running
        session = console(pilot).session
        assert session is not None and len(session.pending) == 1


# --- leaving ------------------------------------------------------------------------------


async def test_q_quits_at_once_when_nothing_is_unsaved(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await wait_loaded(pilot)
        await pilot.press("q")
    assert app.return_code == 0


@pytest.mark.parametrize("cancel_key", ["escape", "q"])
async def test_quitting_with_unsaved_edits_asks_and_cancel_stays(
    make_app: AppFactory, cancel_key: str
) -> None:
    async with make_app().run_test() as pilot:
        await wait_loaded(pilot)
        await pilot.press("l", "q")
        await pilot.pause()
        assert isinstance(pilot.app.screen, UnsavedChangesScreen)
        await pilot.press(cancel_key)
        await pilot.pause()
        assert isinstance(pilot.app.screen, MainScreen)
        session = console(pilot).session
        assert session is not None and len(session.pending) == 1


async def test_quit_and_discard_leaves_the_file_alone(
    make_app: AppFactory, config_path: Path
) -> None:
    before = config_path.read_bytes()
    app = make_app()
    async with app.run_test() as pilot:
        await wait_loaded(pilot)
        await pilot.press("l", "ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, UnsavedChangesScreen)
        await pilot.press("D")
        await pilot.pause()
    assert app.return_code == 0
    assert config_path.read_bytes() == before


async def test_quit_and_save_writes_then_exits(make_app: AppFactory, config_path: Path) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await wait_loaded(pilot)
        await pilot.press("l", "q")
        await pilot.pause()
        await pilot.press("s")
        await wait_loaded(pilot)
    assert app.return_code == 0
    data = tomllib.loads(config_path.read_text("utf-8"))
    assert data["applications"]["LiveApp"]["play"] is True


async def test_reload_with_unsaved_edits_asks_and_discard_drops_them(
    make_app: AppFactory,
) -> None:
    async with make_app().run_test() as pilot:
        await wait_loaded(pilot)
        await pilot.press("down", "l", "ctrl+r")
        await pilot.pause()
        assert isinstance(pilot.app.screen, UnsavedChangesScreen)
        await pilot.press("D")
        await wait_loaded(pilot)
        session = console(pilot).session
        assert session is not None and session.pending == ()
        assert "▶○" in row_text(pilot, "LiveApp")
        assert current(pilot) == "LiveApp/stream1"  # the cursor survives the reload


# --- read-only ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("keys", "refusal"),
    [
        (["p"], "cannot change publish JWT enforcement"),
        (["l"], "cannot change play JWT enforcement"),
        (["r"], "cannot change a key"),
        (["ctrl+s"], "cannot save"),
    ],
)
async def test_read_only_refuses_writes_with_a_notification(
    make_app: AppFactory, config_path: Path, notes: Notes, keys: list[str], refusal: str
) -> None:
    before = config_path.read_bytes()
    async with make_app(read_only=True).run_test(message_hook=notes.hook) as pilot:
        await wait_loaded(pilot)
        assert pilot.app.screen.query_one("#read-only-badge").display
        await pilot.press(*keys)
        await pilot.pause()
        assert notes.any(refusal)
        assert isinstance(pilot.app.screen, MainScreen)  # no key dialog either
        session = console(pilot).session
        assert session is not None and session.pending == ()
    assert config_path.read_bytes() == before


async def test_read_only_from_the_config_file(make_app: AppFactory, config_path: Path) -> None:
    text = config_path.read_text("utf-8").replace("[console]", "[console]\nread_only = true")
    config_path.write_text(text, encoding="utf-8")
    async with make_app().run_test() as pilot:
        await wait_loaded(pilot)
        assert pilot.app.screen.query_one("#read-only-badge").display


async def test_writable_mode_has_no_badge(make_app: AppFactory) -> None:
    async with make_app().run_test() as pilot:
        await wait_loaded(pilot)
        assert not pilot.app.screen.query_one("#read-only-badge").display


# --- themes -------------------------------------------------------------------------------


async def test_the_custom_themes_are_registered(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await wait_loaded(pilot)
        for name in (
            "streamconsole-dark",
            "streamconsole-light",
            "streamconsole-high-contrast",
            "ansi-dark",
            "ansi-light",
        ):
            assert name in app.available_themes
        assert app.theme == "streamconsole-dark"


async def test_an_unknown_theme_in_the_config_is_reported(
    make_app: AppFactory, config_path: Path, notes: Notes
) -> None:
    text = config_path.read_text("utf-8").replace('"streamconsole-dark"', '"no-such-theme"')
    config_path.write_text(text, encoding="utf-8")
    async with make_app().run_test(message_hook=notes.hook) as pilot:
        await wait_loaded(pilot)
        assert notes.any("no theme named 'no-such-theme'")
        assert pilot.app.theme == "streamconsole-dark"


# --- reveal, help, palette, layout ------------------------------------------------------


async def test_v_reveals_a_shared_secret_and_hides_it_again(make_app: AppFactory) -> None:
    hs256 = SECRETS[0]
    async with make_app().run_test() as pilot:
        await wait_loaded(pilot)
        assert hs256 not in detail_text(pilot)
        assert "••••••••" in detail_text(pilot)
        await pilot.press("v")
        assert hs256 in detail_text(pilot)
        await pilot.press("v")
        assert hs256 not in detail_text(pilot)
        await pilot.press("v", "down")  # moving on masks it again
        assert hs256 not in detail_text(pilot)
        await pilot.press("up")
        assert hs256 not in detail_text(pilot)


async def test_v_refuses_on_a_public_key(make_app: AppFactory, notes: Notes) -> None:
    async with make_app().run_test(message_hook=notes.hook) as pilot:
        await wait_loaded(pilot)
        await pilot.press("slash", *"evening", "enter", "down")
        assert current(pilot) == "news/evening"
        await pilot.press("v")
        assert notes.any("Only shared secrets can be revealed")
        assert "PRIVATE" not in detail_text(pilot)


async def test_question_mark_lists_every_binding(make_app: AppFactory) -> None:
    async with make_app().run_test(size=(100, 40)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        screen = pilot.app.screen
        assert isinstance(screen, HelpScreen)
        listing = text_of(screen.query_one("#help-bindings"))
        for description in (
            "Filter",
            "Publish",
            "Play",
            "Key",
            "Token",
            "Reveal",
            "Mark",
            "Save",
            "Quit",
            "Up",
            "Page down",
            "Open/close",
            "Collapse",
        ):
            assert description in listing, description
        assert "↑ k" in listing
        assert "Mark or unmark, then move down; p and l act on marked rows" in listing
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(pilot.app.screen, MainScreen)


async def test_the_palette_offers_what_the_state_allows(make_app: AppFactory) -> None:
    async with make_app().run_test() as pilot:
        await wait_loaded(pilot)
        app = console(pilot)

        def names() -> list[str]:
            return [c.title for c in app.get_system_commands(app.main_screen)]

        assert "Toggle publish JWT: LiveApp" in names()
        assert not any(name.startswith("Save") for name in names())
        await pilot.press("l")
        assert "Save 1 unsaved change" in names()
        await pilot.press("slash", *"evening", "enter", "down")
        assert "Toggle publish JWT: news/evening" not in names()  # THEOlive: play only
        assert "Clear the filter" in names()
        assert not any(name.startswith("Clear marks") for name in names())
        await pilot.press("x")
        assert "Clear marks (1)" in names()


async def test_a_palette_command_runs_the_action(make_app: AppFactory) -> None:
    async with make_app().run_test() as pilot:
        await wait_loaded(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"toggle play", "enter")
        await pilot.pause()
        assert "▶●" in row_text(pilot, "LiveApp")


async def test_palette_write_commands_say_read_only(make_app: AppFactory) -> None:
    async with make_app(read_only=True).run_test() as pilot:
        await wait_loaded(pilot)
        app = console(pilot)
        commands = app.get_system_commands(app.main_screen)
        toggle = next(c for c in commands if c.title.startswith("Toggle play"))
        assert toggle.help.startswith("refused in read-only mode")


async def test_narrow_terminals_stack_the_detail_and_the_palette_hides_it(
    make_app: AppFactory,
) -> None:
    async with make_app().run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot)
        screen = console(pilot).main_screen
        assert screen.has_class("-narrow")
        detail = screen.query_one("#detail")
        assert detail.region.y > scope_list(pilot).region.y
        for shown in (False, True):
            await pilot.press("ctrl+p")
            await pilot.pause()
            await pilot.press(*"hide the detail", "enter")
            await pilot.pause()
            assert detail.display is shown


async def test_wide_terminals_put_the_detail_beside_the_list(make_app: AppFactory) -> None:
    async with make_app().run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        screen = console(pilot).main_screen
        assert screen.has_class("-wide")
        assert screen.query_one("#detail").region.x > scope_list(pilot).region.x


async def test_resizing_switches_the_layout_and_keeps_the_cursor(make_app: AppFactory) -> None:
    async with make_app().run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("end")
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        screen = console(pilot).main_screen
        assert screen.has_class("-narrow")
        assert current(pilot) == "bare/s1"
        assert "s1" in row_text(pilot, "bare/s1")  # still on screen after the resize


async def test_no_color_is_respected(make_app: AppFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    async with make_app().run_test() as pilot:
        await wait_loaded(pilot)
        assert pilot.app.no_color
        assert "P●" in row_text(pilot, "LiveApp")  # states are glyphs, not only colours


async def test_the_token_preview_opens_for_the_selection(make_app: AppFactory) -> None:
    from streamconsole.tui.token_preview import TokenPreviewScreen

    async with make_app().run_test(size=(100, 40)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("down", "t")
        await pilot.pause()
        assert isinstance(pilot.app.screen, TokenPreviewScreen)
        assert not isinstance(pilot.app.screen, RotateKeyScreen)


# --- keys, imports ------------------------------------------------------------------------


def test_every_binding_has_an_id_and_a_tooltip() -> None:
    from textual.binding import Binding

    from streamconsole.tui.scope_list import ScopeList

    for owner in (StreamConsoleApp, MainScreen, ScopeList, UnsavedChangesScreen, HelpScreen):
        for binding in owner.BINDINGS:
            assert isinstance(binding, Binding)
            assert binding.id, f"{owner.__name__}: {binding.key} has no id"
            assert binding.tooltip, f"{owner.__name__}: {binding.key} has no tooltip"


async def test_keys_can_be_remapped_by_binding_id(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await wait_loaded(pilot)
        app.set_keymap({"toggle-play": "y", "cursor-down": "n"})
        await pilot.press("n")
        assert current(pilot) == "LiveApp/stream1"
        await pilot.press("y")
        assert "▶●" in row_text(pilot, "LiveApp")


def test_importing_the_console_module_stays_light() -> None:
    """The CLI imports tui.app for every command; the heavy parts load when the app runs."""
    import subprocess
    import sys

    code = (
        "import sys, streamconsole.tui.app as m; "
        "print(' '.join(n for n in ('jwt', 'cryptography', 'tomlkit', 'streamconsole.core.keys',"
        " 'streamconsole.tui.main_screen') if n in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert loaded == []
