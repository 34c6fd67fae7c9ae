"""THEOlive API v2 (``/v2``): distributions, each protected while it holds a key (at most
two, by id); lists come in pages of ``{"data", "pagination"}``."""

from __future__ import annotations

from typing import Any

from streamconsole.backends.base import ChangeRefused, RemoteError
from streamconsole.backends.http import expect
from streamconsole.backends.theolive.rules import NOTHING_WRITTEN, AliasState, Place
from streamconsole.backends.theolive.wire import (
    MAX_PAGES,
    KeyListWire,
    alias_of,
    labelled,
    remote_keys,
)
from streamconsole.backends.wire_rules import segment

PAGE = 100  # the most v2 lists give per request
_DERIVED = (
    "v2: token security is derived from the key list: a distribution is protected while it "
    "holds a key, and off when it holds none (there is no separate switch)"
)


def _state(item: dict[str, Any], what: str) -> AliasState:
    security = expect(item.get("security"), dict, f"{what}: security")
    return AliasState(remote_keys(security.get("keys"), f"{what}: security keys"))


class V2Wire(KeyListWire):
    alias_noun = "distribution"
    has_switch = False
    list_note = _DERIVED
    keys_note = ""

    async def channels(self) -> list[tuple[str, str] | None]:
        return [
            labelled(item.get("id"), item.get("name")) if isinstance(item, dict) else None
            for item in await self._list("/v2/channels", "the channel list")
        ]

    async def _list(self, path: str, what: str) -> list[Any]:
        """Every item of a list, ``PAGE`` a request, following ``cursor``/``hasMore``."""
        items: list[Any] = []
        cursor = ""
        cursors: set[str] = set()
        for _ in range(MAX_PAGES):
            params: dict[str, str | int] = {"limit": PAGE}
            if cursor:
                params["cursor"] = cursor
            reply = expect(await self.http.request("GET", path, params=params), dict, what)
            items.extend(expect(reply.get("data"), list, f"{what}: data"))
            self.limit.check(len(items), f"GET {path}")
            pagination = reply.get("pagination")
            if not isinstance(pagination, dict) or pagination.get("hasMore") is not True:
                return items
            following = pagination.get("cursor")
            if not isinstance(following, str) or not following or following in cursors:
                raise RemoteError(f"unexpected reply: {what} has more, but no new cursor")
            cursors.add(following)
            cursor = following
        raise RemoteError(f"{what} goes on past {MAX_PAGES} pages; stopped")

    async def aliases(self, channel: str) -> list[tuple[str, str, AliasState]]:
        """One paged list per channel, which carries the keys."""
        what = f"the distributions of {channel}"
        path = f"/v2/channels/{segment(channel, 'channel')}/distributions"
        found = []
        for item in await self._list(path, what):
            if not isinstance(item, dict):
                raise RemoteError(f"unexpected reply: an entry of {what} is not an object")
            alias, label = alias_of(item.get("id"), item.get("name"), what, self.alias_noun)
            found.append((alias, label, _state(item, f"distribution {alias}")))
        return found

    async def read_state(self, place: Place) -> AliasState:
        what = f"distribution {place.alias}"
        path = f"/v2/distributions/{segment(place.alias, self.alias_noun)}"
        reply = await self.http.request("GET", path)
        data = expect(expect(reply, dict, what).get("data"), dict, f"{what}: data")
        owner = data.get("channelId")
        if isinstance(owner, str) and owner != place.channel:
            raise ChangeRefused(
                f"{place}: that distribution belongs to channel "
                f"{self.http.quote(owner, 60)}{NOTHING_WRITTEN}"
            )
        return _state(data, what)

    async def add_key(self, place: Place, material: str, name: str) -> tuple[str, str]:
        reply = await self.http.request(
            "POST",
            self._keys_path(place),
            json_body={"name": name, "key": material},
            idempotent=False,
            secrets=[material],
        )
        data = expect(expect(reply, dict, "the added key").get("data"), dict, "data")
        given = data.get("name")
        key_id = expect(data.get("id"), str, "the added key's id")
        return key_id, given if isinstance(given, str) else name

    async def set_switch(self, place: Place, on: bool, key: str | None = None) -> None:
        raise ChangeRefused(
            f"{place}: v2 has no token-security switch: a distribution is protected while "
            f"it holds a key{NOTHING_WRITTEN}"
        )

    def _keys_path(self, place: Place) -> str:
        return f"/v2/distributions/{segment(place.alias, self.alias_noun)}/security/keys"
