"""A zero-downtime rotation on THEOlive v2 from the command line: rotate, overlap, retire."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.conftest import run_cli
from tests.emulators import TheoLiveEmulator


def test_rotate_keeps_old_key_then_retire_removes_it(
    tmp_path: Path, theolive: TheoLiveEmulator
) -> None:
    config = tmp_path / "online.toml"
    config.write_text(
        f'[servers.theo]\nkind = "theolive"\nurl = "{theolive.base_url}"\n'
        'api_version = "v2"\ncredentials_env = "SC_THEO"\n'
    )
    env = {"SC_THEO": f"{theolive.api_key}:{theolive.api_secret}"}
    server = ("-c", str(config), "--server", "theo")

    rotated = run_cli("rotate", "sports/sports-main", "--generate", "HS256", *server, env=env)
    assert rotated.returncode == 0, rotated.stderr
    assert "the old key stays installed beside the new one: wait at least 10m" in rotated.stdout
    held = [k.id for k in theolive.state.aliases["sports-main"].keys]
    assert len(held) == 2

    shown = json.loads(run_cli("show", "sports/sports-main", "--json", *server, env=env).stdout)
    remote = shown["remote_keys"]
    assert [k["id"] for k in remote] == held
    assert remote[0]["fingerprint"] is None  # installed elsewhere: write-only, unknown here
    assert remote[1]["fingerprint"] == shown["policies"]["play"]["key"]["fingerprint"]

    # After the longest token lifetime: retire the old key; the new one keeps working.
    retired = run_cli("retire", "sports/sports-main", held[0], *server, env=env)
    assert retired.returncode == 0, retired.stderr
    assert [k.id for k in theolive.state.aliases["sports-main"].keys] == [held[1]]
    token = run_cli("token", "sports/sports-main", *server, env=env)
    assert token.returncode == 0, token.stderr
    assert theolive.state.verify_viewer_token("sports-main", token.stdout.strip())
    # The last key: refused without --turn-off, which would let every viewer in.
    last = run_cli("retire", "sports/sports-main", held[1], *server, env=env)
    assert last.returncode == 2
    assert "--turn-off" in last.stderr
    assert [k.id for k in theolive.state.aliases["sports-main"].keys] == [held[1]]
