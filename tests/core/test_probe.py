"""The probe's plan (three requests per direction, tokens signed right) and its verdicts."""

from __future__ import annotations

import jwt
import pytest

from streamconsole.core.key_records import KeyEntry, KeyOrigin
from streamconsole.core.keys import Algorithm, shared_key
from streamconsole.core.model import Alias, Application, Direction, ScopeSettings, ServerKind
from streamconsole.core.probe import (
    PROBE_STREAM,
    Answer,
    Attempt,
    Outcome,
    ProbeTarget,
    ServerProbe,
    judge,
    overall,
    plan_probe,
    served,
    summary_lines,
    table_lines,
    worst,
)

from .support import NOW, VENDOR_SECRET, fixture_pair

ANTMEDIA = ServerKind.ANTMEDIA
THEOLIVE = ServerKind.THEOLIVE


def antmedia_app(*, play: bool = True, key: bool = True) -> Application:
    entry = KeyEntry(shared_key(Algorithm.HS256, VENDOR_SECRET), KeyOrigin.REMOTE)
    settings = ScopeSettings(publish=True, play=play, key=entry if key else None)
    return Application("LiveApp", ANTMEDIA, settings, {"stream1": Alias("stream1")})


def test_plan_sends_three_requests_for_play_and_none_for_publish() -> None:
    publish, play = plan_probe(antmedia_app(), None, ANTMEDIA.directions, now=NOW)
    assert publish.requests == ()
    assert "RTMP" in publish.not_probed
    assert [r.attempt for r in play.requests] == list(Attempt)
    assert play.stream == PROBE_STREAM  # the application: a stream that exists nowhere
    no_token, valid, wrong = play.requests
    assert no_token.token is None
    assert valid.token is not None and wrong.token is not None
    claims = jwt.decode(
        valid.token, VENDOR_SECRET, algorithms=["HS256"], options={"verify_exp": False}
    )
    assert claims == {"streamId": PROBE_STREAM, "type": "play", "exp": int(NOW) + 60}
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(wrong.token, VENDOR_SECRET, algorithms=["HS256"])
    assert jwt.get_unverified_header(wrong.token)["alg"] == "HS256"


def test_plan_for_a_stream_names_it_in_the_url_and_the_token() -> None:
    app = antmedia_app()
    [play] = plan_probe(app, app.aliases["stream1"], [Direction.PLAY], now=NOW)
    assert play.stream == "stream1"
    assert (
        jwt.decode(
            play.requests[1].token or "",
            VENDOR_SECRET,
            algorithms=["HS256"],
            options={"verify_exp": False},
        )["streamId"]
        == "stream1"
    )


def test_plan_without_a_key_sends_no_valid_token_and_says_why() -> None:
    [play] = plan_probe(antmedia_app(key=False), None, [Direction.PLAY], now=NOW)
    assert [r.attempt for r in play.requests] == [Attempt.NO_TOKEN, Attempt.WRONG_KEY]
    assert "no key" in play.note


def test_plan_for_theolive_signs_with_the_alias_key_family() -> None:
    pair = fixture_pair(Algorithm.RS256, "rs256.pem")
    alias = Alias("evening", settings=ScopeSettings(play=True, key=KeyEntry(pair, KeyOrigin.FILE)))
    app = Application("news", THEOLIVE, aliases={"evening": alias})
    publish = plan_probe(app, alias, [Direction.PUBLISH], now=NOW)[0]
    assert "THEOlive has no JWT control for publish" in publish.not_probed
    [play] = plan_probe(app, alias, [Direction.PLAY], now=NOW)
    _, valid, wrong = play.requests
    assert jwt.get_unverified_header(wrong.token or "")["alg"] == "RS256"
    public = pair.verifying_key
    assert jwt.decode(
        valid.token or "", public, algorithms=["RS256"], options={"verify_exp": False}
    )
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(wrong.token or "", public, algorithms=["RS256"])


@pytest.mark.parametrize(
    ("kind", "status", "got_past"),
    [
        (ANTMEDIA, 200, True),
        (ANTMEDIA, 404, True),  # the filter answers first: a 404 is past it
        (ANTMEDIA, 403, False),
        (THEOLIVE, 200, True),
        (THEOLIVE, 403, False),
        (THEOLIVE, 404, None),  # a wrong play_url, not an answer about tokens
        (ANTMEDIA, 500, None),
        (ANTMEDIA, 302, None),
    ],
)
def test_what_a_status_says(kind: ServerKind, status: int, got_past: bool | None) -> None:
    assert served(kind, status) is got_past


def _target(enforced: bool) -> ProbeTarget:
    return plan_probe(antmedia_app(play=enforced), None, [Direction.PLAY], now=NOW)[0]


@pytest.mark.parametrize(
    ("enforced", "statuses", "outcome", "verdict"),
    [
        (True, (403, 404, 403), Outcome.AS_CONFIGURED, "enforced as configured"),
        (
            True,
            (404, 404, 404),
            Outcome.MISMATCH,
            "NOT enforced (a request without a token was served)",
        ),
        (True, (403, 403, 403), Outcome.MISMATCH, "valid tokens refused (key mismatch?)"),
        (True, (403, 200, 200), Outcome.MISMATCH, "a token signed by a wrong key was served"),
        (False, (200, 200, 200), Outcome.AS_CONFIGURED, "not enforced, as configured"),
        (False, (403, 200, 403), Outcome.MISMATCH, "enforced, though configured off"),
        (True, (403, 500, 403), Outcome.INCONCLUSIVE, "the request with valid token got HTTP 500"),
    ],
)
def test_verdicts(
    enforced: bool, statuses: tuple[int, int, int], outcome: Outcome, verdict: str
) -> None:
    target = _target(enforced)
    result = judge(target, dict(zip(Attempt, map(Answer, statuses), strict=True)))
    assert result.outcome is outcome
    assert verdict in result.verdict
    assert result.to_dict()["answers"]["no token"]["status"] == statuses[0]


def test_a_connection_error_is_inconclusive_and_named() -> None:
    target = _target(True)
    answers = {a: Answer(None, "cannot connect (refused)") for a in Attempt}
    result = judge(target, answers)
    assert result.outcome is Outcome.INCONCLUSIVE
    assert "cannot connect" in result.verdict


def test_enforced_without_a_valid_token_tried_is_said_so() -> None:
    [target] = plan_probe(antmedia_app(key=False), None, [Direction.PLAY], now=NOW)
    result = judge(target, {Attempt.NO_TOKEN: Answer(403), Attempt.WRONG_KEY: Answer(403)})
    assert (result.outcome, result.verdict) == (
        Outcome.AS_CONFIGURED,
        "enforced as configured (valid tokens not tried)",
    )


def test_overall_is_the_worst_outcome() -> None:
    publish, play = plan_probe(antmedia_app(), None, ANTMEDIA.directions, now=NOW)
    skipped = judge(publish, {})
    fine = judge(play, dict(zip(Attempt, map(Answer, (403, 404, 403)), strict=True)))
    bad = judge(play, dict(zip(Attempt, map(Answer, (404, 404, 404)), strict=True)))
    unclear = judge(play, dict(zip(Attempt, map(Answer, (503, 404, 403)), strict=True)))
    assert overall([skipped]) is Outcome.NOT_PROBED
    assert overall([skipped, fine]) is Outcome.AS_CONFIGURED
    assert overall([fine, unclear]) is Outcome.INCONCLUSIVE
    assert overall([unclear, bad, fine]) is Outcome.MISMATCH


def test_table_shows_codes_and_makes_names_inert() -> None:
    app = antmedia_app()
    app.aliases["cam\x1b[2J"] = Alias("cam\x1b[2J")
    [target] = plan_probe(app, app.aliases["cam\x1b[2J"], [Direction.PLAY], now=NOW)
    result = judge(target, dict(zip(Attempt, map(Answer, (403, 404, 403)), strict=True)))
    header, row = table_lines([result])
    assert header.split()[:3] == ["SCOPE", "TYPE", "CONFIGURED"]
    assert "\x1b" not in row
    assert "LiveApp/cam\\x1b[2J" in row
    assert row.split()[-6:] == ["403", "404", "403", "enforced", "as", "configured"]


def test_a_server_counts_as_its_worst_result_or_as_why_it_has_none() -> None:
    publish, play = plan_probe(antmedia_app(), None, ANTMEDIA.directions, now=NOW)
    fine = ServerProbe(
        "eu",
        (
            judge(publish, {}),
            judge(play, dict(zip(Attempt, map(Answer, (403, 404, 403)), strict=True))),
        ),
    )
    down = ServerProbe("down", error="cannot connect", unread=True)
    elsewhere = ServerProbe("theo", error="no application named 'LiveApp'")
    assert [p.outcome for p in (fine, down, elsewhere)] == [
        Outcome.AS_CONFIGURED,
        Outcome.INCONCLUSIVE,
        Outcome.NOT_PROBED,
    ]
    assert worst(p.outcome for p in (fine, elsewhere)) is Outcome.AS_CONFIGURED
    assert worst(p.outcome for p in (fine, elsewhere, down)) is Outcome.INCONCLUSIVE
    assert worst([elsewhere.outcome]) is Outcome.NOT_PROBED
    assert down.to_dict() == {
        "server": "down",
        "outcome": "inconclusive",
        "results": [],
        "error": "cannot connect",
    }
    assert [row["server"] for row in fine.to_dict()["results"]] == ["eu", "eu"]
    [row] = down.rows()
    assert list(row) == list(fine.rows()[0])  # the same columns, for one table
    assert (row["scope"], row["error"]) == (None, "cannot connect")


def test_summary_is_a_line_per_server_with_names_and_errors_inert() -> None:
    publish, play = plan_probe(antmedia_app(), None, ANTMEDIA.directions, now=NOW)
    bad = judge(play, dict(zip(Attempt, map(Answer, (404, 404, 404)), strict=True)))
    probes = [
        ServerProbe("eu\x1b[2J", (judge(publish, {}), bad)),
        ServerProbe("down", error="cannot connect \u202e", unread=True),
    ]
    header, eu, down = summary_lines(probes)
    assert header.split()[:2] == ["SERVER", "OUTCOME"]
    assert eu.split() == ["eu\\x1b[2J", "mismatch", "0", "1", "0", "1"]
    assert down.split() == [
        "down",
        "not",
        "read",
        "-",
        "-",
        "-",
        "-",
        "cannot",
        "connect",
        "\\u202e",
    ]
