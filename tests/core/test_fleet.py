"""Choosing the servers of a fleet command, and merging per-server apply results."""

from __future__ import annotations

import pytest

from streamconsole.core.fleet import (
    Outcome,
    ServerResult,
    UnknownServer,
    select_servers,
    steps_result,
    summarise,
)
from streamconsole.core.model import Direction, ScopeRef, ServerKind
from streamconsole.core.probe import Outcome as ProbeOutcome
from streamconsole.core.probe import ProbeResult, ProbeTarget, ServerProbe

CONFIGURED = ["ams-eu", "ams-us", "theo"]


def test_all_servers_in_the_config_order() -> None:
    assert select_servers(CONFIGURED, [], all_servers=True) == ("ams-eu", "ams-us", "theo")


def test_named_servers_once_each_in_the_order_given() -> None:
    assert select_servers(CONFIGURED, ["theo", "ams-eu", "theo"]) == ("theo", "ams-eu")


def test_an_unknown_name_is_refused_before_any_server_is_asked() -> None:
    with pytest.raises(UnknownServer, match=r"no server named 'ams-ap' \(configured: ams-eu"):
        select_servers(CONFIGURED, ["ams-eu", "ams-ap"])


def test_all_servers_of_a_config_without_servers_is_an_error() -> None:
    with pytest.raises(UnknownServer, match="defines no"):
        select_servers([], [], all_servers=True)


STEPS = ["A: install key", "A: play JWT on", "B: publish JWT on"]


def test_every_step_applied() -> None:
    result = steps_result("s", STEPS, STEPS)
    assert (result.outcome, result.skipped, result.succeeded) == (Outcome.APPLIED, (), True)


def test_a_failed_save_leaves_the_rest_skipped() -> None:
    result = steps_result("s", STEPS, [], STEPS[:2], "HTTP 500", remote=True)
    assert result.outcome is Outcome.FAILED
    assert result.failed == tuple(STEPS[:2])
    assert result.skipped == (STEPS[2],)
    assert not result.succeeded


def test_nothing_to_do_is_in_sync_and_nothing_sent_is_skipped() -> None:
    assert steps_result("s", [], []).outcome is Outcome.IN_SYNC
    read_only = steps_result("s", STEPS, [], error="read-only: nothing was sent")
    assert (read_only.outcome, read_only.skipped) == (Outcome.SKIPPED, tuple(STEPS))


def test_summary_in_the_order_named_and_succeeded_only_when_every_server_did() -> None:
    done = steps_result("a", STEPS, STEPS)
    down = ServerResult("b", Outcome.DOWN, error="cannot connect", remote=True)
    refused = steps_result("c", STEPS, [], error="read-only: nothing was sent")
    summary = summarise([refused, down, done], ["a", "b", "c"])
    assert [r.server for r in summary.results] == ["a", "b", "c"]
    assert not summary.succeeded
    assert summary.remote_failure
    assert summary.counts() == {"applied": 3, "failed": 0, "skipped": 3}
    assert summary.to_dict()["servers"][1] == {
        "server": "b",
        "result": "down",
        "applied": [],
        "failed": [],
        "skipped": [],
        "error": "cannot connect",
    }
    assert summarise([done], ["a"]).succeeded
    assert not summarise([done, refused], ["a", "c"]).remote_failure


def test_a_server_without_a_result_is_a_bug_not_a_success() -> None:
    with pytest.raises(ValueError, match="no result for server 'b'"):
        summarise([steps_result("a", [], [])], ["a", "b"])


def test_worth_retrying_only_when_every_failure_was_transient() -> None:
    down = ServerResult("b", Outcome.DOWN, error="cannot connect", remote=True, retry=True)
    refused = steps_result("c", STEPS, [], error="refused by the server: play stays on")
    assert summarise([down], ["b"]).worth_retrying
    assert not summarise([down, refused], ["b", "c"]).worth_retrying


def _probe(server: str, outcome: ProbeOutcome) -> ServerProbe:
    target = ProbeTarget(ScopeRef("A"), ServerKind.ANTMEDIA, Direction.PLAY, True, "s")
    return ServerProbe(server, (ProbeResult(target, {}, outcome, "verdict"),))


def test_verify_outcome_per_server_and_the_worst_over_those_verified() -> None:
    mismatch = steps_result("a", STEPS, STEPS, verified=_probe("a", ProbeOutcome.MISMATCH))
    fine = steps_result("b", STEPS, STEPS, verified=_probe("b", ProbeOutcome.AS_CONFIGURED))
    failed = steps_result("c", STEPS, [], STEPS[:2], "HTTP 500", remote=True)
    in_sync = steps_result("d", [], [])
    down = ServerResult("e", Outcome.DOWN, error="cannot connect", remote=True)
    summary = summarise([mismatch, fine, failed, in_sync, down], list("abcde"), verify=True)
    assert [r.verify_state for r in summary.results] == [
        *("mismatch", "as configured", "not verified", "-", "not verified")
    ]
    assert [r.not_verified for r in summary.results] == [
        *("", "", "its apply failed", "", "it could not be read")
    ]
    assert summary.verify_outcome is ProbeOutcome.MISMATCH
    record = summary.to_dict()
    assert record["verify"] == "mismatch"
    a, _, c, d, _ = record["servers"]
    assert (a["verify"]["outcome"], a["verify"]["results"][0]["verdict"]) == ("mismatch", "verdict")
    assert c["verify"] == {
        "server": "c",
        "outcome": "not verified",
        "results": [],
        "error": "its apply failed",
    }
    assert d["verify"] is None


def test_without_verify_the_summary_is_as_before_and_nothing_verified_is_no_outcome() -> None:
    summary = summarise([steps_result("a", STEPS, STEPS)], ["a"])
    assert "verify" not in summary.to_dict() and "verify" not in summary.to_dict()["servers"][0]
    nothing = summarise([steps_result("a", [], [])], ["a"], verify=True)
    assert nothing.verify_outcome is None
    assert nothing.to_dict()["verify"] is None
