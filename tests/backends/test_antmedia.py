"""The Ant Media Server source against the loopback emulator (real HTTP, real wire format)."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from streamconsole.backends.antmedia import AntMediaSource
from streamconsole.backends.antmedia_settings import merge_settings
from streamconsole.backends.base import (
    AuthError,
    ConflictError,
    PartialApplyError,
    ReadOnlyError,
    RemoteError,
    RemoteTimeout,
)
from streamconsole.backends.http import HttpSettings
from streamconsole.core.edits import set_enforcement, set_key
from streamconsole.core.explain import Verdict, explain
from streamconsole.core.key_generation import generate_key
from streamconsole.core.keys import Algorithm, SharedKey
from streamconsole.core.model import Direction, ScopeRef, ServerKind, ServerProfile
from streamconsole.core.policy import effective_policy
from streamconsole.core.secret import Secret
from streamconsole.core.tokens import build_claims, sign
from tests.emulators import AntMediaEmulator

VENDOR_SECRET = "zautXStXM9iW3aD3FuyPH0TdK4GHPmHq"
FAST = HttpSettings(timeout=1.0, connect_timeout=1.0, retries=2, backoff=0.01)


def source_for(
    emulator: AntMediaEmulator,
    *,
    credentials: str | None = None,
    auth: str = "password",
    read_only: bool = False,
) -> AntMediaSource:
    profile = ServerProfile("test-ams", ServerKind.ANTMEDIA, emulator.base_url, auth=auth)
    secret = credentials or f"{emulator.admin_email}:{emulator.admin_password}"
    return AntMediaSource(profile, Secret(secret), read_only=read_only, settings=FAST)


async def test_load_lists_applications_with_policies_and_keys(antmedia: AntMediaEmulator) -> None:
    async with source_for(antmedia) as source:
        config = await source.load()
        assert list(config.applications) == ["LiveApp", "WebRTCAppEE", "VodApp"]
        live = config.applications["LiveApp"]
        assert live.settings.publish is True
        assert live.settings.play is False
        assert live.settings.key is not None
        assert live.settings.key.key.hmac_key == VENDOR_SECRET.encode()  # type: ignore[union-attr]
        webrtc = config.applications["WebRTCAppEE"]
        assert webrtc.one_time_token == frozenset({Direction.PLAY})
        assert config.applications["VodApp"].settings.key is None
        # One request per application to list everything; aliases come on demand.
        assert antmedia.log.per_app(method="GET") == {"LiveApp": 1, "WebRTCAppEE": 1, "VodApp": 1}
        assert not live.aliases_loaded


async def test_the_listing_answers_with_names_and_the_settings_follow_one_by_one(
    antmedia: AntMediaEmulator,
) -> None:
    async with source_for(antmedia) as source:
        config = await source.list_applications()
        assert list(config.applications) == ["LiveApp", "WebRTCAppEE", "VodApp"]
        assert antmedia.log.count(path="/rest/v2/applications/settings/*") == 0
        live = config.applications["LiveApp"]
        assert not live.settings_loaded and live.policy_unknown and live.problem == ""
        await source.load_settings(live)
        assert live.settings_loaded and not live.policy_unknown
        assert live.settings.publish is True and live.settings.key is not None
        assert antmedia.log.per_app(method="GET") == {"LiveApp": 1}
        # load() (the CLI and the API) reads every application's settings before it answers.
        assert all(app.settings_loaded for app in (await source.load()).applications.values())


async def test_load_aliases_pages_through_broadcasts(antmedia: AntMediaEmulator) -> None:
    async with source_for(antmedia) as source:
        config = await source.load()
        live = config.applications["LiveApp"]
        await source.load_aliases(live)
        assert live.aliases_loaded
        assert len(live.aliases) == 120
        assert list(live.aliases)[:3] == ["stream1", "stream2", "lobby-camera"]
        assert antmedia.log.count(path="/LiveApp/rest/v2/broadcasts/list/*") == 3


async def test_toggle_is_read_modify_write_of_the_whole_object(antmedia: AntMediaEmulator) -> None:
    before = antmedia.state.settings("LiveApp")
    async with source_for(antmedia) as source:
        config = await source.load()
        await source.apply([set_enforcement(config, ScopeRef("LiveApp"), Direction.PLAY, True)])
        assert antmedia.state.applications["LiveApp"].posted == [
            {**before, "playJwtControlEnabled": True}
        ]
        after = antmedia.state.settings("LiveApp")
        assert after.pop("updateTime") > before.pop("updateTime")  # stamped by the server
        assert after == {**before, "playJwtControlEnabled": True}


LIVE = ScopeRef("LiveApp")
SETTINGS_POSTS = "/rest/v2/applications/settings/*"


def switches(emulator: AntMediaEmulator, app: str = "LiveApp") -> tuple[bool, bool]:
    settings = emulator.state.settings(app)
    return settings["publishJwtControlEnabled"], settings["playJwtControlEnabled"]


def new_secret() -> SharedKey:
    key = generate_key(Algorithm.HS256, min_chars=32)
    assert isinstance(key, SharedKey)
    return key


SEEN = {"playJwtControlEnabled": False, "jwtStreamSecretKey": "a" * 32, "updateTime": 1}


def test_merge_keeps_their_other_fields_and_the_servers_stamp() -> None:
    current = {**SEEN, "remoteAllowedCIDR": "10.0.0.0/8", "updateTime": 2}
    merged = merge_settings("App", SEEN, current, {"playJwtControlEnabled": True})
    assert merged == {**current, "playJwtControlEnabled": True}


def test_merge_takes_the_same_change_made_by_someone_else_as_agreement() -> None:
    current = {**SEEN, "playJwtControlEnabled": True, "updateTime": 2}
    assert merge_settings("App", SEEN, current, {"playJwtControlEnabled": True}) == current


def test_merge_refuses_a_field_we_change_that_someone_else_changed() -> None:
    current = {**SEEN, "jwtStreamSecretKey": "b" * 32, "playJwtControlEnabled": True}
    ours = {"jwtStreamSecretKey": "c" * 32, "playJwtControlEnabled": False}
    with pytest.raises(ConflictError) as caught:
        merge_settings("App", SEEN, current, ours)
    message = str(caught.value)
    assert "jwtStreamSecretKey: changed (value hidden)" in message
    assert "playJwtControlEnabled: False → True" in message
    assert "updateTime" not in message
    assert not any(letter * 32 in message for letter in "abc")


async def test_saves_one_after_another_in_one_session(antmedia: AntMediaEmulator) -> None:
    """The server stamps updateTime on each save: our own write is not someone else's."""
    async with source_for(antmedia) as source:
        config = await source.load()
        key = new_secret()
        # A new key and a switch: one POST of the application's settings.
        await source.apply(
            [
                set_key(config, LIVE, key, datetime.now(UTC)),
                set_enforcement(config, LIVE, Direction.PLAY, True),
            ]
        )
        assert antmedia.log.count(method="POST", path=SETTINGS_POSTS) == 1
        await source.apply([set_enforcement(config, LIVE, Direction.PUBLISH, False)])
        await source.apply([set_enforcement(config, LIVE, Direction.PUBLISH, True)])
        assert antmedia.log.count(method="POST", path=SETTINGS_POSTS) == 3
        assert switches(antmedia) == (True, True)
        assert antmedia.state.settings("LiveApp")["jwtStreamSecretKey"] == key.secret.reveal()


async def test_another_admins_unrelated_edits_survive_our_save(antmedia: AntMediaEmulator) -> None:
    async with source_for(antmedia) as source:
        # Another admin saves LiveApp right after we read it during the load: other fields, and
        # the other direction's switch.
        antmedia.edit_after_next_get(
            "LiveApp",
            remoteAllowedCIDR="0.0.0.0/0",
            jwtSecretKey="x" * 40,
            publishJwtControlEnabled=False,
        )
        config = await source.load()
        await source.apply([set_enforcement(config, LIVE, Direction.PLAY, True)])
        state = antmedia.state.settings("LiveApp")
        assert switches(antmedia) == (False, True)  # their publish off, our play on
        assert state["remoteAllowedCIDR"] == "0.0.0.0/0"
        assert state["jwtSecretKey"] == "x" * 40
        assert state["jwtStreamSecretKey"] == VENDOR_SECRET


async def test_another_admins_edit_of_a_field_we_change_is_refused(
    antmedia: AntMediaEmulator,
) -> None:
    async with source_for(antmedia) as source:
        theirs = "t" * 40
        antmedia.edit_after_next_get(
            "LiveApp", jwtStreamSecretKey=theirs, remoteAllowedCIDR="0.0.0.0/0"
        )
        config = await source.load()
        ours = new_secret()
        changes = [
            set_key(config, LIVE, ours, datetime.now(UTC)),
            set_enforcement(config, LIVE, Direction.PLAY, True),
        ]
        with pytest.raises(ConflictError) as caught:
            await source.apply(changes)
        message = str(caught.value)
        assert "LiveApp" in message
        assert "jwtStreamSecretKey: changed (value hidden)" in message
        for secret in (theirs, ours.secret.reveal(), VENDOR_SECRET):
            assert secret not in message
        # Only the conflicting field: their other edit and the server's stamp are no conflict.
        assert "remoteAllowedCIDR" not in message
        assert "updateTime" not in message
        assert antmedia.log.count(method="POST", path=SETTINGS_POSTS) == 0
        assert antmedia.state.settings("LiveApp")["jwtStreamSecretKey"] == theirs
        assert switches(antmedia) == (True, False)  # nothing written
        # After the refusal the source knows the new state: the same edit now goes through.
        await source.apply(changes)
        assert antmedia.state.settings("LiveApp")["jwtStreamSecretKey"] == ours.secret.reveal()
        assert antmedia.state.settings("LiveApp")["remoteAllowedCIDR"] == "0.0.0.0/0"


async def test_a_save_whose_read_back_fails_is_still_a_save(antmedia: AntMediaEmulator) -> None:
    """The POST landed: a failed re-read after it must not report the save as failed, nor
    make the next save of the same application a conflict."""
    async with source_for(antmedia) as source:
        config = await source.load()
        path = "/rest/v2/applications/settings/LiveApp"
        antmedia.faults.after(
            path,
            lambda: antmedia.faults.fail(503, times=None, path=path, method="GET"),
            method="POST",
        )
        await source.apply([set_enforcement(config, LIVE, Direction.PLAY, True)])
        assert antmedia.log.count(method="GET", path=path, status=503) > 0  # the read-back failed
        antmedia.faults.clear()
        await source.apply([set_enforcement(config, LIVE, Direction.PUBLISH, False)])
        assert switches(antmedia) == (False, True)


async def test_failed_login_is_never_retried(antmedia: AntMediaEmulator) -> None:
    async with source_for(antmedia, credentials=f"{antmedia.admin_email}:wrong-password") as source:
        with pytest.raises(AuthError, match="not retrying"):
            await source.load()
        assert antmedia.log.count(path="/rest/v2/users/authenticate") == 1
        # The same source never tries again, however many requests ask for a login...
        for _ in range(3):
            with pytest.raises(AuthError, match="not retrying"):
                await source.load()
        assert antmedia.log.count(path="/rest/v2/users/authenticate") == 1
        assert not antmedia.state.locked(antmedia.admin_email)
    # ...and the lockout is real: a second source with the same wrong password locks it.
    async with source_for(antmedia, credentials=f"{antmedia.admin_email}:wrong-password") as again:
        with pytest.raises(AuthError):
            await again.load()
        assert antmedia.state.locked(antmedia.admin_email)


async def test_concurrent_requests_share_one_refused_login(antmedia: AntMediaEmulator) -> None:
    async with source_for(antmedia, credentials=f"{antmedia.admin_email}:wrong-password") as source:
        results = await asyncio.gather(*(source.load() for _ in range(8)), return_exceptions=True)
        assert all(isinstance(r, AuthError) for r in results)
        assert antmedia.log.count(path="/rest/v2/users/authenticate") == 1


async def test_a_session_expiring_under_many_requests_is_renewed_by_one_login(
    antmedia: AntMediaEmulator,
) -> None:
    antmedia.state.seed(20, 0)
    antmedia.faults.latency = 0.02
    # Four lanes for twenty reads: requests sent on the expired session keep being refused
    # while the new login waits for a lane, and after it has answered.
    profile = ServerProfile("test-ams", ServerKind.ANTMEDIA, antmedia.base_url, concurrency=4)
    credentials = Secret(f"{antmedia.admin_email}:{antmedia.admin_password}")
    async with AntMediaSource(profile, credentials, settings=FAST) as source:
        config = await source.list_applications()
        antmedia.state.sessions.clear()  # the session expires: 403 to every request on it
        apps = config.applications.values()
        await asyncio.gather(*(source.load_settings(app) for app in apps))
        assert all(app.settings_loaded for app in apps)
        assert antmedia.log.count(path="/rest/v2/users/authenticate") == 2
        assert antmedia.log.count(path="/rest/v2/applications/settings/*", status=403) > 4


async def test_server_source_uses_the_files_console_settings(
    tmp_path: Path, antmedia: AntMediaEmulator
) -> None:
    from streamconsole.backends.registry import open_source

    config = tmp_path / "c.toml"
    config.write_text(
        '[console]\ntoken_ttl = "90s"\naudit_log = "audit.jsonl"\n'
        f'[servers.lab]\nkind = "antmedia"\nurl = "{antmedia.base_url}"\n'
        'credentials_env = "SC_LAB"\n'
    )
    env = {"SC_LAB": f"{antmedia.admin_email}:{antmedia.admin_password}"}
    async with open_source(config, server="lab", environ=env) as source:
        loaded = await source.load()
        assert loaded.settings.token_ttl == 90
        assert loaded.settings.audit_log == str(tmp_path / "audit.jsonl")


async def test_credentials_never_appear_in_errors(antmedia: AntMediaEmulator) -> None:
    async with source_for(
        antmedia, credentials=f"{antmedia.admin_email}:Sup3r-Secret-Pw"
    ) as source:
        with pytest.raises(AuthError) as caught:
            await source.load()
        assert "Sup3r-Secret-Pw" not in str(caught.value)
        assert "Sup3r-Secret-Pw" not in repr(source.__dict__)


async def test_proxy_authorization_jwt(antmedia: AntMediaEmulator) -> None:
    async with source_for(
        antmedia, credentials=antmedia.state.jwt_server_secret_key, auth="proxy-jwt"
    ) as source:
        config = await source.load()
        assert "LiveApp" in config.applications
        assert antmedia.log.count(path="/rest/v2/users/authenticate") == 0


async def test_wrong_proxy_secret_is_an_auth_error(antmedia: AntMediaEmulator) -> None:
    async with source_for(
        antmedia, credentials="not-the-server-secret-0123456789abcdef", auth="proxy-jwt"
    ) as source:
        with pytest.raises(AuthError, match="HTTP 403"):
            await source.load()


async def test_reads_are_retried_on_5xx_and_429(antmedia: AntMediaEmulator) -> None:
    antmedia.faults.fail(503, times=2, path="/rest/v2/applications")
    antmedia.faults.fail(429, times=1, path="/rest/v2/applications/settings/LiveApp", retry_after=0)
    async with source_for(antmedia) as source:
        config = await source.load()
        assert config.applications["LiveApp"].problem == ""
        assert antmedia.log.count(path="/rest/v2/applications") == 3


async def test_one_broken_application_does_not_break_the_list(antmedia: AntMediaEmulator) -> None:
    antmedia.faults.html_error(500, times=None, path="/rest/v2/applications/settings/WebRTCAppEE")
    async with source_for(antmedia) as source:
        config = await source.load()
        broken = config.applications["WebRTCAppEE"]
        assert "HTTP 500" in broken.problem
        assert "HTML page" in broken.problem
        assert broken.policy_unknown and not broken.settings_loaded
        assert config.applications["LiveApp"].problem == ""


async def test_writes_are_not_retried_and_nothing_is_half_written(
    antmedia: AntMediaEmulator,
) -> None:
    async with source_for(antmedia) as source:
        config = await source.load()
        before = antmedia.state.settings("LiveApp")
        antmedia.faults.fail(
            503, times=1, path="/rest/v2/applications/settings/LiveApp", method="POST"
        )
        with pytest.raises(RemoteError, match="HTTP 503"):
            await source.apply([set_enforcement(config, ScopeRef("LiveApp"), Direction.PLAY, True)])
        assert antmedia.log.count(method="POST", path="/rest/v2/applications/settings/*") == 1
        assert antmedia.state.settings("LiveApp") == before


async def test_failure_on_second_application_says_what_was_applied(
    antmedia: AntMediaEmulator,
) -> None:
    async with source_for(antmedia) as source:
        config = await source.load()
        changes = [
            set_enforcement(config, ScopeRef("LiveApp"), Direction.PLAY, True),
            set_enforcement(config, ScopeRef("VodApp"), Direction.PLAY, True),
        ]
        antmedia.faults.fail(
            500, times=1, path="/rest/v2/applications/settings/VodApp", method="POST"
        )
        with pytest.raises(PartialApplyError) as caught:
            await source.apply(changes)
        assert caught.value.applied == ("LiveApp",)
        assert caught.value.failed == "VodApp"
        assert "Already applied: LiveApp; not applied: VodApp" in str(caught.value)
        assert antmedia.state.settings("LiveApp")["playJwtControlEnabled"] is True
        assert antmedia.state.settings("VodApp").get("playJwtControlEnabled") is not True


async def test_a_conflict_after_a_saved_application_says_what_was_applied(
    antmedia: AntMediaEmulator,
) -> None:
    """A conflict is found per application just before its POST: one found after another
    application was saved must not read as if nothing was written."""
    async with source_for(antmedia) as source:
        theirs = "t" * 40
        antmedia.edit_after_next_get("VodApp", jwtStreamSecretKey=theirs)
        config = await source.load()
        changes = [
            set_enforcement(config, LIVE, Direction.PLAY, True),
            set_key(config, ScopeRef("VodApp"), new_secret(), datetime.now(UTC)),
        ]
        with pytest.raises(PartialApplyError) as caught:
            await source.apply(changes)
        assert caught.value.applied == ("LiveApp",)
        assert caught.value.failed == "VodApp"
        message = str(caught.value)
        assert "jwtStreamSecretKey: changed (value hidden)" in message
        assert "Already applied: LiveApp; not applied: VodApp" in message
        assert theirs not in message
        assert antmedia.state.settings("LiveApp")["playJwtControlEnabled"] is True
        assert antmedia.state.settings("VodApp")["jwtStreamSecretKey"] == theirs


async def test_timeout_is_a_clear_error(antmedia: AntMediaEmulator) -> None:
    antmedia.faults.hang(times=None, path="/rest/v2/applications")
    async with source_for(antmedia) as source:
        started = time.monotonic()
        with pytest.raises(RemoteTimeout, match="no answer in time"):
            await source.load()
        assert time.monotonic() - started < 30  # bounded: retries x timeout, not forever


@pytest.mark.parametrize("fault", ["malform", "truncate"])
async def test_damaged_json_is_a_clear_error(antmedia: AntMediaEmulator, fault: str) -> None:
    getattr(antmedia.faults, fault)(times=None, path="/rest/v2/applications")
    async with source_for(antmedia) as source:
        with pytest.raises(RemoteError, match="not valid JSON"):
            await source.load()


async def test_redirect_is_not_followed(antmedia: AntMediaEmulator) -> None:
    antmedia.faults.fail(302, times=None, path="/rest/v2/applications")
    async with source_for(antmedia) as source:
        with pytest.raises(RemoteError, match="not followed"):
            await source.load()


async def test_read_only_source_writes_nothing(antmedia: AntMediaEmulator) -> None:
    async with source_for(antmedia, read_only=True) as source:
        config = await source.load()
        with pytest.raises(ReadOnlyError):
            await source.apply([set_enforcement(config, ScopeRef("LiveApp"), Direction.PLAY, True)])
        assert antmedia.log.count(method="POST", path="/rest/v2/applications/settings/*") == 0


async def test_rotation_then_tokens_old_refused_new_accepted(antmedia: AntMediaEmulator) -> None:
    async with source_for(antmedia) as source:
        config = await source.load()
        now = time.time()
        old_key = config.applications["LiveApp"].settings.key
        assert old_key is not None
        claims = build_claims(ServerKind.ANTMEDIA, Direction.PUBLISH, "stream1", now=now, ttl=600)
        old_token = sign(claims, old_key.key)
        assert antmedia.state.verify_stream_token("LiveApp", "stream1", "publish", old_token)

        new_key = generate_key(Algorithm.HS256, min_chars=32)
        change = set_key(config, ScopeRef("LiveApp"), new_key, datetime.now(UTC))
        await source.apply([change])
        new_token = sign(claims, new_key)
        assert antmedia.state.verify_stream_token("LiveApp", "stream1", "publish", new_token)
        assert not antmedia.state.verify_stream_token("LiveApp", "stream1", "publish", old_token)


async def test_server_issued_token_passes_local_explain(antmedia: AntMediaEmulator) -> None:
    async with source_for(antmedia) as source:
        config = await source.load()
        now = time.time()
        token = await source.issue_token("LiveApp", "stream1", Direction.PUBLISH, int(now) + 600)
        app = config.applications["LiveApp"]
        policy = effective_policy(app, None, Direction.PUBLISH)
        result = explain(token, policy, stream="stream1", now=now)
        assert result.verdict is Verdict.ACCEPTED, result.checks


async def test_weak_server_secret_is_shown_with_a_warning(antmedia: AntMediaEmulator) -> None:
    antmedia.state.update_settings("VodApp", jwtStreamSecretKey="short-secret")
    async with source_for(antmedia) as source:
        config = await source.load()
        assert config.applications["VodApp"].settings.key is not None
        assert [w.path for w in source.warnings] == ["applications.VodApp"]
        assert "short-secret" not in str(source.warnings[0])


async def test_a_guessable_server_secret_is_read_with_a_warning_naming_the_estimate(
    antmedia: AntMediaEmulator,
) -> None:
    """32 characters, 8 distinct: the server takes it, and the console must say it is weak."""
    antmedia.state.update_settings("VodApp", jwtStreamSecretKey="abcdefgh" * 4)
    source = source_for(antmedia)
    config = await source.load()
    assert config.applications["VodApp"].settings.key is not None
    assert [w.path for w in source.warnings] == ["applications.VodApp"]
    warning = str(source.warnings[0])
    assert (
        "the server's stream secret is weak: the secret looks guessable: an estimated 6 " in warning
    )
    assert "abcdefgh" not in warning
    await source.aclose()


# --- saves the server refuses: it gives no reason, so the source says which rule --------------


async def test_a_save_of_an_application_with_two_kinds_of_play_token_control_says_what_to_turn_off(
    antmedia: AntMediaEmulator,
) -> None:
    """WebRTCAppEE holds play JWT and one-time tokens (from its properties file). Since 2.9
    the server refuses every save of it, even of an unrelated switch, and says nothing."""
    async with source_for(antmedia) as source:
        config = await source.load()
        before = antmedia.state.settings("WebRTCAppEE")
        with pytest.raises(RemoteError) as caught:
            await source.apply(
                [set_enforcement(config, ScopeRef("WebRTCAppEE"), Direction.PUBLISH, False)]
            )
        assert str(caught.value) == (
            "WebRTCAppEE: the server refused the settings and gave no reason. Ant Media Server "
            "(2.9 and later) saves at most one kind of token control per direction, and play has "
            "JWT and one-time tokens on (playJwtControlEnabled, playTokenControlEnabled): turn "
            "one-time tokens off for play in the server's web panel, or turn play JWT off, then "
            "save again; nothing was written"
        )
        assert before["jwtStreamSecretKey"] not in str(caught.value)
        assert antmedia.state.settings("WebRTCAppEE") == before


async def test_turning_jwt_on_beside_another_kind_of_token_control_says_which(
    antmedia: AntMediaEmulator,
) -> None:
    antmedia.state.update_settings("LiveApp", enableTimeTokenForPlay=True)  # TOTP, web panel
    async with source_for(antmedia) as source:
        config = await source.load()
        with pytest.raises(
            RemoteError, match="play has JWT and TOTP one-time passwords on"
        ) as caught:
            await source.apply([set_enforcement(config, LIVE, Direction.PLAY, True)])
        assert "turn TOTP one-time passwords off for play in the server's web panel" in str(
            caught.value
        )
        assert switches(antmedia) == (True, False)


async def test_a_refusal_the_source_cannot_explain_says_so(antmedia: AntMediaEmulator) -> None:
    async with source_for(antmedia) as source:
        config = await source.load()
        antmedia.state.update_settings("LiveApp", encoderSettings=[{"height": 0}])  # another admin
        with pytest.raises(RemoteError) as caught:
            await source.apply([set_enforcement(config, LIVE, Direction.PLAY, True)])
        assert str(caught.value) == (
            "LiveApp: the server refused the settings and gave no reason; nothing was written"
        )
