"""The emulators themselves, driven over real HTTP with plain httpx."""

from __future__ import annotations

import hashlib
import hmac
import json
import ssl
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from jwt.utils import base64url_encode

from tests.emulators import AntMediaEmulator, FaultKind, ManualClock, TheoLiveEmulator
from tests.emulators.antmedia_state import VENDOR_EXAMPLE_SECRET, default_settings, md5_hex
from tests.emulators.server import ServerThread
from tests.emulators.theolive_state import EVENING_SECRET, SPORTS_SECRET

KEYS = Path(__file__).resolve().parents[1] / "fixtures" / "keys"
NOW = 1_800_000_000.0
SETTINGS = "/rest/v2/applications/settings"
# Built once: every httpx client otherwise loads the CA bundle (~50 ms) for its unused TLS.
_TLS = ssl.create_default_context()


def _client(base_url: str = "", **options: Any) -> httpx.Client:
    return httpx.Client(base_url=base_url, timeout=5, verify=_TLS, **options)


def _login(client: httpx.Client, emulator: AntMediaEmulator, password: str | None = None) -> Any:
    body = {"email": emulator.admin_email, "password": md5_hex(password or emulator.admin_password)}
    return client.post("/rest/v2/users/authenticate", json=body).json()


@pytest.fixture
def anon(antmedia: AntMediaEmulator) -> Iterator[httpx.Client]:
    with _client(antmedia.base_url) as client:
        yield client


@pytest.fixture
def admin(antmedia: AntMediaEmulator) -> Iterator[httpx.Client]:
    with _client(antmedia.base_url) as client:
        assert _login(client, antmedia) == {"success": True, "message": ""}
        yield client


@pytest.fixture
def theo(theolive: TheoLiveEmulator) -> Iterator[httpx.Client]:
    with _client(theolive.base_url, auth=theolive.basic_auth) as client:
        yield client


def _stream_token(secret: str, stream: str, kind: str, exp: float | None = NOW + 60) -> str:
    claims: dict[str, Any] = {"streamId": stream, "type": kind}
    if exp is not None:
        claims["exp"] = int(exp)
    return jwt.encode(claims, secret, algorithm="HS256")


# --- Ant Media: authentication ----------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/rest/v2/applications", f"{SETTINGS}/LiveApp", "/LiveApp/rest/v2/broadcasts/list/0/5"]
)
def test_antmedia_refuses_anonymous_callers(anon: httpx.Client, path: str) -> None:
    reply = anon.get(path)
    assert reply.status_code == 401
    assert reply.json()["success"] is False


def test_antmedia_login_with_md5_password_sets_a_session_cookie(
    antmedia: AntMediaEmulator, anon: httpx.Client
) -> None:
    assert _login(anon, antmedia)["success"] is True
    assert "JSESSIONID" in anon.cookies
    reply = anon.get("/rest/v2/applications")
    assert reply.json() == {"applications": ["LiveApp", "WebRTCAppEE", "VodApp"]}


def test_antmedia_refuses_the_plain_text_password(
    antmedia: AntMediaEmulator, anon: httpx.Client
) -> None:
    body = {"email": antmedia.admin_email, "password": antmedia.admin_password}
    reply = anon.post("/rest/v2/users/authenticate", json=body)
    assert reply.json()["success"] is False
    assert "JSESSIONID" not in anon.cookies


def test_antmedia_two_failed_logins_lock_the_account_for_300_seconds(
    antmedia: AntMediaEmulator, anon: httpx.Client
) -> None:
    clock = ManualClock(NOW)
    antmedia.state.clock = clock
    assert _login(anon, antmedia, "wrong")["success"] is False
    assert _login(anon, antmedia, "wrong again")["success"] is False
    locked = _login(anon, antmedia)
    assert locked["success"] is False
    assert "blocked" in locked["message"]
    clock.advance(299)
    assert _login(anon, antmedia)["success"] is False
    clock.advance(1)
    assert _login(anon, antmedia)["success"] is True


def test_antmedia_one_failed_login_does_not_lock(
    antmedia: AntMediaEmulator, anon: httpx.Client
) -> None:
    assert _login(anon, antmedia, "wrong")["success"] is False
    assert _login(anon, antmedia)["success"] is True


def test_antmedia_accepts_a_proxy_authorization_jwt(
    antmedia: AntMediaEmulator, anon: httpx.Client
) -> None:
    antmedia.state.clock = ManualClock(NOW)
    for good in (antmedia.proxy_token(exp=int(NOW) + 60), antmedia.proxy_token()):
        reply = anon.get("/rest/v2/applications", headers={"ProxyAuthorization": good})
        assert reply.is_success
    for bad in (
        antmedia.proxy_token(exp=int(NOW) - 1),
        antmedia.proxy_token(secret="some-other-secret-of-enough-length!!"),
        "not-a-jwt",
    ):
        reply = anon.get("/rest/v2/applications", headers={"ProxyAuthorization": bad})
        assert reply.status_code == 403
    antmedia.state.jwt_server_control_enabled = False
    headers = {"ProxyAuthorization": antmedia.proxy_token()}
    assert anon.get("/rest/v2/applications", headers=headers).status_code == 403


def test_antmedia_read_only_user_may_read_but_not_write(
    antmedia: AntMediaEmulator, anon: httpx.Client
) -> None:
    body = {
        "email": antmedia.read_only_email,
        "password": md5_hex(antmedia.read_only_password),
    }
    assert anon.post("/rest/v2/users/authenticate", json=body).json()["success"] is True
    settings = anon.get(f"{SETTINGS}/VodApp").json()
    assert anon.post(f"{SETTINGS}/VodApp", json=settings).status_code == 403
    assert antmedia.state.applications["VodApp"].posted == []


# --- Ant Media: settings ----------------------------------------------------------------------


def test_antmedia_settings_carry_the_unrelated_fields(admin: httpx.Client) -> None:
    settings = admin.get(f"{SETTINGS}/LiveApp").json()
    assert settings["jwtStreamSecretKey"] == VENDOR_EXAMPLE_SECRET
    assert settings["publishJwtControlEnabled"] is True
    assert settings["playJwtControlEnabled"] is False
    for unrelated in ("jwtControlEnabled", "jwtSecretKey", "jwksURL", "remoteAllowedCIDR"):
        assert unrelated in settings
    assert settings["remoteAllowedCIDR"] != "127.0.0.1"  # changed from its default


def test_antmedia_settings_post_replaces_the_whole_object(
    antmedia: AntMediaEmulator, admin: httpx.Client
) -> None:
    """The body binds to a fresh AppSettings: a field left out is saved with its default,
    not kept. The reply is Gson's ``Result``: message and dataId empty."""
    antmedia.state.clock = ManualClock(NOW)
    reply = admin.post(f"{SETTINGS}/VodApp", json={"playJwtControlEnabled": True})
    assert reply.status_code == 200
    assert reply.json() == {"success": True, "message": "", "dataId": "", "errorId": 0}
    stored = admin.get(f"{SETTINGS}/VodApp").json()
    assert stored == {
        **default_settings(),
        "playJwtControlEnabled": True,
        "updateTime": int(NOW * 1000),
    }
    assert stored["ipFilterEnabled"] is True  # VodApp had it off: not sent, so the default
    assert antmedia.state.applications["VodApp"].posted == [{"playJwtControlEnabled": True}]


def test_antmedia_settings_round_trip_changes_one_field(
    antmedia: AntMediaEmulator, admin: httpx.Client
) -> None:
    settings = admin.get(f"{SETTINGS}/LiveApp").json()
    settings["playJwtControlEnabled"] = True
    assert admin.post(f"{SETTINGS}/LiveApp", json=settings).json()["success"] is True
    after = antmedia.state.settings("LiveApp")
    assert after.pop("updateTime") > settings.pop("updateTime")
    assert after == settings


def test_antmedia_stamps_update_time_on_every_accepted_save(
    antmedia: AntMediaEmulator, admin: httpx.Client
) -> None:
    """Like the server: epoch ms from its clock at each accepted POST, whatever was sent;
    it moves on even within one millisecond, and a refused POST leaves it alone."""
    clock = ManualClock(NOW)
    antmedia.state.clock = clock
    assert admin.get(f"{SETTINGS}/LiveApp").json()["updateTime"] == 0
    stamps = []
    for sent in (0, 123, 0):
        settings = admin.get(f"{SETTINGS}/LiveApp").json()
        assert admin.post(f"{SETTINGS}/LiveApp", json={**settings, "updateTime": sent}).json()[
            "success"
        ]
        stamps.append(admin.get(f"{SETTINGS}/LiveApp").json()["updateTime"])
    assert stamps == [int(NOW * 1000), int(NOW * 1000) + 1, int(NOW * 1000) + 2]
    clock.advance(5)
    antmedia.state.update_settings("LiveApp", remoteAllowedCIDR="10.0.0.0/8")  # another admin
    assert antmedia.state.settings("LiveApp")["updateTime"] == int((NOW + 5) * 1000)
    refused = {**antmedia.state.settings("LiveApp"), "publishTokenControlEnabled": True}
    assert admin.post(f"{SETTINGS}/LiveApp", json=refused).json()["success"] is False
    assert antmedia.state.settings("LiveApp")["updateTime"] == int((NOW + 5) * 1000)


# Two kinds of token control on for one direction (LiveApp has publish JWT on).
_TWO_KINDS_OF_TOKEN_CONTROL = [
    {"publishTokenControlEnabled": True},
    {"enableTimeTokenForPublish": True},
    {"publishJwtControlEnabled": False, "publishTokenControlEnabled": True,
     "enableTimeTokenForPublish": True},
    {"playJwtControlEnabled": True, "playTokenControlEnabled": True},
    {"playJwtControlEnabled": True, "enableTimeTokenForPlay": True},
    {"playTokenControlEnabled": True, "enableTimeTokenForPlay": True},
]  # fmt: skip


@pytest.mark.parametrize(
    "change",
    [*_TWO_KINDS_OF_TOKEN_CONTROL, {"encoderSettings": [{"height": 0, "videoBitrate": 1}]}],
)
def test_antmedia_refuses_a_save_as_the_server_does_with_no_reason(
    antmedia: AntMediaEmulator, admin: httpx.Client, change: dict[str, Any]
) -> None:
    """AntMediaApplicationAdapter.updateSettings answers ``new Result(false)``: HTTP 200,
    ``success: false`` and an empty message; nothing is saved."""
    before = antmedia.state.settings("LiveApp")
    reply = admin.post(f"{SETTINGS}/LiveApp", json={**before, **change})
    assert reply.status_code == 200
    assert reply.json() == {"success": False, "message": "", "dataId": "", "errorId": 0}
    assert antmedia.state.settings("LiveApp") == before


@pytest.mark.parametrize(
    "change",
    [
        {"playTokenControlEnabled": True},  # publish JWT, play one-time tokens: one each
        {"hashControlPublishEnabled": True, "hashControlPlayEnabled": True},  # not counted
        {"jwtStreamSecretKey": "short"},  # only issuing a token with it fails
        {"playJwtControlEnabled": True, "jwtStreamSecretKey": ""},
    ],
)
def test_antmedia_accepts_what_the_server_does_not_check(
    antmedia: AntMediaEmulator, admin: httpx.Client, change: dict[str, Any]
) -> None:
    before = antmedia.state.settings("LiveApp")
    assert admin.post(f"{SETTINGS}/LiveApp", json={**before, **change}).json()["success"]
    after = antmedia.state.settings("LiveApp")
    assert {name: after[name] for name in change} == change


def test_antmedia_seeded_double_token_control_is_held_but_cannot_be_saved(
    antmedia: AntMediaEmulator, admin: httpx.Client
) -> None:
    """WebRTCAppEE starts with play JWT and one-time tokens (from its properties file, as
    a server upgraded from before 2.9 would have it): even its own settings, posted back
    unchanged, are refused until one of the two is off."""
    settings = admin.get(f"{SETTINGS}/WebRTCAppEE").json()
    assert settings["playJwtControlEnabled"] is settings["playTokenControlEnabled"] is True
    assert admin.post(f"{SETTINGS}/WebRTCAppEE", json=settings).json()["success"] is False
    settings["playTokenControlEnabled"] = False
    assert admin.post(f"{SETTINGS}/WebRTCAppEE", json=settings).json()["success"] is True


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ({"hlsListSize": "3", "hlsTime": "0"}, {"hlsListSize": "5", "hlsTime": "1"}),
        ({"hlsListSize": None, "hlsTime": None}, {"hlsListSize": "5", "hlsTime": "1"}),
        ({"hlsListSize": "-1", "hlsTime": "-4"}, {"hlsListSize": "5", "hlsTime": "1"}),
        ({"hlsListSize": "5", "hlsTime": "1"}, {"hlsListSize": "5", "hlsTime": "1"}),
        ({"hlsListSize": "20", "hlsTime": "6"}, {"hlsListSize": "20", "hlsTime": "6"}),
    ],
)
def test_antmedia_puts_floors_under_the_hls_fields(
    antmedia: AntMediaEmulator,
    admin: httpx.Client,
    sent: dict[str, str | None],
    stored: dict[str, str],
) -> None:
    before = antmedia.state.settings("LiveApp")
    assert admin.post(f"{SETTINGS}/LiveApp", json={**before, **sent}).json()["success"]
    after = antmedia.state.settings("LiveApp")
    assert {name: after[name] for name in stored} == stored


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"playJwtControlEnabled": "true"}, 400),
        ({"jwtStreamSecretKey": 12345}, 400),
        ({"hlsListSize": "many"}, 500),  # Integer.valueOf throws
    ],
)
def test_antmedia_refuses_settings_it_cannot_read_and_keeps_the_old_ones(
    antmedia: AntMediaEmulator, admin: httpx.Client, change: dict[str, Any], status: int
) -> None:
    before = antmedia.state.settings("LiveApp")
    reply = admin.post(f"{SETTINGS}/LiveApp", json={**before, **change})
    assert reply.status_code == status
    assert antmedia.state.settings("LiveApp") == before


@pytest.mark.parametrize("body", [b"[1, 2]", b"{not json", b'"text"'])
def test_antmedia_refuses_settings_that_are_not_an_object(admin: httpx.Client, body: bytes) -> None:
    reply = admin.post(f"{SETTINGS}/LiveApp", content=body)
    assert reply.status_code == 400
    assert reply.json()["success"] is False


def test_antmedia_unknown_application_is_404(admin: httpx.Client) -> None:
    assert admin.get(f"{SETTINGS}/NoSuchApp").status_code == 404
    per_app = admin.get("/NoSuchApp/rest/v2/broadcasts/list/0/10")
    assert per_app.status_code == 404
    assert per_app.headers["content-type"].startswith("text/html")


# --- Ant Media: broadcasts and tokens ---------------------------------------------------------


def test_antmedia_broadcast_pages_are_capped_at_50(admin: httpx.Client) -> None:
    seen: list[str] = []
    sizes: list[int] = []
    offset = 0
    while page := admin.get(f"/LiveApp/rest/v2/broadcasts/list/{offset}/100").json():
        sizes.append(len(page))
        seen += [b["streamId"] for b in page]
        offset += len(page)
    assert sizes == [50, 50, 20]
    assert len(set(seen)) == 120
    assert seen[:3] == ["stream1", "stream2", "lobby-camera"]


def test_antmedia_issues_stream_tokens_that_it_verifies(
    antmedia: AntMediaEmulator, admin: httpx.Client
) -> None:
    antmedia.state.clock = ManualClock(NOW)
    params: dict[str, str | int] = {"expireDate": int(NOW) + 60, "type": "play"}
    reply = admin.get("/LiveApp/rest/v2/broadcasts/stream1/jwt-token", params=params).json()
    assert reply["streamId"] == "stream1"
    assert reply["type"] == "play"
    assert reply["expireDate"] == int(NOW) + 60
    token = reply["tokenId"]
    assert antmedia.state.verify_stream_token("LiveApp", "stream1", "play", token)
    assert not antmedia.state.verify_stream_token("LiveApp", "stream1", "publish", token)
    assert not antmedia.state.verify_stream_token("LiveApp", "stream2", "play", token)
    assert not antmedia.state.verify_stream_token("WebRTCAppEE", "stream1", "play", token)


@pytest.mark.parametrize(
    ("app", "params"),
    [
        ("VodApp", {"expireDate": 1, "type": "play"}),  # no secret
        ("LiveApp", {"expireDate": 1, "type": "view"}),
        ("LiveApp", {"expireDate": "soon", "type": "play"}),
    ],
)
def test_antmedia_token_endpoint_refuses(
    admin: httpx.Client, app: str, params: dict[str, Any]
) -> None:
    reply = admin.get(f"/{app}/rest/v2/broadcasts/s1/jwt-token", params=params)
    assert reply.status_code == 400
    assert reply.json()["success"] is False


def test_antmedia_token_endpoint_refuses_a_short_stored_secret(
    antmedia: AntMediaEmulator, admin: httpx.Client
) -> None:
    antmedia.state.update_settings("LiveApp", jwtStreamSecretKey="x" * 31)
    reply = admin.get(
        "/LiveApp/rest/v2/broadcasts/stream1/jwt-token", params={"expireDate": 1, "type": "play"}
    )
    assert reply.status_code == 400


@pytest.mark.parametrize(
    ("token_for", "valid"),
    [
        ({}, True),
        ({"stream": "stream2"}, False),
        ({"kind": "play"}, False),
        ({"exp": None}, False),
        ({"exp": NOW}, False),
        ({"secret": "an-entirely-different-secret-of-32+"}, False),
    ],
)
def test_antmedia_verify_stream_token(
    antmedia: AntMediaEmulator, token_for: dict[str, Any], valid: bool
) -> None:
    antmedia.state.clock = ManualClock(NOW)
    token = _stream_token(
        token_for.get("secret", VENDOR_EXAMPLE_SECRET),
        token_for.get("stream", "stream1"),
        token_for.get("kind", "publish"),
        token_for.get("exp", NOW + 60),
    )
    assert antmedia.state.verify_stream_token("LiveApp", "stream1", "publish", token) is valid


def test_antmedia_refuses_other_algorithms(antmedia: AntMediaEmulator) -> None:
    claims = {"streamId": "stream1", "type": "publish", "exp": int(time.time()) + 60}
    hs512 = jwt.encode(claims, VENDOR_EXAMPLE_SECRET * 2, algorithm="HS512")
    unsigned = jwt.encode(claims, "", algorithm="none")
    for token in (hs512, unsigned):
        assert not antmedia.state.verify_stream_token("LiveApp", "stream1", "publish", token)


def test_antmedia_hls_enforces_play_tokens_only_when_switched_on(
    antmedia: AntMediaEmulator, anon: httpx.Client
) -> None:
    assert anon.get("/LiveApp/streams/stream1.m3u8").status_code == 200  # play off
    assert anon.get("/WebRTCAppEE/streams/room-101.m3u8").status_code == 403
    secret = antmedia.state.settings("WebRTCAppEE")["jwtStreamSecretKey"]
    good = _stream_token(secret, "room-101", "play", time.time() + 60)
    wrong_kind = _stream_token(secret, "room-101", "publish", time.time() + 60)
    url = "/WebRTCAppEE/streams/room-101.m3u8"
    assert anon.get(url, params={"token": good}).status_code == 200
    assert anon.get(url, params={"token": wrong_kind}).status_code == 403
    # The filter answers before the stream is looked for: 404 only past it.
    assert anon.get("/WebRTCAppEE/streams/no-such-stream.m3u8").status_code == 403
    assert anon.get("/LiveApp/streams/no-such-stream.m3u8").status_code == 404


def test_antmedia_seeds_a_thousand_applications(
    antmedia: AntMediaEmulator, admin: httpx.Client
) -> None:
    antmedia.state.seed(1000, 5)
    names = admin.get("/rest/v2/applications").json()["applications"]
    assert len(names) == 1000
    assert names[-1] == "App999"
    page = admin.get("/App999/rest/v2/broadcasts/list/0/50").json()
    assert [b["streamId"] for b in page] == [f"App999-stream{i}" for i in range(5)]
    assert admin.get(f"{SETTINGS}/App999").json()["playJwtControlEnabled"] is True


def test_antmedia_takes_names_as_percent_encoded_segments(
    antmedia: AntMediaEmulator, admin: httpx.Client
) -> None:
    antmedia.state.add_application("b#frag", playJwtControlEnabled=True)
    antmedia.log.clear()
    assert admin.get(f"{SETTINGS}/b%23frag").json()["playJwtControlEnabled"] is True
    record = antmedia.log.records[-1]
    assert (record.path, record.raw_path) == (f"{SETTINGS}/b#frag", f"{SETTINGS}/b%23frag")
    assert record.app == "b#frag"


@pytest.mark.parametrize("slash", ["%2F", "%2f"])
def test_antmedia_refuses_an_encoded_slash_as_tomcat_does(
    antmedia: AntMediaEmulator, admin: httpx.Client, slash: str
) -> None:
    antmedia.state.add_application("Decoy/../VodApp")
    reply = admin.get(f"{SETTINGS}/Decoy{slash}..{slash}VodApp")
    assert reply.status_code == 400
    assert "<title>HTTP Status 400 – Bad Request</title>" in reply.text
    assert antmedia.log.count(status=400) == 1


def test_antmedia_request_log_counts_per_application_without_queries(
    antmedia: AntMediaEmulator, admin: httpx.Client
) -> None:
    antmedia.log.clear()
    admin.get(f"{SETTINGS}/LiveApp")
    admin.get(f"{SETTINGS}/LiveApp")
    admin.get("/VodApp/rest/v2/broadcasts/list/0/5")
    admin.get("/LiveApp/streams/stream1.m3u8", params={"token": "secret-token-text"})
    assert antmedia.log.per_app() == {"LiveApp": 3, "VodApp": 1}
    assert antmedia.log.count(method="GET", path=f"{SETTINGS}/*") == 2
    assert all("secret-token-text" not in repr(r) for r in antmedia.log.records)


# --- faults (shared middleware) ---------------------------------------------------------------


def test_fail_answers_the_status_for_the_next_n_requests(
    antmedia: AntMediaEmulator, admin: httpx.Client
) -> None:
    antmedia.faults.fail(503, times=2)
    statuses = [admin.get("/rest/v2/applications").status_code for _ in range(3)]
    assert statuses == [503, 503, 200]
    assert antmedia.log.count(status=503) == 2
    assert [r.fault for r in antmedia.log.records[-3:]] == [
        FaultKind.STATUS,
        FaultKind.STATUS,
        None,
    ]


def test_fail_429_sends_retry_after(antmedia: AntMediaEmulator, admin: httpx.Client) -> None:
    antmedia.faults.fail(429, retry_after=7)
    reply = admin.get("/rest/v2/applications")
    assert reply.status_code == 429
    assert reply.headers["retry-after"] == "7"


def test_fail_by_path_pattern_and_method_until_cleared(
    antmedia: AntMediaEmulator, admin: httpx.Client
) -> None:
    antmedia.faults.fail(500, times=None, path=f"{SETTINGS}/Web*", method="POST")
    settings = admin.get(f"{SETTINGS}/WebRTCAppEE").json()
    for _ in range(3):
        assert admin.post(f"{SETTINGS}/WebRTCAppEE", json=settings).status_code == 500
    assert admin.post(f"{SETTINGS}/VodApp", json={}).status_code == 200
    assert antmedia.state.applications["WebRTCAppEE"].posted == []
    antmedia.faults.clear()
    assert admin.post(f"{SETTINGS}/WebRTCAppEE", json=settings).status_code == 200


def test_html_error_page(antmedia: AntMediaEmulator, admin: httpx.Client) -> None:
    antmedia.faults.html_error(502)
    reply = admin.get("/rest/v2/applications")
    assert reply.status_code == 502
    assert reply.headers["content-type"].startswith("text/html")
    assert "<html>" in reply.text
    with pytest.raises(json.JSONDecodeError):
        reply.json()


def test_truncated_reply_after_the_change_took_effect(
    antmedia: AntMediaEmulator, admin: httpx.Client
) -> None:
    antmedia.faults.truncate(path=f"{SETTINGS}/*")
    reply = admin.get(f"{SETTINGS}/LiveApp")
    full = json.dumps(antmedia.state.settings("LiveApp"))
    assert reply.status_code == 200
    assert 0 < len(reply.content) < len(full)
    with pytest.raises(json.JSONDecodeError):
        reply.json()
    antmedia.faults.truncate(method="POST")
    reply = admin.post(f"{SETTINGS}/VodApp", json={"ipFilterEnabled": True})
    with pytest.raises(json.JSONDecodeError):
        reply.json()
    assert antmedia.state.applications["VodApp"].posted == [{"ipFilterEnabled": True}]
    assert antmedia.state.settings("VodApp")["ipFilterEnabled"] is True


def test_malformed_json_body(antmedia: AntMediaEmulator, admin: httpx.Client) -> None:
    antmedia.faults.malform()
    reply = admin.get("/rest/v2/applications")
    assert reply.status_code == 200
    assert reply.headers["content-type"] == "application/json"
    with pytest.raises(json.JSONDecodeError):
        reply.json()
    assert admin.get("/rest/v2/applications").json()["applications"]


def test_hang_outlasts_the_client_timeout(antmedia: AntMediaEmulator, admin: httpx.Client) -> None:
    antmedia.faults.hang()
    with pytest.raises(httpx.ReadTimeout):
        admin.get("/rest/v2/applications", timeout=0.2)
    assert admin.get("/rest/v2/applications").is_success


def test_hang_for_a_short_while_ends_in_504(
    antmedia: AntMediaEmulator, admin: httpx.Client
) -> None:
    antmedia.faults.hang(seconds=0.05)
    assert admin.get("/rest/v2/applications").status_code == 504


def test_latency_delays_every_request(antmedia: AntMediaEmulator, admin: httpx.Client) -> None:
    antmedia.faults.latency = 5.0
    for _ in range(2):
        with pytest.raises(httpx.ReadTimeout):
            admin.get("/rest/v2/applications", timeout=0.2)
    antmedia.faults.latency = 0.0
    assert admin.get("/rest/v2/applications", timeout=0.2).is_success


def test_latency_keeps_request_bodies(antmedia: AntMediaEmulator, admin: httpx.Client) -> None:
    antmedia.faults.latency = 0.01
    assert admin.post(f"{SETTINGS}/VodApp", json={"vodFolder": "/x"}).json()["success"] is True
    assert antmedia.state.applications["VodApp"].posted == [{"vodFolder": "/x"}]


def test_concurrent_edit_lands_right_after_the_next_get(
    antmedia: AntMediaEmulator, admin: httpx.Client
) -> None:
    antmedia.edit_after_next_get("LiveApp", playJwtControlEnabled=True)
    seen = admin.get(f"{SETTINGS}/LiveApp").json()
    assert seen["playJwtControlEnabled"] is False
    assert admin.get(f"{SETTINGS}/LiveApp").json()["playJwtControlEnabled"] is True
    antmedia.state.update_settings("LiveApp", playJwtControlEnabled=False)
    assert admin.get(f"{SETTINGS}/LiveApp").json()["playJwtControlEnabled"] is False  # once only


def test_echo_quotes_the_request_back_without_reaching_the_emulator(
    antmedia: AntMediaEmulator, admin: httpx.Client
) -> None:
    antmedia.faults.echo(500, path=f"{SETTINGS}/VodApp", method="POST", headers=("cookie",))
    reply = admin.post(f"{SETTINGS}/VodApp", json={"vodFolder": "/x", "jwtSecretKey": "k"})
    assert reply.status_code == 500
    cookie = f"JSESSIONID={admin.cookies['JSESSIONID']}"
    assert reply.json() == {
        "success": False,
        "message": f'bad request: cookie: {cookie}; {{"vodFolder":"/x","jwtSecretKey":"k"}}',
    }
    assert antmedia.state.applications["VodApp"].posted == []
    antmedia.faults.echo(400, fields=("jwtSecretKey",))
    said = admin.post(f"{SETTINGS}/VodApp", json={"vodFolder": "/x", "jwtSecretKey": "k"})
    assert said.json()["message"] == 'bad request: jwtSecretKey="k"'
    saves = [r.fault for r in antmedia.log.records if r.path.startswith(SETTINGS)]
    assert saves == [FaultKind.ECHO, FaultKind.ECHO]


def test_the_request_log_keeps_the_most_requests_in_flight_at_once(
    antmedia: AntMediaEmulator,
) -> None:
    antmedia.faults.latency = 0.5  # long enough for three clients to overlap, under load too

    def one(_: int) -> int:
        with _client(antmedia.base_url) as client:
            return client.get("/rest/v2/applications").status_code

    with ThreadPoolExecutor(max_workers=3) as pool:
        statuses = list(pool.map(one, range(3)))
    assert statuses == [401, 401, 401]
    assert antmedia.log.peak_in_flight == 3
    assert antmedia.log.in_flight == 0
    antmedia.log.clear()
    assert antmedia.log.peak_in_flight == 0


def test_fault_rules_are_used_up_and_reset_clears_everything(antmedia: AntMediaEmulator) -> None:
    antmedia.faults.fail(500, times=3)
    antmedia.faults.after("/x", lambda: None)
    antmedia.faults.latency = 1.0
    antmedia.state.seed(2, 0)
    assert antmedia.faults.armed == 2
    with pytest.raises(ValueError, match="times"):
        antmedia.faults.fail(500, times=0)
    antmedia.reset()
    assert antmedia.faults.armed == 0
    assert antmedia.faults.latency == 0.0
    assert "LiveApp" in antmedia.state.applications


def test_server_thread_starts_on_a_free_port_and_stops(antmedia: AntMediaEmulator) -> None:
    other = AntMediaEmulator()
    server = ServerThread(other.asgi())
    url = server.start()
    assert url.startswith("http://127.0.0.1:")
    assert url != antmedia.base_url
    with _client(url) as client:
        assert client.get("/rest/v2/applications").status_code == 401
        server.stop()
        with pytest.raises(httpx.ConnectError):
            client.get("/rest/v2/applications")


async def test_emulators_serve_async_clients(
    antmedia: AntMediaEmulator, theolive: TheoLiveEmulator
) -> None:
    async with httpx.AsyncClient(auth=theolive.basic_auth, verify=_TLS) as client:
        theo_reply = await client.get(f"{theolive.base_url}/v2/channels")
        ams_reply = await client.get(f"{antmedia.base_url}/rest/v2/applications")
    assert theo_reply.status_code == 200
    assert ams_reply.status_code == 401


# --- THEOlive: auth and v1 --------------------------------------------------------------------


@pytest.mark.parametrize(
    "auth", [None, ("demo-token-key", "wrong"), ("nobody", "demo-token-secret-not-for-production")]
)
def test_theolive_requires_the_basic_pair(
    theolive: TheoLiveEmulator, auth: tuple[str, str] | None
) -> None:
    with _client(theolive.base_url) as client:
        for path in ("/channels", "/v2/channels", "/v2/distributions/evening/security/keys"):
            reply = client.get(path, auth=auth)
            assert reply.status_code == 401
            assert reply.headers["www-authenticate"].startswith("Basic")


def test_theolive_v1_pages_channels_by_page_and_starting_after(
    theolive: TheoLiveEmulator, theo: httpx.Client
) -> None:
    theolive.state.seed(60, 0)
    pages = [theo.get("/channels", params={"page": n}).json() for n in (1, 2, 3, 4)]
    assert [len(p) for p in pages] == [25, 25, 10, 0]
    by_page = [c["channelId"] for p in pages for c in p]
    by_cursor: list[str] = []
    params: dict[str, str] = {}
    while batch := theo.get("/channels", params=params).json():
        by_cursor += [c["channelId"] for c in batch]
        params = {"startingAfter": batch[-1]["channelId"]}
    assert by_cursor == by_page
    assert len(set(by_page)) == 60
    assert theo.get("/channels", params={"startingAfter": "nope"}).status_code == 400
    assert theo.get("/channels", params={"page": 0}).status_code == 400


def test_theolive_v1_channel_and_alias_shapes(theo: httpx.Client) -> None:
    channel = theo.get("/channels/news-channel").json()
    assert channel["metadata"] == {"name": "News"}
    assert set(channel["status"]) == {"code", "message"}
    aliases = theo.get("/channels/news-channel/aliases").json()
    assert [a["channelId"] for a in aliases] == ["evening", "morning"]
    assert {a["parentChannelId"] for a in aliases} == {"news-channel"}
    assert theo.get("/channels/nope").status_code == 404
    assert theo.get("/channels/sports/aliases/evening/token-security").status_code == 404


def test_theolive_v1_token_security_enable_disable(
    theolive: TheoLiveEmulator, theo: httpx.Client
) -> None:
    base = "/channels/news-channel/aliases/morning/token-security"
    assert theo.get(base).json() == {"enabled": False}
    refused = theo.post(f"{base}/enable")
    assert (refused.status_code, refused.json()) == (400, {})
    assert theo.post(f"{base}/enable", json={"key": "first-key"}).json() == {"enabled": True}
    assert theo.post(f"{base}/disable").json() == {"enabled": False}
    assert theo.get(base).json() == {"enabled": False}
    assert theo.post(f"{base}/enable").json() == {"enabled": True}  # same key again
    assert theolive.state.aliases["morning"].legacy_key == "first-key"


def test_theolive_v1_cdn_keys(theolive: TheoLiveEmulator, theo: httpx.Client) -> None:
    keys = "/channels/news-channel/aliases/morning/cdn-security/keys"
    assert theo.get(keys).json() == {"keys": []}
    assert theo.post(keys, json={"id": "k1", "key": "secret-one"}).json() == {"id": "k1"}
    generated = theo.post(keys, json={"key": "secret-two"}).json()["id"]
    assert theo.get(keys).json() == {"keys": [{"id": "k1"}, {"id": generated}]}
    assert theo.post(keys, json={"key": "secret-three"}).status_code == 400
    assert "secret-one" not in theo.get(keys).text
    assert theo.delete(f"{keys}/k1").json() == {}
    assert theo.delete(f"{keys}/k1").status_code == 404
    assert theo.delete(keys).json() == {}
    assert theolive.state.aliases["morning"].keys == []


# --- THEOlive: v2 -----------------------------------------------------------------------------


def test_theolive_v2_pages_distributions_alphabetically(theo: httpx.Client) -> None:
    url = "/v2/channels/conference/distributions"
    names: list[str] = []
    sizes: list[int] = []
    params: dict[str, Any] = {}
    while True:
        body = theo.get(url, params=params).json()
        sizes.append(len(body["data"]))
        names += [d["name"] for d in body["data"]]
        if not body["pagination"]["hasMore"]:
            break
        params = {"cursor": body["pagination"]["cursor"]}
    assert sizes == [20, 20, 5]
    assert names == sorted(names, key=str.casefold)
    assert len(set(names)) == 45
    everything = theo.get(url, params={"limit": 100}).json()
    assert len(everything["data"]) == 45
    assert everything["pagination"]["hasMore"] is False


@pytest.mark.parametrize("params", [{"limit": 101}, {"limit": 0}, {"limit": "x"}, {"cursor": "@@"}])
def test_theolive_v2_refuses_bad_paging(theo: httpx.Client, params: dict[str, Any]) -> None:
    assert theo.get("/v2/channels/conference/distributions", params=params).status_code == 400


def test_theolive_v2_channels_and_distribution(theo: httpx.Client) -> None:
    channels = theo.get("/v2/channels").json()
    assert [c["name"] for c in channels["data"]] == ["Conference", "News", "Sports"]
    assert channels["pagination"]["hasMore"] is False
    data = theo.get("/v2/distributions/sports-main").json()["data"]
    assert data["security"]["keys"] == [{"id": "key-sports-2026", "name": "sports-2026"}]
    assert theo.get("/v2/distributions/nope").status_code == 404


def test_theolive_v2_keys_at_most_two_and_delete(
    theolive: TheoLiveEmulator, theo: httpx.Client
) -> None:
    keys = "/v2/distributions/sports-main/security/keys"
    added = theo.post(keys, json={"name": "next", "key": "rotation-secret"}).json()["data"]
    assert added["name"] == "next"
    third = theo.post(keys, json={"key": "one-too-many"})
    assert third.status_code == 400
    listed = theo.get(keys)
    assert listed.json()["data"] == [
        {"id": "key-sports-2026", "name": "sports-2026"},
        {"id": added["id"], "name": "next"},
    ]
    assert "rotation-secret" not in listed.text
    assert SPORTS_SECRET not in listed.text
    assert theo.delete(f"{keys}/key-sports-2026").status_code == 204
    assert theo.delete(f"{keys}/key-sports-2026").status_code == 404
    assert theo.post(keys, json={"key": "k"}).json()["data"]["name"] is None
    assert theo.delete(keys).status_code == 204
    assert theolive.state.aliases["sports-main"].keys == []
    assert theo.post(keys, json={"name": "no key"}).status_code == 400


def test_theolive_admits_a_token_of_either_key_and_refuses_a_third_key(
    theolive: TheoLiveEmulator, theo: httpx.Client
) -> None:
    """Two keys side by side (a rotation's overlap): the CDN takes a token signed with
    either, v1's token-security key included; a third key is a 400 with a JSON body."""
    theolive.state.clock = ManualClock(NOW)
    backup = theolive.state.aliases["sports-backup"]
    assert [k.material for k in backup.keys] == [SPORTS_SECRET, SPORTS_SECRET[::-1]]
    for secret in (SPORTS_SECRET, SPORTS_SECRET[::-1]):
        assert theolive.state.admits("sports-backup", _viewer_token(secret, "HS256"))
    assert not theolive.state.admits("sports-backup", _viewer_token(EVENING_SECRET, "HS256"))

    v2 = theo.post("/v2/distributions/sports-backup/security/keys", json={"key": "third"})
    assert v2.status_code == 400
    assert "at most 2" in v2.json()["message"]
    v1 = theo.post("/channels/sports/aliases/sports-backup/cdn-security/keys", json={"key": "3"})
    assert (v1.status_code, v1.json()) == (400, {})
    assert len(backup.keys) == 2

    # v1: CDN keys beside the token-security key; every one of them admits.
    keys = "/channels/news-channel/aliases/evening/cdn-security/keys"
    assert theo.post(keys, json={"key": SPORTS_SECRET}).status_code == 200
    for secret in (EVENING_SECRET, SPORTS_SECRET):
        assert theolive.state.admits("evening", _viewer_token(secret, "HS512"))


def test_theolive_request_log_resolves_distributions_to_channels(
    theolive: TheoLiveEmulator, theo: httpx.Client
) -> None:
    theo.get("/v2/distributions/evening")
    theo.get("/channels/sports/aliases")
    theo.get("/v2/distributions/hall-03/security/keys")
    assert theolive.log.per_app() == {"news-channel": 1, "sports": 1, "conference": 1}


# --- THEOlive: viewer tokens ------------------------------------------------------------------


def _viewer_token(key: str, alg: str, **claims: Any) -> str:
    return jwt.encode({"exp": int(NOW) + 60, **claims}, key, algorithm=alg)


@pytest.fixture
def rsa_pem() -> tuple[str, str]:
    """(private PEM, public PEM) from the committed test keys."""
    return (KEYS / "rs256.pem").read_text(), (KEYS / "rs256.pub.pem").read_text()


@pytest.mark.parametrize("alg", ["HS256", "HS512"])
def test_theolive_verifies_shared_key_tokens(theolive: TheoLiveEmulator, alg: str) -> None:
    theolive.state.clock = ManualClock(NOW)
    assert theolive.state.verify_viewer_token("evening", _viewer_token(EVENING_SECRET, alg))
    assert not theolive.state.verify_viewer_token("evening", _viewer_token(SPORTS_SECRET, alg))
    assert not theolive.state.verify_viewer_token("morning", _viewer_token(EVENING_SECRET, alg))


@pytest.mark.parametrize("alg", ["RS256", "RS512"])
def test_theolive_verifies_public_key_tokens(
    theolive: TheoLiveEmulator, rsa_pem: tuple[str, str], alg: str
) -> None:
    private, public = rsa_pem
    theolive.state.clock = ManualClock(NOW)
    theolive.state.add_key("morning", public, name="rsa")
    assert theolive.state.verify_viewer_token("morning", _viewer_token(private, alg))
    # Algorithm confusion: an HMAC token keyed with the public key text must not pass.
    # (PyJWT refuses to sign it, so sign by hand.)
    signing_input = b".".join(
        base64url_encode(json.dumps(part).encode())
        for part in ({"alg": "HS256", "typ": "JWT"}, {"exp": int(NOW) + 60})
    )
    mac = hmac.new(public.encode(), signing_input, hashlib.sha256).digest()
    confused = (signing_input + b"." + base64url_encode(mac)).decode()
    assert not theolive.state.verify_viewer_token("morning", confused)


@pytest.mark.parametrize(
    ("claims", "valid"),
    [
        ({}, True),
        ({"exp": int(NOW)}, False),
        ({"exp": None}, False),
        ({"exp": "later"}, False),
        ({"nbf": int(NOW) + 1}, False),
        ({"nbf": int(NOW)}, True),
        ({"optiview": {"ch": "x"}, "unknown": 1}, True),
    ],
)
def test_theolive_time_claims(
    theolive: TheoLiveEmulator, claims: dict[str, Any], valid: bool
) -> None:
    theolive.state.clock = ManualClock(NOW)
    payload = {"exp": int(NOW) + 60, **claims}
    payload = {k: v for k, v in payload.items() if v is not None}
    token = jwt.encode(payload, SPORTS_SECRET, algorithm="HS256")
    assert theolive.state.verify_viewer_token("sports-main", token) is valid


def test_theolive_refuses_unsigned_and_garbage_tokens(theolive: TheoLiveEmulator) -> None:
    unsigned = jwt.encode({"exp": int(time.time()) + 60}, "", algorithm="none")
    for token in (unsigned, "", "a.b.c", "not a jwt"):
        assert not theolive.state.verify_viewer_token("evening", token)


def test_theolive_play_endpoint(theolive: TheoLiveEmulator) -> None:
    theolive.state.clock = ManualClock(NOW)
    good = _viewer_token(EVENING_SECRET, "HS256")
    expired = _viewer_token(EVENING_SECRET, "HS256", exp=int(NOW) - 1)
    with _client(theolive.base_url) as viewer:
        assert viewer.get("/play/evening").status_code == 403  # security on, no token
        bearer = {"Authorization": f"Bearer {good}"}
        assert viewer.get("/play/evening", headers=bearer).status_code == 200
        assert viewer.get("/play/evening", params={"token": good}).status_code == 200
        assert viewer.get("/play/morning").status_code == 200  # security off
        # Security off, but a given token is still checked: an expired one is refused.
        assert viewer.get("/play/morning", params={"token": expired}).status_code == 403
        assert viewer.get("/play/nope").status_code == 404
        assert viewer.get("/play/evening", params={"token": expired}).status_code == 403
