"""``diff``: the drift between two servers (``--server A --server B``), or a server and the
config file's own applications (``--server A --file``), for CI: exit 0 when they are the same,
1 when they differ, 3 when a side could not be read. Both servers are read concurrently."""

from __future__ import annotations

import argparse
import sys

from streamconsole.backends.toml_file import TomlSource
from streamconsole.cli.common import (
    EXIT_OK,
    EXIT_REJECTED,
    EXIT_REMOTE,
    CommandError,
    command,
    emit,
    run_async,
    safe,
)
from streamconsole.core.drift import UNKNOWN_KEYS, Drift, compared_aliases, drift
from streamconsole.core.fleet import select_servers
from streamconsole.core.model import Config
from streamconsole.core.text import counted
from streamconsole.fleet import Member, close_members, load_members


def _sides(args: argparse.Namespace, local: Config) -> list[tuple[str, Config]]:
    """The two sides, each a name and a loaded config; a side that cannot be read ends the
    command (exit 3: there is nothing to compare it with)."""
    names = select_servers(list(local.servers), args.servers) if args.servers else ()
    if len(names) + args.file != 2:
        raise CommandError(
            "diff compares two sides: give --server A --server B, or --server A --file"
        )
    choice = compared_aliases(args.application)

    async def load() -> list[Member]:
        members = await load_members(local, args.config, names, jobs=2, aliases=choice)
        await close_members(members)
        return members

    members = run_async(load)
    for member in members:
        if member.config is None:
            raise CommandError(f"server {safe(member.name)}: {member.problem}", EXIT_REMOTE)
    sides = [(m.name, m.config) for m in members if m.config is not None]
    if args.file:
        sides.append((str(args.config), local))
    return sides


def _shown(field: str, value: object) -> str:
    if field == UNKNOWN_KEYS and isinstance(value, int):
        return f"{counted(value, 'key')} not known here"
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "on" if value else "off"
    return safe(value)


def print_drift(report: Drift) -> None:
    left, right = safe(report.left), safe(report.right)
    rows = [
        (safe(d.scope), d.field, _shown(d.field, d.left), _shown(d.field, d.right))
        for d in report.differences
    ]
    if rows:
        table = [("SCOPE", "FIELD", left, right), *rows]
        widths = [max(len(row[column]) for row in table) for column in range(3)]
        for row in table:
            padded = [cell.ljust(width) for cell, width in zip(row[:3], widths, strict=True)]
            print("  ".join([*padded, row[3]]))
    for scope in report.only_left:
        print(f"only on {left}: {safe(scope)}")
    for scope in report.only_right:
        print(f"only on {right}: {safe(scope)}")
    for unread in report.unread:
        print(f"not read on {safe(unread.side)}: {safe(unread.scope)}: {safe(unread.error)}")
    if any(d.field == UNKNOWN_KEYS for d in report.differences):
        print("(a key whose material is not kept here cannot be compared: rotate it from here)")
    if report.same:
        print(f"no drift: {left} and {right} match on {counted(report.compared, 'scope')}")
    else:
        alone = len(report.only_left) + len(report.only_right)
        print(
            f"drift: {counted(len(report.differences), 'difference')} in "
            f"{counted(report.compared, 'scope')} on both sides, {counted(alone, 'scope')} on "
            f"one side only, {len(report.unread)} not read"
        )


@command
def run_diff(args: argparse.Namespace) -> int:
    local = TomlSource(args.config).load_sync()
    (left_name, left), (right_name, right) = _sides(args, local)
    named = args.application
    if named and named not in left.applications and named not in right.applications:
        raise CommandError(f"no application named {safe(repr(named))} on either side")
    report = drift(left_name, left, right_name, right, args.application)
    if args.json:
        emit(report.to_dict())
    else:
        print_drift(report)
    if report.unread:
        for unread in report.unread:
            where = f"{safe(unread.side)}: {safe(unread.scope)}"
            print(f"error: {where}: could not be read", file=sys.stderr)
        return EXIT_REMOTE
    return EXIT_OK if report.same else EXIT_REJECTED
