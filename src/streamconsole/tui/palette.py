"""The command palette's entries: what makes sense in the console's state now."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple

from streamconsole.core.model import Direction

if TYPE_CHECKING:
    from streamconsole.tui.app import StreamConsoleApp
    from streamconsole.tui.main_screen import MainScreen


class PaletteCommand(NamedTuple):
    name: str
    help: str
    callback: Callable[[], object]


def scope_commands(screen: MainScreen) -> list[PaletteCommand]:
    """The commands for the selection and the list; writes say so when they would be refused."""
    session = screen.console.session
    ref = screen.scope_list.current_ref
    commands: list[PaletteCommand] = []
    refused = "refused in read-only mode — " if session and session.read_only else ""
    if session is not None and ref is not None:
        app, _ = session.config.resolve(ref)
        marked = screen.scope_list.marked_refs
        what = f"{len(marked)} marked scopes" if marked else str(ref)
        for direction, action in (
            (Direction.PUBLISH, screen.action_toggle_publish),
            (Direction.PLAY, screen.action_toggle_play),
        ):
            if app.kind.supports(direction):
                commands.append(
                    PaletteCommand(
                        f"Toggle {direction} JWT: {what}",
                        refused + f"turn {direction} JWT enforcement on or off",
                        action,
                    )
                )
        commands.append(
            PaletteCommand(
                f"Rotate key: {ref}",
                refused + "generate or import a new key",
                screen.action_rotate_key,
            )
        )
        commands.append(
            PaletteCommand(
                f"Token preview: {ref}",
                "issue and explain a preview token",
                screen.action_token_preview,
            )
        )
        if screen.detail.shared_key is not None:
            verb = "Hide" if screen.detail.revealed else "Reveal"
            commands.append(
                PaletteCommand(
                    f"{verb} secret: {ref}",
                    "the shared secret in the detail panel",
                    screen.action_reveal,
                )
            )
        commands.append(
            PaletteCommand(
                f"Mark or unmark: {ref}",
                "marked rows are toggled together",
                screen.scope_list.action_toggle_mark,
            )
        )
        if marked:
            commands.append(
                PaletteCommand(
                    f"Clear marks ({len(marked)})",
                    "unmark every marked row",
                    screen.scope_list.clear_marks,
                )
            )
    commands += [
        PaletteCommand("Filter by name", "focus the filter box", screen.action_focus_filter),
        PaletteCommand("Expand all applications", "show every alias", screen.action_expand_all),
        PaletteCommand(
            "Collapse all applications", "show applications only", screen.action_collapse_all
        ),
        PaletteCommand(
            "Show or hide the detail panel", "more room for the list", screen.action_toggle_detail
        ),
    ]
    if screen.scope_list.index is not None and screen.scope_list.index.filtering:
        commands.append(
            PaletteCommand("Clear the filter", "show everything again", screen.action_clear)
        )
    return commands


def console_commands(console: StreamConsoleApp) -> list[PaletteCommand]:
    """The console's own commands: save, reload, other sources, theme, help, quit."""
    session = console.session
    commands = [
        PaletteCommand("Switch theme…", "pick a theme; it is remembered", console.search_themes),
        PaletteCommand(
            "Reload (refresh)", f"read {console.source.name} again", console.action_reload
        ),
        PaletteCommand("Help: keys", "every key and what it does", console.action_help),
        PaletteCommand("Quit", "asks about unsaved edits", console.action_quit),
    ]
    if console.switcher is not None:
        commands += console.switcher.commands()
    if session is not None and session.pending:
        refused = "refused in read-only mode — " if session.read_only else ""
        commands.insert(
            0,
            PaletteCommand(
                f"Save {len(session.pending)} unsaved change(s)",
                refused + f"write them to {console.source.name}",
                console.action_save,
            ),
        )
    return commands
