"""The console's keys: the app's, the main screen's and its list's, each with an id (so that
users remap them, ``App.set_keymap``) and a tooltip (the help screen shows it). Kept apart
from the widgets, as data: the help, the README's key table and a keymap check read them.
"""

from __future__ import annotations

from textual.binding import Binding, BindingType

APP_BINDINGS: list[BindingType] = [
    Binding("ctrl+s", "save", "Save", id="save", tooltip="Save every unsaved edit"),
    Binding(
        "ctrl+r",
        "reload",
        "Reload",
        show=False,
        id="reload",
        tooltip="Read the config again (asks about unsaved edits)",
    ),
    Binding(
        "o",
        "open_source",
        "Open source",
        show=False,
        id="open-source",
        tooltip="Reload the console on the config file or one of its servers",
    ),
    Binding(
        "c",
        "compare",
        "Compare",
        show=False,
        id="compare",
        tooltip="The selection on every server of the config, side by side",
    ),
    Binding("question_mark", "help", "Help", id="help", tooltip="Every key, and what it does"),
    Binding("q", "quit", "Quit", id="quit", tooltip="Quit (asks about unsaved edits)"),
]

MAIN_SCREEN_BINDINGS: list[BindingType] = [
    Binding(
        "slash",
        "focus_filter",
        "Filter",
        id="filter",
        tooltip="Filter applications and aliases by name",
        # Priority: run as the key arrives, before the keys typed after it (one burst
        # over SSH) are handed to the list, so that they reach the filter.
        priority=True,
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
        "e",
        "probe",
        "Probe",
        show=False,
        id="probe",
        tooltip="Ask the delivery endpoint if enforcement is live as configured",
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
        "toggle_full_detail",
        "Detail",
        show=False,
        id="full-detail",
        tooltip="Full-screen detail to scroll; d or escape goes back",
    ),
    Binding(
        "escape",
        "clear",
        "Clear",
        show=False,
        id="clear",
        tooltip="Back from the full detail, else clear the filter, else the marks",
    ),
]

SCOPE_LIST_BINDINGS: list[BindingType] = [
    Binding("up,k", "cursor_up", "Up", show=False, id="cursor-up", tooltip="Previous row"),
    Binding("down,j", "cursor_down", "Down", show=False, id="cursor-down", tooltip="Next row"),
    Binding("pageup", "page_up", "Page up", show=False, id="page-up", tooltip="One page up"),
    Binding(
        "pagedown",
        "page_down",
        "Page down",
        show=False,
        id="page-down",
        tooltip="One page down",
    ),
    Binding("home,g", "first", "First", show=False, id="first-row", tooltip="First row"),
    Binding("end,G", "last", "Last", show=False, id="last-row", tooltip="Last row"),
    Binding(
        "enter,space",
        "toggle_expanded",
        "Open/close",
        show=False,
        id="toggle-expanded",
        tooltip="Expand or collapse the application under the cursor",
    ),
    Binding(
        "right",
        "expand",
        "Expand",
        show=False,
        id="expand",
        tooltip="Expand the application, or go to its first alias",
    ),
    Binding(
        "left",
        "collapse",
        "Collapse",
        show=False,
        id="collapse",
        tooltip="Collapse the application, or go up to it from an alias",
    ),
    Binding(
        "x",
        "toggle_mark",
        "Mark",
        show=False,
        id="mark",
        tooltip="Mark or unmark, then move down; p and l act on marked rows",
    ),
]
