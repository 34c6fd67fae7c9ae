"""What both remote sources (Ant Media Server, THEOlive) are beyond the :class:`Source`
protocol: a server profile, a signed-in user and one HTTP client, closed with the source; a
save carried out step by step (:func:`run_steps`), and at most ``max_items`` entries read
from one listing (:class:`ItemLimit`). Here, not in :mod:`.base`: a command that reads a file
builds none of these dataclasses (~1 ms each to build)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from streamconsole.backends.base import (
    ChangeRefused,
    Closable,
    PartialApplyError,
    RemoteError,
    SourceError,
    remote_status,
)
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


@dataclass(frozen=True, slots=True)
class Step:
    """One write of a save, described for the operator (an application, or one change)."""

    description: str
    run: Callable[[], Awaitable[None]]


async def run_steps(steps: Sequence[Step]) -> None:
    """Carry out ``steps`` in order, stopping at the first that fails. A failure after the
    first step is a PartialApplyError saying what was applied and what was not; before it,
    the error itself (nothing was written)."""
    applied: list[str] = []
    for index, step in enumerate(steps):
        try:
            await step.run()
        except SourceError as error:
            if not applied:
                raise
            pending = [s.description for s in steps[index:]]
            raise PartialApplyError(
                f"{error}. Already applied: {'; '.join(applied)}; not applied: "
                f"{'; '.join(pending)}",
                applied,
                step.description,
            ) from None
        applied.append(step.description)


@dataclass(frozen=True, slots=True)
class ItemLimit:
    """At most ``limit`` entries in one listing of server ``server`` (``max_items``): a
    listing past it is refused, not read (600,000 names once took a listing to 1.7 GB)."""

    server: str
    limit: int

    def check(self, count: int, what: str) -> None:
        if count > self.limit:
            raise RemoteError(
                f"{what}: the server lists more than {self.limit:,}, the most that "
                f"max_items of server {self.server!r} lets this console read; stopped. "
                f"Raise max_items in [servers.{self.server}] to read them all"
            )
