"""The help screen: every binding of the main screen, with its current (remappable) keys."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import ActiveBinding, Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.dom import DOMNode
from textual.screen import ModalScreen
from textual.widgets import Static

from streamconsole.tui.bindings import CLOSE_ID, HELP_SCREEN_BINDINGS
from streamconsole.tui.terminal import glyphs_of
from streamconsole.tui.user_keys import key_of

# Absolute, so that subclasses defined elsewhere still find the stylesheet.
HERE = Path(__file__).parent
_DESCRIPTION = 18  # the width of the column of descriptions


def binding_rows(
    bindings: Iterable[ActiveBinding], key_display: Callable[[Binding], str]
) -> list[tuple[str, str, str]]:
    """(keys, description, tooltip) per action, keys of one action together, in order."""
    grouped: dict[tuple[int, str], tuple[list[str], Binding]] = {}
    for active in bindings:
        binding = active.binding
        if binding.system:
            continue
        group = (id(active.node), binding.id or binding.action)
        keys, _ = grouped.setdefault(group, ([], binding))
        keys.append(key_display(binding))
    return [
        (" ".join(keys), binding.description or binding.action, binding.tooltip)
        for keys, binding in grouped.values()
    ]


def help_notes(node: DOMNode, *, remote: bool) -> str:
    """What the row markers of the app ``node`` is in mean (``remote``: also those of a
    source that loads later), with the keys as bound now."""
    g = glyphs_of(node)
    mark, publish, play = (key_of(node, i) for i in ("mark", "toggle-publish", "toggle-play"))
    later = (
        f" ({g.ellipsis}) aliases still loading; {g.unread} settings not read yet (being "
        f"fetched; no edits until then); {g.failed} not read from the server (the "
        f"detail says why), its policy ? unknown until a refresh ({key_of(node, 'reload')})."
        if remote
        else ""
    )
    return (
        f"Row markers: P publish, {g.play} play; {g.enforced} enforced, {g.off} off, "
        f"{g.unsupported} not supported by the server; * unsaved edit; {g.no_key} enforced "
        f"with no key (every request refused); {g.warning} the detail has warnings (the "
        f"status line counts them); {g.marked} marked ({mark}, which moves down): {publish} "
        f"and {play} then act on the marked rows, not the cursor's, and the marks clear."
        f"{later}\n"
        "[console.keys] in the config and [keys] in your settings file (yours win) remap keys "
        "by binding id (the README lists them). "
        "ctrl+p opens the command palette, with every action and the theme switcher."
    )


class HelpScreen(ModalScreen[None]):
    CSS_PATH = HERE / "help.tcss"
    BINDINGS: ClassVar[list[BindingType]] = HELP_SCREEN_BINDINGS

    def __init__(self, rows: list[tuple[str, str, str]], notes: str) -> None:
        super().__init__()
        self._rows = rows
        self._notes = notes

    def compose(self) -> ComposeResult:
        width = max((len(keys) for keys, _, _ in self._rows), default=4) + 2
        # What a key does wraps in its own column (at 80 columns most do): the dialog is
        # at most 100 wide, less its border, padding and scroll bar.
        room = max(min(100, self.app.size.width) - 6 - width - _DESCRIPTION, 20)
        indent = "\n" + " " * (width + _DESCRIPTION)
        lines = [
            Content.assemble(
                (f"{keys:<{width}}", "bold $accent"),
                (f"{description:<{_DESCRIPTION}}", "bold"),
                (indent.join(textwrap.wrap(tooltip, room)), "$text-muted"),
                end="\n",
            )
            for keys, description, tooltip in self._rows
        ]
        with Vertical(id="help-dialog"):
            yield Static("Keys", id="help-title")
            with VerticalScroll(id="help-scroll"):
                yield Static(Content("").join(lines), id="help-bindings")
                yield Static(self._notes, id="help-notes", markup=False)
            yield Static(f"{key_of(self, CLOSE_ID)} closes", id="help-hint")
