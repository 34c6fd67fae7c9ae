"""The main screen over several servers: one tree (:class:`.FleetList`), a row per server
above its applications and aliases, each server filled in as it answers.

What the app gives it are its members (:class:`.ConsoleMember`): the screen follows the
cursor to the member of its row (``server``, ``session``, ``warnings``: what the detail and
the keys act on), and every request it posts names that server. The status line counts the
servers and names those that are down; the filter looks through every loaded server. Rows
marked on two servers are not toggled together: the operator is asked to mark one server's.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, ClassVar

from textual.content import Content
from textual.widgets import Static

from streamconsole.core.model import ScopeRef
from streamconsole.core.text import counted, inert
from streamconsole.tui.failures import failure_text
from streamconsole.tui.filter_input import FilterInput
from streamconsole.tui.fleet_index import STRIDE, FleetIndex
from streamconsole.tui.fleet_list import FleetList, ServerRow
from streamconsole.tui.main_screen import MainScreen
from streamconsole.tui.messages import Noted, ToggleRequested
from streamconsole.tui.row_index import RowMarkers
from streamconsole.tui.scope_index import ScopeIndex
from streamconsole.tui.scope_list import ScopeList
from streamconsole.tui.scope_warnings import ScopeWarnings
from streamconsole.tui.status_line import Progress, show_unsaved, source_only, status_tail
from streamconsole.tui.terminal import glyphs_of

if TYPE_CHECKING:
    from collections.abc import Callable

    from textual.app import ComposeResult

    from streamconsole.backends.base import Source
    from streamconsole.core.model import Application, Direction
    from streamconsole.session import EditSession
    from streamconsole.tui.console_member import ConsoleMember


def server_row(member: ConsoleMember) -> ServerRow:
    """What a member's row in the tree shows."""
    return ServerRow(
        member.server or "",
        member.kind,
        member.account,
        member.latency,
        read_only=member.session.read_only if member.session else member.read_only,
        problem=_problem(member),
    )


def _problem(member: ConsoleMember) -> str:
    """Why a member is down, or stale (its refresh failed: its rows are from before)."""
    if member.error is None:
        return ""
    return f"stale: {failure_text(member.error)}" if member.stale else failure_text(member.error)


class FleetScreen(MainScreen):
    LIST: ClassVar[type[ScopeList]] = FleetList

    def __init__(
        self, source: Source, *, clock: Callable[[], float], members: Sequence[ConsoleMember]
    ) -> None:
        """``source`` is the config file; ``members`` its servers, in the tree's order."""
        super().__init__(source, clock=clock)
        self.members = members
        self.fleet = FleetIndex(len(members))
        self._keep: tuple[str | None, ScopeRef | None] | None = None  # across a reload
        self._arriving_in: tuple[int, ScopeRef] | None = None  # an alias, once its aliases are in
        self._warning_total = 0

    def compose(self) -> ComposeResult:
        yield from super().compose()
        yield from (member.host for member in self.members if member.host is not None)

    @property
    def fleet_list(self) -> FleetList:
        return self.query_one("#scope-list", FleetList)

    # --- states --------------------------------------------------------------------------

    def show_loading(self) -> None:
        glyphs = glyphs_of(self)
        self.detail.show_message(Content.styled(f"Loading{glyphs.ellipsis}", "$text-muted"))
        servers = counted(len(self.members), "server")
        self._status(source_only(servers, f"loading{glyphs.ellipsis}", glyphs=glyphs))

    def show_fleet(self) -> None:
        """The config file is read: a row per server, each loading until it answers."""
        trees = self.fleet_list
        if trees.fleet is not None and self._keep is None:  # a reload: back there after
            self._keep = (self.server, trees.current_ref)
        self.fleet = FleetIndex(len(self.members))
        for position, member in enumerate(self.members):  # kept until its reload answers
            if member.session is not None:
                self.fleet.set_index(position, ScopeIndex(member.session.config))
        self.set_class(False, "-broken")
        trees.servers = [server_row(member) for member in self.members]
        trees.show_index(self.fleet, frozenset())
        trees.set_query(self.query_one("#filter", FilterInput).value)
        trees.focus()
        self.refresh_view()

    def member_loaded(self, member: ConsoleMember) -> None:
        """``member`` was read (or could not be): its rows, or why not, in place."""
        position = self.members.index(member)
        session = member.session
        trees = self.fleet_list
        with trees.rows_changing():
            self.fleet.set_index(position, ScopeIndex(session.config) if session else None)
        trees.servers = [server_row(each) for each in self.members]
        if self._keep is not None and self._keep[0] == member.server:
            self._return_to(position, self._keep[1])
            self._keep = None
        self.refresh_bindings()
        self.refresh_view()

    def _return_to(self, position: int, keep: ScopeRef | None) -> None:
        """After a reload, the cursor back on ``keep`` of server ``position``; an alias whose
        aliases are not in yet: its application until they are (as on one source)."""
        trees = self.fleet_list
        self._arriving_in = None
        if trees.select_in(position, keep) or keep is None or keep.alias is None:
            return
        index = self.fleet.indexes[position]
        local = index.position(keep.application) if index is not None else None
        if index is not None and local is not None and not index.applications[local].aliases_loaded:
            self._arriving_in = (position, keep)
            trees.select_in(position, ScopeRef(keep.application))

    def member_aliases_arrived(self, member: ConsoleMember, app: Application) -> None:
        position = self.members.index(member)
        index = self.fleet.indexes[position]
        local = index.position(app.name) if index is not None else None
        if index is None or local is None or index.applications[local] is not app:
            return  # from a load this screen no longer shows
        trees = self.fleet_list
        waited = trees.current_server == position and trees.current_ref == ScopeRef(app.name)
        trees.refresh_aliases(position * STRIDE + 1 + local)
        if app.aliases_loaded and self._arriving_in is not None:
            server, arriving = self._arriving_in
            if (server, arriving.application) == (position, app.name):
                self._arriving_in = None
                if waited:  # the operator waited on its application
                    trees.select_in(position, arriving)
        self.refresh_view()

    def applications_on_screen_of(self, member: ConsoleMember) -> Iterator[str]:
        """``member``'s applications with a row on screen, top first."""
        position = self.members.index(member)
        index = self.fleet.indexes[position]
        if index is None:
            return
        for app in self.fleet_list.applications_on_screen:
            server, offset = divmod(app, STRIDE)
            if server == position:
                yield index.applications[offset - 1].name

    # --- following the cursor ------------------------------------------------------------

    def _follow_cursor(self) -> ConsoleMember | None:
        """The member of the cursor's row is the one the detail and the keys act on."""
        position = self.fleet_list.current_server
        member = self.members[position] if position is not None else None
        self.server = member.server if member is not None else None
        self.session = member.session if member is not None else None
        source = member.source if member is not None else None
        self.warnings = tuple(source.warnings) if source is not None else ()
        return member

    def _show_detail(self) -> None:
        member = self._follow_cursor()
        row = self.fleet_list.current_row
        if member is None or row is None or not row.is_server:
            super()._show_detail()
            return
        glyphs = glyphs_of(self)
        shown = server_row(member)
        facts = [shown.kind.display_name] if shown.kind is not None else []
        facts += [f"signed in as {inert(shown.account)}"] if shown.account else []
        facts += ["read-only"] if shown.read_only else []
        lines = [Content.styled(inert(shown.name), "bold"), Content(f" {glyphs.dot} ".join(facts))]
        session = member.session
        if shown.problem and session is None:
            why = Content.styled(f"Not loaded: {inert(shown.problem)}", "$text-error")
            lines += [why, Content.styled("Reload (ctrl+r) to try again.", "$text-muted")]
        elif session is None:
            lines.append(Content.styled(f"Loading{glyphs.ellipsis}", "$text-muted"))
        else:
            config = session.config
            held = counted(len(config.applications), "application")
            lines.append(Content(f"{held}, {counted(config.alias_count, 'alias')} loaded"))
            if member.stale and member.error is not None:
                stale = f"Not refreshed ({failure_text(member.error)}): showing what was before."
                lines.append(Content.styled(stale, "$text-warning"))
        if shown.latency is not None:
            lines.append(
                Content.styled(f"Load took {round(shown.latency * 1000)} ms", "$text-muted")
            )
        self.detail.show_message(Content("\n").join(lines))

    # --- markers and the status line -----------------------------------------------------

    def refresh_view(self) -> None:
        now, markers, total = self._now(), [], 0
        for member in self.members:
            session, source = member.session, member.source
            if session is None or source is None:
                markers.append(RowMarkers(frozenset(), frozenset(), {}, None))
                continue
            warnings = ScopeWarnings(source.warnings, now)
            total += len(warnings.problems)
            total += sum(warnings.count_in(app) for app in session.config.applications.values())
            unsaved = session.unsaved_scopes
            apps = frozenset(ref.application for ref in unsaved)
            failures = member.loader.failures if member.loader is not None else {}
            markers.append(RowMarkers(unsaved, apps, failures, warnings))
        self._warning_total = total
        trees = self.fleet_list
        trees.markers = markers
        trees.redraw()
        self._show_detail()
        self._refresh_status(self.session)
        sessions = [member.session for member in self.members if member.session is not None]
        everywhere = bool(sessions) and all(session.read_only for session in sessions)
        self.query_one("#read-only-badge").display = everywhere

    def _refresh_status(self, session: EditSession | None) -> None:
        glyphs = glyphs_of(self)
        bar, dot = f" {glyphs.separator} ", f" {glyphs.dot} "
        configs = [m.session.config for m in self.members if m.session is not None]
        head = (
            f" {counted(len(self.members), 'server')}{bar}"
            f"{counted(sum(len(c.applications) for c in configs), 'application')}{dot}"
            f"{counted(sum(c.alias_count for c in configs), 'alias')}"
        )
        failed = [m for m in self.members if m.error is not None]
        down = [inert(m.server or "") for m in failed if not m.stale]
        stale = [inert(m.server or "") for m in failed if m.stale]
        parts: list[str | tuple[str, str]] = [head]
        if down:
            parts.append((f"{bar}{glyphs.failed} down: {', '.join(down)}", "$text-error"))
        if stale:
            parts.append((f"{bar}{glyphs.warning} stale: {', '.join(stale)}", "$text-warning"))
        waiting = sum(member.latency is None for member in self.members)
        if waiting:
            loading = f"{dot}{counted(waiting, 'server')} loading{glyphs.ellipsis}"
            parts.append((loading, "$text-muted"))
        loaders = [m.loader for m in self.members if m.loader is not None]
        coming = Progress(sum(x.loading for x in loaders), sum(x.unreadable for x in loaders))
        marked = self.scope_list.marked_count
        index = self.scope_list.index
        parts += status_tail(index, coming, self._warning_total, marked, glyphs)
        self._status(Content.assemble(*parts))
        pending = sum(member.pending for member in self.members)
        show_unsaved(self.query_one("#unsaved-badge", Static), pending)

    def apply_filter(self, query: str) -> None:
        self.scope_list.set_query(query)
        self._refresh_status(self.session)

    # --- requests ------------------------------------------------------------------------

    def request_toggle(self, direction: Direction) -> None:
        """As on one source, for the marked rows of one server; rows marked on several are
        refused (a toggle is one server's edit)."""
        places = self.fleet_list.marked_places
        servers = list(dict.fromkeys(position for position, _ in places))
        if not servers:
            super().request_toggle(direction)
            return
        if len(servers) > 1:
            names = ", ".join(inert(self.members[p].server or "") for p in servers)
            self.post_message(
                Noted(
                    f"The marked rows are on {len(servers)} servers ({names}): mark the rows "
                    "of one server at a time (esc clears the marks).",
                    warning=True,
                )
            )
            return
        refs = tuple(ref for _, ref in places)
        server = self.members[servers[0]].server
        self.post_message(ToggleRequested(direction, refs[0], refs, server))
