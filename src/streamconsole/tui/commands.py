"""The command palette's console commands; what it offers follows the screen's state."""

from __future__ import annotations

from textual.command import DiscoveryHit, Hit, Hits, Provider

from streamconsole.tui.main_screen import MainScreen
from streamconsole.tui.palette import PaletteCommand


class ConsoleCommands(Provider):
    def _commands(self) -> list[PaletteCommand]:
        screen = self.screen
        commands = screen.palette_commands() if isinstance(screen, MainScreen) else []
        from streamconsole.tui.app import StreamConsoleApp

        if isinstance(self.app, StreamConsoleApp):
            commands += self.app.palette_commands()
        return commands

    async def discover(self) -> Hits:
        for command in self._commands():
            yield DiscoveryHit(command.name, command.callback, help=command.help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for command in self._commands():
            score = matcher.match(command.name)
            if score > 0:
                yield Hit(
                    score, matcher.highlight(command.name), command.callback, help=command.help
                )
