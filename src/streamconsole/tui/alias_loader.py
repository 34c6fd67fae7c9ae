"""What a remote source's listing leaves out, fetched once the list is on screen.

A remote source lists applications first (``aliases_loaded`` False) and fetches each one's
aliases on demand; a server that lists first (``ListsFirst``: Ant Media) leaves out their
settings too (``settings_loaded`` False), read before the aliases. The loader fetches

* the selected application's at once, in an exclusive worker: moving on cancels a fetch
  nobody waits for any more;
* the rest in one background worker, as many at a time as the server's profile allows (its
  ``concurrency``) less two lanes kept for the operator: what those on screen lack first
  (asked again after every fetch, so scrolling re-orders what is left), then every
  application's settings, then the aliases, in the config's order;

each application once: a fetch started by one worker is awaited, not repeated, by the
other. Over several servers each has a loader, and what is off screen waits (``hold``) until
every server has listed its applications or failed, or a while at most: one server's
background fetches must not slow another's listing on the same machine.

A failure stays on its application (``failures``; the source may also set
``Application.problem``) and never stops the others, except a refusal of the credentials:
that one is every application's, and more requests would only mean more logins (two failed
Ant Media logins lock the account), so nothing more is fetched until a refresh.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from textual.css.query import NoMatches
from textual.message import Message

from streamconsole.tui.failures import failure_text
from streamconsole.tui.terminal import glyphs_of
from streamconsole.tui.user_keys import key_of

if TYPE_CHECKING:
    from textual.app import App
    from textual.widget import Widget

    from streamconsole.backends.base import Source
    from streamconsole.core.model import Application, Config

# Lanes of the HTTP client (the profile's concurrency) the background leaves free, so that
# the selection and a save never wait behind it.
KEPT_FOR_THE_OPERATOR = 2
# While held, how often to look again at what is on screen (scrolled onto it meanwhile).
HELD_LOOK = 0.1  # seconds
_SELECTED = "aliases-selected"
_BACKGROUND = "aliases-background"


class AliasesArrived(Message):
    """A fetch of ``application``'s settings or aliases ended: they are in, or it failed
    (posted to the loader's host)."""

    def __init__(self, loader: AliasLoader, application: Application) -> None:
        self.loader = loader
        self.application = application
        super().__init__()


class AliasLoader:
    def __init__(
        self,
        host: App[None] | Widget,
        source: Source,
        config: Config,
        *,
        on_screen: Callable[[], Iterable[str]],
        hold: asyncio.Event | None = None,
    ) -> None:
        """``on_screen`` names the applications the operator sees; the rest waits until
        ``hold`` is set, if given. The ``host`` runs the workers, is told of each
        application whose fetch ended (:class:`AliasesArrived`) and shows the failures."""
        self._host = host
        self._source = source
        self._applications = config.applications
        self._on_screen = on_screen
        self._hold = hold
        self.failures: dict[str, str] = {}  # why an application's aliases are not loaded
        self._in_flight: dict[str, asyncio.Future[None]] = {}
        apps = self._applications.items()
        # In the config's order (a dict keeps it): what the background fetches after the screen.
        self._unread = {name: None for name, app in apps if not self.settings_read(app)}
        self._unsettled = {name: None for name, app in apps if not self.settled(app)}
        self._unreadable = {name for name, app in apps if app.problem}
        self._reported: set[str] = set()
        self._selected: str | None = None
        self.cancelled = False
        self._lanes = max(1, _concurrency(source) - KEPT_FOR_THE_OPERATOR)

    # --- state ----------------------------------------------------------------------------

    def settled(self, app: Application) -> bool:
        """Loaded, or known not to load (until a refresh)."""
        return app.aliases_loaded or bool(app.problem) or app.name in self.failures

    def settings_read(self, app: Application) -> bool:
        """Its settings are in, or known not to come (until a refresh)."""
        return app.settings_loaded or bool(app.problem) or app.name in self.failures

    @property
    def loading(self) -> int:
        """Applications whose aliases are still to come."""
        return len(self._unsettled)

    @property
    def unreadable(self) -> int:
        """Applications shown with a failure: unreadable settings or aliases not loaded."""
        return len(self._unreadable)

    # --- starting and stopping ------------------------------------------------------------

    def select(self, name: str) -> None:
        """The operator is on this application: fetch its aliases now."""
        app = self._applications.get(name)
        if app is None or self.cancelled or self.settled(app) or self._selected == name:
            return
        self._selected = name
        self._host.run_worker(
            self._fetch_selected(app), name=f"aliases of {name}", group=_SELECTED, exclusive=True
        )

    def start(self) -> None:
        """Fetch every application's aliases in the background, the most wanted first."""
        if self._unsettled and not self.cancelled:
            self._host.run_worker(
                self._background(), name="aliases", group=_BACKGROUND, exclusive=True
            )

    def cancel(self) -> None:
        """Stop fetching (a reload or another source replaces this one)."""
        self.cancelled = True
        for group in (_SELECTED, _BACKGROUND):
            self._host.workers.cancel_group(self._host, group)

    # --- workers --------------------------------------------------------------------------

    async def _fetch_selected(self, app: Application) -> None:
        try:
            await self._ensure(app)
        finally:
            if self._selected == app.name:
                self._selected = None
        self.report([app])

    async def _background(self) -> None:
        started: set[tuple[str, bool]] = set()  # (name, with its aliases)
        running: set[asyncio.Task[None]] = set()
        try:
            while True:
                for app, aliases in self._wanted(started, self._lanes - len(running)):
                    started.add((app.name, aliases))
                    running.add(asyncio.create_task(self._ensure(app, aliases=aliases)))
                if running:
                    _, running = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
                elif self._unsettled and (hold := self._holding()) is not None:
                    # Until it ends, or to see what scrolled onto the screen meanwhile.
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(hold.wait(), HELD_LOOK)
                else:
                    break
        finally:
            for task in running:
                task.cancel()
            if running:
                await asyncio.wait(running)
        self.report([self._applications[name] for name, _ in started])

    def _seen(self) -> list[str]:
        """The applications on screen; none once the screen is gone: a console that quits
        removes its screens before it stops these workers, and a fetch may end in between."""
        try:
            return list(self._on_screen())
        except NoMatches:
            return []

    def _holding(self) -> asyncio.Event | None:
        """The hold that off-screen fetches wait for, while it lasts."""
        hold = self._hold
        return hold if hold is not None and not hold.is_set() else None

    def _wanted(self, started: set[tuple[str, bool]], count: int) -> list[tuple[Application, bool]]:
        """Up to ``count`` fetches not started yet, in the wanted order: an application, and
        whether its aliases too (else its settings only)."""
        wanted: dict[str, tuple[Application, bool]] = {}
        off_screen = (
            ()
            if self._holding() is not None
            else itertools.chain(
                ((name, False) for name in self._unread),
                ((name, True) for name in self._unsettled),
            )
        )
        candidates = itertools.chain(((name, True) for name in self._seen()), off_screen)
        for name, aliases in candidates if count > 0 else ():
            app = self._applications.get(name)
            if app is None or name in wanted or {(name, aliases), (name, True)} & started:
                continue
            if self.settled(app) if aliases else self.settings_read(app):
                continue
            wanted[name] = (app, aliases)
            if len(wanted) == count:
                break
        return list(wanted.values())

    async def _ensure(self, app: Application, *, aliases: bool = True) -> None:
        """Fetch what ``app`` lacks: its settings, and its aliases unless ``aliases`` is
        False."""
        while not (self.settled(app) if aliases else self.settings_read(app)):
            running = self._in_flight.get(app.name)
            if running is not None:  # the other worker fetches it: wait for that
                await asyncio.wait({running})
                continue
            done = asyncio.get_running_loop().create_future()
            self._in_flight[app.name] = done
            try:
                await self._fetch(app, aliases=aliases)
            finally:
                del self._in_flight[app.name]
                done.set_result(None)

    async def _fetch(self, app: Application, *, aliases: bool) -> None:
        # Here: backends.base pulls in the core, which importing the app must not.
        from streamconsole.backends.base import AuthError, ListsFirst

        try:
            if not self.settings_read(app) and isinstance(self._source, ListsFirst):
                await self._source.load_settings(app)
            if not self.settings_read(app):
                self._failed(app, "the source returned without the settings")
            elif aliases and not self.settled(app):
                await self._source.load_aliases(app)
                if not self.settled(app):
                    self._failed(app, "the source returned without the aliases")
        except AuthError as error:
            self._failed(app, failure_text(error))
            self._refused(failure_text(error))
        except Exception as error:  # one application's failure never breaks the list
            self._failed(app, failure_text(error))
        if self.settings_read(app):
            self._unread.pop(app.name, None)
        if self.settled(app):
            self._unsettled.pop(app.name, None)
        if app.problem or app.name in self.failures:
            self._unreadable.add(app.name)
        self._arrived(app)

    def _failed(self, app: Application, reason: str) -> None:
        self.failures[app.name] = reason
        if not app.settings_loaded and not app.problem:
            # Its settings failed, not only its aliases: it is unreadable, as when the
            # source says so (its row and detail show why, edits are refused).
            app.problem = reason

    def _arrived(self, app: Application) -> None:
        if not self.cancelled:
            self._host.post_message(AliasesArrived(self, app))

    def _refused(self, reason: str) -> None:
        """The server refused the credentials: every application still to come fails with
        that (none is fetched any more; those in flight end on their own)."""
        given_up = [name for name in self._unsettled if name not in self._in_flight]
        for name in given_up:
            self._failed(self._applications[name], f"not fetched: {reason}")
            self._unsettled.pop(name)
            self._unread.pop(name, None)
            self._unreadable.add(name)
            self._arrived(self._applications[name])
        self.report([self._applications[name] for name in given_up])

    def report(self, apps: list[Application]) -> None:
        """Tell of the failures among ``apps`` not told before."""
        failed = [
            app
            for app in apps
            if (app.problem or app.name in self.failures) and app.name not in self._reported
        ]
        self._reported.update(app.name for app in failed)
        if not failed or self.cancelled:
            return
        if len(failed) == 1:
            app = failed[0]
            message = f"{app.name}: {app.problem or self.failures.get(app.name, '')}"
        else:
            message = f"{len(failed)} applications could not be read completely."
        self._host.notify(
            f"{message}\nMarked {glyphs_of(self._host).failed} in the list; refresh "
            f"({key_of(self._host, 'reload')}) to try again.",
            title="Not loaded",
            severity="warning",
        )


def _concurrency(source: Source) -> int:
    """The requests ``source`` may have in flight at once: its server profile's."""
    # Here: backends.base pulls in the core, which importing the app must not.
    from streamconsole.backends.base import OnServer
    from streamconsole.core.model import DEFAULT_CONCURRENCY

    return source.profile.concurrency if isinstance(source, OnServer) else DEFAULT_CONCURRENCY


def loader_for(
    host: App[None] | Widget,
    source: Source,
    config: Config,
    on_screen: Callable[[], Iterable[str]],
    hold: asyncio.Event | None = None,
) -> AliasLoader | None:
    """A loader for a newly loaded ``config``, when some application's settings or aliases
    are still to come (or its settings failed); None for a file, which has them all."""
    if all(app.aliases_loaded and not app.problem for app in config.applications.values()):
        return None
    return AliasLoader(host, source, config, on_screen=on_screen, hold=hold)
