"""What the THEOlive source needs of an API generation: one small protocol that v1
(:mod:`.v1`) and v2 (:mod:`.v2`) each speak in their own paths, paging and JSON shapes."""

from __future__ import annotations

from typing import Any, Protocol

from streamconsole.backends.base import RemoteError
from streamconsole.backends.http import HttpClient, expect
from streamconsole.backends.remote import ItemLimit
from streamconsole.backends.theolive.rules import AliasState, Place
from streamconsole.backends.wire_rules import name_refusal, segment
from streamconsole.core.key_records import RemoteKey

MAX_PAGES = 10_000  # a server that never stops paging is a bug, not a big account


class Wire(Protocol):
    """One API generation of THEOlive, spoken over the source's HTTP client."""

    @property
    def alias_noun(self) -> str:
        """What this API calls an alias ("alias" in v1, "distribution" in v2)."""
        ...

    @property
    def has_switch(self) -> bool:
        """Whether aliases have v1's token-security switch, with its one replaceable key."""
        ...

    @property
    def list_note(self) -> str:
        """A warning for every load of this API ("" for none)."""
        ...

    @property
    def keys_note(self) -> str:
        """A warning once some alias holds a key list ("" for none)."""
        ...

    async def channels(self) -> list[tuple[str, str] | None]:
        """Every channel as (id, label), in the server's order; None for an entry with no
        id (left out with a warning)."""
        ...

    async def aliases(self, channel: str) -> list[tuple[str, str, AliasState]]:
        """The channel's aliases as (id, label, token security)."""
        ...

    async def read_state(self, place: Place) -> AliasState:
        """The alias's token security right now (before a write)."""
        ...

    async def add_key(self, place: Place, material: str, name: str) -> tuple[str, str]:
        """Upload a key beside the others: (its id, its name)."""
        ...

    async def delete_key(self, place: Place, key_id: str) -> None: ...

    async def set_switch(self, place: Place, on: bool, key: str | None = None) -> None:
        """v1's switch: enable (with ``key``, or none to re-enable the key held) or disable."""
        ...


class KeyListWire:
    """What v1 and v2 share: the client, the listing cap, and deleting keys from an
    alias's key list (the list's path is each generation's own)."""

    alias_noun: str

    def __init__(self, http: HttpClient, limit: ItemLimit) -> None:
        self.http = http
        self.limit = limit

    def _keys_path(self, place: Place) -> str:
        raise NotImplementedError

    async def delete_key(self, place: Place, key_id: str) -> None:
        path = f"{self._keys_path(place)}/{segment(key_id, 'key id')}"
        await self.http.request("DELETE", path, idempotent=False, expect_json=False)


def labelled(ident: Any, name: Any) -> tuple[str, str] | None:
    """(id, label) of a list entry, the label being its name where that says more; None
    when it has no id."""
    if not isinstance(ident, str) or not ident:
        return None
    return ident, name if isinstance(name, str) and name != ident else ""


def alias_of(ident: Any, name: Any, what: str, noun: str) -> tuple[str, str]:
    """(id, label) of an alias entry; one without an id, or with one that cannot be a URL
    path segment, makes the whole list unreadable."""
    entry = labelled(ident, name)
    if entry is None:
        raise RemoteError(f"unexpected reply: an entry of {what} has no id")
    unusable = name_refusal(entry[0], noun)
    if unusable:
        raise RemoteError(f"unexpected reply: in {what}, {unusable}")
    return entry


def remote_keys(value: Any, what: str) -> tuple[RemoteKey, ...]:
    """A key list as the server names it: ids and names, never material."""
    keys = []
    for item in expect(value, list, what):
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            raise RemoteError(f"unexpected reply: an entry of {what} has no id")
        name = item.get("name")
        keys.append(RemoteKey(item["id"], name if isinstance(name, str) else ""))
    return tuple(keys)
