"""Loading the source's config off the UI thread, while the first screen is being built.

:class:`ConfigLoader` reads the source in a worker and, once the main screen is up, posts
:class:`ConfigLoaded` or :class:`LoadFailed` to its host (the app); a newer load cancels an
older one. A server that lists first (:class:`~streamconsole.backends.base.ListsFirst`) is
shown from its listing; a refresh reads everything, and hands on what it changed
(:mod:`streamconsole.core.config_changes`), worked out in a thread. A load makes several
objects per alias and no cycles worth collecting, so the garbage collector is off while it
runs; a big config is kept out of every collection from then on, for as long as it is shown.
"""

from __future__ import annotations

import asyncio
import gc
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from textual.app import App

    from streamconsole.backends.base import Source
    from streamconsole.core.config_changes import ConfigChanges
    from streamconsole.core.model import Config, ScopeRef

FREEZE_ALIASES = 10_000


class ConfigLoaded(Message):
    """The load of ``source`` ended with ``config``."""

    def __init__(
        self,
        source: Source,
        config: Config,
        keep: ScopeRef | None,
        expanded: frozenset[str],
        changes: ConfigChanges | None = None,
    ) -> None:
        self.source = source
        self.config = config
        self.keep = keep  # the scope to put the cursor on
        self.expanded = expanded  # the applications to open
        self.changes = changes  # what a refresh changed (None: a first load)
        super().__init__()


class LoadFailed(Message):
    """The load of ``source`` failed."""

    def __init__(self, source: Source, error: Exception) -> None:
        self.source = source
        self.error = error
        super().__init__()


async def _changes(previous: Config, config: Config) -> ConfigChanges:
    """What a refresh changed, worked out in a thread: at 100k aliases it takes a while."""
    # Imported on a refresh only: start-up time.
    from streamconsole.core.config_changes import config_changes

    return await asyncio.to_thread(config_changes, previous, config)


async def _read(source: Source, *, first: bool) -> Config:
    """The source's config; a server's first listing as soon as it names its applications
    (their settings follow: :mod:`.alias_loader`). A refresh reads everything, as it says
    what changed."""
    # Here, not at the top: the backends are imported once the load has begun (start-up).
    from streamconsole.backends.base import first_listing

    return await (first_listing(source) if first else source.load())


def _check_keymap(config: Config) -> None:
    """A keymap naming no binding, or putting two on one key, fails the load as the rest of
    a config's errors do: a key that silently does something else is worse."""
    # Here, not at the top: the backends are imported once the load has begun (start-up).
    from streamconsole.backends.base import ConfigError
    from streamconsole.tui.keymap import keymap_problems

    problems = keymap_problems(config.settings.keys)
    if problems:
        raise ConfigError(problems)


class ConfigLoader:
    def __init__(self, host: App[None], screen_ready: asyncio.Event) -> None:
        """``host`` runs the worker and is told; ``screen_ready`` is set once the screen
        that shows the outcome is mounted."""
        self._host = host
        self._screen_ready = screen_ready
        self._froze_config = False

    def load(
        self,
        source: Source,
        keep: ScopeRef | None = None,
        expanded: frozenset[str] = frozenset(),
        previous: Config | None = None,
    ) -> None:
        """Load ``source``; ``keep``, ``expanded`` and ``previous`` are the cursor's scope,
        the open applications and the config shown before a refresh, handed on with the
        config."""
        work = self._load(source, keep, expanded, previous)
        self._host.run_worker(work, group="load", exclusive=True)

    async def _load(
        self,
        source: Source,
        keep: ScopeRef | None,
        expanded: frozenset[str],
        previous: Config | None,
    ) -> None:
        if self._froze_config:  # the frozen config is garbage once this load replaces it
            gc.unfreeze()
            self._froze_config = False
        collecting = gc.isenabled()
        gc.disable()  # a load makes several objects per alias and no cycles worth collecting
        try:
            config = await _read(source, first=previous is None)
            _check_keymap(config)
        except Exception as error:  # a broken config, the network, a bug: no traceback
            outcome: Message = LoadFailed(source, error)
        else:
            changes = None if previous is None else await _changes(previous, config)
            outcome = ConfigLoaded(source, config, keep, expanded, changes)
            if config.alias_count >= FREEZE_ALIASES:
                # The config lives as long as it is shown. Frozen before the collector is
                # back on: the first collection would walk every object the load made (~40 ms
                # at 100k aliases, between the load and the list), and each full one ~100 ms.
                gc.freeze()
                self._froze_config = True
        finally:
            if collecting:
                gc.enable()
        await self._screen_ready.wait()
        self._host.post_message(outcome)

    def shown(self) -> None:
        """The loaded config is on screen: what the screen made for a frozen one (its index
        of every alias) is frozen with it, out of the full collections a filter's keystrokes
        set off (at 100k aliases each would walk it: ~40 ms more)."""
        if self._froze_config:
            gc.freeze()
