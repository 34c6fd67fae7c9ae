"""The console's edits, each with what it tells the operator: publish/play toggles, a new
key, the token preview, saving (at once where the config asks for it, or when asked:
:meth:`EditFlows.save_now`, which :mod:`.console_member` also runs for each source before
something would lose unsaved edits).

Every write asks :meth:`EditFlows.writable` first, so read-only mode is refused in one
place. The flows change the session and post :class:`SessionChanged` to the app, which
redraws the screen: they never touch it. What they say goes to the status line
(:class:`Noted`), errors only to toasts. An application the source could not read cannot
be edited (nor a token issued for it) until a refresh reads it: its policy is unknown.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from streamconsole.audit import audit_log_for
from streamconsole.backends.base import ConflictError, ReadOnlyError
from streamconsole.core.edits import edit_scope
from streamconsole.core.errors import StreamconsoleError
from streamconsole.core.text import counted
from streamconsole.session import EditSession
from streamconsole.tui.failures import failure_text
from streamconsole.tui.messages import Noted, SessionChanged
from streamconsole.tui.user_keys import key_of

if TYPE_CHECKING:
    from textual.app import App
    from textual.notifications import SeverityLevel

    from streamconsole.backends.base import Source
    from streamconsole.core.keys import Key
    from streamconsole.core.model import Config, Direction, ScopeRef
    from streamconsole.session import TogglePlan

_SAVE_GROUP = "save"


class EditFlows:
    """The edits of one loaded session; ``host`` (the app) runs the dialogs and workers."""

    def __init__(self, host: App[None], session: EditSession, *, clock: Callable[[], float]):
        self._host = host
        self.session = session
        self._clock = clock

    @classmethod
    def open(
        cls,
        host: App[None],
        source: Source,
        config: Config,
        *,
        read_only: bool,
        clock: Callable[[], float],
    ) -> EditFlows:
        """The flows of a new session on ``config``, audited where its settings say."""
        audit = audit_log_for(config.settings)
        session = EditSession(source, config, read_only=read_only, audit=audit, origin="tui")
        return cls(host, session, clock=clock)

    def _say(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
    ) -> None:
        if severity != "error":  # routine: the status line, not a toast over the detail
            text = f"{title}: {message}" if title else message
            self._host.post_message(Noted(text, warning=severity == "warning"))
            return
        self._host.notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    def _edited(self) -> None:
        """An edit was made: show it, and save at once when the config asks for that."""
        self._host.post_message(SessionChanged())
        if self.session.immediate:
            self._start_save()

    # --- what may be edited ---------------------------------------------------------------

    def writable(self, what: str) -> bool:
        """Whether a write may go ahead; if not, says why. Every write asks here first."""
        try:
            self.session.check_writable(what)
        except ReadOnlyError as error:
            self._say(
                f"{error}. Writes are off (--read-only or read_only = true).",
                title="Read-only",
                severity="error",
            )
            return False
        return True

    def _editable(self, what: str, current: ScopeRef | None, refs: Sequence[ScopeRef]) -> bool:
        """Whether ``refs`` (else the selection, ``current``) may be edited; if not, says why."""
        if not self.writable(what):
            return False
        if self.session.saving:
            self._say("Saving… try again in a moment.", severity="warning")
            return False
        if current is None:
            self._say("Nothing is selected.", severity="warning")
            return False
        return not self._unreadable(refs or [current])

    def _unreadable(self, refs: Sequence[ScopeRef]) -> bool:
        """Refuse, saying why, where the source could not read an application's settings,
        or has not yet: its policy is unknown, so an edit or a token would be a guess."""
        apps = self.session.config.applications
        unknown = [apps[name] for name in dict.fromkeys(ref.application for ref in refs)]
        unknown = [app for app in unknown if app.policy_unknown]
        failed = [app.name for app in unknown if app.problem]
        coming = [app.name for app in unknown if not app.problem]
        source = self.session.source.name
        if failed:
            self._say(
                f"{', '.join(failed)}: not read from {source}, so the policy is unknown. "
                f"Refresh ({key_of(self._host, 'reload')}) first.",
                severity="warning",
            )
        elif coming:
            self._say(
                f"{', '.join(coming)}: settings not read from {source} yet (being fetched), "
                "so the policy is unknown; nothing was changed. Try again in a moment.",
                severity="warning",
            )
        return bool(unknown)

    # --- publish and play -----------------------------------------------------------------

    def toggle(
        self, direction: Direction, current: ScopeRef | None, marked: Sequence[ScopeRef]
    ) -> bool:
        """Turn ``direction`` JWT on or off for the marked scopes, else the selection;
        whether it went ahead (or waits for a key to be chosen first)."""
        if not self._editable(f"change {direction} JWT enforcement", current, marked):
            return False
        session = self.session
        plan = session.plan_toggle(marked or ([current] if current is not None else []), direction)
        for ref in plan.unsupported:
            app, _ = session.config.resolve(ref)
            self._say(
                f"{app.kind.display_name} has no {direction} JWT control ({ref}).",
                severity="warning",
            )
        if not plan.targets:
            return False
        self._explain_redirect(plan)
        if plan.need_key and len(plan.targets) == 1:
            target = plan.targets[0]
            self._say(f"{target} has no key yet: choose one, then {direction} JWT turns on.")
            self._choose_key(target, then=lambda: self._apply(plan, plan.targets))
            return True
        if plan.need_key:
            skipped = ", ".join(str(ref) for ref in plan.need_key)
            self._say(
                f"Skipped {skipped}: no key. Set a key first (rotate key).", severity="warning"
            )
        return self._apply(plan, [t for t in plan.targets if t not in plan.need_key])

    def _explain_redirect(self, plan: TogglePlan) -> None:
        for app_name in dict.fromkeys(ref.application for ref in plan.redirected):
            app = self.session.config.applications[app_name]
            self._say(
                f"{app.kind.display_name} enforces JWT per application: the change applies to "
                f"{app.name} and all of its {counted(len(app.aliases), app.kind.alias_noun)}."
            )

    def _apply(self, plan: TogglePlan, targets: Sequence[ScopeRef]) -> bool:
        """Switch ``targets``; whether they all were."""
        if not targets:
            return False
        session = self.session
        try:
            for target in targets:
                session.set_enforcement(target, plan.direction, plan.enable)
        except StreamconsoleError as error:
            self._say(str(error), severity="error")
            self._edited()
            return False
        state = "on" if plan.enable else "off"
        where = str(targets[0]) if len(targets) == 1 else counted(len(targets), "scope")
        self._say(
            f"{plan.direction.value.capitalize()} JWT {state} for {where}"
            + ("" if session.immediate else " (unsaved)")
        )
        self._edited()
        return True

    def theme_to_config(self) -> None:
        """Make the theme shown the config's own, the default for everyone who opens it: an
        edit like the others (unsaved until saved, then audited)."""
        if not self.writable("save the theme to the config"):
            return
        try:
            change = self.session.set_theme(self._host.theme)
        except StreamconsoleError as error:
            self._say(str(error), severity="error")
            return
        self._say(
            f"Theme {change.theme} is the config's default"
            + ("" if self.session.immediate else " once saved (unsaved)")
        )
        self._edited()

    # --- keys and tokens ------------------------------------------------------------------

    def rotate(self, current: ScopeRef | None) -> None:
        """Choose a new key for the selection (its application's, where the server keys
        whole applications)."""
        if not self._editable("change a key", current, []) or current is None:
            return
        config = self.session.config
        target = edit_scope(config, current)
        if target != current:
            app = config.applications[target.application]
            self._say(
                f"{app.kind.display_name} has one key per application: the new key is "
                f"for {app.name} and all of its {app.kind.alias_noun}s."
            )
        self._choose_key(target, then=None)

    def _choose_key(self, target: ScopeRef, then: Callable[[], object] | None) -> None:
        # Loaded on first use: the dialog (and its key parsing) is no part of start-up.
        from streamconsole.tui.rotate import RotateKeyScreen

        session = self.session
        app, alias = session.config.resolve(target)

        def chosen(key: Key | None) -> None:
            if key is None:
                self._say("No key chosen: nothing changed.")
                return
            try:
                session.set_key(target, key, datetime.fromtimestamp(self._clock(), UTC))
            except StreamconsoleError as error:
                self._say(str(error), severity="error")
                return
            self._say(
                f"New {key.algorithm} key {key.fingerprint} for {target}"
                + ("" if session.immediate else " (unsaved)")
            )
            if then is not None:
                then()
            else:
                self._edited()

        self._host.push_screen(RotateKeyScreen(app, alias, clock=self._clock), chosen)

    def preview_token(self, ref: ScopeRef | None) -> None:
        """Issue and explain a preview token for ``ref``."""
        # Loaded on first use: the preview (and PyJWT) is no part of start-up.
        from streamconsole.tui.token_preview import TokenPreviewScreen

        if ref is None:
            self._say("Nothing is selected.", severity="warning")
            return
        if self._unreadable([ref]):
            return
        config = self.session.config
        app, alias = config.resolve(ref)
        ttl = config.settings.token_ttl
        self._host.push_screen(TokenPreviewScreen(app, alias, clock=self._clock, ttl=ttl))

    # --- saving ---------------------------------------------------------------------------

    def save(self) -> None:
        """Save every pending edit."""
        if not self.writable("save"):
            return
        if not self.session.pending:
            self._say("Nothing to save.")
            return
        self._start_save()

    def _start_save(self) -> None:
        # A group per source: over several servers, one's save never cancels another's.
        group = f"{_SAVE_GROUP} {self.session.source.name}"
        self._host.run_worker(self.save_now(), group=group, exclusive=True)

    async def save_now(self, *, failed: str = "Not saved") -> bool:
        """Save every pending edit (in the caller's worker), saying how it went under the
        title ``failed`` where it did not; whether it was saved."""
        session = self.session
        try:
            count = await session.save()
        except ConflictError as error:
            self._say(
                f"{error}\nNothing was written; your edits are still here. Reload "
                f"({key_of(self._host, 'reload')}) to see the other version, then make your "
                "edits again.",
                title="Not saved: the config changed elsewhere",
                severity="error",
                timeout=20,
            )
            return False
        except Exception as error:  # a bug in a source must not end in a traceback
            self._say(failure_text(error), title=failed, severity="error", timeout=20)
            return False
        finally:
            self._host.post_message(SessionChanged())
        if count:
            self._say(f"Saved {counted(count, 'change')} to {session.source.name}.")
        return True
