"""The console's sources: the config file and each of its ``[servers.NAME]``, and switching.

The switcher offers the sources the console is not on (command palette, and the ``o``
picker); once the app has asked about unsaved edits, it opens the chosen one in a thread
(opening a server reads the file and its credentials), and the app reloads on it. A source
that cannot be opened is a notification; the console stays where it was.
"""

from __future__ import annotations

import asyncio
import tomllib
from collections.abc import Mapping
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import SystemCommand
from textual.message import Message

from streamconsole.tui.failures import failure_text
from streamconsole.tui.screen_text import as_shown

if TYPE_CHECKING:
    from textual.app import App

    from streamconsole.backends.base import Source
    from streamconsole.core.model import Config


class SourceOpener:
    """Opens a source of one config file: the file itself, or one of its servers."""

    def __init__(
        self,
        config_path: Path,
        *,
        read_only: bool = False,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.config_path = config_path
        self.read_only = read_only
        self.environ = environ

    def open(self, server: str | None) -> Source:
        """The source (blocking: a server's is built from the file and its credentials)."""
        # Here: the registry pulls in the core, which importing the app must not.
        from streamconsole.backends.registry import open_source

        return open_source(
            self.config_path, server=server, read_only=self.read_only, environ=self.environ
        )

    def server_names(self) -> tuple[str, ...]:
        """The file's ``[servers.NAME]`` in order (blocking); none when it cannot be read.

        Only the names: opening one checks the rest of the file."""
        try:
            text = self.config_path.read_text("utf-8").removeprefix("\ufeff")
            servers = tomllib.loads(text).get("servers")
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            return ()
        if not isinstance(servers, dict):
            return ()
        return tuple(name for name, table in servers.items() if isinstance(table, dict))


class SourceSwitcher:
    """Offers the sources the console is not on, and opens the one chosen; its host (the
    app) asks about unsaved edits in between, and reloads on the source opened."""

    class Chosen(Message):
        """The operator chose ``server`` (None: the file) in the palette or the picker."""

        def __init__(self, server: str | None, label: str) -> None:
            self.server = server
            self.label = label
            super().__init__()

    class Opened(Message):
        """The chosen source is open: the console reloads on it."""

        def __init__(self, source: Source) -> None:
            self.source = source
            super().__init__()

    def __init__(self, host: App[None], opener: SourceOpener, server: str | None):
        self._host = host
        self.opener = opener
        self.server = server  # the current source: None for the file itself
        self.server_names: tuple[str, ...] = ()

    def label(self, server: str | None) -> str:
        return str(self.opener.config_path) if server is None else f"server {server}"

    def loaded(self, config: Config) -> None:
        """The console loaded a source: learn the file's servers (from the file's own config
        when that is the source; else read in a thread)."""
        if self.server is None:
            self.server_names = tuple(config.servers)
        else:
            self._host.run_worker(self._read_names(), group="source-names", exclusive=True)

    async def _read_names(self) -> None:
        self.server_names = await asyncio.to_thread(self.opener.server_names)

    def commands(self) -> list[SystemCommand]:
        """One entry per source the console is not on."""
        file = str(self.opener.config_path)
        commands: list[SystemCommand] = []
        if self.server is not None:
            commands.append(
                SystemCommand(
                    f"Open source: {file}",
                    "reload the console on the config file (asks about unsaved edits)",
                    partial(self._chosen, None),
                )
            )
        commands += [
            SystemCommand(
                f"Open server: {name}",
                f"reload the console on [servers.{name}] of {file} (asks about unsaved edits)",
                partial(self._chosen, name),
            )
            for name in self.server_names
            if name != self.server
        ]
        return commands

    def _chosen(self, server: str | None) -> None:
        self._host.post_message(self.Chosen(server, self.label(server)))

    def choose(self) -> None:
        """The picker of the sources the console is not on (the palette lists them too)."""
        commands = [as_shown(command) for command in self.commands()]
        if not commands:
            self._host.notify(
                f"{self.opener.config_path} has no [servers.NAME] to open.",
                severity="warning",
            )
            return
        self._host.search_commands(
            [(command.title, command.callback, command.help) for command in commands],
            placeholder="Open a source…",
        )

    def open(self, server: str | None) -> None:
        """Open ``server`` (None: the file) in a thread; a failure leaves the console where
        it is."""
        self._host.run_worker(self._open(server), group="switch", exclusive=True)

    async def _open(self, server: str | None) -> None:
        try:
            source = await asyncio.to_thread(self.opener.open, server)
        except Exception as error:  # a bad profile or credentials: stay on this source
            self._host.notify(
                failure_text(error),
                title=f"Cannot open {self.label(server)}",
                severity="error",
                timeout=20,
            )
            return
        self.server = server
        self._host.post_message(self.Opened(source))
