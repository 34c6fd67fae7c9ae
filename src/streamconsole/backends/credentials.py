"""Server credentials: from an environment variable or a private file, never an argument."""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from pathlib import Path

from streamconsole.backends.base import SourceError
from streamconsole.core.model import ServerProfile
from streamconsole.core.secret import Secret


def load_credentials(profile: ServerProfile, environ: Mapping[str, str] | None = None) -> Secret:
    """The credential text for ``profile`` (e.g. ``email:password``), masked."""
    environ = os.environ if environ is None else environ
    where = f"server {profile.name!r}"
    if profile.credentials_env:
        value = environ.get(profile.credentials_env)
        if not value:
            raise SourceError(f"{where}: environment variable {profile.credentials_env} is not set")
        return Secret(value.strip())
    if not profile.credentials_file:
        raise SourceError(f"{where}: no credentials_env or credentials_file configured")
    path = Path(profile.credentials_file).expanduser()
    if not path.is_absolute():
        path = Path(profile.base_dir) / path
    try:
        info = path.stat()
    except OSError as error:
        raise SourceError(f"{where}: credentials file {path}: {error.strerror}") from None
    if not stat.S_ISREG(info.st_mode):
        raise SourceError(f"{where}: credentials file {path} is not a regular file")
    if info.st_mode & 0o077:
        raise SourceError(
            f"{where}: credentials file {path} is readable by other users "
            f"(mode {stat.S_IMODE(info.st_mode):04o}); run: chmod 600 {path}"
        )
    try:
        text = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        raise SourceError(f"{where}: credentials file {path} cannot be read as text") from None
    if not text:
        raise SourceError(f"{where}: credentials file {path} is empty")
    return Secret(text)


def split_pair(credentials: Secret, what: str) -> tuple[str, Secret]:
    """``name:secret`` → (name, Secret(secret)); the name may be shown, the rest may not."""
    name, sep, rest = credentials.reveal().partition(":")
    if not sep or not name or not rest:
        raise SourceError(f"the credentials must look like {what}")
    return name, Secret(rest)
