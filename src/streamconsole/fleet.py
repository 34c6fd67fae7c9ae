"""Several servers at once, for the CLI and the API: open and load them concurrently, at most
``jobs`` at a time, and carry out a plan on each. A server that cannot be read is reported as
such and the others go on.

A probe (:func:`probe_servers`) reads, probes and closes each server within one of the
``jobs`` slots: a server is probed as soon as it has been read, whatever the others do.
``apply --verify`` (:func:`apply_members` with ``verify``) likewise probes each server in its
slot, right after its own plan was carried out whole, and only the scopes that plan changed.

Writes: one server's saves are made one at a time, one scope per save, in plan order
(:func:`carry_out`); and two profiles that name the same server address never write at the
same time either (a lock per address). No scheduler beyond that: ``jobs`` bounds how many
servers are worked on at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from streamconsole.audit import AuditLog
from streamconsole.backends.base import ChangePreview, RemoteError, Source, first_listing
from streamconsole.backends.registry import open_server
from streamconsole.core.errors import StreamconsoleError
from streamconsole.core.fleet import (
    AliasChoice,
    Outcome,
    ServerResult,
    aliases_of,
    no_aliases,
    steps_result,
)
from streamconsole.core.model import DEFAULT_JOBS, Config, Direction, ScopeRef
from streamconsole.core.plan import Plan, Step, change_for, make_plan
from streamconsole.core.plan_file import SavedPlan, config_digest, saved_plan
from streamconsole.core.text import inert

if TYPE_CHECKING:
    from streamconsole.core.probe import ProbeResult, ServerProbe


@dataclass(slots=True)
class Member:
    """One server of the fleet: its source and loaded config, or why it could not be read."""

    name: str
    source: Source | None = None
    config: Config | None = None
    error: StreamconsoleError | None = None

    @property
    def problem(self) -> str:
        """Why this server could not be read, inert; "" when it was."""
        return inert(str(self.error)) if self.error is not None else ""

    @property
    def down(self) -> bool:
        """Not read because of the server or the way to it (not e.g. missing credentials)."""
        return isinstance(self.error, RemoteError)


async def load_members(
    config: Config,
    config_path: Path,
    names: Sequence[str],
    *,
    jobs: int = DEFAULT_JOBS,
    read_only: bool = True,
    aliases: AliasChoice = no_aliases,
    on_loaded: Callable[[Member], None] = lambda member: None,
    environ: Mapping[str, str] | None = None,
    names_first: bool = False,
) -> list[Member]:
    """Open and load the servers ``names`` (of ``config``, read from ``config_path``), at
    most ``jobs`` at a time, with the aliases ``aliases`` picks; in the order named.
    ``on_loaded`` hears of each member as soon as it is read or failed (a screen shows
    it while the others load); credentials come from ``environ`` (default: the process's).
    ``names_first``: a server that lists first is read only that far (:func:`first_listing`:
    a console shows it and reads the settings after).
    Close them with :func:`close_members`; where this raises (an untyped error, a cancel),
    it closes those it opened itself."""
    limit = asyncio.Semaphore(jobs)
    members = [Member(name) for name in names]

    async def load(member: Member) -> Member:
        async with limit:
            try:
                member.source = open_server(
                    config, config_path, member.name, read_only=read_only, environ=environ
                )
                source = member.source
                loaded = await (first_listing(source) if names_first else source.load())
                await asyncio.gather(*(member.source.load_aliases(a) for a in aliases(loaded)))
                member.config = loaded
            except StreamconsoleError as error:
                member.error = error
        on_loaded(member)
        return member

    try:
        return list(await asyncio.gather(*(load(member) for member in members)))
    except BaseException:
        await close_members(members)
        raise


async def close_members(members: Iterable[Member]) -> None:
    await asyncio.gather(*(m.source.aclose() for m in members if m.source is not None))


@dataclass(slots=True)
class Carried:
    """What :func:`carry_out` did: the steps applied, the scope's steps that failed, why."""

    applied: list[Step] = field(default_factory=list)
    failed: list[Step] = field(default_factory=list)
    error: Exception | None = None


async def carry_out(
    source: Source,
    plan: Plan,
    desired: Config,
    current: Config,
    audit: AuditLog,
    *,
    origin: str = "cli",
    on_applied: Callable[[Sequence[Step]], None] = lambda steps: None,
) -> Carried:
    """Carry out ``plan`` on ``source``, one scope per save, in plan order, stopping at the
    first save that fails; every save (and the failed one) is audited."""
    carried = Carried()
    for steps in plan.per_scope():
        changes = [change_for(s, desired, current, datetime.now(UTC)) for s in steps]
        try:
            await source.apply(changes)
        except Exception as error:
            audit.record(origin=origin, source=source.name, changes=changes, error=error)
            carried.failed, carried.error = list(steps), error
            return carried
        audit.record(origin=origin, source=source.name, changes=changes)
        on_applied(steps)
        carried.applied.extend(steps)
    return carried


async def plan_members(
    members: Sequence[Member], desired: Config
) -> tuple[dict[str, Plan], dict[str, list[str]]]:
    """Each loaded server's plan, and what its rules would refuse of it (read, not written)."""
    loaded = [(m.name, m.source, m.config) for m in members if m.source and m.config]
    plans = {name: make_plan(desired, current) for name, _, current in loaded}
    found = await asyncio.gather(
        *(refusals(source, plans[name], desired, current) for name, source, current in loaded)
    )
    return plans, {name: why for (name, _, _), why in zip(loaded, found, strict=True)}


def file_digest(config_path: Path, plan: Plan) -> str:
    """The digest of the config file as it is now, with the keys ``plan`` was made with."""
    return config_digest(config_path.read_bytes(), plan.desired_keys)


def saved_plan_of(config_path: Path, server: str, plan: Plan) -> SavedPlan:
    """``plan`` (made just now on ``server`` from ``config_path``) as ``plan --out`` saves
    it: what ``apply`` later checks is still what it would carry out."""
    digest = file_digest(config_path, plan)
    return saved_plan(server, str(config_path), digest, plan, datetime.now(UTC))


async def refusals(source: Source, plan: Plan, desired: Config, current: Config) -> list[str]:
    """What the server's rules refuse of ``plan`` as things stand there, read before
    anything is written (none from a source that cannot tell)."""
    if plan.empty or not isinstance(source, ChangePreview):
        return []
    now = datetime.now(UTC)
    return await source.refusals([change_for(s, desired, current, now) for s in plan.steps])


def address(url: str) -> str:
    """The server a URL reaches, whatever its spelling: scheme, host and port (default
    ports filled in), lower case, and the path without a trailing slash."""
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme.lower(), 0)
    return (
        f"{parts.scheme.lower()}://{(parts.hostname or '').lower()}:{port}{parts.path.rstrip('/')}"
    )


async def apply_members(
    members: Sequence[Member],
    plans: dict[str, Plan],
    desired: Config,
    audit: AuditLog,
    *,
    jobs: int = DEFAULT_JOBS,
    refused: Mapping[str, Sequence[str]] | None = None,
    on_applied: Callable[[str, Sequence[Step]], None] = lambda server, steps: None,
    verify: bool = False,
    origin: str = "cli",
) -> list[ServerResult]:
    """Carry out each loaded member's plan, at most ``jobs`` servers at a time and never two
    at once on one address. A read-only server, and one whose rules refuse part of its plan
    (``refused``, from :func:`refusals`), is skipped before anything is sent; a down one is
    reported as such. With ``verify``, a server whose plan was carried out whole then has
    the scopes it changed probed (``apply --verify``), in the same slot; one whose apply
    failed is not probed. Saves are audited as coming from ``origin``. One result per member,
    in the members' order."""
    limit = asyncio.Semaphore(jobs)
    locks: dict[str, asyncio.Lock] = {}

    async def apply(member: Member) -> ServerResult:
        if member.source is None or member.config is None:
            outcome = Outcome.DOWN if member.down else Outcome.FAILED
            retry = isinstance(member.error, RemoteError) and member.error.transient
            return ServerResult(
                member.name, outcome, error=member.problem, remote=member.down, retry=retry
            )
        plan = plans[member.name]
        steps = [step.description for step in plan.steps]
        if plan.steps and member.source.read_only:
            return steps_result(member.name, steps, (), error="read-only: nothing was sent")
        why = (refused or {}).get(member.name)
        if why:
            text = inert("; ".join(why))
            return steps_result(member.name, steps, (), error=f"refused by the server: {text}")
        lock = locks.setdefault(address(desired.servers[member.name].url), asyncio.Lock())
        async with lock, limit:
            carried = await carry_out(
                member.source,
                plan,
                desired,
                member.config,
                audit,
                origin=origin,
                on_applied=lambda done: on_applied(member.name, done),
            )
            # Still in its slot and holding its address: the probe sees what this apply left,
            # before another profile of the same server writes there.
            changed_all = bool(plan.steps) and carried.error is None
            verified = (
                await _verify(member.name, member.source, plan) if verify and changed_all else None
            )
        return steps_result(
            member.name,
            steps,
            [step.description for step in carried.applied],
            [step.description for step in carried.failed],
            inert(str(carried.error)) if carried.error is not None else "",
            remote=isinstance(carried.error, RemoteError),
            retry=isinstance(carried.error, RemoteError) and carried.error.transient,
            verified=verified,
        )

    return list(await asyncio.gather(*(apply(member) for member in members)))


async def _verify(name: str, source: Source, plan: Plan) -> ServerProbe:
    """``apply --verify`` on one server: the scopes ``plan`` changed, probed."""
    from streamconsole.backends.delivery_probe import probe_changed  # httpx: only to verify

    return await _probed(name, probe_changed(source, [step.scope for step in plan.steps]))


async def _probed(name: str, probing: Awaitable[list[ProbeResult]]) -> ServerProbe:
    """Server ``name``'s probe: the results of ``probing``, or why there are none."""
    from streamconsole.core.probe import ServerProbe

    try:
        return ServerProbe(name, tuple(await probing))
    except StreamconsoleError as error:  # e.g. not on this server, its policy unread
        unread = isinstance(error, RemoteError)
        return ServerProbe(name, error=inert(str(error)), unread=unread)


async def probe_servers(
    config: Config,
    config_path: Path,
    names: Sequence[str],
    scope: str,
    directions: Sequence[Direction] | None = None,
    *,
    jobs: int = DEFAULT_JOBS,
    environ: Mapping[str, str] | None = None,
) -> list[ServerProbe]:
    """Probe ``scope`` (``APP`` or ``APP/ALIAS``) on each of the servers ``names``, as
    ``probe`` does on one: each read (with the scope's aliases), probed and closed, at most
    ``jobs`` servers at a time. A server that cannot be read, or where the scope cannot be
    probed, has a result that says why, and the others go on. In the order named."""
    # Here: httpx (~0.3 s to import) and the probe's model only for a probe, not for the
    # fleet's other commands.
    from streamconsole.backends.delivery_probe import probe_source
    from streamconsole.core.probe import ServerProbe

    limit = asyncio.Semaphore(jobs)
    aliases = aliases_of(ScopeRef.parse(scope).application)

    async def probe(name: str) -> ServerProbe:
        async with limit:
            [member] = await load_members(
                config, config_path, [name], aliases=aliases, environ=environ
            )
            try:
                if member.source is None or member.config is None:
                    return ServerProbe(name, error=member.problem, unread=True)
                found = probe_source(member.source, member.config, scope, directions)
                return await _probed(name, found)
            finally:
                await close_members([member])

    return list(await asyncio.gather(*(probe(name) for name in names)))
