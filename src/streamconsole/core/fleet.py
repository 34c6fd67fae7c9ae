"""Several servers as one unit: which servers a command names, and what became of each.

Pure: choosing servers from the names given (``--server`` several times, ``--all-servers``),
which aliases to load from each, and merging per-server results of an ``apply`` into one
summary. Opening and loading the
servers concurrently is :mod:`streamconsole.fleet`'s job.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from streamconsole.core.errors import StreamconsoleError
from streamconsole.core.model import Application, Config

# How many servers are worked on at once, unless told (``--jobs``).
DEFAULT_JOBS = 4
# Which applications' aliases to load once a server has listed its applications.
AliasChoice = Callable[[Config], Iterable[Application]]


class UnknownServer(StreamconsoleError):
    """A server name that the config does not define, or no server at all to work on."""


def select_servers(
    configured: Sequence[str], named: Sequence[str], *, all_servers: bool = False
) -> tuple[str, ...]:
    """The servers to work on: every configured one (``all_servers``, in the config's order),
    or those ``named``, each once, in the order given. A name the config does not define is
    refused before anything is asked of any server."""
    known = ", ".join(configured) or "none"
    if all_servers:
        if not configured:
            raise UnknownServer("--all-servers: the config defines no [servers.NAME]")
        return tuple(configured)
    if not named:
        raise UnknownServer(f"name a server (configured: {known})")
    for name in named:
        if name not in configured:
            raise UnknownServer(f"no server named {name!r} (configured: {known})")
    return tuple(dict.fromkeys(named))


def no_aliases(config: Config) -> Iterable[Application]:
    """Load no application's aliases (``list --applications-only``)."""
    return ()


def every_alias(config: Config) -> Iterable[Application]:
    """Every readable application's aliases that are not loaded yet (``list``, ``diff``)."""
    return [
        app for app in config.applications.values() if not app.aliases_loaded and not app.problem
    ]


def aliases_of(application: str) -> AliasChoice:
    """One application's aliases (``show APP/ALIAS``, ``diff APP``)."""

    def chosen(config: Config) -> Iterable[Application]:
        app = config.applications.get(application)
        return [app] if app is not None and not app.aliases_loaded and not app.problem else []

    return chosen


def planned_aliases(desired: Config) -> AliasChoice:
    """The aliases a plan compares: those of per-alias applications the file also names."""

    def chosen(config: Config) -> Iterable[Application]:
        return [
            app
            for name, app in config.applications.items()
            if app.kind.policy_per_alias and name in desired.applications and not app.aliases_loaded
        ]

    return chosen


class Outcome(StrEnum):
    APPLIED = "applied"  # every step carried out
    IN_SYNC = "in sync"  # nothing to do
    FAILED = "failed"  # a save failed: what was applied before it stays, the rest is left
    SKIPPED = "skipped"  # not written to at all (read-only, or not confirmed)
    DOWN = "down"  # could not be read, so not planned either


@dataclass(frozen=True, slots=True)
class ServerResult:
    """What ``apply`` did on one server: step descriptions by fate, and why it stopped."""

    server: str
    outcome: Outcome
    applied: tuple[str, ...] = ()
    failed: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()
    error: str = ""
    remote: bool = False  # the server or the way to it failed (not a refusal by our rules)
    retry: bool = False  # running apply again as it is may succeed (a transient failure)

    @property
    def succeeded(self) -> bool:
        return self.outcome in (Outcome.APPLIED, Outcome.IN_SYNC)

    def to_dict(self) -> dict[str, Any]:
        return {
            "server": self.server,
            "result": self.outcome.value,
            "applied": list(self.applied),
            "failed": list(self.failed),
            "skipped": list(self.skipped),
            "error": self.error or None,
        }


def steps_result(
    server: str,
    steps: Sequence[str],
    applied: Sequence[str],
    failed: Sequence[str] = (),
    error: str = "",
    *,
    remote: bool = False,
    retry: bool = False,
) -> ServerResult:
    """One server's result from its planned steps, those applied and those that failed
    (with the error; without failed steps, ``error`` says why the rest was skipped): every
    other planned step was skipped."""
    done = set(applied) | set(failed)
    skipped = tuple(step for step in steps if step not in done)
    if failed:
        outcome = Outcome.FAILED
    elif not steps:
        outcome = Outcome.IN_SYNC
    else:
        outcome = Outcome.SKIPPED if skipped else Outcome.APPLIED
    return ServerResult(
        server, outcome, tuple(applied), tuple(failed), skipped, error, remote, retry
    )


@dataclass(frozen=True, slots=True)
class FleetSummary:
    """Every server's result, in the order the servers were named."""

    results: tuple[ServerResult, ...]

    @property
    def succeeded(self) -> bool:
        """True only when every server succeeded (applied, or already in sync)."""
        return all(result.succeeded for result in self.results)

    @property
    def remote_failure(self) -> bool:
        """Whether a server that did not succeed failed on the server's side (or the way to
        it), rather than by refusal: exit 3 rather than 1."""
        return any(result.remote for result in self.results if not result.succeeded)

    @property
    def worth_retrying(self) -> bool:
        """Whether every server that did not succeed failed transiently (unreachable, 5xx):
        then running apply again as it is may carry out the rest."""
        return all(result.retry for result in self.results if not result.succeeded)

    def counts(self) -> dict[str, int]:
        return {
            "applied": sum(len(r.applied) for r in self.results),
            "failed": sum(len(r.failed) for r in self.results),
            "skipped": sum(len(r.skipped) for r in self.results),
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "succeeded": self.succeeded,
            "servers": [result.to_dict() for result in self.results],
            "steps": self.counts(),
        }


def summarise(results: Iterable[ServerResult], order: Sequence[str]) -> FleetSummary:
    """The results (which arrive in whatever order the servers finished) merged into one
    summary in ``order``; a server named twice is listed once."""
    by_server = {result.server: result for result in results}
    missing = [name for name in order if name not in by_server]
    if missing:  # every named server gets a result, even a down one: a lost one is a bug
        raise ValueError(f"no result for server {missing[0]!r}")
    return FleetSummary(tuple(by_server[name] for name in dict.fromkeys(order)))
