"""Helpers shared by the core tests: the fixed clock, fixed keys, and a token forger.

The forger builds compact JWS strings by hand, so tests can make tokens no well-behaved
library would sign (``alg: none``, HMAC with a public key, absurd claims).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from streamconsole.core.key_import import private_key_from_pem
from streamconsole.core.key_records import KeyEntry, KeyOrigin, RemoteKey
from streamconsole.core.keys import Algorithm, AsymmetricKey, Key, SharedKey, shared_key
from streamconsole.core.model import Alias, Application, Direction, ScopeSettings, ServerKind
from streamconsole.core.policy import EffectivePolicy, effective_policy

NOW = 1_800_000_000.0
NOW_DT = datetime.fromtimestamp(NOW, UTC)
KEY_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "keys"
# Ant Media's own guide uses this secret; it is exactly the server's 32-character floor.
VENDOR_SECRET = "zautXStXM9iW3aD3FuyPH0TdK4GHPmHq"
CHECK_NAMES = ("well-formed", "size", "algorithm", "signature", "exp", "nbf", "streamId", "type")
# Checks listed only for a token that carries what they look at, where they stand in the list.
FOUND_CHECKS = {"duplicates": "size", "header": "size", "iat": "nbf"}


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def forge(
    header: dict[str, Any] | str,
    payload: dict[str, Any] | str,
    signature: bytes = b"",
    *,
    hmac_key: bytes | None = None,
) -> str:
    """A compact JWS from raw parts; with ``hmac_key`` the signature is HMAC-SHA256 over it."""
    head = b64url(header.encode() if isinstance(header, str) else json.dumps(header).encode())
    body = b64url(payload.encode() if isinstance(payload, str) else json.dumps(payload).encode())
    if hmac_key is not None:
        signature = hmac.new(hmac_key, f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{b64url(signature)}"


def read_key_file(name: str) -> str:
    return (KEY_DIR / name).read_text(encoding="utf-8")


def fixture_shared(algorithm: Algorithm, name: str) -> SharedKey:
    return shared_key(algorithm, read_key_file(name).strip())


def fixture_pair(algorithm: Algorithm, name: str) -> AsymmetricKey:
    return private_key_from_pem(algorithm, read_key_file(name))


def policy_for(
    kind: ServerKind,
    key: Key | None,
    *,
    direction: Direction = Direction.PLAY,
    enforced: bool = True,
    alias: str = "s1",
) -> EffectivePolicy:
    """The effective policy of alias ``alias`` in a one-alias application of ``kind``."""
    settings = ScopeSettings(key=KeyEntry(key, KeyOrigin.FILE) if key is not None else None)
    for each in kind.directions:
        settings.set_enforcement(each, enforced)
    app = Application("app", kind, settings, aliases={alias: Alias(alias)})
    return effective_policy(app, app.aliases[alias], direction)


# --- an alias holding several keys (a THEOlive rotation) -------------------------------------

ADDED = NOW_DT - timedelta(minutes=2)  # when the newest key was added


def held(key_id: str, key: Key | None, *, fingerprint: str = "") -> RemoteKey:
    """A key the server holds; with ``key``, its material is kept here (a key record)."""
    entry = KeyEntry(key, KeyOrigin.REMOTE, created=ADDED) if key is not None else None
    return RemoteKey(key_id, key_id.upper(), key.fingerprint if key else fingerprint, entry)


def holding(*keys: RemoteKey, pending: Key | None = None) -> EffectivePolicy:
    """A THEOlive alias, play enforced, whose server holds ``keys`` (oldest first); its own
    key is the newest one kept here, or ``pending``: a new key not saved yet."""
    own = next((k.entry for k in reversed(keys) if k.entry is not None), None)
    if pending is not None:
        own = KeyEntry(pending, KeyOrigin.NEW, created=NOW_DT)
    alias = Alias("main", settings=ScopeSettings(play=True, key=own, remote_keys=keys))
    app = Application("sports", ServerKind.THEOLIVE, aliases={"main": alias})
    return effective_policy(app, alias, Direction.PLAY)
