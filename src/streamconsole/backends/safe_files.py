"""Files and directories the console makes (audit log, plans, exports, key files and records):
never written through a symbolic link, directories private from the first level created.

A link planted where the console writes would carry its text elsewhere: an audit line into
another user's ``~/.bashrc``, a secret into a file others read. Each refusal is an
``OSError`` whose ``filename`` is the path and whose ``strerror`` says why, so every caller's
usual ``OSError`` handling names it.
"""

from __future__ import annotations

import errno
import os
import re
from pathlib import Path

PRIVATE_DIRECTORY_MODE = 0o700
# A pattern: re compiles (and caches) it on first use; reading a config names no file.
_NOT_IN_FILE_NAMES = r"[^A-Za-z0-9_-]+"
_FILE_NAME_PART_LIMIT = 80


def refuse_symlink(path: Path) -> None:
    """Raise ``OSError(ELOOP)`` naming ``path`` when it is a symbolic link."""
    if path.is_symlink():
        raise OSError(errno.ELOOP, "a symbolic link: refusing to follow it", str(path))


def make_private_dirs(directory: Path) -> list[Path]:
    """Create ``directory`` and each missing parent, every one 0700 (``mkdir(parents=True)``
    makes the parents 0755); existing ones are left as they are. Return the ones made,
    outermost first."""
    missing = [d for d in (directory, *directory.parents) if not d.exists()][::-1]
    made = []
    for level in missing:
        try:
            level.mkdir(mode=PRIVATE_DIRECTORY_MODE)
        except FileExistsError:  # made meanwhile by another process: fine if a directory
            if not level.is_dir():
                raise
            continue
        made.append(level)
    return made


def open_for_append(path: Path, mode: int = 0o600) -> int:
    """A descriptor appending to ``path``, created ``mode`` if missing; never through a
    symbolic link (``O_NOFOLLOW``)."""
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        return os.open(path, flags, mode)
    except OSError as error:
        if error.errno in (errno.ELOOP, errno.EMLINK):  # EMLINK: the BSDs' answer
            refuse_symlink(path)
        raise


def read_no_follow(path: Path) -> bytes:
    """The bytes of ``path``, refused (``OSError`` naming it) when it is a symbolic link."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as error:
        if error.errno in (errno.ELOOP, errno.EMLINK):
            refuse_symlink(path)
        raise
    with os.fdopen(fd, "rb") as handle:
        return handle.read()


def file_name_part(text: str) -> str:
    """A file-name part from untrusted text (names from a server): letters, digits, ``_`` and
    ``-`` only (no separator, no leading dot), at most 80 characters, never empty."""
    return re.sub(_NOT_IN_FILE_NAMES, "_", text)[:_FILE_NAME_PART_LIMIT] or "_"


def reason(error: OSError) -> str:
    """``path: why`` for a message, from an ``OSError`` (ours or the system's)."""
    why = error.strerror or str(error)
    return f"{error.filename}: {why}" if error.filename else why
