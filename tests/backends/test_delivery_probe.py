"""The probe against the emulators' delivery endpoints: enforcement on, off, and a key the
server no longer holds; every request from a fresh client carrying tokens only."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from streamconsole.backends.antmedia import AntMediaSource
from streamconsole.backends.base import SourceError
from streamconsole.backends.delivery_probe import probe_source
from streamconsole.backends.http import HttpSettings
from streamconsole.backends.theolive import TheoLiveSource
from streamconsole.backends.theolive.records import KeyRecords
from streamconsole.backends.toml_file import TomlSource
from streamconsole.core.edits import set_key
from streamconsole.core.key_generation import generate_key
from streamconsole.core.keys import Algorithm
from streamconsole.core.model import Direction, ScopeRef, ServerKind, ServerProfile
from streamconsole.core.probe import PROBE_STREAM, Attempt, Outcome, ProbeResult
from streamconsole.core.secret import Secret
from tests.emulators import AntMediaEmulator, TheoLiveEmulator
from tests.emulators.antmedia_state import VENDOR_EXAMPLE_SECRET
from tests.emulators.theolive_state import SPORTS_SECRET

FAST = HttpSettings(timeout=2.0, connect_timeout=2.0, retries=0, backoff=0.01)
OTHER_SECRET = "another-admin-rotated-this-secret-0123456789"


def antmedia_source(emulator: AntMediaEmulator, auth: str = "password") -> AntMediaSource:
    profile = ServerProfile("ams", ServerKind.ANTMEDIA, emulator.base_url, auth=auth)
    if auth == "proxy-jwt":
        credentials = emulator.state.jwt_server_secret_key
    else:
        credentials = f"{emulator.admin_email}:{emulator.admin_password}"
    return AntMediaSource(profile, Secret(credentials), settings=FAST)


def theolive_source(emulator: TheoLiveEmulator, tmp_path: Path, play_url: str) -> TheoLiveSource:
    profile = ServerProfile(
        "theo", ServerKind.THEOLIVE, emulator.base_url, auth="basic", play_url=play_url
    )
    credentials = Secret(f"{emulator.api_key}:{emulator.api_secret}")
    records = KeyRecords(tmp_path / "records.json")
    return TheoLiveSource(profile, credentials, settings=FAST, key_records=records)


def codes(result: ProbeResult) -> tuple[int | None, ...]:
    return tuple(answer.status for answer in result.answers.values())


async def probe(source: AntMediaSource | TheoLiveSource, scope: str) -> list[ProbeResult]:
    async with source:
        config = await source.load()
        return await probe_source(source, config, scope, settings=FAST)


async def test_antmedia_enforced_as_configured(antmedia: AntMediaEmulator) -> None:
    publish, play = await probe(antmedia_source(antmedia), "WebRTCAppEE")
    assert (publish.outcome, play.outcome) == (Outcome.NOT_PROBED, Outcome.AS_CONFIGURED)
    assert "RTMP" in publish.verdict
    assert codes(play) == (403, 404, 403)  # the valid token got past the filter: 404
    assert play.verdict == "enforced as configured"
    assert [d.target.split("?")[0] for d in antmedia.deliveries] == [
        f"/WebRTCAppEE/streams/{PROBE_STREAM}.m3u8"
    ] * 3


async def test_antmedia_off_as_configured_on_a_real_stream(antmedia: AntMediaEmulator) -> None:
    [play] = (await probe(antmedia_source(antmedia), "LiveApp/stream1"))[1:]
    assert (play.outcome, play.verdict) == (Outcome.AS_CONFIGURED, "not enforced, as configured")
    assert codes(play) == (200, 200, 200)


async def test_antmedia_key_changed_on_the_server_is_a_key_mismatch(
    antmedia: AntMediaEmulator,
) -> None:
    source = antmedia_source(antmedia)
    async with source:
        config = await source.load()
        # Another admin rotates the secret after the console read it.
        antmedia.state.update_settings("WebRTCAppEE", jwtStreamSecretKey=OTHER_SECRET)
        [play] = await probe_source(source, config, "WebRTCAppEE/room-101", [Direction.PLAY])
    assert (play.outcome, play.verdict) == (
        Outcome.MISMATCH,
        "valid tokens refused (key mismatch?)",
    )
    assert codes(play) == (403, 403, 403)


async def test_antmedia_switched_off_behind_the_consoles_back_is_not_enforced(
    antmedia: AntMediaEmulator,
) -> None:
    source = antmedia_source(antmedia)
    async with source:
        config = await source.load()
        antmedia.state.update_settings("WebRTCAppEE", playJwtControlEnabled=False)
        [play] = await probe_source(source, config, "WebRTCAppEE", [Direction.PLAY])
    assert play.outcome is Outcome.MISMATCH
    assert play.verdict == "NOT enforced (a request without a token was served)"


async def test_issue_7254_session_pass_does_not_fool_the_probe(
    antmedia: AntMediaEmulator,
) -> None:
    """The server lets a validated session play on without a token; every probe request
    comes from a new client, so the request without a token is still refused, and none of
    them carries the cookie the valid request got."""
    antmedia.state.remembers_play_sessions = True
    [play] = (await probe(antmedia_source(antmedia), "WebRTCAppEE/room-101"))[1:]
    assert codes(play) == (403, 200, 403)
    assert play.outcome is Outcome.AS_CONFIGURED
    assert antmedia.state.play_sessions  # the valid request did open a session
    assert all(d.header("cookie") is None for d in antmedia.deliveries)


@pytest.mark.parametrize("auth", ["password", "proxy-jwt"])
async def test_antmedia_delivery_endpoint_gets_tokens_only(
    antmedia: AntMediaEmulator, auth: str
) -> None:
    await probe(antmedia_source(antmedia, auth), "WebRTCAppEE")
    assert len(antmedia.deliveries) == 3
    secrets = [
        antmedia.admin_password,
        hashlib.md5(antmedia.admin_password.encode()).hexdigest(),  # noqa: S324
        antmedia.state.jwt_server_secret_key,
        "webrtc-demo-stream-secret-abcdefghijkl",
        *antmedia.state.sessions,  # the admin API's JSESSIONID
    ]
    for delivery in antmedia.deliveries:
        assert not any(secret in delivery.text for secret in secrets), delivery.target
        names = {name.lower() for name, _ in delivery.headers}
        assert not names & {"cookie", "authorization", "proxyauthorization"}


@pytest.mark.parametrize("algorithm", [Algorithm.HS512, Algorithm.RS256])
async def test_theolive_probe_with_a_key_known_here(
    theolive: TheoLiveEmulator, tmp_path: Path, algorithm: Algorithm
) -> None:
    source = theolive_source(theolive, tmp_path, f"{theolive.base_url}/play/{{alias}}/main.m3u8")
    async with source:
        config = await source.load()
        await source.load_aliases(config.applications["sports"])
        ref = ScopeRef("sports", "sports-main")
        key = generate_key(algorithm, rsa_bits=2048)
        await source.apply([set_key(config, ref, key, datetime.now(UTC))])
        config = await source.load()
        results = await probe_source(source, config, "sports", settings=FAST)
    by_alias = {r.target.scope.alias: r for r in results}
    assert set(by_alias) == {"sports-main", "sports-backup"}
    main = by_alias["sports-main"]
    assert (main.outcome, codes(main)) == (Outcome.AS_CONFIGURED, (403, 200, 403))
    # sports-backup's keys were installed elsewhere (write-only): no valid token from here.
    backup = by_alias["sports-backup"]
    assert list(backup.answers) == [Attempt.NO_TOKEN, Attempt.WRONG_KEY]
    assert backup.verdict == "enforced as configured (valid tokens not tried)"
    bearer = [d.header("authorization") for d in theolive.deliveries]
    assert bearer.count(None) == 2  # one request without a token per alias
    assert all(b is None or b.startswith("Bearer ey") for b in bearer)
    assert not any(theolive.api_secret in d.text for d in theolive.deliveries)
    assert not any(SPORTS_SECRET in d.text for d in theolive.deliveries)


async def test_theolive_security_removed_on_the_server_is_not_enforced(
    theolive: TheoLiveEmulator, tmp_path: Path
) -> None:
    source = theolive_source(theolive, tmp_path, f"{theolive.base_url}/play/{{alias}}")
    async with source:
        config = await source.load()
        await source.load_aliases(config.applications["sports"])
        theolive.state.aliases["sports-main"].keys = []  # deleted by someone else
        [play] = await probe_source(source, config, "sports/sports-main", settings=FAST)
    assert play.outcome is Outcome.MISMATCH
    assert codes(play) == (200, 200)


async def test_theolive_without_play_url_says_which_setting(
    theolive: TheoLiveEmulator, tmp_path: Path
) -> None:
    with pytest.raises(SourceError, match=r"no play_url.*\[servers.theo\]"):
        await probe(theolive_source(theolive, tmp_path, ""), "sports/sports-main")
    assert theolive.deliveries == []


async def test_names_are_quoted_into_the_url(antmedia: AntMediaEmulator) -> None:
    antmedia.state.add_application(
        "b#frag", playJwtControlEnabled=True, jwtStreamSecretKey=VENDOR_EXAMPLE_SECRET
    )
    [play] = (await probe(antmedia_source(antmedia), "b#frag"))[1:]
    assert play.outcome is Outcome.AS_CONFIGURED
    assert antmedia.deliveries[0].target.startswith(f"/b%23frag/streams/{PROBE_STREAM}.m3u8")


async def test_a_file_source_cannot_be_probed(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[applications.A]\nkind = "antmedia"\n')
    source = TomlSource(config)
    with pytest.raises(SourceError, match="--server NAME"):
        await probe_source(source, await source.load(), "A")


async def test_no_answer_is_inconclusive(antmedia: AntMediaEmulator) -> None:
    source = antmedia_source(antmedia)
    async with source:
        config = await source.load()
        antmedia.faults.fail(503, times=3)
        [play] = await probe_source(source, config, "WebRTCAppEE", [Direction.PLAY])
    assert play.outcome is Outcome.INCONCLUSIVE
    assert "HTTP 503" in play.verdict


async def test_plain_http_play_url_off_this_machine_is_refused_before_sending(
    theolive: TheoLiveEmulator, tmp_path: Path
) -> None:
    source = theolive_source(theolive, tmp_path, "http://cdn.example.com/{alias}/main.m3u8")
    with pytest.raises(SourceError, match=r"plain http to cdn\.example\.com.*nothing was sent"):
        await probe(source, "sports/sports-main")
