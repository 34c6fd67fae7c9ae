"""The model: applications, aliases and what each sets per direction; the policy a server
makes of it is :mod:`.policy`'s, a key's record :mod:`.key_records`'.

Scope rules per server kind (why a policy is what it is):
* Ant Media Server enforces JWT per *application*, one HS256 secret for both directions;
  its aliases (broadcasts / stream ids) cannot override it.
* THEOlive enforces per *alias* (channel alias / distribution), play only; the config may
  set channel-level defaults that aliases inherit.
* ``generic`` servers: application-level policy, overridable per alias.
"""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple

from streamconsole.core.errors import PolicyError
from streamconsole.core.key_records import KeyEntry, RemoteKey
from streamconsole.core.keys import ANTMEDIA_MIN_SECRET_CHARS, Algorithm, SecretEncoding
from streamconsole.core.record import Record

# What a new key means where the server holds one key per scope (ServerKind.keeps_old_key is
# False): the rotate dialog, `rotate`, `plan` and `apply` all say it in these words.
HARD_CUTOVER = "hard cut-over: tokens signed with the old key stop working at once"


class ServerKind(StrEnum):
    ANTMEDIA = "antmedia"
    THEOLIVE = "theolive"
    GENERIC = "generic"

    @property
    def display_name(self) -> str:
        return {"antmedia": "Ant Media", "theolive": "THEOlive", "generic": "generic"}[self.value]

    @property
    def directions(self) -> tuple[Direction, ...]:
        if self is ServerKind.THEOLIVE:
            return (Direction.PLAY,)
        return (Direction.PUBLISH, Direction.PLAY)

    def supports(self, direction: Direction) -> bool:
        return direction in self.directions

    def unsupported(self, direction: Direction) -> str:
        """Why a server of this kind has no switch for ``direction``."""
        return (
            f"{self.display_name} has no JWT control for {direction}: not supported by this server"
        )

    @property
    def keeps_old_key(self) -> bool:
        """Whether a new key is installed beside the current one, so that tokens signed
        with either pass until the old one is retired (THEOlive: up to two keys per alias,
        v2 keys or v1 CDN keys). Elsewhere the server holds one key and a new key replaces
        it at once: a hard cut-over."""
        return self is ServerKind.THEOLIVE

    @property
    def algorithms(self) -> tuple[Algorithm, ...]:
        if self is ServerKind.ANTMEDIA:
            return (Algorithm.HS256,)
        if self is ServerKind.THEOLIVE:
            return (Algorithm.HS256, Algorithm.HS512, Algorithm.RS256, Algorithm.RS512)
        return tuple(Algorithm)

    @property
    def policy_per_alias(self) -> bool:
        """Whether the server holds a policy per alias (THEOlive) rather than per application."""
        return self is ServerKind.THEOLIVE

    @property
    def alias_overrides(self) -> bool:
        """Whether an alias may carry its own policy."""
        return self is not ServerKind.ANTMEDIA

    @property
    def min_secret_chars(self) -> int:
        return ANTMEDIA_MIN_SECRET_CHARS if self is ServerKind.ANTMEDIA else 0

    @property
    def encodings(self) -> tuple[SecretEncoding, ...]:
        # Both real servers use the secret's UTF-8 text as the HMAC key.
        if self is ServerKind.GENERIC:
            return tuple(SecretEncoding)
        return (SecretEncoding.UTF8,)

    @property
    def alias_noun(self) -> str:
        return {"antmedia": "stream", "theolive": "alias", "generic": "alias"}[self.value]


class Direction(StrEnum):
    PUBLISH = "publish"
    PLAY = "play"


class ScopeSettings(Record):
    """What one scope (application or alias) sets; ``None`` means "not set here"."""

    __slots__ = ("key", "play", "publish", "remote_keys")
    publish: bool | None
    play: bool | None
    key: KeyEntry | None
    # Keys installed on the server for this scope (write-only APIs), oldest first.
    remote_keys: tuple[RemoteKey, ...]

    def __init__(
        self,
        publish: bool | None = None,
        play: bool | None = None,
        key: KeyEntry | None = None,
        remote_keys: tuple[RemoteKey, ...] = (),
    ) -> None:
        self.publish = publish
        self.play = play
        self.key = key
        self.remote_keys = remote_keys

    def enforcement(self, direction: Direction) -> bool | None:
        return self.publish if direction is Direction.PUBLISH else self.play

    def set_enforcement(self, direction: Direction, enabled: bool | None) -> None:
        if direction is Direction.PUBLISH:
            self.publish = enabled
        else:
            self.play = enabled


class Alias(Record):
    """A stream id (Ant Media) or channel alias / distribution (THEOlive)."""

    __slots__ = ("label", "name", "settings")
    name: str
    label: str
    settings: ScopeSettings | None

    def __init__(self, name: str, label: str = "", settings: ScopeSettings | None = None) -> None:
        self.name = name
        self.label = label
        self.settings = settings


class Application(Record):
    """One application of a server, with its own settings and its aliases."""

    __slots__ = (
        "aliases",
        "aliases_loaded",
        "delivery_url",
        "kind",
        "label",
        "max_key_age",
        "name",
        "one_time_token",
        "problem",
        "settings",
        "settings_loaded",
    )
    name: str
    kind: ServerKind
    settings: ScopeSettings
    aliases: dict[str, Alias]
    label: str
    # Directions with Ant Media's one-time tokens on (shown to warn about double control).
    one_time_token: frozenset[Direction]
    # Why a remote source could not read this application (shown in its row); "" when fine.
    problem: str
    # Remote sources list applications first and fetch aliases on demand; the console's
    # listing of a server may come before the settings too (read in the background).
    aliases_loaded: bool
    settings_loaded: bool
    # Where players reach the server (core.delivery): a file's host, a profile's url/play_url.
    delivery_url: str
    # The key age policy (seconds): its own max_key_age, else its server's, else the console's.
    max_key_age: int | None

    def __init__(
        self,
        name: str,
        kind: ServerKind,
        settings: ScopeSettings | None = None,  # None: a new ScopeSettings() of its own
        aliases: dict[str, Alias] | None = None,  # None: a new dict of its own
        label: str = "",
        one_time_token: frozenset[Direction] = frozenset(),
        problem: str = "",
        aliases_loaded: bool = True,
        settings_loaded: bool = True,
        delivery_url: str = "",
        max_key_age: int | None = None,
    ) -> None:
        self.name = name
        self.kind = kind
        self.settings = ScopeSettings() if settings is None else settings
        self.aliases = {} if aliases is None else aliases
        self.label = label
        self.one_time_token = one_time_token
        self.problem = problem
        self.aliases_loaded = aliases_loaded
        self.settings_loaded = settings_loaded
        self.delivery_url = delivery_url
        self.max_key_age = max_key_age

    @property
    def policy_unknown(self) -> bool:
        """Its settings could not be read, or are not read yet: a policy would be a guess."""
        return bool(self.problem) or not self.settings_loaded


class ScopeRef(NamedTuple):
    """Names an application, or one alias of it."""

    application: str
    alias: str | None = None

    def __str__(self) -> str:
        return self.application if self.alias is None else f"{self.application}/{self.alias}"

    @classmethod
    def parse(cls, text: str) -> ScopeRef:
        app, sep, alias = text.partition("/")
        return cls(app, alias if sep else None)


class ConsoleSettings(Record):
    """The config's ``[console]`` table: the console's and the commands' defaults."""

    __slots__ = ("audit_log", "keys", "max_key_age", "read_only", "save", "theme", "token_ttl")
    token_ttl: int
    save: str  # "manual" or "immediate"
    theme: str
    read_only: bool
    audit_log: str  # a path (absolute, or relative to the config); "" = the default
    max_key_age: int | None  # seconds; servers and applications may set their own
    keys: dict[str, str]  # binding id → keys, e.g. "ctrl+r,f5"

    def __init__(
        self,
        token_ttl: int = 600,
        save: str = "manual",
        theme: str = "streamconsole-dark",
        read_only: bool = False,
        audit_log: str = "",
        max_key_age: int | None = None,
        keys: dict[str, str] | None = None,  # None: a new dict of its own
    ) -> None:
        self.token_ttl = token_ttl
        self.save = save
        self.theme = theme
        self.read_only = read_only
        self.audit_log = audit_log
        self.max_key_age = max_key_age
        self.keys = {} if keys is None else keys


# Per server: the most entries a listing holds (past it, unread); requests in flight at once.
DEFAULT_MAX_ITEMS, DEFAULT_CONCURRENCY, MAX_CONCURRENCY = 20_000, 64, 256
# How many servers a command on several works on at once, unless told (``--jobs``).
DEFAULT_JOBS = 4


class ServerProfile(Record):
    """A named remote admin API (``[servers.NAME]``); credentials are referenced, not held."""

    __slots__ = (
        "allow_insecure_http",
        "api_version",
        "auth",
        "base_dir",
        "ca_file",
        "concurrency",
        "credentials_env",
        "credentials_file",
        "kind",
        "max_items",
        "max_key_age",
        "name",
        "play_url",
        "proxy",
        "read_only",
        "url",
    )
    name: str
    kind: ServerKind
    url: str
    credentials_env: str
    credentials_file: str
    ca_file: str
    read_only: bool
    api_version: str
    # antmedia: "password" (credentials "email:password") or "proxy-jwt" (credentials: the
    # server's jwtServerSecretKey); theolive: "basic" (credentials "tokenKey:tokenSecret").
    auth: str
    # Where the config file lives, to resolve relative credentials_file / ca_file paths.
    base_dir: str
    # Plain http to a host other than this machine: refused unless this says it is meant.
    allow_insecure_http: bool
    # The proxy to reach the server through; never one from the environment (HTTP_PROXY).
    proxy: str
    max_items: int
    concurrency: int
    # theolive: where players fetch an alias's stream, "https://…/{alias}/…" (the probe's).
    play_url: str
    max_key_age: int | None

    def __init__(
        self,
        name: str,
        kind: ServerKind,
        url: str,
        credentials_env: str = "",
        credentials_file: str = "",
        ca_file: str = "",
        read_only: bool = False,
        api_version: str = "",
        auth: str = "",
        base_dir: str = "",
        allow_insecure_http: bool = False,
        proxy: str = "",
        max_items: int = DEFAULT_MAX_ITEMS,
        concurrency: int = DEFAULT_CONCURRENCY,
        play_url: str = "",
        max_key_age: int | None = None,
    ) -> None:
        self.name = name
        self.kind = kind
        self.url = url
        self.credentials_env = credentials_env
        self.credentials_file = credentials_file
        self.ca_file = ca_file
        self.read_only = read_only
        self.api_version = api_version
        self.auth = auth
        self.base_dir = base_dir
        self.allow_insecure_http = allow_insecure_http
        self.proxy = proxy
        self.max_items = max_items
        self.concurrency = concurrency
        self.play_url = play_url
        self.max_key_age = max_key_age


class Config(Record):
    """A loaded config: its applications, its settings and its server profiles."""

    __slots__ = ("applications", "servers", "settings")
    applications: dict[str, Application]
    settings: ConsoleSettings
    servers: dict[str, ServerProfile]

    def __init__(
        self,
        applications: dict[str, Application] | None = None,  # None: new and empty, as below
        settings: ConsoleSettings | None = None,
        servers: dict[str, ServerProfile] | None = None,
    ) -> None:
        self.applications = {} if applications is None else applications
        self.settings = ConsoleSettings() if settings is None else settings
        self.servers = {} if servers is None else servers

    def resolve(self, ref: ScopeRef) -> tuple[Application, Alias | None]:
        app = self.applications.get(ref.application)
        if app is None:
            raise PolicyError(f"no application named {ref.application!r}")
        if ref.alias is None:
            return app, None
        alias = app.aliases.get(ref.alias)
        if alias is None:
            noun = app.kind.alias_noun
            raise PolicyError(f"application {app.name!r} has no {noun} {ref.alias!r}")
        return app, alias

    @property
    def alias_count(self) -> int:
        return sum(len(app.aliases) for app in self.applications.values())
