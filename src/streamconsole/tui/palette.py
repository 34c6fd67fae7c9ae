"""The command palette: its provider, the main screen's commands and the console's.

Every command, Textual's own and the console's, comes from ``App.get_system_commands``,
each as :func:`.screen_text.as_shown` makes it (they name what a server sent).
Textual's provider sorts them by title when the query is empty; this one keeps the order
they are given in, so the selection's commands come first. What the palette offers
follows the state: the selection, the marks, the filter, read-only mode.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Protocol

from textual.app import SystemCommand
from textual.command import DiscoveryHit, Hits
from textual.system_commands import SystemCommandsProvider

from streamconsole.backends.base import ConsoleDefaults, OnServer
from streamconsole.core.text import counted
from streamconsole.tui.keymap import key_named
from streamconsole.tui.user_keys import key_of

if TYPE_CHECKING:
    from streamconsole.backends.base import Source
    from streamconsole.session import EditSession
    from streamconsole.tui.edit_flows import EditFlows
    from streamconsole.tui.main_screen import MainScreen
    from streamconsole.tui.sources import SourceSwitcher


class Console(Protocol):
    """What the console's commands use of the app."""

    source: Source
    switcher: SourceSwitcher | None
    theme: str
    keymap: dict[str, str]  # binding id → keys (:class:`.user_keys.UserKeys`)

    @property
    def fleet(self) -> bool: ...
    @property
    def pending(self) -> int: ...
    @property
    def session(self) -> EditSession | None: ...
    @property
    def flows(self) -> EditFlows | None: ...
    def search_themes(self) -> None: ...
    def action_save(self) -> None: ...
    def action_reload(self) -> None: ...
    def action_help(self) -> None: ...
    def action_compare(self) -> None: ...
    async def action_quit(self) -> None: ...


class ConsoleCommands(SystemCommandsProvider):
    async def discover(self) -> Hits:
        for title, help_text, callback, discover in self.app.get_system_commands(self.screen):
            if discover:
                yield DiscoveryHit(title, callback, help=help_text)


def screen_commands(screen: MainScreen) -> list[SystemCommand]:
    """The main screen's commands: for the selection and the list; writes say so when they
    would be refused."""
    session = screen.session
    ref = screen.scope_list.current_ref
    commands: list[SystemCommand] = []
    refused = "refused in read-only mode — " if session and session.read_only else ""
    if session is not None and ref is not None:
        app, _ = session.config.resolve(ref)
        marked = screen.scope_list.marked_refs
        what = counted(len(marked), "marked scope") if marked else str(ref)
        for direction in app.kind.directions:
            commands.append(
                SystemCommand(
                    f"Toggle {direction} JWT: {what}",
                    refused + f"turn {direction} JWT enforcement on or off",
                    partial(screen.request_toggle, direction),
                )
            )
        commands += [
            SystemCommand(
                f"Rotate key: {ref}",
                refused + "generate or import a new key",
                screen.action_rotate_key,
            ),
            SystemCommand(
                f"Token preview: {ref}",
                "issue and explain a preview token",
                screen.action_token_preview,
            ),
        ]
        if isinstance(session.source, OnServer):
            commands.append(
                SystemCommand(
                    f"Probe enforcement: {ref}",
                    "ask the server's delivery endpoint if it enforces what is set here",
                    screen.action_probe,
                )
            )
        if screen.detail.shared_key is not None:
            verb = "Hide" if screen.detail.revealed else "Reveal"
            commands.append(
                SystemCommand(
                    f"{verb} secret: {ref}",
                    "the shared secret in the detail panel",
                    screen.action_reveal,
                )
            )
        commands.append(
            SystemCommand(
                f"Mark or unmark: {ref}",
                "marked rows are toggled together",
                screen.scope_list.action_toggle_mark,
            )
        )
        if marked:
            commands.append(
                SystemCommand(
                    f"Clear marks ({len(marked)})",
                    "unmark every marked row",
                    screen.scope_list.clear_marks,
                )
            )
    commands += [
        SystemCommand("Filter by name", "focus the filter box", screen.action_focus_filter),
        SystemCommand("Expand all applications", "show every alias", screen.action_expand_all),
        SystemCommand(
            "Collapse all applications", "show applications only", screen.action_collapse_all
        ),
        SystemCommand(
            "Detail full screen",
            f"to read and scroll all of it; {key_of(screen, 'full-detail')} or "
            f"{key_of(screen, 'clear')} goes back",
            screen.action_toggle_full_detail,
        ),
        SystemCommand(
            "Show or hide the detail panel", "more room for the list", screen.action_toggle_detail
        ),
    ]
    if screen.scope_list.index is not None and screen.scope_list.index.filtering:
        commands.append(
            SystemCommand("Clear the filter", "show everything again", screen.action_clear)
        )
    return commands


def console_commands(console: Console) -> list[SystemCommand]:
    """The console's own commands: save, reload, other sources, theme, help, quit."""
    session = console.session
    name = console.source.name
    commands = [
        SystemCommand(
            "Switch theme…", "pick a theme; it is kept in your own settings", console.search_themes
        ),
        SystemCommand("Reload (refresh)", f"read {name} again", console.action_reload),
        SystemCommand("Help: keys", "every key and what it does", console.action_help),
        SystemCommand("Quit", "asks about unsaved edits", console.action_quit),
    ]
    if console.switcher is not None:
        if not console.fleet:  # over several servers, the tree has them all
            commands += console.switcher.commands()
        if console.switcher.server_names:
            compare = SystemCommand(
                "Compare across servers",
                f"the selection on every server of {console.switcher.opener.config_path}, "
                "side by side, with what differs highlighted",
                console.action_compare,
            )
            commands.insert(1, compare)
    commands += _theme_to_config(console)
    if console.fleet and console.pending:
        where = "on each server with edits, one at a time"
        save = SystemCommand(
            f"Save {counted(console.pending, 'unsaved change')}", where, console.action_save
        )
        commands.insert(0, save)
    elif session is not None and session.pending:
        refused = "refused in read-only mode — " if session.read_only else ""
        save = SystemCommand(
            f"Save {counted(len(session.pending), 'unsaved change')}",
            refused + f"write them to {name}",
            console.action_save,
        )
        commands.insert(0, save)
    return commands


def _theme_to_config(console: Console) -> list[SystemCommand]:
    """Save the theme shown as the config's own, where the source is the config file and
    the theme is another."""
    flows = console.flows
    if flows is None or not isinstance(flows.session.source, ConsoleDefaults):
        return []
    if flows.session.config.settings.theme == console.theme:
        return []
    refused = "refused in read-only mode — " if flows.session.read_only else ""
    place = flows.session.source.defaults_place
    return [
        SystemCommand(
            "Save theme to the config",
            f"{refused}make {console.theme} the default in {place} for everyone "
            f"(an edit: saved with {key_named('save', console.keymap)}, audited)",
            flows.theme_to_config,
        )
    ]
