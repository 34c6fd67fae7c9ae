"""The console's keys, every screen's, each with an id (so that users remap them from
``[console.keys]``, ``App.set_keymap``) and a tooltip (the help screen shows it). Kept apart
from the widgets, as data: the help, the README's key table and the keymap check read them.

One meaning per key: ``q`` and escape close the screen they are pressed on (on the main
screen ``q`` quits, escape clears), ``?`` opens the help of that screen, ``v`` reveals.
A binding shared by several screens keeps one id, so one keymap entry moves it everywhere.
"""

from __future__ import annotations

from textual.binding import Binding, BindingType

HELP_ID = "help"
CLOSE_ID = "close"
REVEAL_ID = "reveal"
# Writes (main screen and app): in read-only mode they leave the footer.
WRITE_ACTIONS = frozenset({"toggle_publish", "toggle_play", "rotate_key", "save"})

APP_BINDINGS: list[BindingType] = [
    Binding(
        "ctrl+s",
        "save",
        "Save",
        id="save",
        tooltip="Save every unsaved edit (refused if the file changed on disk)",
    ),
    Binding(
        "ctrl+r",
        "reload",
        "Reload",
        show=False,
        id="reload",
        tooltip="Reload the source; the cursor stays (asks about unsaved edits)",
    ),
    Binding(
        "o",
        "open_source",
        "Open source",
        show=False,
        id="open-source",
        tooltip="Open the file or one of its servers (asks about unsaved edits)",
    ),
    Binding(
        "c",
        "compare",
        "Compare",
        show=False,
        id="compare",
        tooltip="The selection on every server of the config, side by side",
    ),
    Binding(
        "question_mark",
        "help",
        "Help",
        id=HELP_ID,
        tooltip="Every key of this screen, and what it does",
    ),
    Binding("q", "quit", "Quit", id="quit", tooltip="Quit (asks about unsaved edits)"),
]

MAIN_SCREEN_BINDINGS: list[BindingType] = [
    Binding(
        "slash",
        "focus_filter",
        "Filter",
        id="filter",
        tooltip="Filter applications and aliases by name or label (escape clears)",
        # Priority: run as the key arrives, before the keys typed after it (one burst
        # over SSH) are handed to the list, so that they reach the filter.
        priority=True,
    ),
    Binding(
        "p",
        "toggle_publish",
        "Publish",
        id="toggle-publish",
        tooltip="Publish JWT on or off: the marked rows, else the selection",
    ),
    Binding(
        "l",
        "toggle_play",
        "Play",
        id="toggle-play",
        tooltip="Play JWT on or off: the marked rows, else the selection",
    ),
    Binding(
        "r",
        "rotate_key",
        "Key",
        id="rotate-key",
        tooltip="A new key for the selection: generate, or paste secret/PEM/JWK",
    ),
    Binding(
        "t",
        "token_preview",
        "Token",
        id="token-preview",
        tooltip="Issue and explain a preview token, or paste one to explain",
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
        id=REVEAL_ID,
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


# --- pushed screens and dialogs -------------------------------------------------------------


def close_binding(action: str, tooltip: str, description: str = "Close") -> Binding:
    """``q`` and escape: close this screen (``action`` does it), as on every pushed screen."""
    return Binding("escape,q", action, description, id=CLOSE_ID, tooltip=tooltip)


# On a modal screen the app's keys do not apply: ``?`` is bound again, to the same action.
HELP_ON_A_DIALOG = Binding(
    "question_mark", "app.help", "Help", id=HELP_ID, tooltip="Every key of this dialog"
)

HELP_SCREEN_BINDINGS: list[BindingType] = [
    close_binding("dismiss", "Close the help screen"),
    Binding("question_mark", "dismiss", "Close", id=HELP_ID, tooltip="Close the help screen"),
]

UNSAVED_BINDINGS: list[BindingType] = [
    Binding("s", "choose('save')", "Save", id="unsaved-save", tooltip="Save, then go on"),
    # Shift+d, not d: d typed by habit right after ctrl+r (the detail) must not drop edits.
    Binding(
        "D",
        "choose('discard')",
        "Discard",
        id="unsaved-discard",
        tooltip="Drop the unsaved edits, then go on",
    ),
    close_binding("choose('cancel')", "Go back; nothing is lost", "Cancel"),
    HELP_ON_A_DIALOG,
]

ROTATE_BINDINGS: list[BindingType] = [
    close_binding(
        "cancel",
        "Close the dialog; nothing is changed (from a text field: leave it first)",
        "Cancel",
    ),
    Binding("ctrl+g", "generate", "Generate", id="rotate-generate", tooltip="Generate a new key"),
    Binding(
        "v",
        "reveal",
        "Reveal",
        id=REVEAL_ID,
        tooltip="Show or hide the new secret, whole (not from a text field)",
    ),
    Binding(
        "ctrl+o",
        "copy_secret",
        "Copy secret",
        id="rotate-copy-secret",
        tooltip="Copy the new secret (OSC 52) without showing it",
    ),
    Binding(
        "ctrl+y",
        "confirm",
        "Use new key",
        id="rotate-confirm",
        tooltip="Use the new key (saved with the next save)",
    ),
    HELP_ON_A_DIALOG,
]

PROBE_BINDINGS: list[BindingType] = [
    close_binding("dismiss", "Close the probe (one still running stops)"),
    HELP_ON_A_DIALOG,
]

KEY_PASTE_BINDINGS: list[BindingType] = [
    Binding(
        "ctrl+v",
        "paste",
        "Paste",
        show=False,
        id="rotate-paste-key",
        tooltip="Paste a key from the clipboard",
    ),
    Binding(
        "backspace,delete,ctrl+u",
        "clear",
        "Clear",
        id="rotate-clear-pasted-key",
        tooltip="Clear the pasted key",
    ),
]

# Keys of their own, none of them a main-screen key: d t r p there edit or open things.
TOKEN_PREVIEW_BINDINGS: list[BindingType] = [
    close_binding("back", "Back to the list (from a text field: leave the field first)", "Back"),
    Binding("n", "toggle_direction", "Direction", id="token-direction", tooltip="Next direction"),
    Binding("m", "edit_ttl", "TTL", id="token-ttl", tooltip="Edit the token's lifetime"),
    Binding(
        "y",
        "copy_token",
        "Copy",
        id="token-copy",
        tooltip="Copy the issued token to the clipboard (OSC 52)",
    ),
    # Not in the footer (full at 80 columns): the tab's title names the key.
    Binding(
        "f,2",
        "show_forms",
        "Forms",
        show=False,
        id="token-forms",
        tooltip="The token as each player or encoder takes it, each one copyable",
    ),
    Binding("i", "reissue", "Re-issue", id="token-reissue", tooltip="Issue a new token from now"),
    Binding("1", "show_issued", "Issued", id="token-issued", tooltip="The issued token's tab"),
    Binding(
        "3",
        "check_pasted",
        "Paste",
        id="token-paste",
        tooltip="The tab to paste a token and check it",
    ),
]

FILTER_BINDINGS: list[BindingType] = [
    Binding(
        "escape",
        "clear",
        "Clear",
        id="filter-clear",
        tooltip="Clear the filter and go back to the list",
    ),
    Binding(
        "down",
        "leave",
        "To list",
        show=False,
        id="filter-leave",
        tooltip="Keep the filter and go to the list",
    ),
]

COMPARE_BINDINGS: list[BindingType] = [
    close_binding("dismiss", "Close the compare view"),
    Binding(
        "ctrl+r",
        "refresh_compare",
        "Read again",
        id="reload",  # as on the main screen: read the sources again
        tooltip="Read every server again (a read still running is stopped)",
    ),
]

# While the terminal is too small: only quitting.
TOO_SMALL_BINDINGS: list[BindingType] = [
    Binding("q", "app.quit", "Quit", id="quit", tooltip="Quit the console"),
]
