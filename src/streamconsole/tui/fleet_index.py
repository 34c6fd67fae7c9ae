"""Several servers in one tree: a row per server, its applications and aliases below.

Composed, not rewritten: each server's rows come from a :class:`ScopeIndex` of its own (set
once the server is loaded); this index puts the server's row above them and numbers the rows
through. A row of the tree is a :class:`Row` whose ``app`` is fleet-wide: ``server *
STRIDE`` for the server's own row (``alias`` :data:`SERVER`), ``server * STRIDE + 1 + i``
for the server's ``i``-th application. The numbers stay put when another server loads, so
marks, the line cache and the cursor keep meaning the same rows.

A server opens and closes like an application. While filtering, a server shows only where
something of it matches (one still loading, or down, has nothing to match).
"""

from __future__ import annotations

from bisect import bisect_right

from streamconsole.core.model import Alias, Application, ScopeRef
from streamconsole.tui.scope_index import SERVER, Row, ScopeIndex

STRIDE = 1 << 32  # more applications than any server holds


class FleetIndex:
    def __init__(self, servers: int) -> None:
        self.indexes: list[ScopeIndex | None] = [None] * servers  # None: not loaded
        self.query = ""
        self._closed: set[int] = set()
        self._filter_closed: set[int] = set()
        self._visible: list[int] = []
        self._starts: list[int] = []
        self._position: dict[int, int] = {}
        self._total = 0
        self._layout()

    # --- a row's server, and the server's own numbering ----------------------------------

    @staticmethod
    def server_of(row: Row) -> int:
        return row.app // STRIDE

    @staticmethod
    def header(server: int) -> Row:
        return Row(server * STRIDE, SERVER)

    @staticmethod
    def _is_header(app: int) -> bool:
        return app % STRIDE == 0

    def local(self, row: Row) -> tuple[ScopeIndex, Row]:
        """The server's index and the row in its own numbering (an application or alias row)."""
        server, offset = divmod(row.app, STRIDE)
        index = self.indexes[server]
        if index is None or offset == 0:
            raise LookupError(f"no scope at {row}")
        return index, Row(offset - 1, row.alias)

    @staticmethod
    def _fleet_row(server: int, row: Row) -> Row:
        return Row(server * STRIDE + 1 + row.app, row.alias)

    # --- what a list asks --------------------------------------------------------------

    def __len__(self) -> int:
        return self._total

    @property
    def filtering(self) -> bool:
        return bool(self.query)

    @property
    def alias_count(self) -> int:
        return sum(index.alias_count for index in self.indexes if index is not None)

    @property
    def shown_aliases(self) -> int:
        return sum(index.shown_aliases for index in self.indexes if index is not None)

    def row(self, y: int) -> Row:
        segment = bisect_right(self._starts, y) - 1
        server, offset = self._visible[segment], y - self._starts[segment]
        index = self.indexes[server]
        if offset == 0 or index is None:
            return self.header(server)
        return self._fleet_row(server, index.row(offset - 1))

    def scope(self, row: Row) -> tuple[Application, Alias | None]:
        index, local = self.local(row)
        return index.scope(local)

    def ref(self, row: Row) -> ScopeRef:
        index, local = self.local(row)
        return index.ref(local)

    def locate(self, ref: ScopeRef, server: int = 0) -> Row | None:
        """The row naming ``ref`` on ``server``, whether or not it is visible."""
        index = self.indexes[server] if server < len(self.indexes) else None
        row = index.locate(ref) if index is not None else None
        return None if row is None else self._fleet_row(server, row)

    def find(self, row: Row) -> int | None:
        """The row number of ``row`` (a server's row: any row naming the server alone)."""
        server = self.server_of(row)
        segment = self._position.get(server)
        if segment is None:
            return None
        start = self._starts[segment]
        if self._is_header(row.app):
            return start
        if not self._open(server):
            return None
        index, local = self.local(row)
        found = index.find(local)
        return None if found is None else start + 1 + found

    def is_expanded(self, app: int) -> bool:
        if self._is_header(app):
            return self._open(app // STRIDE)
        index, local = self.local(Row(app))
        return index.is_expanded(local.app)

    def segment_start(self, app: int) -> int | None:
        server = app // STRIDE
        segment = self._position.get(server)
        if segment is None or self._is_header(app):
            return None if segment is None else self._starts[segment]
        index, local = self.local(Row(app))
        start = index.segment_start(local.app) if self._open(server) else None
        return None if start is None else self._starts[segment] + 1 + start

    def visible_applications(self, first: int, last: int) -> list[int]:
        """The applications (fleet-wide numbers) with a row from ``first`` to ``last``."""
        shown: list[int] = []
        for segment, server in enumerate(self._visible):
            index, start = self.indexes[server], self._starts[segment] + 1
            if index is None or not self._open(server):
                continue
            if start > last or start + len(index) <= first:  # its rows are off that stretch
                continue
            apps = index.visible_applications(max(first - start, 0), last - start)
            shown += [server * STRIDE + 1 + app for app in apps]
        return shown

    # --- changes -------------------------------------------------------------------------

    def set_index(self, server: int, index: ScopeIndex | None) -> None:
        """``server`` was loaded (its index), or failed or is loading again (None)."""
        if index is not None:
            index.set_query(self.query)
        self.indexes[server] = index
        self._layout()

    def set_expanded(self, app: int, expanded: bool) -> None:
        if self._is_header(app):
            closed = self._filter_closed if self.query else self._closed
            (closed.discard if expanded else closed.add)(app // STRIDE)
        else:
            index, local = self.local(Row(app))
            index.set_expanded(local.app, expanded)
        self._layout()

    def set_all_expanded(self, expanded: bool) -> None:
        """Every application open or closed; opening also opens every server."""
        for index in self.indexes:
            if index is not None:
                index.set_all_expanded(expanded)
        if expanded:
            (self._filter_closed if self.query else self._closed).clear()
        self._layout()

    def set_query(self, query: str) -> None:
        needle = query.strip().lower()
        if needle == self.query:
            return
        for index in self.indexes:
            if index is not None:
                index.set_query(query)
        self.query = needle
        self._filter_closed = set()
        self._layout()

    def refresh_aliases(self, app: int) -> None:
        index, local = self.local(Row(app))
        index.refresh_aliases(local.app)
        self._layout()

    def _open(self, server: int) -> bool:
        return server not in (self._filter_closed if self.query else self._closed)

    def _layout(self) -> None:
        visible: list[int] = []
        starts: list[int] = []
        total = 0
        for server, index in enumerate(self.indexes):
            rows = len(index) if index is not None else 0
            if self.query and not rows:
                continue
            visible.append(server)
            starts.append(total)
            total += 1 + (rows if self._open(server) else 0)
        self._visible, self._starts, self._total = visible, starts, total
        self._position = {server: segment for segment, server in enumerate(visible)}
