"""THEOlive from the command line: securing an alias, and a zero-downtime rotation."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import httpx
import jwt
import pytest

from streamconsole.core.model import HARD_CUTOVER
from tests.cli.conftest import on_theolive
from tests.emulators import TheoLiveEmulator
from tests.emulators.theolive_state import EVENING_SECRET, SPORTS_SECRET


def test_rotate_keeps_old_key_then_retire_removes_it(
    tmp_path: Path, theolive: TheoLiveEmulator
) -> None:
    theo = on_theolive(tmp_path, theolive, api_version="v2")

    rotated = theo.run("rotate", "sports/sports-main", "--generate", "HS256")
    assert rotated.returncode == 0, rotated.stderr
    assert "the old key stays installed beside the new one: wait at least 10m" in rotated.stdout
    held = [k.id for k in theolive.state.aliases["sports-main"].keys]
    assert len(held) == 2

    shown = json.loads(theo.run("show", "sports/sports-main", "--json").stdout)
    remote = shown["remote_keys"]
    assert [k["id"] for k in remote] == held
    assert remote[0]["fingerprint"] is None  # installed elsewhere: write-only, unknown here
    assert remote[1]["fingerprint"] == shown["policies"]["play"]["key"]["fingerprint"]

    # After the longest token lifetime: retire the old key; the new one keeps working.
    retired = theo.run("retire", "sports/sports-main", held[0])
    assert retired.returncode == 0, retired.stderr
    assert [k.id for k in theolive.state.aliases["sports-main"].keys] == [held[1]]
    token = theo.run("token", "sports/sports-main")
    assert token.returncode == 0, token.stderr
    assert theolive.state.verify_viewer_token("sports-main", token.stdout.strip())
    # The last key: refused without --turn-off, which would let every viewer in.
    last = theo.run("retire", "sports/sports-main", held[1])
    assert last.returncode == 2
    assert "--turn-off" in last.stderr
    assert [k.id for k in theolive.state.aliases["sports-main"].keys] == [held[1]]


# --- securing an alias that has no key: the key and the switch in one save -------------------


def _viewer_status(theolive: TheoLiveEmulator, alias: str, token: str | None) -> int:
    """What the emulator's CDN answers a viewer of ``alias`` with ``token`` (or none)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.get(f"{theolive.base_url}/play/{alias}", headers=headers).status_code


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_rotate_with_play_on_secures_an_alias_that_has_no_key(
    tmp_path: Path, theolive: TheoLiveEmulator, version: str
) -> None:
    theo = on_theolive(tmp_path, theolive, own_state=True, api_version=version)
    assert _viewer_status(theolive, "morning", None) == 200  # open to every viewer

    rotated = theo.run("rotate", "news-channel/morning", "--generate", "HS256", "--play", "on")
    assert rotated.returncode == 0, rotated.stderr
    assert "news-channel/morning: none → hs:" in rotated.stdout
    assert "news-channel/morning: play JWT on" in rotated.stdout
    # Nothing was replaced: no cut-over, no old key to retire.
    assert HARD_CUTOVER not in rotated.stdout
    assert "retire" not in rotated.stdout
    morning = theolive.state.aliases["morning"]
    assert len(morning.keys) == 1  # a v2 key, or a v1 CDN key: security is derived from it

    token = theo.run("token", "news-channel/morning")
    assert token.returncode == 0, token.stderr
    assert _viewer_status(theolive, "morning", None) == 403
    assert _viewer_status(theolive, "morning", token.stdout.strip()) == 200
    shown = theo.run("show", "news-channel/morning")
    assert "ENFORCED" in shown.stdout


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_rotate_with_publish_is_refused_on_theolive_and_writes_nothing(
    tmp_path: Path, theolive: TheoLiveEmulator, version: str
) -> None:
    theo = on_theolive(tmp_path, theolive, own_state=True, api_version=version)
    refused = theo.run(
        "rotate", "news-channel/morning", "--generate", "HS256", "--play", "on", "--publish", "on"
    )
    assert refused.returncode == 2
    assert (
        "error: news-channel/morning: THEOlive has no JWT control for publish: not supported "
        "by this server" in refused.stderr
    )
    assert theolive.log.count(method="POST") == theolive.log.count(method="DELETE") == 0
    morning = theolive.state.aliases["morning"]
    assert (morning.keys, morning.legacy_key) == ([], None)
    assert not (tmp_path / "state").exists()  # no key material kept, no audit line


def test_v1_rotation_is_no_cut_over_the_switch_key_keeps_working(
    tmp_path: Path, theolive: TheoLiveEmulator
) -> None:
    """v1's token-security key stays beside the new CDN key: its tokens still pass, so the
    command says how to retire it, not that it stopped working."""
    theo = on_theolive(tmp_path, theolive, own_state=True, api_version="v1")
    old_token = jwt.encode({"exp": int(time.time()) + 600}, EVENING_SECRET, algorithm="HS256")
    rotated = theo.run("rotate", "news-channel/evening", "--generate", "HS256")
    assert rotated.returncode == 0, rotated.stderr
    assert HARD_CUTOVER not in rotated.stdout
    assert "the old key stays installed beside the new one" in rotated.stdout
    assert _viewer_status(theolive, "evening", old_token) == 200


def test_decode_against_checks_every_key_the_alias_holds(
    tmp_path: Path, theolive: TheoLiveEmulator
) -> None:
    theo = on_theolive(tmp_path, theolive, own_state=True, api_version="v2")
    scope = "sports/sports-main"

    def rotate() -> str:
        rotated = theo.run("rotate", scope, "--generate", "HS256")
        assert rotated.returncode == 0, rotated.stderr
        return theolive.state.aliases["sports-main"].keys[-1].id

    def issue() -> str:
        issued = theo.run("token", scope)
        assert issued.returncode == 0, issued.stderr
        return issued.stdout.strip()

    def decode(token: str, *options: str) -> subprocess.CompletedProcess[str]:
        return theo.run("decode", token, "--against", scope, *options)

    def fingerprints() -> dict[str, str]:
        shown = theo.run("show", scope, "--json")
        return {k["id"]: k["fingerprint"] for k in json.loads(shown.stdout)["remote_keys"]}

    # The alias's first key was installed elsewhere: the server holds it, its material is
    # unknown here, so a token signed with it can be neither confirmed nor refused.
    first = rotate()
    elsewhere = jwt.encode({"exp": int(time.time()) + 300}, SPORTS_SECRET, algorithm="HS256")
    unknown = decode(elsewhere)
    assert unknown.returncode == 1
    assert (
        'key (id "key-sports-2026" "sports-2026"): held by the server, material unknown here'
        in unknown.stdout
    )
    assert "verdict: unknown" in unknown.stdout

    old_token = issue()
    retired = theo.run("retire", scope, "key-sports-2026")
    assert retired.returncode == 0, retired.stderr
    second = rotate()
    new_token = issue()
    held = fingerprints()
    assert list(held) == [first, second]
    # The CDN accepts either key during the overlap; so must the explainer.
    assert theolive.state.verify_viewer_token("sports-main", old_token)
    older = decode(old_token)
    assert older.returncode == 0, older.stdout
    assert f'valid for key {held[first]} (id "{first}"' in older.stdout
    assert "an older key: retire after" in older.stdout
    assert "+ 10m token lifetime" in older.stdout
    assert "verdict: accepted" in older.stdout
    newest = json.loads(decode(new_token, "--json").stdout)
    assert newest["verdict"] == "accepted"
    (signature,) = [c["reason"] for c in newest["checks"] if c["name"] == "signature"]
    assert signature.startswith(f'valid for key {held[second]} (id "{second}"')
    assert signature.endswith("the newest of the 2 keys held")
