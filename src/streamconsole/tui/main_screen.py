"""The main screen: status line, filter, the scope list, the detail, the footer.

It shows what the app gives it (the source, the session, the loading progress, the
source's warnings, all set by the app) and asks the app for the rest: its keys and palette
entries post requests (:mod:`.messages`) that the app carries out. On a remote source the
list comes before the aliases: the screen asks for the aliases of the application the
operator is on, tells which applications are on screen (their aliases come first), and
takes each application's aliases in as they arrive. An application the source could not
read is marked in place."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Input, Static

from streamconsole.backends.base import ConfigError, Problem
from streamconsole.core.model import Application, Direction, ScopeRef
from streamconsole.core.text import inert
from streamconsole.tui.bindings import MAIN_SCREEN_BINDINGS
from streamconsole.tui.detail import ScopeDetail
from streamconsole.tui.failures import failure_text
from streamconsole.tui.filter_input import FilterInput
from streamconsole.tui.key_footer import KeyFooter
from streamconsole.tui.key_state import key_applies
from streamconsole.tui.lean_screen import LeanScreen
from streamconsole.tui.messages import (
    AliasesRequested,
    Noted,
    ProbeRequested,
    RotateRequested,
    ScreenMounted,
    ToggleRequested,
    TokenPreviewRequested,
)
from streamconsole.tui.scope_index import ScopeIndex
from streamconsole.tui.scope_list import ScopeList
from streamconsole.tui.scope_warnings import ScopeWarnings
from streamconsole.tui.status_line import Progress, show_unsaved, source_only, status_text
from streamconsole.tui.status_note import StatusNote
from streamconsole.tui.terminal import glyphs_of
from streamconsole.tui.user_keys import key_of

if TYPE_CHECKING:
    from streamconsole.backends.base import Source
    from streamconsole.session import EditSession


class MainScreen(LeanScreen):
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]  # noqa: RUF012
    AUTO_FOCUS = "#scope-list"

    BINDINGS: ClassVar[list[BindingType]] = MAIN_SCREEN_BINDINGS
    LIST: ClassVar[type[ScopeList]] = ScopeList  # several servers: their tree

    def compose(self) -> ComposeResult:
        with Horizontal(id="status-line"):
            yield Static(id="status-text", markup=False)
            yield StatusNote(id="status-note")
            yield Static("", id="unsaved-badge", markup=False)
            yield Static(" READ-ONLY ", id="read-only-badge", markup=False)
        yield FilterInput(placeholder="/ filter by name or label", id="filter", compact=True)
        with Horizontal(id="body"):
            scope_list = self.LIST(id="scope-list")
            if self.app.app_focus:
                # Focused as it is first styled: the screen focuses it (AUTO_FOCUS) just
                # after mounting it, and the focus would style it and its 11 component
                # styles a second time before the first frame.
                scope_list.set_reactive(Widget.has_focus, True)
            yield scope_list
            yield ScopeDetail(id="detail")
        yield KeyFooter(compact=True)

    @property
    def scope_list(self) -> ScopeList:
        return self.query_one("#scope-list", ScopeList)

    @property
    def detail(self) -> ScopeDetail:
        return self.query_one("#detail", ScopeDetail)

    def __init__(self, source: Source, *, clock: Callable[[], float]) -> None:
        super().__init__()
        self._clock = clock
        # Set by the app: where edits go, the loaded session, what is still coming.
        self.source = source
        self.session: EditSession | None = None
        self.server: str | None = None  # over several servers: the cursor's (set by a subclass)
        self.progress = Progress()
        self.warnings: tuple[Problem, ...] = ()  # the source's, shown in the detail
        self._arriving: ScopeRef | None = None  # an alias to go to once its aliases are in
        self._warning_counts: dict[str, int] = {}  # by application (ScopeWarnings.count_in)
        # The width class the first resize would add, restyling the whole screen: set from
        # the terminal's width before the first styling, the resize finds nothing to change.
        width = self.app.size.width
        self.add_class(
            max((at, name) for at, name in self.HORIZONTAL_BREAKPOINTS if width >= at)[1],
            update=False,  # not styled yet: styled once, when mounted
        )

    def on_mount(self) -> None:
        self.query_one("#filter", FilterInput).cursor_blink = False  # no redraws on slow links
        self.detail.show_hint(full=False)
        self.show_loading()
        self.post_message(ScreenMounted())

    # --- states: loading, loaded, broken --------------------------------------------------

    def show_loading(self) -> None:
        glyphs = glyphs_of(self)
        self.detail.show_message(Content.styled(f"Loading{glyphs.ellipsis}", "$text-muted"))
        self._status(source_only(self.source.status, f"loading{glyphs.ellipsis}", glyphs=glyphs))

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
        self.session = session
        self.detail.show_hint(full=self.has_class("-full-detail"))  # the keys of this load
        self.set_class(False, "-broken")
        self.refresh_bindings()  # the keys follow the session (read-only) and the selection
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

    def show_load_failure(self, error: Exception) -> None:
        """The source could not be loaded: a broken config's problems, or why, in place."""
        reload = key_of(self, "reload")
        if isinstance(error, ConfigError):
            title = "The config has errors; nothing was loaded."
            problems, hint = list(error.problems), f"Fix the file, then reload ({reload})."
        else:
            title = f"{inert(self.source.name)} could not be read."
            problems, hint = [Problem(failure_text(error))], f"Reload ({reload}) to try again."
        self.session = None
        self.set_class(True, "-broken")
        self.refresh_bindings()
        lines = [Content.assemble((title, "bold $error"), "\n\n")]
        mark = f" {glyphs_of(self).failed} "
        lines += [Content.assemble((mark, "bold $error"), inert(str(p)), "\n") for p in problems]
        lines.append(Content.assemble("\n", (hint, "$text-muted")))
        self._show_problems(Content("").join(lines))
        self._status(source_only(self.source.status, "not loaded", "$error", glyphs_of(self)))

    def _show_problems(self, text: Content) -> None:
        """In the pane that takes the list's place; built the first time (not composed with
        the screen: a config that loads never needs it)."""
        shown = self.query("#problems-text")
        if shown:
            shown.first(Static).update(text)
        else:
            pane = VerticalScroll(Static(text, id="problems-text"), id="problems")
            self.mount(pane, after=self.query_one("#body"))

    def aliases_arrived(self, app: Application) -> None:
        """A remote source's settings or aliases of ``app`` came in (or failed to): show them
        in place."""
        index = self.scope_list.scope_index
        position = index.position(app.name) if index is not None else None
        if index is None or position is None or index.applications[position] is not app:
            return  # from a load this screen no longer shows
        current = self.scope_list.current_ref
        settings_only = not (app.aliases_loaded or app.policy_unknown)
        settings_only = settings_only and app.name not in self.scope_list.alias_failures
        if not settings_only:  # its settings alone leave its rows as they are: no relayout
            self.scope_list.refresh_aliases(position)
            arriving = self._arriving
            if arriving is not None and arriving.application == app.name:
                self._arriving = None
                if current == ScopeRef(app.name):  # the operator waited
                    self.scope_list.select(arriving)
        if self.session is not None:
            self._count_warnings([app])  # the others' are as they were: no recount of all
            shown = current is not None and current.application == app.name
            self._redraw(self.session, detail=shown or not settings_only)

    def show_stale(self, error: Exception) -> None:
        """A refresh failed: what was loaded before stays, marked as such."""
        self.notify(
            f"{failure_text(error)}\nShowing what was loaded before; refresh "
            f"({key_of(self, 'reload')}) again "
            "once the source is back.",
            title="Not refreshed",
            severity="error",
            timeout=20,
        )
        self.refresh_view()

    def applications_on_screen(self) -> Iterator[str]:
        """The applications with a row on screen, top first (their aliases come first)."""
        index = self.scope_list.scope_index
        if index is not None:
            for position in self.scope_list.applications_on_screen:
                yield index.applications[position].name

    def refresh_view(self) -> None:
        """After an edit or a save: markers, warnings, detail and status line."""
        session = self.session
        if session is None:
            return
        self._warning_counts.clear()
        self._count_warnings(session.config.applications.values())
        self._redraw(session)

    def _count_warnings(self, apps: Iterable[Application]) -> None:
        """Count the warnings of ``apps`` anew (the list's ⚠ marks follow)."""
        warnings = self.scope_list.warnings = ScopeWarnings(self.warnings, self._now())
        for app in apps:
            self._warning_counts[app.name] = warnings.count_in(app)

    def _redraw(self, session: EditSession, *, detail: bool = True) -> None:
        self.scope_list.set_unsaved(session.unsaved_scopes)
        if detail:
            self._show_detail()
        self._refresh_status(session)

    def _refresh_status(self, session: EditSession) -> None:
        index = self.scope_list.index
        warnings = len(self.warnings) + sum(self._warning_counts.values())
        marked = self.scope_list.marked_count
        config, glyphs = session.config, glyphs_of(self)
        self._status(
            status_text(self.source.status, config, index, self.progress, warnings, marked, glyphs)
        )
        show_unsaved(self.query_one("#unsaved-badge", Static), len(session.pending))

    def _status(self, text: Content) -> None:
        self.query_one("#status-text", Static).update(text)

    def show_note(self, text: str, *, warning: bool = False) -> None:
        """Routine feedback in the status line (not a toast over the detail); gone after a
        while (:class:`StatusNote`)."""
        self.query_one(StatusNote).say(text, warning=warning)

    def on_screen_resume(self) -> None:
        self.query_one(StatusNote).draw()  # what was said while another screen was on top

    def on_key(self) -> None:
        self.query_one(StatusNote).next_keystroke()

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self._clock(), UTC)

    def _show_detail(self) -> None:
        session = self.session
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
        self.detail.show(session.config.resolve(ref), self.warnings, self._now())

    # --- events ---------------------------------------------------------------------------

    @on(ScopeList.Highlighted)
    def _highlighted(self, event: ScopeList.Highlighted) -> None:
        self._show_detail()
        self.refresh_bindings()  # p shows only where publish JWT exists
        if event.ref is not None:
            self.post_message(AliasesRequested(event.ref.application, self.server))

    @on(ScopeList.MarksChanged)
    def _marks_changed(self) -> None:
        self.refresh_bindings()
        if self.session is not None:
            self._refresh_status(self.session)

    def marks_used(self) -> None:
        """A toggle acted on the marked rows: they are done with."""
        self.scope_list.clear_marks()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.apply_filter(event.value)

    def apply_filter(self, query: str) -> None:
        """What one keystroke in the filter does (kept cheap: it runs on every key)."""
        self.scope_list.set_query(query)
        if self.session is not None:
            self._refresh_status(self.session)

    @on(Input.Submitted, "#filter")
    @on(FilterInput.Left)
    def _filter_left(self) -> None:
        self.scope_list.focus()

    # --- actions --------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "focus_filter" and self.focused is self.query_one("#filter"):
            return False  # a slash typed in the filter is part of the name
        refs = tuple(self.scope_list.marked_refs) or (self.scope_list.current_ref,)
        return key_applies(action, self.session, refs, broken=self.has_class("-broken"))

    def action_focus_filter(self) -> None:
        self._show_full_detail(False)
        # At once, not as Widget.focus does (after the keys already queued): every key typed
        # after the slash goes to the filter, however fast they come.
        self.set_focus(self.query_one("#filter", FilterInput))

    def action_clear(self) -> None:
        filter_input = self.query_one("#filter", FilterInput)
        if self.has_class("-full-detail"):
            self._show_full_detail(False)
        elif filter_input.value:
            filter_input.value = ""
        else:
            self.scope_list.clear_marks()

    def action_toggle_detail(self) -> None:
        self.toggle_class("-hide-detail")

    def action_toggle_full_detail(self) -> None:
        self._show_full_detail(not self.has_class("-full-detail"))

    def _show_full_detail(self, full: bool) -> None:
        """The detail full screen and focused (it scrolls), or back beside the list."""
        if full == self.has_class("-full-detail"):
            return
        self.set_class(full, "-full-detail")
        self.detail.show_hint(full=full)
        self.set_focus(self.detail if full else self.scope_list)

    def action_expand_all(self) -> None:
        self.scope_list.set_all_expanded(True)

    def action_collapse_all(self) -> None:
        self.scope_list.set_all_expanded(False)

    def action_reveal(self) -> None:
        if self.scope_list.current_ref is None:
            return
        if self.detail.shared_key is None:
            self.post_message(
                Noted(
                    "Only shared secrets can be revealed; this selection has a public key or "
                    "no key (its fingerprint identifies it).",
                    warning=True,
                )
            )
            return
        self.detail.revealed = not self.detail.revealed
        if self.detail.revealed:
            self.set_class(False, "-hide-detail")  # where it can be seen

    def action_toggle_publish(self) -> None:
        self.request_toggle(Direction.PUBLISH)

    def action_toggle_play(self) -> None:
        self.request_toggle(Direction.PLAY)

    def request_toggle(self, direction: Direction) -> None:
        """Ask for ``direction`` JWT on or off for the marked rows, else the selection."""
        marked = tuple(self.scope_list.marked_refs)
        current = self.scope_list.current_ref
        self.post_message(ToggleRequested(direction, current, marked, self.server))

    def action_rotate_key(self) -> None:
        self.post_message(RotateRequested(self.scope_list.current_ref, self.server))

    def action_token_preview(self) -> None:
        self.post_message(TokenPreviewRequested(self.scope_list.current_ref, self.server))

    def action_probe(self) -> None:
        self.post_message(ProbeRequested(self.scope_list.current_ref, self.server))
