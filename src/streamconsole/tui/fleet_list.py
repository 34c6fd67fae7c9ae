"""The scope list over several servers (:class:`~.fleet_index.FleetIndex`): a row per server
above its applications and aliases, which are drawn as on one source, one step in.

A server's row shows its name, kind, the account it signs in as (where a login names one;
never a secret), how long its load took and a read-only badge; while it loads, "loading…";
a server that could not be read says why, in place. Every name and reason from a server or
the file is made inert. Marks and unsaved markers are per server (``markers``, set by the
screen from each server's session).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from streamconsole.core.text import inert
from streamconsole.tui.fleet_index import FleetIndex
from streamconsole.tui.row_index import RowMarkers
from streamconsole.tui.scope_list import ScopeList
from streamconsole.tui.scope_row import Cells, row_strip
from streamconsole.tui.terminal import glyphs_of

if TYPE_CHECKING:
    from textual.strip import Strip

    from streamconsole.core.model import ScopeRef, ServerKind
    from streamconsole.tui.row_index import RowIndex
    from streamconsole.tui.scope_index import Row

_NO_MARKERS = RowMarkers(frozenset(), frozenset(), {}, None)
_INDENT = "  "  # a server's applications, one step in from it


@dataclass(frozen=True, slots=True)
class ServerRow:
    """What a server's row shows."""

    name: str
    kind: ServerKind | None
    account: str = ""  # "" where unknown
    latency: float | None = None  # seconds its load took; None while loading
    read_only: bool = False
    problem: str = ""  # why it could not be read ("" while loading or loaded)


class FleetList(ScopeList):
    DEFAULT_CSS = """
    FleetList > .scope-list--server {
        color: $text-accent;
        text-style: bold;
    }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {"scope-list--server"}

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.servers: list[ServerRow] = []  # in the tree's order (set by the screen)
        self.markers: list[RowMarkers] = []  # each server's, likewise

    @property
    def fleet(self) -> FleetIndex | None:
        return self.index if isinstance(self.index, FleetIndex) else None

    # --- where the cursor is -------------------------------------------------------------

    @property
    def current_server(self) -> int | None:
        row = self.current_row
        return None if row is None else FleetIndex.server_of(row)

    @property
    def current_ref(self) -> ScopeRef | None:
        row = self.current_row
        return None if row is None or row.is_server else super().current_ref

    @property
    def marked_places(self) -> list[tuple[int, ScopeRef]]:
        """The marked rows, each with its server (in the tree's order)."""
        fleet = self.fleet
        if fleet is None:
            return []
        return [(FleetIndex.server_of(row), fleet.ref(row)) for row in sorted(self._marked)]

    def _place(self) -> object:
        return self.current_server, self.current_ref

    def select_in(self, server: int, ref: ScopeRef | None) -> bool:
        """Move the cursor to ``ref`` on ``server`` (None: the server's row)."""
        fleet = self.fleet
        if fleet is None:
            return False
        if ref is None:
            self._relayout(FleetIndex.header(server))
            return fleet.find(FleetIndex.header(server)) is not None
        row = fleet.locate(ref, server)
        if row is None:
            return False
        if not row.is_application and not fleet.is_expanded(row.app):
            fleet.set_expanded(row.app, True)
        self._relayout(row)
        return fleet.find(row) is not None

    @contextmanager
    def rows_changing(self) -> Iterator[None]:
        """A server's rows change inside (it was loaded, or failed): the cursor stays on the
        row it is on, wherever that row goes."""
        keep = self.current_row
        yield
        self._relayout(keep)

    def redraw(self) -> None:
        """Markers changed (an edit, a save): every row is drawn again."""
        self._line_cache.clear()
        self.refresh()

    # --- keys ----------------------------------------------------------------------------

    def action_expand(self) -> None:
        row, fleet = self.current_row, self.fleet
        if row is None or fleet is None or not row.is_server:
            super().action_expand()
        elif not fleet.is_expanded(row.app):
            self._set_expanded(row, True)
        elif self.cursor + 1 < len(fleet) and not fleet.row(self.cursor + 1).is_server:
            self.cursor += 1

    def action_collapse(self) -> None:
        row, fleet = self.current_row, self.fleet
        if row is None or fleet is None:
            return
        on_server = row.is_server and fleet.is_expanded(row.app)
        closed = row.is_application and not fleet.is_expanded(row.app)
        if on_server or closed:  # a closed application: up to its server
            target = FleetIndex.header(FleetIndex.server_of(row))
            if on_server:
                self._set_expanded(target, False)
            else:
                self._relayout(target)
        else:
            super().action_collapse()

    # --- drawing -------------------------------------------------------------------------

    def _markers(self, row: Row) -> RowMarkers:
        server = FleetIndex.server_of(row)
        markers = self.markers[server] if server < len(self.markers) else _NO_MARKERS
        return markers._replace(indent=_INDENT)

    def _draw(self, index: RowIndex, row: Row, width: int, on_cursor: bool) -> Strip:
        if not row.is_server:
            return super()._draw(index, row, width, on_cursor)
        server = self.servers[FleetIndex.server_of(row)]
        base = self._base(on_cursor)
        muted, glyphs = self._style("scope-list--muted"), glyphs_of(self)
        expander = glyphs.expanded if index.is_expanded(row.app) else glyphs.collapsed
        facts = [server.kind.display_name] if server.kind is not None else []
        facts += [inert(server.account, limit=80)] if server.account else []
        if server.latency is not None and not server.problem:  # the reason needs the room
            facts.append(f"{round(server.latency * 1000)} ms")
        left: Cells = [
            (glyphs.pointer if on_cursor else " ", base),
            (f" {expander} ", muted),
            (inert(server.name, limit=100), self._style("scope-list--server")),
            (f"  {f' {glyphs.dot} '.join(facts)}", muted),
        ]
        if server.problem:
            problem = f"  {glyphs.failed} {inert(server.problem, limit=300)}"
            left.append((problem, self._style("scope-list--problem")))
        elif server.latency is None:
            left.append((f"  loading{glyphs.ellipsis}", muted))
        badge = [(" read-only", self._style("scope-list--warning"))] if server.read_only else []
        return row_strip(left, badge, width, on_cursor, base)
