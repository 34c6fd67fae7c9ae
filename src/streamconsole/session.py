"""The edit session: the one gateway from the console, the CLI and the API to a source.

Every write (an edit, the config's theme, a save) goes through :meth:`EditSession.
check_writable`, so read-only mode is enforced here and nothing can bypass it. Edits are
applied to the in-memory config at once (the screen shows them) and kept as pending
:class:`~streamconsole.core.edits.Change` records until they are saved; every save is
written to the audit log, whether it succeeded or not.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import NamedTuple

from streamconsole.audit import AuditLog
from streamconsole.backends.base import ConsoleDefaults, ReadOnlyError, Source
from streamconsole.core.edits import (
    Change,
    SetEnforcement,
    SetKey,
    SetTheme,
    edit_scope,
    set_enforcement,
    set_key,
    set_theme,
)
from streamconsole.core.errors import PolicyError
from streamconsole.core.keys import Key
from streamconsole.core.model import Config, Direction, ScopeRef
from streamconsole.core.policy import effective_policy


class TogglePlan(NamedTuple):
    """What toggling one direction on some selected scopes would do. (A named tuple: the
    console builds this module at start, and a dataclass costs ~1.5 ms to build.)"""

    direction: Direction
    enable: bool
    targets: tuple[ScopeRef, ...]  # where the edits land, each once
    redirected: tuple[ScopeRef, ...]  # aliases whose edit lands on their application
    unsupported: tuple[ScopeRef, ...]  # scopes whose server kind has no such control
    need_key: tuple[ScopeRef, ...]  # targets that would enforce with no key at all


_ChangeKey = tuple[ScopeRef | None, str]  # None: the console's own settings


def _change_key(change: Change) -> _ChangeKey:
    if isinstance(change, SetEnforcement):
        return change.scope, str(change.direction)
    if isinstance(change, SetTheme):
        return None, "theme"
    return change.scope, "key"


class EditSession:
    def __init__(
        self,
        source: Source,
        config: Config,
        *,
        read_only: bool,
        audit: AuditLog | None = None,
        origin: str = "tui",
    ) -> None:
        self.source = source
        self.config = config
        self.audit = audit  # every save, successful or not, is recorded here
        self.origin = origin
        self.read_only = read_only or source.read_only or config.settings.read_only
        self.saving = False
        self._pending: dict[_ChangeKey, Change] = {}

    # --- the gate -------------------------------------------------------------------------

    def check_writable(self, what: str) -> None:
        """Raise ReadOnlyError naming ``what`` when writes are off; the only such check."""
        if self.read_only:
            raise ReadOnlyError(f"read-only mode: cannot {what}")

    # --- state ----------------------------------------------------------------------------

    @property
    def pending(self) -> tuple[Change, ...]:
        return tuple(self._pending.values())

    @property
    def unsaved_scopes(self) -> frozenset[ScopeRef]:
        return frozenset(scope for scope, _ in self._pending if scope is not None)

    @property
    def immediate(self) -> bool:
        return self.config.settings.save == "immediate"

    # --- edits ----------------------------------------------------------------------------

    def plan_toggle(self, refs: Sequence[ScopeRef], direction: Direction) -> TogglePlan:
        targets: list[ScopeRef] = []
        redirected: list[ScopeRef] = []
        unsupported: list[ScopeRef] = []
        for ref in refs:
            app, _ = self.config.resolve(ref)
            if not app.kind.supports(direction):
                unsupported.append(ref)
                continue
            target = edit_scope(self.config, ref)
            if target != ref:
                redirected.append(ref)
            if target not in targets:
                targets.append(target)
        policies = [effective_policy(*self.config.resolve(t), direction) for t in targets]
        enable = not all(policy.enforced for policy in policies)
        need_key = tuple(
            t for t, policy in zip(targets, policies, strict=True) if enable and policy.key is None
        )
        return TogglePlan(
            direction, enable, tuple(targets), tuple(redirected), tuple(unsupported), need_key
        )

    def set_enforcement(self, ref: ScopeRef, direction: Direction, enabled: bool) -> Change:
        self.check_writable(f"turn {direction} JWT {'on' if enabled else 'off'}")
        earlier = self._pending.get((ref, str(direction)))
        if isinstance(earlier, SetEnforcement):  # the model holds an unsaved edit: go by the source
            change = set_enforcement(self.config, ref, direction, enabled, held=earlier.previous)
        else:
            change = set_enforcement(self.config, ref, direction, enabled)
        self._record(change)
        return change

    def set_key(self, ref: ScopeRef, key: Key, now: datetime) -> SetKey:
        self.check_writable("change a key")
        change = set_key(self.config, ref, key, now)
        self._record(change)
        return change

    def set_theme(self, name: str) -> SetTheme:
        """Make ``name`` the config's own theme, the default for everyone who opens it."""
        self.check_writable("save the theme to the config")
        if not isinstance(self.source, ConsoleDefaults):
            raise PolicyError(f"{self.source.name} keeps no console settings: it is a server")
        change = set_theme(self.config, name)
        self._record(change)
        return change

    def _record(self, change: Change) -> None:
        if isinstance(change, SetEnforcement) and change.stored == change.previous:
            return  # already so in the source: nothing to save
        if isinstance(change, SetTheme) and change.theme == change.previous:
            return
        key = _change_key(change)
        earlier = self._pending.get(key)
        if isinstance(change, SetEnforcement) and isinstance(earlier, SetEnforcement):
            if change.stored == earlier.previous:  # back to what the source holds
                del self._pending[key]
                return
            change = replace(change, previous=earlier.previous)
        elif isinstance(change, SetTheme) and isinstance(earlier, SetTheme):
            if change.theme == earlier.previous:
                del self._pending[key]
                return
            change = replace(change, previous=earlier.previous)
        elif isinstance(change, SetKey) and isinstance(earlier, SetKey):
            change = SetKey(
                change.scope, change.entry, earlier.previous_fingerprint, earlier.previous_created
            )
        self._pending[key] = change

    # --- persistence ----------------------------------------------------------------------

    async def save(self) -> int:
        """Apply every pending change, all or nothing; returns how many were saved."""
        self.check_writable("save")
        changes = self.pending
        if not changes:
            return 0
        self.saving = True
        try:
            await self.source.apply(changes)
        except BaseException as error:
            if self.audit is not None:
                self.audit.record(
                    origin=self.origin, source=self.source.name, changes=changes, error=error
                )
            raise
        finally:
            self.saving = False
        if self.audit is not None:
            self.audit.record(origin=self.origin, source=self.source.name, changes=changes)
        for change in changes:
            key = _change_key(change)
            if self._pending.get(key) is change:  # not edited again while saving
                del self._pending[key]
        return len(changes)
