"""The keys a server checks a token against: which one tokens are issued with, how each is
named in messages, and whether one verifies a token's signature.

During a rotation a scope holds two keys side by side (THEOlive); a key the server holds
may have material unknown here (installed from elsewhere).
"""

from __future__ import annotations

from dataclasses import dataclass

from jwt.algorithms import get_default_algorithms

from streamconsole.core.key_records import KeyEntry, RemoteKey
from streamconsole.core.policy import EffectivePolicy
from streamconsole.core.text import brief_json
from streamconsole.core.tokens import DecodedToken

_JWA = get_default_algorithms()


@dataclass(frozen=True, slots=True)
class HeldKey:
    """A key the server checks tokens against: its material where it is known here, and the
    server's own record of it (id, name) where the server lists its keys."""

    entry: KeyEntry | None
    remote: RemoteKey | None = None

    @property
    def label(self) -> str:
        """``hs:… (id "k1")``; a key whose material is unknown here also by its name, the
        one thing an operator may recognise it by."""
        if self.remote is None:
            return self.entry.fingerprint if self.entry is not None else ""
        key_id = f"id {brief_json(self.remote.id)}"
        if self.entry is not None:
            return f"{self.entry.fingerprint} ({key_id})"
        name = f" {brief_json(self.remote.name)}" if self.remote.name else ""
        fingerprint = f"{self.remote.fingerprint} " if self.remote.fingerprint else ""
        return f"{fingerprint}({key_id}{name})"

    def signed(self, decoded: DecodedToken, alg: str) -> bool:
        """Whether this key's material verifies ``decoded``'s signature with ``alg``."""
        if self.entry is None:
            return False
        try:
            return bool(
                _JWA[alg].verify(
                    decoded.signing_input, self.entry.key.verifying_key, decoded.signature
                )
            )
        except Exception:  # a malformed signature for the key type (e.g. wrong EC length)
            return False


def held_keys(policy: EffectivePolicy) -> tuple[HeldKey, ...]:
    """Every key tokens for ``policy``'s scope are checked against, newest first: the scope's
    own key, the one tokens are issued with (the newest known here, or a new one not saved
    yet), then the others the server holds."""
    current = policy.key
    if current is None:
        return tuple(HeldKey(remote.entry, remote) for remote in reversed(policy.held_keys))
    mine = [r for r in policy.held_keys if r.fingerprint == current.fingerprint]
    others = [r for r in reversed(policy.held_keys) if r not in mine]
    head = HeldKey(current, mine[-1] if mine else None)
    return (head, *(HeldKey(remote.entry, remote) for remote in others))
