"""The theme is the operator's own: a switch goes to their settings file, never to the
operations config (no unsaved edit, no audit line, no write to the shared file); the
config's ``[console] theme`` stays the default. Precedence: ``--theme`` > the user's
settings > the config > built in. A broken settings file is a warning, never a crash."""

from __future__ import annotations

import argparse
import json
import stat
import sys
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from streamconsole.backends.base import SourceError
from streamconsole.backends.toml_file import TomlSource
from streamconsole.backends.user_settings import SettingsFile, settings_path
from streamconsole.cli.console import console_app

from .conftest import AppFactory, Notes, console, detail_text, wait_loaded


def theme_in(path: Path) -> object:
    return tomllib.loads(path.read_text("utf-8")).get("theme")


async def test_a_theme_switch_goes_to_the_users_settings_not_the_config(
    make_app: AppFactory, config_path: Path, user_settings: Path
) -> None:
    before = config_path.read_bytes()
    app = make_app()
    async with app.run_test() as pilot:
        await wait_loaded(pilot)
        app.theme = "streamconsole-light"
        await wait_loaded(pilot)
        session = console(pilot).session
        assert session is not None and session.pending == ()
    assert config_path.read_bytes() == before
    assert theme_in(user_settings) == "streamconsole-light"
    assert stat.S_IMODE(user_settings.stat().st_mode) == 0o600
    async with make_app().run_test() as pilot:  # and used next time
        await wait_loaded(pilot)
        assert pilot.app.theme == "streamconsole-light"


async def test_a_missing_settings_directory_is_made_private(
    make_app: AppFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "config-home"
    monkeypatch.delenv("STREAMCONSOLE_SETTINGS")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    assert settings_path() == home / "streamconsole" / "settings.toml"
    app = make_app()
    async with app.run_test() as pilot:
        await wait_loaded(pilot)
        app.theme = "ansi-dark"
        await wait_loaded(pilot)
    written = home / "streamconsole" / "settings.toml"
    assert theme_in(written) == "ansi-dark"
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
    assert stat.S_IMODE(written.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(home.stat().st_mode) == 0o700  # every level the console made


async def test_the_theme_picker_keeps_the_choice_in_the_users_settings(
    make_app: AppFactory, config_path: Path, user_settings: Path
) -> None:
    before = config_path.read_bytes()
    async with make_app().run_test() as pilot:
        await wait_loaded(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"switch theme", "enter")
        await pilot.pause()
        await pilot.press(*"high-contrast", "enter")
        await wait_loaded(pilot)
        assert pilot.app.theme == "streamconsole-high-contrast"
    assert theme_in(user_settings) == "streamconsole-high-contrast"
    assert config_path.read_bytes() == before


async def test_a_pending_edit_is_saved_without_the_theme(
    make_app: AppFactory, config_path: Path, user_settings: Path
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await wait_loaded(pilot)
        await pilot.press("l")
        app.theme = "streamconsole-light"
        await wait_loaded(pilot)
        session = console(pilot).session
        assert session is not None and len(session.pending) == 1  # the edit, not the theme
        await pilot.press("ctrl+s")
        await wait_loaded(pilot)
    data = tomllib.loads(config_path.read_text("utf-8"))
    assert data["console"]["theme"] == "streamconsole-dark"
    assert data["applications"]["LiveApp"]["play"] is True
    assert theme_in(user_settings) == "streamconsole-light"


async def test_the_users_theme_wins_over_the_config_and_the_command_line_over_both(
    make_app: AppFactory, config_path: Path, user_settings: Path
) -> None:
    user_settings.write_text('theme = "streamconsole-light"\n', encoding="utf-8")
    async with make_app().run_test() as pilot:
        await wait_loaded(pilot)
        assert pilot.app.theme == "streamconsole-light"
    async with make_app(theme="ansi-dark").run_test() as pilot:
        await wait_loaded(pilot)
        assert pilot.app.theme == "ansi-dark"
    # The command line's is for the run: the user's stays as it was.
    assert user_settings.read_text("utf-8") == 'theme = "streamconsole-light"\n'


async def test_read_only_mode_leaves_the_config_but_keeps_the_users_theme(
    make_app: AppFactory, config_path: Path, user_settings: Path
) -> None:
    before = config_path.read_bytes()
    app = make_app(read_only=True)
    async with app.run_test() as pilot:
        await wait_loaded(pilot)
        app.theme = "streamconsole-light"
        await wait_loaded(pilot)
    assert config_path.read_bytes() == before
    assert theme_in(user_settings) == "streamconsole-light"


async def test_a_switch_keeps_the_settings_files_comments_and_order(
    make_app: AppFactory, user_settings: Path
) -> None:
    user_settings.write_text(
        '# my console\ntheme = "ansi-dark"   # for the night shift\n\n# more later\n',
        encoding="utf-8",
    )
    app = make_app()
    async with app.run_test() as pilot:
        await wait_loaded(pilot)
        assert app.theme == "ansi-dark"
        app.theme = "ansi-light"
        await wait_loaded(pilot)
    assert user_settings.read_text("utf-8") == (
        '# my console\ntheme = "ansi-light"   # for the night shift\n\n# more later\n'
    )


@pytest.mark.parametrize(
    ("text", "line", "what"),
    [
        ('# mine\ntheme = "streamconsole-light\n', 2, "invalid TOML"),
        ("\n\ntheme = 3\n", 3, "theme: warning: expected a string, got an integer"),
        ('\nthem = "ansi-dark"\n', 2, "unknown key 'them'; did you mean 'theme'?"),
    ],
    ids=["syntax", "type", "unknown-key"],
)
async def test_a_malformed_settings_file_is_a_warning_naming_file_and_line(
    make_app: AppFactory, user_settings: Path, notes: Notes, text: str, line: int, what: str
) -> None:
    user_settings.write_text(text, encoding="utf-8")
    app = make_app()
    async with app.run_test(message_hook=notes.hook) as pilot:
        await wait_loaded(pilot)
        assert notes.any(f"{user_settings}:{line}:")
        assert notes.any(what)
        assert app.theme == "streamconsole-dark"  # the config's
        app.theme = "ansi-light"
        await wait_loaded(pilot)
    if what == "invalid TOML":  # a file that does not parse is the user's to mend
        assert notes.any("Theme not remembered")
        assert user_settings.read_text("utf-8") == text


async def test_a_symbolic_link_at_the_settings_path_is_refused(
    make_app: AppFactory, user_settings: Path, tmp_path: Path, notes: Notes
) -> None:
    target = tmp_path / "elsewhere.toml"
    target.write_text('theme = "ansi-dark"\n', encoding="utf-8")
    user_settings.symlink_to(target)
    app = make_app()
    async with app.run_test(message_hook=notes.hook) as pilot:
        await wait_loaded(pilot)
        assert notes.any(f"{user_settings}: a symbolic link")
        assert app.theme == "streamconsole-dark"
        app.theme = "ansi-light"
        await wait_loaded(pilot)
        assert notes.any("Theme not remembered")
    assert target.read_text("utf-8") == 'theme = "ansi-dark"\n'
    assert user_settings.is_symlink()


def test_a_save_over_a_broken_file_names_its_line_and_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text("theme = \n", encoding="utf-8")
    with pytest.raises(SourceError, match=f"{path}:1: error: invalid TOML"):
        SettingsFile(path).save_theme("ansi-dark")
    assert path.read_text("utf-8") == "theme = \n"
    assert [p.name for p in tmp_path.iterdir()] == ["settings.toml"]  # no temp file left


def test_the_settings_path_can_be_chosen_by_environment(tmp_path: Path) -> None:
    chosen = tmp_path / "mine.toml"
    assert settings_path({"STREAMCONSOLE_SETTINGS": str(chosen)}) == chosen


# --- the config's theme, saved there on purpose ------------------------------------------


def _audited(config_path: Path) -> str:
    """Send the config's audit log beside it; return the log's name."""
    text = config_path.read_text("utf-8")
    config_path.write_text(
        text.replace('save = "manual"', 'save = "manual"\naudit_log = "audit.jsonl"'), "utf-8"
    )
    return "audit.jsonl"


async def test_saving_the_theme_to_the_config_is_an_edit_saved_and_audited(
    make_app: AppFactory, config_path: Path, user_settings: Path
) -> None:
    audit = config_path.parent / _audited(config_path)
    before = config_path.read_bytes()
    app = make_app()
    async with app.run_test() as pilot:
        await wait_loaded(pilot)
        app.theme = "streamconsole-light"
        await wait_loaded(pilot)
        assert not audit.exists()  # the operator's own choice is no change to the config
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"save theme to the config", "enter")
        await wait_loaded(pilot)
        session = console(pilot).session
        assert session is not None
        assert [change.describe() for change in session.pending] == [
            "console: theme streamconsole-dark → streamconsole-light"
        ]
        assert config_path.read_bytes() == before  # unsaved until ctrl+s
        await pilot.press("ctrl+s")
        await wait_loaded(pilot)
        assert session.pending == ()
    after = config_path.read_text("utf-8")
    assert after == before.decode().replace(
        'theme = "streamconsole-dark"', 'theme = "streamconsole-light"'
    )
    (line,) = [json.loads(text) for text in audit.read_text("utf-8").splitlines()]
    assert (line["scope"], line["change"], line["previous"]) == (
        "console",
        "theme streamconsole-light",
        "streamconsole-dark",
    )


async def test_the_config_theme_command_is_offered_only_when_it_would_change_something(
    make_app: AppFactory,
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await wait_loaded(pilot)
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert "Save theme to the config" not in titles  # the config's theme is shown
        app.theme = "ansi-dark"
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert "Save theme to the config" in titles


@pytest.mark.parametrize(
    ("text", "on", "problem"),
    [
        ("ascii = true\n", True, ""),
        ("ascii = false\n", False, ""),
        ('theme = "ansi-dark"\n', False, ""),
        ('ascii = "yes"\n', False, ":1: ascii: warning: expected a boolean"),
    ],
)
def test_ascii_is_the_users_own_setting(
    user_settings: Path, config_path: Path, text: str, on: bool, problem: str
) -> None:
    """``ascii = true``: the console draws ASCII only (as --ascii), on every terminal of
    this user; a wrong type is a warning naming the line, and Unicode stays."""
    user_settings.write_text(text, encoding="utf-8")
    source = TomlSource(config_path)
    assert console_app(launch(config_path), source, term="xterm").glyphs.ascii is on
    assert console_app(launch(config_path, ascii=True), source, term="xterm").glyphs.ascii
    problems = [str(p) for p in SettingsFile(user_settings).read().problems]
    assert all(problem in p for p in problems) and bool(problems) is bool(problem)


# --- read once, by the launcher ---------------------------------------------------------


def launch(config_path: Path, **args: object) -> argparse.Namespace:
    """The console's command line: ``streamconsole CONFIG`` with ``args``."""
    defaults = {"read_only": False, "theme": None, "server": None, "ascii": False}
    return argparse.Namespace(config=config_path, **{**defaults, **args})


class Opened:
    """The files the interpreter opens while :attr:`files` is a list (an audit hook: every
    open, whichever function makes it). A hook cannot be removed, so one serves them all."""

    files: list[str] | None = None

    @classmethod
    def hook(cls, event: str, args: tuple[object, ...]) -> None:
        if event == "open" and cls.files is not None and isinstance(args[0], str | Path):
            cls.files.append(str(args[0]))


sys.addaudithook(Opened.hook)


@contextmanager
def files_opened() -> Iterator[list[str]]:
    """The files opened inside the ``with``, once per open, in order."""
    Opened.files = files = []
    try:
        yield files
    finally:
        Opened.files = None


async def test_the_launcher_reads_the_users_settings_once_for_all_of_them(
    config_path: Path, user_settings: Path, notes: Notes
) -> None:
    """ASCII, the theme and the keys come from one read of the file, made by the launcher."""
    user_settings.write_text(
        'ascii = true\ntheme = "ansi-dark"\n\n[keys]\nreveal = "w"\n', encoding="utf-8"
    )
    with files_opened() as opened:
        app = console_app(launch(config_path), TomlSource(config_path), term="xterm")
        async with app.run_test(message_hook=notes.hook) as pilot:
            await wait_loaded(pilot)
            assert app.glyphs.ascii and app.theme == "ansi-dark"
            await pilot.press("w")
            assert "••••••••" not in detail_text(pilot)  # w reveals
    assert opened.count(str(user_settings)) == 1
    assert notes.messages == []  # nothing in the file was refused


async def test_a_broken_settings_file_is_named_with_its_line_once(
    config_path: Path, user_settings: Path, notes: Notes
) -> None:
    user_settings.write_text('ascii = true\n# mine\ntheme = "ansi-dark\n', encoding="utf-8")
    with files_opened() as opened:
        app = console_app(launch(config_path), TomlSource(config_path), term="xterm")
        async with app.run_test(message_hook=notes.hook) as pilot:
            await wait_loaded(pilot)
            assert not app.glyphs.ascii  # none of a broken file is used
    assert opened.count(str(user_settings)) == 1
    said = [text for text in notes.messages if f"{user_settings}:3:" in text]
    assert len(said) == 1 and "invalid TOML" in said[0]
