"""The model: what each server kind can express, and how a scope's policy resolves."""

from __future__ import annotations

from datetime import timedelta

import pytest

from streamconsole.core.errors import PolicyError
from streamconsole.core.key_records import KeyEntry, KeyOrigin
from streamconsole.core.keys import (
    ANTMEDIA_MIN_SECRET_CHARS,
    Algorithm,
    AsymmetricKey,
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
from streamconsole.core.policy import PolicySource, effective_policy
from streamconsole.core.policy_warnings import policy_warnings

from .support import NOW_DT, VENDOR_SECRET

PLAY, PUBLISH = Direction.PLAY, Direction.PUBLISH
OTHER_SECRET = "Other-secret-for-one-alias-0123456789"


def entry(key: SharedKey | AsymmetricKey, origin: KeyOrigin = KeyOrigin.FILE) -> KeyEntry:
    return KeyEntry(key, origin, "/keys/k", created=NOW_DT - timedelta(days=10))


@pytest.fixture(scope="module")
def vendor_key() -> SharedKey:
    return shared_key(Algorithm.HS256, VENDOR_SECRET)


@pytest.fixture(scope="module")
def other_key() -> SharedKey:
    return shared_key(Algorithm.HS256, OTHER_SECRET)


# --- server kinds --------------------------------------------------------------------------


def test_ant_media_kind() -> None:
    kind = ServerKind.ANTMEDIA
    assert kind.directions == (PUBLISH, PLAY)
    assert kind.algorithms == (Algorithm.HS256,)
    assert not kind.alias_overrides
    assert kind.min_secret_chars == ANTMEDIA_MIN_SECRET_CHARS == 32
    assert kind.encodings == (SecretEncoding.UTF8,)
    assert kind.alias_noun == "stream"
    assert kind.display_name == "Ant Media"


def test_theolive_kind() -> None:
    kind = ServerKind.THEOLIVE
    assert kind.directions == (PLAY,)
    assert kind.supports(PLAY)
    assert not kind.supports(PUBLISH)
    assert kind.algorithms == (Algorithm.HS256, Algorithm.HS512, Algorithm.RS256, Algorithm.RS512)
    assert kind.alias_overrides
    assert kind.min_secret_chars == 0
    assert kind.encodings == (SecretEncoding.UTF8,)
    assert kind.display_name == "THEOlive"


def test_generic_kind() -> None:
    kind = ServerKind.GENERIC
    assert kind.directions == (PUBLISH, PLAY)
    assert set(kind.algorithms) == set(Algorithm)
    assert set(kind.encodings) == set(SecretEncoding)
    assert kind.alias_overrides


# --- scope references and look-ups ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "ref"),
    [
        ("LiveApp", ScopeRef("LiveApp")),
        ("LiveApp/stream1", ScopeRef("LiveApp", "stream1")),
        ("ch/alias/with/slashes", ScopeRef("ch", "alias/with/slashes")),
    ],
)
def test_scope_ref_parse_and_str(text: str, ref: ScopeRef) -> None:
    assert ScopeRef.parse(text) == ref
    assert str(ref) == text


def test_resolve_names_what_is_missing() -> None:
    app = Application("LiveApp", ServerKind.ANTMEDIA, aliases={"s1": Alias("s1")})
    config = Config({"LiveApp": app})
    assert config.resolve(ScopeRef("LiveApp")) == (app, None)
    assert config.resolve(ScopeRef("LiveApp", "s1")) == (app, app.aliases["s1"])
    with pytest.raises(PolicyError, match="no application named 'Nope'"):
        config.resolve(ScopeRef("Nope"))
    with pytest.raises(PolicyError, match="application 'LiveApp' has no stream 's2'"):
        config.resolve(ScopeRef("LiveApp", "s2"))


def test_alias_count() -> None:
    config = Config(
        {
            "a": Application("a", ServerKind.ANTMEDIA, aliases={"1": Alias("1"), "2": Alias("2")}),
            "b": Application("b", ServerKind.THEOLIVE, aliases={"x": Alias("x")}),
            "c": Application("c", ServerKind.GENERIC),
        }
    )
    assert config.alias_count == 3


def test_scope_settings_per_direction() -> None:
    settings = ScopeSettings()
    assert settings == ScopeSettings()
    settings.set_enforcement(PLAY, True)
    assert settings.enforcement(PLAY) is True
    assert settings.enforcement(PUBLISH) is None
    assert settings != ScopeSettings()
    settings.set_enforcement(PUBLISH, False)
    assert (settings.publish, settings.play) == (False, True)


def test_key_entry_delegates_to_its_key(vendor_key: SharedKey) -> None:
    item = entry(vendor_key)
    assert item.algorithm is Algorithm.HS256
    assert item.fingerprint == vendor_key.fingerprint


# --- effective policy: Ant Media -----------------------------------------------------------


def ant_media(
    vendor_key: SharedKey, *, publish: bool | None = None, play: bool | None = None
) -> Application:
    return Application(
        "LiveApp",
        ServerKind.ANTMEDIA,
        ScopeSettings(publish=publish, play=play, key=entry(vendor_key)),
        aliases={"stream1": Alias("stream1")},
    )


def test_ant_media_application_policy(vendor_key: SharedKey) -> None:
    app = ant_media(vendor_key, publish=True, play=False)
    publish = effective_policy(app, None, PUBLISH)
    assert publish.enforced
    assert publish.enforced_from is PolicySource.APPLICATION
    assert publish.reason == "set on application LiveApp"
    assert publish.key is app.settings.key
    assert publish.key_from is PolicySource.APPLICATION
    assert publish.supported
    assert publish.allowed_algorithms == (Algorithm.HS256,)
    play = effective_policy(app, None, PLAY)
    assert not play.enforced
    assert play.enforced_from is PolicySource.APPLICATION


def test_ant_media_stream_inherits_the_application(vendor_key: SharedKey) -> None:
    app = ant_media(vendor_key, play=True)
    policy = effective_policy(app, app.aliases["stream1"], PLAY)
    assert policy.enforced
    assert policy.enforced_from is PolicySource.APPLICATION
    assert policy.reason == "inherited from application LiveApp"
    assert policy.key_from is PolicySource.APPLICATION


def test_ant_media_stream_settings_are_ignored(vendor_key: SharedKey, other_key: SharedKey) -> None:
    # Ant Media has no per-stream JWT switch or key. Should a source ever attach settings to a
    # stream, the policy shown must still be the application's: that is what the server does.
    app = ant_media(vendor_key, play=True, publish=True)
    stream = app.aliases["stream1"]
    stream.settings = ScopeSettings(publish=False, play=False, key=entry(other_key))
    for direction in (PUBLISH, PLAY):
        policy = effective_policy(app, stream, direction)
        assert policy.enforced
        assert policy.enforced_from is PolicySource.APPLICATION
        assert policy.key is app.settings.key
        assert policy.key_from is PolicySource.APPLICATION


def test_ant_media_nothing_set_is_off_by_default() -> None:
    app = Application("LiveApp", ServerKind.ANTMEDIA)
    policy = effective_policy(app, None, PLAY)
    assert not policy.enforced
    assert policy.enforced_from is PolicySource.DEFAULT
    assert policy.reason == "not set anywhere: off"
    assert policy.key is None
    assert policy.key_from is PolicySource.DEFAULT
    assert policy.allowed_algorithms == ()


# --- effective policy: THEOlive ------------------------------------------------------------


def theolive(app_play: bool | None, alias_settings: ScopeSettings | None) -> Application:
    return Application(
        "channel",
        ServerKind.THEOLIVE,
        ScopeSettings(play=app_play),
        aliases={"eu": Alias("eu", settings=alias_settings)},
    )


def test_theolive_publish_is_unsupported_with_a_reason(vendor_key: SharedKey) -> None:
    app = theolive(True, ScopeSettings(publish=True, key=entry(vendor_key)))
    for alias in (None, app.aliases["eu"]):
        policy = effective_policy(app, alias, PUBLISH)
        assert not policy.supported
        assert not policy.enforced
        assert policy.enforced_from is PolicySource.UNSUPPORTED
        assert policy.key is None
        assert policy.key_from is PolicySource.UNSUPPORTED
        assert policy.reason == (
            "THEOlive has no JWT control for publish: not supported by this server"
        )


@pytest.mark.parametrize(
    ("app_play", "alias_play", "enforced", "source", "reason"),
    [
        (False, True, True, PolicySource.ALIAS, "set on alias eu"),
        (True, False, False, PolicySource.ALIAS, "set on alias eu"),
        (True, None, True, PolicySource.APPLICATION, "inherited from application channel"),
        (False, None, False, PolicySource.APPLICATION, "inherited from application channel"),
        (None, None, False, PolicySource.DEFAULT, "not set anywhere: off"),
        (None, True, True, PolicySource.ALIAS, "set on alias eu"),
    ],
)
def test_theolive_alias_override_inherit_default(
    app_play: bool | None,
    alias_play: bool | None,
    enforced: bool,
    source: PolicySource,
    reason: str,
) -> None:
    app = theolive(app_play, ScopeSettings(play=alias_play))
    policy = effective_policy(app, app.aliases["eu"], PLAY)
    assert (policy.enforced, policy.enforced_from, policy.reason) == (enforced, source, reason)


def test_theolive_alias_without_settings_inherits() -> None:
    app = theolive(True, None)
    policy = effective_policy(app, app.aliases["eu"], PLAY)
    assert policy.enforced
    assert policy.enforced_from is PolicySource.APPLICATION


def test_theolive_key_source(vendor_key: SharedKey, other_key: SharedKey) -> None:
    app = theolive(True, ScopeSettings())
    alias = app.aliases["eu"]
    assert effective_policy(app, alias, PLAY).key_from is PolicySource.DEFAULT
    app.settings.key = entry(vendor_key)
    inherited = effective_policy(app, alias, PLAY)
    assert inherited.key_from is PolicySource.APPLICATION
    assert inherited.key is app.settings.key
    assert alias.settings is not None
    alias.settings.key = entry(other_key)
    own = effective_policy(app, alias, PLAY)
    assert own.key_from is PolicySource.ALIAS
    assert own.key is alias.settings.key
    # The application itself still reports its own key.
    assert effective_policy(app, None, PLAY).key is app.settings.key


def test_theolive_allowed_algorithms_follow_the_key_family(
    vendor_key: SharedKey, rsa_key: AsymmetricKey
) -> None:
    app = theolive(True, ScopeSettings(key=entry(vendor_key)))
    policy = effective_policy(app, app.aliases["eu"], PLAY)
    assert policy.allowed_algorithms == (Algorithm.HS256, Algorithm.HS512)
    app.aliases["eu"].settings = ScopeSettings(key=entry(rsa_key.public_only()))
    policy = effective_policy(app, app.aliases["eu"], PLAY)
    assert policy.allowed_algorithms == (Algorithm.RS256, Algorithm.RS512)


# --- effective policy: generic -------------------------------------------------------------


def test_generic_alias_overrides_each_direction(ec_key: AsymmetricKey) -> None:
    app = Application(
        "api",
        ServerKind.GENERIC,
        ScopeSettings(publish=True, play=True, key=entry(ec_key)),
        aliases={"cam": Alias("cam", settings=ScopeSettings(play=False))},
    )
    alias = app.aliases["cam"]
    publish = effective_policy(app, alias, PUBLISH)
    play = effective_policy(app, alias, PLAY)
    assert (publish.enforced, publish.enforced_from) == (True, PolicySource.APPLICATION)
    assert (play.enforced, play.enforced_from) == (False, PolicySource.ALIAS)
    assert play.reason == "set on alias cam"
    # A generic server takes exactly the configured algorithm.
    assert play.allowed_algorithms == (Algorithm.ES256,)


# --- warnings ------------------------------------------------------------------------------


def test_a_clean_scope_has_no_warnings(vendor_key: SharedKey) -> None:
    app = ant_media(vendor_key, publish=True, play=True)
    assert policy_warnings(app, None, NOW_DT) == []
    assert policy_warnings(app, app.aliases["stream1"], NOW_DT) == []
    assert policy_warnings(Application("empty", ServerKind.THEOLIVE), None, NOW_DT) == []


def test_enforced_without_a_key_is_warned_per_direction() -> None:
    app = Application("LiveApp", ServerKind.ANTMEDIA, ScopeSettings(publish=True, play=True))
    assert policy_warnings(app, None, NOW_DT) == [
        "publish JWT is enforced but no key is set: every publish is refused",
        "play JWT is enforced but no key is set: every play is refused",
    ]


def test_theolive_alias_enforced_without_key(vendor_key: SharedKey) -> None:
    app = theolive(None, ScopeSettings(play=True))
    assert policy_warnings(app, app.aliases["eu"], NOW_DT) == [
        "play JWT is enforced but no key is set: every play is refused"
    ]
    assert policy_warnings(app, None, NOW_DT) == []  # the channel itself is not enforced


def test_one_time_tokens_with_jwt_are_warned(vendor_key: SharedKey) -> None:
    app = ant_media(vendor_key, publish=False, play=True)
    app.one_time_token = frozenset({PUBLISH, PLAY})
    warnings = policy_warnings(app, None, NOW_DT)
    # Publish JWT is off, so only play has both token types on.
    assert warnings == [
        "play: one-time tokens and JWT are both on; use one token type per direction (Ant "
        "Media Server 2.9 and later refuses every save of the application until one is off)"
    ]


def test_inline_key_is_warned(vendor_key: SharedKey) -> None:
    app = ant_media(vendor_key, play=True)
    app.settings.key = entry(vendor_key, KeyOrigin.INLINE)
    assert policy_warnings(app, None, NOW_DT) == [
        "the key is written inline in the config file; move it to a key file"
    ]


@pytest.mark.parametrize(("days", "warned"), [(365, False), (366, True), (1000, True)])
def test_old_key_is_warned(vendor_key: SharedKey, days: int, warned: bool) -> None:
    app = ant_media(vendor_key, play=True)
    assert app.settings.key is not None
    app.settings.key.created = NOW_DT - timedelta(days=days)
    expected = [f"the key is {days} days old; consider rotating"] if warned else []
    assert policy_warnings(app, None, NOW_DT) == expected


def test_key_without_creation_date_is_not_called_old(vendor_key: SharedKey) -> None:
    app = ant_media(vendor_key, play=True)
    assert app.settings.key is not None
    app.settings.key.created = None
    assert policy_warnings(app, None, NOW_DT) == []


def test_public_key_without_private_key_is_warned(rsa_key: AsymmetricKey) -> None:
    app = theolive(True, ScopeSettings(key=entry(rsa_key.public_only())))
    assert policy_warnings(app, app.aliases["eu"], NOW_DT) == [
        "no private key configured: tokens can be verified but not issued"
    ]
    app.aliases["eu"].settings = ScopeSettings(key=entry(rsa_key))
    assert policy_warnings(app, app.aliases["eu"], NOW_DT) == []


def test_warnings_follow_the_effective_key_of_the_alias(
    vendor_key: SharedKey, rsa_key: AsymmetricKey
) -> None:
    # The channel's key is inline; the alias has its own key from a file: only the channel warns.
    app = theolive(True, ScopeSettings(key=entry(rsa_key)))
    app.settings.key = entry(vendor_key, KeyOrigin.INLINE)
    assert policy_warnings(app, app.aliases["eu"], NOW_DT) == []
    assert len(policy_warnings(app, None, NOW_DT)) == 1


def test_several_warnings_together() -> None:
    app = Application(
        "LiveApp",
        ServerKind.ANTMEDIA,
        ScopeSettings(publish=True, play=False),
        one_time_token=frozenset({PUBLISH}),
    )
    assert policy_warnings(app, None, NOW_DT) == [
        "publish JWT is enforced but no key is set: every publish is refused",
        "publish: one-time tokens and JWT are both on; use one token type per direction (Ant "
        "Media Server 2.9 and later refuses every save of the application until one is off)",
    ]


def test_keys_known_only_to_the_server_are_not_called_missing() -> None:
    from datetime import UTC, datetime

    from streamconsole.core.key_records import RemoteKey
    from streamconsole.core.model import Alias, Application, ServerKind

    channel = Application("news", ServerKind.THEOLIVE)
    alias = Alias("main", settings=ScopeSettings(play=True, remote_keys=(RemoteKey("k1"),)))
    channel.aliases["main"] = alias
    (warning,) = policy_warnings(channel, alias, datetime(2026, 11, 23, tzinfo=UTC))
    assert "server holds write-only keys (1) this console does not know" in warning
    assert "every play is refused" not in warning
