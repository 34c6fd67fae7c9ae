"""The offline key-rotation workflow: ``export`` → edit the file offline → ``plan`` → ``apply``.

``plan`` compares the desired state in a TOML file with a server and prints the steps;
``apply`` carries them out in a safe order (keys before enforcement), one scope at a time
(its key and switches in one save), stops at the first failure and says exactly what was
and was not applied. Running it again
applies only what is left, so it is idempotent. With ``--plan FILE`` it refuses when the
server or the file changed since that plan was made (drift).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import stat
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from streamconsole.commands import (
    EXIT_OK,
    EXIT_REJECTED,
    EXIT_REMOTE,
    CommandError,
    CommandSpec,
    close,
    command,
    emit,
    run_async,
    safe,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from streamconsole.backends.base import Source
    from streamconsole.core.model import Config
    from streamconsole.core.plan import Plan, Step


def _file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


async def _desired_and_current(args: argparse.Namespace) -> tuple[Config, Source, Config]:
    from streamconsole.backends.registry import open_server
    from streamconsole.backends.toml_file import TomlSource

    if not args.server:
        raise CommandError("plan and apply compare a file with a server: give --server NAME")
    desired = TomlSource(args.config).load_sync()
    source = open_server(desired, args.config, args.server)
    current = await source.load()
    per_alias = [
        app
        for name, app in current.applications.items()
        if app.kind.policy_per_alias and name in desired.applications and not app.aliases_loaded
    ]
    await asyncio.gather(*(source.load_aliases(app) for app in per_alias))
    return desired, source, current


def _print_plan(plan: Plan) -> None:
    marks = {"key": "+ key   ", "enforce": "+ on    ", "relax": "- off   "}
    for step in plan.steps:
        print(f"{marks[step.action]} {safe(step.description)}")
    for scope in plan.only_desired:
        print(f"  only in the file (not changed): {safe(scope)}")
    for scope in plan.only_current:
        print(f"  only on the server (not changed): {safe(scope)}")
    if plan.empty:
        print("no differences: the server matches the file")
    else:
        print(f"{len(plan.steps)} step(s); server state {plan.current_digest}")


@command
def run_plan(args: argparse.Namespace) -> int:
    from streamconsole.core.plan import make_plan

    async def compute() -> Plan:
        desired, source, current = await _desired_and_current(args)
        await close(source)
        return make_plan(desired, current)

    plan = run_async(compute)
    record = {
        "server": args.server,
        "config": str(args.config),
        "config_digest": _file_digest(args.config),
        "made": datetime.now(UTC).isoformat(timespec="seconds"),
        **plan.to_dict(),
    }
    if args.out:
        args.out.write_text(json.dumps(record, indent=2) + "\n")
    if args.json:
        emit(record)
    else:
        _print_plan(plan)
    return EXIT_OK if plan.empty else EXIT_REJECTED


def _check_drift(args: argparse.Namespace, plan: Plan) -> None:
    try:
        saved = json.loads(Path(args.plan).read_text())
    except (OSError, ValueError) as error:
        raise CommandError(f"--plan {args.plan}: cannot be read as a plan ({error})") from None
    if saved.get("server") != args.server:
        raise CommandError(f"--plan {args.plan} was made for server {saved.get('server')!r}")
    if saved.get("config_digest") != _file_digest(args.config):
        raise CommandError(
            f"{args.config} changed since the plan was made; run plan again", EXIT_REJECTED
        )
    if saved.get("server_digest") != plan.current_digest:
        raise CommandError(
            f"server {args.server} changed since the plan was made (drift: "
            f"{saved.get('server_digest')} → {plan.current_digest}); run plan again",
            EXIT_REJECTED,
        )


def _confirm(count: int, assume_yes: bool) -> None:
    if assume_yes:
        return
    if not sys.stdin.isatty():
        raise CommandError("not applying without confirmation: add --yes")
    answer = input(f"apply {count} step(s) to the server? [y/N] ")
    if answer.strip().lower() not in ("y", "yes"):
        raise CommandError("not applied", EXIT_REJECTED)


@command
def run_apply(args: argparse.Namespace) -> int:
    from streamconsole.audit import audit_log_for
    from streamconsole.backends.http import RemoteError
    from streamconsole.core.plan import change_for, make_plan

    async def execute() -> int:
        desired, source, current = await _desired_and_current(args)
        try:
            plan = make_plan(desired, current)
            if args.plan:
                _check_drift(args, plan)
            _print_plan(plan)
            if plan.empty:
                return EXIT_OK
            _confirm(len(plan.steps), args.yes)
            audit = audit_log_for(desired.settings)
            applied: list[Step] = []
            for steps in plan.per_scope():
                changes = [change_for(s, desired, current, datetime.now(UTC)) for s in steps]
                try:
                    await source.apply(changes)
                except Exception as error:
                    audit.record(origin="cli", source=source.name, changes=changes, error=error)
                    _report_stop(plan, applied, steps, error)
                    return EXIT_REMOTE if isinstance(error, RemoteError) else EXIT_REJECTED
                audit.record(origin="cli", source=source.name, changes=changes)
                for step in steps:
                    print(f"applied: {safe(step.description)}")
                applied.extend(steps)
            print(f"all {len(plan.steps)} step(s) applied")
            return EXIT_OK
        finally:
            await close(source)

    return run_async(execute)


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
    print("run apply again to carry out the rest", file=sys.stderr)


# --- export ---------------------------------------------------------------------------------


@command
def run_export(args: argparse.Namespace) -> int:
    from streamconsole.backends.toml_export import export_config

    if not args.server:
        raise CommandError("export writes a server's state: give --server NAME")

    async def load() -> tuple[Config, Config]:
        from streamconsole.backends.registry import open_server
        from streamconsole.backends.toml_file import TomlSource

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
    if args.out.exists() and not args.force:
        raise CommandError(f"{args.out} exists; add --force to replace it")
    try:
        for directory in _make_directories(args.out.parent):
            print(f"created {directory} (0700)")
        written = export_config(current, local.servers[args.server], args.out)
    except OSError as error:
        where = error.filename or args.out
        raise CommandError(f"export to {args.out}: {where}: {error.strerror or error}") from None
    print(f"wrote {args.out} ({len(current.applications)} applications)")
    for path in written:
        print(f"wrote {path} ({stat.S_IMODE(path.stat().st_mode):04o})")
    return EXIT_OK


def _make_directories(directory: Path) -> list[Path]:
    """Create ``directory`` and its missing parents, each 0700 (an export holds secrets);
    return the ones created, outermost first."""
    missing = [d for d in (directory, *directory.parents) if not d.exists()][::-1]
    for made in missing:
        made.mkdir(mode=0o700)
    return missing


def workflow_commands(
    source_options: Callable[[argparse.ArgumentParser], None],
) -> dict[str, CommandSpec]:
    """export, plan, apply and retire, for the CLI's command table."""

    def plan_parser() -> argparse.ArgumentParser:
        parser = argparse.ArgumentParser(
            prog="streamconsole plan",
            description="Compare the desired state in --config with --server and print the "
            "steps that would make the server match. Exit 1 when there are differences.",
        )
        source_options(parser)
        parser.add_argument("--out", type=Path, help="also write the plan (JSON) to this file")
        parser.add_argument("--json", action="store_true")
        return parser

    def apply_parser() -> argparse.ArgumentParser:
        parser = argparse.ArgumentParser(
            prog="streamconsole apply",
            description="Make --server match --config: keys first, then enforcement; one "
            "scope at a time (its key and switches in one save), stopping at the first "
            "failure. Idempotent.",
        )
        source_options(parser)
        parser.add_argument("--plan", type=Path, help="refuse if the server or file drifted")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")
        return parser

    def export_parser() -> argparse.ArgumentParser:
        parser = argparse.ArgumentParser(
            prog="streamconsole export",
            description="Write --server's current state to a TOML file that 'check' accepts; "
            "secrets go to 0600 key files beside it.",
        )
        source_options(parser)
        parser.add_argument("--out", type=Path, required=True)
        parser.add_argument("--force", action="store_true", help="replace an existing --out")
        return parser

    def retire_parser() -> argparse.ArgumentParser:
        parser = argparse.ArgumentParser(
            prog="streamconsole retire",
            description="Delete one key by id from an alias on a server that holds two "
            "(THEOlive): the old key at the end of a rotation, once every token signed with "
            "it has expired. Refuses to delete the last key unless --turn-off.",
        )
        parser.add_argument("scope", metavar="APP/ALIAS")
        parser.add_argument("key_id", metavar="KEY_ID", help="as 'show --server' lists it")
        parser.add_argument(
            "--turn-off", action="store_true", help="allow retiring the last key (security off)"
        )
        source_options(parser)
        return parser

    return {
        "export": CommandSpec(
            "export --server S",
            "write a server's state to a TOML file (--out)",
            export_parser,
            run_export,
        ),
        "plan": CommandSpec(
            "plan --server S",
            "compare --config with the server; exit 1 on differences",
            plan_parser,
            run_plan,
        ),
        "apply": CommandSpec(
            "apply --server S",
            "make the server match --config (keys first; --yes)",
            apply_parser,
            run_apply,
        ),
        "retire": CommandSpec(
            "retire APP/ALIAS ID",
            "delete an old key kept beside the new one (THEOlive)",
            retire_parser,
            run_retire,
        ),
    }


# --- retire (two-key rotation, THEOlive) ----------------------------------------------------


@command
def run_retire(args: argparse.Namespace) -> int:
    from streamconsole.audit import audit_log_for
    from streamconsole.backends.registry import open_server
    from streamconsole.backends.toml_file import TomlSource
    from streamconsole.core.model import ScopeRef

    if not args.server:
        raise CommandError("retire deletes a key held by a server: give --server NAME")
    ref = ScopeRef.parse(args.scope)
    if ref.alias is None:
        raise CommandError("keys are held per alias: give APP/ALIAS")
    local = TomlSource(args.config).load_sync()
    audit = audit_log_for(local.settings)

    async def retire() -> None:
        source = open_server(local, args.config, args.server)
        retire_key = getattr(source, "retire_key", None)
        try:
            if retire_key is None:
                raise CommandError(
                    f"server {args.server} holds one key per scope: nothing to retire"
                )
            config = await source.load()
            app, _ = config.resolve(ScopeRef(ref.application))
            await source.load_aliases(app)
            action = f"retire key {args.key_id}"
            try:
                await retire_key(ref, args.key_id, turn_off=args.turn_off)
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
