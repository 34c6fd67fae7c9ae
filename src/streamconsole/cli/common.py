"""What every headless command shares: exit codes, typed errors turned into a message and an
exit code, JSON and inert text on stdout, running a coroutine, opening the named source."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from streamconsole.core.errors import StreamconsoleError
from streamconsole.core.text import inert

if TYPE_CHECKING:
    from streamconsole.backends.base import Source
    from streamconsole.core.glyphs import Glyphs
    from streamconsole.core.model import Config, ScopeRef

EXIT_OK = 0
EXIT_REJECTED = 1
EXIT_USAGE = 2
EXIT_REMOTE = 3

T = TypeVar("T")


class CommandError(Exception):
    """Ends a command with a message on stderr and an exit code."""

    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.code = code


def now_utc() -> datetime:
    return datetime.now(UTC)


def emit(data: Any) -> None:
    import json  # --json only: a table needs none of it (issue 15)

    print(json.dumps(data, indent=2, ensure_ascii=True, default=str))


def safe(text: object) -> str:
    """Untrusted text (names, claims, server replies) made inert for a terminal."""
    return inert(str(text))


def terminal_glyphs(*, ascii: bool = False) -> Glyphs:
    """The glyphs the terminal (``$TERM``) can show: ASCII on the Linux console."""
    from streamconsole.core.glyphs import glyphs_for  # late: only commands that draw marks

    return glyphs_for(os.environ.get("TERM"), ascii=ascii)


def read_stdin(prompt: str, *, hidden: bool = False, limit: int = -1) -> str:
    """What stdin holds. From a pipe or a file: the stream (up to ``limit`` characters). On
    a terminal: one line typed after ``prompt`` on stderr, not echoed when ``hidden`` (a
    secret on screen stays in the scrollback and over the shoulder); Ctrl-D gives ""."""
    if not sys.stdin.isatty():
        return sys.stdin.read(limit)
    if hidden:
        import getpass

        try:
            return getpass.getpass(prompt)
        except EOFError:
            return ""
    print(prompt, end="", file=sys.stderr, flush=True)
    return sys.stdin.readline(limit)


@contextmanager
def reported_errors() -> Iterator[None]:
    """Typed errors become a message and an exit code; nothing else is caught."""
    try:
        yield
    except StreamconsoleError as error:  # every typed error, whichever layer raised it
        raise _command_error(error) from None


def _command_error(error: StreamconsoleError) -> CommandError:
    # Imported once an error was raised, not before: --version and --help load no backend.
    from streamconsole.backends.base import ConfigError, RemoteError

    if isinstance(error, ConfigError):
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return CommandError("the config has errors; run 'streamconsole check'")
    if isinstance(error, RemoteError):
        return CommandError(f"remote error: {error}", EXIT_REMOTE)
    return CommandError(str(error))


def command(run: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Map CommandError (and typed errors) to stderr and an exit code."""

    def wrapped(args: argparse.Namespace) -> int:
        try:
            with reported_errors():
                return run(args)
        except CommandError as error:
            print(f"error: {error}", file=sys.stderr)
            return error.code

    wrapped.__doc__ = run.__doc__
    return wrapped


def run_async(make: Callable[[], Awaitable[T]]) -> T:
    # asyncio imported here, not at the top: a command on the file needs no event loop, and
    # asyncio alone costs more than Python's own start-up.
    import asyncio

    # Handed out of the task, not its result: on Python 3.11 asyncio.run formats its main task,
    # result included, when it puts the SIGINT handler back (twice; a 100k-alias config's repr
    # costs ~0.2 s).
    results: list[T] = []

    async def runner() -> None:
        results.append(await make())

    asyncio.run(runner())
    return results[0]


def read_file(args: argparse.Namespace) -> Config:
    """The config file itself (no ``--server``), read-only: read in this thread, with every
    alias loaded with it, so that no event loop is started for it."""
    # Here, not at the top: decode without --against shares this module and reads no config.
    from streamconsole.backends.toml_file import TomlSource

    return TomlSource(args.config, read_only=True).load_sync()


async def open_loaded(args: argparse.Namespace, *, aliases: bool = True) -> tuple[Source, Config]:
    """Open the source the arguments name, read-only (the commands that call this only
    read), and load it (remote aliases too, if asked, of the applications it could read).
    The file itself needs none of this: :func:`read_file`."""
    import asyncio  # late, as in run_async (which started the loop this runs in)

    # Here, not at the top: decode without --against shares this module and reads no config.
    from streamconsole.backends.registry import open_source
    from streamconsole.core.fleet import every_alias

    source = open_source(args.config, server=args.server, read_only=True)
    config = await source.load()
    if aliases:
        await asyncio.gather(*(source.load_aliases(app) for app in every_alias(config)))
    return source, config


async def close(source: Source) -> None:
    await source.aclose()


def load_scope(args: argparse.Namespace, text: str) -> tuple[Config, ScopeRef]:
    """Load the source and the scope named by ``text``: its application must exist, and
    for an alias the application's aliases are fetched (a remote source lists them lazily)
    unless the application itself could not be read (``Application.problem``)."""
    # Here, not at the top: decode without --against shares this module and reads no config.
    from streamconsole.core.model import ScopeRef

    if args.server is None:  # the file: its aliases are loaded with it
        config = read_file(args)
        ref = ScopeRef.parse(text)
        config.resolve(ScopeRef(ref.application))
        return config, ref

    async def load() -> tuple[Config, ScopeRef]:
        source, config = await open_loaded(args, aliases=False)
        try:
            ref = ScopeRef.parse(text)
            app, _ = config.resolve(ScopeRef(ref.application))
            if ref.alias is not None and not app.problem:
                await source.load_aliases(app)
        finally:
            await close(source)
        return config, ref

    return run_async(load)
