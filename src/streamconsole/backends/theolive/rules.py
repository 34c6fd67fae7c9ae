"""THEOlive's rules for a save: what it can express, in which writes, and what it refuses.

Pure: no I/O. The source reads the server's state, asks these functions what to write (or
why not), and carries the writes out. Where v1 and v2 differ, the caller says whether the
API has v1's token-security switch (``has_switch``) and what it calls an alias.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from streamconsole.backends.base import ChangeRefused, ConflictError, SourceError
from streamconsole.backends.wire_rules import check_name
from streamconsole.core.durations import format_duration
from streamconsole.core.edits import ScopeChange, SetEnforcement, SetKey
from streamconsole.core.errors import KeyValidationError
from streamconsole.core.key_records import RemoteKey
from streamconsole.core.keys import Key, SharedKey
from streamconsole.core.model import (
    HARD_CUTOVER,
    Application,
    Direction,
    ScopeRef,
    ServerKind,
    ServerProfile,
)
from streamconsole.core.pem import pem_kind
from streamconsole.core.policy import check_key_for
from streamconsole.core.text import counted, inert

MAX_KEYS = 2  # v2 keys / v1 CDN keys per alias
# v1's token-security key has no id; this stands for it among an alias's keys.
LEGACY_KEY_ID = "v1:token-security"
LEGACY_KEY_NAME = "token-security switch (v1, deprecated)"
NOTHING_WRITTEN = "; nothing was written"
# How an operator deletes keys: from the command line, or the Python API.
RETIRE_BY_ID = (
    "retire them by id ('streamconsole retire APP/ALIAS KEY_ID', or retire_key in the "
    "Python API), the last one with --turn-off"
)


class Place(NamedTuple):
    """Where token security lives: one alias (v2: distribution) of one channel."""

    channel: str
    alias: str

    def __str__(self) -> str:
        return f"{self.channel}/{self.alias}"


def key_label(key: RemoteKey) -> str:
    """A server's key for a message: its id, and its name (server text, made inert)."""
    return f"{key.id} ({inert(key.name, limit=60)})" if key.name else key.id


def key_labels(keys: Sequence[RemoteKey]) -> str:
    return ", ".join(key_label(k) for k in keys) or "none"


@dataclass(frozen=True, slots=True)
class AliasState:
    """An alias's token security as the server reports it (keys by id and name only)."""

    keys: tuple[RemoteKey, ...] = ()  # v2 keys, or v1 CDN security keys
    token_security: bool | None = None  # v1's switch; None in v2, which has none

    @property
    def enforced(self) -> bool:
        return bool(self.token_security) or bool(self.keys)

    def active_keys(self) -> tuple[RemoteKey, ...]:
        """Every key tokens are checked against, v1's token-security key first."""
        legacy = (RemoteKey(LEGACY_KEY_ID, LEGACY_KEY_NAME),) if self.token_security else ()
        return legacy + self.keys

    def describe(self) -> str:
        keys = key_labels(self.keys)
        if self.token_security is None:
            return f"keys: {keys}"
        return f"token-security {'on' if self.token_security else 'off'}, CDN keys: {keys}"


def check_unchanged(place: Place, seen: AliasState | None, state: AliasState) -> None:
    """A write goes ahead only on the token security the operator saw (``seen``, None when
    the alias was not read before); ConflictError when the server's ``state`` differs."""
    if seen is not None and seen != state:
        raise ConflictError(
            f"{place}: token security changed on the server since it was "
            f"loaded (was {seen.describe()}; now {state.describe()}){NOTHING_WRITTEN}. "
            "Refresh, then edit again"
        )


# --- the writes a save is made of ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _KeyWrite:
    """A write that puts ``change``'s key on the alias at ``place``."""

    place: Place
    change: SetKey

    @property
    def key_text(self) -> str:
        entry = self.change.entry
        return f"{entry.fingerprint} ({entry.algorithm})"


@dataclass(frozen=True, slots=True)
class AddKey(_KeyWrite):
    """Upload ``change``'s key beside the alias's current one."""

    @property
    def description(self) -> str:
        return f"{self.place}: add key {self.key_text}"


@dataclass(frozen=True, slots=True)
class CutOver(_KeyWrite):
    """Replace v1's token-security key with ``change``'s key at once."""

    @property
    def description(self) -> str:
        return f"{self.place}: replace the token-security key with {self.key_text}; {HARD_CUTOVER}"


@dataclass(frozen=True, slots=True)
class Switch:
    """v1's token-security switch on (re-enabling the key it holds) or off."""

    place: Place
    on: bool

    @property
    def description(self) -> str:
        return f"{self.place}: token security {'on' if self.on else 'off'}"


Write = AddKey | CutOver | Switch


# --- checks -------------------------------------------------------------------------------


def check_profile(profile: ServerProfile) -> None:
    """A server profile this source can speak to: its API generation and its auth."""
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


def place_of(scope: ScopeRef, alias_noun: str) -> Place:
    """The alias a change or a retirement is for; a channel has no token security."""
    if scope.alias is None:
        raise ChangeRefused(
            f"{scope}: THEOlive holds token security per {alias_noun}, not per "
            f"channel: edit its {alias_noun}{'es' if alias_noun.endswith('s') else 's'}"
            f"{NOTHING_WRITTEN}"
        )
    check_name(scope.application, "channel")
    check_name(scope.alias, alias_noun)
    return Place(scope.application, scope.alias)


def check_key(change: SetKey) -> None:
    """A key THEOlive can take, and only ever its public part."""
    key = change.entry.key
    try:
        check_key_for(Application(change.scope.application, ServerKind.THEOLIVE), key)
    except KeyValidationError as error:
        raise ChangeRefused(f"{change.scope}: {error}{NOTHING_WRITTEN}") from None
    if not isinstance(key, SharedKey) and pem_kind(key.public_pem) != "public":
        raise ChangeRefused(
            f"{change.scope}: the key to upload is not a PEM public key{NOTHING_WRITTEN}"
        )


def key_material(key: Key) -> str:
    """What the server gets: the shared secret's text, or the public key PEM (never private)."""
    return key.secret.reveal() if isinstance(key, SharedKey) else key.public_pem


def group_by_alias(
    changes: Sequence[ScopeChange], *, hard_cutover: bool, has_switch: bool, alias_noun: str
) -> dict[Place, list[ScopeChange]]:
    """Changes per alias, each checked for what THEOlive can express at all."""
    grouped: dict[Place, list[ScopeChange]] = {}
    for change in changes:
        place = place_of(change.scope, alias_noun)
        if isinstance(change, SetEnforcement) and change.direction is not Direction.PLAY:
            raise ChangeRefused(
                f"{change.scope}: {ServerKind.THEOLIVE.unsupported(change.direction)}"
                f"{NOTHING_WRITTEN}"
            )
        if isinstance(change, SetKey):
            check_key(change)
            if hard_cutover and not has_switch:
                raise ChangeRefused(
                    f"{change.scope}: v2 holds two keys side by side, so it never needs a "
                    "hard cut-over: add the new key, then retire the old one"
                    f"{NOTHING_WRITTEN}"
                )
        grouped.setdefault(place, []).append(change)
    return grouped


def writes_for(
    place: Place,
    changes: Sequence[ScopeChange],
    state: AliasState,
    *,
    has_switch: bool,
    legacy_known: bool,
    hard_cutover: bool,
) -> list[Write]:
    """The writes that carry out one alias's changes, or ChangeRefused. ``legacy_known``:
    the server holds a v1 token-security key for this alias (seen on, or recorded here)."""
    keys = [c for c in changes if isinstance(c, SetKey)]
    switches = [c for c in changes if isinstance(c, SetEnforcement)]
    wants_on = switches[-1].enabled if switches else state.enforced
    held = key_labels(state.keys)
    if keys:
        if not wants_on:
            raise ChangeRefused(
                f"{place}: adding a key turns token security on (it is derived from the "
                "key list): turn play enforcement on in the same save"
                f"{NOTHING_WRITTEN}"
            )
        if hard_cutover:
            return [cutover_write(place, keys, state)]
        if len(state.keys) + len(keys) > MAX_KEYS:
            raise ChangeRefused(
                f"{place} holds {counted(len(state.keys), 'key')} ({held}) and THEOlive keeps at "
                f"most {MAX_KEYS}: retire the older one first, once no valid token is "
                f"signed with it{NOTHING_WRITTEN}"
            )
        return [AddKey(place, c) for c in keys]
    if wants_on == state.enforced:
        return []
    if wants_on:
        if not has_switch:
            raise ChangeRefused(
                f"{place}: v2 has no token-security switch: a distribution is protected "
                f"while it holds a key. Rotate a key in to turn it on{NOTHING_WRITTEN}"
            )
        if not legacy_known:
            raise ChangeRefused(
                f"{place}: no key is known for its token security: rotate a key in first"
                f"{NOTHING_WRITTEN}"
            )
    elif not has_switch:
        raise ChangeRefused(
            f"{place}: in v2, turning token security off means deleting every key of the "
            f"distribution ({held}), never as part of a save: {RETIRE_BY_ID}"
            f"{NOTHING_WRITTEN}"
        )
    elif state.keys:
        raise ChangeRefused(
            f"{place}: its CDN security keys ({held}) keep token security on whatever the "
            f"switch says: {RETIRE_BY_ID}{NOTHING_WRITTEN}"
        )
    return [Switch(place, wants_on)]


def cutover_write(place: Place, keys: Sequence[SetKey], state: AliasState) -> CutOver:
    """v1's hard cut-over: one key replaces the token-security key, when nothing else
    (a CDN key) would still accept the old tokens."""
    if len(keys) > 1:
        raise ChangeRefused(f"{place}: a hard cut-over installs one key{NOTHING_WRITTEN}")
    if state.keys:
        raise ChangeRefused(
            f"{place}: its CDN security keys ({key_labels(state.keys)}) would still accept "
            "tokens after a hard cut-over of the token-security key: rotate by adding a CDN "
            f"key instead, or retire those first{NOTHING_WRITTEN}"
        )
    return CutOver(place, keys[0])


def check_retire(
    place: Place, key_id: str, state: AliasState, *, turn_off: bool, has_switch: bool
) -> None:
    """Retiring ``key_id`` is possible, and does not turn security off unless meant."""
    active = state.active_keys()
    if key_id not in {k.id for k in active}:
        raise ChangeRefused(
            f"{place} holds no key {inert(key_id, limit=60)!r} (it holds: {key_labels(active)})"
            f"{NOTHING_WRITTEN}"
        )
    if len(active) == 1 and not turn_off:
        instead = " (or turn play enforcement off)" if has_switch else ""
        raise ChangeRefused(
            f"{place}: {key_id} is its only key: retiring it turns token security off, so "
            f"viewers get in without a token. Confirm with --turn-off (turn_off=True in the "
            f"Python API) if that is meant{instead}{NOTHING_WRITTEN}"
        )


def overlap_advice(ttl_seconds: int) -> str:
    """How long the old and new keys must both be installed during a rotation."""
    return (
        f"wait at least {format_duration(ttl_seconds)} — the longest token lifetime in "
        "use — before retiring the old key"
    )
