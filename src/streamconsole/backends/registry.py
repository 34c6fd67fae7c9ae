"""Opening a source by name: the config file itself, or one of its ``[servers.NAME]``."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from pathlib import Path

from streamconsole.backends.base import Source, SourceError
from streamconsole.backends.credentials import load_credentials
from streamconsole.backends.toml_file import TomlSource
from streamconsole.core.model import Config, ServerKind


def open_source(
    config_path: Path,
    *,
    server: str | None = None,
    read_only: bool = False,
    environ: Mapping[str, str] | None = None,
) -> Source:
    """The TOML source at ``config_path``, or the remote ``server`` it names; use it as
    ``async with open_source(...) as source:`` so a server's connections are closed."""
    local = TomlSource(config_path, read_only=read_only, environ=environ)
    if server is None:
        return local
    return open_server(local.load_sync(), config_path, server, read_only=read_only, environ=environ)


def open_server(
    config: Config,
    config_path: Path,
    server: str,
    *,
    read_only: bool = False,
    environ: Mapping[str, str] | None = None,
) -> Source:
    """The remote ``server`` of an already loaded ``config`` (read from ``config_path``)."""
    profile = config.servers.get(server)
    if profile is None:
        known = ", ".join(config.servers) or "none"
        raise SourceError(f"{config_path}: no server named {server!r} (configured: {known})")
    credentials = load_credentials(profile, environ)
    read_only = read_only or profile.read_only or config.settings.read_only
    # The profile's key age policy, where it sets one, is the console's on this server.
    console = copy.copy(config.settings)
    console.max_key_age = profile.max_key_age or config.settings.max_key_age
    if profile.kind is ServerKind.ANTMEDIA:
        # Here: the remote backends import httpx (~0.3 s), which a file's console never needs.
        from streamconsole.backends.antmedia import AntMediaSource

        return AntMediaSource(profile, credentials, read_only=read_only, console=console)
    # Here, as above: only a THEOlive server pays for importing its backend.
    from streamconsole.backends.theolive import TheoLiveSource

    return TheoLiveSource(profile, credentials, read_only=read_only, console=console)
