"""``streamconsole CONFIG``: the console (TUI), on a config file or one of its servers."""

from __future__ import annotations

import argparse
import sys

from streamconsole.backends.base import ConfigError, SourceError
from streamconsole.backends.registry import open_source
from streamconsole.cli.common import EXIT_USAGE
from streamconsole.tui.app import run_console as run_app
from streamconsole.tui.sources import SourceOpener


def run_console(args: argparse.Namespace) -> int:
    if not args.config.is_file():
        print(f"error: {args.config}: no such file", file=sys.stderr)
        return EXIT_USAGE
    try:
        source = open_source(args.config, server=args.server, read_only=args.read_only)
    except ConfigError as error:  # only with --server: the file's own errors show in the UI
        errors = sum(not p.warning for p in error.problems)
        print(
            f"error: {args.config}: {errors} error(s); run: streamconsole check {args.config}",
            file=sys.stderr,
        )
        return EXIT_USAGE
    except SourceError as error:  # e.g. an unknown server, or credentials not set
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    opener = SourceOpener(args.config, read_only=args.read_only)
    return run_app(
        source, read_only=args.read_only, theme=args.theme, opener=opener, server=args.server
    )
