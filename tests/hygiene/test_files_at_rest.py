"""What stays on disk after saves through the Python API (the console's and the CLI's saves
are checked in their own modules): the audit log, including failed saves, and THEOlive's
key records hold no secret, no private key and no token; every file is 0600, and every
directory the console makes for them 0700, from the first level it makes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from streamconsole.api import open_config, open_server
from streamconsole.backends.base import ConflictError
from streamconsole.core.key_import import private_key_from_pem
from streamconsole.core.keys import Algorithm, shared_key
from streamconsole.core.secret import Secret
from tests.emulators import AntMediaEmulator, TheoLiveEmulator
from tests.hygiene.canaries import (
    ADMIN_EMAIL,
    API_KEY,
    Canaries,
    assert_clean,
    environment,
    planted_token,
    write_config,
)
from tests.hygiene.files import assert_state_clean, mode

SERVERS = """
[servers.ams]
kind = "antmedia"
url = "{ams}"
credentials_env = "HYGIENE_AMS"

[servers.theo]
kind = "theolive"
url = "{theo}"
api_version = "v2"
credentials_env = "HYGIENE_THEO"
"""


@pytest.fixture
def state_dir() -> Path:
    return Path(os.environ["XDG_STATE_HOME"])  # private to each test (tests/conftest.py)


@pytest.fixture
def online(
    tmp_path: Path,
    canaries: Canaries,
    antmedia: AntMediaEmulator,
    theolive: TheoLiveEmulator,
    monkeypatch: pytest.MonkeyPatch,
) -> Path:
    antmedia.state.add_user(ADMIN_EMAIL, canaries.password)
    antmedia.state.update_settings("LiveApp", jwtStreamSecretKey=canaries.stream_secret)
    theolive.state.api_keys[API_KEY] = canaries.api_secret
    for name, value in {
        **environment(canaries),
        "HYGIENE_AMS": f"{ADMIN_EMAIL}:{canaries.password}",
        "HYGIENE_THEO": f"{API_KEY}:{canaries.api_secret}",
    }.items():
        monkeypatch.setenv(name, value)
    servers = SERVERS.format(ams=antmedia.base_url, theo=theolive.base_url)
    return write_config(tmp_path / "online", canaries, servers=servers)


def fingerprint(secret: str, algorithm: Algorithm = Algorithm.HS256) -> str:
    return shared_key(algorithm, secret).fingerprint


def test_local_saves_and_a_failed_one(online: Path, canaries: Canaries, state_dir: Path) -> None:
    with open_config(online) as console:
        console.toggle("LiveApp", play=True)
        console.rotate("LiveApp", secret=Secret(canaries.new_secret))
        console.rotate("news/morning", private_key=Secret(canaries.private_pem), algorithm="RS256")
        console.rotate("lab", generate="HS512")
        console.save()
        token = console.token("news/morning", "play").token
        console.rotate("news/sports", secret=Secret(canaries.rotated))
        # Someone edits the file meanwhile: the save is refused, and audited as failed.
        online.write_text(online.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
        with pytest.raises(ConflictError):
            console.save()
    audit = assert_state_clean(state_dir, canaries, tokens=[planted_token("a token", token)])
    assert fingerprint(canaries.new_secret) in audit
    assert "failed: ConflictError" in audit
    assert fingerprint(canaries.rotated, Algorithm.HS512) in audit
    assert_clean(online.read_text(encoding="utf-8"), canaries.all, "the saved config", shown=[])


def test_antmedia_saves_and_a_failed_one(
    online: Path, canaries: Canaries, antmedia: AntMediaEmulator, state_dir: Path
) -> None:
    with open_server(online, "ams") as console:
        console.rotate("LiveApp", secret=Secret(canaries.new_secret))
        console.toggle("LiveApp", play=True)
        console.save()
        antmedia.state.update_settings("LiveApp", jwtStreamSecretKey=canaries.hs512_secret)
        console.rotate("LiveApp", secret=Secret(canaries.rotated))
        with pytest.raises(ConflictError):
            console.save()
    assert antmedia.state.settings("LiveApp")["jwtStreamSecretKey"] == canaries.hs512_secret
    audit = assert_state_clean(state_dir, canaries)
    assert fingerprint(canaries.new_secret) in audit
    assert "value hidden" in audit


def test_theolive_key_records(
    online: Path, canaries: Canaries, theolive: TheoLiveEmulator, state_dir: Path
) -> None:
    pair = private_key_from_pem(Algorithm.RS256, canaries.private_pem)
    with open_server(online, "theo") as console:
        console.rotate(
            "sports/sports-main", secret=Secret(canaries.hs512_secret), algorithm="HS512"
        )
        console.save()
        morning = "news-channel/morning"
        console.rotate(morning, private_key=Secret(canaries.private_pem), algorithm="RS256")
        console.toggle(morning, play=True)  # in v2 a key turns security on: say so
        console.save()
        token = console.token(morning, "play").token
    assert theolive.state.verify_viewer_token("morning", token)
    records = sorted(state_dir.rglob("theolive/*.json"))
    assert len(records) == 1
    text = records[0].read_text(encoding="utf-8")
    assert pair.fingerprint in text
    assert fingerprint(canaries.hs512_secret, Algorithm.HS512) in text
    assert_state_clean(state_dir, canaries, tokens=[planted_token("a token", token)])
    # The material itself is kept beside the records, one private file per key.
    material = [p for p in state_dir.rglob("*") if p.is_file() and ".keys" in str(p)]
    held = "".join(p.read_text(encoding="utf-8") for p in material)
    assert canaries.hs512_secret in held
    assert canaries.private_key.found_in(held)
    assert all(mode(p) == 0o600 for p in material)
    for directory in {p.parent for p in material}:
        assert mode(directory) == 0o700, f"{directory} is mode {mode(directory):04o}"


def test_state_directories_are_private_from_the_first_level_made(
    online: Path, tmp_path: Path, theolive: TheoLiveEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``~/.local/state`` may not exist yet: each level made is 0700 (``mkdir(parents=True)``
    makes the upper ones 0755), and a directory that was there already keeps its mode."""
    tmp_path.chmod(0o755)  # the user's own, like ~/.local: never chmod-ed
    fresh = tmp_path / "fresh"
    monkeypatch.setenv("XDG_STATE_HOME", str(fresh / "state"))
    with open_config(online) as console:
        console.toggle("LiveApp", play=True)
        console.save()  # the audit log
    with open_server(online, "theo") as console:
        console.rotate("sports/sports-main", generate="HS256")
        console.save()  # key records, and the key's material beside them
    made = [fresh, *(p for p in fresh.rglob("*") if p.is_dir())]
    assert {p.name for p in made} >= {"fresh", "state", "streamconsole", "theolive"}
    assert {str(p): f"{mode(p):04o}" for p in made} == {str(p): "0700" for p in made}
    assert mode(tmp_path) == 0o755
