"""The emulators' delivery endpoints (where players fetch streams), as the real servers
gate them: Ant Media's stream filter and THEOlive's per-alias token security."""

from __future__ import annotations

import ssl
import time
from typing import Any

import httpx
import jwt

from tests.emulators import AntMediaEmulator, TheoLiveEmulator
from tests.emulators.antmedia_state import VENDOR_EXAMPLE_SECRET
from tests.emulators.theolive_state import SPORTS_SECRET

_TLS = ssl.create_default_context()
WEBRTC_SECRET = "webrtc-demo-stream-secret-abcdefghijkl"


def _client(base_url: str) -> httpx.Client:
    return httpx.Client(base_url=base_url, timeout=5, verify=_TLS)


def _play_token(secret: str, stream: str, **claims: Any) -> str:
    payload = {"streamId": stream, "type": "play", "exp": int(time.time()) + 60, **claims}
    return jwt.encode(payload, secret, algorithm="HS256")


def test_antmedia_filter_refuses_before_the_stream_is_looked_for(
    antmedia: AntMediaEmulator,
) -> None:
    """Play JWT on: 403 without a token or with a bad one, known stream or not; a good
    token for a stream that does not exist gets past the filter to the container's 404."""
    with _client(antmedia.base_url) as viewer:
        for stream in ("room-101", "no-such-stream"):
            url = f"/WebRTCAppEE/streams/{stream}.m3u8"
            assert viewer.get(url).status_code == 403
            bad = _play_token(VENDOR_EXAMPLE_SECRET, stream)  # another application's secret
            assert viewer.get(url, params={"token": bad}).status_code == 403
        good = _play_token(WEBRTC_SECRET, "no-such-stream")
        url = "/WebRTCAppEE/streams/no-such-stream.m3u8"
        assert viewer.get(url, params={"token": good}).status_code == 404
        good = _play_token(WEBRTC_SECRET, "room-101")
        reply = viewer.get("/WebRTCAppEE/streams/room-101.m3u8", params={"token": good})
        assert reply.status_code == 200
        assert reply.text.startswith("#EXTM3U")
        # An application that does not exist has no filter: the container's 404.
        assert viewer.get("/NoSuchApp/streams/room-101.m3u8").status_code == 404


def test_antmedia_filter_follows_the_play_switch_and_the_secret(
    antmedia: AntMediaEmulator,
) -> None:
    with _client(antmedia.base_url) as viewer:
        assert viewer.get("/LiveApp/streams/stream1.m3u8").status_code == 200  # play off
        antmedia.state.update_settings("LiveApp", playJwtControlEnabled=True)
        assert viewer.get("/LiveApp/streams/stream1.m3u8").status_code == 403
        token = _play_token(VENDOR_EXAMPLE_SECRET, "stream1")
        url = "/LiveApp/streams/stream1.m3u8"
        assert viewer.get(url, params={"token": token}).status_code == 200
        antmedia.state.update_settings(
            "LiveApp", jwtStreamSecretKey="another-secret-".ljust(40, "z")
        )
        assert viewer.get(url, params={"token": token}).status_code == 403


def test_antmedia_issue_7254_a_validated_session_plays_on_without_a_token(
    antmedia: AntMediaEmulator,
) -> None:
    """Modelled on an affected server: one validated request, and the same cookie jar plays
    without a token; a client with no cookies is still refused."""
    antmedia.state.remembers_play_sessions = True
    url = "/WebRTCAppEE/streams/room-101.m3u8"
    with _client(antmedia.base_url) as browser:
        token = _play_token(WEBRTC_SECRET, "room-101")
        assert browser.get(url, params={"token": token}).status_code == 200
        assert browser.cookies.get("JSESSIONID")
        assert browser.get(url).status_code == 200  # no token: the session lets it through
        assert browser.get("/WebRTCAppEE/streams/room-102.m3u8").status_code == 403
    with _client(antmedia.base_url) as fresh:
        assert fresh.get(url).status_code == 403


def test_antmedia_unaffected_server_keeps_no_play_session(antmedia: AntMediaEmulator) -> None:
    url = "/WebRTCAppEE/streams/room-101.m3u8"
    with _client(antmedia.base_url) as browser:
        token = _play_token(WEBRTC_SECRET, "room-101")
        reply = browser.get(url, params={"token": token})
        assert (reply.status_code, reply.cookies.get("JSESSIONID")) == (200, None)
        assert browser.get(url).status_code == 403


def test_delivery_requests_are_recorded_whole(
    antmedia: AntMediaEmulator, theolive: TheoLiveEmulator
) -> None:
    with _client(antmedia.base_url) as viewer:
        viewer.get("/LiveApp/streams/stream1.m3u8", params={"token": "t0ken"}, headers={"X-A": "b"})
    [seen] = antmedia.deliveries
    assert seen.target == "/LiveApp/streams/stream1.m3u8?token=t0ken"
    assert seen.header("x-a") == "b"
    with _client(theolive.base_url) as viewer:
        viewer.get("/play/morning/main.m3u8", headers={"Authorization": "Bearer abc"})
    [seen] = theolive.deliveries
    assert (seen.target, seen.header("authorization")) == ("/play/morning/main.m3u8", "Bearer abc")
    assert "Bearer abc" in seen.text


def test_theolive_manifest_below_the_alias_is_gated_like_the_alias(
    theolive: TheoLiveEmulator,
) -> None:
    token = jwt.encode({"exp": int(time.time()) + 60}, SPORTS_SECRET, algorithm="HS512")
    with _client(theolive.base_url) as viewer:
        url = "/play/sports-main/main.m3u8"
        assert viewer.get(url).status_code == 403
        assert viewer.get(url, headers={"Authorization": f"Bearer {token}"}).status_code == 200
        assert viewer.get("/play/no-such-alias/main.m3u8").status_code == 404
