"""Applications and their aliases flattened into the rows a list shows, filtered by name
or label (an alias's label: a THEOlive name, an Ant Media broadcast name, a file's ``label``).

Built for 100k aliases: lower-cased names are computed once, a filter that extends the
previous one only re-checks the previous hits, and the visible rows are not materialised.
Each visible application is a *segment* (its row, then the rows of its shown aliases); a
row number is found with a binary search over the segments' first rows, so an unfiltered
application of 100k aliases costs one ``range``.

Remote sources list applications before their aliases: such an application starts collapsed,
shows one placeholder row while open and unloaded, and takes its aliases in later with
:meth:`ScopeIndex.refresh_aliases`. The filter matches what is loaded.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from streamconsole.core.model import Alias, Application, Config, ScopeRef

# Between a name and its label in the text a filter searches: no query holds it, so no match
# runs from one into the other.
_LABEL_SEPARATOR = "\0"


def searched_texts(scopes: Iterable[Application] | Iterable[Alias]) -> list[str]:
    """What the filter looks in for each application or alias: its name and its label. (One
    comprehension, not a call per scope: at 100k aliases a call each doubles the time.)"""
    return [
        f"{scope.name}{_LABEL_SEPARATOR}{scope.label}".lower()
        if scope.label
        else scope.name.lower()
        for scope in scopes
    ]


# Applications with more aliases than this start collapsed: a huge one would bury the rest.
EXPAND_LIMIT = 100
APPLICATION = -1
PLACEHOLDER = -2  # "loading…" (or why not) under an open application whose aliases are not in
SERVER = -3  # a server's own row, above its applications (several servers: :mod:`.fleet_index`)


class Row(NamedTuple):
    """One visible row: an application, one of its aliases, or its placeholder (or, over
    several servers, a server)."""

    app: int
    alias: int = APPLICATION

    @property
    def is_application(self) -> bool:
        return self.alias == APPLICATION

    @property
    def is_placeholder(self) -> bool:
        return self.alias == PLACEHOLDER

    @property
    def is_alias(self) -> bool:
        return self.alias >= 0

    @property
    def is_server(self) -> bool:
        return self.alias == SERVER


class ScopeIndex:
    def __init__(self, config: Config) -> None:
        self.applications: list[Application] = list(config.applications.values())
        self.alias_names: list[list[str]] = [list(app.aliases) for app in self.applications]
        self._by_name = {app.name: i for i, app in enumerate(self.applications)}
        self._app_lower = searched_texts(self.applications)
        self._alias_lower = [searched_texts(app.aliases.values()) for app in self.applications]
        # Unloaded applications start closed: opened, each would show "loading…" at first.
        self._expanded = {
            i
            for i, names in enumerate(self.alias_names)
            if len(names) <= EXPAND_LIMIT and self.applications[i].aliases_loaded
        }
        self._filter_expanded: set[int] = set()
        self.query = ""
        self._app_hits: list[bool] = []
        self._alias_hits: list[list[int]] = []
        self._visible: list[int] = []
        self._members: list[Sequence[int]] = []
        self._starts: list[int] = []
        self._position: dict[int, int] = {}
        self._total = 0
        self._layout()

    # --- queries --------------------------------------------------------------------------

    def __len__(self) -> int:
        return self._total

    @property
    def alias_count(self) -> int:
        return sum(len(names) for names in self.alias_names)

    @property
    def filtering(self) -> bool:
        return bool(self.query)

    @property
    def shown_aliases(self) -> int:
        """Aliases matching the filter (shown or inside a collapsed application)."""
        if not self.query:
            return self.alias_count
        return sum(
            len(self.alias_names[i]) if self._app_hits[i] else len(self._alias_hits[i])
            for i in self._visible
        )

    def row(self, y: int) -> Row:
        segment = bisect_right(self._starts, y) - 1
        offset = y - self._starts[segment]
        app = self._visible[segment]
        return Row(app) if offset == 0 else Row(app, self._members[segment][offset - 1])

    def scope(self, row: Row) -> tuple[Application, Alias | None]:
        """The scope of a row (a placeholder row stands for its application)."""
        app = self.applications[row.app]
        if not row.is_alias:
            return app, None
        return app, app.aliases[self.alias_names[row.app][row.alias]]

    def ref(self, row: Row) -> ScopeRef:
        app = self.applications[row.app]
        if not row.is_alias:
            return ScopeRef(app.name)
        return ScopeRef(app.name, self.alias_names[row.app][row.alias])

    def position(self, name: str) -> int | None:
        """The index of the application called ``name``."""
        return self._by_name.get(name)

    def locate(self, ref: ScopeRef) -> Row | None:
        """The row naming ``ref``, whether or not it is visible."""
        i = self._by_name.get(ref.application)
        if i is None:
            return None
        if ref.alias is None:
            return Row(i)
        try:
            return Row(i, self.alias_names[i].index(ref.alias))
        except ValueError:
            return None

    def find(self, row: Row) -> int | None:
        """The row number of ``row``, or None when the filter or a collapse hides it."""
        segment = self._position.get(row.app)
        if segment is None:
            return None
        start = self._starts[segment]
        if row.is_application:
            return start
        members = self._members[segment]
        if isinstance(members, range):
            return start + 1 + row.alias if row.alias < len(members) else None
        at = bisect_left(members, row.alias)
        return start + 1 + at if at < len(members) and members[at] == row.alias else None

    def is_expanded(self, app: int) -> bool:
        return app in (self._filter_expanded if self.query else self._expanded)

    def segment_start(self, app: int) -> int | None:
        segment = self._position.get(app)
        return None if segment is None else self._starts[segment]

    @property
    def expanded_names(self) -> frozenset[str]:
        """The applications open without a filter (kept across a reload)."""
        return frozenset(self.applications[i].name for i in self._expanded)

    def visible_applications(self, first: int, last: int) -> list[int]:
        """The applications with a row from ``first`` to ``last`` (inclusive), in order."""
        if not self._total:
            return []
        start = bisect_right(self._starts, max(first, 0)) - 1
        stop = bisect_right(self._starts, min(last, self._total - 1))
        return self._visible[start:stop]

    # --- changes --------------------------------------------------------------------------

    def set_expanded(self, app: int, expanded: bool) -> None:
        expansion = self._filter_expanded if self.query else self._expanded
        if expanded:
            expansion.add(app)
        else:
            expansion.discard(app)
        self._layout()

    def expand_names(self, names: frozenset[str]) -> None:
        """Open these applications (without a filter), e.g. the ones open before a reload."""
        self._expanded.update(i for name in names if (i := self._by_name.get(name)) is not None)
        self._layout()

    def set_all_expanded(self, expanded: bool) -> None:
        expansion = self._filter_expanded if self.query else self._expanded
        expansion.clear()
        if expanded:
            expansion.update(range(len(self.applications)))
        self._layout()

    def set_query(self, query: str) -> None:
        """Show the applications and aliases whose names or labels contain ``query`` (any
        case)."""
        needle = query.strip().lower()
        if needle == self.query:
            return
        if not needle:
            self.query = ""
            self._layout()
            return
        narrowing = bool(self.query) and self.query in needle
        apps = self._visible if narrowing else range(len(self.applications))
        app_hits = [False] * len(self.applications)
        alias_hits: list[list[int]] = [[] for _ in self.applications]
        for i in apps:
            lower = self._alias_lower[i]
            candidates = self._alias_hits[i] if narrowing else range(len(lower))
            alias_hits[i] = [j for j in candidates if needle in lower[j]]
            app_hits[i] = needle in self._app_lower[i]
        self.query = needle
        self._app_hits = app_hits
        self._alias_hits = alias_hits
        self._filter_expanded = {
            i for i in range(len(self.applications)) if self._opened_by_filter(i)
        }
        self._layout()

    def _opened_by_filter(self, i: int) -> bool:
        # A match inside an application is only seen if the application opens; an application
        # matched by its own name keeps the state the operator gave it.
        hits, named = self._alias_hits[i], self._app_hits[i]
        return bool(hits and not named) or (named and i in self._expanded)

    def refresh_aliases(self, app: int) -> None:
        """Take in the aliases an application has now (a remote source loaded them)."""
        self.alias_names[app] = list(self.applications[app].aliases)
        lower = self._alias_lower[app] = searched_texts(self.applications[app].aliases.values())
        if self.query:
            self._alias_hits[app] = [j for j, name in enumerate(lower) if self.query in name]
            if self._opened_by_filter(app):
                self._filter_expanded.add(app)
        self._layout()

    def _layout(self) -> None:
        visible: list[int] = []
        members: list[Sequence[int]] = []
        starts: list[int] = []
        total = 0
        for i, names in enumerate(self.alias_names):
            shown: Sequence[int]
            if not self.query or self._app_hits[i]:
                shown = range(len(names))
            elif self._alias_hits[i]:
                shown = self._alias_hits[i]
            else:
                continue
            if not self.is_expanded(i):
                shown = range(0)
            elif not self.applications[i].aliases_loaded:
                shown = (PLACEHOLDER,)
            visible.append(i)
            members.append(shown)
            starts.append(total)
            total += 1 + len(shown)
        self._visible, self._members, self._starts, self._total = visible, members, starts, total
        self._position = {app: segment for segment, app in enumerate(visible)}
