"""``list``: every application and alias with its policy and key, as a table or JSON.

A module of its own so that ``list`` imports what listing needs and no more: it is the
command scripts run most, and it should start like one (benchmarks/cli_bench.py).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from streamconsole.cli.common import (
    EXIT_OK,
    EXIT_REJECTED,
    EXIT_REMOTE,
    close,
    command,
    emit,
    now_utc,
    open_loaded,
    read_file,
    run_async,
    safe,
)
from streamconsole.core.model import Config
from streamconsole.core.report import overdue_keys, overdue_row, summary_row, unreadable

# A label is listed when this many characters of it fit on the terminal's line.
LABEL_MIN_CELLS = 8


def _on_off(value: bool | None) -> str:
    return "n/a" if value is None else ("on" if value else "off")


def _state(row: dict[str, Any], direction: str) -> str:
    return "unknown" if "error" in row else _on_off(row[direction])


@command
def run_list(args: argparse.Namespace) -> int:
    async def load() -> Config:
        source, config = await open_loaded(args, aliases=not args.applications_only)
        await close(source)
        return config

    config = read_file(args) if args.server is None else run_async(load)
    if args.overdue:
        return _list_overdue(config, as_json=args.json)
    rows = []
    for app in config.applications.values():
        rows.append(summary_row(app, None))
        if not args.applications_only:
            rows.extend(summary_row(app, alias) for alias in app.aliases.values())
    if args.json:
        emit(rows)
    else:
        print_rows(rows)
    return _unreadable_code(config, EXIT_OK)


def _unreadable_code(config: Config, code: int) -> int:
    """After the rest is printed: what could not be read, and an exit code that says so
    (else ``code``)."""
    failed = [unreadable(app) for app in config.applications.values() if app.problem]
    for message in failed:
        print(f"error: {safe(message)}", file=sys.stderr)
    return EXIT_REMOTE if failed else code


def _list_overdue(config: Config, *, as_json: bool) -> int:
    """``list --overdue``: each key past its max_key_age; exit 1 when there is one."""
    now = now_utc()
    rows = [overdue_row(app, alias, entry, now) for app, alias, entry in overdue_keys(config, now)]
    if as_json:
        emit(rows)
    elif rows:
        width = max(len(row["scope"]) for row in rows)
        print(f"{'SCOPE':<{width}}  KIND      ALGORITHM  FINGERPRINT  AGE  MAX_KEY_AGE")
        for row in rows:
            print(
                f"{safe(row['scope']):<{width}}  {row['kind']:<8}  {row['algorithm']:<9}  "
                f"{row['fingerprint']}  {row['age']}  {row['max_key_age']}"
            )
    policies = [app.max_key_age for app in config.applications.values()]
    if not any(policies) and not as_json:
        print("note: no max_key_age is set, so no key is overdue", file=sys.stderr)
    return _unreadable_code(config, EXIT_REJECTED if rows else EXIT_OK)


def print_rows(rows: list[dict[str, Any]]) -> None:
    """``list``'s table (:func:`list_lines`), labels cut to the terminal's width."""
    columns = None
    if sys.stdout.isatty():
        import shutil  # late: output to a file or a pipe is never cut

        columns = shutil.get_terminal_size().columns
    print(*list_lines(rows, columns), sep="\n")


def list_lines(rows: list[dict[str, Any]], columns: int | None) -> list[str]:
    """``list``'s table as lines: a SERVER column first where the rows name their server (a
    row with no scope stands for a server that could not be read); labels last (the columns
    before them split on spaces), cut to ``columns`` where that is the terminal's width
    (None: whole), and left out where too little of them would fit."""
    servers = [safe(row["server"]) for row in rows if "server" in row]
    server_width = max([len(name) for name in servers] + [6])
    scopes = [safe(row["scope"] or "-") for row in rows]
    width = max([len(scope) for scope in scopes] + [5])
    printed = max([len(row["fingerprint"] or "-") for row in rows] + [len("FINGERPRINT")])
    head = f"{'SERVER':<{server_width}}  " if servers else ""
    fingerprint = f"{'FINGERPRINT':<{printed}}"
    header = f"{head}{'SCOPE':<{width}}  KIND      PUBLISH  PLAY     ALGORITHM  {fingerprint}"
    room = None if columns is None else columns - len(header) - 2
    labelled = any(row.get("label") for row in rows) and (room is None or room >= LABEL_MIN_CELLS)
    lines = [f"{header}  LABEL" if labelled else header.rstrip()]
    for row, scope in zip(rows, scopes, strict=True):
        head = f"{safe(row['server']):<{server_width}}  " if servers else ""
        mark = "" if "error" not in row else "  ! could not be read"
        if row["scope"] is None:
            mark = "  ! server could not be read"
        line = (
            f"{head}{scope:<{width}}  {row['kind']:<8}  {_state(row, 'publish'):<7}  "
            f"{_state(row, 'play'):<7}  {row['algorithm'] or '-':<9}  "
            f"{row['fingerprint'] or '-':<{printed}}"
        )
        label = safe(row.get("label") or "") if labelled else ""
        if label and room is not None:
            label = _fitted(label, room - len(mark))
        lines.append((f"{line}  {label}" if label else line.rstrip()) + mark)
    return lines


def _fitted(label: str, room: int) -> str:
    """``label`` cut to ``room`` cells, with an ellipsis where it was cut."""
    from rich.cells import cell_len, set_cell_size  # late: only a terminal's width cuts labels

    return label if cell_len(label) <= room else set_cell_size(label, max(room - 1, 0)) + "…"
