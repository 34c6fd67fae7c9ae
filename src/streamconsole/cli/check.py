"""``streamconsole check CONFIG``: every problem of a config, with its place; and, as
warnings, what the console would not use of the user's own settings file with it (a key
of their ``[keys]`` that names no binding or clashes with this config's keys)."""

from __future__ import annotations

import argparse
import sys

from streamconsole.backends.base import ConfigError, SourceError
from streamconsole.backends.toml_file import TomlSource
from streamconsole.backends.user_settings import SettingsFile, settings_path
from streamconsole.cli.common import EXIT_OK, EXIT_USAGE, now_utc
from streamconsole.core.text import counted
from streamconsole.tui.keymap import keymap_problems, with_own_keys


def run_check(args: argparse.Namespace) -> int:
    source = TomlSource(args.config, read_only=True)
    try:
        config = source.load_sync()
    except ConfigError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        errors = sum(not p.warning for p in error.problems)
        print(f"{args.config}: {counted(errors, 'error')}", file=sys.stderr)
        return EXIT_USAGE
    except SourceError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    keymap = config.settings.keys
    lines = source.lines_of([("console", "keys", binding_id) for binding_id in keymap])
    keymap_lines = {path[-1]: line for path, line in lines.items()}
    problems = keymap_problems(keymap, args.config, keymap_lines)
    for problem in sorted(problems, key=lambda problem: problem.line or 0):
        print(problem, file=sys.stderr)
    if problems:
        print(f"{args.config}: {len(problems)} error(s)", file=sys.stderr)
        return EXIT_USAGE
    own = SettingsFile(settings_path()).read()
    _, own_keys = with_own_keys(keymap, own)
    warnings = [*source.warnings, *source.scope_warnings(config, now_utc())]
    warnings += [*own.problems, *own_keys]  # the console's warnings too: it starts anyway
    for problem in warnings:
        print(problem, file=sys.stderr)
    print(
        f"{args.config}: ok: {counted(len(config.applications), 'application')}, "
        f"{counted(config.alias_count, 'alias')}, {counted(len(config.servers), 'server')}, "
        f"{counted(len(warnings), 'warning')}"
    )
    return EXIT_OK
