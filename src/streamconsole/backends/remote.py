"""What both remote sources (Ant Media Server, THEOlive) are beyond the :class:`Source`
protocol: a server profile, a signed-in user and one HTTP client, closed with the source."""

from __future__ import annotations

from streamconsole.backends.base import Closable, remote_status
from streamconsole.backends.http import HttpClient
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
