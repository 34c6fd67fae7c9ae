"""The status line's text: the source, what it holds, what is still coming or failed, the
filter. The source comes first, so the operator always sees where edits go."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from textual.content import Content

from streamconsole.core.glyphs import UNICODE, Glyphs
from streamconsole.core.text import counted, inert

if TYPE_CHECKING:  # at run time only the arguments' attributes are read: the app imports this
    from textual.widgets import Static

    from streamconsole.core.model import Config
    from streamconsole.tui.row_index import RowIndex


class Progress(NamedTuple):
    """A remote source's state beyond its list: aliases still coming, failures, staleness."""

    loading: int = 0  # applications whose aliases are still to come
    unreadable: int = 0  # applications shown with ✗
    stale: bool = False  # the last refresh failed: what is shown is from before


def show_unsaved(badge: Static, pending: int) -> None:
    """The badge beside the status line: how many edits are unsaved, shown while any are."""
    badge.update(f" {pending} unsaved " if pending else "")
    badge.display = bool(pending)


def source_only(
    source_status: str, state: str, style: str = "", glyphs: Glyphs = UNICODE
) -> Content:
    """While nothing is shown yet: the source and what is happening (loading, failed)."""
    return Content.assemble(f" {inert(source_status)} {glyphs.separator} ", (state, style))


def status_text(
    source_status: str,
    config: Config,
    index: RowIndex | None,
    progress: Progress,
    warnings: int = 0,
    marked: int = 0,
    glyphs: Glyphs = UNICODE,
) -> Content:
    """``warnings``: how many the details show (each counted once), marked ⚠ in the list;
    ``marked``: the rows a toggle acts on instead of the cursor's (they may be off screen)."""
    bar, dot = f" {glyphs.separator} ", f" {glyphs.dot} "
    head = (
        f" {inert(source_status)}{bar}{counted(len(config.applications), 'application')}{dot}"
        f"{counted(config.alias_count, 'alias')}"
    )
    return Content.assemble(head, *status_tail(index, progress, warnings, marked, glyphs))


def status_tail(
    index: RowIndex | None, progress: Progress, warnings: int, marked: int, glyphs: Glyphs
) -> list[str | tuple[str, str]]:
    """What follows what the status line shows of the source(s): marks, warnings, what is
    still coming or failed, the filter."""
    bar, dot = f" {glyphs.separator} ", f" {glyphs.dot} "
    parts: list[str | tuple[str, str]] = []
    if marked:
        parts.append((f"{bar}{glyphs.marked} {marked:,} marked", "bold $text-accent"))
    if warnings:
        parts.append((f"{bar}{glyphs.warning} {counted(warnings, 'warning')}", "$text-warning"))
    if progress.loading:
        parts.append((f"{dot}{progress.loading:,} loading{glyphs.ellipsis}", "$text-muted"))
    if progress.unreadable:
        parts.append((f"{bar}{glyphs.failed} {progress.unreadable:,} not read", "$text-error"))
    if progress.stale:
        parts.append((f"{bar}{glyphs.failed} not refreshed", "$text-error"))
    if index is not None and index.filtering:
        shown = index.shown_aliases
        verb = "matches" if shown == 1 else "match"
        parts.append((f"{bar}filter: {counted(shown, 'alias')} {verb}", "$accent"))
    return parts
