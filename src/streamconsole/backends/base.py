"""The one small interface every source implements, its optional abilities and its typed
errors (a remote save's steps are :mod:`.remote`'s)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, Self, runtime_checkable

from streamconsole.core.errors import StreamconsoleError
from streamconsole.core.model import Application, Config, ScopeRef, ServerProfile
from streamconsole.core.record import FrozenRecord
from streamconsole.core.text import inert

if TYPE_CHECKING:  # annotations only: a command that reads a source builds no edit classes
    from streamconsole.core.edits import Change

# What finds a problem's line when it is first asked (see :attr:`Problem.line`).
LineFinder = Callable[[], int | None]


class Problem(FrozenRecord):
    """One thing wrong (or worth a warning) in a config, with its place."""

    __slots__ = ("at_line", "file", "message", "path", "warning")
    message: str
    path: str  # dotted key path, e.g. applications.LiveApp.key.key_file
    file: Path | None
    at_line: int | LineFinder | None  # the line, or what finds it (see `line`)
    warning: bool

    def __init__(
        self,
        message: str,
        path: str = "",
        file: Path | None = None,
        at_line: int | LineFinder | None = None,
        warning: bool = False,
    ) -> None:
        set_field = object.__setattr__
        set_field(self, "message", message)
        set_field(self, "path", path)
        set_field(self, "file", file)
        set_field(self, "at_line", at_line)
        set_field(self, "warning", warning)

    @property
    def line(self) -> int | None:
        """The 1-based line in ``file``, if known. A config's reader hands a finder that
        locates all of one read's problems in one pass over the text when the first is asked:
        ``check`` and every message ask; the console, which shows key paths, does not, and a
        100k-alias file is not scanned for it."""
        return self.at_line() if callable(self.at_line) else self.at_line

    def _key(self) -> tuple[str, str, Path | None, int | None, bool]:
        # The located line, not what finds it (each read hands out finders of its own).
        return (self.message, self.path, self.file, self.line, self.warning)

    def as_warning(self) -> Problem:
        """This problem, reported as a warning."""
        return Problem(self.message, self.path, self.file, self.at_line, warning=True)

    def __str__(self) -> str:
        place = str(self.file) if self.file else ""
        if self.line is not None:
            place += f":{self.line}"
        if self.path:
            place += f": {self.path}" if place else self.path
        level = "warning" if self.warning else "error"
        # Names in paths and messages come from the file (or a server's export of it):
        # an escape sequence or bidi override in them must not reach the terminal.
        return inert(f"{place}: {level}: {self.message}" if place else f"{level}: {self.message}")


def scope_path(application: str, alias: str | None = None) -> str:
    """A :class:`Problem`'s ``path`` when it is about one scope, as a config file's key path
    names it (``applications.NAME``, ``applications.NAME.aliases.ALIAS``): the console shows
    it in that scope's detail, and its row's, only. A server's source names its scopes so
    too; any other path is about the whole source, shown with every scope."""
    path = f"applications.{application}"
    return path if alias is None else f"{path}.aliases.{alias}"


class SourceError(StreamconsoleError):
    """A source could not be read or written; nothing was half-written."""


class ConfigError(SourceError):
    """The config has one or more errors; ``problems`` lists each with its place."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class ConflictError(SourceError):
    """The data changed under us (file on disk, settings on the server): nothing written."""


class ReadOnlyError(SourceError):
    """A write was attempted on a read-only source."""


class ChangeRefused(SourceError):
    """A change the server cannot make as asked, or not without cutting viewers off; nothing
    was written, and the message says what to do instead."""


class RemoteError(SourceError):
    """A server answered with an error, or could not be reached. Nothing was half-written."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status

    @property
    def transient(self) -> bool:
        """Worth trying again as it is: no clear answer (no status: unreachable, cut off),
        server trouble (5xx) or too many requests (429). A refusal is not: what it names
        has to change first."""
        return self.status is None or self.status >= 500 or self.status == 429


class AuthError(RemoteError):
    """The server refused our credentials (401/403, or a failed login)."""

    @property
    def transient(self) -> bool:
        return False


class RemoteTimeout(RemoteError):
    """The server did not answer in time."""


class PartialApplyError(RemoteError):
    """Some of a save's changes were made and one failed; ``applied`` and ``failed`` say which
    (application names on Ant Media, change descriptions on THEOlive)."""

    def __init__(self, message: str, applied: Sequence[str], failed: str) -> None:
        super().__init__(message)
        self.applied = tuple(applied)
        self.failed = failed


def remote_status(profile: str, user: str, latency: float | None) -> str:
    """``profile · user · N ms``; without the latency before the first request."""
    parts = [profile, user]
    if latency is not None:
        parts.append(f"{round(latency * 1000)} ms")
    return inert(" · ".join(parts))


class Source(Protocol):
    """Where applications come from and where edits go.

    What only some sources can do is an ability of its own below (:class:`KeyRetirement`,
    :class:`ConsoleDefaults`): callers ask ``isinstance(source, KeyRetirement)``.
    """

    @property
    def name(self) -> str:
        """Names the source in messages and the audit log: a file path or a server profile."""
        ...

    @property
    def status(self) -> str:
        """A short plain line describing the source: the file path, or the server profile,
        user and latency of the last request (see :func:`remote_status`)."""
        ...

    @property
    def read_only(self) -> bool: ...

    @property
    def warnings(self) -> tuple[Problem, ...]:
        """Non-fatal problems found by the last load."""
        ...

    async def load(self) -> Config:
        """Read everything; raises ConfigError or SourceError."""
        ...

    async def apply(self, changes: Sequence[Change]) -> None:
        """Persist edits made with :mod:`streamconsole.core.edits`, all or nothing."""
        ...

    async def load_aliases(self, app: Application) -> None:
        """Fill ``app.aliases`` where ``app.aliases_loaded`` is False (remote sources)."""
        ...

    async def aclose(self) -> None:
        """Release what the source holds open (a server's connections)."""
        ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(self, *exc_info: object) -> None: ...


class Closable:
    """What makes a source an async context manager: ``async with open_source(...) as
    source:`` closes it on the way out, also when the body raised. A source that holds
    something open (an HTTP client) overrides :meth:`aclose`."""

    async def aclose(self) -> None:
        """A file source holds nothing open between calls."""

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


@runtime_checkable
class KeyRetirement(Protocol):
    """A server that holds two keys per scope during a rotation (THEOlive): the new key is
    added beside the old one, which is retired by id once its tokens have expired."""

    async def retire_key(self, scope: ScopeRef, key_id: str, *, turn_off: bool = False) -> None:
        """Delete one key by id; the last one only with ``turn_off`` (security off)."""
        ...

    def overlap_wait(self, ttl_seconds: int) -> str:
        """How long the old and new keys must both be installed, for the operator."""
        ...


@runtime_checkable
class ChangePreview(Protocol):
    """A source that can say, before anything is written, which changes it would refuse:
    what ``plan`` shows, so that a plan never promises what ``apply`` cannot carry out."""

    async def refusals(self, changes: Sequence[Change]) -> list[str]:
        """Why each refused change would be refused (none: all would be tried); reads only."""
        ...


@runtime_checkable
class ListsFirst(Protocol):
    """A server whose listing answers long before every application's settings are read
    (Ant Media: one request per application). The console shows the listing at once and
    reads the settings in the background; :meth:`Source.load` reads both before it answers."""

    async def list_applications(self) -> Config:
        """The applications by name, ``settings_loaded`` False (nothing else read yet)."""
        ...

    async def load_settings(self, app: Application) -> None:
        """Read ``app``'s settings: ``settings_loaded`` set, or ``problem`` says why not;
        AuthError propagates (every application's, not this one's)."""
        ...


async def first_listing(source: Source) -> Config:
    """What a console shows first: a server that lists first (:class:`ListsFirst`) as soon
    as it names its applications, their settings still to read; any other source whole."""
    if isinstance(source, ListsFirst):
        return await source.list_applications()
    return await source.load()


@runtime_checkable
class OnServer(Protocol):
    """A source on a ``[servers.NAME]`` profile: the server whose delivery endpoints (where
    players fetch streams) a probe can ask."""

    profile: ServerProfile


@runtime_checkable
class ConsoleDefaults(Protocol):
    """A source that holds the ``[console]`` settings everyone who opens it starts with (the
    config file): a :class:`~streamconsole.core.edits.SetTheme` can be saved there."""

    @property
    def defaults_place(self) -> str:
        """Where those settings are, for messages: the file."""
        ...
