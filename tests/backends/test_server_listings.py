"""What a server lists, against both emulators: every name travels as one percent-encoded
path segment (the request log shows the path as it came on the wire), a name that cannot be
one is refused by name and never sent, a listing past ``max_items`` is refused, and one
listing never has more than ``concurrency`` requests in flight, and reaches that many."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from streamconsole.backends.antmedia import AntMediaSource
from streamconsole.backends.base import RemoteError, SourceError
from streamconsole.backends.http import HttpSettings
from streamconsole.backends.theolive import TheoLiveSource
from streamconsole.backends.theolive.records import KeyRecords
from streamconsole.core.edits import SetEnforcement, set_enforcement, set_key
from streamconsole.core.key_generation import generate_key
from streamconsole.core.keys import Algorithm
from streamconsole.core.model import (
    DEFAULT_CONCURRENCY,
    DEFAULT_MAX_ITEMS,
    Direction,
    ScopeRef,
    ServerKind,
    ServerProfile,
)
from streamconsole.core.secret import Secret
from tests.emulators import AntMediaEmulator, TheoLiveEmulator

FAST = HttpSettings(timeout=2.0, connect_timeout=2.0, retries=1, backoff=0.01)
SETTINGS = "/rest/v2/applications/settings"
DEMO_APPS = ("LiveApp", "WebRTCAppEE", "VodApp")
# Names no URL can carry as a segment: each is refused by name, and nothing is sent for it.
UNSENDABLE = {
    "empty": ("", "is empty"),
    "dot": (".", "is '.', which a URL reads as a directory"),
    "dot-dot": ("..", "is '..', which a URL reads as a directory"),
    "escape": ("esc\x1b[2J", "holds a control character"),
    "carriage-return": ("cr\rlf", "holds a control character"),
}
# THEOlive ids: an empty one is no id at all, left out as such (see tests/hostile).
THEO_UNSENDABLE = {case: value for case, value in UNSENDABLE.items() if case != "empty"}


def ams_source(
    emulator: AntMediaEmulator,
    *,
    max_items: int = DEFAULT_MAX_ITEMS,
    concurrency: int = DEFAULT_CONCURRENCY,
) -> AntMediaSource:
    profile = ServerProfile(
        "names-ams",
        ServerKind.ANTMEDIA,
        emulator.base_url,
        auth="password",
        max_items=max_items,
        concurrency=concurrency,
    )
    credentials = Secret(f"{emulator.admin_email}:{emulator.admin_password}")
    return AntMediaSource(profile, credentials, settings=FAST)


def theo_source(
    emulator: TheoLiveEmulator, records: Path, version: str, *, max_items: int = DEFAULT_MAX_ITEMS
) -> TheoLiveSource:
    profile = ServerProfile(
        "names-theo",
        ServerKind.THEOLIVE,
        emulator.base_url,
        api_version=version,
        auth="basic",
        max_items=max_items,
    )
    credentials = Secret(f"{emulator.api_key}:{emulator.api_secret}")
    return TheoLiveSource(profile, credentials, settings=FAST, key_records=KeyRecords(records))


def wire_paths(emulator: AntMediaEmulator | TheoLiveEmulator, method: str = "") -> list[str]:
    return [r.raw_path for r in emulator.log.records if not method or r.method == method]


# --- Ant Media ---------------------------------------------------------------------------------


async def test_antmedia_names_travel_as_one_segment(antmedia: AntMediaEmulator) -> None:
    """``b#frag`` once read ``.../settings/b``; ``Decoy/../OtherApp`` read OtherApp."""
    antmedia.state.add_application("b#frag", playJwtControlEnabled=False)
    antmedia.state.add_application("Decoy/../OtherApp")
    antmedia.state.add_application("OtherApp")
    async with ams_source(antmedia) as source:
        config = await source.load()
        assert config.applications["b#frag"].problem == ""
        # Tomcat refuses an encoded slash (400) before any route sees it: never OtherApp's.
        assert "HTTP 400" in config.applications["Decoy/../OtherApp"].problem
        assert wire_paths(antmedia).count(f"{SETTINGS}/OtherApp") == 1
        assert f"{SETTINGS}/b%23frag" in wire_paths(antmedia)
        assert f"{SETTINGS}/Decoy%2F..%2FOtherApp" in wire_paths(antmedia)

        antmedia.log.clear()
        await source.apply([set_enforcement(config, ScopeRef("b#frag"), Direction.PLAY, True)])
    assert wire_paths(antmedia, "POST") == [f"{SETTINGS}/b%23frag"]
    assert antmedia.state.settings("b#frag")["playJwtControlEnabled"] is True


@pytest.mark.parametrize("case", UNSENDABLE.values(), ids=UNSENDABLE.keys())
async def test_antmedia_an_application_it_cannot_name_is_unread_and_the_rest_load(
    antmedia: AntMediaEmulator, case: tuple[str, str]
) -> None:
    name, problem = case
    antmedia.state.add_application(name, jwtStreamSecretKey="s" * 32)
    async with ams_source(antmedia) as source:
        config = await source.load()
    assert problem in config.applications[name].problem
    assert "\x1b" not in config.applications[name].problem
    assert all(config.applications[app].problem == "" for app in DEMO_APPS)
    settings_read = sorted(p for p in wire_paths(antmedia) if p.startswith(SETTINGS))
    assert settings_read == sorted(f"{SETTINGS}/{app}" for app in DEMO_APPS)


@pytest.mark.parametrize("case", UNSENDABLE.values(), ids=UNSENDABLE.keys())
async def test_antmedia_a_save_naming_such_an_application_sends_nothing(
    antmedia: AntMediaEmulator, case: tuple[str, str]
) -> None:
    name, problem = case
    async with ams_source(antmedia) as source:
        config = await source.load()
        antmedia.log.clear()
        live = set_enforcement(config, ScopeRef("LiveApp"), Direction.PLAY, True)
        other = SetEnforcement(ScopeRef(name), Direction.PLAY, True, False)
        with pytest.raises(SourceError, match=f"application .* {problem}") as refused:
            await source.apply([live, other])
    assert not isinstance(refused.value, RemoteError)
    assert antmedia.log.records == []  # not even LiveApp, which came first


async def test_antmedia_streams_travel_as_one_segment_and_bad_ones_are_left_out(
    antmedia: AntMediaEmulator,
) -> None:
    antmedia.state.add_broadcasts("LiveApp", ["ok#1", "..", "esc\x1b]52;c;eA==\x07"])
    async with ams_source(antmedia) as source:
        config = await source.load()
        live = config.applications["LiveApp"]
        await source.load_aliases(live)
        assert "ok#1" in live.aliases
        assert ".." not in live.aliases
        assert not any("esc" in alias for alias in live.aliases)
        left_out = [str(w) for w in source.warnings if w.path == "applications.LiveApp"]
        assert any("stream '..' is '..'" in w and "left out" in w for w in left_out)
        assert any("holds a control character" in w for w in left_out)
        await source.issue_token("LiveApp", "ok#1", Direction.PLAY, int(time.time()) + 60)
    assert "/LiveApp/rest/v2/broadcasts/ok%231/jwt-token" in wire_paths(antmedia)


async def test_antmedia_a_listing_past_max_items_is_refused_unread(
    antmedia: AntMediaEmulator,
) -> None:
    antmedia.state.seed(101, 0)
    async with ams_source(antmedia, max_items=100) as source:
        with pytest.raises(RemoteError) as refused:
            await source.load()
    assert str(refused.value) == (
        "GET /rest/v2/applications: the server lists more than 100, the most that max_items "
        "of server 'names-ams' lets this console read; stopped. Raise max_items in "
        "[servers.names-ams] to read them all"
    )
    assert not any(p.startswith(SETTINGS) for p in wire_paths(antmedia))


async def test_antmedia_broadcasts_past_max_items_are_refused(antmedia: AntMediaEmulator) -> None:
    antmedia.state.add_broadcasts("LiveApp", [f"s{i}" for i in range(101)])
    async with ams_source(antmedia, max_items=100) as source:
        config = await source.load()
        with pytest.raises(RemoteError, match="more than 100, the most that max_items"):
            await source.load_aliases(config.applications["LiveApp"])


async def test_antmedia_one_listing_has_at_most_concurrency_requests_in_flight(
    antmedia: AntMediaEmulator,
) -> None:
    antmedia.state.seed(40, 0)
    antmedia.faults.latency = 0.05  # each lane busy long enough for all four to overlap
    async with ams_source(antmedia, concurrency=4) as source:
        antmedia.log.clear()
        config = await source.load()
    assert len(config.applications) == 40
    assert antmedia.log.peak_in_flight == 4  # in parallel, and never more


async def test_antmedia_a_listing_by_default_reaches_the_default_bound_and_never_passes_it(
    antmedia: AntMediaEmulator,
) -> None:
    """At 16 in flight, 1,000 settings reads at 20 ms took 1.25 s at best; the default lets
    64 overlap (each request held long enough here for the bound to be reached), no more."""
    apps = 2 * DEFAULT_CONCURRENCY + 3
    antmedia.state.seed(apps, 0)
    antmedia.faults.latency = 0.3
    async with ams_source(antmedia) as source:
        antmedia.log.clear()
        config = await source.load()
    assert len(config.applications) == apps
    assert antmedia.log.peak_in_flight == DEFAULT_CONCURRENCY == 64
    # The login, the list, and one settings read per application: nothing more.
    assert antmedia.log.count() == apps + 2
    assert antmedia.log.count(method="GET", path=f"{SETTINGS}/*") == apps


# --- THEOlive ------------------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["v2", "v1"])
async def test_theolive_names_travel_as_one_segment(
    theolive: TheoLiveEmulator, tmp_path: Path, version: str
) -> None:
    channel = theolive.state.add_channel("Odd", channel_id="ch#1 x")
    theolive.state.add_alias(channel.id, "Odd alias", alias_id="al?1")
    async with theo_source(theolive, tmp_path / "records.json", version) as source:
        config = await source.load()
        await source.load_aliases(config.applications["ch#1 x"])
        assert list(config.applications["ch#1 x"].aliases) == ["al?1"]
        scope = ScopeRef("ch#1 x", "al?1")
        key = set_key(config, scope, generate_key(Algorithm.HS256), datetime.now(UTC))
        theolive.log.clear()
        await source.apply([set_enforcement(config, scope, Direction.PLAY, True), key])
    keys = {
        "v2": "/v2/distributions/al%3F1/security/keys",
        "v1": "/channels/ch%231%20x/aliases/al%3F1/cdn-security/keys",
    }[version]
    assert keys in wire_paths(theolive, "POST")
    assert len(theolive.state.aliases["al?1"].keys) == 1


@pytest.mark.parametrize("version", ["v2", "v1"])
@pytest.mark.parametrize("case", THEO_UNSENDABLE.values(), ids=THEO_UNSENDABLE.keys())
async def test_theolive_a_channel_it_cannot_name_is_unread(
    theolive: TheoLiveEmulator, tmp_path: Path, version: str, case: tuple[str, str]
) -> None:
    name, problem = case
    theolive.state.add_channel("Hostile", channel_id=name)
    async with theo_source(theolive, tmp_path / "records.json", version) as source:
        config = await source.load()
        hostile = config.applications[name]
        assert problem in hostile.problem
        theolive.log.clear()
        await source.load_aliases(hostile)  # a caller that did not look: still nothing sent
        assert problem in hostile.problem
        assert theolive.log.records == []
        await source.load_aliases(config.applications["sports"])
        assert config.applications["sports"].problem == ""


@pytest.mark.parametrize("version", ["v2", "v1"])
@pytest.mark.parametrize("case", THEO_UNSENDABLE.values(), ids=THEO_UNSENDABLE.keys())
async def test_theolive_an_alias_it_cannot_name_makes_its_channel_unread(
    theolive: TheoLiveEmulator, tmp_path: Path, version: str, case: tuple[str, str]
) -> None:
    name, problem = case
    theolive.state.add_alias("sports", "Hostile", alias_id=name)
    async with theo_source(theolive, tmp_path / "records.json", version) as source:
        config = await source.load()
        theolive.log.clear()
        await source.load_aliases(config.applications["sports"])
        await source.load_aliases(config.applications["news-channel"])
    assert problem in config.applications["sports"].problem
    assert config.applications["news-channel"].problem == ""
    # v1 reads each alias on its own: nothing for this one, and no path resolved away.
    assert all("/sports/aliases/" not in p or "sports-" in p for p in wire_paths(theolive))


@pytest.mark.parametrize("version", ["v2", "v1"])
@pytest.mark.parametrize("case", UNSENDABLE.values(), ids=UNSENDABLE.keys())
async def test_theolive_a_save_naming_such_an_alias_sends_nothing(
    theolive: TheoLiveEmulator, tmp_path: Path, version: str, case: tuple[str, str]
) -> None:
    name, problem = case
    async with theo_source(theolive, tmp_path / "records.json", version) as source:
        await source.load()
        theolive.log.clear()
        change = SetEnforcement(ScopeRef("sports", name), Direction.PLAY, True, False)
        with pytest.raises(SourceError, match=problem):
            await source.apply([change])
    assert theolive.log.records == []


@pytest.mark.parametrize("version", ["v2", "v1"])
async def test_theolive_channels_past_max_items_are_refused(
    theolive: TheoLiveEmulator, tmp_path: Path, version: str
) -> None:
    theolive.state.seed(101, 0)
    async with theo_source(theolive, tmp_path / "r.json", version, max_items=100) as source:
        with pytest.raises(RemoteError, match=r"more than 100, the most that max_items of server"):
            await source.load()


@pytest.mark.parametrize("version", ["v2", "v1"])
async def test_theolive_aliases_past_max_items_leave_their_channel_unread(
    theolive: TheoLiveEmulator, tmp_path: Path, version: str
) -> None:
    async with theo_source(theolive, tmp_path / "r.json", version, max_items=40) as source:
        config = await source.load()
        await source.load_aliases(config.applications["conference"])  # 45 distributions
        await source.load_aliases(config.applications["sports"])
    assert "Raise max_items in [servers.names-theo]" in config.applications["conference"].problem
    assert config.applications["sports"].problem == ""
    if version == "v1":  # refused before any alias was read on its own
        assert not any("/conference/aliases/" in p for p in wire_paths(theolive))
