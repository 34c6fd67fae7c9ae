"""THEOlive (OptiView Live) as a source: channels, their aliases, and per-alias token security.

Per the wire format (see shared/spec/theolive.md), API v1 (``/channels``) or v2 (``/v2``):

* a channel is an application, its aliases (v1) or distributions (v2) are its aliases, and
  token security is per alias and for play only;
* listing costs one request per page of channels; aliases come on demand with
  :meth:`TheoLiveSource.load_aliases`: in v2 one paged list per channel, which carries the
  keys; in v1 the alias list, then per alias its token-security switch and its CDN keys;
* keys are write-only: the server names them by id only. What this console knows of the
  keys it uploaded (fingerprint, where the material lives) comes from local
  :class:`~streamconsole.backends.theolive_keys.KeyRecords`;
* enforcement is v1's token-security switch, or, in v2 and for v1's CDN keys, *derived*:
  on while the alias holds a key;
* a new key is added beside the old one (at most two per alias), so tokens signed with
  either are accepted; the old one is retired by id with :meth:`TheoLiveSource.retire_key`
  once its tokens have expired. v1's single token-security key can only be replaced at
  once, and only when asked: ``apply(changes, hard_cutover=True)``.

Every save is checked against the server's current state before its first write.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import partial
from typing import Any, TypeVar
from urllib.parse import quote

import httpx

from streamconsole.backends.base import (
    AuthError,
    ChangeRefused,
    Closable,
    ConflictError,
    Problem,
    ReadOnlyError,
    RemoteError,
    SourceError,
    Step,
    remote_status,
    run_steps,
)
from streamconsole.backends.credentials import split_pair
from streamconsole.backends.http import HttpClient, HttpSettings, expect, tls_verify
from streamconsole.backends.theolive_keys import KeyRecord, KeyRecords
from streamconsole.core.durations import format_duration
from streamconsole.core.edits import Change, SetEnforcement, SetKey, check_key_for
from streamconsole.core.errors import KeyValidationError
from streamconsole.core.keys import Key, SharedKey, pem_kind
from streamconsole.core.model import (
    HARD_CUTOVER,
    Alias,
    Application,
    Config,
    ConsoleSettings,
    Direction,
    KeyEntry,
    KeyOrigin,
    RemoteKey,
    ScopeRef,
    ScopeSettings,
    ServerKind,
    ServerProfile,
)
from streamconsole.core.secret import Secret
from streamconsole.core.text import inert

V2_PAGE = 100  # the most v2 lists give per request
MAX_KEYS = 2  # v2 keys / v1 CDN keys per alias
MAX_PAGES = 10_000  # a server that never stops paging is a bug, not a big account
# v1's token-security key has no id; this stands for it among an alias's keys.
LEGACY_KEY_ID = "v1:token-security"
_LEGACY_KEY_NAME = "token-security switch (v1, deprecated)"
_NOTHING_WRITTEN = "; nothing was written"
_V2_DERIVED = (
    "v2: token security is derived from the key list: a distribution is protected while it "
    "holds a key, and off when it holds none (there is no separate switch)"
)
_V1_DERIVED = (
    "v1: an alias that holds CDN security keys is protected whatever its token-security "
    "switch says (derived from the key list)"
)


def _segment(text: str) -> str:
    """A server id as one URL path segment (ids come from the server: never trust a '/')."""
    return quote(text, safe="")


def _key_label(key: RemoteKey) -> str:
    return f"{key.id} ({inert(key.name, limit=60)})" if key.name else key.id


@dataclass(frozen=True, slots=True)
class _AliasState:
    """An alias's token security as the server reports it (keys by id and name only)."""

    keys: tuple[RemoteKey, ...] = ()  # v2 keys, or v1 CDN security keys
    token_security: bool | None = None  # v1's switch; None in v2, which has none

    @property
    def enforced(self) -> bool:
        return bool(self.token_security) or bool(self.keys)

    def active_keys(self) -> tuple[RemoteKey, ...]:
        """Every key tokens are checked against, v1's token-security key first."""
        legacy = (RemoteKey(LEGACY_KEY_ID, _LEGACY_KEY_NAME),) if self.token_security else ()
        return legacy + self.keys

    def describe(self) -> str:
        keys = ", ".join(_key_label(k) for k in self.keys) or "none"
        if self.token_security is None:
            return f"keys: {keys}"
        return f"token-security {'on' if self.token_security else 'off'}, CDN keys: {keys}"


_Place = tuple[str, str]  # (channel id, alias id)
_T = TypeVar("_T")


class TheoLiveSource(Closable):
    kind = ServerKind.THEOLIVE

    def __init__(
        self,
        profile: ServerProfile,
        credentials: Secret,
        *,
        read_only: bool = False,
        settings: HttpSettings | None = None,
        clock: Callable[[], float] = time.time,
        key_records: KeyRecords | None = None,
        console: ConsoleSettings | None = None,
    ) -> None:
        if profile.api_version not in ("", "v1", "v2"):
            raise SourceError(
                f"server {profile.name!r}: api_version must be v1 or v2, "
                f"not {inert(profile.api_version, limit=20)!r}"
            )
        if profile.auth not in ("", "basic"):
            raise SourceError(
                f'server {profile.name!r}: THEOlive takes HTTP Basic auth (auth = "basic"), '
                f"not {inert(profile.auth, limit=20)!r}"
            )
        self.profile = profile
        # The config file's [console] settings (TTL, save mode, audit log) apply here too.
        self._console = console or ConsoleSettings()
        self.api_version = profile.api_version or "v2"
        self._read_only = read_only or profile.read_only
        self._clock = clock
        self.user, token_secret = split_pair(credentials, "tokenKey:tokenSecret")
        base_url = profile.url.rstrip("/")
        if base_url.endswith("/v2"):  # the vendor documents v2's base as .../v2
            base_url = base_url.removesuffix("/v2")
        self.http = HttpClient(
            base_url,
            verify=tls_verify(profile.ca_file, profile.base_dir),
            auth=httpx.BasicAuth(self.user, token_secret.reveal()),
            settings=settings,
        )
        self.records = key_records or KeyRecords.for_profile(profile.name)
        self.warnings: tuple[Problem, ...] = ()
        self._config: Config | None = None
        # What each alias looked like when last read: a save refuses if it changed since.
        self._seen: dict[_Place, _AliasState] = {}
        # Aliases whose v1 token-security switch was seen on: the server holds their key.
        self._legacy_key_seen: set[_Place] = set()

    @property
    def name(self) -> str:
        return self.profile.name

    @property
    def status(self) -> str:
        return remote_status(self.profile.name, self.user, self.http.last_latency)

    @property
    def read_only(self) -> bool:
        return self._read_only

    @property
    def v2(self) -> bool:
        return self.api_version == "v2"

    @property
    def alias_noun(self) -> str:
        return "distribution" if self.v2 else "alias"

    async def aclose(self) -> None:
        await self.http.aclose()

    @staticmethod
    def overlap_wait(ttl_seconds: int) -> str:
        """How long the old and new keys must both be installed during a rotation."""
        return (
            f"wait at least {format_duration(ttl_seconds)} — the longest token lifetime in "
            "use — before retiring the old key"
        )

    # --- reading --------------------------------------------------------------------------

    async def load(self) -> Config:
        if self.v2:
            items = await self._v2_list("/v2/channels", "the channel list")
        else:
            items = await self._v1_channels()
        warnings: list[Problem] = []
        applications: dict[str, Application] = {}
        for index, item in enumerate(items):
            parsed = self._channel_of(item)
            if parsed is None:
                warnings.append(
                    Problem(f"channel entry {index} has no id; left out", self._path, warning=True)
                )
                continue
            channel, label = parsed
            applications[channel] = Application(
                channel, ServerKind.THEOLIVE, label=label, aliases_loaded=False
            )
        if self.v2:
            warnings.append(Problem(_V2_DERIVED, self._path, warning=True))
        self.warnings = tuple(warnings)
        self._seen.clear()
        self._legacy_key_seen.clear()
        self._config = Config(applications=applications, settings=self._console)
        return self._config

    @property
    def _path(self) -> str:
        return f"servers.{self.name}"

    def _channel_of(self, item: Any) -> tuple[str, str] | None:
        """(id, label) of one channel entry, or None when it has no id."""
        if not isinstance(item, dict):
            return None
        if self.v2:
            channel, name = item.get("id"), item.get("name")
        else:
            metadata = item.get("metadata")
            channel = item.get("channelId")
            name = metadata.get("name") if isinstance(metadata, dict) else None
        if not isinstance(channel, str) or not channel:
            return None
        return channel, name if isinstance(name, str) and name != channel else ""

    async def _v1_channels(self) -> list[Any]:
        """v1 channels, page after page (``startingAfter``): the page size is the server's,
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
            first_size = first_size or len(page)
            if not page or len(page) < first_size:
                return items
            after = ids[-1] if ids and isinstance(ids[-1], str) else None
            if after is None:
                raise RemoteError("unexpected reply: the last channel of a page has no id")
        raise RemoteError(f"the channel list goes on past {MAX_PAGES} pages; stopped")

    async def _v2_list(self, path: str, what: str) -> list[Any]:
        """Every item of a v2 list, ``V2_PAGE`` a request, following ``cursor``/``hasMore``."""
        items: list[Any] = []
        cursor = ""
        cursors: set[str] = set()
        for _ in range(MAX_PAGES):
            params: dict[str, str | int] = {"limit": V2_PAGE}
            if cursor:
                params["cursor"] = cursor
            reply = expect(await self.http.request("GET", path, params=params), dict, what)
            items.extend(expect(reply.get("data"), list, f"{what}: data"))
            pagination = reply.get("pagination")
            if not isinstance(pagination, dict) or pagination.get("hasMore") is not True:
                return items
            following = pagination.get("cursor")
            if not isinstance(following, str) or not following or following in cursors:
                raise RemoteError(f"unexpected reply: {what} has more, but no new cursor")
            cursors.add(following)
            cursor = following
        raise RemoteError(f"{what} goes on past {MAX_PAGES} pages; stopped")

    async def load_aliases(self, app: Application) -> None:
        """Fetch the channel's aliases and their token security. A channel that cannot be
        read gets ``app.problem`` (its aliases stay unloaded); AuthError propagates."""
        try:
            if self.v2:
                found = await self._v2_aliases(app.name)
            else:
                found = await self._v1_aliases(app.name)
        except AuthError:
            raise
        except RemoteError as error:
            app.problem = str(error)
            return
        states = [(alias, state) for alias, _, state in found]
        settings, warnings = await asyncio.to_thread(self._settings_from, app.name, states)
        for alias, state in states:
            self._remember((app.name, alias), state)
        if not self.v2 and any(state.keys for _, state in states):
            warnings.append(Problem(_V1_DERIVED, self._path, warning=True))
        self._warn(warnings)
        app.aliases = {alias: Alias(alias, label, settings[alias]) for alias, label, _ in found}
        app.aliases_loaded = True
        app.problem = ""

    def _warn(self, warnings: Sequence[Problem]) -> None:
        new = [w for w in dict.fromkeys(warnings) if w not in self.warnings]
        self.warnings = (*self.warnings, *new)

    def _remember(self, place: _Place, state: _AliasState) -> None:
        self._seen[place] = state
        if state.token_security:
            self._legacy_key_seen.add(place)

    async def _v2_aliases(self, channel: str) -> list[tuple[str, str, _AliasState]]:
        what = f"the distributions of {channel}"
        items = await self._v2_list(f"/v2/channels/{_segment(channel)}/distributions", what)
        found = []
        for item in items:
            if not isinstance(item, dict):
                raise RemoteError(f"unexpected reply: an entry of {what} is not an object")
            alias, label = _alias_of(item.get("id"), item.get("name"), what)
            found.append((alias, label, self._v2_state(item, f"distribution {alias}")))
        return found

    def _v2_state(self, item: dict[str, Any], what: str) -> _AliasState:
        security = expect(item.get("security"), dict, f"{what}: security")
        return _AliasState(_remote_keys(security.get("keys"), f"{what}: security keys"))

    async def _v1_aliases(self, channel: str) -> list[tuple[str, str, _AliasState]]:
        what = f"the aliases of {channel}"
        reply = await self.http.request("GET", f"/channels/{_segment(channel)}/aliases")
        named = []
        for item in expect(reply, list, what):
            if not isinstance(item, dict):
                raise RemoteError(f"unexpected reply: an entry of {what} is not an object")
            metadata = item.get("metadata")
            name = metadata.get("name") if isinstance(metadata, dict) else None
            # v1 calls an alias's own id "channelId" (its channel is "parentChannelId").
            named.append(_alias_of(item.get("channelId"), name, what))
        states = await asyncio.gather(*(self._v1_state((channel, a)) for a, _ in named))
        return [(alias, label, state) for (alias, label), state in zip(named, states, strict=True)]

    def _v1_alias_path(self, place: _Place) -> str:
        return f"/channels/{_segment(place[0])}/aliases/{_segment(place[1])}"

    def _keys_path(self, place: _Place) -> str:
        if self.v2:
            return f"/v2/distributions/{_segment(place[1])}/security/keys"
        return f"{self._v1_alias_path(place)}/cdn-security/keys"

    async def _v1_state(self, place: _Place) -> _AliasState:
        where = f"{place[0]}/{place[1]}"
        switch, keys = await asyncio.gather(
            self.http.request("GET", f"{self._v1_alias_path(place)}/token-security"),
            self.http.request("GET", self._keys_path(place)),
        )
        enabled = expect(switch, dict, f"the token security of {where}").get("enabled")
        key_list = expect(keys, dict, f"the CDN keys of {where}").get("keys")
        return _AliasState(
            _remote_keys(key_list, f"the CDN keys of {where}"),
            token_security=expect(enabled, bool, f"the token security of {where}: enabled"),
        )

    async def _read_state(self, place: _Place) -> _AliasState:
        """The alias's state right now (before a write)."""
        if not self.v2:
            return await self._v1_state(place)
        what = f"distribution {place[1]}"
        reply = await self.http.request("GET", f"/v2/distributions/{_segment(place[1])}")
        data = expect(expect(reply, dict, what).get("data"), dict, f"{what}: data")
        owner = data.get("channelId")
        if isinstance(owner, str) and owner != place[0]:
            raise ChangeRefused(
                f"{place[0]}/{place[1]}: that distribution belongs to channel "
                f"{inert(owner, limit=60)}{_NOTHING_WRITTEN}"
            )
        return self._v2_state(data, what)

    def _settings_from(
        self, channel: str, states: Sequence[tuple[str, _AliasState]]
    ) -> tuple[dict[str, ScopeSettings], list[Problem]]:
        """Each alias's settings: the server's state plus what the local records know of its
        keys. Runs in a thread (it reads the records file and key files)."""
        warnings: list[Problem] = []
        try:
            records = [
                r for r in self.records.read() if (r.profile, r.channel) == (self.name, channel)
            ]
        except SourceError as error:
            records = []
            warning = f"{error}; keys are shown by id only"
            warnings.append(Problem(warning, self._path, warning=True))
        by_alias: dict[str, list[KeyRecord]] = {}
        for record in records:
            by_alias.setdefault(record.alias, []).append(record)
        settings: dict[str, ScopeSettings] = {}
        for alias, state in states:
            active = state.active_keys()
            active_ids = {k.id for k in active}
            known = {r.key_id: r for r in by_alias.get(alias, []) if r.key_id in active_ids}
            # Every key whose material is kept here, newest first (two made in one second:
            # the server lists the later one last): tokens signed with any of them are
            # accepted, and the newest is the one that signs.
            position = {k.id: index for index, k in enumerate(active)}
            entries: dict[str, KeyEntry] = {}
            newest_first = sorted(
                known.values(), key=lambda r: (r.created, position[r.key_id]), reverse=True
            )
            for record in newest_first:
                if not record.material_file:
                    continue
                try:
                    entries[record.key_id] = self.records.load_entry(record)
                except SourceError as error:
                    warnings.append(Problem(str(error), f"{channel}/{alias}", warning=True))
            remote = tuple(
                RemoteKey(k.id, k.name, known[k.id].fingerprint, entries.get(k.id))
                if k.id in known
                else k
                for k in active
            )
            newest = next(iter(entries.values()), None)
            settings[alias] = ScopeSettings(play=state.enforced, key=newest, remote_keys=remote)
        return settings, warnings

    async def _refresh(self, place: _Place) -> None:
        """After a write: the loaded model's alias shows what the server now holds."""
        app = self._config.applications.get(place[0]) if self._config else None
        alias = app.aliases.get(place[1]) if app else None
        if alias is None:
            return
        settings, warnings = await asyncio.to_thread(
            self._settings_from, place[0], [(place[1], self._seen[place])]
        )
        alias.settings = settings[place[1]]
        self._warn(warnings)

    # --- writing --------------------------------------------------------------------------

    async def apply(self, changes: Sequence[Change], *, hard_cutover: bool = False) -> None:
        """Persist edits; every one is checked against the server before the first write.

        A key change *adds* the new key beside the alias's current one (at most two), so
        tokens signed with either are accepted until the old one is retired with
        :meth:`retire_key`. ``hard_cutover=True`` is for API v1's single token-security key:
        the new key *replaces* the old at once, and every token signed with the old key is
        refused from that moment. Only a caller that means it passes it (the Source
        protocol does not), so no generic save can cut viewers off.
        """
        self._check_writable()
        grouped = self._group(changes, hard_cutover)
        if not grouped:
            return
        records = await self._records()
        states = await asyncio.gather(*(self._read_state(place) for place in grouped))
        steps: list[Step] = []
        for (place, scope_changes), state in zip(grouped.items(), states, strict=True):
            self._check_unchanged(place, state)
            steps.extend(self._steps(place, scope_changes, state, records, hard_cutover))
        await run_steps(steps)

    def _check_writable(self) -> None:
        if self._read_only:
            raise ReadOnlyError(f"{self.name} is read-only{_NOTHING_WRITTEN}")

    async def _records(self) -> tuple[KeyRecord, ...]:
        """The local records; a damaged file stops a write before it starts."""
        records = await asyncio.to_thread(self.records.read)
        return tuple(r for r in records if r.profile == self.name)

    def _place(self, scope: ScopeRef) -> _Place:
        if scope.alias is None:
            raise ChangeRefused(
                f"{scope}: THEOlive holds token security per {self.alias_noun}, not per "
                f"channel: edit its {self.alias_noun}s{_NOTHING_WRITTEN}"
            )
        return scope.application, scope.alias

    def _group(self, changes: Sequence[Change], hard_cutover: bool) -> dict[_Place, list[Change]]:
        """Changes per alias, each checked for what THEOlive can express at all."""
        grouped: dict[_Place, list[Change]] = {}
        for change in changes:
            place = self._place(change.scope)
            if isinstance(change, SetEnforcement) and change.direction is not Direction.PLAY:
                raise ChangeRefused(
                    f"{change.scope}: {self.kind.unsupported(change.direction)}{_NOTHING_WRITTEN}"
                )
            if isinstance(change, SetKey):
                _check_key(change)
                if hard_cutover and self.v2:
                    raise ChangeRefused(
                        f"{change.scope}: v2 holds two keys side by side, so it never needs a "
                        "hard cut-over: add the new key, then retire the old one"
                        f"{_NOTHING_WRITTEN}"
                    )
            grouped.setdefault(place, []).append(change)
        return grouped

    def _check_unchanged(self, place: _Place, state: _AliasState) -> None:
        seen = self._seen.get(place)
        self._remember(place, state)
        if seen is not None and seen != state:
            raise ConflictError(
                f"{place[0]}/{place[1]}: token security changed on the server since it was "
                f"loaded (was {seen.describe()}; now {state.describe()}){_NOTHING_WRITTEN}. "
                "Refresh, then edit again"
            )

    def _steps(
        self,
        place: _Place,
        changes: Sequence[Change],
        state: _AliasState,
        records: Sequence[KeyRecord],
        hard_cutover: bool,
    ) -> list[Step]:
        """The writes that carry out one alias's changes, or ChangeRefused."""
        scope = ScopeRef(*place)
        keys = [c for c in changes if isinstance(c, SetKey)]
        switches = [c for c in changes if isinstance(c, SetEnforcement)]
        wants_on = switches[-1].enabled if switches else state.enforced
        held = ", ".join(_key_label(k) for k in state.keys) or "none"
        if keys:
            if not wants_on:
                raise ChangeRefused(
                    f"{scope}: adding a key turns token security on (it is derived from the "
                    "key list): turn play enforcement on in the same save"
                    f"{_NOTHING_WRITTEN}"
                )
            if hard_cutover:
                return [self._cutover_step(scope, keys, state)]
            if len(state.keys) + len(keys) > MAX_KEYS:
                raise ChangeRefused(
                    f"{scope} holds {len(state.keys)} key(s) ({held}) and THEOlive keeps at "
                    f"most {MAX_KEYS}: retire the older one first, once no valid token is "
                    f"signed with it{_NOTHING_WRITTEN}"
                )
            return [
                Step(
                    f"{scope}: add key {c.entry.fingerprint} ({c.entry.algorithm})",
                    partial(self._add_key, place, c),
                )
                for c in keys
            ]
        if wants_on == state.enforced:
            return []
        if wants_on:
            if self.v2:
                raise ChangeRefused(
                    f"{scope}: v2 has no token-security switch: a distribution is protected "
                    f"while it holds a key. Rotate a key in to turn it on{_NOTHING_WRITTEN}"
                )
            legacy_known = place in self._legacy_key_seen or any(
                (r.channel, r.alias, r.key_id) == (*place, LEGACY_KEY_ID) for r in records
            )
            if not legacy_known:
                raise ChangeRefused(
                    f"{scope}: no key is known for its token security: rotate a key in first"
                    f"{_NOTHING_WRITTEN}"
                )
        elif self.v2:
            raise ChangeRefused(
                f"{scope}: in v2, turning token security off means deleting every key of the "
                f"distribution ({held}); do that explicitly with disable_v2, not as part of a "
                f"save{_NOTHING_WRITTEN}"
            )
        elif state.keys:
            raise ChangeRefused(
                f"{scope}: its CDN security keys ({held}) keep token security on whatever the "
                "switch says: retire them by id (the last one with turn_off=True)"
                f"{_NOTHING_WRITTEN}"
            )
        on = "on" if wants_on else "off"
        return [Step(f"{scope}: token security {on}", partial(self._switch, place, wants_on))]

    def _cutover_step(self, scope: ScopeRef, keys: Sequence[SetKey], state: _AliasState) -> Step:
        if len(keys) > 1:
            raise ChangeRefused(f"{scope}: a hard cut-over installs one key{_NOTHING_WRITTEN}")
        if state.keys:
            held = ", ".join(_key_label(k) for k in state.keys)
            raise ChangeRefused(
                f"{scope}: its CDN security keys ({held}) would still accept tokens after a "
                "hard cut-over of the token-security key: rotate by adding a CDN key instead, "
                f"or retire those first{_NOTHING_WRITTEN}"
            )
        entry = keys[0].entry
        return Step(
            f"{scope}: replace the token-security key with {entry.fingerprint} "
            f"({entry.algorithm}); {HARD_CUTOVER}",
            partial(self._cut_over, (scope.application, str(scope.alias)), keys[0]),
        )

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self._clock(), UTC).replace(microsecond=0)

    async def _keep_material(self, place: _Place, key: Key, created: datetime) -> tuple[str, str]:
        try:
            return await asyncio.to_thread(
                self.records.keep_material, self.name, place[0], place[1], key, created
            )
        except OSError as error:
            raise SourceError(
                f"{place[0]}/{place[1]}: the key could not be kept on this machine "
                f"({error.strerror}), so it was not sent{_NOTHING_WRITTEN}"
            ) from None

    async def _send_key(self, files: tuple[str, str], send: Awaitable[_T]) -> _T:
        """Await ``send`` (the upload); on a refusal, drop the key files written for it. When
        there was no clear answer the key may be on the server, so its files are kept."""
        try:
            return await send
        except RemoteError as error:
            if error.status is not None and error.status >= 400:
                await asyncio.to_thread(self.records.discard, files)
                raise
            raise type(error)(
                f"{error}. The server may or may not hold the key now; it is kept at "
                f"{files[0]}. Refresh to see the server's keys",
                status=error.status,
            ) from None

    async def _record(self, place: _Place, record: KeyRecord) -> KeyRecord | None:
        try:
            return await asyncio.to_thread(self.records.add, record)
        except (OSError, SourceError) as error:
            reason = error.strerror if isinstance(error, OSError) else str(error)
            raise SourceError(
                f"{place[0]}/{place[1]}: the server now holds key {record.key_id}, but its local "
                f"record could not be written ({reason}); its material is in "
                f"{record.material_file}"
            ) from None

    async def _add_key(self, place: _Place, change: SetKey) -> None:
        entry = change.entry
        created = self._now()
        files = await self._keep_material(place, entry.key, created)
        name = f"streamconsole {created:%Y-%m-%dT%H:%M:%SZ}"
        key_id, name = await self._send_key(
            files, self._post_key(place, _material(entry.key), name)
        )
        record = KeyRecord(
            self.name, *place, key_id, entry.fingerprint, entry.algorithm, created, *files
        )
        current = self._seen.get(place, _AliasState())
        self._seen[place] = replace(current, keys=(*current.keys, RemoteKey(key_id, name)))
        await self._record(place, record)
        _mark_installed(change, record)
        await self._refresh(place)

    async def _post_key(self, place: _Place, material: str, name: str) -> tuple[str, str]:
        """Upload a key beside the others: (its id, its name)."""
        if self.v2:
            reply = await self.http.request(
                "POST",
                self._keys_path(place),
                json_body={"name": name, "key": material},
                idempotent=False,
            )
            data = expect(expect(reply, dict, "the added key").get("data"), dict, "data")
            given = data.get("name")
            return expect(data.get("id"), str, "the added key's id"), (
                given if isinstance(given, str) else name
            )
        reply = await self.http.request(
            "POST", self._keys_path(place), json_body={"key": material}, idempotent=False
        )
        return expect(expect(reply, dict, "the added key").get("id"), str, "the key id"), ""

    async def _cut_over(self, place: _Place, change: SetKey) -> None:
        entry = change.entry
        created = self._now()
        files = await self._keep_material(place, entry.key, created)
        await self._send_key(files, self._post_switch(place, True, _material(entry.key)))
        record = KeyRecord(
            self.name, *place, LEGACY_KEY_ID, entry.fingerprint, entry.algorithm, created, *files
        )
        self._remember(place, replace(self._seen.get(place, _AliasState()), token_security=True))
        replaced = await self._record(place, record)
        if replaced is not None:
            old_files = (replaced.material_file, replaced.private_key_file)
            await asyncio.to_thread(self.records.discard, old_files)
        _mark_installed(change, record)
        await self._refresh(place)

    async def _switch(self, place: _Place, on: bool) -> None:
        """v1's token-security switch; on, without a key, re-enables the key it holds."""
        await self._post_switch(place, on)
        self._remember(place, replace(self._seen.get(place, _AliasState()), token_security=on))
        await self._refresh(place)

    async def _post_switch(self, place: _Place, on: bool, key: str | None = None) -> None:
        """v1's switch: enable (with ``key``, or none to re-enable the key held) or disable."""
        path = f"{self._v1_alias_path(place)}/token-security/{'enable' if on else 'disable'}"
        body = {"key": key} if key is not None else None
        reply = await self.http.request("POST", path, json_body=body, idempotent=False)
        enabled = expect(reply, dict, "the token-security reply").get("enabled")
        if enabled is not on:
            raise RemoteError(
                f"POST {path}: the server answered enabled={inert(repr(enabled), limit=40)}, "
                f"not {on}; "
                "refresh to see its state"
            )

    # --- rotation: retiring keys ----------------------------------------------------------

    async def retire_key(self, scope: ScopeRef, key_id: str, *, turn_off: bool = False) -> None:
        """Delete one key by id: the old key at the end of a rotation, once every token
        signed with it has expired (see :meth:`overlap_wait`). Never deletes all keys.

        Retiring an alias's last key turns its token security off (every viewer gets in
        without a token); that is refused unless ``turn_off=True`` says it is meant.
        ``LEGACY_KEY_ID`` retires v1's token-security key (switches it off).
        """
        self._check_writable()
        place = self._place(scope)
        await self._records()
        state = await self._read_state(place)
        self._check_unchanged(place, state)
        active = state.active_keys()
        if key_id not in {k.id for k in active}:
            held = ", ".join(_key_label(k) for k in active) or "none"
            raise ChangeRefused(
                f"{scope} holds no key {inert(key_id, limit=60)!r} (it holds: {held})"
                f"{_NOTHING_WRITTEN}"
            )
        if len(active) == 1 and not turn_off:
            instead = "or call disable_v2" if self.v2 else "or turn play enforcement off"
            raise ChangeRefused(
                f"{scope}: {key_id} is its only key: retiring it turns token security off, so "
                f"viewers get in without a token. Confirm with turn_off (--turn-off on the command "
                f"line) if that is meant ({instead})"
                f"{_NOTHING_WRITTEN}"
            )
        if key_id == LEGACY_KEY_ID:
            await self._post_switch(place, on=False)
            self._legacy_key_seen.discard(place)
            state = replace(state, token_security=False)
        else:
            await self.http.request(
                "DELETE",
                f"{self._keys_path(place)}/{_segment(key_id)}",
                idempotent=False,
                expect_json=False,
            )
            state = replace(state, keys=tuple(k for k in state.keys if k.id != key_id))
        self._seen[place] = state
        await self._forget(place, [key_id])

    async def disable_v2(self, scope: ScopeRef) -> None:
        """Turn a v2 distribution's token security off by deleting all of its keys.

        v2 has no switch: security is on while a key is installed. This is the one place
        that deletes every key, and only when called for that purpose (never by a save)."""
        self._check_writable()
        place = self._place(scope)
        if not self.v2:
            raise ChangeRefused(
                f"{scope}: disable_v2 is for API v2; in v1 turn play enforcement off, and "
                f"retire any CDN keys by id{_NOTHING_WRITTEN}"
            )
        await self._records()
        state = await self._read_state(place)
        self._check_unchanged(place, state)
        if not state.keys:
            return
        await self.http.request(
            "DELETE", self._keys_path(place), idempotent=False, expect_json=False
        )
        self._seen[place] = _AliasState()
        await self._forget(place, [k.id for k in state.keys])

    async def _forget(self, place: _Place, key_ids: Sequence[str]) -> None:
        """Drop local records of keys the server no longer holds, then refresh the model."""
        try:
            await asyncio.to_thread(self.records.remove, self.name, *place, key_ids)
        except (OSError, SourceError) as error:
            reason = error.strerror if isinstance(error, OSError) else str(error)
            self._warn(
                [
                    Problem(
                        f"the server no longer holds {', '.join(key_ids)}, but the local "
                        f"records could not be updated ({reason})",
                        f"{place[0]}/{place[1]}",
                        warning=True,
                    )
                ]
            )
        await self._refresh(place)


# --- helpers ------------------------------------------------------------------------------


def _alias_of(alias: Any, name: Any, what: str) -> tuple[str, str]:
    """(id, label) of an alias entry; the label is its name where that says more."""
    if not isinstance(alias, str) or not alias:
        raise RemoteError(f"unexpected reply: an entry of {what} has no id")
    return alias, name if isinstance(name, str) and name != alias else ""


def _remote_keys(value: Any, what: str) -> tuple[RemoteKey, ...]:
    keys = []
    for item in expect(value, list, what):
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            raise RemoteError(f"unexpected reply: an entry of {what} has no id")
        name = item.get("name")
        keys.append(RemoteKey(item["id"], name if isinstance(name, str) else ""))
    return tuple(keys)


def _check_key(change: SetKey) -> None:
    """A key THEOlive can take, and only ever its public part."""
    key = change.entry.key
    try:
        check_key_for(Application(change.scope.application, ServerKind.THEOLIVE), key)
    except KeyValidationError as error:
        raise ChangeRefused(f"{change.scope}: {error}{_NOTHING_WRITTEN}") from None
    if not isinstance(key, SharedKey) and pem_kind(key.public_pem) != "public":
        raise ChangeRefused(
            f"{change.scope}: the key to upload is not a PEM public key{_NOTHING_WRITTEN}"
        )


def _material(key: Key) -> str:
    """What the server gets: the shared secret's text, or the public key PEM (never private)."""
    return key.secret.reveal() if isinstance(key, SharedKey) else key.public_pem


def _mark_installed(change: SetKey, record: KeyRecord) -> None:
    """The change's key now lives on the server, its material where the record says."""
    entry = change.entry
    entry.origin = KeyOrigin.REMOTE
    entry.location = record.material_file
    entry.private_location = record.private_key_file
    entry.created = record.created
