"""Themes as data: TOML files in the top-level ``themes/`` folder become Textual themes.

The folder ships as the package ``streamconsole.themes`` (see pyproject.toml), so the files
are read from beside that package's ``__init__.py``: the checkout's folder in an editable
install, the installed package's otherwise. (Not with importlib.resources: it imports
zipfile and its readers, ~10 ms of the console's start, for a folder always on disk.)

A theme file names the fields of :class:`textual.theme.Theme`; unknown fields and colours
that do not parse are refused with the file and field named, and a broken file never stops
the console from starting (it is reported and skipped). :class:`ConsoleThemes` chooses which
one the console shows, and keeps the operator's choice in their own settings file.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from functools import partial
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from textual.color import Color, ColorParseError
from textual.theme import Theme

from streamconsole.core.errors import StreamconsoleError

if TYPE_CHECKING:
    from textual.app import App

    from streamconsole.backends.user_settings import UserSettings

# A regular package of one folder (the top-level themes/, mapped by pyproject.toml).
THEMES_DIR = Path(import_module("streamconsole.themes").__path__[0])
DEFAULT_THEME = "streamconsole-dark"

_COLOURS = (
    "primary",
    "secondary",
    "warning",
    "error",
    "success",
    "accent",
    "foreground",
    "background",
    "surface",
    "panel",
    "boost",
)
_NUMBERS = ("luminosity_spread", "text_alpha")
_FLAGS = ("dark", "ansi")
_KNOWN = frozenset(("name", "variables", *_COLOURS, *_NUMBERS, *_FLAGS))


class ThemeFileError(ValueError):
    """A theme file that cannot become a theme; the message names the file and field."""


class LoadedThemes(NamedTuple):
    themes: tuple[Theme, ...]
    problems: tuple[str, ...]


def _colour(path: Path, field: str, value: object) -> str:
    if not isinstance(value, str):
        raise ThemeFileError(f"{path}: {field}: expected a colour string, got {value!r}")
    try:
        Color.parse(value)
    except ColorParseError:
        raise ThemeFileError(f"{path}: {field}: {value!r} is not a colour") from None
    return value


def theme_from_mapping(path: Path, data: Mapping[str, object]) -> Theme:
    unknown = sorted(set(data) - _KNOWN)
    if unknown:
        raise ThemeFileError(f"{path}: unknown field(s): {', '.join(unknown)}")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ThemeFileError(f"{path}: name: a theme needs a non-empty name")
    if "primary" not in data:
        raise ThemeFileError(f"{path}: primary: every theme needs a primary colour")
    colours = {field: _colour(path, field, data[field]) for field in _COLOURS if field in data}
    flags: dict[str, bool] = {}
    for field in _FLAGS:
        if field in data:
            value = data[field]
            if not isinstance(value, bool):
                raise ThemeFileError(f"{path}: {field}: expected true or false")
            flags[field] = value
    numbers: dict[str, float] = {}
    for field in _NUMBERS:
        if field in data:
            value = data[field]
            if not isinstance(value, int | float) or isinstance(value, bool) or not 0 <= value <= 1:
                raise ThemeFileError(f"{path}: {field}: expected a number between 0 and 1")
            numbers[field] = float(value)
    raw_variables = data.get("variables", {})
    if not isinstance(raw_variables, dict):
        raise ThemeFileError(f"{path}: variables: expected a table")
    variables = {
        str(key): _colour(path, f"variables.{key}", value) for key, value in raw_variables.items()
    }
    return Theme(
        name=name,
        primary=colours["primary"],
        secondary=colours.get("secondary"),
        warning=colours.get("warning"),
        error=colours.get("error"),
        success=colours.get("success"),
        accent=colours.get("accent"),
        foreground=colours.get("foreground"),
        background=colours.get("background"),
        surface=colours.get("surface"),
        panel=colours.get("panel"),
        boost=colours.get("boost"),
        dark=flags.get("dark", True),
        ansi=flags.get("ansi", False),
        luminosity_spread=numbers.get("luminosity_spread", 0.15),
        text_alpha=numbers.get("text_alpha", 0.95),
        variables=variables,
    )


def load_theme(path: Path) -> Theme:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ThemeFileError(f"{path}: cannot be read ({error.strerror})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ThemeFileError(f"{path}: not valid TOML ({error})") from None
    return theme_from_mapping(path, data)


def load_themes(directory: Path = THEMES_DIR) -> LoadedThemes:
    """Every ``*.toml`` theme in ``directory`` (sorted); broken files become problems."""
    themes: list[Theme] = []
    problems: list[str] = []
    if not directory.is_dir():
        return LoadedThemes((), ())
    theme_files = (entry for entry in directory.iterdir() if entry.name.endswith(".toml"))
    for path in sorted(theme_files, key=lambda entry: entry.name):
        try:
            themes.append(load_theme(path))
        except ThemeFileError as error:
            problems.append(str(error))
    return LoadedThemes(tuple(themes), tuple(problems))


class ConsoleThemes:
    """Which theme the console shows: the command line's for the run, else the operator's
    own (their settings file), else the config's (a server has none of its own: the file's
    stays), else the built-in default. A switch is kept in the operator's settings from
    then on, never in the config (others share it, and it has its own save and audit)."""

    def __init__(self, app: App[Any], override: str | None, mine: UserSettings | None) -> None:
        """Registers every theme file's theme with ``app``; ``mine``: the operator's settings
        (read by the launcher; None: none, and a switch is not kept). A broken theme or
        settings file is told once the app is up."""
        self._app = app
        self._override = override
        self._file = mine.path if mine is not None else None  # where a switch is kept
        loaded = load_themes()
        for custom in loaded.themes:
            app.register_theme(custom)
        self._own = mine.theme if mine is not None else None
        self._problems = (
            *(("Theme skipped", problem) for problem in loaded.problems),
            *(("Settings not used", str(problem)) for problem in (mine.problems if mine else ())),
        )
        self.remembering = False  # the console chose the theme: a switch is worth keeping

    @property
    def default(self) -> str:
        return DEFAULT_THEME if DEFAULT_THEME in self._app.available_themes else "textual-dark"

    def start_with_default(self) -> None:
        """The default theme from the start, set as Textual sets its own first theme (in
        ``App.__init__``): without the watcher, whose CSS refresh would parse every
        stylesheet a second time and restyle the app before the first frame. The stylesheet,
        not parsed yet, takes this theme's variables. (Both defaults are dark themes of
        24-bit colours, as Textual's first is: its ANSI filter stands.)"""
        app = self._app
        app.set_reactive(type(app).theme, self.default)
        app.stylesheet.set_variables(app.get_css_variables())  # nothing is parsed yet
        dark = app.current_theme.dark
        app.set_class(dark, "-dark-mode", update=False)
        app.set_class(not dark, "-light-mode", update=False)

    def mounted(self) -> None:
        for title, problem in self._problems:
            self._app.notify(problem, title=title, severity="warning")
        chosen = self._override or self._own
        if chosen is not None:
            self._apply(chosen)

    def loaded(self, theme: str, *, on_a_server: bool) -> None:
        """A config was loaded; ``theme`` is its theme."""
        chosen = self._override is not None or self._own is not None
        if not chosen and not on_a_server and theme != self._app.theme:
            self._apply(theme)
        self.remembering = True

    def switched(self, name: str) -> None:
        """The operator picked ``name``: keep it as theirs (in a worker: it writes a file)."""
        if not self.remembering or name == self._own or self._file is None:
            return
        self._own = name
        self._app.run_worker(
            partial(self._remember, name, self._file), group="theme", exclusive=True, thread=True
        )

    def _remember(self, name: str, file: Path) -> None:
        # Here, not with the module: the CLI imports the app for every command.
        from streamconsole.backends.user_settings import SettingsFile

        try:
            SettingsFile(file).save_theme(name)
        except StreamconsoleError as error:  # a SourceError naming the file
            self._app.call_from_thread(
                self._app.notify, str(error), title="Theme not remembered", severity="warning"
            )

    def _apply(self, name: str) -> None:
        app = self._app
        if name in app.available_themes:
            app.theme = name
        else:
            app.notify(
                f"There is no theme named {name!r}; keeping {app.theme}.",
                severity="warning",
            )
