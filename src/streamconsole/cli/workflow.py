"""The offline key-rotation workflow: ``export`` → edit the file offline → ``plan`` → ``apply``.

``plan`` compares the desired state in a TOML file with a server and prints the steps;
``apply`` carries them out in a safe order (keys before enforcement), one scope at a time
(its key and switches in one save), stops at the first failure and says exactly what was
and was not applied. Running it again applies only what is left, so it is idempotent.
With ``--plan FILE`` it carries out that plan or nothing: it refuses when the server, the
file or a key the file points at changed since (drift), or when the steps it would carry out
are not the saved ones. ``retire`` ends a two-key rotation on a server that keeps the old key.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import stat
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TextIO

from streamconsole.audit import audit_log_for
from streamconsole.backends.atomic import PRIVATE_MODE, write_new_file
from streamconsole.backends.base import KeyRetirement, RemoteError, Source
from streamconsole.backends.delivery_probe import probe_changed
from streamconsole.backends.registry import open_server
from streamconsole.backends.safe_files import make_private_dirs, reason
from streamconsole.backends.toml_export import export_config
from streamconsole.backends.toml_file import TomlSource
from streamconsole.cli.common import (
    EXIT_OK,
    EXIT_REJECTED,
    EXIT_REMOTE,
    CommandError,
    close,
    command,
    emit,
    run_async,
    safe,
    terminal_glyphs,
)
from streamconsole.cli.probe import report
from streamconsole.core.fleet import planned_aliases
from streamconsole.core.model import Config, ScopeRef
from streamconsole.core.plan import Plan, Step, make_plan
from streamconsole.core.plan_file import (
    MAX_PLAN_FILE_BYTES,
    PlanFileError,
    SavedPlan,
    StalePlan,
    check_fresh,
    read_plan_file,
)
from streamconsole.core.probe import ProbeResult
from streamconsole.core.text import counted
from streamconsole.fleet import carry_out, file_digest, refusals, saved_plan_of


async def _desired_and_current(args: argparse.Namespace) -> tuple[Config, Source, Config]:
    if not args.server:
        raise CommandError("plan and apply compare a file with a server: give --server NAME")
    desired = TomlSource(args.config).load_sync()
    source = open_server(desired, args.config, args.server)
    current = await source.load()
    per_alias = planned_aliases(desired)(current)
    await asyncio.gather(*(source.load_aliases(app) for app in per_alias))
    return desired, source, current


def print_plan(plan: Plan, file: TextIO | None = None) -> None:
    """The steps, what exists on one side only, and the verdict (on ``file``, else stdout)."""
    marks = {"key": "+ key   ", "enforce": "+ on    ", "relax": "- off   "}
    for step in plan.steps:
        print(f"{marks[step.action]} {safe(step.description)}", file=file)
    for scope in plan.only_desired:
        print(f"  only in the file (not changed): {safe(scope)}", file=file)
    for scope in plan.only_current:
        print(f"  only on the server (not changed): {safe(scope)}", file=file)
    if plan.empty:
        print("no differences: the server matches the file", file=file)
    else:
        print(f"{counted(len(plan.steps), 'step')}; server state {plan.current_digest}", file=file)


def print_refusals(refused: Sequence[str], file: TextIO | None = None) -> None:
    """What the server's rules refuse, on ``file`` (else stderr)."""
    mark = terminal_glyphs().failed
    for refusal in refused:
        print(f"{mark} refused by the server: {safe(refusal)}", file=file or sys.stderr)


@command
def run_plan(args: argparse.Namespace) -> int:
    async def compute() -> tuple[Plan, list[str]]:
        desired, source, current = await _desired_and_current(args)
        try:
            plan = make_plan(desired, current)
            return plan, await refusals(source, plan, desired, current)
        finally:
            await close(source)

    plan, refused = run_async(compute)
    record = plan_record(args.config, args.server, plan)
    if args.out:
        _write_plan(args.out, json.dumps(record, indent=2) + "\n")
    if args.json:
        emit({**record, "refusals": refused})
    else:
        print_plan(plan)
        print_refusals(refused)
    return EXIT_OK if plan.empty else EXIT_REJECTED


def plan_record(config: Path, server: str, plan: Plan) -> dict[str, object]:
    """What ``plan --json`` prints and ``plan --out`` writes for one server."""
    return asdict(saved_plan_of(config, server, plan))


def _write_plan(path: Path, text: str) -> None:
    """A plan is 0600 (it names the server and every scope) and never through a symlink."""
    try:
        write_new_file(path, text.encode("utf-8"), mode=PRIVATE_MODE, replace=True)
    except OSError as error:
        raise CommandError(f"--out: {reason(error)}") from None


def _read_plan(path: Path) -> SavedPlan:
    """The plan file, read strictly, before the server is asked anything."""
    where = f"--plan {safe(path)}"
    try:
        if not stat.S_ISREG(path.stat().st_mode):  # a FIFO would block, a device never end
            raise CommandError(f"{where}: is not a regular file")
        with path.open("rb") as handle:
            data = handle.read(MAX_PLAN_FILE_BYTES + 1)
    except FileNotFoundError:
        raise CommandError(f"{where}: no such file") from None
    except OSError as error:
        raise CommandError(f"{where}: cannot be read: {safe(error.strerror)}") from None
    try:
        return read_plan_file(data)
    except PlanFileError as error:
        raise CommandError(f"{where}: {safe(error)}") from None


def _check_drift(args: argparse.Namespace, saved: SavedPlan, plan: Plan) -> None:
    """Refuse unless ``plan`` (made now) is the saved one: same server, keys, file, server
    state and steps."""
    where = f"--plan {safe(args.plan)}"
    if saved.server != args.server:
        raise CommandError(f"{where} was made for server {safe(repr(saved.server))}")
    try:
        digest = file_digest(args.config, plan)
        check_fresh(saved, plan, str(args.config), digest, arrow=terminal_glyphs().arrow)
    except StalePlan as error:
        raise CommandError(f"{where}: {error}", EXIT_REJECTED) from None


def confirm(count: int, assume_yes: bool, where: str = "the server") -> None:
    if assume_yes:
        return
    if not sys.stdin.isatty():
        raise CommandError("not applying without confirmation: add --yes")
    answer = input(f"apply {counted(count, 'step')} to {where}? [y/N] ")
    if answer.strip().lower() not in ("y", "yes"):
        raise CommandError("not applied", EXIT_REJECTED)


@command
def run_apply(args: argparse.Namespace) -> int:
    if args.json and not args.verify:
        raise CommandError("--json is for --verify's results: add --verify")
    saved = _read_plan(args.plan) if args.plan else None
    verified: list[ProbeResult] = []

    async def execute() -> int:
        desired, source, current = await _desired_and_current(args)
        try:
            plan = make_plan(desired, current)
            if saved is not None:
                _check_drift(args, saved, plan)
            print_plan(plan)
            if plan.empty:
                return EXIT_OK
            refused = await refusals(source, plan, desired, current)
            if refused:
                print_refusals(refused)
                print("nothing was written", file=sys.stderr)
                return EXIT_REJECTED
            confirm(len(plan.steps), args.yes)
            audit = audit_log_for(desired.settings)
            carried = await carry_out(
                source, plan, desired, current, audit, on_applied=_print_applied
            )
            if carried.error is not None:
                _report_stop(plan, carried.applied, carried.failed, carried.error)
                return EXIT_REMOTE if isinstance(carried.error, RemoteError) else EXIT_REJECTED
            print(f"all {counted(len(plan.steps), 'step')} applied")
            if args.verify:
                verified.extend(await probe_changed(source, [step.scope for step in plan.steps]))
            return EXIT_OK
        finally:
            await close(source)

    # With --json, stdout holds the probe's JSON alone: the progress lines go to stderr.
    with contextlib.redirect_stdout(sys.stderr) if args.json else contextlib.nullcontext():
        code = run_async(execute)
    return report(args.server, verified, args.json) if verified else code


def _print_applied(steps: Sequence[Step]) -> None:
    for step in steps:
        print(f"applied: {safe(step.description)}")


def _report_stop(
    plan: Plan, done: Sequence[Step], failed: Sequence[Step], error: BaseException
) -> None:
    what = ", ".join(safe(step.description) for step in failed)
    print(f"FAILED: {what}: {safe(error)}", file=sys.stderr)
    applied = [s.description for s in done]
    left = [s.description for s in plan.steps if s not in done]
    print(
        f"applied ({len(applied)}): " + (", ".join(map(safe, applied)) or "none"), file=sys.stderr
    )
    print(f"not applied ({len(left)}): " + ", ".join(map(safe, left)), file=sys.stderr)
    if isinstance(error, RemoteError) and error.transient:
        print("run apply again to carry out the rest", file=sys.stderr)
    else:  # the same request would be refused again
        print(
            "change what the error names (the file or the server), then plan again", file=sys.stderr
        )


# --- export ---------------------------------------------------------------------------------


@command
def run_export(args: argparse.Namespace) -> int:
    if not args.server:
        raise CommandError("export writes a server's state: give --server NAME")

    async def load() -> tuple[Config, Config]:
        local = TomlSource(args.config).load_sync()
        source = open_server(local, args.config, args.server)
        try:
            current = await source.load()
            per_alias = [a for a in current.applications.values() if a.kind.policy_per_alias]
            await asyncio.gather(*(source.load_aliases(app) for app in per_alias))
        finally:
            await close(source)
        return local, current

    local, current = run_async(load)
    try:
        for directory in make_private_dirs(args.out.parent):
            print(f"created {directory} (0700)")
        written = export_config(current, local.servers[args.server], args.out, replace=args.force)
    except FileExistsError as error:
        raise CommandError(f"{error.filename} exists; add --force to replace it") from None
    except OSError as error:
        raise CommandError(f"export to {args.out}: {reason(error)}") from None
    print(f"wrote {args.out} ({counted(len(current.applications), 'application')})")
    for path in written:
        print(f"wrote {path} ({stat.S_IMODE(path.stat().st_mode):04o})")
    return EXIT_OK


# --- retire (two-key rotation, THEOlive) ----------------------------------------------------


@command
def run_retire(args: argparse.Namespace) -> int:
    if not args.server:
        raise CommandError("retire deletes a key held by a server: give --server NAME")
    ref = ScopeRef.parse(args.scope)
    if ref.alias is None:
        raise CommandError("keys are held per alias: give APP/ALIAS")
    local = TomlSource(args.config).load_sync()
    audit = audit_log_for(local.settings)

    async def retire() -> None:
        source = open_server(local, args.config, args.server)
        try:
            if not isinstance(source, KeyRetirement):
                raise CommandError(
                    f"server {args.server} holds one key per scope: nothing to retire"
                )
            config = await source.load()
            app, _ = config.resolve(ScopeRef(ref.application))
            await source.load_aliases(app)
            action = f"retire key {args.key_id}"
            try:
                await source.retire_key(ref, args.key_id, turn_off=args.turn_off)
            except Exception as error:
                audit.record_action(
                    origin="cli", source=source.name, scope=str(ref), action=action, error=error
                )
                raise
            audit.record_action(origin="cli", source=source.name, scope=str(ref), action=action)
        finally:
            await close(source)

    run_async(retire)
    print(f"{safe(str(ref))}: key {safe(args.key_id)} retired")
    return EXIT_OK
