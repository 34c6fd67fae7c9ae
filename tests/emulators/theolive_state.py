"""THEOlive state kept in memory: channels, aliases (= v2 distributions), keys, API keys.

One alias object serves both API generations: v1 calls it an alias, v2 a distribution, and
the v1 CDN security keys are the v2 security keys (same ids, at most two). The deprecated v1
token-security switch keeps its own single key (``legacy_key``).
"""

from __future__ import annotations

import random
import string
import threading
import time
from dataclasses import dataclass, field

from .hostile_names import hostile, hostile_segment
from .jwscheck import Clock, claims_if_signed, times_ok, unverified_claims

MAX_KEYS = 2
VIEWER_ALGORITHMS = ("HS256", "HS512", "RS256", "RS512")
_CREATED = "2026-01-01T00:00:00.000Z"
_ID_ALPHABET = string.ascii_lowercase + string.digits


class KeyRefused(ValueError):
    """The key cannot be added (limit reached, id taken, empty key)."""


@dataclass
class SecurityKey:
    id: str
    name: str | None
    material: str  # shared secret text or public key PEM; never sent back by the API


@dataclass
class Alias:
    id: str
    channel_id: str
    name: str
    active: bool = True
    creation_date: str = _CREATED
    keys: list[SecurityKey] = field(default_factory=list)
    legacy_key: str | None = None  # v1 token-security key, kept while disabled
    legacy_enabled: bool = False

    @property
    def security_enabled(self) -> bool:
        return self.legacy_enabled or bool(self.keys)

    @property
    def configured_keys(self) -> list[str]:
        keys = [k.material for k in self.keys]
        if self.legacy_enabled and self.legacy_key:
            keys.append(self.legacy_key)
        return keys


@dataclass
class Channel:
    id: str
    name: str
    region: str = "europe-west"
    status: str = "idle"
    creation_date: str = _CREATED
    alias_ids: list[str] = field(default_factory=list)


class TheoLiveState:
    """Everything the emulated THEOlive API knows. ``clock`` is unix seconds."""

    def __init__(self, clock: Clock = time.time, *, id_seed: int = 2026) -> None:
        self.lock = threading.RLock()
        self.clock = clock
        self.channels: dict[str, Channel] = {}
        self.aliases: dict[str, Alias] = {}
        self.api_keys: dict[str, str] = {}  # token key -> token secret
        self.v1_page_size = 25
        self._ids = random.Random(id_seed)

    def new_id(self) -> str:
        return "".join(self._ids.choices(_ID_ALPHABET, k=20))

    # --- channels and aliases --------------------------------------------------------------

    def add_channel(self, name: str, *, channel_id: str | None = None) -> Channel:
        channel = Channel(self.new_id() if channel_id is None else channel_id, name)
        with self.lock:
            self.channels[channel.id] = channel
        return channel

    def add_alias(
        self, channel_id: str, name: str, *, alias_id: str | None = None, active: bool = True
    ) -> Alias:
        alias = Alias(self.new_id() if alias_id is None else alias_id, channel_id, name, active)
        with self.lock:
            self.aliases[alias.id] = alias
            self.channels[channel_id].alias_ids.append(alias.id)
        return alias

    def seed(self, channels: int, aliases: int) -> None:
        """Replace everything with ``channels`` generated channels of ``aliases`` each."""
        with self.lock:
            self.channels.clear()
            self.aliases.clear()
            for i in range(channels):
                channel = self.add_channel(f"Channel {i:04d}")
                for j in range(aliases):
                    self.add_alias(channel.id, f"{channel.name} alias {j:03d}")

    # --- keys ------------------------------------------------------------------------------

    def add_key(
        self, alias_id: str, material: str, *, name: str | None = None, key_id: str | None = None
    ) -> SecurityKey:
        alias = self.aliases[alias_id]
        with self.lock:
            if not material:
                raise KeyRefused("the key must not be empty")
            if len(alias.keys) >= MAX_KEYS:
                raise KeyRefused(f"a distribution holds at most {MAX_KEYS} keys")
            if key_id is not None and any(k.id == key_id for k in alias.keys):
                raise KeyRefused(f"key id {key_id!r} is taken")
            key = SecurityKey(key_id or self.new_id(), name, material)
            alias.keys.append(key)
        return key

    def delete_key(self, alias_id: str, key_id: str) -> bool:
        alias = self.aliases[alias_id]
        with self.lock:
            kept = [k for k in alias.keys if k.id != key_id]
            found = len(kept) != len(alias.keys)
            alias.keys = kept
        return found

    def enable_token_security(self, alias_id: str, key: str | None) -> bool:
        """v1 enable: a new key replaces the old; without one, re-enable the known key."""
        alias = self.aliases[alias_id]
        with self.lock:
            if key:
                alias.legacy_key = key
            if not alias.legacy_key:
                return False
            alias.legacy_enabled = True
        return True

    # --- viewer tokens ---------------------------------------------------------------------

    def verify_viewer_token(self, alias_id: str, token: str) -> bool:
        """Whether ``token`` is signed by one of the alias's keys and is within its time.

        HS256/HS512 with a shared secret (its UTF-8 text), RS256/RS512 with a public key
        PEM; ``exp`` required, ``nbf`` honoured. Does not look at whether security is on.
        """
        alias = self.aliases.get(alias_id)
        if alias is None:
            return False
        claims = claims_if_signed(token, VIEWER_ALGORITHMS, alias.configured_keys)
        return claims is not None and times_ok(claims, self.clock(), require_exp=True)

    def admits(self, alias_id: str, token: str | None) -> bool:
        """Whether a viewer gets the stream. With security off a token is still checked
        for its times (an expired one is refused); its signature cannot be, no key is set."""
        alias = self.aliases[alias_id]
        if alias.security_enabled:
            return token is not None and self.verify_viewer_token(alias_id, token)
        if token is None:
            return True
        claims = unverified_claims(token)
        return claims is not None and times_ok(claims, self.clock(), require_exp=False)


# --- demo data -------------------------------------------------------------------------------

API_KEY = "demo-token-key"
API_SECRET = "demo-token-secret-not-for-production"
# 64 hex characters used as text, like the vendor's own example.
EVENING_SECRET = "6b1f3c0e9a4d2b7f8e5c1a0d3f6b9e2c4a7d0f3b6e9c2a5d8f1b4e7c0a3d6f9b"
SPORTS_SECRET = "sports-demo-shared-secret-for-hs512-tokens-0123456789abcdef0123456789"


def demo_state(clock: Clock = time.time) -> TheoLiveState:
    """Channels matching the sample config's names, a 45-distribution channel for paging."""
    state = TheoLiveState(clock)
    state.api_keys[API_KEY] = API_SECRET
    news = state.add_channel("News", channel_id="news-channel")
    evening = state.add_alias(news.id, "Evening bulletin", alias_id="evening")
    state.enable_token_security(evening.id, EVENING_SECRET)
    state.add_alias(news.id, "Morning show", alias_id="morning")
    sports = state.add_channel("Sports", channel_id="sports")
    main = state.add_alias(sports.id, "Sports main", alias_id="sports-main")
    state.add_key(main.id, SPORTS_SECRET, name="sports-2026", key_id="key-sports-2026")
    backup = state.add_alias(sports.id, "Sports backup", alias_id="sports-backup", active=False)
    state.add_key(backup.id, SPORTS_SECRET, name="old", key_id="key-backup-old")
    state.add_key(backup.id, SPORTS_SECRET[::-1], name="new", key_id="key-backup-new")
    conference = state.add_channel("Conference", channel_id="conference")
    for hall in range(45):
        state.add_alias(conference.id, f"Hall {hall:02d}", alias_id=f"hall-{hall:02d}")
    return state


HOSTILE_CHANNEL = hostile_segment("ch")
HOSTILE_ALIAS = hostile_segment("al")
REFUSED_ALIAS = hostile("bad")  # holds control characters: the client refuses its channel
HOSTILE_SECRET = "hostile-demo-shared-secret-0123456789abcdef"


def hostile_state(clock: Clock = time.time) -> TheoLiveState:
    """The demo state and two more channels whose ids, names, aliases and keys carry
    terminal controls and markup (``hostile_names``): one the client can name, whose alias
    holds one key, and one with an alias whose id the client must refuse."""
    state = demo_state(clock)
    channel = state.add_channel(hostile("Channel "), channel_id=HOSTILE_CHANNEL)
    alias = state.add_alias(channel.id, hostile("Alias "), alias_id=HOSTILE_ALIAS)
    state.add_key(alias.id, HOSTILE_SECRET, name=hostile("key "), key_id=hostile_segment("key"))
    refused = state.add_channel(hostile("Refused "), channel_id=hostile_segment("refused"))
    state.add_alias(refused.id, hostile("Alias "), alias_id=REFUSED_ALIAS)
    return state
