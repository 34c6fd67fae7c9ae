"""The list of applications and aliases: one line drawn at a time over a :class:`.RowIndex`.

A ``ScrollView`` with ``render_line`` and a small line cache, not a widget per row: it opens
100k aliases at once (Textual's DataTable, Tree and OptionList take seconds at that size).
Every row shows its name, its label where that fits (a THEOlive name, say), publish and
play enforcement (``P● ▶○``; ``–`` where the server has no such control), the server kind,
the key algorithm, and markers for unsaved edits (``*``), for enforcement without a key
(``!``), for an application a remote source could not read (``✗``; its policy shows ``?``)
and for a scope whose detail has warnings (``⚠``), in glyphs as well as colours so NO_COLOR
loses nothing (the cells of a row: :mod:`.scope_row`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from rich.style import Style
from textual import events
from textual.binding import BindingType
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.reactive import var
from textual.scroll_view import ScrollView
from textual.strip import Strip

from streamconsole.core.model import ScopeRef
from streamconsole.core.text import inert
from streamconsole.tui.bindings import SCOPE_LIST_BINDINGS
from streamconsole.tui.row_index import RowIndex, RowMarkers
from streamconsole.tui.scope_index import Row, ScopeIndex
from streamconsole.tui.scope_row import Cells, right_columns, row_strip
from streamconsole.tui.scope_warnings import ScopeWarnings
from streamconsole.tui.terminal import glyphs_of

_WIDE_ENOUGH_FOR_KIND = 46


class ScopeList(ScrollView, can_focus=True, inherit_bindings=False):
    """Applications (collapsible) and their aliases, with a cursor and optional marks."""

    BINDINGS: ClassVar[list[BindingType]] = SCOPE_LIST_BINDINGS

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "scope-list--cursor",
        "scope-list--application",
        "scope-list--muted",
        "scope-list--on",
        "scope-list--off",
        "scope-list--unread",
        "scope-list--own",
        "scope-list--unsaved",
        "scope-list--problem",
        "scope-list--warning",
        "scope-list--marked",
    }

    class Highlighted(Message):
        """The cursor moved to another scope (``None``: the list is empty)."""

        def __init__(self, scope_list: ScopeList, ref: ScopeRef | None) -> None:
            self.scope_list = scope_list
            self.ref = ref
            super().__init__()

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, ScopeList.Highlighted)

        @property
        def control(self) -> ScopeList:
            return self.scope_list

    class MarksChanged(Message):
        """Rows were marked or unmarked: ``count`` are marked now."""

        def __init__(self, scope_list: ScopeList, count: int) -> None:
            self.scope_list = scope_list
            self.count = count
            super().__init__()

        @property
        def control(self) -> ScopeList:
            return self.scope_list

    cursor: var[int] = var(0, init=False)

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.index: RowIndex | None = None
        self.unsaved: frozenset[ScopeRef] = frozenset()
        self._unsaved_apps: frozenset[str] = frozenset()
        self._marked: set[Row] = set()
        self._line_cache: LRUCache[tuple[Row, int, bool], Strip] = LRUCache(1024)
        self._styles: dict[str, Style] = {}
        self._highlighted: object = None  # what the last Highlighted was about
        # Why an application's aliases could not be loaded, by name (shared with the loader).
        self.alias_failures: Mapping[str, str] = {}
        # Which rows show ⚠ (set by the screen, then the rows redrawn with set_unsaved).
        self.warnings: ScopeWarnings | None = None

    # --- content --------------------------------------------------------------------------

    def show_index(self, index: RowIndex, unsaved: frozenset[ScopeRef]) -> None:
        self.index = index
        self.clear_marks()
        self.set_unsaved(unsaved)
        self._relayout(None)

    def set_unsaved(self, unsaved: frozenset[ScopeRef]) -> None:
        """New unsaved markers; also redraws every row, as after any edit."""
        self.unsaved = unsaved
        self._unsaved_apps = frozenset(ref.application for ref in unsaved)
        self._line_cache.clear()
        self.refresh()

    def refresh_aliases(self, app: int) -> None:
        """An application's aliases came in (or failed to): show them, cursor kept."""
        if self.index is None:
            return
        keep = self.current_row
        self.index.refresh_aliases(app)
        self._relayout(keep)

    @property
    def applications_on_screen(self) -> list[int]:
        if self.index is None:
            return []
        top = int(self.scroll_y)
        return self.index.visible_applications(top, top + self.scrollable_content_region.height)

    def set_query(self, query: str) -> None:
        if self.index is None:
            return
        keep = self.current_row
        self.index.set_query(query)
        self._relayout(keep)

    def set_all_expanded(self, expanded: bool) -> None:
        if self.index is None:
            return
        keep = self.current_row
        if keep is not None and not expanded:
            keep = Row(keep.app)
        self.index.set_all_expanded(expanded)
        self._relayout(keep)

    def select(self, ref: ScopeRef) -> bool:
        """Move the cursor to ``ref``, opening its application if needed."""
        if self.index is None or (row := self.index.locate(ref)) is None:
            return False
        if not row.is_application and not self.index.is_expanded(row.app):
            self.index.set_expanded(row.app, True)
        self._relayout(row)
        return self.index.find(row) is not None

    @property
    def scope_index(self) -> ScopeIndex | None:
        """The one source's rows (None before a load, or over several servers)."""
        return self.index if isinstance(self.index, ScopeIndex) else None

    @property
    def current_row(self) -> Row | None:
        if self.index is None or not len(self.index):
            return None
        return self.index.row(self.cursor)

    @property
    def current_ref(self) -> ScopeRef | None:
        row = self.current_row
        return None if row is None or self.index is None else self.index.ref(row)

    @property
    def marked_refs(self) -> list[ScopeRef]:
        if self.index is None:
            return []
        return [self.index.ref(row) for row in sorted(self._marked)]

    @property
    def marked_count(self) -> int:
        return len(self._marked)

    def clear_marks(self) -> bool:
        had_marks = bool(self._marked)
        if had_marks:
            self._marked.clear()
            self._line_cache.clear()
            self.refresh()
            self.post_message(self.MarksChanged(self, 0))
        return had_marks

    def _relayout(self, keep: Row | None) -> None:
        """After the rows changed: same scope under the cursor if it is still shown."""
        index = self.index
        if index is None:
            return
        self.virtual_size = Size(self.scrollable_content_region.width, len(index))
        self._line_cache.clear()
        target = index.find(keep) if keep is not None else None
        if target is None and keep is not None:
            target = index.segment_start(keep.app)
        self.set_reactive(ScopeList.cursor, self._clamp(target or 0))
        self._scroll_to_cursor()
        self.refresh()
        self._announce()

    # --- cursor ---------------------------------------------------------------------------

    def _clamp(self, y: int) -> int:
        rows = len(self.index) if self.index is not None else 0
        return max(0, min(y, rows - 1))

    def validate_cursor(self, cursor: int) -> int:
        return self._clamp(cursor)

    def watch_cursor(self, old: int, new: int) -> None:
        self.refresh_line(old)
        self.refresh_line(new)
        self._scroll_to_cursor()
        self._announce()

    def _scroll_to_cursor(self) -> None:
        height = self.scrollable_content_region.height
        top = int(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif height and self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)

    def _announce(self) -> None:
        place = self._place()
        if place != self._highlighted:
            self._highlighted = place
            self.post_message(self.Highlighted(self, self.current_ref))

    def _place(self) -> object:
        """What the cursor is on, as far as the detail is concerned."""
        return self.current_ref

    def action_cursor_up(self) -> None:
        self.cursor -= 1

    def action_cursor_down(self) -> None:
        self.cursor += 1

    def action_page_up(self) -> None:
        self.cursor -= max(1, self.scrollable_content_region.height - 1)

    def action_page_down(self) -> None:
        self.cursor += max(1, self.scrollable_content_region.height - 1)

    def action_first(self) -> None:
        self.cursor = 0

    def action_last(self) -> None:
        self.cursor = len(self.index) - 1 if self.index is not None else 0

    def _set_expanded(self, row: Row, expanded: bool) -> None:
        if self.index is None:
            return
        self.index.set_expanded(row.app, expanded)
        self._relayout(Row(row.app) if not expanded else row)

    def action_toggle_expanded(self) -> None:
        row = self.current_row
        if row is not None and self.index is not None:
            self._set_expanded(Row(row.app), not self.index.is_expanded(row.app))

    def action_expand(self) -> None:
        row = self.current_row
        if row is None or self.index is None or not row.is_application:
            return
        if self.index.is_expanded(row.app):
            self.cursor += 1 if self.index.scope(row)[0].aliases else 0
        else:
            self._set_expanded(row, True)

    def action_collapse(self) -> None:
        row = self.current_row
        if row is None or self.index is None:
            return
        if row.is_application and self.index.is_expanded(row.app):
            self._set_expanded(row, False)
        elif not row.is_application:
            self.cursor = self.index.segment_start(row.app) or 0

    def action_toggle_mark(self) -> None:
        row = self.current_row
        if row is None or not (row.is_application or row.is_alias):
            return
        self._marked.symmetric_difference_update({row})
        self._line_cache.clear()
        self.refresh_line(self.cursor)
        self.post_message(self.MarksChanged(self, len(self._marked)))
        self.cursor += 1

    # --- drawing --------------------------------------------------------------------------

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()
        self._line_cache.clear()

    def on_resize(self, event: events.Resize) -> None:
        if self.index is not None:
            self.virtual_size = Size(self.scrollable_content_region.width, len(self.index))
        self._line_cache.clear()
        self._scroll_to_cursor()

    def render_line(self, y: int) -> Strip:
        index = self.index
        width = self.scrollable_content_region.width
        number = int(self.scroll_y) + y
        if index is None or number >= len(index):
            return Strip.blank(width, self.rich_style)
        row = index.row(number)
        on_cursor = number == self.cursor
        key = (row, width, row in self._marked)
        strip = None if on_cursor else self._line_cache.get(key)
        if strip is None:
            strip = self._draw(index, row, width, on_cursor)
            if not on_cursor:
                self._line_cache.set(key, strip)
        return strip

    def _style(self, name: str) -> Style:
        style = self._styles.get(name)
        if style is None:
            style = self._styles[name] = self._resolve_style(name)
        return style

    def _resolve_style(self, name: str) -> Style:
        # The full style resolves colours such as ``auto 60%`` against the background; its
        # background is dropped so that the cursor row keeps its own.
        full = self.get_component_rich_style(name)
        partial = self.get_component_rich_style(name, partial=True)
        return Style(color=full.color) + partial.without_color

    def _markers(self, row: Row) -> RowMarkers:
        """Where ``row``'s markers come from (one source: this list's own)."""
        return RowMarkers(self.unsaved, self._unsaved_apps, self.alias_failures, self.warnings)

    def _base(self, on_cursor: bool) -> Style:
        base = self.rich_style
        return base + self.get_component_rich_style("scope-list--cursor") if on_cursor else base

    def _draw(self, index: RowIndex, row: Row, width: int, on_cursor: bool) -> Strip:
        app, alias = index.scope(row)
        base = self._base(on_cursor)
        markers = self._markers(row)
        muted = self._style("scope-list--muted")
        glyphs = glyphs_of(self)
        left: Cells = [
            (glyphs.pointer if on_cursor else " ", base),
            (glyphs.marked if row in self._marked else " ", self._style("scope-list--marked")),
        ]
        if markers.indent:  # several servers: a server's rows one step in
            left.append((markers.indent, base))
        if row.is_placeholder:
            failure = app.problem or markers.failures.get(app.name)
            not_loaded = f"{glyphs.failed} not loaded: see the detail"
            note = (not_loaded, "scope-list--problem") if failure else None
            text, style = note or (f"loading{glyphs.ellipsis}", "scope-list--muted")
            left += [("    ", base), (text, self._style(style))]
            return row_strip(left, [], width, on_cursor, base)
        if alias is None:
            openable = app.aliases or not app.aliases_loaded
            expander = glyphs.expanded if index.is_expanded(row.app) else glyphs.collapsed
            expander = expander if openable else glyphs.leaf
            name_style = self._style("scope-list--application")
            left += [(f"{expander} ", muted), (inert(app.name, limit=200), name_style)]
            count = f"{len(app.aliases):,}" if app.aliases_loaded else glyphs.ellipsis
            left.append((f" ({count})", muted))
        else:
            left += [("    ", base), (inert(alias.name, limit=200), Style())]
        # A label from a server (a THEOlive name) is attacker input, as names are.
        label = inert((alias or app).label, limit=200)
        unsaved = (
            ScopeRef(app.name, alias.name) in markers.unsaved
            if alias is not None
            else app.name in markers.unsaved_apps
        )
        right = right_columns(
            app,
            alias,
            with_kind=width >= _WIDE_ENOUGH_FOR_KIND,
            unsaved=unsaved,
            failed=alias is None and app.name in markers.failures,
            warned=markers.warnings is not None and markers.warnings.marked(app, alias),
            style=self._style,
            glyphs=glyphs,
        )
        return row_strip(left, right, width, on_cursor, base, (label, muted))
