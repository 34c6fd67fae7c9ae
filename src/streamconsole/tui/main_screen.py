"""The main screen: status line, filter, the scope list, the detail, the footer.

On a remote source the list comes before the aliases: the screen tells the console which
application the operator is on and which are on screen (so their aliases come first), and
takes each application's aliases in as they arrive. An application the source could not
read is marked in place and cannot be edited until a refresh reads it."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, ClassVar, cast

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from streamconsole.backends.base import Problem
from streamconsole.core.edits import edit_scope
from streamconsole.core.errors import StreamconsoleError
from streamconsole.core.keys import Key
from streamconsole.core.model import Application, Direction, ScopeRef
from streamconsole.core.text import inert
from streamconsole.session import EditSession, TogglePlan
from streamconsole.tui.detail import ScopeDetail
from streamconsole.tui.filter_input import FilterInput
from streamconsole.tui.messages import AliasesRequested, ScreenMounted
from streamconsole.tui.palette import PaletteCommand, scope_commands
from streamconsole.tui.scope_index import ScopeIndex
from streamconsole.tui.scope_list import ScopeList
from streamconsole.tui.status_line import Progress, source_only, status_text

if TYPE_CHECKING:
    from streamconsole.tui.app import StreamConsoleApp


_NEED_A_CONFIG = frozenset(
    {
        "focus_filter",
        "toggle_publish",
        "toggle_play",
        "rotate_key",
        "token_preview",
        "reveal",
        "toggle_detail",
        "clear",
    }
)


class MainScreen(Screen[None]):
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]  # noqa: RUF012
    AUTO_FOCUS = "#scope-list"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "slash",
            "focus_filter",
            "Filter",
            id="filter",
            tooltip="Filter applications and aliases by name",
        ),
        Binding(
            "p",
            "toggle_publish",
            "Publish",
            id="toggle-publish",
            tooltip="Turn publish JWT enforcement on or off for the selection",
        ),
        Binding(
            "l",
            "toggle_play",
            "Play",
            id="toggle-play",
            tooltip="Turn play JWT enforcement on or off for the selection",
        ),
        Binding(
            "r",
            "rotate_key",
            "Key",
            id="rotate-key",
            tooltip="Generate or import a new key for the selection",
        ),
        Binding(
            "t",
            "token_preview",
            "Token",
            id="token-preview",
            tooltip="Issue and explain a preview token for the selection",
        ),
        Binding(
            "v",
            "reveal",
            "Reveal",
            show=False,
            id="reveal",
            tooltip="Show or hide the shared secret of the selection",
        ),
        Binding(
            "d",
            "toggle_detail",
            "Detail",
            show=False,
            id="toggle-detail",
            tooltip="Show or hide the detail panel",
        ),
        Binding(
            "escape",
            "clear",
            "Clear",
            show=False,
            id="clear",
            tooltip="Clear the filter, else the marks",
        ),
    ]

    def compose(self) -> ComposeResult:
        with Horizontal(id="status-line"):
            yield Static(id="status-text", markup=False)
            yield Static("", id="unsaved-badge", markup=False)
            yield Static(" READ-ONLY ", id="read-only-badge", markup=False)
        yield FilterInput(placeholder="/ filter by name", id="filter", compact=True)
        with Horizontal(id="body"):
            yield ScopeList(id="scope-list")
            yield ScopeDetail(id="detail")
        with VerticalScroll(id="problems"):
            yield Static(id="problems-text")
        yield Footer(compact=True)

    @property
    def console(self) -> StreamConsoleApp:
        return cast("StreamConsoleApp", self.app)

    @property
    def scope_list(self) -> ScopeList:
        return self.query_one("#scope-list", ScopeList)

    @property
    def detail(self) -> ScopeDetail:
        return self.query_one("#detail", ScopeDetail)

    def __init__(self) -> None:
        super().__init__()
        self._arriving: ScopeRef | None = None  # an alias to go to once its aliases are in

    def on_mount(self) -> None:
        self.query_one("#filter", FilterInput).cursor_blink = False  # no redraws on slow links
        self.show_loading()
        self.post_message(ScreenMounted())

    # --- states: loading, loaded, broken --------------------------------------------------

    def show_loading(self) -> None:
        self.detail.show_message(Content.styled("Loading…", "$text-muted"))
        self._status(source_only(self.console.source.status, "loading…"))

    def show_session(
        self,
        session: EditSession,
        keep: ScopeRef | None,
        *,
        expanded: frozenset[str] = frozenset(),
        failures: Mapping[str, str] | None = None,
    ) -> None:
        """Show a loaded source: the cursor on ``keep`` (or, on a remote source, on its
        application until the aliases are in), ``expanded`` applications open."""
        if self.has_class("-broken"):
            self.set_class(False, "-broken")
            self.refresh_bindings()
        self.query_one("#read-only-badge").display = session.read_only
        shared = failures if failures is not None else {}  # the loader's own: it fills it
        self.scope_list.alias_failures = self.detail.alias_failures = shared
        index = ScopeIndex(session.config)
        if expanded:
            index.expand_names(expanded)
        self.scope_list.show_index(index, session.unsaved_scopes)
        self.scope_list.set_query(self.query_one("#filter", FilterInput).value)
        self._arriving = None
        if keep is not None and not self.scope_list.select(keep) and keep.alias is not None:
            app = session.config.applications.get(keep.application)
            if app is not None and not app.aliases_loaded:
                self._arriving = keep
                self.scope_list.select(ScopeRef(keep.application))
        self.scope_list.focus()
        self.refresh_view()

    def show_problems(
        self, title: str, problems: list[Problem], hint: str = "Fix the file, then reload (ctrl+r)."
    ) -> None:
        self.refresh_bindings()
        self.set_class(True, "-broken")
        lines = [Content.assemble((title, "bold $error"), "\n\n")]
        lines += [Content.assemble((" ✗ ", "bold $error"), inert(str(p)), "\n") for p in problems]
        lines.append(Content.assemble("\n", (hint, "$text-muted")))
        self.query_one("#problems-text", Static).update(Content("").join(lines))
        self._status(source_only(self.console.source.status, "not loaded", "$error"))

    def aliases_arrived(self, app: Application) -> None:
        """A remote source's aliases of ``app`` came in (or failed to): show them in place."""
        index = self.scope_list.index
        position = index.position(app.name) if index is not None else None
        if index is None or position is None or index.applications[position] is not app:
            return  # from a load this screen no longer shows
        self.scope_list.refresh_aliases(position)
        arriving = self._arriving
        if arriving is not None and arriving.application == app.name:
            self._arriving = None
            if self.scope_list.current_ref == ScopeRef(app.name):  # the operator waited
                self.scope_list.select(arriving)
        self.refresh_view()

    def applications_on_screen(self) -> Iterator[str]:
        """The applications with a row on screen, top first (their aliases come first)."""
        index = self.scope_list.index
        if index is not None:
            for position in self.scope_list.applications_on_screen:
                yield index.applications[position].name

    def refresh_view(self) -> None:
        """After an edit or a save: markers, detail and status line."""
        session = self.console.session
        if session is None:
            return
        self.scope_list.set_unsaved(session.unsaved_scopes)
        self._show_detail()
        self._refresh_status(session)

    def _refresh_status(self, session: EditSession) -> None:
        loader = self.console.loader
        progress = Progress(
            loader.loading if loader is not None else 0,
            loader.unreadable if loader is not None else 0,
            self.console.stale,
        )
        index = self.scope_list.index
        self._status(status_text(self.console.source.status, session.config, index, progress))
        pending = len(session.pending)
        badge = self.query_one("#unsaved-badge", Static)
        badge.update(f" {pending} unsaved " if pending else "")
        badge.display = bool(pending)

    def _status(self, text: Content) -> None:
        self.query_one("#status-text", Static).update(text)

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self.console.clock(), UTC)

    def _show_detail(self) -> None:
        session = self.console.session
        ref = self.scope_list.current_ref
        if session is None or ref is None:
            index = self.scope_list.index
            empty = (
                "Nothing matches the filter."
                if index is not None and index.filtering
                else "This config has no applications yet."
            )
            self.detail.show_message(Content.styled(empty, "$text-muted"))
            return
        self.detail.show(session.config.resolve(ref), self.console.warnings, self._now())

    # --- events ---------------------------------------------------------------------------

    @on(ScopeList.Highlighted)
    def _highlighted(self, event: ScopeList.Highlighted) -> None:
        self._show_detail()
        if event.ref is not None:
            self.post_message(AliasesRequested(event.ref.application))

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.apply_filter(event.value)

    def apply_filter(self, query: str) -> None:
        """What one keystroke in the filter does (kept cheap: it runs on every key)."""
        self.scope_list.set_query(query)
        if self.console.session is not None:
            self._refresh_status(self.console.session)

    @on(Input.Submitted, "#filter")
    @on(FilterInput.Left)
    def _filter_left(self) -> None:
        self.scope_list.focus()

    # --- actions --------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # A config that failed to load leaves nothing to act on: hide these keys from the
        # footer (while loading they stay, so the first paint needs no second footer).
        return action not in _NEED_A_CONFIG or not self.console.load_failed

    def action_focus_filter(self) -> None:
        self.query_one("#filter", FilterInput).focus()

    def action_clear(self) -> None:
        filter_input = self.query_one("#filter", FilterInput)
        if filter_input.value:
            filter_input.value = ""
        else:
            self.scope_list.clear_marks()

    def action_toggle_detail(self) -> None:
        self.toggle_class("-hide-detail")

    def action_expand_all(self) -> None:
        self.scope_list.set_all_expanded(True)

    def action_collapse_all(self) -> None:
        self.scope_list.set_all_expanded(False)

    def action_reveal(self) -> None:
        if self.scope_list.current_ref is None:
            return
        if self.detail.shared_key is None:
            self.notify(
                "Only shared secrets can be revealed; this selection has a public key or no "
                "key (its fingerprint identifies it).",
                severity="warning",
                markup=False,
            )
            return
        self.detail.revealed = not self.detail.revealed

    def action_toggle_publish(self) -> None:
        self._toggle(Direction.PUBLISH)

    def action_toggle_play(self) -> None:
        self._toggle(Direction.PLAY)

    def _editable_session(self, what: str, *, with_marks: bool = False) -> EditSession | None:
        session = self.console.session
        if session is None:
            self.notify("The config is not loaded.", severity="warning", markup=False)
            return None
        if not self.console.writable(what):
            return None
        if session.saving:
            self.notify("Saving… try again in a moment.", severity="warning", markup=False)
            return None
        current = self.scope_list.current_ref
        if current is None:
            self.notify("Nothing is selected.", severity="warning", markup=False)
            return None
        refs = (self.scope_list.marked_refs if with_marks else []) or [current]
        return None if self._unreadable(session, refs) else session

    def _unreadable(self, session: EditSession, refs: Sequence[ScopeRef]) -> bool:
        """Refuse, saying why, where the source could not read an application's settings:
        its policy is unknown, so an edit or a token would be a guess."""
        apps = session.config.applications
        names = dict.fromkeys(ref.application for ref in refs if apps[ref.application].problem)
        if names:
            self.notify(
                f"{', '.join(names)}: not read from {self.console.source.name}, so the policy "
                "is unknown. Refresh (ctrl+r) first.",
                severity="warning",
                markup=False,
            )
        return bool(names)

    def _toggle(self, direction: Direction) -> None:
        session = self._editable_session(f"change {direction} JWT enforcement", with_marks=True)
        if session is None:
            return
        current = self.scope_list.current_ref
        refs = self.scope_list.marked_refs or ([current] if current is not None else [])
        plan = session.plan_toggle(refs, direction)
        for ref in plan.unsupported:
            app, _ = session.config.resolve(ref)
            self.notify(
                f"{app.kind.display_name} has no {direction} JWT control ({ref}).",
                severity="warning",
                markup=False,
            )
        if not plan.targets:
            return
        self._explain_redirect(session, plan)
        if plan.need_key and len(plan.targets) == 1:
            target = plan.targets[0]
            self.notify(
                f"{target} has no key yet: choose one, then {direction} JWT turns on.", markup=False
            )
            self._choose_key(session, target, then=lambda: self._apply(session, plan, plan.targets))
            return
        if plan.need_key:
            skipped = ", ".join(str(ref) for ref in plan.need_key)
            self.notify(
                f"Skipped {skipped}: no key. Set a key first (rotate key).",
                severity="warning",
                markup=False,
            )
        self._apply(session, plan, [t for t in plan.targets if t not in plan.need_key])

    def _explain_redirect(self, session: EditSession, plan: TogglePlan) -> None:
        for app_name in dict.fromkeys(ref.application for ref in plan.redirected):
            app = session.config.applications[app_name]
            self.notify(
                f"{app.kind.display_name} enforces JWT per application: the change applies to "
                f"{app.name} and all of its {len(app.aliases):,} {app.kind.alias_noun}s.",
                markup=False,
            )

    def _apply(self, session: EditSession, plan: TogglePlan, targets: Sequence[ScopeRef]) -> None:
        if not targets:
            return
        try:
            for target in targets:
                session.set_enforcement(target, plan.direction, plan.enable)
        except StreamconsoleError as error:
            self.notify(str(error), severity="error", markup=False)
            self.console.after_edit()
            return
        state = "on" if plan.enable else "off"
        where = str(targets[0]) if len(targets) == 1 else f"{len(targets)} scopes"
        self.notify(
            f"{plan.direction.value.capitalize()} JWT {state} for {where}"
            + ("" if session.immediate else " (unsaved)"),
            markup=False,
        )
        self.console.after_edit()

    def action_rotate_key(self) -> None:
        session = self._editable_session("change a key")
        current = self.scope_list.current_ref
        if session is None or current is None:
            return
        target = edit_scope(session.config, current)
        if target != current:
            app = session.config.applications[target.application]
            self.notify(
                f"{app.kind.display_name} has one key per application: the new key is "
                f"for {app.name} and all of its {app.kind.alias_noun}s.",
                markup=False,
            )
        self._choose_key(session, target, then=None)

    def _choose_key(
        self, session: EditSession, target: ScopeRef, then: Callable[[], None] | None
    ) -> None:
        from streamconsole.tui.rotate import RotateKeyScreen

        app, alias = session.config.resolve(target)

        def chosen(key: Key | None) -> None:
            if key is None:
                self.notify("No key chosen: nothing changed.", markup=False)
                return
            try:
                session.set_key(target, key, self._now())
            except StreamconsoleError as error:
                self.notify(str(error), severity="error", markup=False)
                return
            self.notify(
                f"New {key.algorithm} key {key.fingerprint} for {target}"
                + ("" if session.immediate else " (unsaved)"),
                markup=False,
            )
            if then is not None:
                then()
            else:
                self.console.after_edit()

        self.app.push_screen(RotateKeyScreen(app, alias, clock=self.console.clock), chosen)

    def action_token_preview(self) -> None:
        session = self.console.session
        ref = self.scope_list.current_ref
        if session is None or ref is None:
            self.notify("Nothing is selected.", severity="warning", markup=False)
            return
        if self._unreadable(session, [ref]):
            return
        from streamconsole.tui.token_preview import TokenPreviewScreen

        app, alias = session.config.resolve(ref)
        ttl = session.config.settings.token_ttl
        self.app.push_screen(TokenPreviewScreen(app, alias, clock=self.console.clock, ttl=ttl))

    # --- command palette ------------------------------------------------------------------

    def palette_commands(self) -> list[PaletteCommand]:
        """The commands that make sense now; writes say so when they would be refused."""
        return scope_commands(self)
