"""The operator's own settings: UI preferences (the theme; ``ascii = true`` for a terminal
that cannot draw the console's symbols; ``[keys]``, their own keymap), kept per user.

A theme chosen in the console is a preference of whoever sits at it, not a change to the
operations config others share: it goes here, outside the config's edit session, its
unsaved count and its audit log. The config's ``[console] theme`` stays the default for
everyone; precedence is ``--theme`` (one run) > these settings > the config > built in.
Likewise ``[keys]`` maps binding ids to keys as the config's ``[console.keys]`` does, and
wins over it, binding by binding.

The console's launcher reads the file once and hands the :class:`UserSettings` on.

The file is ``$STREAMCONSOLE_SETTINGS`` when that is set, else ``settings.toml`` in the
platform's config directory (``$XDG_CONFIG_HOME/streamconsole``, by default
``~/.config/streamconsole``, on Linux; ``~/Library/Application Support/streamconsole`` on
macOS; ``%APPDATA%\\streamconsole`` on Windows). It is replaced atomically, 0600 in a
directory made 0700, never through a symbolic link, with its comments and order kept. A file
that cannot be read or parsed is a warning naming it and the line, never a failure: its
settings are then not used, and a save refuses to replace it. So is a key of ``[keys]``
that names no binding or clashes (:func:`streamconsole.tui.keymap.with_own_keys`).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from streamconsole.backends.atomic import PRIVATE_MODE, write_new_file
from streamconsole.backends.base import ConfigError, Problem, SourceError
from streamconsole.backends.safe_files import make_private_dirs, read_no_follow, reason
from streamconsole.backends.toml_reader import (
    Field,
    Table,
    TomlReader,
    decode_config_bytes,
    load_toml,
)
from streamconsole.backends.toml_scan import locate_all

SETTINGS_ENV = "STREAMCONSOLE_SETTINGS"
FILE_NAME = "settings.toml"
SETTINGS = Table({"theme": Field(str), "ascii": Field(bool), "keys": Field(dict)})
_MAX_BYTES = 2**20  # a few preferences; anything near this is not a settings file


def settings_path(environ: Mapping[str, str] = os.environ) -> Path:
    """Where this user's settings are (the file need not exist)."""
    chosen = environ.get(SETTINGS_ENV)
    if chosen:
        return Path(chosen).expanduser()
    from platformdirs import user_config_path  # only here: ~5 ms to import

    return user_config_path("streamconsole", appauthor=False, roaming=True) / FILE_NAME


@dataclass(frozen=True, slots=True)
class UserSettings:
    path: Path | None = None  # the file read, where a theme switch is kept (None: nowhere)
    theme: str | None = None
    ascii: bool = False  # draw ASCII only, as --ascii does, on every terminal of this user
    keys: Mapping[str, str] = field(default_factory=dict)  # binding id → keys ("ctrl+r,f5")
    key_lines: Mapping[str, int] = field(default_factory=dict)  # binding id → line of [keys]
    problems: tuple[Problem, ...] = ()  # warnings: what in the file was not used, and why


class SettingsFile:
    """One user's settings file: read at start, updated one setting at a time."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def read(self) -> UserSettings:
        """The settings; none (with a warning) when the file is unusable, none when absent."""
        try:
            text = self._text()
        except SourceError as error:
            return UserSettings(self.path, problems=_warnings(error))
        if text is None:
            return UserSettings(self.path)
        reader = TomlReader(self.path, text, {})
        try:
            data = load_toml(text, self.path)
        except ConfigError as error:
            return UserSettings(self.path, problems=_warnings(error))
        reader.known_keys(data, SETTINGS, ())
        theme = reader.get(data, SETTINGS, "theme", ())
        ascii = reader.get(data, SETTINGS, "ascii", ()) is True
        keys = reader.keymap(data, SETTINGS, "keys", ())
        lines = locate_all(text, [("keys", binding_id) for binding_id in keys])
        key_lines = {path[-1]: line for path, line in lines.items()}
        problems = tuple(p.as_warning() for p in reader.problems)
        return UserSettings(self.path, theme, ascii, keys, key_lines, problems)

    def save_theme(self, theme: str) -> None:
        """Keep ``theme`` as this user's; SourceError naming the file (nothing written)."""
        import tomlkit  # only for writes: ~20 ms to import

        text = self._text() or ""
        load_toml(text, self.path)  # a broken file is the user's to mend, not to overwrite
        document = tomlkit.parse(text)
        document["theme"] = theme
        self._write(tomlkit.dumps(document))

    def _text(self) -> str | None:
        """The file's text; None when there is none. SourceError when it cannot be used."""
        try:
            info = self.path.lstat()
            if stat.S_ISREG(info.st_mode) and info.st_size > _MAX_BYTES:
                raise SourceError(f"{self.path}: {info.st_size:,} bytes is not a settings file")
            if not stat.S_ISREG(info.st_mode) and not stat.S_ISLNK(info.st_mode):
                raise SourceError(f"{self.path}: is not a regular file")
            data = read_no_follow(self.path)
        except FileNotFoundError:
            return None
        except OSError as error:
            raise SourceError(reason(error)) from None
        return decode_config_bytes(data, self.path)

    def _write(self, text: str) -> None:
        try:
            make_private_dirs(self.path.parent)
            write_new_file(self.path, text.encode("utf-8"), mode=PRIVATE_MODE, replace=True)
        except OSError as error:
            raise SourceError(f"{reason(error)}; the settings were not saved") from None


def _warnings(error: SourceError) -> tuple[Problem, ...]:
    if isinstance(error, ConfigError):
        return tuple(problem.as_warning() for problem in error.problems)
    return (Problem(str(error), warning=True),)
