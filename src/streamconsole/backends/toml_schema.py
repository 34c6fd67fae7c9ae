"""What a config file may hold: its tables, their keys, each key's type and allowed values.

Declarations only; :mod:`.toml_reader` checks a file against them and :mod:`.toml_config`
builds the model from what passes. Keys are listed in the order messages name them.
"""

from __future__ import annotations

from streamconsole.backends.toml_reader import Field, Table
from streamconsole.core.keys import SecretEncoding
from streamconsole.core.model import ServerKind

STRING = Field(str)
BOOLEAN = Field(bool)
TABLE = Field(dict)

TOP = Table({"console": TABLE, "servers": TABLE, "applications": TABLE})

CONSOLE = Table(
    {
        "token_ttl": Field(object),  # a duration: '10m', or seconds
        "save": Field(str, ("manual", "immediate")),
        "theme": STRING,
        "read_only": BOOLEAN,
        "audit_log": STRING,
        "max_key_age": Field(object),  # a duration: '90d'; servers and applications too
        "keys": TABLE,  # binding id → keys; the console checks the ids (tui.keymap)
    }
)

SERVER = Table(
    {
        "kind": Field(str, (ServerKind.ANTMEDIA.value, ServerKind.THEOLIVE.value)),
        "url": STRING,
        "credentials_env": STRING,
        "credentials_file": STRING,
        "ca_file": STRING,
        "read_only": BOOLEAN,
        "api_version": STRING,  # the values each kind takes: SERVER_CHOICES
        "auth": STRING,
        "allow_insecure_http": BOOLEAN,
        "proxy": STRING,
        "max_items": Field(int),
        "concurrency": Field(int),
        "play_url": STRING,  # theolive only: see PLAY_URL_FIELDS
        "max_key_age": Field(object),
    }
)
# The names a THEOlive play_url may hold in braces, filled in (percent-encoded) per alias.
PLAY_URL_FIELDS = ("alias", "channel")
# The values a server kind takes for each of these fields, its default first. Ant Media has
# one API version (v2, accepted but never needed); THEOlive authenticates one way.
SERVER_CHOICES: dict[ServerKind, dict[str, tuple[str, ...]]] = {
    ServerKind.ANTMEDIA: {"api_version": ("v2",), "auth": ("password", "proxy-jwt")},
    ServerKind.THEOLIVE: {"api_version": ("v2", "v1"), "auth": ("basic",)},
}
SERVER_OF_KIND = {kind: SERVER.narrowed(choices) for kind, choices in SERVER_CHOICES.items()}

APPLICATION = Table(
    {
        "kind": Field(str, tuple(kind.value for kind in ServerKind)),
        "label": STRING,
        "host": STRING,  # where players and encoders reach the server: HOST[:PORT]
        "publish": BOOLEAN,
        "play": BOOLEAN,
        "one_time_token": Field(list),  # of 'publish' and/or 'play'
        "max_key_age": Field(object),
        "key": TABLE,
        "aliases": TABLE,
    }
)
ALIAS = Table({name: APPLICATION.fields[name] for name in ("label", "publish", "play", "key")})

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
# A key takes exactly one of these, and a public key at most one of the private ones.
KEY_SOURCES = ("key_file", "key_env", "secret", "public_key")
PRIVATE_KEY_SOURCES = ("private_key_file", "private_key_env")
KEY = Table(
    {
        "algorithm": STRING,
        **dict.fromkeys(KEY_MATERIAL_FIELDS, STRING),
        "encoding": Field(str, tuple(encoding.value for encoding in SecretEncoding)),
        "created": Field(object),  # a date-time or a date
    }
)
