"""The THEOlive source against the loopback emulator (real HTTP, v1 and v2 wire formats)."""

from __future__ import annotations

import json
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from streamconsole.backends.base import (
    AuthError,
    ChangeRefused,
    ConflictError,
    PartialApplyError,
    ReadOnlyError,
    RemoteError,
    RemoteTimeout,
    SourceError,
)
from streamconsole.backends.http import HttpSettings
from streamconsole.backends.theolive import TheoLiveSource
from streamconsole.backends.theolive.records import KeyRecords
from streamconsole.backends.theolive.rules import LEGACY_KEY_ID
from streamconsole.core.edits import SetEnforcement, set_enforcement, set_key
from streamconsole.core.key_generation import generate_key
from streamconsole.core.key_import import private_key_from_pem
from streamconsole.core.key_records import KeyOrigin, RemoteKey
from streamconsole.core.keys import Algorithm, AsymmetricKey, Key, SharedKey
from streamconsole.core.model import (
    Alias,
    Config,
    Direction,
    ScopeRef,
    ScopeSettings,
    ServerKind,
    ServerProfile,
)
from streamconsole.core.secret import Secret
from streamconsole.core.tokens import build_claims, sign
from tests.emulators import ManualClock, TheoLiveEmulator
from tests.emulators.theolive_state import EVENING_SECRET, SPORTS_SECRET

FAST = HttpSettings(timeout=1.0, connect_timeout=1.0, retries=2, backoff=0.01)
KEYS = Path(__file__).parents[1] / "fixtures" / "keys"
NOW = 1_800_000_000.0
MAIN = ScopeRef("sports", "sports-main")
BACKUP = ScopeRef("sports", "sports-backup")
EVENING = ScopeRef("news-channel", "evening")
MORNING = ScopeRef("news-channel", "morning")
ALL_KEYS_V2 = "/v2/distributions/*/security/keys"


@pytest.fixture
def records(tmp_path: Path) -> KeyRecords:
    return KeyRecords(tmp_path / "state" / "test-theo.json")


@pytest.fixture(autouse=True)
def _fixed_clock(theolive: TheoLiveEmulator) -> None:
    theolive.state.clock = ManualClock(NOW)


def source_for(
    emulator: TheoLiveEmulator,
    records: KeyRecords,
    *,
    version: str = "v2",
    credentials: str | None = None,
    read_only: bool = False,
    settings: HttpSettings = FAST,
) -> TheoLiveSource:
    profile = ServerProfile(
        "test-theo", ServerKind.THEOLIVE, emulator.base_url, api_version=version, auth="basic"
    )
    secret = credentials or f"{emulator.api_key}:{emulator.api_secret}"
    return TheoLiveSource(
        profile,
        Secret(secret),
        read_only=read_only,
        settings=settings,
        clock=lambda: NOW,
        key_records=records,
    )


async def loaded(source: TheoLiveSource, *channels: str) -> Config:
    config = await source.load()
    for channel in channels:
        await source.load_aliases(config.applications[channel])
    return config


def alias_of(config: Config, scope: ScopeRef) -> Alias:
    _, alias = config.resolve(scope)
    assert alias is not None
    return alias


def settings_of(config: Config, scope: ScopeRef) -> ScopeSettings:
    settings = alias_of(config, scope).settings
    assert settings is not None
    return settings


def token(key: Key, alias: str) -> str:
    claims = build_claims(ServerKind.THEOLIVE, Direction.PLAY, alias, now=NOW, ttl=600)
    return sign(claims, key)


def when() -> datetime:
    return datetime.fromtimestamp(NOW, UTC)


def files_under(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*") if p.is_file()) if directory.exists() else []


SPORTS_KEY = SharedKey(Algorithm.HS256, Secret(SPORTS_SECRET))
EVENING_KEY = SharedKey(Algorithm.HS256, Secret(EVENING_SECRET))


# --- reading ------------------------------------------------------------------------------


async def test_v2_load_lists_channels_with_one_request(
    theolive: TheoLiveEmulator, records: KeyRecords
) -> None:
    async with source_for(theolive, records) as source:
        config = await source.load()
        assert list(config.applications) == ["conference", "news-channel", "sports"]  # by name
        news = config.applications["news-channel"]
        assert (news.kind, news.label, news.aliases_loaded) == (ServerKind.THEOLIVE, "News", False)
        assert theolive.log.count(path="/v2/channels") == 1
        assert len(theolive.log.records) == 1
        assert [w.warning for w in source.warnings] == [True]
        assert "derived from the key list" in source.warnings[0].message


async def test_a_v2_base_url_as_documented_also_works(
    theolive: TheoLiveEmulator, records: KeyRecords
) -> None:
    profile = ServerProfile("doc", ServerKind.THEOLIVE, f"{theolive.base_url}/v2/")
    secret = Secret(f"{theolive.api_key}:{theolive.api_secret}")
    async with TheoLiveSource(profile, secret, settings=FAST, key_records=records) as source:
        assert source.api_version == "v2"
        assert len((await source.load()).applications) == 3
        assert theolive.log.count(path="/v2/channels") == 1


async def test_v2_distributions_carry_keys_and_derived_enforcement(
    theolive: TheoLiveEmulator, records: KeyRecords
) -> None:
    async with source_for(theolive, records) as source:
        config = await source.load()
        theolive.log.clear()
        for app in config.applications.values():
            await source.load_aliases(app)
        # One request per channel: the distribution list carries the keys.
        assert theolive.log.per_app() == {"news-channel": 1, "sports": 1, "conference": 1}
        sports = config.applications["sports"]
        assert sports.aliases_loaded
        assert list(sports.aliases) == ["sports-backup", "sports-main"]
        assert sports.aliases["sports-main"].label == "Sports main"
        main = settings_of(config, MAIN)
        assert (main.play, main.publish, main.key) == (True, None, None)
        assert main.remote_keys == (RemoteKey("key-sports-2026", "sports-2026", ""),)
        assert [k.id for k in settings_of(config, BACKUP).remote_keys] == [
            "key-backup-old",
            "key-backup-new",
        ]
        assert settings_of(config, MORNING).play is False
        assert settings_of(config, MORNING).remote_keys == ()
        derived = [w for w in source.warnings if "derived" in w.message]
        assert len(derived) == 1  # once per source, not per distribution


async def test_v2_pages_channels_and_distributions(
    theolive: TheoLiveEmulator, records: KeyRecords
) -> None:
    theolive.state.seed(230, 0)
    first = next(iter(theolive.state.channels))
    for index in range(150):
        theolive.state.add_alias(first, f"alias {index:03d}")
    async with source_for(theolive, records) as source:
        config = await source.load()
        assert len(config.applications) == 230
        assert theolive.log.count(path="/v2/channels") == 3  # 100 + 100 + 30
        await source.load_aliases(config.applications[first])
        assert len(config.applications[first].aliases) == 150
        assert theolive.log.count(path=f"/v2/channels/{first}/distributions") == 2


async def test_v1_load_and_aliases_with_switch_and_cdn_keys(
    theolive: TheoLiveEmulator, records: KeyRecords
) -> None:
    async with source_for(theolive, records, version="v1") as source:
        config = await source.load()
        assert list(config.applications) == ["news-channel", "sports", "conference"]
        assert config.applications["sports"].label == "Sports"
        assert source.warnings == ()  # v1 has a real switch
        theolive.log.clear()
        await source.load_aliases(config.applications["news-channel"])
        # The alias list, then each alias's switch and CDN keys.
        assert theolive.log.per_app() == {"news-channel": 5}
        evening = settings_of(config, EVENING)
        assert evening.play is True
        assert [k.id for k in evening.remote_keys] == [LEGACY_KEY_ID]
        assert settings_of(config, MORNING).play is False
        await source.load_aliases(config.applications["sports"])
        main = settings_of(config, MAIN)
        assert main.play is True  # on because it holds a CDN key: derived
        assert [k.id for k in main.remote_keys] == ["key-sports-2026"]
        assert any("CDN security keys" in w.message for w in source.warnings)


@pytest.mark.parametrize(("page_size", "requests"), [(25, 3), (20, 4)])
async def test_v1_pages_channels(
    theolive: TheoLiveEmulator, records: KeyRecords, page_size: int, requests: int
) -> None:
    theolive.state.seed(60, 0)
    theolive.state.v1_page_size = page_size
    async with source_for(theolive, records, version="v1") as source:
        config = await source.load()
        assert list(config.applications) == list(theolive.state.channels)
        assert theolive.log.count(path="/channels") == requests


async def test_one_broken_channel_does_not_break_the_list(
    theolive: TheoLiveEmulator, records: KeyRecords
) -> None:
    theolive.faults.html_error(500, times=None, path="/v2/channels/sports/distributions")
    async with source_for(theolive, records) as source:
        config = await loaded(source, "sports", "news-channel")
        sports = config.applications["sports"]
        assert "HTTP 500" in sports.problem
        assert "HTML page" in sports.problem
        assert not sports.aliases_loaded
        assert config.applications["news-channel"].problem == ""
        assert config.applications["news-channel"].aliases_loaded


# --- switching ----------------------------------------------------------------------------


async def test_v1_disable_then_enable_with_the_key_held(
    theolive: TheoLiveEmulator, records: KeyRecords
) -> None:
    async with source_for(theolive, records, version="v1") as source:
        config = await loaded(source, "news-channel")
        await source.apply([set_enforcement(config, EVENING, Direction.PLAY, False)])
        assert theolive.state.aliases["evening"].legacy_enabled is False
        assert settings_of(config, EVENING).play is False
        assert settings_of(config, EVENING).remote_keys == ()
        await source.apply([set_enforcement(config, EVENING, Direction.PLAY, True)])
        evening = theolive.state.aliases["evening"]
        assert (evening.legacy_enabled, evening.legacy_key) == (True, EVENING_SECRET)
        assert theolive.log.count(method="POST", path="*/token-security/disable") == 1
        assert theolive.log.count(method="POST", path="*/token-security/enable") == 1
        assert theolive.state.verify_viewer_token("evening", token(EVENING_KEY, "evening"))


async def test_v1_enable_without_a_known_key_is_refused(
    theolive: TheoLiveEmulator, records: KeyRecords
) -> None:
    async with source_for(theolive, records, version="v1") as source:
        config = await loaded(source, "news-channel")
        with pytest.raises(ChangeRefused, match="rotate a key in first"):
            await source.apply([set_enforcement(config, MORNING, Direction.PLAY, True)])
        assert theolive.log.count(method="POST") == 0


async def test_v2_has_no_switch_enable_and_disable_refused(
    theolive: TheoLiveEmulator, records: KeyRecords
) -> None:
    async with source_for(theolive, records) as source:
        config = await loaded(source, "news-channel", "sports")
        with pytest.raises(ChangeRefused, match="no token-security switch"):
            await source.apply([set_enforcement(config, MORNING, Direction.PLAY, True)])
        with pytest.raises(ChangeRefused, match="never as part of a save: retire them by id"):
            await source.apply([set_enforcement(config, MAIN, Direction.PLAY, False)])
        assert theolive.log.count(method="POST") + theolive.log.count(method="DELETE") == 0
        assert [k.id for k in theolive.state.aliases["sports-main"].keys] == ["key-sports-2026"]


async def test_v2_security_goes_off_by_retiring_its_keys_the_last_one_on_purpose(
    theolive: TheoLiveEmulator, records: KeyRecords
) -> None:
    async with source_for(theolive, records) as source:
        config = await loaded(source, "sports")
        held = [k.id for k in theolive.state.aliases["sports-backup"].keys]
        for key_id in held[:-1]:
            await source.retire_key(BACKUP, key_id)
        with pytest.raises(ChangeRefused, match="is its only key"):
            await source.retire_key(BACKUP, held[-1])
        await source.retire_key(BACKUP, held[-1], turn_off=True)
        assert theolive.state.aliases["sports-backup"].keys == []
        assert settings_of(config, BACKUP).play is False
        assert settings_of(config, BACKUP).remote_keys == ()


async def test_channel_scope_and_publish_are_refused(
    theolive: TheoLiveEmulator, records: KeyRecords
) -> None:
    async with source_for(theolive, records) as source:
        config = await loaded(source, "news-channel")
        channel_wide = set_enforcement(config, ScopeRef("news-channel"), Direction.PLAY, True)
        with pytest.raises(ChangeRefused, match="per distribution"):
            await source.apply([channel_wide])
        publish = SetEnforcement(MORNING, Direction.PUBLISH, True, None)
        with pytest.raises(ChangeRefused, match="not supported by this server"):
            await source.apply([publish])
        assert theolive.log.count(method="POST") == 0


# --- rotation -----------------------------------------------------------------------------


async def test_v2_rotation_adds_new_keeps_old_then_retires_old(
    theolive: TheoLiveEmulator, records: KeyRecords
) -> None:
    async with source_for(theolive, records) as source:
        config = await loaded(source, "sports")
        old_token = token(SPORTS_KEY, "sports-main")
        assert theolive.state.verify_viewer_token("sports-main", old_token)

        new_key = generate_key(Algorithm.HS256)
        assert isinstance(new_key, SharedKey)
        await source.apply([set_key(config, MAIN, new_key, when())])
        held = theolive.state.aliases["sports-main"].keys
        assert len(held) == 2
        assert held[0].id == "key-sports-2026"
        assert held[1].material == new_key.secret.reveal()  # the secret's UTF-8 text as-is
        new_token = token(new_key, "sports-main")
        assert theolive.state.verify_viewer_token("sports-main", new_token)
        assert theolive.state.verify_viewer_token("sports-main", old_token)  # both during overlap
        main = settings_of(config, MAIN)
        assert [(k.id, k.fingerprint) for k in main.remote_keys] == [
            ("key-sports-2026", ""),
            (held[1].id, new_key.fingerprint),
        ]
        assert main.key is not None
        assert (main.key.fingerprint, main.key.origin) == (new_key.fingerprint, KeyOrigin.REMOTE)

        await source.retire_key(MAIN, "key-sports-2026")
        assert [k.id for k in theolive.state.aliases["sports-main"].keys] == [held[1].id]
        assert not theolive.state.verify_viewer_token("sports-main", old_token)
        assert theolive.state.verify_viewer_token("sports-main", new_token)
        assert theolive.log.count(method="DELETE", path=ALL_KEYS_V2) == 0  # never "delete all"
        assert theolive.log.count(method="DELETE", path=f"{ALL_KEYS_V2}/key-sports-2026") == 1
        assert [k.id for k in settings_of(config, MAIN).remote_keys] == [held[1].id]


def test_overlap_wait_names_the_longest_token_lifetime() -> None:
    text = TheoLiveSource.overlap_wait(600)
    assert text.startswith("wait at least 10m — the longest token lifetime in use —")
    assert "1h 30m" in TheoLiveSource.overlap_wait(5400)


async def test_a_third_key_is_refused_naming_the_two(
    theolive: TheoLiveEmulator, records: KeyRecords
) -> None:
    async with source_for(theolive, records) as source:
        config = await loaded(source, "sports")
        change = set_key(config, BACKUP, generate_key(Algorithm.HS256), when())
        with pytest.raises(ChangeRefused) as caught:
            await source.apply([change])
        message = str(caught.value)
        assert "key-backup-old (old), key-backup-new (new)" in message
        assert "retire the older one first" in message
        assert theolive.log.count(method="POST") == 0
        assert len(theolive.state.aliases["sports-backup"].keys) == 2
        assert files_under(records.keys_dir) == []


async def test_retiring_the_last_key_needs_turn_off(
    theolive: TheoLiveEmulator, records: KeyRecords
) -> None:
    async with source_for(theolive, records) as source:
        config = await loaded(source, "sports")
        with pytest.raises(ChangeRefused, match="only key"):
            await source.retire_key(MAIN, "key-sports-2026")
        with pytest.raises(ChangeRefused, match="holds no key 'nope'"):
            await source.retire_key(MAIN, "nope")
        assert theolive.log.count(method="DELETE") == 0
        await source.retire_key(MAIN, "key-sports-2026", turn_off=True)
        assert theolive.state.aliases["sports-main"].keys == []
        assert settings_of(config, MAIN).play is False


async def test_adding_a_key_needs_enforcement_on_in_v2(
    theolive: TheoLiveEmulator, records: KeyRecords
) -> None:
    async with source_for(theolive, records) as source:
        config = await loaded(source, "news-channel")
        key = generate_key(Algorithm.HS512)
        with pytest.raises(ChangeRefused, match="turns token security on"):
            await source.apply([set_key(config, MORNING, key, when())])
        assert theolive.log.count(method="POST") == 0
        changes = [
            set_enforcement(config, MORNING, Direction.PLAY, True),
            set_key(config, MORNING, key, when()),
        ]
        await source.apply(changes)
        assert len(theolive.state.aliases["morning"].keys) == 1
        assert theolive.state.verify_viewer_token("morning", token(key, "morning"))
        assert settings_of(config, MORNING).play is True


async def test_v1_rotation_adds_a_cdn_key_beside_the_switch_key(
    theolive: TheoLiveEmulator, records: KeyRecords
) -> None:
    async with source_for(theolive, records, version="v1") as source:
        config = await loaded(source, "news-channel")
        old_token = token(EVENING_KEY, "evening")
        new_key = generate_key(Algorithm.HS256)
        await source.apply([set_key(config, EVENING, new_key, when())])
        evening = theolive.state.aliases["evening"]
        assert (evening.legacy_enabled, evening.legacy_key) == (True, EVENING_SECRET)
        assert len(evening.keys) == 1
        new_token = token(new_key, "evening")
        assert theolive.state.verify_viewer_token("evening", old_token)
        assert theolive.state.verify_viewer_token("evening", new_token)
        assert [k.id for k in settings_of(config, EVENING).remote_keys] == [
            LEGACY_KEY_ID,
            evening.keys[0].id,
        ]
        await source.retire_key(EVENING, LEGACY_KEY_ID)
        assert theolive.state.aliases["evening"].legacy_enabled is False
        assert not theolive.state.verify_viewer_token("evening", old_token)
        assert theolive.state.verify_viewer_token("evening", new_token)


async def test_v1_hard_cutover_replaces_the_switch_key(
    theolive: TheoLiveEmulator, records: KeyRecords
) -> None:
    async with source_for(theolive, records, version="v1") as source:
        config = await loaded(source, "news-channel")
        old_token = token(EVENING_KEY, "evening")
        new_key = generate_key(Algorithm.HS512)
        assert isinstance(new_key, SharedKey)
        await source.apply([set_key(config, EVENING, new_key, when())], hard_cutover=True)
        evening = theolive.state.aliases["evening"]
        assert (evening.legacy_enabled, evening.legacy_key, evening.keys) == (
            True,
            new_key.secret.reveal(),
            [],
        )
        assert not theolive.state.verify_viewer_token("evening", old_token)
        assert theolive.state.verify_viewer_token("evening", token(new_key, "evening"))
        assert [(r.key_id, r.fingerprint) for r in records.read()] == [
            (LEGACY_KEY_ID, new_key.fingerprint)
        ]
        assert settings_of(config, EVENING).remote_keys == (
            RemoteKey(
                LEGACY_KEY_ID, settings_of(config, EVENING).remote_keys[0].name, new_key.fingerprint
            ),
        )
        # A second cut-over drops the first key's local files with its record.
        first_files = files_under(records.keys_dir)
        await source.apply(
            [set_key(config, EVENING, generate_key(Algorithm.HS256), when())], hard_cutover=True
        )
        assert not any(p.exists() for p in first_files)
        assert len(records.read()) == 1


async def test_hard_cutover_is_refused_where_keys_coexist(
    theolive: TheoLiveEmulator, records: KeyRecords
) -> None:
    async with source_for(theolive, records) as v2:
        config = await loaded(v2, "sports")
        with pytest.raises(ChangeRefused, match="never needs a hard cut-over"):
            await v2.apply(
                [set_key(config, MAIN, generate_key(Algorithm.HS256), when())], hard_cutover=True
            )
    async with source_for(theolive, records, version="v1") as v1:
        config = await loaded(v1, "sports")
        with pytest.raises(ChangeRefused, match="would still accept tokens"):
            await v1.apply(
                [set_key(config, MAIN, generate_key(Algorithm.HS256), when())], hard_cutover=True
            )
        assert theolive.log.count(method="POST") == 0


async def test_rs256_uploads_the_public_key_only(
    theolive: TheoLiveEmulator, records: KeyRecords
) -> None:
    private_pem = (KEYS / "rs256.pem").read_text()
    key = private_key_from_pem(Algorithm.RS256, private_pem)
    async with source_for(theolive, records) as source:
        config = await loaded(source, "news-channel")
        await source.apply(
            [
                set_enforcement(config, MORNING, Direction.PLAY, True),
                set_key(config, MORNING, key, when()),
            ]
        )
        uploaded = theolive.state.aliases["morning"].keys[0].material
        assert uploaded == key.public_pem
        assert "PRIVATE" not in uploaded
        assert theolive.state.verify_viewer_token("morning", token(key, "morning"))
        [record] = records.read()
        assert record.algorithm is Algorithm.RS256
        private_file = Path(record.private_key_file)
        assert private_file.read_text() == key.private_pem.reveal()  # type: ignore[union-attr]
        assert stat.S_IMODE(private_file.stat().st_mode) == 0o600
        assert "PRIVATE KEY" not in records.path.read_text()
        assert "BEGIN" not in records.path.read_text()

    # A later session knows the key by its fingerprint and can still sign with it.
    async with source_for(theolive, records) as again:
        config = await loaded(again, "news-channel")
        morning = settings_of(config, MORNING)
        assert morning.key is not None
        assert isinstance(morning.key.key, AsymmetricKey)
        assert morning.key.key.can_sign
        assert morning.key.fingerprint == key.fingerprint
        assert morning.remote_keys[0].fingerprint == key.fingerprint
        assert theolive.state.verify_viewer_token("morning", token(morning.key.key, "morning"))


async def test_key_records_are_private_and_hold_no_secret(
    theolive: TheoLiveEmulator, records: KeyRecords
) -> None:
    async with source_for(theolive, records) as source:
        config = await loaded(source, "sports")
        new_key = generate_key(Algorithm.HS256)
        assert isinstance(new_key, SharedKey)
        await source.apply([set_key(config, MAIN, new_key, when())])
        text = records.path.read_text()
        assert stat.S_IMODE(records.path.stat().st_mode) == 0o600
        assert new_key.secret.reveal() not in text
        assert new_key.fingerprint in text
        [entry] = json.loads(text)["keys"]
        assert (entry["profile"], entry["channel"], entry["alias"]) == (
            "test-theo",
            "sports",
            "sports-main",
        )
        secret_file = Path(entry["material_file"])
        assert secret_file.read_text() == new_key.secret.reveal()
        assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600


async def test_a_tampered_key_file_is_a_warning_not_a_key(
    theolive: TheoLiveEmulator, records: KeyRecords
) -> None:
    async with source_for(theolive, records) as source:
        config = await loaded(source, "sports")
        await source.apply([set_key(config, MAIN, generate_key(Algorithm.HS256), when())])
        [record] = records.read()
        Path(record.material_file).write_text("another-secret-entirely-0123456789")
        config = await loaded(source, "sports")
        main = settings_of(config, MAIN)
        assert main.key is None
        assert main.remote_keys[1].fingerprint == record.fingerprint  # still known by the record
        assert any(
            "holds key" in w.message and w.path == "applications.sports.aliases.sports-main"
            for w in source.warnings
        )
        assert not any("another-secret" in str(w) for w in source.warnings)


async def test_damaged_records_warn_on_load_and_stop_writes(
    theolive: TheoLiveEmulator, records: KeyRecords
) -> None:
    records.path.parent.mkdir(parents=True)
    records.path.write_text("{not json")
    async with source_for(theolive, records) as source:
        config = await loaded(source, "sports")
        assert settings_of(config, MAIN).remote_keys[0].id == "key-sports-2026"
        assert any(str(records.path) in w.message for w in source.warnings)
        with pytest.raises(SourceError, match="not valid JSON"):
            await source.apply([set_key(config, MAIN, generate_key(Algorithm.HS256), when())])
        assert theolive.log.count(method="POST") == 0


def test_default_records_live_in_the_state_directory(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    records = KeyRecords.for_profile("prod/theo")
    assert records.path == tmp_path / "streamconsole" / "theolive" / "prod_theo.json"
    assert records.keys_dir == tmp_path / "streamconsole" / "theolive" / "prod_theo.keys"


# --- saving: conflicts, partial failures, read-only ---------------------------------------


async def test_change_by_another_admin_is_refused(
    theolive: TheoLiveEmulator, records: KeyRecords
) -> None:
    async with source_for(theolive, records) as source:
        config = await loaded(source, "sports")
        theolive.state.add_key(
            "sports-main", "colleague-key", name="colleague", key_id="k-colleague"
        )
        change = set_key(config, MAIN, generate_key(Algorithm.HS256), when())
        with pytest.raises(ConflictError) as caught:
            await source.apply([change])
        assert "k-colleague (colleague)" in str(caught.value)
        assert "colleague-key" not in str(caught.value)
        assert theolive.log.count(method="POST") == 0


async def test_failure_on_the_second_alias_says_what_was_applied(
    theolive: TheoLiveEmulator, records: KeyRecords
) -> None:
    async with source_for(theolive, records) as source:
        config = await loaded(source, "sports", "news-channel")
        changes = [
            set_key(config, MAIN, generate_key(Algorithm.HS256), when()),
            set_enforcement(config, MORNING, Direction.PLAY, True),
            set_key(config, MORNING, generate_key(Algorithm.HS256), when()),
        ]
        theolive.faults.fail(500, path="/v2/distributions/morning/security/keys", method="POST")
        with pytest.raises(PartialApplyError) as caught:
            await source.apply(changes)
        first, second = changes[0].entry.fingerprint, changes[2].entry.fingerprint
        assert caught.value.applied == (f"sports/sports-main: add key {first} (HS256)",)
        assert caught.value.failed == f"news-channel/morning: add key {second} (HS256)"
        assert "Already applied: sports/sports-main: add key" in str(caught.value)
        assert "not applied: news-channel/morning: add key" in str(caught.value)
        assert len(theolive.state.aliases["sports-main"].keys) == 2
        assert theolive.state.aliases["morning"].keys == []


async def test_read_only_source_writes_nothing(
    theolive: TheoLiveEmulator, records: KeyRecords
) -> None:
    async with source_for(theolive, records, read_only=True) as source:
        config = await loaded(source, "sports")
        with pytest.raises(ReadOnlyError):
            await source.apply([set_key(config, MAIN, generate_key(Algorithm.HS256), when())])
        with pytest.raises(ReadOnlyError):
            await source.retire_key(BACKUP, "key-backup-old")
        assert theolive.log.count(method="POST") + theolive.log.count(method="DELETE") == 0
        assert not records.path.exists()


# --- authentication and faults ------------------------------------------------------------


async def test_wrong_credentials_are_an_auth_error_without_the_secret(
    theolive: TheoLiveEmulator, records: KeyRecords
) -> None:
    async with source_for(
        theolive, records, credentials=f"{theolive.api_key}:Sup3r-Secret-Pw"
    ) as source:
        with pytest.raises(AuthError, match="HTTP 401") as caught:
            await source.load()
        assert "Sup3r-Secret-Pw" not in str(caught.value)
        assert "Sup3r-Secret-Pw" not in repr(source.__dict__)


async def test_auth_failure_on_a_channel_propagates(
    theolive: TheoLiveEmulator, records: KeyRecords
) -> None:
    async with source_for(theolive, records) as source:
        config = await source.load()
        theolive.state.api_keys[theolive.api_key] = "revoked-meanwhile"
        with pytest.raises(AuthError):
            await source.load_aliases(config.applications["sports"])


def test_credentials_must_be_a_pair(theolive: TheoLiveEmulator, records: KeyRecords) -> None:
    with pytest.raises(SourceError, match="tokenKey:tokenSecret") as caught:
        source_for(theolive, records, credentials="no-colon-Sup3r-Secret")
    assert "Sup3r-Secret" not in str(caught.value)


async def test_reads_are_retried_on_5xx(theolive: TheoLiveEmulator, records: KeyRecords) -> None:
    theolive.faults.fail(503, times=2, path="/v2/channels")
    theolive.faults.fail(429, times=1, path="/v2/channels/sports/distributions", retry_after=0)
    async with source_for(theolive, records) as source:
        config = await loaded(source, "sports")
        assert len(config.applications) == 3
        assert config.applications["sports"].problem == ""
        assert theolive.log.count(path="/v2/channels") == 3


async def test_writes_are_not_retried_and_leave_nothing_behind(
    theolive: TheoLiveEmulator, records: KeyRecords
) -> None:
    async with source_for(theolive, records) as source:
        config = await loaded(source, "sports")
        theolive.faults.fail(503, path="/v2/distributions/sports-main/security/keys", method="POST")
        with pytest.raises(RemoteError, match="HTTP 503"):
            await source.apply([set_key(config, MAIN, generate_key(Algorithm.HS256), when())])
        assert theolive.log.count(method="POST") == 1
        assert len(theolive.state.aliases["sports-main"].keys) == 1
        assert files_under(records.keys_dir) == []  # the refused key's file is gone
        assert not records.path.exists()


async def test_an_unclear_write_keeps_the_key_material(
    theolive: TheoLiveEmulator, records: KeyRecords
) -> None:
    async with source_for(theolive, records) as source:
        config = await loaded(source, "sports")
        # The server adds the key, but its reply is damaged on the way back.
        theolive.faults.malform(path="/v2/distributions/sports-main/security/keys", method="POST")
        with pytest.raises(RemoteError, match="may or may not hold the key") as caught:
            await source.apply([set_key(config, MAIN, generate_key(Algorithm.HS256), when())])
        [kept] = files_under(records.keys_dir)
        assert str(kept) in str(caught.value)
        assert len(theolive.state.aliases["sports-main"].keys) == 2


async def test_malformed_json_is_a_clear_error(
    theolive: TheoLiveEmulator, records: KeyRecords
) -> None:
    theolive.faults.malform(times=None, path="/v2/channels")
    async with source_for(theolive, records) as source:
        with pytest.raises(RemoteError, match="not valid JSON"):
            await source.load()


async def test_timeout_is_a_clear_error(theolive: TheoLiveEmulator, records: KeyRecords) -> None:
    theolive.faults.hang(times=None, path="/channels")
    quick = HttpSettings(timeout=0.2, connect_timeout=0.2, retries=1, backoff=0.01)
    async with source_for(theolive, records, version="v1", settings=quick) as source:
        with pytest.raises(RemoteTimeout, match="no answer in time"):
            await source.load()
