"""The Textual console: the app owns the sources (its members), their sessions and the theme.

It loads the source (:mod:`.config_loader`; then a remote source's aliases,
:mod:`.alias_loader`), or several servers in one tree (:mod:`.fleet_console`), keeping
each source's state in a member (:mod:`.console_member`); switches to the config's other
sources (:mod:`.sources`), and
carries out what the main screen asks (:mod:`.messages`) with the edit flows
(:mod:`.edit_flows`). Messages go up, attributes go down: the screen never calls the app;
the app sets the screen's attributes and calls its methods. On exit every worker is
cancelled and the source's connections closed. Importing this module stays cheap: the
screen, the core and the backends are imported once the app runs and the load has begun.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on
from textual.app import SystemCommand
from textual.binding import BindingType
from textual.screen import Screen
from textual.worker import WorkerError

from streamconsole.core.glyphs import UNICODE, Glyphs
from streamconsole.core.text import counted
from streamconsole.tui.alias_loader import AliasesArrived, loader_for
from streamconsole.tui.bindings import APP_BINDINGS
from streamconsole.tui.config_loader import ConfigLoaded, ConfigLoader, LoadFailed
from streamconsole.tui.console_member import ConsoleMember, MemberHost
from streamconsole.tui.failures import crash_report
from streamconsole.tui.fleet_console import FleetConsole
from streamconsole.tui.messages import (
    AliasesRequested,
    Noted,
    ScreenMounted,
    SessionChanged,
)
from streamconsole.tui.screen_text import InertTextApp, as_shown
from streamconsole.tui.sources import SourceOpener, SourceSwitcher
from streamconsole.tui.status_line import Progress
from streamconsole.tui.terminal import TerminalApp
from streamconsole.tui.themes import ConsoleThemes
from streamconsole.tui.user_keys import UserKeys

if TYPE_CHECKING:
    from textual.command import Provider

    from streamconsole.backends.base import Source
    from streamconsole.backends.user_settings import UserSettings
    from streamconsole.tui.main_screen import MainScreen

# Absolute, so that subclasses defined elsewhere still find the stylesheet.
HERE = Path(__file__).parent
Clock = Callable[[], float]


def _palette_provider() -> type[Provider]:
    # Loaded when the palette first opens, as Textual loads its own (start-up time).
    from streamconsole.tui.palette import ConsoleCommands

    return ConsoleCommands


class StreamConsoleApp(FleetConsole, UserKeys, InertTextApp, TerminalApp):
    TITLE = "streamconsole"
    # App-wide, so that they apply to the default screen too; each file sits beside its module.
    CSS_PATH: ClassVar[list[str | PurePath]] = [
        HERE / "app.tcss",
        HERE / "main_screen.tcss",
        HERE / "scope_list.tcss",
        HERE / "detail.tcss",
    ]
    # Instead of Textual's provider: every command comes from get_system_commands.
    COMMANDS: ClassVar[set[type[Provider] | Callable[[], type[Provider]]]] = {_palette_provider}
    BINDINGS: ClassVar[list[BindingType]] = APP_BINDINGS

    def __init__(
        self,
        source: Source,
        *,
        clock: Clock = time.time,
        read_only: bool = False,
        theme: str | None = None,
        opener: SourceOpener | None = None,
        server: str | None = None,
        glyphs: Glyphs = UNICODE,
        settings: UserSettings | None = None,
        servers: Sequence[str] = (),
        timer: Clock = time.perf_counter,
    ) -> None:
        """``opener`` opens the config's other sources (none: no switching); ``server`` names
        the ``[servers.NAME]`` that ``source`` is (None: the file itself); ``glyphs``: the
        terminal's; ``settings``: the user's own (theme, keys; None: none, none kept). Two
        ``servers`` or more (with the ``opener``): those servers of the config file
        ``source``, in one tree, each load timed by ``timer``."""
        super().__init__(settings)
        self.glyphs = glyphs
        self.source = source  # the one source; over several servers, the config file
        self.clock = clock
        self.timer = timer
        self.read_only = read_only
        self.load_failed = False
        if len(servers) > 1:
            self.members = [ConsoleMember(name, host=MemberHost()) for name in servers]
        else:
            self.members = [ConsoleMember(server, source)]
        self.switcher: SourceSwitcher | None = (
            SourceSwitcher(self, opener, server) if opener is not None else None
        )
        self._themes = ConsoleThemes(self, theme, settings)
        self._screen_ready = asyncio.Event()
        self._config_loader = ConfigLoader(self, self._screen_ready)
        self._main_screen: MainScreen | None = None
        self._themes.start_with_default()

    @property
    def main_screen(self) -> MainScreen:
        if self._main_screen is None:
            raise RuntimeError("the console has not started")
        return self._main_screen

    def get_default_screen(self) -> MainScreen:
        # Imported once the load has begun (on_load), not with this module: start-up time.
        from streamconsole.tui.main_screen import MainScreen

        if self.fleet:
            self._main_screen = self.fleet_screen()
        else:
            self._main_screen = MainScreen(self.source, clock=self.clock)
        return self._main_screen

    def on_load(self) -> None:
        # Read the config while the screen is being built: the first screen is sooner.
        self._config_loader.load(self.source)

    @on(ScreenMounted)
    def _screen_mounted(self) -> None:
        self._screen_ready.set()  # the loaded config (or its problems) can be shown now

    def on_mount(self) -> None:
        self._themes.mounted()

    # --- loading --------------------------------------------------------------------------

    @on(ConfigLoaded)
    def _config_loaded(self, loaded: ConfigLoaded) -> None:
        # Imported with the first config, not with this module: start-up time.
        from streamconsole.tui.edit_flows import EditFlows

        if loaded.source is not self.source:
            return  # another source replaced it meanwhile
        config = loaded.config
        self.use_keymap(config.settings.keys)  # checked by the loader
        self.load_failed = False
        if self.fleet:
            self._themes.loaded(config.settings.theme, on_a_server=True)
            if self.switcher is not None:
                self.switcher.loaded(config)  # compare (c) reads the servers of the file
            self.fleet_file_loaded(config)
            return
        member = self.members[0]
        member.stale = False
        member.stop_loading()
        member.flows = EditFlows.open(
            self, self.source, config, read_only=self.read_only, clock=self.clock
        )
        screen = self.main_screen
        screen.warnings = tuple(self.source.warnings)
        if screen.warnings:
            count = counted(len(screen.warnings), "warning")
            text = f"{count} in the config: rows marked {self.glyphs.warning}"
            self.post_message(Noted(text, warning=True))
        on_a_server = self.switcher is not None and self.switcher.server is not None
        self._themes.loaded(config.settings.theme, on_a_server=on_a_server)
        loader = member.loader = loader_for(
            self, self.source, config, screen.applications_on_screen
        )
        failures = loader.failures if loader is not None else {}
        screen.progress = self._progress()
        screen.show_session(
            member.flows.session, loaded.keep, expanded=loaded.expanded, failures=failures
        )
        # The cursor may stay on a scope of the same name: no Highlighted, but a new load.
        current = screen.scope_list.current_ref
        if current is not None and loader is not None:
            loader.select(current.application)
        if self.switcher is not None:
            self.switcher.loaded(config)
        if loader is not None:
            loader.report([a for a in config.applications.values() if a.problem])
            self.call_after_refresh(loader.start)  # the rest once the list is painted
        self._config_loader.shown()
        if loaded.changes is not None:
            self.post_message(Noted(f"Reloaded: {loaded.changes}."))

    @on(LoadFailed)
    def _load_failed(self, failed: LoadFailed) -> None:
        # Imported on a failure only, not with this module: start-up time.
        from streamconsole.backends.base import ConfigError

        if failed.source is not self.source:
            return  # another source replaced it meanwhile
        screen, member = self.main_screen, self.members[0]
        session = member.session
        # A refresh failed (the network, say): keep showing what was loaded, marked stale,
        # unless edits were just discarded for it (they must not seem to be still there).
        shown = session is not None and session.source is self.source and not session.pending
        if shown and not self.fleet and not isinstance(failed.error, ConfigError):
            member.stale = True
            screen.progress = self._progress()
            screen.show_stale(failed.error)
            return
        for each in self.members:
            each.stop_loading()
            each.flows = None
        self.load_failed = True
        screen.show_load_failure(failed.error)

    def _progress(self) -> Progress:
        member = self.members[0]
        loader = member.loader
        if loader is None:
            return Progress(stale=member.stale)
        return Progress(loader.loading, loader.unreadable, member.stale)

    # --- a remote source's aliases --------------------------------------------------------

    @on(AliasesArrived)
    def _aliases_arrived(self, arrived: AliasesArrived) -> None:
        if self.fleet and self.is_running:
            self.fleet_aliases_arrived(arrived)
            return
        if arrived.loader is not self.members[0].loader or not self.is_running:
            return  # from a load replaced since, or the console is closing (no list left)
        screen = self.main_screen
        screen.warnings = tuple(self.source.warnings)  # a source may learn more with them
        screen.progress = self._progress()
        screen.aliases_arrived(arrived.application)

    @on(AliasesRequested)
    def _aliases_requested(self, request: AliasesRequested) -> None:
        loader = self.member_named(request.server).loader
        if loader is not None:
            loader.select(request.application)

    # --- edits ----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if not super().check_action(action, parameters):
            return False  # the terminal is too small
        # No ctrl+s in the footer when the config failed to load or every source is
        # read-only; no source to open or to compare with without the config's other sources
        # (and none to open over several servers: the tree has them).
        if action in ("open_source", "compare"):
            return self.switcher is not None and not (self.fleet and action == "open_source")
        sessions = [member.session for member in self.members if member.session is not None]
        read_only = bool(sessions) and all(session.read_only for session in sessions)
        return action != "save" or not (self.load_failed or read_only)

    @on(SessionChanged)
    def _session_changed(self) -> None:
        self.main_screen.refresh_view()

    @on(Noted)
    def _noted(self, note: Noted) -> None:
        self.main_screen.show_note(note.text, warning=note.warning)

    def action_save(self) -> None:
        if self.fleet:
            self.save_fleet()
        elif (flows := self._edits(None)) is not None:
            flows.save()

    # --- theme ----------------------------------------------------------------------------

    def watch_theme(self, name: str) -> None:
        self._themes.switched(name)

    # --- leaving, reloading, other sources ------------------------------------------------

    def _fatal_error(self) -> None:
        """Textual's crash report, without the local variables of each frame."""
        self.bell()
        self._exit_renderables.append(crash_report(self.console))
        self._close_messages_no_wait()

    async def action_quit(self) -> None:
        code = 1 if self.load_failed else 0
        question = f"Quit with {self._pending()}?"
        self._unsaved_then(question, lambda: self.exit(return_code=code))

    def action_reload(self) -> None:
        question = f"Refresh and lose {self._pending()}?"
        self._unsaved_then(question, self._reload)

    def _reload(self) -> None:
        """Read the source again: the cursor stays on its scope, open applications open,
        and the status line says what changed."""
        session, screen = self.session, self.main_screen
        keep = screen.scope_list.current_ref if session is not None else None
        index = screen.scope_list.scope_index
        expanded = index.expanded_names if session and index else frozenset()
        self.main_screen.show_loading()
        previous = session.config if session is not None and not self.fleet else None
        self._config_loader.load(self.source, keep, expanded, previous)

    def action_open_source(self) -> None:
        if self.switcher is not None and self.screen is self.main_screen:
            self.switcher.choose()

    def action_compare(self) -> None:
        from streamconsole.tui.compare import start_compare  # with the first compare

        start_compare(self, self.switcher, self.main_screen.scope_list.current_ref, self.clock)

    @on(SourceSwitcher.Chosen)
    def _source_chosen(self, chosen: SourceSwitcher.Chosen) -> None:
        if self.switcher is not None:
            question = f"Open {chosen.label} and lose {self._pending()}?"
            self._unsaved_then(question, partial(self.switcher.open, chosen.server))

    @on(SourceSwitcher.Opened)
    async def _source_opened(self, opened: SourceSwitcher.Opened) -> None:
        """Reload the console on another source; the old one's connections are closed."""
        member = self.members[0]
        member.stop_loading()
        old = self.source
        self.source = member.source = opened.source
        member.flows, member.stale = None, False
        screen = self.main_screen
        screen.source, screen.session = self.source, None
        screen.show_loading()
        self._config_loader.load(self.source)
        await old.aclose()

    async def on_unmount(self) -> None:
        """Leaving: stop every fetch and save still running, then close the connections."""
        self.workers.cancel_all()
        for worker in list(self.workers):
            with contextlib.suppress(WorkerError):
                await worker.wait()
        await self.close_sources()

    def action_help(self) -> None:
        """The keys of the screen on top, and what they do."""
        # The help screen is loaded when asked for: start-up time.
        from streamconsole.tui.help import HelpScreen, binding_rows, help_notes

        screen, main, notes = self.screen, self._main_screen, ""
        if isinstance(screen, HelpScreen):
            return
        if main is not None and screen is main:
            main.scope_list.focus()  # the list's keys too, when asked from the filter
            notes = help_notes(self, remote=self.current.loader is not None)
        rows = binding_rows(screen.active_bindings.values(), self.get_key_display)
        self.push_screen(HelpScreen(rows, notes))

    # --- command palette ------------------------------------------------------------------

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """The main screen's commands, the console's, then Textual's own (by title, as
        Textual's palette lists them); each as the palette may show it."""
        # The palette's module is loaded when it first opens (start-up time).
        from streamconsole.tui.palette import screen_commands

        own = screen_commands(self.main_screen) if screen is self._main_screen else []
        textual = sorted(super().get_system_commands(screen), key=lambda command: command.title)
        for command in (*own, *self.palette_commands(), *textual):
            yield as_shown(command)

    def palette_commands(self) -> list[SystemCommand]:
        """The console's own commands: save, reload, other sources, theme, help, quit."""
        # The palette's module is loaded when it first opens (start-up time).
        from streamconsole.tui.palette import console_commands

        return console_commands(self)
