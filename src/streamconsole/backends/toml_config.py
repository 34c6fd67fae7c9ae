"""Reading a config: TOML text → :class:`~streamconsole.core.model.Config`, strictly.

Every problem is collected with its key path (and line, found on demand), so ``check``
can list them all at once. Unknown keys are refused with the nearest valid name. Key files
are read here, relative to the config file, each at most once per load.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import re
import stat
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from streamconsole.backends.base import ConfigError, Problem
from streamconsole.backends.key_places import KEY_DIRECTORY, KeyPlaces, variable_warning
from streamconsole.backends.toml_scan import KeyPath, locate_all
from streamconsole.backends.wire_rules import (
    HTTP_ADVICE,
    name_problem,
    plain_http_refusal,
    unusable_names,
)
from streamconsole.core.durations import parse_duration
from streamconsole.core.edits import check_key_for
from streamconsole.core.errors import DurationError, KeyValidationError
from streamconsole.core.keys import (
    Algorithm,
    AsymmetricKey,
    Key,
    KeyFamily,
    SecretEncoding,
    parse_algorithm,
    private_key_from_pem,
    public_key_from_text,
    shared_key,
)
from streamconsole.core.model import (
    DEFAULT_MAX_ITEMS,
    Alias,
    Application,
    Config,
    ConsoleSettings,
    Direction,
    KeyEntry,
    KeyOrigin,
    ScopeSettings,
    ServerKind,
    ServerProfile,
    one_time_token_warning,
)
from streamconsole.core.text import inert

MAX_KEY_FILE_BYTES = 64 * 1024

_TOP_KEYS = ("console", "servers", "applications")
_CONSOLE_KEYS = ("token_ttl", "save", "theme", "read_only", "audit_log")
_SERVER_KEYS = (
    "kind",
    "url",
    "credentials_env",
    "credentials_file",
    "ca_file",
    "read_only",
    "api_version",
    "auth",
    "allow_insecure_http",
    "proxy",
    "max_items",
)
# The values a server kind takes for each of these fields, its default first. Ant Media has
# one API version (v2, accepted but never needed); THEOlive authenticates one way.
SERVER_CHOICES: dict[ServerKind, dict[str, tuple[str, ...]]] = {
    ServerKind.ANTMEDIA: {"api_version": ("v2",), "auth": ("password", "proxy-jwt")},
    ServerKind.THEOLIVE: {"api_version": ("v2", "v1"), "auth": ("basic",)},
}
_APP_KEYS = ("kind", "label", "publish", "play", "one_time_token", "key", "aliases")
_ALIAS_KEYS = ("label", "publish", "play", "key")
# Where a key's material comes from (and how to read it): a rotation replaces all of these.
KEY_MATERIAL_FIELDS = (
    "key_file",
    "key_env",
    "secret",
    "public_key",
    "private_key_file",
    "private_key_env",
    "encoding",
)
_KEY_KEYS = ("algorithm", *KEY_MATERIAL_FIELDS, "created")
_KEY_SOURCES = ("key_file", "key_env", "secret", "public_key")
_SYNTAX_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")


_TYPE_NAMES: dict[type, str] = {
    bool: "a boolean",
    int: "an integer",
    float: "a float",
    str: "a string",
    list: "an array",
    dict: "a table",
    datetime: "a date-time (e.g. 2026-09-01T10:00:00Z)",
}


def _type_name(value: object) -> str:
    return _TYPE_NAMES.get(type(value), f"a {type(value).__name__}")


def _quoted(text: str) -> str:
    """A name or value from the file, quoted for a message: at most 60 characters of it."""
    return inert(repr(text), limit=60)


def _did_you_mean(text: str, choices: tuple[str, ...]) -> str:
    """'; did you mean X?' for a near miss. Text over 3x the longest choice cannot reach
    difflib's 0.6 cutoff, and indexing a 10 MB value would take difflib seconds."""
    if len(text) > 3 * max(len(choice) for choice in choices):
        return ""
    near = difflib.get_close_matches(text, choices, n=1)
    return f"; did you mean {near[0]!r}?" if near else ""


@dataclass
class _Reader:
    """One load's state: the problems found and the key files already read."""

    file: Path
    text: str
    environ: Mapping[str, str]
    problems: list[Problem] = field(default_factory=list)
    _paths: list[KeyPath] = field(default_factory=list)
    _key_cache: dict[tuple[str, str, str], Key] = field(default_factory=dict)
    _file_cache: dict[Path, str] = field(default_factory=dict)
    places: KeyPlaces = field(init=False)

    def __post_init__(self) -> None:
        self.places = KeyPlaces(self.file.parent)

    # --- reporting ---------------------------------------------------------------------

    def error(self, path: KeyPath, message: str) -> None:
        self._report(path, message, warning=False)

    def warn(self, path: KeyPath, message: str) -> None:
        self._report(path, message, warning=True)

    def _report(self, path: KeyPath, message: str, *, warning: bool) -> None:
        self.problems.append(Problem(message, ".".join(path), self.file, warning=warning))
        self._paths.append(path)

    def located_problems(self) -> list[Problem]:
        """The problems with their lines, found in one pass over the text."""
        lines = locate_all(self.text, self._paths)
        return [
            dataclasses.replace(problem, line=lines.get(path))
            for problem, path in zip(self.problems, self._paths, strict=True)
        ]

    @property
    def failed(self) -> bool:
        return any(not p.warning for p in self.problems)

    # --- typed access ------------------------------------------------------------------

    def known_keys(self, table: Mapping[str, Any], allowed: tuple[str, ...], path: KeyPath) -> None:
        for name in table:
            if name not in allowed:
                hint = _did_you_mean(name, allowed)
                self.error(
                    (*path, name),
                    f"unknown key {_quoted(name)}{hint} (valid: {', '.join(allowed)})",
                )

    def get(self, table: Mapping[str, Any], name: str, kind: type, path: KeyPath) -> Any:
        value = table.get(name)
        if value is None:
            return None
        ok = isinstance(value, kind) and not (kind is int and isinstance(value, bool))
        if not ok:
            expected = _TYPE_NAMES[kind]
            self.error((*path, name), f"expected {expected}, got {_type_name(value)}")
            return None
        return value

    def table(self, table: Mapping[str, Any], name: str, path: KeyPath) -> dict[str, Any]:
        value = self.get(table, name, dict, path)
        return value if value is not None else {}

    def choice(
        self, table: Mapping[str, Any], name: str, choices: tuple[str, ...], path: KeyPath
    ) -> str | None:
        choices = tuple(str(choice) for choice in choices)  # StrEnum members print as reprs
        value = self.get(table, name, str, path)
        if value is not None and value not in choices:
            hint = _did_you_mean(value, choices)
            self.error((*path, name), f"{_quoted(value)} is not one of {', '.join(choices)}{hint}")
            return None
        return value  # type: ignore[no-any-return]

    # --- files and environment ---------------------------------------------------------

    def read_key_file(self, relative: str, path: KeyPath, *, secret: bool) -> str | None:
        resolved = (self.file.parent / relative).resolve()
        if resolved in self._file_cache:
            return self._file_cache[resolved]
        shown = f"{relative!r}" + (f" ({resolved})" if relative != str(resolved) else "")
        try:
            info = os.stat(resolved)
        except FileNotFoundError:
            self.error(path, f"key file {shown} does not exist")
            return None
        except OSError as error:
            self.error(path, f"key file {shown} cannot be read: {error.strerror}")
            return None
        if stat.S_ISDIR(info.st_mode):
            self.error(path, f"key file {shown} is a directory")
            return None
        if not stat.S_ISREG(info.st_mode):
            # Opening a FIFO blocks until something writes to it; a device may never end.
            self.error(path, f"key file {shown} is not a regular file")
            return None
        if info.st_size > MAX_KEY_FILE_BYTES:
            self.error(path, f"key file {shown} is {info.st_size:,} bytes: too large for a key")
            return None
        if secret and info.st_mode & 0o077:
            mode = stat.S_IMODE(info.st_mode)
            self.warn(
                path,
                f"key file {relative!r} is readable by other users (mode {mode:04o}); "
                f"run: chmod 600 {relative}",
            )
        if (self.file.parent / relative).is_symlink():
            self.warn(path, f"key file {relative!r} is a symbolic link to {resolved}")
        about_file, about_directory = self.places.warnings_for(relative)
        for warning in about_file:
            self.warn(path, warning)
        for warning in about_directory:  # about every key there, not this one alone
            self.warn((), warning)
        try:
            data = resolved.read_bytes()
        except OSError as error:
            self.error(path, f"key file {shown} cannot be read: {error.strerror}")
            return None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            self.error(path, f"key file {shown} is not UTF-8 text")
            return None
        # One trailing newline is what editors and `echo` add; it is not part of the key.
        text = text.removesuffix("\n").removesuffix("\r")
        self._file_cache[resolved] = text
        return text

    def cached_key(self, text: str, algorithm: Algorithm, encoding: SecretEncoding) -> Key:
        """Parse a key once per load, however many scopes reference it."""
        cache_key = (text, algorithm.value, encoding.value)
        key = self._key_cache.get(cache_key)
        if key is None:
            if algorithm.family is KeyFamily.HMAC:
                key = shared_key(algorithm, text, encoding)
            else:
                key = public_key_from_text(algorithm, text)
            self._key_cache[cache_key] = key
        return key

    def read_env(self, name: str, path: KeyPath) -> str | None:
        if warning := variable_warning(path[-1], name):
            self.warn(path, warning)
        value = self.environ.get(name)
        if value is None:
            self.error(path, f"environment variable {name} is not set")
        return value


# --- sections -------------------------------------------------------------------------------


def _console(reader: _Reader, data: dict[str, Any]) -> ConsoleSettings:
    path = ("console",)
    reader.known_keys(data, _CONSOLE_KEYS, path)
    settings = ConsoleSettings()
    ttl = data.get("token_ttl")
    if isinstance(ttl, int) and not isinstance(ttl, bool):
        ttl = str(ttl)
    if isinstance(ttl, str):
        try:
            settings.token_ttl = parse_duration(ttl)
        except DurationError as error:
            reader.error((*path, "token_ttl"), str(error))
    elif ttl is not None:
        reader.error((*path, "token_ttl"), f"expected a duration such as '10m', got {ttl!r}")
    settings.save = reader.choice(data, "save", ("manual", "immediate"), path) or settings.save
    settings.theme = reader.get(data, "theme", str, path) or settings.theme
    settings.read_only = bool(reader.get(data, "read_only", bool, path))
    audit_log = reader.get(data, "audit_log", str, path)
    if audit_log:
        settings.audit_log = str(reader.file.parent / Path(audit_log).expanduser())
    return settings


def _servers(reader: _Reader, data: dict[str, Any]) -> dict[str, ServerProfile]:
    servers: dict[str, ServerProfile] = {}
    for name, table in data.items():
        path = ("servers", name)
        if not isinstance(table, dict):
            reader.error(path, f"expected a table, got {_type_name(table)}")
            continue
        reader.known_keys(table, _SERVER_KEYS, path)
        kinds = (ServerKind.ANTMEDIA.value, ServerKind.THEOLIVE.value)
        kind = reader.choice(table, "kind", kinds, path)
        url = reader.get(table, "url", str, path)
        if kind is None or url is None:
            if "kind" not in table or "url" not in table:
                reader.error(path, "a server needs 'kind' and 'url'")
            continue
        proxy = _proxy(reader, reader.get(table, "proxy", str, path), path)
        allow_insecure_http = bool(reader.get(table, "allow_insecure_http", bool, path))
        _url(reader, url, proxy, allow_insecure_http, path)
        choices = SERVER_CHOICES[ServerKind(kind)]
        if not table.get("credentials_env") and not table.get("credentials_file"):
            reader.error(path, "a server needs credentials_env or credentials_file")
        servers[name] = ServerProfile(
            name=name,
            kind=ServerKind(kind),
            url=url.rstrip("/"),
            credentials_env=reader.get(table, "credentials_env", str, path) or "",
            credentials_file=reader.get(table, "credentials_file", str, path) or "",
            ca_file=_ca_file(reader, reader.get(table, "ca_file", str, path), path),
            read_only=bool(reader.get(table, "read_only", bool, path)),
            api_version=reader.choice(table, "api_version", choices["api_version"], path)
            or choices["api_version"][0],
            auth=reader.choice(table, "auth", choices["auth"], path) or choices["auth"][0],
            base_dir=str(reader.file.parent),
            allow_insecure_http=allow_insecure_http,
            proxy=proxy,
            max_items=_max_items(reader, table, path),
        )
    return servers


def _url(reader: _Reader, url: str, proxy: str, allow_insecure_http: bool, path: KeyPath) -> None:
    """An http(s) URL; plain http only straight to this machine, or with a warning where the
    profile allows it (the server backends refuse it otherwise)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        parts, host = None, ""
    if parts is None or parts.scheme not in ("https", "http") or not host:
        reader.error((*path, "url"), f"{_quoted(url)} is not an http(s) URL")
        return
    refusal = plain_http_refusal(parts.scheme, host, proxy)
    if refusal and allow_insecure_http:
        reader.warn((*path, "url"), f"{refusal} (allow_insecure_http = true)")
    elif refusal:
        reader.warn(
            (*path, "url"),
            f"{refusal}; commands on this server refuse to connect. {HTTP_ADVICE}",
        )


def _proxy(reader: _Reader, value: str | None, path: KeyPath) -> str:
    """The proxy a profile names (the environment's proxy variables are never used)."""
    if not value:
        return ""
    try:
        parts = urlsplit(value)
        ok = parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:
        ok = False
    if not ok:
        reader.error((*path, "proxy"), f"{_quoted(value)} is not an http(s) proxy URL")
        return ""
    return value


def _max_items(reader: _Reader, table: dict[str, Any], path: KeyPath) -> int:
    """The most entries one listing of the server may hold (at least 1)."""
    value = reader.get(table, "max_items", int, path)
    if value is not None and value < 1:
        reader.error((*path, "max_items"), f"expected at least 1, got {value}")
    return DEFAULT_MAX_ITEMS if value is None or value < 1 else int(value)


def _ca_file(reader: _Reader, value: str | None, path: KeyPath) -> str:
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


def _key(reader: _Reader, app: Application, data: dict[str, Any], path: KeyPath) -> KeyEntry | None:
    reader.known_keys(data, _KEY_KEYS, path)
    algorithm_text = reader.get(data, "algorithm", str, path)
    if algorithm_text is None:
        if "algorithm" not in data:
            reader.error(path, "a key needs an 'algorithm' (e.g. HS256, RS256)")
        return None
    try:
        algorithm = parse_algorithm(algorithm_text)
    except KeyValidationError as error:
        reader.error((*path, "algorithm"), str(error))
        return None
    if algorithm not in app.kind.algorithms:
        allowed = ", ".join(app.kind.algorithms)
        reader.error(
            (*path, "algorithm"), f"{app.kind.display_name} accepts {allowed}; not {algorithm}"
        )
        return None
    sources = [name for name in _KEY_SOURCES if name in data]
    if len(sources) != 1:
        listed = ", ".join(_KEY_SOURCES)
        found = f"found {', '.join(sources)}" if sources else "found none"
        reader.error(path, f"a key needs exactly one of {listed}; {found}")
        return None
    source = sources[0]
    hmac = algorithm.family is KeyFamily.HMAC
    if hmac and source == "public_key":
        reader.error((*path, source), f"{algorithm} needs a shared secret, not 'public_key'")
        return None
    if not hmac and source == "secret":
        reader.error((*path, source), f"{algorithm} needs a public key, not 'secret'")
        return None
    location = reader.get(data, source, str, path)
    if location is None:
        return None
    if source == "key_file":
        origin, text = KeyOrigin.FILE, reader.read_key_file(location, (*path, source), secret=hmac)
    elif source == "key_env":
        origin, text = KeyOrigin.ENV, reader.read_env(location, (*path, source))
    else:
        origin, text, location = KeyOrigin.INLINE, location, ""
        if hmac:
            reader.warn((*path, source), "the secret is written inline; move it to a key_file")
    if text is None:
        return None
    encoding_text = reader.choice(data, "encoding", tuple(SecretEncoding), path)
    encoding = SecretEncoding(encoding_text) if encoding_text else SecretEncoding.UTF8
    if encoding_text and not hmac:
        reader.error((*path, "encoding"), "'encoding' applies to shared secrets only")
    try:
        key = reader.cached_key(text, algorithm, encoding)
        check_key_for(app, key)
    except KeyValidationError as error:
        reader.error((*path, source), str(error))
        return None
    private_location = ""
    if not hmac:
        key, private_location = _private_key(reader, algorithm, key, data, path)
    created = _created(reader, data, path)
    return KeyEntry(key, origin, location, private_location, created)


def _private_key(
    reader: _Reader, algorithm: Algorithm, key: Key, data: dict[str, Any], path: KeyPath
) -> tuple[Key, str]:
    sources = [n for n in ("private_key_file", "private_key_env") if n in data]
    if not sources:
        return key, ""
    if len(sources) > 1:
        reader.error(path, "give one of private_key_file, private_key_env, not both")
        return key, ""
    name = sources[0]
    location = reader.get(data, name, str, path)
    if location is None:
        return key, ""
    text = (
        reader.read_key_file(location, (*path, name), secret=True)
        if name == "private_key_file"
        else reader.read_env(location, (*path, name))
    )
    if text is None:
        return key, ""
    try:
        private = private_key_from_pem(algorithm, text, check_rsa_math=False)
    except KeyValidationError as error:
        reader.error((*path, name), str(error))
        return key, ""
    if not isinstance(key, AsymmetricKey) or private.fingerprint != key.fingerprint:
        reader.error((*path, name), "the private key does not belong to the configured public key")
        return key, ""
    return private, location if name == "private_key_file" else f"${location}"


def _created(reader: _Reader, data: dict[str, Any], path: KeyPath) -> datetime | None:
    value = data.get("created")
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    reader.error((*path, "created"), "expected a date-time such as 2026-09-01T10:00:00Z")
    return None


def _scope(
    reader: _Reader, app: Application, data: dict[str, Any], path: KeyPath
) -> ScopeSettings | None:
    """publish / play / key of a table; None when it sets none of them."""
    publish = reader.get(data, "publish", bool, path)
    play = reader.get(data, "play", bool, path)
    key_table = reader.get(data, "key", dict, path)
    key = _key(reader, app, key_table, (*path, "key")) if key_table is not None else None
    if publish is None and play is None and key is None:
        return None
    return ScopeSettings(publish, play, key)


def _name(reader: _Reader, name: str, path: KeyPath) -> None:
    """Application and alias names become URL path segments on a server (wire_rules)."""
    problem = name_problem(name)
    if problem:
        reader.error(path, f"the name {_quoted(name)} {problem}: no server can be asked for it")


def _application(reader: _Reader, name: str, data: dict[str, Any]) -> Application | None:
    path = ("applications", name)
    _name(reader, name, path)
    reader.known_keys(data, _APP_KEYS, path)
    kind_text = reader.choice(data, "kind", tuple(ServerKind), path)
    if kind_text is None:
        if "kind" not in data:
            kinds = ", ".join(ServerKind)
            reader.error(path, f"an application needs a 'kind' ({kinds})")
        return None
    app = Application(name, ServerKind(kind_text), label=reader.get(data, "label", str, path) or "")
    if app.kind is ServerKind.THEOLIVE and "publish" in data:
        reader.error((*path, "publish"), "THEOlive has no publish (ingest) JWT; remove 'publish'")
    app.settings = _scope(reader, app, data, path) or ScopeSettings()
    app.one_time_token = _one_time(reader, app, data, path)
    aliases = reader.table(data, "aliases", path)
    for alias_name in unusable_names(aliases):
        _name(reader, alias_name, (*path, "aliases", alias_name))
    for alias_name, alias_data in aliases.items():
        alias = _alias(reader, app, alias_name, alias_data, (*path, "aliases", alias_name))
        if alias is not None:
            app.aliases[alias_name] = alias
    return app


def _one_time(
    reader: _Reader, app: Application, data: dict[str, Any], path: KeyPath
) -> frozenset[Direction]:
    value = reader.get(data, "one_time_token", list, path)
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
    reader: _Reader, app: Application, name: str, data: object, path: KeyPath
) -> Alias | None:
    if not isinstance(data, dict):
        reader.error(path, f"expected a table (e.g. {name} = {{}}), got {_type_name(data)}")
        return None
    # The common cases at 100k aliases, `name = {}` and `name = { label = "..." }`: nothing
    # else to check, so no per-key validation.
    if not data:
        return Alias(name)
    label = data.get("label")
    if len(data) == 1 and isinstance(label, str):
        return Alias(name, label)
    reader.known_keys(data, _ALIAS_KEYS, path)
    label = reader.get(data, "label", str, path) or ""
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
    return Alias(name, label, _scope(reader, app, data, path))


# --- entry point ----------------------------------------------------------------------------


def parse_config(
    text: str, file: Path, environ: Mapping[str, str] | None = None
) -> tuple[Config, tuple[Problem, ...]]:
    """Parse and validate; return the config and its warnings, or raise ConfigError."""
    reader = _Reader(file, text, os.environ if environ is None else environ)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError([_syntax_problem(file, str(error))]) from None
    except RecursionError:
        raise ConfigError([Problem("nested too deeply to be a config", file=file)]) from None
    reader.known_keys(data, _TOP_KEYS, ())
    config = Config(
        settings=_console(reader, reader.table(data, "console", ())),
        servers=_servers(reader, reader.table(data, "servers", ())),
    )
    for name, app_data in reader.table(data, "applications", ()).items():
        if not isinstance(app_data, dict):
            reader.error(("applications", name), f"expected a table, got {_type_name(app_data)}")
            continue
        app = _application(reader, name, app_data)
        if app is not None:
            config.applications[name] = app
    for warning in reader.places.directory_warnings(KEY_DIRECTORY):  # where rotations write
        reader.warn((), warning)
    if reader.failed:
        raise ConfigError(reader.located_problems())
    return config, tuple(reader.located_problems())


def scope_warnings(config: Config, text: str, file: Path) -> list[Problem]:
    """What ``show`` warns about a scope that the file alone decides (one-time tokens beside
    JWT on one direction), each at the line that causes it: for ``check``. Loading does not
    add these: the console shows them in each scope's detail already."""
    found = [
        (("applications", app.name, "one_time_token"), warning)
        for app in config.applications.values()
        for direction in app.kind.directions
        if (warning := one_time_token_warning(app, None, direction))
    ]
    lines = locate_all(text, [place for place, _ in found])
    return [
        Problem(warning, ".".join(place), file, lines.get(place), warning=True)
        for place, warning in found
    ]


def _syntax_problem(file: Path, message: str) -> Problem:
    match = _SYNTAX_POSITION.search(message)
    line = int(match.group(1)) if match else None
    text = _SYNTAX_POSITION.sub("", message).strip()
    if text.startswith(("Cannot declare", "Cannot overwrite")):
        text += ": a name is defined twice (duplicate application, alias or key)"
    return Problem(f"invalid TOML: {text}", file=file, line=line)


def decode_config_bytes(data: bytes, file: Path) -> str:
    """UTF-8 text of a config; a BOM is dropped (editors on Windows add one)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ConfigError(
            [Problem(f"not UTF-8 text (byte {error.start})", file=file, line=line)]
        ) from None
    return text.removeprefix("\ufeff")
