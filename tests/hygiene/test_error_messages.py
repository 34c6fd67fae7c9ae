"""Every typed error the flows raise, with known secrets in play: its str(), its repr(), the
traceback Python would print for it, and the same for every exception chained to it."""

from __future__ import annotations

import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest

from streamconsole.api import open_config
from streamconsole.backends.antmedia import AntMediaSource
from streamconsole.backends.base import (
    AuthError,
    ChangeRefused,
    ConfigError,
    ConflictError,
    PartialApplyError,
    RemoteError,
    SourceError,
)
from streamconsole.backends.credentials import load_credentials, split_pair
from streamconsole.backends.http import HttpSettings
from streamconsole.backends.theolive import TheoLiveSource
from streamconsole.backends.theolive.records import KeyRecord, KeyRecords
from streamconsole.backends.toml_file import TomlSource
from streamconsole.core.edits import set_key
from streamconsole.core.errors import KeyValidationError, PolicyError, TokenBuildError
from streamconsole.core.key_generation import generate_key
from streamconsole.core.key_import import private_key_from_pem, public_key_from_text
from streamconsole.core.keys import Algorithm, SecretEncoding, SharedKey, shared_key
from streamconsole.core.model import Direction, ScopeRef, ServerKind, ServerProfile
from streamconsole.core.secret import Secret
from streamconsole.core.tokens import build_claims, sign
from tests.emulators import AntMediaEmulator, TheoLiveEmulator
from tests.hygiene.canaries import (
    ADMIN_EMAIL,
    API_KEY,
    KEYS,
    Canaries,
    Planted,
    assert_clean,
    canary,
    environment,
    planted_pem,
    planted_text,
    write_private,
)

FAST = HttpSettings(timeout=2.0, connect_timeout=2.0, retries=1, backoff=0.01)
ES256_PEM = (KEYS / "es256.pem").read_text(encoding="utf-8")


class Caught:
    """The errors a test provoked, each checked once the test has them all."""

    def __init__(self) -> None:
        self.errors: list[BaseException] = []

    @contextmanager
    def expect(self, kind: type[BaseException], match: str | None = None) -> Iterator[None]:
        with pytest.raises(kind, match=match) as info:
            yield
        self.errors.append(info.value)

    def assert_clean(self, planted: tuple[Planted, ...]) -> None:
        assert self.errors
        for error in self.errors:
            where = f"{type(error).__name__}({str(error)[:60]!r}...)"
            link: BaseException | None = error
            while link is not None:
                for text in (str(link), repr(link), *(str(a) for a in link.args)):
                    assert_clean(text, planted, where)
                link = link.__cause__ or link.__context__
            printed = "".join(traceback.format_exception(error))
            assert_clean(printed, planted, f"the traceback of {where}")


@pytest.fixture
def caught() -> Caught:
    return Caught()


def test_key_validation(canaries: Canaries, caught: Caught) -> None:
    weak = canary("weak", 26)
    not_hex = canary("nothex", 70)
    planted = (
        *canaries.all,
        planted_text("the weak secret", weak),
        planted_text("the non-hex secret", not_hex),
        planted_pem("the EC private key", ES256_PEM, minus=(KEYS / "es256.pub.pem").read_text()),
    )
    with caught.expect(KeyValidationError, "bytes"):
        shared_key(Algorithm.HS512, canaries.new_secret)
    with caught.expect(KeyValidationError, "characters"):
        shared_key(Algorithm.HS256, weak, min_chars=32)
    with caught.expect(KeyValidationError, "white space"):
        shared_key(Algorithm.HS256, canaries.new_secret + "\n")
    with caught.expect(KeyValidationError, "hex"):
        shared_key(Algorithm.HS256, not_hex, SecretEncoding.HEX)
    with caught.expect(KeyValidationError, "base64url"):
        shared_key(Algorithm.HS256, not_hex + "!", SecretEncoding.BASE64URL)
    with caught.expect(KeyValidationError, "public key"):
        shared_key(Algorithm.RS256, canaries.new_secret)
    with caught.expect(KeyValidationError, "PRIVATE"):
        public_key_from_text(Algorithm.RS256, canaries.private_pem)
    with caught.expect(KeyValidationError, "RSA"):
        private_key_from_pem(Algorithm.RS256, ES256_PEM)
    with caught.expect(KeyValidationError, "EC"):
        private_key_from_pem(Algorithm.ES256, canaries.private_pem)
    damaged = canaries.private_pem.replace("\n", f"\n{canaries.new_secret}", 2)
    with caught.expect(KeyValidationError, "parsed"):
        private_key_from_pem(Algorithm.RS256, damaged)
    with caught.expect(KeyValidationError, "PEM"):
        public_key_from_text(Algorithm.RS256, canaries.new_secret)
    with caught.expect(KeyValidationError, "bits"):
        generate_key(Algorithm.RS256, rsa_bits=1024)
    public_only = public_key_from_text(Algorithm.RS256, canaries.public_pem)
    claims = build_claims(ServerKind.THEOLIVE, Direction.PLAY, "a", now=0, ttl=60)
    with caught.expect(TokenBuildError, "private key"):
        sign(claims, public_only)
    with caught.expect(TokenBuildError, "cannot sign"):
        sign(claims, shared_key(Algorithm.HS256, canaries.new_secret), Algorithm.RS256)
    caught.assert_clean(planted)


def test_config_and_credentials(tmp_path: Path, canaries: Canaries, caught: Caught) -> None:
    weak = canary("weak", 26)
    planted = (*canaries.all, planted_text("the weak secret", weak))
    write_private(tmp_path / "keys" / "rs256.pem", canaries.private_pem)
    broken = tmp_path / "broken.toml"
    broken.write_text(
        f"""
[applications.LiveApp]
kind = "antmedia"
key = {{ algorithm = "HS256", secret = "{weak}" }}
[applications.news]
kind = "theolive"
[applications.news.aliases.evening]
key = {{ algorithm = "RS256", key_file = "keys/rs256.pem" }}
[applications.news.aliases.sports]
key = {{ algorithm = "HS512", key_env = "SPACED" }}
[applications.news.aliases.morning]
key = {{ algorithm = "HS256", secret = "{canaries.new_secret}", encoding = "hex" }}
""",
        encoding="utf-8",
    )
    with caught.expect(ConfigError):
        TomlSource(broken, environ={"SPACED": canaries.rotated + " "}).load_sync()
    error = caught.errors[-1]
    assert isinstance(error, ConfigError)
    assert len([p for p in error.problems if not p.warning]) == 4

    with caught.expect(SourceError, "tokenKey:tokenSecret"):
        split_pair(Secret(canaries.api_secret), "tokenKey:tokenSecret")
    shared = tmp_path / "shared.credentials"
    shared.write_text(f"{API_KEY}:{canaries.api_secret}\n", encoding="utf-8")
    shared.chmod(0o644)
    profile = ServerProfile(
        "theo", ServerKind.THEOLIVE, "http://127.0.0.1:9", credentials_file=str(shared)
    )
    with caught.expect(SourceError, "chmod 600"):
        load_credentials(profile)
    caught.assert_clean(planted)


def test_api_errors(
    config_path: Path, canaries: Canaries, caught: Caught, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in environment(canaries).items():
        monkeypatch.setenv(name, value)
    console = open_config(config_path)
    try:
        with caught.expect(KeyValidationError):
            console.rotate("LiveApp", secret=Secret(canaries.hs512_secret[:31]))
        with caught.expect(KeyValidationError):
            console.rotate("LiveApp", private_key=Secret(canaries.private_pem), algorithm="RS256")
        with caught.expect(KeyValidationError):
            console.rotate("news/evening", public_key=canaries.private_pem)
        with caught.expect(PolicyError):
            console.rotate("lab", generate="HS256", secret=canaries.rotated)
        with caught.expect(PolicyError, "no key"):
            console.toggle("news/morning", play=True)
        with caught.expect(TokenBuildError):
            console.token("LiveApp", "publish")
    finally:
        console.close()
    caught.assert_clean(canaries.all)


@pytest.fixture
def ams(antmedia: AntMediaEmulator, canaries: Canaries) -> AntMediaEmulator:
    antmedia.state.add_user(ADMIN_EMAIL, canaries.password)
    antmedia.state.jwt_server_secret_key = canaries.server_secret
    antmedia.state.update_settings("LiveApp", jwtStreamSecretKey=canaries.stream_secret)
    antmedia.state.update_settings("WebRTCAppEE", jwtStreamSecretKey=canaries.rotated)
    return antmedia


def ams_source(emulator: AntMediaEmulator, credentials: str, auth: str = "") -> AntMediaSource:
    profile = ServerProfile("ams", ServerKind.ANTMEDIA, emulator.base_url, auth=auth)
    return AntMediaSource(profile, Secret(credentials), settings=FAST)


async def test_antmedia_errors(ams: AntMediaEmulator, canaries: Canaries, caught: Caught) -> None:
    wrong = canary("wrongpw", 36)
    weak = canary("weak", 26)
    planted = (
        *canaries.all,
        planted_text("the wrong password", wrong),
        planted_text("the weak secret", weak),
    )
    refused = ams_source(ams, f"{ADMIN_EMAIL}:{wrong}")
    with caught.expect(AuthError, "refused"):
        await refused.load()
    await refused.aclose()
    proxy = ams_source(ams, wrong, "proxy-jwt")
    with caught.expect(AuthError, "403"):
        await proxy.load()
    await proxy.aclose()

    source = ams_source(ams, f"{ADMIN_EMAIL}:{canaries.password}")
    try:
        config = await source.load()
        now = datetime.now(UTC)
        new = shared_key(Algorithm.HS256, canaries.new_secret)
        # Another admin sets a new secret after we read, as we rotate ours: the conflict
        # hides every value.
        ams.edit_after_next_get("LiveApp", jwtStreamSecretKey=canaries.hs512_secret)
        await source.load()
        with caught.expect(ConflictError, "value hidden"):
            await source.apply([set_key(config, ScopeRef("LiveApp"), new, now)])
        config = await source.load()
        # The server refuses every save of WebRTCAppEE (play JWT and one-time tokens on) and
        # gives no reason: the explanation names fields, never the secret that was sent.
        short = SharedKey(Algorithm.HS256, Secret(weak))
        change = set_key(config, ScopeRef("WebRTCAppEE"), new, now)
        change.entry.key = short
        with caught.expect(RemoteError, "turn one-time tokens off for play"):
            await source.apply([change])
        config = await source.load()
        good = set_key(config, ScopeRef("LiveApp"), new, now)
        bad = set_key(config, ScopeRef("WebRTCAppEE"), new, now)
        bad.entry.key = short
        with caught.expect(PartialApplyError, "Already applied"):
            await source.apply([good, bad])
    finally:
        await source.aclose()
    caught.assert_clean(planted)


@pytest.fixture
def theo(theolive: TheoLiveEmulator, canaries: Canaries) -> TheoLiveEmulator:
    theolive.state.api_keys[API_KEY] = canaries.api_secret
    return theolive


def theo_source(
    emulator: TheoLiveEmulator, credentials: str, records: KeyRecords
) -> TheoLiveSource:
    profile = ServerProfile("theo", ServerKind.THEOLIVE, emulator.base_url, api_version="v2")
    return TheoLiveSource(profile, Secret(credentials), settings=FAST, key_records=records)


async def test_theolive_errors(
    theo: TheoLiveEmulator, canaries: Canaries, caught: Caught, tmp_path: Path
) -> None:
    wrong = canary("wrongapi", 36)
    planted = (*canaries.all, planted_text("the wrong secret", wrong))
    records = KeyRecords(tmp_path / "theolive" / "theo.json")
    refused = theo_source(theo, f"{API_KEY}:{wrong}", records)
    with caught.expect(AuthError, "401"):
        await refused.load()
    await refused.aclose()
    with caught.expect(SourceError, "tokenKey:tokenSecret"):
        theo_source(theo, wrong, records)

    source = theo_source(theo, f"{API_KEY}:{canaries.api_secret}", records)
    now = datetime.now(UTC)
    try:
        config = await source.load()
        await source.load_aliases(config.applications["sports"])
        backup = ScopeRef("sports", "sports-backup")
        full = set_key(config, backup, shared_key(Algorithm.HS512, canaries.hs512_secret), now)
        with caught.expect(ChangeRefused, "at most 2"):
            await source.apply([full])
        main = ScopeRef("sports", "sports-main")
        hs384 = SharedKey(Algorithm.HS384, Secret(canaries.rotated))
        change = set_key(config, main, shared_key(Algorithm.HS512, canaries.rotated), now)
        change.entry.key = hs384
        with caught.expect(ChangeRefused, "HS384"):
            await source.apply([change])
        theo.state.add_key("sports-main", canaries.new_secret, name="another admin's")
        with caught.expect(ConflictError, "changed on the server"):
            await source.apply(
                [set_key(config, main, shared_key(Algorithm.HS512, canaries.hs512_secret), now)]
            )
    finally:
        await source.aclose()
    # A record whose key file now holds another key: named by fingerprint, never by content.
    material = write_private(tmp_path / "material.secret", canaries.new_secret)
    record = KeyRecord(
        "theo", "sports", "sports-main", "k1", "hs:not-this-one", Algorithm.HS256,
        now, str(material),
    )  # fmt: skip
    with caught.expect(SourceError, "holds key"):
        records.load_entry(record)
    caught.assert_clean(planted)
