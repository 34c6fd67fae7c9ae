"""Atomic file writes: a temp file in the same directory, fsync, rename, fsync the directory.

A reader (or a crash) sees either the old file or the new one, never half of either.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from pathlib import Path

from streamconsole.backends.safe_files import make_private_dirs, refuse_symlink

PRIVATE_MODE = 0o600


def atomic_write(path: Path, data: bytes, *, mode: int | None = None) -> None:
    """Replace ``path`` with ``data``. ``mode`` defaults to the existing file's mode."""
    if mode is None:
        try:
            mode = stat.S_IMODE(path.stat().st_mode)
        except FileNotFoundError:
            mode = 0o644
    import tempfile  # late: loading a config writes nothing, and tempfile imports shutil, random

    fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
            os.fchmod(handle.fileno(), mode)
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise
    _fsync_directory(path.parent)


def write_new_file(path: Path, data: bytes, *, mode: int, replace: bool = False) -> None:
    """Write a file the console makes (a key file, a plan, an export) atomically: never
    through or over a symbolic link, over an existing file only when ``replace``. Each
    refusal is an ``OSError`` naming ``path``."""
    refuse_symlink(path)
    if not replace and path.exists():
        raise FileExistsError(errno.EEXIST, "exists: refusing to overwrite it", str(path))
    atomic_write(path, data, mode=mode)


def write_private_file(path: Path, data: bytes) -> None:
    """Create a new secret or private-key file, mode 0600 from its first byte on disk, in a
    directory made 0700 (each missing level) if need be."""
    make_private_dirs(path.parent)
    write_new_file(path, data, mode=PRIVATE_MODE)


def _fsync_directory(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # some platforms cannot open directories; the rename is still atomic
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
