"""Reading a key file safely: the one reader for a config's key files, the CLI's and the API's.

A key file is small UTF-8 text in a regular file. Anything else is refused before it is
opened: a FIFO would block the read until something writes to it, a device may never end.
A secret or private key that other users can read, or a symbolic link, is a warning.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from streamconsole.backends.base import SourceError

MAX_KEY_FILE_BYTES = 64 * 1024


class KeyFileError(SourceError):
    """A key file cannot be used as one; the message names the file and says why."""


class VettedKeyFile(NamedTuple):
    """A key file that passed the checks made before it is opened."""

    resolved: Path
    shown: str  # how messages name it: as given, and where that leads


def read_key_file(path: Path, given: str, *, private: bool, warn: Callable[[str], None]) -> str:
    """The text of the key file at ``path`` (``given`` is how the operator wrote it, for
    messages); one trailing newline dropped. ``private``: a shared secret or private key,
    which should be readable by its owner only. Raises :class:`KeyFileError`."""
    return read_vetted(vet_key_file(path, given, private=private, warn=warn))


def vet_key_file(
    path: Path, given: str, *, private: bool, warn: Callable[[str], None]
) -> VettedKeyFile:
    """The checks :func:`read_key_file` makes before it opens the file (the config judges
    where the file is between these and :func:`read_vetted`)."""
    resolved = path.resolve()
    shown = f"{given!r}" + (f" ({resolved})" if given != str(resolved) else "")
    try:
        info = os.stat(resolved)
    except FileNotFoundError:
        raise KeyFileError(f"key file {shown} does not exist") from None
    except OSError as error:
        raise KeyFileError(f"key file {shown} cannot be read: {error.strerror}") from None
    if stat.S_ISDIR(info.st_mode):
        raise KeyFileError(f"key file {shown} is a directory")
    if not stat.S_ISREG(info.st_mode):
        raise KeyFileError(f"key file {shown} is not a regular file")
    if info.st_size > MAX_KEY_FILE_BYTES:
        raise KeyFileError(f"key file {shown} is {info.st_size:,} bytes: too large for a key")
    if private and info.st_mode & 0o077:
        mode = stat.S_IMODE(info.st_mode)
        warn(
            f"key file {given!r} is readable by other users (mode {mode:04o}); "
            f"run: chmod 600 {given}"
        )
    if path.is_symlink():
        warn(f"key file {given!r} is a symbolic link to {resolved}")
    return VettedKeyFile(resolved, shown)


def read_vetted(file: VettedKeyFile) -> str:
    """The text of a key file :func:`vet_key_file` passed; one trailing newline dropped."""
    resolved, shown = file
    try:
        with open(resolved, "rb") as handle:
            # Bounded: the file may have grown since it was measured.
            data = handle.read(MAX_KEY_FILE_BYTES + 1)
    except OSError as error:
        raise KeyFileError(f"key file {shown} cannot be read: {error.strerror}") from None
    if len(data) > MAX_KEY_FILE_BYTES:
        raise KeyFileError(
            f"key file {shown} is over {MAX_KEY_FILE_BYTES:,} bytes: too large for a key"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise KeyFileError(f"key file {shown} is not UTF-8 text") from None
    # One trailing newline is what editors and `echo` add; it is not part of the key.
    return text.removesuffix("\n").removesuffix("\r")
