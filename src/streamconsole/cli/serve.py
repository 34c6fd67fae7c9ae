"""``streamconsole serve``: the console in a web browser, behind a per-run token."""

from __future__ import annotations

import argparse
import shlex
import sys

from streamconsole.cli.common import EXIT_OK, CommandError, command
from streamconsole.web import serve_console

LOOPBACK = ("127.0.0.1", "localhost", "::1")


@command
def run_serve(args: argparse.Namespace) -> int:
    if args.host not in LOOPBACK:
        print(
            f"warning: serving on {args.host} over plain HTTP: anyone who can watch this "
            "network can read the URL's token and use the console. Prefer the default "
            "127.0.0.1 with 'ssh -L'.",
            file=sys.stderr,
        )
    if not args.config.is_file():
        raise CommandError(f"{args.config}: no such file")
    console = [sys.executable, "-m", "streamconsole", str(args.config.resolve())]
    if args.read_only:
        console.append("--read-only")
    serve_console(shlex.join(console), host=args.host, port=args.port)
    return EXIT_OK
