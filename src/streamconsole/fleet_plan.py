"""A plan across several servers and what carrying it out did, for :mod:`fleet_api`:
:class:`FleetPlan` (:meth:`Fleet.plan`) and :class:`ApplySummary` (:meth:`Fleet.apply`),
tables in a notebook like the API's others, each row naming its ``server``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from streamconsole.api import Table
from streamconsole.core.fleet import FleetSummary, Outcome
from streamconsole.core.plan import Plan
from streamconsole.core.plan_file import SavedPlan, StalePlan, check_fresh
from streamconsole.fleet import file_digest


@dataclass(frozen=True, kw_only=True)
class FleetPlan(Table):
    """Each server's plan against the file (``plan --server a --server b``), to pass to
    :meth:`Fleet.apply`: a row per step, per refusal of a server's rules and per server
    that could not be read, each naming its ``server``. ``data`` is what ``plan --json``
    prints."""

    config_path: Path
    servers: tuple[str, ...]
    saved: dict[str, SavedPlan]  # server → its plan, as ``plan --out`` saves it
    refused: dict[str, tuple[str, ...]]  # server → what its rules refuse of its plan
    errors: dict[str, str]  # server → why it could not be read

    @property
    def empty(self) -> bool:
        """Every server was read and matches the file: nothing to apply."""
        return not self.errors and all(not saved.steps for saved in self.saved.values())

    @property
    def data(self) -> list[dict[str, Any]]:
        return [
            {**asdict(self.saved[name]), "refusals": list(self.refused[name])}
            if name in self.saved
            else {"server": name, "error": self.errors[name]}
            for name in self.servers
        ]


def plan_rows(
    servers: Sequence[str],
    saved: dict[str, SavedPlan],
    refused: dict[str, tuple[str, ...]],
    errors: dict[str, str],
) -> tuple[dict[str, Any], ...]:
    rows: list[dict[str, Any]] = []

    def row(server: str, step: dict[str, str | None] | None, note: str | None) -> None:
        fields = step or dict.fromkeys(("scope", "action", "direction", "description"))
        rows.append({"server": server, **fields, "note": note})

    for name in servers:
        if name in errors:
            row(name, None, f"not read: {errors[name]}")
            continue
        for step in saved[name].steps:
            row(name, step, None)
        for refusal in refused[name]:
            row(name, None, f"refused by the server: {refusal}")
        if not saved[name].steps:
            row(name, None, "no differences: the server matches the file")
    return tuple(rows)


@dataclass(frozen=True, kw_only=True)
class ApplySummary(Table):
    """What :meth:`Fleet.apply` did: a row per server (applied / failed / skipped steps,
    why it did not succeed, with ``verify`` what its probe found). ``data`` is what
    ``apply --json`` prints."""

    summary: FleetSummary

    @property
    def succeeded(self) -> bool:
        """True only when every server succeeded (applied, or already in sync)."""
        return self.summary.succeeded

    @property
    def data(self) -> dict[str, Any]:
        return self.summary.to_dict()


def summary_rows(summary: FleetSummary) -> tuple[dict[str, Any], ...]:
    rows = []
    for result in summary.results:
        counts = [len(result.applied), len(result.failed), len(result.skipped)]
        shown: list[int | None] = [None] * 3 if result.outcome is Outcome.DOWN else [*counts]
        row = {
            "server": result.server,
            "result": result.outcome.value,
            **dict(zip(("applied", "failed", "skipped"), shown, strict=True)),
            "error": result.error or None,
        }
        if summary.verify:
            row["verify"] = result.verify_state
        rows.append(row)
    return tuple(rows)


def check_plan_fresh(plan: FleetPlan, server: str, now: Plan) -> None:
    """Refuse (:class:`StalePlan`) unless ``now`` is ``plan``'s for ``server``."""
    saved = plan.saved.get(server)
    if saved is None:
        raise StalePlan(f"server {server} was not read when the plan was made; run plan again")
    try:
        check_fresh(saved, now, str(plan.config_path), file_digest(plan.config_path, now))
    except StalePlan as error:
        raise StalePlan(f"server {server}: {error}") from None
