"""Token preview screen: issuing, the live countdown, and the paste checker."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import jwt
import pytest
from textual import events
from textual.pilot import Pilot
from textual.widgets import Input, Static

from streamconsole.core.explain import CheckStatus, Verdict
from streamconsole.core.key_records import KeyEntry, KeyOrigin, RemoteKey
from streamconsole.core.keys import Algorithm, Key
from streamconsole.core.model import Alias, Application, Direction, ScopeSettings, ServerKind
from streamconsole.core.tokens import build_claims, sign
from streamconsole.tui.token_paste import TokenPasteArea
from streamconsole.tui.token_preview import TokenPreviewScreen
from streamconsole.tui.token_report import TokenReport
from tests.core.support import (
    NOW,
    NOW_DT,
    fixture_pair,
    fixture_shared,
    forge,
)

from .screen_host import (
    ManualClock,
    ScreenHost,
    assert_no_secrets_in_snapshots,
    record_rows_written,
    screen_text,
    settle,
)

TTL = 600
HS256 = fixture_shared(Algorithm.HS256, "hs256.secret")
HS512 = fixture_shared(Algorithm.HS512, "hs512.secret")
RS256_PAIR = fixture_pair(Algorithm.RS256, "rs256.pem")


def antmedia(*, publish: bool = True, play: bool = False) -> Application:
    settings = ScopeSettings(publish=publish, play=play, key=KeyEntry(HS256, KeyOrigin.FILE))
    return Application(
        "LiveApp", ServerKind.ANTMEDIA, settings, aliases={"stream1": Alias("stream1")}
    )


def theolive(key: Key | None) -> Application:
    entry = KeyEntry(key, KeyOrigin.FILE) if key is not None else None
    evening = Alias("evening", settings=ScopeSettings(play=True, key=entry))
    return Application("news", ServerKind.THEOLIVE, aliases={"evening": evening})


def preview(app: Application, clock: ManualClock) -> ScreenHost:
    alias = next(iter(app.aliases.values()))
    return ScreenHost(TokenPreviewScreen(app, alias, clock=clock, ttl=TTL))


def screen_of(pilot: Pilot[Any]) -> TokenPreviewScreen:
    screen = pilot.app.screen
    assert isinstance(screen, TokenPreviewScreen)
    return screen


def report(pilot: Pilot[Any], which: str) -> TokenReport:
    return pilot.app.screen.query_one(f"#token-{which}-report", TokenReport)


def statuses(pilot: Pilot[Any], which: str) -> dict[str, CheckStatus]:
    explanation = report(pilot, which).explanation
    assert explanation is not None
    return {check.name: check.status for check in explanation.checks}


async def paste(pilot: Pilot[Any], text: str) -> None:
    await pilot.press("3")
    area = pilot.app.screen.query_one("#token-paste", TokenPasteArea)
    assert area.has_focus
    area.post_message(events.Paste(text))
    await pilot.pause()


def claims_of(token: str | None) -> dict[str, Any]:
    assert token is not None
    return jwt.decode(token, HS256.hmac_key, algorithms=["HS256"])


# --- issuing --------------------------------------------------------------------------------


async def test_issues_for_the_enforced_direction_and_toggles() -> None:
    clock = ManualClock(NOW)
    async with preview(antmedia(), clock).run_test() as pilot:
        await settle(pilot)
        screen = screen_of(pilot)
        assert screen.direction is Direction.PUBLISH
        assert claims_of(screen.token) == {
            "streamId": "stream1",
            "type": "publish",
            "exp": int(NOW) + TTL,
        }
        explanation = report(pilot, "issued").explanation
        assert explanation is not None
        assert explanation.verdict is Verdict.ACCEPTED

        await pilot.press("n")
        assert screen.direction is Direction.PLAY
        assert claims_of(screen.token)["type"] == "play"
        explanation = report(pilot, "issued").explanation
        assert explanation is not None
        # Play is not enforced on this application: the server lets anything through.
        assert explanation.verdict is Verdict.NOT_CHECKED
        assert "play JWT not enforced" in str(screen.query_one("#token-policy", Static).render())


async def test_ttl_change_reissues_and_bad_ttl_is_explained_in_place() -> None:
    clock = ManualClock(NOW)
    async with preview(antmedia(), clock).run_test() as pilot:
        await settle(pilot)
        screen = screen_of(pilot)
        await pilot.press("m")
        ttl_input = screen.query_one("#token-ttl", Input)
        assert ttl_input.has_focus

        ttl_input.value = "soon"
        await pilot.press("enter")
        note = str(screen.query_one("#token-ttl-note", Static).render())
        assert "'soon' is not a duration" in note
        assert screen.ttl == TTL
        assert claims_of(screen.token)["exp"] == int(NOW) + TTL

        ttl_input.value = "2m"
        await pilot.press("enter")
        assert screen.ttl == 120
        assert claims_of(screen.token)["exp"] == int(NOW) + 120
        assert not ttl_input.has_focus


async def test_copy_puts_the_token_on_the_clipboard() -> None:
    clock = ManualClock(NOW)
    async with preview(antmedia(), clock).run_test() as pilot:
        await settle(pilot)
        await pilot.press("y")
        assert pilot.app.clipboard == screen_of(pilot).token
        assert pilot.app.clipboard.count(".") == 2


# --- the countdown --------------------------------------------------------------------------


async def test_countdown_warns_under_a_minute_and_rechecks_only_on_expiry() -> None:
    clock = ManualClock(NOW)
    async with preview(antmedia(), clock).run_test() as pilot:
        await settle(pilot)
        issued = report(pilot, "issued")
        countdown = issued.countdown
        first = issued.explanation
        assert countdown.label == "expires in 10m"
        assert not countdown.has_class("-warning", "-expired")

        clock.now = NOW + TTL - 59
        countdown.tick()
        await pilot.pause()
        assert countdown.label == "expires in 59s"
        assert countdown.has_class("-warning")
        assert not countdown.has_class("-expired")
        assert issued.explanation is first  # the checklist was not re-run

        clock.now = NOW + TTL + 5
        countdown.tick()
        await pilot.pause()
        assert countdown.label == "expired 5s ago"
        assert countdown.has_class("-expired")
        assert not countdown.has_class("-warning")
        assert issued.explanation is not first
        assert statuses(pilot, "issued")["exp"] is CheckStatus.FAILED

        await pilot.press("i")  # re-issue from the new "now"
        assert countdown.label == "expires in 10m"
        assert statuses(pilot, "issued")["exp"] is CheckStatus.PASSED


async def test_the_checklist_exp_line_ticks_with_the_countdown_in_its_words() -> None:
    clock = ManualClock(NOW)
    async with preview(antmedia(), clock).run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        issued = report(pilot, "issued")
        first = issued.explanation
        assert "✔ exp         expires in 10m, at " in screen_text(pilot.app)
        clock.now = NOW + 2
        issued.countdown.tick()
        await pilot.pause()
        assert issued.countdown.label == "expires in 9m 58s"
        assert "✔ exp         expires in 9m 58s, at " in screen_text(pilot.app)
        assert issued.explanation is first  # the exp line moved on; nothing was re-checked


async def test_a_countdown_tick_rewrites_only_the_countdown_and_the_exp_line() -> None:
    clock = ManualClock(NOW)
    async with preview(antmedia(), clock).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        rows_written = record_rows_written(pilot.app)
        issued = report(pilot, "issued")
        countdown_row = issued.countdown.region.y
        shown = screen_text(pilot.app).splitlines()
        exp_row = next(row for row, line in enumerate(shown) if "✔ exp " in line)
        rows_written.clear()
        clock.now = NOW + 2
        issued.countdown.tick()
        # The exp line follows within the tick, not a message later: one frame has both.
        exp_line = screen_text(pilot.app).splitlines()[exp_row]
        assert "✔ exp         expires in 9m 58s, at " in exp_line
        await pilot.pause()
        assert set().union(*rows_written) == {countdown_row, exp_row}

        rows_written.clear()
        issued.countdown.tick()  # the same second: nothing to redraw
        await pilot.pause()
        assert set().union(*rows_written) == set()


async def test_a_long_expired_token_says_how_long_ago_in_the_countdown_and_checklist() -> None:
    clock = ManualClock(NOW)
    ago = timedelta(days=522, hours=17, minutes=3).total_seconds()
    claims = build_claims(ServerKind.ANTMEDIA, Direction.PUBLISH, "stream1", now=NOW, ttl=60)
    token = sign({**claims, "exp": int(NOW - ago), "iat": int(NOW - ago - 60)}, HS256)
    async with preview(antmedia(), clock).run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await paste(pilot, token)
        assert report(pilot, "pasted").countdown.label == "expired 522d 17h ago"
        assert "✖ exp         expired 522d 17h ago, at " in screen_text(pilot.app)


# --- the paste checker ----------------------------------------------------------------------


async def test_pasted_expired_token_fails_exp() -> None:
    clock = ManualClock(NOW)
    expired = sign(
        build_claims(ServerKind.ANTMEDIA, Direction.PUBLISH, "stream1", now=NOW - 900, ttl=60),
        HS256,
    )
    async with preview(antmedia(), clock).run_test() as pilot:
        await settle(pilot)
        await paste(pilot, f"Bearer {expired}\n")
        checks = statuses(pilot, "pasted")
        assert checks["exp"] is CheckStatus.FAILED
        assert checks["signature"] is CheckStatus.PASSED
        pasted = report(pilot, "pasted")
        assert pasted.explanation is not None
        assert pasted.explanation.verdict is Verdict.REJECTED
        assert pasted.countdown.label == "expired 14m ago"
        assert "✖ exp         expired 14m ago, at " in screen_text(pilot.app)


async def test_publish_token_checked_for_play_fails_type() -> None:
    clock = ManualClock(NOW)
    async with preview(antmedia(publish=True, play=True), clock).run_test() as pilot:
        await settle(pilot)
        screen = screen_of(pilot)
        assert screen.direction is Direction.PUBLISH
        await pilot.press("y")
        publish_token = pilot.app.clipboard

        await pilot.press("n")  # now checking for play
        assert screen.direction is Direction.PLAY
        await paste(pilot, publish_token)
        checks = statuses(pilot, "pasted")
        assert checks["type"] is CheckStatus.FAILED
        assert checks["signature"] is CheckStatus.PASSED
        explanation = report(pilot, "pasted").explanation
        assert explanation is not None
        assert explanation.summary == "rejected: type failed"

        await pilot.press("escape")  # leaves the paste box first
        await pilot.press("n")  # back to publish: the same pasted token passes
        assert statuses(pilot, "pasted")["type"] is CheckStatus.PASSED


HOSTILE = "[bold red]pwned[/] \x1b[2J\x1b]52;c;aGk=\x07 \u202eevil\u202c"


async def test_hostile_claims_are_shown_inert() -> None:
    clock = ManualClock(NOW)
    token = forge(
        {"alg": "HS256", "typ": "JWT", "kid": HOSTILE},
        {"streamId": HOSTILE, "type": "publish", "exp": int(NOW) + 60, "x": HOSTILE},
        hmac_key=HS256.hmac_key,
    )
    async with preview(antmedia(), clock).run_test() as pilot:
        await settle(pilot)
        await paste(pilot, token)
        claims = pilot.app.screen.query_one("#token-pasted-report .token-claims")
        claims.scroll_visible(animate=False, top=True)
        await pilot.pause()
        shown = screen_text(pilot.app)
        assert "[bold red]pwned[/]" in shown  # the markup is text, not style
        assert "\\u001b[2J" in shown
        assert "\\u202e" in shown
        for char in ("\x1b", "\x07", "\u202e", "\u202c"):
            assert char not in shown
            assert char not in pilot.app.export_screenshot()
        assert statuses(pilot, "pasted")["streamId"] is CheckStatus.FAILED


async def test_pasted_junk_with_escape_sequences_is_escaped_in_the_box() -> None:
    clock = ManualClock(NOW)
    async with preview(antmedia(), clock).run_test() as pilot:
        await settle(pilot)
        await paste(pilot, "abc\x1b[31mdef")
        area = pilot.app.screen.query_one("#token-paste", TokenPasteArea)
        assert area.text == "abc\\x1b[31mdef"
        assert "\x1b" not in pilot.app.export_screenshot()
        assert statuses(pilot, "pasted")["well-formed"] is CheckStatus.FAILED


async def test_huge_paste_is_refused_by_size_without_filling_the_box() -> None:
    clock = ManualClock(NOW)
    async with preview(antmedia(), clock).run_test() as pilot:
        await settle(pilot)
        await paste(pilot, "eyJ" + "A" * 1_000_000)
        await pilot.pause()
        area = pilot.app.screen.query_one("#token-paste", TokenPasteArea)
        assert area.text == ""
        checks = statuses(pilot, "pasted")
        assert checks["size"] is CheckStatus.FAILED
        assert checks["signature"] is CheckStatus.SKIPPED
        assert "1,000,003 characters" in screen_text(pilot.app)


# --- two keys side by side (a THEOlive rotation) -------------------------------------------


def rotating() -> Application:
    """A THEOlive alias mid-rotation: the server holds the old HS256 key and, added two
    minutes ago, the new HS512 one; this machine keeps the material of both."""
    added = NOW_DT - timedelta(minutes=2)
    old = KeyEntry(HS256, KeyOrigin.REMOTE, created=added - timedelta(days=30))
    new = KeyEntry(HS512, KeyOrigin.REMOTE, created=added)
    held = (
        RemoteKey("k-old", "old", HS256.fingerprint, old),
        RemoteKey("k-new", "new", HS512.fingerprint, new),
    )
    main = Alias("main", settings=ScopeSettings(play=True, key=new, remote_keys=held))
    return Application("sports", ServerKind.THEOLIVE, aliases={"main": main})


async def test_pasted_token_of_the_older_key_is_accepted_and_the_key_named() -> None:
    clock = ManualClock(NOW)
    async with preview(rotating(), clock).run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert statuses(pilot, "issued")["signature"] is CheckStatus.PASSED
        await paste(pilot, sign({"exp": int(NOW) + 300}, HS256))
        assert statuses(pilot, "pasted")["signature"] is CheckStatus.PASSED
        pasted = report(pilot, "pasted").explanation
        assert pasted is not None
        assert pasted.verdict is Verdict.ACCEPTED
        shown = screen_text(pilot.app)
        assert f'valid for key {HS256.fingerprint} (id "k-old"), an older key:' in shown
        # The newest key was added 2 minutes ago; tokens live up to the 10m TTL.
        assert "retire after 2027-01-15 08:08:00Z" in shown


async def test_pasted_token_a_server_would_likely_refuse_says_so() -> None:
    """THEOlive does not document its verifier: an unknown crit extension is likely refused
    there (RFC 7515 §4.1.11), never shown as accepted."""
    clock = ManualClock(NOW)
    header = {"alg": "HS256", "crit": ["urn:x:bind"], "urn:x:bind": 1}
    async with preview(theolive(HS256), clock).run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await paste(pilot, forge(header, {"exp": int(NOW) + 300}, hmac_key=HS256.hmac_key))
        pasted = report(pilot, "pasted").explanation
        assert pasted is not None
        assert pasted.verdict is Verdict.LIKELY_REJECTED
        shown = screen_text(pilot.app)
        assert "LIKELY REJECTED" in shown
        assert "would likely be refused: header failed" in shown


# --- when nothing can sign ------------------------------------------------------------------


async def test_public_key_only_says_so_and_paste_still_checks() -> None:
    clock = ManualClock(NOW)
    app = theolive(RS256_PAIR.public_only())
    async with preview(app, clock).run_test() as pilot:
        await settle(pilot)
        screen = screen_of(pilot)
        assert screen.token is None
        assert "Only the public key is configured" in screen_text(pilot.app)
        assert report(pilot, "issued").explanation is None

        await pilot.press("y")
        assert pilot.app.clipboard == ""

        signed_elsewhere = sign({"exp": int(NOW) + 300}, RS256_PAIR)
        await paste(pilot, signed_elsewhere)
        checks = statuses(pilot, "pasted")
        assert checks["signature"] is CheckStatus.PASSED
        assert checks["exp"] is CheckStatus.PASSED


async def test_no_key_says_so() -> None:
    clock = ManualClock(NOW)
    async with preview(theolive(None), clock).run_test() as pilot:
        await settle(pilot)
        assert screen_of(pilot).token is None
        assert "No key is set for this scope" in screen_text(pilot.app)


async def test_application_scope_issues_where_the_server_needs_no_stream_name() -> None:
    clock = ManualClock(NOW)
    news = Application(
        "news", ServerKind.THEOLIVE, ScopeSettings(play=True, key=KeyEntry(HS256, KeyOrigin.FILE))
    )
    async with ScreenHost(TokenPreviewScreen(news, None, clock=clock, ttl=TTL)).run_test() as pilot:
        await settle(pilot)
        assert claims_of(screen_of(pilot).token) == {"exp": int(NOW) + TTL}

    live = antmedia()
    async with ScreenHost(TokenPreviewScreen(live, None, clock=clock, ttl=TTL)).run_test() as pilot:
        await settle(pilot)
        assert screen_of(pilot).token is None
        assert "Select a stream to issue a token" in screen_text(pilot.app)


async def test_escape_leaves_a_text_field_first_then_the_screen() -> None:
    clock = ManualClock(NOW)
    host = preview(antmedia(), clock)
    async with host.run_test() as pilot:
        await settle(pilot)
        await pilot.press("m")
        await pilot.press("1", "h")
        await pilot.press("escape")
        assert isinstance(pilot.app.screen, TokenPreviewScreen)
        # The unapplied TTL is dropped, not left in the box looking as if it were in force.
        assert pilot.app.screen.query_one("#token-ttl", Input).value == "10m"
        assert screen_of(pilot).ttl == TTL
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(pilot.app.screen, TokenPreviewScreen)
        assert host.results == [None]


# --- snapshots ------------------------------------------------------------------------------


def issued_at(clock: ManualClock, seconds: float) -> Callable[[Pilot[Any]], Awaitable[None]]:
    """Move the clock to ``seconds`` after the token was issued and let the countdown see it."""

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        clock.now = NOW + seconds
        report(pilot, "issued").countdown.tick()
        await pilot.pause()

    return run_before


@pytest.mark.parametrize(
    "seconds",
    [
        pytest.param(2, id="counting"),
        pytest.param(555, id="under-a-minute"),
        pytest.param(700, id="expired"),
    ],
)
def test_snapshot_issued_token(snap_compare: Any, seconds: float) -> None:
    clock = ManualClock(NOW)
    assert snap_compare(
        preview(antmedia(), clock), terminal_size=(80, 24), run_before=issued_at(clock, seconds)
    )


def test_no_secret_in_any_snapshot() -> None:
    assert_no_secrets_in_snapshots(__file__, expected=3)
