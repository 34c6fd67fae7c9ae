"""list, show, token, decode: run as the installed entry point, on a file and on a server."""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from pathlib import Path

import jwt
import pytest

from streamconsole.cli.listing import LABEL_MIN_CELLS, list_lines
from tests.cli.conftest import on_antmedia, run_cli
from tests.emulators import AntMediaEmulator

DEMO_SECRET_FILES = ("liveapp.secret", "webrtc.secret", "sports.secret", "evening-news.pem")


def secrets_in(sample_dir: Path) -> list[str]:
    return [(sample_dir / "sample_keys" / name).read_text().strip() for name in DEMO_SECRET_FILES]


def test_list_text_and_json(sample_dir: Path) -> None:
    text = run_cli("list", cwd=sample_dir)
    assert text.returncode == 0, text.stderr
    lines = text.stdout.splitlines()
    header = ["SCOPE", "KIND", "PUBLISH", "PLAY", "ALGORITHM", "FINGERPRINT", "LABEL"]
    assert lines[0].split() == header
    morning = next(line for line in lines if line.startswith("news-channel/morning "))
    assert morning.split()[:4] == ["news-channel/morning", "theolive", "n/a", "off"]
    assert morning.endswith("  Morning show")  # not a terminal: labels are printed whole
    as_json = run_cli("list", "--json", cwd=sample_dir)
    rows = json.loads(as_json.stdout)
    assert len(rows) == 14
    by_scope = {row["scope"]: row for row in rows}
    assert by_scope["news-channel/morning"]["label"] == "Morning show"
    assert by_scope["LiveApp"]["label"] == "Main live app"
    assert by_scope["LiveApp/stream1"]["label"] == ""
    assert by_scope["sports/highlights"]["play"] is False  # alias override
    assert by_scope["sports/match-day"]["play"] is True  # inherited
    for secret in secrets_in(sample_dir):
        assert secret not in text.stdout + as_json.stdout


def _row(scope: str, label: str, **more: object) -> dict[str, object]:
    return {
        "scope": scope,
        "label": label,
        "kind": "theolive",
        "publish": None,
        "play": True,
        "algorithm": "HS256",
        "fingerprint": "hs:abc",
        **more,
    }


def test_list_on_a_terminal_cuts_labels_to_its_width_and_drops_them_where_none_fit() -> None:
    rows = [_row("news/evening", "Evening bulletin, every day"), _row("news/morning", "")]
    whole = list_lines(rows, None)
    assert whole[1].endswith("hs:abc       Evening bulletin, every day")
    assert whole[2].endswith("hs:abc")  # no label: no trailing blanks
    header = len(whole[0]) - len("  LABEL")
    cut = list_lines(rows, header + 2 + 10)
    assert cut[1].endswith("Evening b…")
    assert all(len(line) <= header + 12 for line in cut)
    narrow = list_lines(rows, header + 2 + LABEL_MIN_CELLS - 1)
    assert "LABEL" not in narrow[0] and "Evening" not in narrow[1]
    hostile = list_lines([_row("x/y", "\x1b]0;pwned\x07", error="HTTP 500")], None)
    assert "\x1b" not in hostile[1] and hostile[1].endswith("\\x07  ! could not be read")


def test_show_names_where_the_policy_comes_from(sample_dir: Path) -> None:
    result = run_cli("show", "sports/highlights", "--json", cwd=sample_dir)
    view = json.loads(result.stdout)
    assert view["policies"]["play"]["from"] == "alias"
    assert view["policies"]["play"]["key_from"] == "application"
    assert "publish" not in view["policies"]
    text = run_cli("show", "WebRTCAppEE", cwd=sample_dir)
    assert "one-time tokens and JWT are both on" in text.stdout


def test_show_unknown_scope_is_a_usage_error(sample_dir: Path) -> None:
    result = run_cli("show", "NoSuchApp", cwd=sample_dir)
    assert result.returncode == 2
    assert "no application named 'NoSuchApp'" in result.stderr
    assert "Traceback" not in result.stderr


def test_token_then_decode_round_trip(sample_dir: Path) -> None:
    issued = run_cli("token", "LiveApp/stream1", "--type", "publish", "--ttl", "5m", cwd=sample_dir)
    assert issued.returncode == 0, issued.stderr
    token = issued.stdout.strip()
    claims = jwt.decode(
        token,
        (sample_dir / "sample_keys" / "liveapp.secret").read_text().strip(),
        algorithms=["HS256"],
    )
    assert claims["streamId"] == "stream1"
    assert claims["type"] == "publish"
    assert 290 <= claims["exp"] - time.time() <= 300
    accepted = run_cli(
        "decode",
        "-",
        "--against",
        "LiveApp/stream1",
        "--type",
        "publish",
        cwd=sample_dir,
        stdin=token,
    )
    assert accepted.returncode == 0
    assert "verdict: accepted" in accepted.stdout


def test_decode_exit_1_when_the_server_would_refuse(sample_dir: Path) -> None:
    token = run_cli("token", "WebRTCAppEE/room-101", "--type", "publish", cwd=sample_dir).stdout
    refused = run_cli(
        "decode",
        token.strip(),
        "--against",
        "WebRTCAppEE/room-102",
        "--type",
        "play",
        "--json",
        cwd=sample_dir,
    )
    assert refused.returncode == 1
    view = json.loads(refused.stdout)
    failed = {c["name"] for c in view["checks"] if c["status"] == "failed"}
    assert failed == {"streamId", "type"}


def test_decode_without_scope_does_not_verify(sample_dir: Path) -> None:
    token = jwt.encode({"exp": 1, "x": "\x1b[31mred"}, "k" * 32, algorithm="HS256")
    result = run_cli("decode", token, cwd=sample_dir)
    assert result.returncode == 0
    assert "not verified" in result.stdout
    assert "\x1b" not in result.stdout  # escape sequences in claims are shown inert


def test_decode_without_scope_says_when_in_words(sample_dir: Path) -> None:
    # Far from any test run's clock: the ages grow with the date, the directions do not.
    claims = {"exp": 1_750_814_540, "nbf": 4_000_000_000, "iat": True, "sub": "x"}
    token = jwt.encode(claims, "k" * 32, algorithm="HS256")
    text = run_cli("decode", token, cwd=sample_dir)
    assert text.returncode == 0, text.stderr
    lines = text.stdout.splitlines()
    assert re.fullmatch(r"time \(now \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\):", lines[-5])
    # Two units at most, the largest two that are not zero: "523d 17h", or "523d 3m" when
    # the hours are zero (the test then ran within an hour of the claim's time of day).
    days = r"\d+d( \d+[hms])?"
    assert re.fullmatch(rf"  exp 2025-06-25T01:22:20Z — expired {days} ago", lines[-4])
    assert re.fullmatch(rf"  nbf 2096-10-02T07:06:40Z — not yet valid for {days}", lines[-3])
    assert lines[-2] == "  iat true — not a number of seconds (NumericDate)"

    shown = run_cli("decode", token, "--json", cwd=sample_dir)
    assert shown.returncode == 0, shown.stderr
    view = json.loads(shown.stdout)
    assert view["claims"] == claims
    assert view["verified"] is False
    times = view["time"]["claims"]
    assert list(times) == ["exp", "nbf", "iat"]
    assert times["exp"]["date"] == "2025-06-25T01:22:20Z"
    assert times["exp"]["relative"].startswith("expired ")
    assert times["nbf"]["relative"].startswith("not yet valid for ")
    assert times["iat"] == {
        "date": None,
        "relative": None,
        "note": "not a number of seconds (NumericDate)",
    }


def test_decode_garbage_is_a_usage_error(sample_dir: Path) -> None:
    result = run_cli("decode", "not.a-token", cwd=sample_dir)
    assert result.returncode == 2
    assert "not a token" in result.stderr


def test_token_claims_and_json(sample_dir: Path) -> None:
    result = run_cli(
        "token",
        "news-channel/evening",
        "--claim",
        'optiview={"ch":"news"}',
        "--claim",
        "sub=viewer-1",
        "--json",
        cwd=sample_dir,
    )
    view = json.loads(result.stdout)
    assert view["claims"]["optiview"] == {"ch": "news"}
    assert view["claims"]["sub"] == "viewer-1"
    assert view["verdict"] == "accepted"
    assert view["header"]["alg"] == "RS256"


def test_token_refuses_reserved_claims_and_keyless_scopes(sample_dir: Path) -> None:
    reserved = run_cli("token", "LiveApp/stream1", "--claim", "exp=1", cwd=sample_dir)
    assert reserved.returncode == 2
    assert "set by the console" in reserved.stderr
    keyless = run_cli("token", "news-channel/morning", cwd=sample_dir)
    assert keyless.returncode == 2
    assert "no key" in keyless.stderr


def test_list_on_a_server(tmp_path: Path, antmedia: AntMediaEmulator) -> None:
    result = on_antmedia(tmp_path, antmedia, "lab").run("list", "--json")
    assert result.returncode == 0, result.stderr
    scopes = [row["scope"] for row in json.loads(result.stdout)]
    assert scopes[:2] == ["LiveApp", "LiveApp/stream1"]
    assert len([s for s in scopes if s.startswith("LiveApp/")]) == 120
    assert antmedia.admin_password not in result.stdout + result.stderr


def test_server_errors_exit_3_and_missing_credentials_exit_2(
    tmp_path: Path, antmedia: AntMediaEmulator
) -> None:
    config = on_antmedia(tmp_path, antmedia, "lab").config
    missing = run_cli("list", "-c", str(config), "--server", "lab")
    assert missing.returncode == 2
    assert "SC_LAB is not set" in missing.stderr
    wrong_password = {"SC_LAB": f"{antmedia.admin_email}:wrong"}
    wrong = run_cli("list", "-c", str(config), "--server", "lab", env=wrong_password)
    assert wrong.returncode == 3
    assert "remote error" in wrong.stderr
    unknown = run_cli("list", "-c", str(config), "--server", "nope")
    assert unknown.returncode == 2
    assert "no server named 'nope' (configured: lab)" in unknown.stderr


def test_rotate_with_an_unreadable_key_file_is_a_usage_error(sample_dir: Path) -> None:
    (sample_dir / "latin1.secret").write_bytes(b"\xe9" * 40)
    for option, path in (("--secret-file", "absent.secret"), ("--public-key", "latin1.secret")):
        result = run_cli("rotate", "LiveApp", option, path, cwd=sample_dir)
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stderr
        assert option in result.stderr


def test_rotate_refuses_a_key_file_that_is_a_fifo(sample_dir: Path) -> None:
    """Opening a FIFO blocks until something writes to it: refused before it is opened."""
    os.mkfifo(sample_dir / "incoming.secret", 0o600)
    try:
        result = run_cli(
            "rotate", "LiveApp", "--secret-file", "incoming.secret", cwd=sample_dir, timeout=20
        )
    except subprocess.TimeoutExpired:
        pytest.fail("rotate --secret-file on a FIFO hung")
    assert result.returncode == 2, result.stderr
    assert "error: --secret-file: key file 'incoming.secret'" in result.stderr
    assert "is not a regular file" in result.stderr


def test_rotate_warns_about_a_private_key_file_other_users_can_read(sample_dir: Path) -> None:
    pem = sample_dir / "sample_keys" / "evening-news.pem"
    pem.chmod(0o644)
    scope, option = "news-channel/evening", "--private-key-file"
    result = run_cli("rotate", scope, option, str(pem), "--algorithm", "RS256", cwd=sample_dir)
    assert result.returncode == 0, result.stderr
    assert (
        f"warning: {option}: key file {str(pem)!r} is readable by other users (mode 0644); "
        f"run: chmod 600 {pem}"
    ) in result.stderr
