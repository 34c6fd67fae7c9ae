"""Edits to the model, validated against what the server kind can express.

Each edit mutates the model and returns a :class:`Change` record; a backend persists the
records (a TOML field, a settings POST), and the audit log and "unsaved" markers read them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from streamconsole.core.errors import PolicyError
from streamconsole.core.key_records import KeyEntry, KeyOrigin
from streamconsole.core.keys import Key
from streamconsole.core.model import Alias, Application, Config, Direction, ScopeRef, ScopeSettings
from streamconsole.core.policy import check_key_for, effective_policy
from streamconsole.core.text import counted


@dataclass(frozen=True, slots=True)
class SetEnforcement:
    """Publish or play JWT on or off for one scope (or back to what it inherits)."""

    scope: ScopeRef
    direction: Direction
    enabled: bool
    previous: bool | None  # what the scope itself set before: None when it set nothing
    # The scope's own setting is removed: it gets ``enabled`` from its application (or
    # off by default) instead of holding a copy that would stop following it.
    inherits: bool = False

    @property
    def stored(self) -> bool | None:
        """What the scope itself sets after the edit (None: nothing)."""
        return None if self.inherits else self.enabled

    def describe(self) -> str:
        state = "on" if self.enabled else "off"
        inherited = " (inherited)" if self.inherits else ""
        return f"{self.scope}: {self.direction} JWT {state}{inherited}"


@dataclass(frozen=True, slots=True)
class SetKey:
    """A new key for one scope, in place of the key it had (if any)."""

    scope: ScopeRef
    entry: KeyEntry
    previous_fingerprint: str | None
    # When the replaced key was made, where known: the audit log records its age.
    previous_created: datetime | None = None

    def describe(self) -> str:
        old = self.previous_fingerprint or "none"
        return f"{self.scope}: key {old} → {self.entry.fingerprint} ({self.entry.algorithm})"


@dataclass(frozen=True, slots=True)
class SetTheme:
    """The config's own theme (``[console] theme``), the default for everyone who opens it:
    set on purpose, saved and audited like any edit (a theme switched in the console is the
    operator's, kept in their settings instead)."""

    theme: str
    previous: str

    def describe(self) -> str:
        return f"console: theme {self.previous} → {self.theme}"


ScopeChange = SetEnforcement | SetKey  # an edit of one application or alias
Change = ScopeChange | SetTheme


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
            f"to all of its {counted(len(app.aliases), app.kind.alias_noun)}"
        )
    return app, alias


def _settings_to_write(app: Application, alias: Alias | None) -> ScopeSettings:
    """The settings an edit writes; called once the edit is valid, so a refusal changes nothing."""
    if alias is None:
        return app.settings
    if alias.settings is None:
        alias.settings = ScopeSettings()
    return alias.settings


class _Current:
    """``held`` not given: what the scope sets now is what its source holds."""


def _stored(
    app: Application, alias: Alias | None, direction: Direction, enabled: bool, held: bool | None
) -> bool | None:
    """What the scope itself should set so that it is ``enabled``, given that its source
    holds ``held``: that again when it gives ``enabled`` (so toggling back leaves the file
    as it was); nothing when ``enabled`` is what the application sets for its aliases (an
    override that only copies it would stop following it); else ``enabled``."""
    unset = effective_policy(app, None, direction).enforced if alias is not None else False
    if held == enabled or (held is None and unset == enabled):
        return held
    if alias is not None and app.settings.enforcement(direction) == enabled:
        return None
    return enabled


def set_enforcement(
    config: Config,
    ref: ScopeRef,
    direction: Direction,
    enabled: bool,
    *,
    held: bool | type[_Current] | None = _Current,
) -> SetEnforcement:
    """Make ``ref`` enforce ``direction`` or not. ``held``: what the source holds for it,
    when an unsaved edit already changed the model (see :func:`_stored`)."""
    app, alias = _scope_for_edit(config, ref)
    if not app.kind.supports(direction):
        raise PolicyError(f"{ref}: {app.kind.unsupported(direction)}")
    settings = _settings_to_write(app, alias)
    previous = settings.enforcement(direction)
    source = held if held is None or isinstance(held, bool) else previous
    stored = _stored(app, alias, direction, enabled, source)
    settings.set_enforcement(direction, stored)
    return SetEnforcement(ref, direction, enabled, previous, inherits=stored is None)


def set_key(config: Config, ref: ScopeRef, key: Key, now: datetime) -> SetKey:
    app, alias = _scope_for_edit(config, ref)
    check_key_for(app, key)
    # The key the scope used until now, wherever it was set (an alias may inherit it).
    replaced = effective_policy(app, alias, app.kind.directions[0]).key
    previous = replaced.fingerprint if replaced is not None else None
    settings = _settings_to_write(app, alias)
    entry = KeyEntry(key, KeyOrigin.NEW, created=now)
    settings.key = entry
    return SetKey(ref, entry, previous, replaced.created if replaced is not None else None)


def set_theme(config: Config, theme: str) -> SetTheme:
    previous = config.settings.theme
    config.settings.theme = theme
    return SetTheme(theme, previous)
