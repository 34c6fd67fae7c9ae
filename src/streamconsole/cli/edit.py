"""Commands that change a source and save: ``toggle`` and ``rotate``, through the Python API
(so they are audited like the console's edits)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from streamconsole.api import Console
from streamconsole.backends.base import KeyRetirement
from streamconsole.backends.key_files import KeyFileError, read_key_file
from streamconsole.backends.registry import open_source
from streamconsole.cli.common import (
    EXIT_OK,
    CommandError,
    command,
    read_stdin,
    safe,
    terminal_glyphs,
)
from streamconsole.core.edits import SetKey
from streamconsole.core.model import HARD_CUTOVER, Application, Config


def open_console(args: argparse.Namespace) -> Any:
    """An api.Console for a write command (audited as coming from the CLI); ``Any`` because
    rotate passes the key material as ``**{kind: text}``."""
    return Console(open_source(args.config, server=args.server), origin="cli")


def switches(args: argparse.Namespace) -> dict[str, bool]:
    """The ``--publish``/``--play`` switches given, as keyword arguments of Console.toggle."""
    given = {"publish": args.publish, "play": args.play}
    return {direction: value == "on" for direction, value in given.items() if value is not None}


@command
def run_toggle(args: argparse.Namespace) -> int:
    if args.publish is None and args.play is None:
        raise CommandError("say --publish on|off and/or --play on|off")
    console = open_console(args)
    try:
        changes = console.toggle(args.scope, **switches(args))
        console.save()
    finally:
        console.close()
    for change in changes:
        print(safe(change.describe()))
    if not changes:
        print("nothing to change")
    return EXIT_OK


def _read_secret_input(args: argparse.Namespace) -> tuple[str, str] | None:
    """(kind, text) of the key material the arguments point at; never from argv itself."""
    if args.secret_env:
        value = os.environ.get(args.secret_env)
        if value is None:
            raise CommandError(f"environment variable {args.secret_env} is not set")
        return "secret", value
    if args.secret_stdin:
        prompt = f"the secret for {safe(args.scope)} (not shown): "
        return "secret", read_stdin(prompt, hidden=True).rstrip("\r\n")
    for kind, option, path in (
        ("secret", "--secret-file", args.secret_file),
        ("public_key", "--public-key", args.public_key),
        ("private_key", "--private-key-file", args.private_key_file),
    ):
        if path:
            text = _read_key_file(option, path, private=kind != "public_key")
            return kind, text.rstrip("\r\n") if kind == "secret" else text
    return None


def _read_key_file(option: str, path: str, *, private: bool) -> str:
    """A key file named by ``option``, with the checks a config's key files get."""

    def warn(message: str) -> None:
        print(f"warning: {option}: {safe(message)}", file=sys.stderr)

    try:
        return read_key_file(Path(path), path, private=private, warn=warn)
    except KeyFileError as error:
        raise CommandError(f"{option}: {safe(error)}") from None


def _replaces_a_key(config: Config, change: SetKey) -> tuple[Application, bool]:
    """The scope's application, and whether its server held a key before ``change`` (known
    here, or held by a server that never returns its keys)."""
    app, alias = config.resolve(change.scope)
    settings = alias.settings if alias is not None else app.settings
    held = settings is not None and bool(settings.remote_keys)
    return app, change.previous_fingerprint is not None or held


@command
def run_rotate(args: argparse.Namespace) -> int:
    material = _read_secret_input(args)
    if material is None and args.generate is None:
        raise CommandError(
            "give --generate ALG, --secret-file, --secret-env, --secret-stdin, "
            "--public-key or --private-key-file"
        )
    wanted = switches(args)
    console = open_console(args)
    try:
        if material is None:
            change = console.rotate(args.scope, generate=args.generate, rsa_bits=args.rsa_bits)
        else:
            kind, text = material
            change = console.rotate(args.scope, algorithm=args.algorithm, **{kind: text})
        # The switches go in the same save as the key: a THEOlive alias's first key turns
        # its token security on, so the key and play enforcement must land together.
        toggled = console.toggle(args.scope, **wanted) if wanted else []
        app, replaced = _replaces_a_key(console.config, change)
        console.save()
        guidance = None
        if replaced and isinstance(console.source, KeyRetirement):
            guidance = console.source.overlap_wait(console.config.settings.token_ttl)
    finally:
        console.close()
    old, arrow = change.previous_fingerprint or "none", terminal_glyphs().arrow
    new = f"{change.entry.fingerprint} ({change.entry.algorithm})"
    print(f"{safe(str(change.scope))}: {old} {arrow} {new}")
    if replaced and not app.kind.keeps_old_key:
        print(f"{safe(str(change.scope))}: {HARD_CUTOVER}")
    for switched in toggled:
        print(safe(switched.describe()))
    if change.entry.location:
        print(f"key written to {safe(change.entry.location)}")
    if guidance is not None:
        print(
            f"the old key stays installed beside the new one: {guidance}; then: streamconsole "
            f"retire {safe(args.scope)} OLD_KEY_ID --server {safe(args.server)} "
            f"(ids: streamconsole show {safe(args.scope)} --server {safe(args.server)})"
        )
    return EXIT_OK
