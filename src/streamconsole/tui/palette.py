"""The command palette's provider: Textual's, with the commands in the app's order.

Every command, Textual's own and the console's, comes from ``App.get_system_commands``.
Textual's provider sorts them by title when the query is empty; this one keeps the order
they are given in, so the selection's commands come first.
"""

from __future__ import annotations

from textual.command import DiscoveryHit, Hits
from textual.system_commands import SystemCommandsProvider


class ConsoleCommands(SystemCommandsProvider):
    async def discover(self) -> Hits:
        for title, help_text, callback, discover in self.app.get_system_commands(self.screen):
            if discover:
                yield DiscoveryHit(title, callback, help=help_text)
