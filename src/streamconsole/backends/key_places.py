"""Where a config's keys come from, judged for what someone else could change or take.

Warnings, not errors (the operator may know better), for ``check`` and the console alike:

- a key file outside the config's directory tree, links followed: a config from elsewhere
  could name ``/etc/shadow`` or ``~/.ssh/id_ed25519`` as a key, and ``apply`` would send it;
- a directory of key files (and the config's ``keys/``, where rotations write) reached
  through a symbolic link or writable by other users: whoever controls it swaps the keys;
- a key variable the config does not own: its name must start with one of
  :data:`OWNED_VARIABLE_PREFIXES`, so a config cannot read another program's secret
  (``AWS_SECRET_ACCESS_KEY``) as a key.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

KEY_DIRECTORY = "keys"  # beside the config: where rotations write new key files
OWNED_VARIABLE_PREFIXES = ("STREAMCONSOLE_", "SC_")


def variable_warning(field: str, name: str) -> str | None:
    """Why ``name`` (of ``field``: key_env, private_key_env) is not a variable this console
    owns, or None when it is."""
    if name.startswith(OWNED_VARIABLE_PREFIXES):
        return None
    prefixes = " or ".join(f"{prefix}..." for prefix in OWNED_VARIABLE_PREFIXES)
    return (
        f"{field} {name!r} is not a streamconsole variable: name key variables {prefixes}, "
        "so that a config cannot take another program's secret as a key"
    )


class KeyPlaces:
    """The warnings about the places of one config's key files; each directory is judged
    once per load, however many key files it holds."""

    def __init__(self, config_dir: Path) -> None:
        self._config_dir = config_dir
        self._root = config_dir.resolve()
        self._judged: set[str] = set()

    def warnings_for(self, given: str) -> tuple[list[str], list[str]]:
        """The warnings about the key file the config names ``given`` (relative to its
        directory, or absolute): those about the file, and those about its directory (once
        per directory: they concern every key in it)."""
        about_file = []
        resolved = (self._config_dir / given).resolve()
        if not resolved.is_relative_to(self._root):
            about_file.append(
                f"key file {given!r} is outside the config's directory {self._root} "
                f"(it is {resolved}): keep keys in {KEY_DIRECTORY}/ beside the config"
            )
        return about_file, self.directory_warnings(os.path.dirname(given) or ".")

    def directory_warnings(self, given: str) -> list[str]:
        """Warnings about the directory ``given`` (as the config names it) that holds key
        files: a symbolic link on the way there from the config's directory, or writable by
        other users. Nothing when it does not exist or was judged already."""
        expected = os.path.normpath(os.path.join(self._root, given))
        if expected in self._judged:
            return []
        self._judged.add(expected)
        real = os.path.realpath(expected)
        try:
            mode = stat.S_IMODE(os.stat(real).st_mode)
        except OSError:  # missing or unreadable: the key file's own check says so
            return []
        warnings = []
        if real != expected:
            warnings.append(
                f"the directory {given!r} of key files is a symbolic link to {real}: "
                "whoever controls that directory controls the keys"
            )
        if mode & 0o022:
            warnings.append(
                f"the directory {given!r} of key files is writable by other users "
                f"(mode {mode:04o}): they could replace the keys; run: chmod go-w {given}"
            )
        return warnings
