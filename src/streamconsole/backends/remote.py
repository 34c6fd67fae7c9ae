"""What both remote sources (Ant Media Server, THEOlive) are beyond the :class:`Source`
protocol: a server profile, a signed-in user and one HTTP client, closed with the source."""

from __future__ import annotations

from collections.abc import Sequence

from streamconsole.backends.base import ChangeRefused, Closable, remote_status
from streamconsole.backends.http import HttpClient
from streamconsole.core.edits import Change, ScopeChange, SetTheme
from streamconsole.core.model import ServerProfile


class RemoteSource(Closable):
    """The status line's ``profile · user · latency``, the read-only switch and closing.
    A subclass sets ``profile``, ``user``, ``http`` and ``_read_only`` in ``__init__``."""

    profile: ServerProfile
    user: str
    http: HttpClient
    _read_only: bool

    @property
    def name(self) -> str:
        return self.profile.name

    @property
    def status(self) -> str:
        return remote_status(self.profile.name, self.user, self.http.last_latency)

    @property
    def read_only(self) -> bool:
        return self._read_only

    async def aclose(self) -> None:
        await self.http.aclose()

    def scope_changes(self, changes: Sequence[Change]) -> list[ScopeChange]:
        """``changes``, each an edit of a scope; a server holds no ``[console]`` settings, so
        a theme for them is refused, and nothing is written."""
        if any(isinstance(change, SetTheme) for change in changes):
            raise ChangeRefused(
                f"{self.name} keeps no console settings: the config's theme is saved in the "
                "config file; nothing was written"
            )
        return [change for change in changes if not isinstance(change, SetTheme)]
