"""What a reload changed: applications and aliases added, removed or changed, in words.

Pure: two configs in, counts out. A scope *changed* when something the console shows of it
differs: its label, a switch, its key (by fingerprint and place), the keys a server holds,
or (for an application) its kind, its one-time tokens or why it could not be read. Aliases
are compared where both configs hold them (a remote source reads them again later).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass

from streamconsole.core.model import Alias, Application, Config, ScopeSettings
from streamconsole.core.text import counted


@dataclass(frozen=True, slots=True)
class Tally:
    added: int = 0
    removed: int = 0
    changed: int = 0

    def words(self, noun: str) -> list[str]:
        """``["2 aliases added", "1 alias changed"]``: the counts that are not zero."""
        counts = (("added", self.added), ("removed", self.removed), ("changed", self.changed))
        return [f"{counted(count, noun)} {what}" for what, count in counts if count]


@dataclass(frozen=True, slots=True)
class ConfigChanges:
    applications: Tally
    aliases: Tally
    # Whether every application's aliases were compared (False: some are still to be read).
    aliases_compared: bool = True

    def __str__(self) -> str:
        """``2 applications changed, 1 alias added``; ``nothing changed``."""
        said = self.applications.words("application") + self.aliases.words("alias")
        if self.aliases_compared:
            return ", ".join(said) or "nothing changed"
        return (", ".join(said) or "no application changed") + " (aliases are read again)"


def _key_state(settings: ScopeSettings) -> Hashable:
    key = settings.key
    return None if key is None else (key.fingerprint, key.origin, key.location)


def _settings_state(settings: ScopeSettings) -> Hashable:
    return settings.publish, settings.play, _key_state(settings), settings.remote_keys


def _application_state(app: Application) -> Hashable:
    settings = _settings_state(app.settings)
    return app.kind, app.label, settings, app.one_time_token, app.problem


def _same_settings(old: ScopeSettings | None, new: ScopeSettings | None) -> bool:
    if old is None or new is None:
        return old is new
    return (
        old.publish == new.publish
        and old.play == new.play
        and old.remote_keys == new.remote_keys
        and (old.key is new.key is None or _key_state(old) == _key_state(new))
    )


def _same_alias(old: Alias, new: Alias) -> bool:
    return old.label == new.label and _same_settings(old.settings, new.settings)


def _tally(old: Mapping[str, Hashable], new: Mapping[str, Hashable]) -> Tally:
    common = old.keys() & new.keys()
    return Tally(
        added=len(new.keys() - common),
        removed=len(old.keys() - common),
        changed=sum(old[name] != new[name] for name in common),
    )


def config_changes(old: Config, new: Config) -> ConfigChanges:
    """What differs from ``old`` (what was shown) to ``new`` (what was read again)."""
    applications = _tally(
        {name: _application_state(app) for name, app in old.applications.items()},
        {name: _application_state(app) for name, app in new.applications.items()},
    )
    added = removed = changed = 0
    compared = True
    for name in old.applications.keys() & new.applications.keys():
        before, after = old.applications[name].aliases, new.applications[name].aliases
        if not (old.applications[name].aliases_loaded and new.applications[name].aliases_loaded):
            compared = False
            continue
        common = before.keys() & after.keys()
        added += len(after) - len(common)
        removed += len(before) - len(common)
        changed += sum(not _same_alias(before[alias], after[alias]) for alias in common)
    return ConfigChanges(applications, Tally(added, removed, changed), compared)
