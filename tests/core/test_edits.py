"""Edits: what each server kind lets an operator change, and the Change records they leave."""

from __future__ import annotations

import dataclasses

import pytest

from streamconsole.core.edits import (
    SetEnforcement,
    SetKey,
    edit_scope,
    set_enforcement,
    set_key,
)
from streamconsole.core.errors import KeyValidationError, PolicyError
from streamconsole.core.key_records import KeyEntry, KeyOrigin
from streamconsole.core.keys import (
    ANTMEDIA_MIN_SECRET_CHARS,
    Algorithm,
    AsymmetricKey,
    Key,
    SecretEncoding,
    SharedKey,
    shared_key,
)
from streamconsole.core.model import (
    Alias,
    Application,
    Config,
    Direction,
    ScopeRef,
    ScopeSettings,
    ServerKind,
)
from streamconsole.core.policy import check_key_for
from streamconsole.core.secret import Secret

from .support import NOW_DT, VENDOR_SECRET

PLAY, PUBLISH = Direction.PLAY, Direction.PUBLISH
LIVE = ScopeRef("LiveApp")
STREAM = ScopeRef("LiveApp", "stream1")
CHANNEL = ScopeRef("channel")
ALIAS = ScopeRef("channel", "eu")
GENERIC_ALIAS = ScopeRef("api", "cam")


@pytest.fixture(scope="module")
def vendor_key() -> SharedKey:
    return shared_key(Algorithm.HS256, VENDOR_SECRET, min_chars=ANTMEDIA_MIN_SECRET_CHARS)


@pytest.fixture
def config() -> Config:
    return Config(
        {
            "LiveApp": Application(
                "LiveApp",
                ServerKind.ANTMEDIA,
                aliases={"stream1": Alias("stream1"), "stream2": Alias("stream2")},
            ),
            "channel": Application("channel", ServerKind.THEOLIVE, aliases={"eu": Alias("eu")}),
            "api": Application("api", ServerKind.GENERIC, aliases={"cam": Alias("cam")}),
        }
    )


def snapshot(config: Config) -> str:
    """The whole model as text, to show a refused edit changed nothing."""
    return repr(config)


# --- enforcement ---------------------------------------------------------------------------


def test_set_enforcement_on_an_application(config: Config) -> None:
    change = set_enforcement(config, LIVE, PLAY, True)
    assert change == SetEnforcement(LIVE, PLAY, True, None)
    assert config.applications["LiveApp"].settings.play is True
    assert config.applications["LiveApp"].settings.publish is None
    again = set_enforcement(config, LIVE, PLAY, False)
    assert again.previous is True
    assert config.applications["LiveApp"].settings.play is False


def test_describe_enforcement(config: Config) -> None:
    assert set_enforcement(config, LIVE, PUBLISH, True).describe() == "LiveApp: publish JWT on"
    assert set_enforcement(config, ALIAS, PLAY, True).describe() == "channel/eu: play JWT on"
    assert set_enforcement(config, ALIAS, PLAY, False).describe() == "channel/eu: play JWT off"
    config.applications["channel"].settings.play = True
    assert set_enforcement(config, ALIAS, PLAY, True).describe() == (
        "channel/eu: play JWT on (inherited)"
    )


def test_set_enforcement_on_a_theolive_alias_leaves_the_channel(config: Config) -> None:
    change = set_enforcement(config, ALIAS, PLAY, True)
    assert change == SetEnforcement(ALIAS, PLAY, True, None)
    channel = config.applications["channel"]
    settings = channel.aliases["eu"].settings
    assert settings is not None
    assert settings.play is True
    assert channel.settings == ScopeSettings()


def test_set_enforcement_on_a_generic_alias_both_directions(config: Config) -> None:
    set_enforcement(config, GENERIC_ALIAS, PUBLISH, True)
    set_enforcement(config, GENERIC_ALIAS, PLAY, True)
    settings = config.applications["api"].aliases["cam"].settings
    assert settings is not None
    assert (settings.publish, settings.play) == (True, True)


def test_an_alias_set_to_what_its_application_sets_drops_its_own_setting(
    config: Config,
) -> None:
    api = config.applications["api"]
    api.settings.play = True
    set_enforcement(config, GENERIC_ALIAS, PLAY, False)
    change = set_enforcement(config, GENERIC_ALIAS, PLAY, True)
    assert change == SetEnforcement(GENERIC_ALIAS, PLAY, True, False, inherits=True)
    assert change.stored is None
    settings = api.aliases["cam"].settings
    assert settings is not None and settings.play is None


def test_an_alias_off_by_default_stays_unset_when_switched_off(config: Config) -> None:
    """Off by default is not set anywhere: switching it off writes no copy of it."""
    change = set_enforcement(config, GENERIC_ALIAS, PLAY, False)
    assert (change.previous, change.stored) == (None, None)


def test_back_to_what_the_source_holds_restores_it_exactly(config: Config) -> None:
    api = config.applications["api"]
    api.settings.play = True
    api.aliases["cam"].settings = ScopeSettings(play=True)  # a copy, in the source
    set_enforcement(config, GENERIC_ALIAS, PLAY, False)
    change = set_enforcement(config, GENERIC_ALIAS, PLAY, True, held=True)
    assert change.stored is True  # the copy stays: nothing to save


@pytest.mark.parametrize("direction", [PLAY, PUBLISH])
def test_ant_media_stream_edit_is_refused_naming_the_application(
    config: Config, direction: Direction
) -> None:
    before = snapshot(config)
    with pytest.raises(PolicyError) as caught:
        set_enforcement(config, STREAM, direction, True)
    message = str(caught.value)
    assert "Ant Media enforces JWT per application" in message
    assert "edit LiveApp" in message
    assert "all of its 2 streams" in message
    assert snapshot(config) == before


@pytest.mark.parametrize("ref", [CHANNEL, ALIAS])
def test_theolive_publish_is_refused_and_nothing_changes(config: Config, ref: ScopeRef) -> None:
    before = snapshot(config)
    with pytest.raises(PolicyError, match="THEOlive has no JWT control for publish"):
        set_enforcement(config, ref, PUBLISH, True)
    assert snapshot(config) == before
    assert config.applications["channel"].aliases["eu"].settings is None


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        (ScopeRef("Nope"), "no application named 'Nope'"),
        (ScopeRef("LiveApp", "gone"), "application 'LiveApp' has no stream 'gone'"),
        (ScopeRef("channel", "us"), "application 'channel' has no alias 'us'"),
    ],
)
def test_edits_of_unknown_scopes_are_refused(
    config: Config, vendor_key: SharedKey, ref: ScopeRef, message: str
) -> None:
    with pytest.raises(PolicyError, match=message):
        set_enforcement(config, ref, PLAY, True)
    with pytest.raises(PolicyError, match=message):
        set_key(config, ref, vendor_key, NOW_DT)
    with pytest.raises(PolicyError, match=message):
        edit_scope(config, ref)


@pytest.mark.parametrize(
    ("ref", "lands_on"),
    [
        (LIVE, LIVE),
        (STREAM, LIVE),
        (CHANNEL, CHANNEL),
        (ALIAS, ALIAS),
        (GENERIC_ALIAS, GENERIC_ALIAS),
        (ScopeRef("api"), ScopeRef("api")),
    ],
)
def test_edit_scope(config: Config, ref: ScopeRef, lands_on: ScopeRef) -> None:
    assert edit_scope(config, ref) == lands_on


def test_edit_scope_then_edit_is_what_the_ui_does_for_a_stream(config: Config) -> None:
    change = set_enforcement(config, edit_scope(config, STREAM), PLAY, True)
    assert change.scope == LIVE
    assert config.applications["LiveApp"].settings.play is True
    assert all(a.settings is None for a in config.applications["LiveApp"].aliases.values())


# --- keys ----------------------------------------------------------------------------------


def test_set_key_records_the_previous_fingerprint(config: Config, vendor_key: SharedKey) -> None:
    first = set_key(config, LIVE, vendor_key, NOW_DT)
    assert isinstance(first, SetKey)
    assert first.scope == LIVE
    assert first.previous_fingerprint is None
    assert first.entry.key is vendor_key
    assert first.entry.origin is KeyOrigin.NEW
    assert first.entry.created == NOW_DT
    assert config.applications["LiveApp"].settings.key is first.entry

    second_key = shared_key(Algorithm.HS256, "A-second-secret-that-is-32-chars-plus")
    second = set_key(config, LIVE, second_key, NOW_DT)
    assert second.previous_fingerprint == vendor_key.fingerprint
    assert second.describe() == (
        f"LiveApp: key {vendor_key.fingerprint} → {second_key.fingerprint} (HS256)"
    )


def test_describe_first_key_and_never_the_secret(config: Config, vendor_key: SharedKey) -> None:
    text = set_key(config, LIVE, vendor_key, NOW_DT).describe()
    assert text == f"LiveApp: key none → {vendor_key.fingerprint} (HS256)"
    assert VENDOR_SECRET not in text


def test_set_key_on_a_theolive_alias(config: Config, rsa_key: AsymmetricKey) -> None:
    public = rsa_key.public_only()
    change = set_key(config, ALIAS, public, NOW_DT)
    assert change.describe() == f"channel/eu: key none → {rsa_key.fingerprint} (RS256)"
    settings = config.applications["channel"].aliases["eu"].settings
    assert settings is not None
    assert settings.key is change.entry
    assert config.applications["channel"].settings.key is None


def test_set_key_on_an_ant_media_stream_is_refused(config: Config, vendor_key: SharedKey) -> None:
    before = snapshot(config)
    with pytest.raises(PolicyError, match="edit LiveApp"):
        set_key(config, STREAM, vendor_key, NOW_DT)
    assert snapshot(config) == before


@pytest.mark.parametrize(
    ("ref", "algorithm", "message"),
    [
        (LIVE, Algorithm.HS512, "Ant Media accepts HS256; not HS512"),
        (LIVE, Algorithm.HS384, "Ant Media accepts HS256; not HS384"),
        (ALIAS, Algorithm.HS384, "THEOlive accepts HS256, HS512, RS256, RS512; not HS384"),
    ],
)
def test_wrong_hmac_algorithm_for_the_kind_is_refused(
    config: Config, ref: ScopeRef, algorithm: Algorithm, message: str
) -> None:
    key = shared_key(algorithm, (VENDOR_SECRET * 3)[:64])
    before = snapshot(config)
    with pytest.raises(KeyValidationError, match=message):
        set_key(config, ref, key, NOW_DT)
    assert snapshot(config) == before
    assert config.applications["channel"].aliases["eu"].settings is None


def test_key_pairs_are_refused_where_the_kind_has_no_such_algorithm(
    config: Config, rsa_key: AsymmetricKey, ec_key: AsymmetricKey
) -> None:
    with pytest.raises(KeyValidationError, match="Ant Media accepts HS256; not RS256"):
        set_key(config, LIVE, rsa_key, NOW_DT)
    with pytest.raises(KeyValidationError, match=r"THEOlive accepts .*; not ES256"):
        set_key(config, ALIAS, ec_key, NOW_DT)
    assert set_key(config, GENERIC_ALIAS, ec_key, NOW_DT).entry.key is ec_key


def multibyte_secret(chars: int) -> SharedKey:
    """``chars`` characters but more bytes: passes HS256's byte floor at 31 characters."""
    secret = ("é" + VENDOR_SECRET)[:chars]
    return shared_key(Algorithm.HS256, secret)


def test_ant_media_refuses_31_characters_and_takes_32() -> None:
    app = Application("LiveApp", ServerKind.ANTMEDIA)
    with pytest.raises(KeyValidationError) as caught:
        check_key_for(app, multibyte_secret(31))
    assert str(caught.value) == (
        "Ant Media refuses secrets shorter than 32 characters (this one has 31)"
    )
    check_key_for(app, multibyte_secret(32))
    check_key_for(app, shared_key(Algorithm.HS256, VENDOR_SECRET))


def test_ant_media_floor_also_applies_to_keys_built_without_validation() -> None:
    # A backend may wrap a secret read from a server without shared_key(); the edit still checks.
    short = SharedKey(Algorithm.HS256, Secret(VENDOR_SECRET[:31]))
    with pytest.raises(KeyValidationError, match="this one has 31"):
        check_key_for(Application("LiveApp", ServerKind.ANTMEDIA), short)


def test_theolive_has_no_character_floor() -> None:
    check_key_for(Application("channel", ServerKind.THEOLIVE), multibyte_secret(31))


@pytest.mark.parametrize("kind", [ServerKind.ANTMEDIA, ServerKind.THEOLIVE])
@pytest.mark.parametrize("encoding", [SecretEncoding.HEX, SecretEncoding.BASE64URL])
def test_real_servers_take_the_secret_text_as_utf8_only(
    kind: ServerKind, encoding: SecretEncoding
) -> None:
    raw = bytes(range(100, 148))
    text = raw.hex() if encoding is SecretEncoding.HEX else raw.hex()[:64]
    key = shared_key(Algorithm.HS256, text, encoding)
    with pytest.raises(KeyValidationError, match="uses the secret's UTF-8 text as the key"):
        check_key_for(Application("x", kind), key)


@pytest.mark.parametrize("encoding", list(SecretEncoding))
def test_generic_takes_every_encoding(encoding: SecretEncoding) -> None:
    text = bytes(range(100, 148)).hex()
    check_key_for(
        Application("api", ServerKind.GENERIC), shared_key(Algorithm.HS256, text, encoding)
    )


def test_check_key_for_runs_inside_set_key(config: Config) -> None:
    hex_key = shared_key(Algorithm.HS256, bytes(range(32)).hex(), SecretEncoding.HEX)
    with pytest.raises(KeyValidationError, match="UTF-8"):
        set_key(config, LIVE, hex_key, NOW_DT)
    assert config.applications["LiveApp"].settings.key is None


def test_a_refused_key_keeps_the_old_one(config: Config, vendor_key: SharedKey) -> None:
    set_key(config, LIVE, vendor_key, NOW_DT)
    old = config.applications["LiveApp"].settings.key
    with pytest.raises(KeyValidationError):
        set_key(config, LIVE, multibyte_secret(31), NOW_DT)
    assert config.applications["LiveApp"].settings.key is old


# --- change records ------------------------------------------------------------------------


def test_change_records_are_frozen(config: Config, vendor_key: SharedKey) -> None:
    changes: list[SetEnforcement | SetKey] = [
        set_enforcement(config, LIVE, PLAY, True),
        set_key(config, LIVE, vendor_key, NOW_DT),
    ]
    for change in changes:
        with pytest.raises(dataclasses.FrozenInstanceError):
            change.scope = ScopeRef("elsewhere")  # type: ignore[misc]


def test_set_key_entry_is_a_fresh_entry(config: Config, vendor_key: SharedKey) -> None:
    key: Key = vendor_key
    change = set_key(config, LIVE, key, NOW_DT)
    assert change.entry == KeyEntry(vendor_key, KeyOrigin.NEW, created=NOW_DT)
    assert change.entry.location == ""
