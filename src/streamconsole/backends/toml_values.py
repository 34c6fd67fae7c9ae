"""Readers of single values of a config's tables: durations (``token_ttl``,
``max_key_age`` of the console, a server or an application), an application's delivery
``host``, a server's ``proxy`` and ``ca_file``. Each reports a bad value at its place and
gives a default."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from streamconsole.backends.toml_reader import TomlReader, quoted
from streamconsole.core.delivery_hosts import host_problem, host_url
from streamconsole.core.durations import parse_duration
from streamconsole.core.errors import DurationError
from streamconsole.core.key_age import MAX_KEY_AGE
from streamconsole.core.model import Application, ServerKind

if TYPE_CHECKING:
    from streamconsole.backends.toml_scan import KeyPath


def duration(
    reader: TomlReader,
    data: dict[str, Any],
    name: str,
    path: KeyPath,
    maximum: int = MAX_KEY_AGE,
) -> int | None:
    """The duration ``name`` sets ('10m', '90d', or seconds; at most ``maximum``), in
    seconds; None if not set."""
    value = data.get(name)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, str):
        try:
            return parse_duration(value, maximum=maximum)
        except DurationError as error:
            reader.error((*path, name), str(error))
    elif value is not None:
        reader.error((*path, name), f"expected a duration such as '10m', got {value!r}")
    return None


def delivery_host(reader: TomlReader, app: Application, host: str | None, path: KeyPath) -> str:
    """The delivery URL of ``host = "HOST[:PORT]"`` (core.delivery); "" when not set."""
    if host is None:
        return ""
    problem = host_problem(host)
    if problem:
        reader.error((*path, "host"), f"{quoted(host)} {problem}")
        return ""
    if app.kind is ServerKind.GENERIC:
        reader.warn((*path, "host"), "generic servers have no delivery forms: host is not used")
    return host_url(app.kind, host)


def proxy_url(reader: TomlReader, value: str | None, path: KeyPath) -> str:
    """The proxy a profile names (the environment's proxy variables are never used)."""
    if not value:
        return ""
    try:
        parts = urlsplit(value)
        ok = parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:
        ok = False
    if not ok:
        reader.error((*path, "proxy"), f"{quoted(value)} is not an http(s) proxy URL")
        return ""
    return value


def ca_file(reader: TomlReader, value: str | None, path: KeyPath) -> str:
    """A server's CA certificate file, relative to the config; it must be there (a missing
    one would only show as a TLS error on the first request)."""
    if not value:
        return ""
    resolved = reader.file.parent / Path(value).expanduser()
    shown = f"{value!r}" + (f" ({resolved})" if value != str(resolved) else "")
    if not resolved.exists():
        reader.error((*path, "ca_file"), f"ca_file {shown} does not exist")
    elif not resolved.is_file():
        reader.error((*path, "ca_file"), f"ca_file {shown} is not a file")
    return value
