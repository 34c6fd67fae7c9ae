"""``streamconsole CONFIG``: the console (TUI), on a config file, one of its servers, or
several of them in one tree (``--server`` given several times, or ``--all-servers``)."""

from __future__ import annotations

import argparse
import os
import sys

from streamconsole.backends.base import ConfigError, Source, SourceError
from streamconsole.backends.registry import open_source
from streamconsole.backends.toml_file import TomlSource
from streamconsole.backends.user_settings import SettingsFile, settings_path
from streamconsole.cli.common import EXIT_USAGE, close, run_async
from streamconsole.core.fleet import UnknownServer, select_servers
from streamconsole.core.glyphs import glyphs_for
from streamconsole.core.text import counted
from streamconsole.tui.app import StreamConsoleApp
from streamconsole.tui.sources import SourceOpener


def _not_terminals() -> list[str]:
    """Which of stdin, stdout and stderr is not a terminal. Keys come from stdin and Textual
    draws on stderr: elsewhere, the console would wait for keys that never come, or draw
    into a file; a stdout elsewhere is a pipe or a file that expects text, not a screen."""
    streams = {"stdin": sys.stdin, "stdout": sys.stdout, "stderr": sys.stderr}
    return [name for name, stream in streams.items() if stream is None or not stream.isatty()]


def console_app(
    args: argparse.Namespace, source: Source, *, term: str | None, servers: tuple[str, ...] = ()
) -> StreamConsoleApp:
    """The console on ``source`` as ``args`` ask, in a terminal of type ``term`` (None: a
    browser, which draws every symbol). ``servers``: those chosen (``--server`` several
    times, ``--all-servers``): two or more in one tree, ``source`` their config file; one
    alone as with one ``--server``. The user's own settings file is read here, once:
    ASCII only is asked for with --ascii or there (``ascii = true``: a preference of the
    terminal at hand, not of the config others share); the app takes their theme and keys."""
    settings = SettingsFile(settings_path()).read()
    server = servers[0] if len(servers) == 1 else args.server
    return StreamConsoleApp(
        source,
        read_only=args.read_only,
        theme=args.theme,
        opener=SourceOpener(args.config, read_only=args.read_only),
        server=None if len(servers) > 1 else server,
        glyphs=glyphs_for(term, ascii=args.ascii or settings.ascii),
        settings=settings,
        servers=servers,
    )


def run_console(args: argparse.Namespace) -> int:
    if not args.config.is_file():
        print(f"error: {args.config}: no such file", file=sys.stderr)
        return EXIT_USAGE
    servers: tuple[str, ...] = ()
    source: Source
    try:
        if args.all_servers or len(args.servers) > 1:  # one tree, a row per server
            local = TomlSource(args.config, read_only=args.read_only)
            configured, source = tuple(local.load_sync().servers), local
            servers = select_servers(configured, args.servers, all_servers=args.all_servers)
        if len(servers) < 2:  # one alone: all of them, and there is one; or one named twice
            server = servers[0] if servers else args.server
            source = open_source(args.config, server=server, read_only=args.read_only)
    except ConfigError as error:  # only with servers: the file's own errors show in the UI
        errors = counted(sum(not p.warning for p in error.problems), "error")
        print(
            f"error: {args.config}: {errors}; run: streamconsole check {args.config}",
            file=sys.stderr,
        )
        return EXIT_USAGE
    except (SourceError, UnknownServer) as error:  # e.g. an unknown server, no credentials
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    # Another front end (serve: the browser) sets TEXTUAL_DRIVER: it needs no terminal, and
    # it draws every symbol, whatever TERM the server has.
    in_a_browser = "TEXTUAL_DRIVER" in os.environ
    if not in_a_browser and (streams := _not_terminals()):
        run_async(lambda: close(source))
        listed = " and ".join([", ".join(streams[:-1]), streams[-1]] if streams[1:] else streams)
        print(
            f"error: the console runs in a terminal, but {listed} "
            f"{'is not one' if len(streams) == 1 else 'are not'}. In a script or a pipe, use "
            "the commands (streamconsole list, show, ...: streamconsole help lists them)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    term = None if in_a_browser else os.environ.get("TERM")
    app = console_app(args, source, term=term, servers=servers)
    app.run()
    return app.return_code or 0
