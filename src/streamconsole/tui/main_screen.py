"""The main screen: status line, filter, the scope list, the detail, the footer.

On a remote source the list comes before the aliases: the screen tells the console which
application the operator is on and which are on screen (so their aliases come first), and
takes each application's aliases in as they arrive. An application the source could not
read is marked in place and cannot be edited until a refresh reads it."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, ClassVar, cast

from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from streamconsole.backends.base import Problem
from streamconsole.core.model import Application, Direction, ScopeRef
from streamconsole.core.text import inert
from streamconsole.session import EditSession
from streamconsole.tui.detail import ScopeDetail
from streamconsole.tui.filter_input import FilterInput
from streamconsole.tui.messages import (
    AliasesRequested,
    RotateRequested,
    ScreenMounted,
    ToggleRequested,
    TokenPreviewRequested,
)
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
        self._request_toggle(Direction.PUBLISH)

    def action_toggle_play(self) -> None:
        self._request_toggle(Direction.PLAY)

    def _request_toggle(self, direction: Direction) -> None:
        marked = tuple(self.scope_list.marked_refs)
        self.post_message(ToggleRequested(direction, self.scope_list.current_ref, marked))

    def action_rotate_key(self) -> None:
        self.post_message(RotateRequested(self.scope_list.current_ref))

    def action_token_preview(self) -> None:
        self.post_message(TokenPreviewRequested(self.scope_list.current_ref))

    # --- command palette ------------------------------------------------------------------

    def palette_commands(self) -> list[SystemCommand]:
        """The commands for the selection and the list; writes say so when they would be
        refused."""
        session = self.console.session
        ref = self.scope_list.current_ref
        commands: list[SystemCommand] = []
        refused = "refused in read-only mode — " if session and session.read_only else ""
        if session is not None and ref is not None:
            app, _ = session.config.resolve(ref)
            marked = self.scope_list.marked_refs
            what = f"{len(marked)} marked scopes" if marked else str(ref)
            for direction, action in (
                (Direction.PUBLISH, self.action_toggle_publish),
                (Direction.PLAY, self.action_toggle_play),
            ):
                if app.kind.supports(direction):
                    commands.append(
                        SystemCommand(
                            f"Toggle {direction} JWT: {what}",
                            refused + f"turn {direction} JWT enforcement on or off",
                            action,
                        )
                    )
            commands += [
                SystemCommand(
                    f"Rotate key: {ref}",
                    refused + "generate or import a new key",
                    self.action_rotate_key,
                ),
                SystemCommand(
                    f"Token preview: {ref}",
                    "issue and explain a preview token",
                    self.action_token_preview,
                ),
            ]
            if self.detail.shared_key is not None:
                verb = "Hide" if self.detail.revealed else "Reveal"
                commands.append(
                    SystemCommand(
                        f"{verb} secret: {ref}",
                        "the shared secret in the detail panel",
                        self.action_reveal,
                    )
                )
            commands.append(
                SystemCommand(
                    f"Mark or unmark: {ref}",
                    "marked rows are toggled together",
                    self.scope_list.action_toggle_mark,
                )
            )
            if marked:
                commands.append(
                    SystemCommand(
                        f"Clear marks ({len(marked)})",
                        "unmark every marked row",
                        self.scope_list.clear_marks,
                    )
                )
        commands += [
            SystemCommand("Filter by name", "focus the filter box", self.action_focus_filter),
            SystemCommand("Expand all applications", "show every alias", self.action_expand_all),
            SystemCommand(
                "Collapse all applications", "show applications only", self.action_collapse_all
            ),
            SystemCommand(
                "Show or hide the detail panel", "more room for the list", self.action_toggle_detail
            ),
        ]
        if self.scope_list.index is not None and self.scope_list.index.filtering:
            commands.append(
                SystemCommand("Clear the filter", "show everything again", self.action_clear)
            )
        return commands
