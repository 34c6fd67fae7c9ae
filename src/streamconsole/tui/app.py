"""The Textual console: the shell around the main screen.

It loads the source in a worker (the screen shows a loading state, then the applications,
or the config's problems in place), has a remote source's aliases fetched after the list
is on screen (:mod:`.alias_loader`), switches to the config's other sources
(:mod:`.sources`), saves pending edits, asks before unsaved edits are lost, and owns the
theme. On exit every worker is cancelled and the source's connections closed. Importing
this module stays cheap (the CLI imports it for every command): the screens, the core and
the backends are imported when the app starts.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.worker import WorkerError

from streamconsole.tui.alias_loader import AliasesArrived, loader_for
from streamconsole.tui.failures import failure_text
from streamconsole.tui.messages import (
    AliasesRequested,
    RotateRequested,
    ScreenMounted,
    SessionChanged,
    ToggleRequested,
    TokenPreviewRequested,
)
from streamconsole.tui.palette import ConsoleCommands
from streamconsole.tui.sources import SourceOpener, SourceSwitcher, close_source
from streamconsole.tui.themes import DEFAULT_THEME, load_themes

# Absolute, so that subclasses defined elsewhere still find the stylesheet.
HERE = Path(__file__).parent

if TYPE_CHECKING:
    from textual.command import Provider

    from streamconsole.backends.base import Problem, Source
    from streamconsole.core.model import Config, ScopeRef
    from streamconsole.session import EditSession
    from streamconsole.tui.alias_loader import AliasLoader
    from streamconsole.tui.edit_flows import EditFlows
    from streamconsole.tui.main_screen import MainScreen

Clock = Callable[[], float]
FREEZE_ALIASES = 10_000


class StreamConsoleApp(App[None]):
    TITLE = "streamconsole"
    # App-wide, so that they apply to the default screen too; each file sits beside its module.
    CSS_PATH: ClassVar[list[str | PurePath]] = [
        HERE / "app.tcss",
        HERE / "main_screen.tcss",
        HERE / "scope_list.tcss",
        HERE / "detail.tcss",
    ]
    COMMANDS: ClassVar[set[type[Provider] | Callable[[], type[Provider]]]] = {ConsoleCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
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
        Binding("question_mark", "help", "Help", id="help", tooltip="Every key, and what it does"),
        Binding("q", "quit", "Quit", id="quit", tooltip="Quit (asks about unsaved edits)"),
    ]

    def __init__(
        self,
        source: Source,
        *,
        clock: Clock = time.time,
        read_only: bool = False,
        theme: str | None = None,
        opener: SourceOpener | None = None,
        server: str | None = None,
    ) -> None:
        """``opener`` opens the config's other sources (none: no switching); ``server`` names
        the ``[servers.NAME]`` that ``source`` is (None: the file itself)."""
        super().__init__()
        self.source = source
        self.clock = clock
        self.read_only = read_only
        self.session: EditSession | None = None
        self.flows: EditFlows | None = None  # the session's edits
        self.warnings: tuple[Problem, ...] = ()
        self.load_failed = False
        self.stale = False  # the last refresh failed: what is shown is from before
        self.loader: AliasLoader | None = None
        self.switcher: SourceSwitcher | None = (
            SourceSwitcher(self, opener, server) if opener is not None else None
        )
        loaded = load_themes()
        for custom in loaded.themes:
            self.register_theme(custom)
        self._theme_problems = loaded.problems
        self._theme_override = theme
        self._remembering_themes = False
        self._screen_ready = asyncio.Event()
        self._main_screen: MainScreen | None = None
        self._froze_config = False
        self.theme = DEFAULT_THEME if DEFAULT_THEME in self.available_themes else "textual-dark"

    @property
    def main_screen(self) -> MainScreen:
        if self._main_screen is None:
            raise RuntimeError("the console has not started")
        return self._main_screen

    def get_default_screen(self) -> MainScreen:
        from streamconsole.tui.main_screen import MainScreen

        self._main_screen = MainScreen()
        return self._main_screen

    def on_load(self) -> None:
        # Read the config while the screen is being built: the first screen is sooner.
        self._load_config(keep=None)

    @on(ScreenMounted)
    def _screen_mounted(self) -> None:
        self._screen_ready.set()  # the loaded config (or its problems) can be shown now

    def on_mount(self) -> None:
        for problem in self._theme_problems:
            self.notify(problem, title="Theme skipped", severity="warning", markup=False)
        if self._theme_override is not None:
            self._apply_theme(self._theme_override)

    # --- loading --------------------------------------------------------------------------

    @dataclass
    class ConfigLoaded(Message):
        """The load of ``source`` ended with ``config`` (posted by the load worker)."""

        source: Source
        config: Config
        keep: ScopeRef | None  # the scope to put the cursor on
        expanded: frozenset[str]  # the applications to open

    @dataclass
    class LoadFailed(Message):
        """The load of ``source`` failed (posted by the load worker)."""

        source: Source
        error: Exception

    @work(exclusive=True, group="load")
    async def _load_config(
        self, keep: ScopeRef | None, expanded: frozenset[str] = frozenset()
    ) -> None:
        """Load the source; ``keep`` is the scope to put the cursor on, ``expanded`` the
        applications to open (both from before a refresh)."""
        source = self.source
        if self._froze_config:  # the frozen config is garbage once this load replaces it
            gc.unfreeze()
            self._froze_config = False
        collecting = gc.isenabled()
        gc.disable()  # a load makes several objects per alias and no cycles worth collecting
        try:
            config = await source.load()
        except Exception as error:  # a broken config, the network, a bug: no traceback
            outcome: Message = self.LoadFailed(source, error)
        else:
            outcome = self.ConfigLoaded(source, config, keep, expanded)
        finally:
            if collecting:
                gc.enable()
        await self._screen_ready.wait()
        self.post_message(outcome)

    @on(ConfigLoaded)
    def _config_loaded(self, loaded: ConfigLoaded) -> None:
        # Imported with the first config, not with this module: start-up time.
        from streamconsole.audit import audit_log_for
        from streamconsole.session import EditSession
        from streamconsole.tui.edit_flows import EditFlows

        if loaded.source is not self.source:
            return  # another source replaced it meanwhile
        config = loaded.config
        self.load_failed = self.stale = False
        if self.loader is not None:
            self.loader.cancel()
        self.session = EditSession(
            self.source,
            config,
            read_only=self.read_only,
            audit=audit_log_for(config.settings),
            origin="tui",
        )
        self.flows = EditFlows(self, self.session, clock=self.clock)
        self.warnings = tuple(self.source.warnings)
        if self.warnings:
            count = len(self.warnings)
            self.notify(
                f"{count} warning(s) in the config; the detail panel shows them.",
                title="Config warnings",
                severity="warning",
                markup=False,
            )
        # A server has no theme of its own: its default must not replace the file's.
        on_a_server = self.switcher is not None and self.switcher.server is not None
        theme = config.settings.theme
        if self._theme_override is None and not on_a_server and theme != self.theme:
            self._apply_theme(theme)
        self._remembering_themes = True
        screen = self.main_screen
        self.loader = loader_for(self, self.source, config, screen.applications_on_screen)
        failures = self.loader.failures if self.loader is not None else {}
        screen.show_session(self.session, loaded.keep, expanded=loaded.expanded, failures=failures)
        # The cursor may stay on a scope of the same name: no Highlighted, but a new load.
        current = screen.scope_list.current_ref
        if current is not None and self.loader is not None:
            self.loader.select(current.application)
        if self.switcher is not None:
            self.switcher.loaded(config)
        if self.loader is not None:
            self.loader.report([a for a in config.applications.values() if a.problem])
            self.call_after_refresh(self.loader.start)  # the rest once the list is painted
        if config.alias_count >= FREEZE_ALIASES:
            # The config lives as long as the session: keep its objects out of full
            # collections, which at 100k aliases pause the screen ~100 ms each.
            gc.freeze()
            self._froze_config = True

    @on(LoadFailed)
    def _load_failed(self, failed: LoadFailed) -> None:
        # Imported on a failure only, not with this module: start-up time.
        from streamconsole.backends.base import ConfigError, Problem

        error = failed.error
        if failed.source is not self.source:
            return  # another source replaced it meanwhile
        if isinstance(error, ConfigError):
            title = "The config has errors; nothing was loaded."
            problems, hint = list(error.problems), "Fix the file, then reload (ctrl+r)."
        elif self._keep_what_is_shown(error):
            return
        else:
            title = f"{self.source.name} could not be read."
            problems, hint = [Problem(failure_text(error))], "Reload (ctrl+r) to try again."
        if self.loader is not None:
            self.loader.cancel()
            self.loader = None
        self.session = self.flows = None
        self.load_failed = True
        self.main_screen.show_problems(title, problems, hint)

    def _keep_what_is_shown(self, error: Exception) -> bool:
        """A refresh failed (the network, say): keep showing what was loaded, marked stale,
        unless edits were just discarded for it (they must not seem to be still there)."""
        session = self.session
        if session is None or session.source is not self.source or session.pending:
            return False
        self.stale = True
        self.notify(
            f"{failure_text(error)}\nShowing what was loaded before; refresh (ctrl+r) again "
            "once the source is back.",
            title="Not refreshed",
            severity="error",
            timeout=20,
            markup=False,
        )
        self.main_screen.refresh_view()
        return True

    # --- a remote source's aliases --------------------------------------------------------

    @on(AliasesArrived)
    def _aliases_arrived(self, arrived: AliasesArrived) -> None:
        if arrived.loader is not self.loader:
            return  # from a load replaced since
        self.warnings = tuple(self.source.warnings)  # a source may learn more with them
        self.main_screen.aliases_arrived(arrived.application)

    @on(AliasesRequested)
    def _aliases_requested(self, request: AliasesRequested) -> None:
        if self.loader is not None:
            self.loader.select(request.application)

    def _apply_theme(self, name: str) -> None:
        if name in self.available_themes:
            self.theme = name
        else:
            self.notify(
                f"There is no theme named {name!r}; keeping {self.theme}.",
                severity="warning",
                markup=False,
            )

    # --- edits ----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Nothing to save when the config failed to load: keep ctrl+s out of the footer;
        # no source to open without the config's other sources.
        if action == "open_source":
            return self.switcher is not None
        return action != "save" or not self.load_failed

    def _edits(self) -> EditFlows | None:
        """The loaded session's edit flows; None, saying so, while no config is loaded."""
        if self.flows is None:
            self.notify("The config is not loaded.", severity="warning", markup=False)
        return self.flows

    @on(ToggleRequested)
    def _toggle_requested(self, request: ToggleRequested) -> None:
        if (flows := self._edits()) is not None:
            flows.toggle(request.direction, request.current, request.marked)

    @on(RotateRequested)
    def _rotate_requested(self, request: RotateRequested) -> None:
        if (flows := self._edits()) is not None:
            flows.rotate(request.current)

    @on(TokenPreviewRequested)
    def _token_preview_requested(self, request: TokenPreviewRequested) -> None:
        if self.flows is not None:
            self.flows.preview_token(request.current)
        else:  # nothing loaded yet
            self.notify("Nothing is selected.", severity="warning", markup=False)

    @on(SessionChanged)
    def _session_changed(self) -> None:
        self.main_screen.refresh_view()

    def action_save(self) -> None:
        if (flows := self._edits()) is not None:
            flows.save()

    def watch_theme(self, name: str) -> None:
        if self._remembering_themes and self.flows is not None:
            self.flows.remember_theme(name)

    # --- leaving --------------------------------------------------------------------------

    def _fatal_error(self) -> None:
        """Textual's crash report, without the local variables of each frame.

        Textual prints every frame's locals when the app crashes. Secret text also lives in
        frames the Secret type cannot wrap (a pasted secret being validated, HMAC key bytes
        inside PyJWT), so the report keeps the frames and leaves out their locals.
        """
        # Only on a crash: rich.traceback takes ~50 ms to import.
        import rich
        from rich.segment import Segments
        from rich.traceback import Traceback

        self.bell()
        traceback = Traceback(show_locals=False, width=None, suppress=[rich])
        self._exit_renderables.append(
            Segments(self.console.render(traceback, self.console.options))
        )
        self._close_messages_no_wait()

    def _unsaved_then(self, question: str, proceed: Callable[[], object]) -> None:
        """Run ``proceed`` now, or after asking what to do with unsaved edits."""
        if self.flows is None:
            proceed()
        else:
            self.flows.unsaved_then(question, proceed)

    async def action_quit(self) -> None:
        code = 1 if self.load_failed else 0
        count = len(self.session.pending) if self.session is not None else 0
        self._unsaved_then(
            f"Quit with {count} unsaved change(s)?", lambda: self.exit(return_code=code)
        )

    def action_reload(self) -> None:
        count = len(self.session.pending) if self.session is not None else 0
        self._unsaved_then(f"Refresh and lose {count} unsaved change(s)?", self._reload)

    def _reload(self) -> None:
        """Read the source again: the cursor stays on its scope, open applications open."""
        scopes = self.main_screen.scope_list
        keep = scopes.current_ref if self.session is not None else None
        index = scopes.index if self.session is not None else None
        self.main_screen.show_loading()
        self._load_config(keep=keep, expanded=index.expanded_names if index else frozenset())

    def action_open_source(self) -> None:
        if self.switcher is not None and self.screen is self.main_screen:
            self.switcher.choose()

    @on(SourceSwitcher.Chosen)
    def _source_chosen(self, chosen: SourceSwitcher.Chosen) -> None:
        if self.switcher is None:
            return
        count = len(self.session.pending) if self.session is not None else 0
        self._unsaved_then(
            f"Open {chosen.label} and lose {count} unsaved change(s)?",
            partial(self.switcher.open, chosen.server),
        )

    @on(SourceSwitcher.Opened)
    async def _source_opened(self, opened: SourceSwitcher.Opened) -> None:
        """Reload the console on another source; the old one's connections are closed."""
        if self.loader is not None:
            self.loader.cancel()
            self.loader = None
        old, self.source = self.source, opened.source
        self.session = self.flows = None
        self.stale = False
        self.main_screen.show_loading()
        self._load_config(keep=None)
        await close_source(old)

    async def on_unmount(self) -> None:
        """Leaving: stop every fetch and save still running, then close the connections."""
        self.workers.cancel_all()
        for worker in list(self.workers):
            with contextlib.suppress(WorkerError):
                await worker.wait()
        await close_source(self.source)

    def action_help(self) -> None:
        from streamconsole.tui.help import HelpScreen, binding_rows, help_notes

        screen = self.main_screen
        if self.screen is not screen:
            return
        screen.scope_list.focus()
        rows = binding_rows(screen.active_bindings.values(), self.get_key_display)
        self.push_screen(HelpScreen(rows, help_notes(remote=self.loader is not None)))

    # --- command palette ------------------------------------------------------------------

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """The main screen's commands, the console's, then Textual's own (by title)."""
        main_screen = self._main_screen
        if main_screen is not None and screen is main_screen:
            yield from main_screen.palette_commands()
        yield from self.palette_commands()
        yield from sorted(super().get_system_commands(screen), key=lambda command: command.title)

    def palette_commands(self) -> list[SystemCommand]:
        """The console's own commands: save, reload, other sources, theme, help, quit."""
        session = self.session
        commands = [
            SystemCommand("Switch theme…", "pick a theme; it is remembered", self.search_themes),
            SystemCommand("Reload (refresh)", f"read {self.source.name} again", self.action_reload),
            SystemCommand("Help: keys", "every key and what it does", self.action_help),
            SystemCommand("Quit", "asks about unsaved edits", self.action_quit),
        ]
        if self.switcher is not None:
            commands += self.switcher.commands()
        if session is not None and session.pending:
            refused = "refused in read-only mode — " if session.read_only else ""
            save = SystemCommand(
                f"Save {len(session.pending)} unsaved change(s)",
                refused + f"write them to {self.source.name}",
                self.action_save,
            )
            commands.insert(0, save)
        return commands


def run_console(
    source: Source,
    *,
    read_only: bool,
    theme: str | None,
    opener: SourceOpener | None = None,
    server: str | None = None,
) -> int:
    """Run the console on ``source``; the exit code is 1 if it could not be loaded."""
    app = StreamConsoleApp(source, read_only=read_only, theme=theme, opener=opener, server=server)
    app.run()
    return app.return_code or 0
