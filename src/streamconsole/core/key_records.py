"""The records of keys: a configured key and where its material came from
(:class:`KeyEntry`), and a key a server holds (:class:`RemoteKey`). What a scope sets and how
its policy resolves are :mod:`.model`'s and :mod:`.policy`'s."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from streamconsole.core.keys import Algorithm, Key
from streamconsole.core.record import FrozenRecord, Record


class KeyOrigin(StrEnum):
    """Where a key's material lives; decides how a rotation is saved."""

    FILE = "file"
    ENV = "env"
    INLINE = "inline"
    REMOTE = "remote"  # held by the server only (write-only THEOlive keys)
    NEW = "new"  # made in this session, not saved yet


class KeyEntry(Record):
    """A configured key: the material plus where it came from. Never holds a path to print
    secret text; ``location`` is a file path or an environment variable name."""

    __slots__ = ("created", "key", "location", "origin", "private_location")
    key: Key
    origin: KeyOrigin
    location: str
    private_location: str
    created: datetime | None

    def __init__(
        self,
        key: Key,
        origin: KeyOrigin,
        location: str = "",
        private_location: str = "",
        created: datetime | None = None,
    ) -> None:
        self.key = key
        self.origin = origin
        self.location = location
        self.private_location = private_location
        self.created = created

    @property
    def algorithm(self) -> Algorithm:
        return self.key.algorithm

    @property
    def fingerprint(self) -> str:
        return self.key.fingerprint


class RemoteKey(FrozenRecord):
    """A key a server holds but never returns (THEOlive): known by id and name, and by
    fingerprint only where this console uploaded it."""

    __slots__ = ("entry", "fingerprint", "id", "name")
    id: str
    name: str
    fingerprint: str
    # The key itself, where this machine keeps its material (a local key record); None when
    # the material is unknown here. Not part of the key's identity (id, name, fingerprint).
    entry: KeyEntry | None

    def __init__(
        self, id: str, name: str = "", fingerprint: str = "", entry: KeyEntry | None = None
    ) -> None:
        set_field = object.__setattr__
        set_field(self, "id", id)
        set_field(self, "name", name)
        set_field(self, "fingerprint", fingerprint)
        set_field(self, "entry", entry)

    def _key(self) -> tuple[str, str, str]:
        return (self.id, self.name, self.fingerprint)
