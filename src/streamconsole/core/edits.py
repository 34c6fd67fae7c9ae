"""Edits to the model, validated against what the server kind can express.

Each edit mutates the model and returns a :class:`Change` record; a backend persists the
records (a TOML field, a settings POST), and the audit log and "unsaved" markers read them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from streamconsole.core.errors import KeyValidationError, PolicyError
from streamconsole.core.keys import Key, SharedKey
from streamconsole.core.model import (
    Alias,
    Application,
    Config,
    Direction,
    KeyEntry,
    KeyOrigin,
    ScopeRef,
    ScopeSettings,
    effective_policy,
)


@dataclass(frozen=True, slots=True)
class SetEnforcement:
    scope: ScopeRef
    direction: Direction
    enabled: bool
    previous: bool | None

    def describe(self) -> str:
        state = "on" if self.enabled else "off"
        return f"{self.scope}: {self.direction} JWT {state}"


@dataclass(frozen=True, slots=True)
class SetKey:
    scope: ScopeRef
    entry: KeyEntry
    previous_fingerprint: str | None

    def describe(self) -> str:
        old = self.previous_fingerprint or "none"
        return f"{self.scope}: key {old} → {self.entry.fingerprint} ({self.entry.algorithm})"


Change = SetEnforcement | SetKey


def edit_scope(config: Config, ref: ScopeRef) -> ScopeRef:
    """Where an edit for ``ref`` lands: Ant Media aliases share their application's policy."""
    app, _ = config.resolve(ref)
    if ref.alias is not None and not app.kind.alias_overrides:
        return ScopeRef(app.name)
    return ref


def _scope_for_edit(config: Config, ref: ScopeRef) -> tuple[Application, Alias | None]:
    app, alias = config.resolve(ref)
    if alias is not None and not app.kind.alias_overrides:
        raise PolicyError(
            f"{app.kind.display_name} enforces JWT per application: edit {app.name}, which applies "
            f"to all of its {len(app.aliases)} streams"
        )
    return app, alias


def _settings_to_write(app: Application, alias: Alias | None) -> ScopeSettings:
    """The settings an edit writes; called once the edit is valid, so a refusal changes nothing."""
    if alias is None:
        return app.settings
    if alias.settings is None:
        alias.settings = ScopeSettings()
    return alias.settings


def set_enforcement(
    config: Config, ref: ScopeRef, direction: Direction, enabled: bool
) -> SetEnforcement:
    app, alias = _scope_for_edit(config, ref)
    if not app.kind.supports(direction):
        raise PolicyError(f"{ref}: {app.kind.unsupported(direction)}")
    settings = _settings_to_write(app, alias)
    previous = settings.enforcement(direction)
    settings.set_enforcement(direction, enabled)
    return SetEnforcement(ref, direction, enabled, previous)


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


def set_key(config: Config, ref: ScopeRef, key: Key, now: datetime) -> SetKey:
    app, alias = _scope_for_edit(config, ref)
    check_key_for(app, key)
    # The key the scope used until now, wherever it was set (an alias may inherit it).
    replaced = effective_policy(app, alias, app.kind.directions[0]).key
    previous = replaced.fingerprint if replaced is not None else None
    settings = _settings_to_write(app, alias)
    entry = KeyEntry(key, KeyOrigin.NEW, created=now)
    settings.key = entry
    return SetKey(ref, entry, previous)
