"""The THEOlive source: reads through the API generation's wire adapter, asks the rules
what a save means, carries out the writes and keeps the local key records in step."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from functools import partial
from typing import TypeVar

from streamconsole.backends.base import (
    AuthError,
    ChangeRefused,
    Problem,
    ReadOnlyError,
    RemoteError,
    SourceError,
    scope_path,
)
from streamconsole.backends.credentials import split_pair
from streamconsole.backends.http import HttpSettings, open_client
from streamconsole.backends.http_requests import basic_auth
from streamconsole.backends.remote import ItemLimit, RemoteSource, Step, run_steps
from streamconsole.backends.theolive.records import KeyRecord, KeyRecords
from streamconsole.backends.theolive.rules import (
    LEGACY_KEY_ID,
    NOTHING_WRITTEN,
    AddKey,
    AliasState,
    CutOver,
    Place,
    Switch,
    Write,
    check_profile,
    check_retire,
    check_unchanged,
    group_by_alias,
    key_material,
    overlap_advice,
    place_of,
    writes_for,
)
from streamconsole.backends.theolive.v1 import V1Wire
from streamconsole.backends.theolive.v2 import V2Wire
from streamconsole.backends.theolive.wire import Wire
from streamconsole.backends.wire_rules import name_refusal
from streamconsole.core.edits import Change, ScopeChange, SetKey
from streamconsole.core.key_records import RemoteKey
from streamconsole.core.model import (
    Alias,
    Application,
    Config,
    ConsoleSettings,
    ScopeRef,
    ScopeSettings,
    ServerKind,
    ServerProfile,
)
from streamconsole.core.secret import Secret

_T = TypeVar("_T")


class TheoLiveSource(RemoteSource):
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
        check_profile(profile)
        self.profile = profile
        # The config file's [console] settings (TTL, save mode, audit log) apply here too.
        self._console = console or ConsoleSettings()
        self._read_only = read_only or profile.read_only
        self._clock = clock
        self.user, token_secret = split_pair(credentials, "tokenKey:tokenSecret")
        # The vendor documents v2's base as .../v2; the adapters add the version themselves.
        base_url = profile.url.rstrip("/").removesuffix("/v2")
        self.http = open_client(
            profile,
            base_url=base_url,
            auth=basic_auth(self.user, token_secret.reveal()),
            settings=settings,
            secrets=[token_secret.reveal()],
        )
        self.api_version = profile.api_version or "v2"
        wire = V1Wire if self.api_version == "v1" else V2Wire
        self.wire: Wire = wire(self.http, ItemLimit(profile.name, profile.max_items))
        self.records = key_records or KeyRecords.for_profile(profile.name)
        self.warnings: tuple[Problem, ...] = ()
        self._config: Config | None = None
        # What each alias looked like when last read: a save refuses if it changed since.
        self._seen: dict[Place, AliasState] = {}
        # Aliases whose v1 token-security switch was seen on: the server holds their key.
        self._legacy_key_seen: set[Place] = set()

    @staticmethod
    def overlap_wait(ttl_seconds: int) -> str:
        """How long the old and new keys must both be installed during a rotation."""
        return overlap_advice(ttl_seconds)

    # --- reading --------------------------------------------------------------------------

    async def load(self) -> Config:
        warnings: list[Problem] = []
        applications: dict[str, Application] = {}
        for index, entry in enumerate(await self.wire.channels()):
            if entry is None:
                warnings.append(
                    Problem(f"channel entry {index} has no id; left out", self._path, warning=True)
                )
                continue
            channel, label = entry
            problem = name_refusal(channel, "channel")  # a channel no URL can name
            applications[channel] = Application(
                channel, ServerKind.THEOLIVE, label=label, aliases_loaded=False, problem=problem
            )
            applications[channel].max_key_age = self._console.max_key_age
            applications[channel].delivery_url = self.profile.play_url  # "" or with {alias}
        if self.wire.list_note:
            warnings.append(Problem(self.wire.list_note, self._path, warning=True))
        self.warnings = tuple(warnings)
        self._seen.clear()
        self._legacy_key_seen.clear()
        self._config = Config(applications=applications, settings=self._console)
        return self._config

    @property
    def _path(self) -> str:
        return f"servers.{self.name}"

    async def load_aliases(self, app: Application) -> None:
        """Fetch the channel's aliases and their token security. A channel that cannot be
        read gets ``app.problem`` (its aliases stay unloaded); AuthError propagates. An
        alias whose id cannot be a URL path segment is left out, with a warning."""
        try:
            found = await self.wire.aliases(app.name)
        except AuthError:
            raise
        except SourceError as error:  # a RemoteError, or a channel id refused as a segment
            app.problem = str(error)
            return
        states = [(alias, state) for alias, _, state in found]
        settings, warnings = await self._settings(app.name, states)
        for alias, state in states:
            self._remember(Place(app.name, alias), state)
        if self.wire.keys_note and any(state.keys for _, state in states):
            warnings.append(Problem(self.wire.keys_note, self._path, warning=True))
        self._warn(warnings)
        app.aliases = {alias: Alias(alias, label, settings[alias]) for alias, label, _ in found}
        app.aliases_loaded = True
        app.problem = ""

    def _warn(self, warnings: Sequence[Problem]) -> None:
        new = [w for w in dict.fromkeys(warnings) if w not in self.warnings]
        self.warnings = (*self.warnings, *new)

    def _remember(self, place: Place, state: AliasState) -> None:
        self._seen[place] = state
        if state.token_security:
            self._legacy_key_seen.add(place)

    async def _refresh(self, place: Place) -> None:
        """After a write: the loaded model's alias shows what the server now holds."""
        app = self._config.applications.get(place.channel) if self._config else None
        alias = app.aliases.get(place.alias) if app else None
        if alias is None:
            return
        settings, warnings = await self._settings(place.channel, [(place.alias, self._seen[place])])
        alias.settings = settings[place.alias]
        self._warn(warnings)

    async def _settings(
        self, channel: str, states: Sequence[tuple[str, AliasState]]
    ) -> tuple[dict[str, ScopeSettings], list[Problem]]:
        """What the server says of the aliases, with what the key records know (a thread:
        it reads files)."""
        return await asyncio.to_thread(
            self.records.alias_settings, self.name, channel, states, self._path
        )

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
        grouped = self._grouped(changes, hard_cutover=hard_cutover)
        writes = await self._writes(grouped, hard_cutover=hard_cutover)
        await run_steps([Step(w.description, partial(self._write, w)) for w in writes])

    async def refusals(self, changes: Sequence[Change]) -> list[str]:
        """What :meth:`apply` would refuse, alias by alias, from the server's state now."""
        refused: list[str] = []
        grouped: dict[Place, list[ScopeChange]] = {}
        for change in changes:  # one at a time, so that each refusal is named
            try:
                for place, own in self._grouped([change], hard_cutover=False).items():
                    grouped.setdefault(place, []).extend(own)
            except ChangeRefused as error:
                refused.append(str(error).removesuffix(NOTHING_WRITTEN))
        await self._writes(grouped, hard_cutover=False, refused=refused)
        return refused

    def _grouped(
        self, changes: Sequence[Change], *, hard_cutover: bool
    ) -> dict[Place, list[ScopeChange]]:
        return group_by_alias(
            self.scope_changes(changes),
            hard_cutover=hard_cutover,
            has_switch=self.wire.has_switch,
            alias_noun=self.wire.alias_noun,
        )

    async def _writes(
        self,
        grouped: dict[Place, list[ScopeChange]],
        *,
        hard_cutover: bool,
        refused: list[str] | None = None,
    ) -> list[Write]:
        """The writes that carry out ``grouped``, from each alias's state read now. A save
        (``refused`` None) checks each alias against what was loaded, remembers its state
        and raises ChangeRefused; a preview adds each refusal to ``refused`` instead."""
        if not grouped:
            return []
        records = await self._records()
        states = await asyncio.gather(*(self.wire.read_state(place) for place in grouped))
        writes: list[Write] = []
        for (place, scope_changes), state in zip(grouped.items(), states, strict=True):
            if refused is None:
                self._check_unchanged(place, state)
            legacy_known = place in self._legacy_key_seen or any(
                (r.channel, r.alias, r.key_id) == (*place, LEGACY_KEY_ID) for r in records
            )
            try:
                writes += writes_for(
                    place,
                    scope_changes,
                    state,
                    has_switch=self.wire.has_switch,
                    legacy_known=legacy_known,
                    hard_cutover=hard_cutover,
                )
            except ChangeRefused as error:
                if refused is None:
                    raise
                refused.append(str(error).removesuffix(NOTHING_WRITTEN))
        return writes

    async def _write(self, write: Write) -> None:
        match write:
            case AddKey(place, change):
                await self._add_key(place, change)
            case CutOver(place, change):
                await self._cut_over(place, change)
            case Switch(place, on):
                await self._switch(place, on)

    def _check_writable(self) -> None:
        if self._read_only:
            raise ReadOnlyError(f"{self.name} is read-only{NOTHING_WRITTEN}")

    async def _records(self) -> tuple[KeyRecord, ...]:
        """The local records; a damaged file stops a write before it starts."""
        records = await asyncio.to_thread(self.records.read)
        return tuple(r for r in records if r.profile == self.name)

    def _check_unchanged(self, place: Place, state: AliasState) -> None:
        seen = self._seen.get(place)
        self._remember(place, state)
        check_unchanged(place, seen, state)

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self._clock(), UTC).replace(microsecond=0)

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

    async def _add_key(self, place: Place, change: SetKey) -> None:
        entry = change.entry
        created = self._now()
        files = await asyncio.to_thread(
            self.records.keep_material, self.name, *place, entry.key, created
        )
        name = f"streamconsole {created:%Y-%m-%dT%H:%M:%SZ}"
        key_id, name = await self._send_key(
            files, self.wire.add_key(place, key_material(entry.key), name)
        )
        record = KeyRecord(
            self.name, *place, key_id, entry.fingerprint, entry.algorithm, created, *files
        )
        current = self._seen.get(place, AliasState())
        self._seen[place] = replace(current, keys=(*current.keys, RemoteKey(key_id, name)))
        await asyncio.to_thread(self.records.add, record)
        record.mark_installed(entry)
        await self._refresh(place)

    async def _cut_over(self, place: Place, change: SetKey) -> None:
        entry = change.entry
        created = self._now()
        files = await asyncio.to_thread(
            self.records.keep_material, self.name, *place, entry.key, created
        )
        await self._send_key(files, self.wire.set_switch(place, True, key_material(entry.key)))
        record = KeyRecord(
            self.name, *place, LEGACY_KEY_ID, entry.fingerprint, entry.algorithm, created, *files
        )
        self._remember(place, replace(self._seen.get(place, AliasState()), token_security=True))
        replaced = await asyncio.to_thread(self.records.add, record)
        if replaced is not None:
            old_files = (replaced.material_file, replaced.private_key_file)
            await asyncio.to_thread(self.records.discard, old_files)
        record.mark_installed(entry)
        await self._refresh(place)

    async def _switch(self, place: Place, on: bool) -> None:
        """v1's token-security switch; on, without a key, re-enables the key it holds."""
        await self.wire.set_switch(place, on)
        self._remember(place, replace(self._seen.get(place, AliasState()), token_security=on))
        await self._refresh(place)

    # --- rotation: retiring keys ----------------------------------------------------------

    async def retire_key(self, scope: ScopeRef, key_id: str, *, turn_off: bool = False) -> None:
        """Delete one key by id: the old key at the end of a rotation, once every token
        signed with it has expired (see :meth:`overlap_wait`). Never deletes all keys.

        Retiring an alias's last key turns its token security off (every viewer gets in
        without a token); that is refused unless ``turn_off=True`` says it is meant.
        ``LEGACY_KEY_ID`` retires v1's token-security key (switches it off).
        """
        self._check_writable()
        place = place_of(scope, self.wire.alias_noun)
        await self._records()
        state = await self.wire.read_state(place)
        self._check_unchanged(place, state)
        check_retire(place, key_id, state, turn_off=turn_off, has_switch=self.wire.has_switch)
        if key_id == LEGACY_KEY_ID:
            await self.wire.set_switch(place, on=False)
            self._legacy_key_seen.discard(place)
            state = replace(state, token_security=False)
        else:
            await self.wire.delete_key(place, key_id)
            state = replace(state, keys=tuple(k for k in state.keys if k.id != key_id))
        self._seen[place] = state
        await self._forget(place, [key_id])

    async def _forget(self, place: Place, key_ids: Sequence[str]) -> None:
        """Drop local records of keys the server no longer holds, then refresh the model."""
        try:
            await asyncio.to_thread(self.records.remove, self.name, *place, key_ids)
        except (OSError, SourceError) as error:
            reason = error.strerror if isinstance(error, OSError) else str(error)
            gone = ", ".join(key_ids)
            warning = (
                f"the server no longer holds {gone}, but the local records could not be "
                f"updated ({reason})"
            )
            self._warn([Problem(warning, scope_path(*place), warning=True)])
        await self._refresh(place)
