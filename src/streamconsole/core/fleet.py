"""Several servers as one unit: which servers a command names, and what became of each.

Pure: choosing servers from the names given (``--server`` several times, ``--all-servers``),
which aliases to load from each, and merging per-server results of an ``apply`` (with
``--verify``, each server's probe of what it changed) into one summary. Opening and loading
the servers concurrently is :mod:`streamconsole.fleet`'s job.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from streamconsole.core.errors import StreamconsoleError
from streamconsole.core.model import Application, Config

if TYPE_CHECKING:
    from streamconsole.core.probe import Outcome as ProbeOutcome
    from streamconsole.core.probe import ServerProbe

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


# Why ``apply --verify`` probed nothing on a server whose apply did not succeed.
_NOT_VERIFIED = {
    Outcome.FAILED: "its apply failed",
    Outcome.SKIPPED: "nothing was applied",
    Outcome.DOWN: "it could not be read",
}


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
    verified: ServerProbe | None = None  # apply --verify: the probe of the scopes it changed

    @property
    def succeeded(self) -> bool:
        return self.outcome in (Outcome.APPLIED, Outcome.IN_SYNC)

    @property
    def verify_state(self) -> str:
        """What ``apply --verify`` found here: its probe's state (``as configured``,
        ``mismatch``, ...), ``-`` where nothing changed, ``not verified`` where the apply did
        not succeed (a server is verified only after its whole plan was applied)."""
        if self.verified is not None:
            return self.verified.state
        return "-" if self.succeeded else "not verified"

    @property
    def not_verified(self) -> str:
        """Why ``apply --verify`` probed nothing here although it had something to apply; ""
        where it was verified or nothing changed."""
        return "" if self.verified is not None else _NOT_VERIFIED.get(self.outcome, "")

    def verify_record(self) -> dict[str, Any] | None:
        """The ``verify`` of this server's ``apply --verify --json`` record: its probe as
        ``probe --json`` gives it; the same shape, ``not verified`` with why, where its apply
        did not succeed; None where nothing changed."""
        if self.verified is not None:
            return self.verified.to_dict()
        if not self.not_verified:
            return None
        why = self.not_verified
        return {"server": self.server, "outcome": "not verified", "results": [], "error": why}

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
    verified: ServerProbe | None = None,
) -> ServerResult:
    """One server's result from its planned steps, those applied and those that failed
    (with the error; without failed steps, ``error`` says why the rest was skipped): every
    other planned step was skipped. ``verified``: ``apply --verify``'s probe of it."""
    done = set(applied) | set(failed)
    skipped = tuple(step for step in steps if step not in done)
    if failed:
        outcome = Outcome.FAILED
    elif not steps:
        outcome = Outcome.IN_SYNC
    else:
        outcome = Outcome.SKIPPED if skipped else Outcome.APPLIED
    return ServerResult(
        server, outcome, tuple(applied), tuple(failed), skipped, error, remote, retry, verified
    )


@dataclass(frozen=True, slots=True)
class FleetSummary:
    """Every server's result, in the order the servers were named."""

    results: tuple[ServerResult, ...]
    verify: bool = False  # apply --verify: each server that applied something was probed

    @property
    def verified(self) -> list[ServerProbe]:
        """The probes of the servers ``apply --verify`` verified, in order."""
        return [result.verified for result in self.results if result.verified is not None]

    @property
    def verify_outcome(self) -> ProbeOutcome | None:
        """The worst outcome over every server verified; None where none was."""
        from streamconsole.core.probe import worst  # only for --verify: the probe is heavy

        probes = self.verified
        return worst(probe.outcome for probe in probes) if probes else None

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
        """The summary as ``apply --json`` prints it; with ``--verify``, each server's
        ``verify`` record and the worst outcome over them all (``verify``, null when no
        server was verified)."""
        servers = [result.to_dict() for result in self.results]
        summary = {"succeeded": self.succeeded, "servers": servers, "steps": self.counts()}
        if not self.verify:
            return summary
        for server, result in zip(servers, self.results, strict=True):
            server["verify"] = result.verify_record()
        outcome = self.verify_outcome
        return {**summary, "verify": str(outcome) if outcome is not None else None}


def summarise(
    results: Iterable[ServerResult], order: Sequence[str], *, verify: bool = False
) -> FleetSummary:
    """The results (which arrive in whatever order the servers finished) merged into one
    summary in ``order``; a server named twice is listed once. ``verify``: the results
    carry ``apply --verify``'s probes."""
    by_server = {result.server: result for result in results}
    missing = [name for name in order if name not in by_server]
    if missing:  # every named server gets a result, even a down one: a lost one is a bug
        raise ValueError(f"no result for server {missing[0]!r}")
    return FleetSummary(tuple(by_server[name] for name in dict.fromkeys(order)), verify)
