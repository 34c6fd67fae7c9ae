"""Remote sessions with every logger at DEBUG (httpcore, streamconsole's request log, root): log in,
list, toggle, rotate and issue a server token on Ant Media (password and ProxyAuthorization)
and on THEOlive (HTTP Basic, v2 and v1). No record may carry a credential, a stream secret
old or new, a private key, or a token."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from streamconsole.backends.antmedia import AntMediaSource
from streamconsole.backends.http import HttpSettings
from streamconsole.backends.masks import REQUEST_LOGGER
from streamconsole.backends.theolive import TheoLiveSource
from streamconsole.backends.theolive.records import KeyRecords
from streamconsole.core.edits import set_enforcement, set_key
from streamconsole.core.key_import import private_key_from_pem
from streamconsole.core.keys import Algorithm, shared_key
from streamconsole.core.model import Direction, ScopeRef, ServerKind, ServerProfile
from streamconsole.core.secret import Secret
from streamconsole.core.tokens import build_claims, sign
from tests.emulators import AntMediaEmulator, TheoLiveEmulator
from tests.hygiene.canaries import (
    ADMIN_EMAIL,
    API_KEY,
    Canaries,
    Planted,
    assert_clean,
    planted_text,
    planted_token,
)

FAST = HttpSettings(timeout=2.0, connect_timeout=2.0, retries=1, backoff=0.01)
LOGGERS = ("httpx", "httpcore", "streamconsole", "")  # "" is the root logger


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name or None)
    return caplog


def logged(caplog: pytest.LogCaptureFixture) -> str:
    """Every record, formatted as a handler writes it and as its bare message and args."""
    records = caplog.records
    assert any(r.name == REQUEST_LOGGER for r in records), "no request logged: the test saw nothing"
    assert any(r.name.startswith("httpcore.") for r in records), "httpcore logged nothing"
    parts = [caplog.text]
    parts += [f"{r.name} {r.getMessage()} {r.args!r}" for r in records]
    return "\n".join(parts)


@pytest.fixture
def ams(antmedia: AntMediaEmulator, canaries: Canaries) -> AntMediaEmulator:
    antmedia.state.add_user(ADMIN_EMAIL, canaries.password)
    antmedia.state.jwt_server_secret_key = canaries.server_secret
    antmedia.state.update_settings("LiveApp", jwtStreamSecretKey=canaries.stream_secret)
    return antmedia


def ams_source(emulator: AntMediaEmulator, credentials: str, auth: str) -> AntMediaSource:
    profile = ServerProfile("hygiene-ams", ServerKind.ANTMEDIA, emulator.base_url, auth=auth)
    return AntMediaSource(profile, Secret(credentials), settings=FAST)


async def ams_session(source: AntMediaSource, new_secret: str) -> str:
    """List, load streams, toggle, rotate, have the server issue a token; the token."""
    config = await source.load()
    live = config.applications["LiveApp"]
    await source.load_aliases(live)
    app = ScopeRef("LiveApp")
    await source.apply([set_enforcement(config, app, Direction.PLAY, True)])
    key = shared_key(Algorithm.HS256, new_secret, min_chars=32)
    await source.apply([set_key(config, app, key, datetime.now(UTC))])
    expires = int(time.time()) + 600
    return await source.issue_token("LiveApp", "stream1", Direction.PLAY, expires)


async def test_antmedia_password_session(
    ams: AntMediaEmulator, canaries: Canaries, debug_logs: pytest.LogCaptureFixture
) -> None:
    source = ams_source(ams, f"{ADMIN_EMAIL}:{canaries.password}", "password")
    try:
        token = await ams_session(source, canaries.new_secret)
        # A token in a URL (an HLS playlist): httpx logs the URL, masked.
        await source.http.request(
            "GET", "/LiveApp/streams/stream1.m3u8", params={"token": token}, expect_json=False
        )
    finally:
        await source.aclose()
    assert ams.state.settings("LiveApp")["jwtStreamSecretKey"] == canaries.new_secret
    assert ams.state.verify_stream_token("LiveApp", "stream1", "play", token)
    sessions = [planted_text("the session id", s) for s in ams.state.sessions]
    assert sessions
    text = logged(debug_logs)
    planted: tuple[Planted, ...] = (
        *canaries.all,
        planted_token("the server-issued token", token),
        *sessions,
    )
    assert_clean(text, planted, "the debug log")
    assert "token=********" in text
    assert "(b'set-cookie', b'********" in text  # the login's reply was logged, masked


async def test_antmedia_proxy_authorization_session(
    ams: AntMediaEmulator, canaries: Canaries, debug_logs: pytest.LogCaptureFixture
) -> None:
    source = ams_source(ams, canaries.server_secret, "proxy-jwt")
    try:
        token = await ams_session(source, canaries.new_secret)
    finally:
        await source.aclose()
    assert ams.log.count(path="/rest/v2/users/authenticate") == 0
    planted = (*canaries.all, planted_token("the server-issued token", token))
    assert_clean(logged(debug_logs), planted, "the debug log")


@pytest.fixture
def theo(theolive: TheoLiveEmulator, canaries: Canaries) -> TheoLiveEmulator:
    theolive.state.api_keys[API_KEY] = canaries.api_secret
    return theolive


def theo_source(
    emulator: TheoLiveEmulator, canaries: Canaries, version: str, state: Path
) -> TheoLiveSource:
    profile = ServerProfile(
        "hygiene-theo", ServerKind.THEOLIVE, emulator.base_url, api_version=version, auth="basic"
    )
    return TheoLiveSource(
        profile,
        Secret(f"{API_KEY}:{canaries.api_secret}"),
        settings=FAST,
        key_records=KeyRecords(state / "theolive" / "hygiene-theo.json"),
    )


async def test_theolive_v2_session(
    theo: TheoLiveEmulator,
    canaries: Canaries,
    tmp_path: Path,
    debug_logs: pytest.LogCaptureFixture,
) -> None:
    source = theo_source(theo, canaries, "v2", tmp_path)
    now = datetime.now(UTC)
    try:
        config = await source.load()
        await source.load_aliases(config.applications["sports"])
        await source.load_aliases(config.applications["news-channel"])
        main = ScopeRef("sports", "sports-main")
        hs512 = shared_key(Algorithm.HS512, canaries.hs512_secret)
        await source.apply([set_key(config, main, hs512, now)])
        await source.retire_key(main, "key-sports-2026")
        morning = ScopeRef("news-channel", "morning")
        pair = private_key_from_pem(Algorithm.RS256, canaries.private_pem)
        await source.apply(
            [
                set_enforcement(config, morning, Direction.PLAY, True),
                set_key(config, morning, pair, now),
            ]
        )
    finally:
        await source.aclose()
    claims = build_claims(ServerKind.THEOLIVE, Direction.PLAY, "morning", now=time.time(), ttl=60)
    token = sign(claims, pair)
    assert theo.state.verify_viewer_token("morning", token)
    assert theo.state.verify_viewer_token("sports-main", sign(claims, hs512))
    planted = (*canaries.all, planted_token("a viewer token", token))
    assert_clean(logged(debug_logs), planted, "the debug log")


async def test_theolive_v1_session(
    theo: TheoLiveEmulator,
    canaries: Canaries,
    tmp_path: Path,
    debug_logs: pytest.LogCaptureFixture,
) -> None:
    source = theo_source(theo, canaries, "v1", tmp_path)
    try:
        config = await source.load()
        await source.load_aliases(config.applications["news-channel"])
        evening = ScopeRef("news-channel", "evening")
        key = shared_key(Algorithm.HS256, canaries.new_secret)
        await source.apply([set_key(config, evening, key, datetime.now(UTC))], hard_cutover=True)
        await source.apply([set_enforcement(config, evening, Direction.PLAY, False)])
    finally:
        await source.aclose()
    assert theo.state.aliases["evening"].legacy_key == canaries.new_secret
    assert_clean(logged(debug_logs), canaries.all, "the debug log")
