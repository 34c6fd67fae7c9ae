"""The policy a server applies to one direction of one scope, and why (the scope rules per
server kind are :mod:`.model`'s); which keys a server kind accepts."""

from __future__ import annotations

from enum import StrEnum

from streamconsole.core.errors import KeyValidationError
from streamconsole.core.key_records import KeyEntry, RemoteKey
from streamconsole.core.keys import Algorithm, Key, SharedKey
from streamconsole.core.model import Alias, Application, Direction, ServerKind
from streamconsole.core.record import FrozenRecord


class PolicySource(StrEnum):
    APPLICATION = "application"
    ALIAS = "alias"
    DEFAULT = "default"
    UNSUPPORTED = "unsupported"


class EffectivePolicy(FrozenRecord):
    """The policy a server applies to one direction of one scope, and why."""

    __slots__ = (
        "direction",
        "enforced",
        "enforced_from",
        "held_keys",
        "key",
        "key_from",
        "kind",
        "reason",
    )
    direction: Direction
    kind: ServerKind
    enforced: bool
    enforced_from: PolicySource
    key: KeyEntry | None
    key_from: PolicySource
    reason: str
    # Every key the server holds for the scope, oldest first, where it holds several side by
    # side (THEOlive); () where the model's one key is the server's (Ant Media, files).
    held_keys: tuple[RemoteKey, ...]

    def __init__(
        self,
        direction: Direction,
        kind: ServerKind,
        enforced: bool,
        enforced_from: PolicySource,
        key: KeyEntry | None,
        key_from: PolicySource,
        reason: str,
        held_keys: tuple[RemoteKey, ...] = (),
    ) -> None:
        set_field = object.__setattr__
        set_field(self, "direction", direction)
        set_field(self, "kind", kind)
        set_field(self, "enforced", enforced)
        set_field(self, "enforced_from", enforced_from)
        set_field(self, "key", key)
        set_field(self, "key_from", key_from)
        set_field(self, "reason", reason)
        set_field(self, "held_keys", held_keys)

    @property
    def supported(self) -> bool:
        return self.enforced_from is not PolicySource.UNSUPPORTED

    @property
    def allowed_algorithms(self) -> tuple[Algorithm, ...]:
        """Token algorithms a server would accept with this key."""
        return self.algorithms_for(self.key)

    def algorithms_for(self, entry: KeyEntry | None) -> tuple[Algorithm, ...]:
        """Token algorithms a server of this kind would accept with ``entry``."""
        if entry is None:
            return ()
        if self.kind is ServerKind.GENERIC:
            return (entry.algorithm,)
        return tuple(a for a in self.kind.algorithms if a.family is entry.key.family)


def effective_policy(
    app: Application, alias: Alias | None, direction: Direction
) -> EffectivePolicy:
    if not app.kind.supports(direction):
        return EffectivePolicy(
            direction,
            app.kind,
            enforced=False,
            enforced_from=PolicySource.UNSUPPORTED,
            key=None,
            key_from=PolicySource.UNSUPPORTED,
            reason=app.kind.unsupported(direction),
        )
    # Ant Media ignores anything set on a stream: the application's policy is the server's.
    own = alias.settings if alias is not None and app.kind.alias_overrides else None
    enforced = own.enforcement(direction) if own is not None else None
    if enforced is not None and alias is not None:
        source, reason = PolicySource.ALIAS, f"set on {app.kind.alias_noun} {alias.name}"
    else:
        enforced = app.settings.enforcement(direction)
        if enforced is not None:
            source = PolicySource.APPLICATION
            reason = (
                f"set on application {app.name}"
                if alias is None
                else f"inherited from application {app.name}"
            )
        else:
            enforced, source, reason = False, PolicySource.DEFAULT, "not set anywhere: off"
    if own is not None and own.key is not None:
        key, key_from, held = own.key, PolicySource.ALIAS, own.remote_keys
    elif app.settings.key is not None:
        key, key_from, held = app.settings.key, PolicySource.APPLICATION, app.settings.remote_keys
    else:
        key, key_from = None, PolicySource.DEFAULT
        held = own.remote_keys if own is not None else app.settings.remote_keys
    return EffectivePolicy(direction, app.kind, enforced, source, key, key_from, reason, held)


def check_key_for(app: Application, key: Key) -> None:
    """Refuse a key the application's server kind cannot use."""
    kind = app.kind
    if key.algorithm not in kind.algorithms:
        allowed = ", ".join(kind.algorithms)
        raise KeyValidationError(f"{kind.display_name} accepts {allowed}; not {key.algorithm}")
    if isinstance(key, SharedKey):
        if key.encoding not in kind.encodings:
            raise KeyValidationError(f"{kind.display_name} uses the secret's UTF-8 text as the key")
        if len(key.secret) < kind.min_secret_chars:
            raise KeyValidationError(
                f"{kind.display_name} refuses secrets shorter than {kind.min_secret_chars} "
                f"characters (this one has {len(key.secret)})"
            )
