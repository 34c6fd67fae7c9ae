"""Reading a config: TOML text → :class:`~streamconsole.core.model.Config`, strictly.

The file is checked against :mod:`.toml_schema` by a :class:`.toml_reader.TomlReader`,
which collects every problem with its key path (and line), so ``check`` can list them all
at once; this module adds the rules between fields and builds the model. Key tables are
read by :mod:`.toml_keys`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from streamconsole.backends.base import ConfigError, Problem
from streamconsole.backends.key_places import KEY_DIRECTORY
from streamconsole.backends.toml_keys import KeyReader
from streamconsole.backends.toml_reader import TomlReader, load_toml, quoted, type_name
from streamconsole.backends.toml_schema import (
    ALIAS,
    APPLICATION,
    CONSOLE,
    PLAY_URL_FIELDS,
    SERVER,
    SERVER_OF_KIND,
    TOP,
)
from streamconsole.backends.toml_values import ca_file, delivery_host, duration, proxy_url
from streamconsole.backends.wire_rules import (
    HTTP_ADVICE,
    name_problem,
    plain_http_refusal,
    unusable_names,
)
from streamconsole.core.durations import MAX_TTL
from streamconsole.core.model import (
    DEFAULT_CONCURRENCY,
    DEFAULT_MAX_ITEMS,
    MAX_CONCURRENCY,
    Alias,
    Application,
    Config,
    ConsoleSettings,
    Direction,
    ScopeSettings,
    ServerKind,
    ServerProfile,
)

if TYPE_CHECKING:
    from streamconsole.backends.toml_scan import KeyPath

# --- sections -------------------------------------------------------------------------------


def _console(reader: TomlReader, data: dict[str, Any]) -> ConsoleSettings:
    path = ("console",)
    reader.known_keys(data, CONSOLE, path)
    settings = ConsoleSettings()
    ttl = duration(reader, data, "token_ttl", path, MAX_TTL)
    settings.token_ttl = ttl or settings.token_ttl
    settings.max_key_age = duration(reader, data, "max_key_age", path)
    settings.save = reader.get(data, CONSOLE, "save", path) or settings.save
    settings.theme = reader.get(data, CONSOLE, "theme", path) or settings.theme
    settings.read_only = bool(reader.get(data, CONSOLE, "read_only", path))
    audit_log = reader.get(data, CONSOLE, "audit_log", path)
    if audit_log:
        settings.audit_log = str(reader.file.parent / Path(audit_log).expanduser())
    settings.keys = reader.keymap(data, CONSOLE, "keys", path)
    return settings


def _servers(reader: TomlReader, data: dict[str, Any]) -> dict[str, ServerProfile]:
    servers: dict[str, ServerProfile] = {}
    for name, table in data.items():
        path = ("servers", name)
        if not isinstance(table, dict):
            reader.error(path, f"expected a table, got {type_name(table)}")
            continue
        reader.known_keys(table, SERVER, path)
        kind = reader.get(table, SERVER, "kind", path)
        url = reader.get(table, SERVER, "url", path)
        if kind is None or url is None:
            if "kind" not in table or "url" not in table:
                reader.error(path, "a server needs 'kind' and 'url'")
            continue
        proxy = proxy_url(reader, reader.get(table, SERVER, "proxy", path), path)
        allow_insecure_http = bool(reader.get(table, SERVER, "allow_insecure_http", path))
        _url(reader, url, proxy, allow_insecure_http, path)
        of_kind = SERVER_OF_KIND[ServerKind(kind)]
        if not table.get("credentials_env") and not table.get("credentials_file"):
            reader.error(path, "a server needs credentials_env or credentials_file")
        servers[name] = ServerProfile(
            name=name,
            kind=ServerKind(kind),
            url=url.rstrip("/"),
            credentials_env=reader.get(table, SERVER, "credentials_env", path) or "",
            credentials_file=reader.get(table, SERVER, "credentials_file", path) or "",
            ca_file=ca_file(reader, reader.get(table, SERVER, "ca_file", path), path),
            read_only=bool(reader.get(table, SERVER, "read_only", path)),
            api_version=reader.get(table, of_kind, "api_version", path)
            or of_kind.fields["api_version"].choices[0],
            auth=reader.get(table, of_kind, "auth", path) or of_kind.fields["auth"].choices[0],
            base_dir=str(reader.file.parent),
            allow_insecure_http=allow_insecure_http,
            proxy=proxy,
            max_items=_count(reader, table, path, "max_items", DEFAULT_MAX_ITEMS),
            concurrency=_count(
                reader, table, path, "concurrency", DEFAULT_CONCURRENCY, MAX_CONCURRENCY
            ),
            play_url=_play_url(reader, table, ServerKind(kind), proxy, allow_insecure_http, path),
            max_key_age=duration(reader, table, "max_key_age", path),
        )
    return servers


def _url(
    reader: TomlReader,
    url: str,
    proxy: str,
    allow_insecure_http: bool,
    path: KeyPath,
    field: str = "url",
    shown: str = "",
) -> None:
    """An http(s) URL; plain http only straight to this machine, or with a warning where the
    profile allows it (the server backends refuse it otherwise). ``shown``: the text the file
    holds, where ``url`` is that text filled in."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        parts, host = None, ""
    if parts is None or parts.scheme not in ("https", "http") or not host:
        reader.error((*path, field), f"{quoted(shown or url)} is not an http(s) URL")
        return
    refusal = plain_http_refusal(parts.scheme, host, proxy)
    if refusal and allow_insecure_http:
        reader.warn((*path, field), f"{refusal} (allow_insecure_http = true)")
    elif refusal:
        reader.warn(
            (*path, field),
            f"{refusal}; commands on this server refuse to connect. {HTTP_ADVICE}",
        )


# A pattern: re compiles (and caches) it on first use; only a play_url has placeholders.
_PLACEHOLDER = r"\{([^{}]*)\}"


def _play_url(
    reader: TomlReader,
    table: dict[str, Any],
    kind: ServerKind,
    proxy: str,
    allow_insecure_http: bool,
    path: KeyPath,
) -> str:
    """THEOlive's player URL for an alias, ``https://…/{alias}/…``: where ``probe`` asks."""
    value = reader.get(table, SERVER, "play_url", path)
    if not value:
        return ""
    where = (*path, "play_url")
    if kind is not ServerKind.THEOLIVE:
        reader.error(where, "play_url is for theolive servers: Ant Media's players use url")
        return ""
    names = re.findall(_PLACEHOLDER, value)
    unknown = [name for name in names if name not in PLAY_URL_FIELDS]
    if unknown or "{alias}" not in value:
        fields = " and ".join(f"{{{name}}}" for name in PLAY_URL_FIELDS)
        found = f"; {quoted('{' + unknown[0] + '}')} is not one" if unknown else ""
        reader.error(where, f"play_url takes {fields} (the alias at least){found}")
        return ""
    filled = re.sub(_PLACEHOLDER, "x", value)
    if "{" in filled or "}" in filled:
        reader.error(where, f"{quoted(value)} has a brace that closes no {{alias}} or {{channel}}")
        return ""
    _url(reader, filled, proxy, allow_insecure_http, path, "play_url", value)
    return str(value)


def _count(
    reader: TomlReader,
    table: dict[str, Any],
    path: KeyPath,
    field: str,
    default: int,
    most: int | None = None,
) -> int:
    """A server's ``field``, a count from 1 (to ``most``): ``max_items``, the most entries
    one listing may hold; ``concurrency``, the most requests in flight at once."""
    value = reader.get(table, SERVER, field, path)
    if value is None:
        return default
    if value < 1:
        reader.error((*path, field), f"expected at least 1, got {value}")
        return default
    if most is not None and value > most:
        reader.error((*path, field), f"expected at most {most}, got {value}")
        return default
    return int(value)


def _scope(
    keys: KeyReader, app: Application, data: dict[str, Any], path: KeyPath
) -> ScopeSettings | None:
    """publish / play / key of a table; None when it sets none of them."""
    reader = keys.reader
    publish = reader.get(data, APPLICATION, "publish", path)
    play = reader.get(data, APPLICATION, "play", path)
    key_table = reader.get(data, APPLICATION, "key", path)
    key = keys.entry(app, key_table, (*path, "key")) if key_table is not None else None
    if publish is None and play is None and key is None:
        return None
    return ScopeSettings(publish, play, key)


def _name(reader: TomlReader, name: str, path: KeyPath) -> None:
    """Application and alias names become URL path segments on a server (wire_rules)."""
    problem = name_problem(name)
    if problem:
        reader.error(path, f"the name {quoted(name)} {problem}: no server can be asked for it")


def _application(keys: KeyReader, name: str, data: dict[str, Any]) -> Application | None:
    reader = keys.reader
    path = ("applications", name)
    _name(reader, name, path)
    reader.known_keys(data, APPLICATION, path)
    kind_text = reader.get(data, APPLICATION, "kind", path)
    if kind_text is None:
        if "kind" not in data:
            kinds = ", ".join(ServerKind)
            reader.error(path, f"an application needs a 'kind' ({kinds})")
        return None
    label = reader.get(data, APPLICATION, "label", path) or ""
    app = Application(name, ServerKind(kind_text), label=label)
    host = reader.get(data, APPLICATION, "host", path)
    app.delivery_url = delivery_host(reader, app, host, path)
    app.max_key_age = duration(reader, data, "max_key_age", path)
    if app.kind is ServerKind.THEOLIVE and "publish" in data:
        reader.error((*path, "publish"), "THEOlive has no publish (ingest) JWT; remove 'publish'")
    app.settings = _scope(keys, app, data, path) or ScopeSettings()
    app.one_time_token = _one_time(reader, app, data, path)
    aliases = reader.table(data, APPLICATION, "aliases", path)
    for alias_name in unusable_names(aliases):
        _name(reader, alias_name, (*path, "aliases", alias_name))
    built = app.aliases
    for alias_name, alias_data in aliases.items():
        # The common cases at 100k aliases, `name = {}` and `name = { label = "..." }`,
        # are built here: nothing else to check, and no call or key path per alias.
        if type(alias_data) is dict:
            if not alias_data:
                built[alias_name] = Alias(alias_name)
                continue
            if len(alias_data) == 1 and type(label := alias_data.get("label")) is str:
                built[alias_name] = Alias(alias_name, label)
                continue
        alias = _alias(keys, app, alias_name, alias_data, (*path, "aliases", alias_name))
        if alias is not None:
            built[alias_name] = alias
    aliases.clear()  # parse_config's own tables, most of a big config's memory: free them
    return app


def _one_time(
    reader: TomlReader, app: Application, data: dict[str, Any], path: KeyPath
) -> frozenset[Direction]:
    value = reader.get(data, APPLICATION, "one_time_token", path)
    if value is None:
        return frozenset()
    if app.kind is not ServerKind.ANTMEDIA:
        reader.error((*path, "one_time_token"), "one-time tokens exist on Ant Media only")
        return frozenset()
    directions = {d.value for d in Direction}
    bad = [v for v in value if not isinstance(v, str) or v not in directions]
    if bad:
        reader.error((*path, "one_time_token"), f"expected 'publish' and/or 'play', got {bad!r}")
        return frozenset()
    return frozenset(Direction(v) for v in value)


def _alias(
    keys: KeyReader, app: Application, name: str, data: object, path: KeyPath
) -> Alias | None:
    reader = keys.reader
    if not isinstance(data, dict):
        reader.error(path, f"expected a table (e.g. {name} = {{}}), got {type_name(data)}")
        return None
    reader.known_keys(data, ALIAS, path)
    label = reader.get(data, ALIAS, "label", path) or ""
    if not app.kind.alias_overrides:
        set_here = [k for k in ("publish", "play", "key") if k in data]
        if set_here:
            reader.error(
                (*path, set_here[0]),
                f"Ant Media Server enforces JWT per application: set {set_here[0]!r} on "
                f"applications.{app.name}, not on a stream",
            )
            return Alias(name, label)
    if app.kind is ServerKind.THEOLIVE and "publish" in data:
        reader.error((*path, "publish"), "THEOlive has no publish (ingest) JWT; remove 'publish'")
    return Alias(name, label, _scope(keys, app, data, path))


# --- entry point ----------------------------------------------------------------------------

# rtoml pays off on big configs only: importing it and compiling the fast path's screening
# regexes costs 3 ms or more, what tomllib takes to parse some 10 KB (the sample: 3.5 KB).
FAST_PARSE_MIN_CHARS = 32 * 1024


def parse_config(
    text: str, file: Path, environ: Mapping[str, str] | None = None
) -> tuple[Config, tuple[Problem, ...]]:
    """Parse and validate; return the config and its warnings, or raise ConfigError. The
    problems' lines are found when first asked (:class:`.toml_reader.LineFinders`).

    ``rtoml`` parses a big config where it agrees with ``tomllib`` (:mod:`.toml_fast`); a
    config it makes fail is read again from ``tomllib``'s data, as messages quote values (a
    date-time's repr names its time zone class, rtoml's own) and must read as they always have.
    """
    environ = os.environ if environ is None else environ
    reader = TomlReader(file, text, environ)
    data = _fast_parse(text)
    config = _checked(reader, data) if data is not None else None
    del data  # before a strict parse builds its own, or the problems' lines are located
    if config is None or reader.failed:
        reader = TomlReader(file, text, environ)
        config = _checked(reader, load_toml(text, file))
    if reader.failed:
        raise ConfigError(reader.problems)
    return config, tuple(reader.problems)


def _fast_parse(text: str) -> dict[str, Any] | None:
    """``text`` parsed by the fast path, or None: too small to gain, or declined."""
    if len(text) < FAST_PARSE_MIN_CHARS:
        return None
    from streamconsole.backends.toml_fast import fast_toml  # late: start-up on small configs

    return fast_toml(text)


def _checked(reader: TomlReader, data: dict[str, Any]) -> Config:
    """The config ``data`` describes, its problems left in ``reader``."""
    reader.known_keys(data, TOP, ())
    config = Config(
        settings=_console(reader, reader.table(data, TOP, "console", ())),
        servers=_servers(reader, reader.table(data, TOP, "servers", ())),
    )
    keys = KeyReader(reader)
    for name, app_data in reader.table(data, TOP, "applications", ()).items():
        if not isinstance(app_data, dict):
            reader.error(("applications", name), f"expected a table, got {type_name(app_data)}")
            continue
        app = _application(keys, name, app_data)
        if app is not None:
            app.max_key_age = app.max_key_age or config.settings.max_key_age
            config.applications[name] = app
    for warning in keys.places.directory_warnings(KEY_DIRECTORY):  # where rotations write
        reader.warn((), warning)
    return config
