"""Several servers from Python and notebooks: :func:`open_servers`, as the CLI's
``--server a --server b`` (or ``--all-servers``) does it.

    >>> from streamconsole import open_servers
    >>> fleet = open_servers("online.toml", ["ams-eu", "ams-us", "theo"])
    >>> fleet                                  # a table of servers in Jupyter
    >>> fleet.applications                     # every server's applications, by server
    >>> fleet.compare("LiveApp")               # one application side by side
    >>> fleet.diff("ams-eu", "ams-us")         # the drift between two
    >>> fleet.probe("LiveApp", "play")         # is enforcement live on each? (reads anew)
    >>> plan = fleet.plan()                    # the file's desired state against each server
    >>> fleet.apply(plan)                      # carry it out, as ``apply --server …`` does
    >>> console = fleet.console("ams-eu")      # edits: one Console per server

The servers are read concurrently (at most ``jobs`` at a time) into a snapshot, and their
connections closed; a server that cannot be read is listed with its error and the others are
there. :meth:`Fleet.refresh` reads them again. Every value in the HTML tables is escaped:
names come from servers.

:meth:`Fleet.plan` and :meth:`Fleet.apply` are the offline workflow across the servers (edit
the TOML file, plan, apply), with the CLI's semantics: :meth:`Fleet.apply` reads every server
again and refuses the whole plan, writing nothing, when a server, the file or a key changed
since it was made (as ``apply --plan FILE`` does); then at most ``jobs`` servers at a time,
never two writes to one address at once, a read-only or down server skipped and said so, and
every save audited with its server (origin ``api``).
"""

from __future__ import annotations

import html
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from streamconsole.api import Console, Table, _html_table, _LoopThread, open_server
from streamconsole.audit import audit_log_for
from streamconsole.backends.toml_file import TomlSource
from streamconsole.core.drift import Drift, compare_row, compared_aliases, drift
from streamconsole.core.fleet import (
    FleetSummary,
    UnknownServer,
    planned_aliases,
    select_servers,
    summarise,
)
from streamconsole.core.model import DEFAULT_JOBS, Config, Direction, ScopeRef
from streamconsole.core.report import server_rows, unknown_row
from streamconsole.core.text import counted, inert
from streamconsole.fleet import (
    Member,
    apply_members,
    close_members,
    load_members,
    plan_members,
    probe_servers,
    saved_plan_of,
)
from streamconsole.fleet_plan import (
    ApplySummary,
    FleetPlan,
    check_plan_fresh,
    plan_rows,
    summary_rows,
)

T = TypeVar("T")


def _run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run ``coroutine`` on a loop of its own, also inside Jupyter's own running loop."""
    runner = _LoopThread()
    try:
        return runner.run(coroutine)
    finally:
        runner.stop()


@dataclass(frozen=True)
class DriftReport:
    """The drift between two servers (``data`` is what ``diff --json`` prints)."""

    drift: Drift

    @property
    def same(self) -> bool:
        return self.drift.same

    @property
    def data(self) -> dict[str, Any]:
        return self.drift.to_dict()

    def _repr_html_(self) -> str:
        left, right = html.escape(self.drift.left), html.escape(self.drift.right)
        if self.drift.same:
            verdict = f"no drift on {counted(self.drift.compared, 'scope')}"
        else:
            verdict = counted(len(self.drift.differences), "difference")
        parts = [f"<h4>{left} ↔ {right}: {verdict}</h4>"]
        if self.drift.differences:
            rows = [
                {
                    "scope": d.scope,
                    "field": d.field,
                    self.drift.left: d.left,
                    self.drift.right: d.right,
                }
                for d in self.drift.differences
            ]
            parts.append(_html_table(rows))
        for side, scopes in ((left, self.drift.only_left), (right, self.drift.only_right)):
            if scopes:
                listed = ", ".join(html.escape(scope) for scope in scopes)
                parts.append(f"<p>only on {side}: {listed}</p>")
        for unread in self.drift.unread:
            where = html.escape(f"{unread.side}: {unread.scope}: {unread.error}")
            parts.append(f"<p><strong>not read:</strong> {where}</p>")
        return "".join(parts)


class Fleet:
    """Several servers of one config, read into a snapshot; see the module docstring."""

    def __init__(self, config_path: Path, names: Sequence[str], *, jobs: int) -> None:
        self.config_path = config_path
        self.local: Config = TomlSource(config_path).load_sync()
        self.names = select_servers(list(self.local.servers), names, all_servers=not names)
        self._jobs = jobs
        self.members: tuple[Member, ...] = ()
        self.refresh()

    def refresh(self) -> None:
        """Read every server again (concurrently), with the aliases a diff compares."""

        async def load() -> list[Member]:
            members = await load_members(
                self.local,
                self.config_path,
                self.names,
                jobs=self._jobs,
                aliases=compared_aliases(),
            )
            await close_members(members)
            return members

        self.members = tuple(_run(load()))

    def _member(self, name: str) -> Member:
        for member in self.members:
            if member.name == name:
                return member
        raise UnknownServer(f"no server named {name!r} here (opened: {', '.join(self.names)})")

    @property
    def errors(self) -> dict[str, str]:
        """Server → why it could not be read, for those that could not."""
        return {m.name: m.problem for m in self.members if m.config is None}

    @property
    def servers(self) -> Table:
        rows = []
        for member in self.members:
            profile = self.local.servers[member.name]
            read = member.config is not None
            rows.append(
                {
                    "server": member.name,
                    "kind": profile.kind.value,
                    "state": "read" if read else ("down" if member.down else "failed"),
                    "read_only": profile.read_only or self.local.settings.read_only,
                    "applications": len(member.config.applications) if member.config else None,
                    "error": member.problem or None,
                }
            )
        return Table(tuple(rows))

    @property
    def applications(self) -> Table:
        """Every server's applications (a down server as one row with its error)."""
        rows: list[dict[str, Any]] = []
        for member in self.members:
            if member.config is None:
                rows.append(self._unknown_row(member, None, member.problem))
            else:
                rows.extend(server_rows(member.name, member.config, aliases=False))
        return Table(tuple(rows))

    def compare(self, scope: str) -> Table:
        """One application (or alias) on every server, side by side, with its key's age.
        An Ant Media stream has its application's policy, whichever streams the server
        holds now."""
        ref, now = ScopeRef.parse(scope), datetime.now(UTC)
        return Table(
            tuple(
                compare_row(
                    member.name,
                    self.local.servers[member.name].kind,
                    member.config,
                    member.problem,
                    ref,
                    now,
                )
                for member in self.members
            )
        )

    def _unknown_row(self, member: Member, scope: str | None, error: str) -> dict[str, Any]:
        return unknown_row(member.name, scope, self.local.servers[member.name].kind, error)

    def diff(self, left: str, right: str, application: str | None = None) -> DriftReport:
        """The drift between two of the servers (see ``streamconsole diff``)."""
        a, b = self._read(left), self._read(right)
        return DriftReport(drift(left, a, right, b, application))

    def _read(self, name: str) -> Config:
        """The server's snapshot; the error it could not be read with, if it could not."""
        member = self._member(name)
        if member.config is None:
            raise member.error or UnknownServer(f"server {name} could not be read")
        return member.config

    def probe(self, scope: str, direction: str | None = None) -> Table:
        """Ask each server's delivery endpoint whether ``scope`` enforces tokens as that
        server is set (``streamconsole probe`` on several servers): each server is read
        again for it, concurrently, at most ``jobs`` at a time. A row per server, direction
        and alias, naming its ``server``; a server that could not be read, or where the
        scope cannot be probed, is one row with its ``error``."""
        directions = [Direction(direction)] if direction else None
        probes = _run(
            probe_servers(
                self.local, self.config_path, self.names, scope, directions, jobs=self._jobs
            )
        )
        return Table(tuple(row for probe in probes for row in probe.rows()))

    def plan(self, desired: str | Path | None = None) -> FleetPlan:
        """Each server's plan against the desired state in the TOML file ``desired`` (this
        fleet's config file, read again, when None), as ``plan --server …`` computes it:
        each server read anew, at most ``jobs`` at a time, with what its rules refuse."""
        path = self.config_path if desired is None else Path(desired)
        wanted = TomlSource(path).load_sync()
        names = select_servers(list(wanted.servers), self.names)

        async def compute() -> FleetPlan:
            members = await load_members(
                wanted, path, names, jobs=self._jobs, aliases=planned_aliases(wanted)
            )
            try:
                plans, refused = await plan_members(members, wanted)
            finally:
                await close_members(members)
            saved = {name: saved_plan_of(path, name, plan) for name, plan in plans.items()}
            why = {name: tuple(inert(r) for r in found) for name, found in refused.items()}
            errors = {m.name: m.problem for m in members if m.name not in plans}
            rows = plan_rows(names, saved, why, errors)
            return FleetPlan(
                rows, config_path=path, servers=names, saved=saved, refused=why, errors=errors
            )

        return _run(compute())

    def apply(
        self, plan: FleetPlan, *, jobs: int | None = None, verify: bool = False
    ) -> ApplySummary:
        """Carry out ``plan`` as ``apply --server …`` does, at most ``jobs`` servers at a
        time (this fleet's, unless told): each server read again and the plan made anew,
        refused whole (:class:`StalePlan`, nothing written) unless it is ``plan`` on every
        server read. With ``verify``, each server whose plan was carried out whole then has
        the scopes it changed probed (``apply --verify``)."""
        jobs = self._jobs if jobs is None else jobs
        if jobs < 1:
            raise ValueError(f"jobs must be at least 1, not {jobs}")
        path = plan.config_path
        desired = TomlSource(path).load_sync()

        async def execute() -> FleetSummary:
            members = await load_members(
                desired,
                path,
                plan.servers,
                jobs=jobs,
                read_only=False,
                aliases=planned_aliases(desired),
            )
            try:
                plans, refused = await plan_members(members, desired)
                for name, now in plans.items():
                    check_plan_fresh(plan, name, now)
                results = await apply_members(
                    members,
                    plans,
                    desired,
                    audit_log_for(desired.settings),
                    jobs=jobs,
                    refused=refused,
                    verify=verify,
                    origin="api",
                )
            finally:
                await close_members(members)
            return summarise(results, plan.servers, verify=verify)

        summary = _run(execute())
        return ApplySummary(summary_rows(summary), summary=summary)

    def console(self, name: str, *, read_only: bool = False) -> Console:
        """A Console on one of the servers, for edits (one edit session per server)."""
        self._member(name)
        return open_server(self.config_path, name, read_only=read_only)

    def _repr_html_(self) -> str:
        return self.servers._repr_html_()


def open_servers(
    config_path: str | Path, names: Sequence[str] = (), *, jobs: int = DEFAULT_JOBS
) -> Fleet:
    """The servers ``names`` of a config (all of them when none is named), read concurrently
    at most ``jobs`` at a time; a server that cannot be read is listed with its error."""
    return Fleet(Path(config_path), names, jobs=jobs)
