"""The records of keys: a configured key and where its material came from
(:class:`KeyEntry`), and a key a server holds (:class:`RemoteKey`). What a scope sets and how
its policy resolves are :mod:`.model`'s and :mod:`.policy`'s."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from streamconsole.core.keys import Algorithm, Key


class KeyOrigin(StrEnum):
    """Where a key's material lives; decides how a rotation is saved."""

    FILE = "file"
    ENV = "env"
    INLINE = "inline"
    REMOTE = "remote"  # held by the server only (write-only THEOlive keys)
    NEW = "new"  # made in this session, not saved yet


@dataclass(slots=True)
class KeyEntry:
    """A configured key: the material plus where it came from. Never holds a path to print
    secret text; ``location`` is a file path or an environment variable name."""

    key: Key
    origin: KeyOrigin
    location: str = ""
    private_location: str = ""
    created: datetime | None = None

    @property
    def algorithm(self) -> Algorithm:
        return self.key.algorithm

    @property
    def fingerprint(self) -> str:
        return self.key.fingerprint


@dataclass(frozen=True, slots=True)
class RemoteKey:
    """A key a server holds but never returns (THEOlive): known by id and name, and by
    fingerprint only where this console uploaded it."""

    id: str
    name: str = ""
    fingerprint: str = ""
    # The key itself, where this machine keeps its material (a local key record); None when
    # the material is unknown here. Not part of the key's identity (id, name, fingerprint).
    entry: KeyEntry | None = field(default=None, compare=False)
