"""THEOlive API v1 (``/channels``): aliases, each with a token-security switch (deprecated,
one key that can only be replaced) and CDN security keys (at most two, by id)."""

from __future__ import annotations

import asyncio
from typing import Any

from streamconsole.backends.base import RemoteError
from streamconsole.backends.http import expect
from streamconsole.backends.theolive.rules import AliasState, Place
from streamconsole.backends.theolive.wire import (
    MAX_PAGES,
    KeyListWire,
    alias_of,
    labelled,
    remote_keys,
)
from streamconsole.backends.wire_rules import segment

_DERIVED = (
    "v1: an alias that holds CDN security keys is protected whatever its token-security "
    "switch says (derived from the key list)"
)


def _name(item: dict[str, Any]) -> Any:
    metadata = item.get("metadata")
    return metadata.get("name") if isinstance(metadata, dict) else None


class V1Wire(KeyListWire):
    alias_noun = "alias"
    has_switch = True
    list_note = ""
    keys_note = _DERIVED

    async def channels(self) -> list[tuple[str, str] | None]:
        return [
            labelled(item.get("channelId"), _name(item)) if isinstance(item, dict) else None
            for item in await self._channel_pages()
        ]

    async def _channel_pages(self) -> list[Any]:
        """Channels, page after page (``startingAfter``): the page size is the server's,
        so a page shorter than the first, or an empty one, is the last."""
        items: list[Any] = []
        seen: set[str] = set()
        first_size = 0
        after: str | None = None
        for _ in range(MAX_PAGES):
            params = {"startingAfter": after} if after is not None else None
            page = expect(
                await self.http.request("GET", "/channels", params=params),
                list,
                "the channel list",
            )
            ids = [i.get("channelId") for i in page if isinstance(i, dict)]
            if any(i in seen for i in ids):
                raise RemoteError("unexpected reply: the channel list repeats itself across pages")
            seen.update(i for i in ids if isinstance(i, str))
            items.extend(page)
            self.limit.check(len(items), "GET /channels")
            first_size = first_size or len(page)
            if not page or len(page) < first_size:
                return items
            after = ids[-1] if ids and isinstance(ids[-1], str) else None
            if after is None:
                raise RemoteError("unexpected reply: the last channel of a page has no id")
        raise RemoteError(f"the channel list goes on past {MAX_PAGES} pages; stopped")

    async def aliases(self, channel: str) -> list[tuple[str, str, AliasState]]:
        """The alias list, then per alias its switch and its CDN keys."""
        what = f"the aliases of {channel}"
        path = f"/channels/{segment(channel, 'channel')}/aliases"
        items = expect(await self.http.request("GET", path), list, what)
        self.limit.check(len(items), f"GET {path}")
        named = []
        for item in items:
            if not isinstance(item, dict):
                raise RemoteError(f"unexpected reply: an entry of {what} is not an object")
            # v1 calls an alias's own id "channelId" (its channel is "parentChannelId").
            named.append(alias_of(item.get("channelId"), _name(item), what, self.alias_noun))
        states = await asyncio.gather(*(self.read_state(Place(channel, a)) for a, _ in named))
        return [(alias, label, state) for (alias, label), state in zip(named, states, strict=True)]

    async def read_state(self, place: Place) -> AliasState:
        switch, keys = await asyncio.gather(
            self.http.request("GET", f"{self._alias_path(place)}/token-security"),
            self.http.request("GET", self._keys_path(place)),
        )
        enabled = expect(switch, dict, f"the token security of {place}").get("enabled")
        key_list = expect(keys, dict, f"the CDN keys of {place}").get("keys")
        return AliasState(
            remote_keys(key_list, f"the CDN keys of {place}"),
            token_security=expect(enabled, bool, f"the token security of {place}: enabled"),
        )

    async def add_key(self, place: Place, material: str, name: str) -> tuple[str, str]:
        """A CDN key; v1 keeps no name for it."""
        reply = await self.http.request(
            "POST",
            self._keys_path(place),
            json_body={"key": material},
            idempotent=False,
            secrets=[material],
        )
        return expect(expect(reply, dict, "the added key").get("id"), str, "the key id"), ""

    async def set_switch(self, place: Place, on: bool, key: str | None = None) -> None:
        path = f"{self._alias_path(place)}/token-security/{'enable' if on else 'disable'}"
        body = {"key": key} if key is not None else None
        reply = await self.http.request(
            "POST", path, json_body=body, idempotent=False, secrets=[key] if key else []
        )
        enabled = expect(reply, dict, "the token-security reply").get("enabled")
        if enabled is not on:
            raise RemoteError(
                f"POST {path}: the server answered enabled={self.http.quote(repr(enabled), 40)}"
                f", not {on}; refresh to see its state"
            )

    def _alias_path(self, place: Place) -> str:
        channel = segment(place.channel, "channel")
        return f"/channels/{channel}/aliases/{segment(place.alias, self.alias_noun)}"

    def _keys_path(self, place: Place) -> str:
        return f"{self._alias_path(place)}/cdn-security/keys"
