"""``list``, ``show``, ``plan``, ``apply`` and ``probe`` on several servers (``--server`` given
more than once, or ``--all-servers``): the servers are read concurrently, at most ``--jobs``
at a time; one that cannot be read is reported (on stderr, and as a row with its ``error``)
and the others go on. Every row, view, plan or probe names its ``server``.

``apply`` plans every server first, asks once, then carries the plans out concurrently (one
save at a time on each server) and prints one summary: applied / failed / skipped per server.
Exit 0 only when every server succeeded. With ``--verify``, each server whose plan was
carried out whole then has the scopes it changed probed, in its ``--jobs`` slot; the summary
gains each server's verify outcome. The exit code is decided as on one server, where a
verify runs only after its apply succeeded: any server's apply that did not succeed decides
it (3, else 1); only when every apply succeeded does the verify decide it, as ``probe``'s
worst outcome over the servers verified (1 a mismatch, 3 inconclusive, 0 as configured).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from streamconsole.audit import audit_log_for
from streamconsole.backends.toml_file import TomlSource
from streamconsole.cli.common import (
    EXIT_OK,
    EXIT_REJECTED,
    EXIT_REMOTE,
    EXIT_USAGE,
    CommandError,
    command,
    emit,
    now_utc,
    run_async,
    safe,
)
from streamconsole.cli.inspect import print_scope
from streamconsole.cli.listing import print_rows
from streamconsole.cli.probe import exit_code
from streamconsole.cli.workflow import confirm, plan_record, print_plan, print_refusals
from streamconsole.core.errors import StreamconsoleError
from streamconsole.core.fleet import (
    AliasChoice,
    FleetSummary,
    Outcome,
    aliases_of,
    every_alias,
    no_aliases,
    planned_aliases,
    select_servers,
    summarise,
)
from streamconsole.core.model import Config, Direction, ScopeRef
from streamconsole.core.plan import Plan, Step
from streamconsole.core.probe import ServerProbe, summary_lines, table_lines, worst
from streamconsole.core.report import scope_report, server_rows, unknown_row, unreadable
from streamconsole.core.text import counted
from streamconsole.fleet import (
    Member,
    apply_members,
    close_members,
    load_members,
    plan_members,
    probe_servers,
)


def _read(args: argparse.Namespace, config: Config, aliases: AliasChoice) -> list[Member]:
    """The servers the arguments name, loaded (read-only) and closed again."""
    names = select_servers(list(config.servers), args.servers, all_servers=args.all_servers)

    async def load() -> list[Member]:
        members = await load_members(
            config, args.config, names, jobs=args.jobs, read_only=True, aliases=aliases
        )
        await close_members(members)
        return members

    return run_async(load)


def _not_read(member: Member) -> str:
    print(f"error: server {safe(member.name)}: {member.problem}", file=sys.stderr)
    return member.problem


@command
def run_list(args: argparse.Namespace) -> int:
    _one_server_only("--overdue", args.overdue)
    config = TomlSource(args.config).load_sync()
    members = _read(args, config, no_aliases if args.applications_only else every_alias)
    rows: list[dict[str, Any]] = []
    failed = False
    for member in members:
        if member.config is None:
            kind = config.servers[member.name].kind
            rows.append(unknown_row(member.name, None, kind, member.problem))
        else:
            aliases = not args.applications_only
            rows.extend(server_rows(member.name, member.config, aliases=aliases))
    if args.json:
        emit(rows)
    else:
        print_rows(rows)
    for member in members:  # after the rest is printed: what could not be read
        if member.config is None:
            failed = bool(_not_read(member))
            continue
        for app in member.config.applications.values():
            if app.problem:
                print(f"error: {safe(member.name)}: {safe(unreadable(app))}", file=sys.stderr)
                failed = True
    return EXIT_REMOTE if failed else EXIT_OK


@command
def run_show(args: argparse.Namespace) -> int:
    ref = ScopeRef.parse(args.scope)
    config = TomlSource(args.config).load_sync()
    aliases = aliases_of(ref.application) if ref.alias is not None else no_aliases
    members = _read(args, config, aliases)
    views: list[dict[str, Any]] = []
    codes = [EXIT_OK]
    for member in members:
        if member.config is None:
            views.append({"server": member.name, "error": _not_read(member)})
            codes.append(EXIT_REMOTE)
            continue
        try:
            view = scope_report(member.config, ref, now_utc())
        except StreamconsoleError as error:  # not on this server
            print(f"error: server {safe(member.name)}: {safe(error)}", file=sys.stderr)
            views.append({"server": member.name, "error": str(error)})
            codes.append(EXIT_USAGE)
            continue
        views.append({"server": member.name, **view})
        problem = unreadable(member.config.applications[ref.application])
        if problem:
            print(f"error: {safe(member.name)}: {safe(problem)}", file=sys.stderr)
            codes.append(EXIT_REMOTE)
    if args.json:
        emit(views)
    else:
        for view in views:
            print(f"[{safe(view['server'])}]")
            if "policies" in view:
                print_scope(view)
            else:
                print(f"  not shown: {safe(view['error'])}")
    return max(codes)


def _one_server_only(option: str, given: bool) -> None:
    if given:
        raise CommandError(f"{option} is for one server: give one --server with it")


@command
def run_plan(args: argparse.Namespace) -> int:
    _one_server_only("--out", args.out is not None)
    desired = TomlSource(args.config).load_sync()
    names = select_servers(list(desired.servers), args.servers, all_servers=args.all_servers)

    async def compute() -> tuple[list[Member], dict[str, Plan], dict[str, list[str]]]:
        members = await load_members(
            desired, args.config, names, jobs=args.jobs, aliases=planned_aliases(desired)
        )
        try:
            return members, *await plan_members(members, desired)
        finally:
            await close_members(members)

    members, plans, refused = run_async(compute)
    if args.json:
        emit(
            [
                {**plan_record(args.config, m.name, plans[m.name]), "refusals": refused[m.name]}
                if m.name in plans
                else {"server": m.name, "error": m.problem}
                for m in members
            ]
        )
    else:
        _print_plans(members, plans, refused, sys.stdout)
    if any(member.config is None for member in members):
        for member in members:
            if member.config is None:
                _not_read(member)
        return EXIT_REMOTE
    return EXIT_OK if all(plan.empty for plan in plans.values()) else EXIT_REJECTED


@command
def run_apply(args: argparse.Namespace) -> int:
    _one_server_only("--plan", args.plan is not None)
    desired = TomlSource(args.config).load_sync()
    names = select_servers(list(desired.servers), args.servers, all_servers=args.all_servers)
    # With --json, stdout holds the summary only: the plans and progress go to stderr.
    out = sys.stderr if args.json else sys.stdout

    async def execute() -> FleetSummary:
        members = await load_members(
            desired,
            args.config,
            names,
            jobs=args.jobs,
            read_only=False,
            aliases=planned_aliases(desired),
        )
        try:
            plans, refused = await plan_members(members, desired)
            _print_plans(members, plans, refused, out)
            ready = [
                plans[m.name].steps
                for m in members
                if m.name in plans and not _read_only(m) and not refused[m.name]
            ]
            count = sum(len(steps) for steps in ready)
            if count:
                confirm(count, args.yes, counted(sum(1 for steps in ready if steps), "server"))

            def progress(server: str, steps: Sequence[Step]) -> None:
                for step in steps:
                    print(f"{safe(server)}: applied: {safe(step.description)}", file=out)

            audit = audit_log_for(desired.settings)
            results = await apply_members(
                members,
                plans,
                desired,
                audit,
                jobs=args.jobs,
                refused=refused,
                on_applied=progress,
                verify=args.verify,
            )
        finally:
            await close_members(members)
        return summarise(results, names, verify=args.verify)

    summary = run_async(execute)
    if args.json:
        emit(summary.to_dict())
    else:
        print_probes(summary.verified, " verify")
        print_summary(summary)
    _report_probe_errors(summary.verified)
    if not summary.succeeded:  # as on one server: a failed apply's code, whatever was verified
        return EXIT_REMOTE if summary.remote_failure else EXIT_REJECTED
    outcome = summary.verify_outcome
    return EXIT_OK if outcome is None else exit_code(outcome)


def _read_only(member: Member) -> bool:
    return member.source is not None and member.source.read_only


def _print_plans(
    members: Sequence[Member],
    plans: dict[str, Plan],
    refused: dict[str, list[str]],
    out: TextIO,
) -> None:
    for member in members:
        print(f"[{safe(member.name)}]" + (" (read-only)" if _read_only(member) else ""), file=out)
        if member.name in plans:
            print_plan(plans[member.name], out)
            print_refusals(refused[member.name], out)
        else:
            print(f"  not read: {member.problem}", file=out)


def print_summary(summary: FleetSummary) -> None:
    """One table: each server's result and its steps applied, failed and skipped (with
    ``--verify``, what its verify found); below a server that did not succeed, why."""
    width = max([len(safe(r.server)) for r in summary.results] + [6])
    verify = "  VERIFY" if summary.verify else ""
    print(f"{'SERVER':<{width}}  RESULT   APPLIED  FAILED  SKIPPED{verify}")
    for result in summary.results:
        counts = [len(result.applied), len(result.failed), len(result.skipped)]
        shown = ["-"] * 3 if result.outcome is Outcome.DOWN else [str(n) for n in counts]
        verified = f"  {result.verify_state}" if summary.verify else ""
        print(
            f"{safe(result.server):<{width}}  {result.outcome.value:<7}  {shown[0]:<7}  "
            f"{shown[1]:<6}  {shown[2]:<7}{verified}".rstrip()
        )
        if result.error:
            print(f"  {safe(result.server)}: {safe(result.error)}")
        if summary.verify and result.not_verified:
            print(f"  {safe(result.server)}: not verified: {result.not_verified}")
    good = sum(1 for r in summary.results if r.succeeded)
    if summary.succeeded:
        verdict = "every server succeeded"
    elif summary.worth_retrying:
        verdict = "run apply again for the rest"
    else:  # the same requests would be refused again
        verdict = "change what the errors name (the file or a server), then plan again"
    print(f"{good} of {counted(len(summary.results), 'server')} succeeded: {verdict}")
    if summary.verify:
        print(_verify_verdict(summary))


def _verify_verdict(summary: FleetSummary) -> str:
    """The verify's line under the summary: the worst outcome, and where."""
    outcome = summary.verify_outcome
    if outcome is None:
        return "verify: no server was verified (nothing changed, or no apply succeeded)"
    where = [safe(probe.server) for probe in summary.verified if probe.outcome is outcome]
    return f"verify: {outcome} on {', '.join(where)}"


def print_probes(probes: Sequence[ServerProbe], heading: str = "") -> None:
    """Each server's probe under its name (and ``heading``): its table, or why there is
    none."""
    for probe in probes:
        print(f"[{safe(probe.server)}]{heading}")
        if probe.error:
            print(f"  {probe.state}: {safe(probe.error)}")
        else:
            print(*table_lines(probe.results), sep="\n")


def _report_probe_errors(probes: Sequence[ServerProbe]) -> None:
    """On stderr, after the rest: each server where nothing was probed, and why."""
    for probe in probes:
        if probe.error:
            print(f"error: server {safe(probe.server)}: {safe(probe.error)}", file=sys.stderr)


@command
def run_probe(args: argparse.Namespace) -> int:
    """Probe the scope on every server named: each server's table under its name, then a
    line per server; the exit code of the worst outcome over them all."""
    config = TomlSource(args.config).load_sync()
    names = select_servers(list(config.servers), args.servers, all_servers=args.all_servers)
    directions = [Direction(args.direction)] if args.direction else None
    probes = run_async(
        lambda: probe_servers(config, args.config, names, args.scope, directions, jobs=args.jobs)
    )
    if args.json:
        emit([probe.to_dict() for probe in probes])
    else:
        print_probes(probes)
        print()
        print(*summary_lines(probes), sep="\n")
    _report_probe_errors(probes)
    return exit_code(worst(probe.outcome for probe in probes))
