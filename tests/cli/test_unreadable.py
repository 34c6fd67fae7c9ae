"""An application the server could not read: its policy is unknown, never "off".

One Ant Media application answers 500 to every request (its settings and its broadcasts);
``list`` still prints the others, then exits 3; ``show`` and ``toggle`` report the failure.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.conftest import on_antmedia, run_cli
from tests.emulators import AntMediaEmulator

FAILING = "LiveApp"


@pytest.fixture
def server(tmp_path: Path, antmedia: AntMediaEmulator) -> tuple[list[str], dict[str, str]]:
    """The CLI options that name the emulator, and the environment with its credentials;
    every request about LiveApp answers 500."""
    lab = on_antmedia(tmp_path, antmedia, "lab")
    antmedia.faults.fail(500, times=None, path=f"*/{FAILING}")
    antmedia.faults.fail(500, times=None, path=f"/{FAILING}/*")
    return list(lab.args), lab.env


def test_list_prints_the_rest_marks_the_unreadable_one_and_exits_3(
    server: tuple[list[str], dict[str, str]],
) -> None:
    options, env = server
    text = run_cli("list", *options, env=env)
    assert text.returncode == 3, text.stderr
    rows = {line.split()[0]: line for line in text.stdout.splitlines()[1:]}
    assert rows[FAILING].split()[1:4] == ["antmedia", "unknown", "unknown"]
    assert rows[FAILING].endswith("! could not be read")
    assert rows["WebRTCAppEE"].split()[1:4] == ["antmedia", "on", "on"]
    assert "WebRTCAppEE/room-101" in rows  # the others' streams are listed
    assert text.stderr.startswith(f"error: {FAILING}: could not be read")
    assert "HTTP 500" in text.stderr

    as_json = run_cli("list", "--json", *options, env=env)
    assert as_json.returncode == 3
    by_scope = {row["scope"]: row for row in json.loads(as_json.stdout)}
    failing = by_scope[FAILING]
    assert failing["publish"] is None and failing["play"] is None
    assert "HTTP 500" in failing["error"]
    assert "error" not in by_scope["WebRTCAppEE"]
    assert by_scope["WebRTCAppEE"]["play"] is True


def test_show_says_unknown_and_exits_3(server: tuple[list[str], dict[str, str]]) -> None:
    options, env = server
    text = run_cli("show", FAILING, *options, env=env)
    assert text.returncode == 3
    assert "not set anywhere" not in text.stdout
    assert [line.split()[:2] for line in text.stdout.splitlines()[1:3]] == [
        ["publish", "unknown"],
        ["play", "unknown"],
    ]
    assert "HTTP 500" in text.stderr
    stream = run_cli("show", f"{FAILING}/stream1", *options, env=env)
    assert stream.returncode == 3
    assert "has no stream" not in stream.stderr

    as_json = json.loads(run_cli("show", FAILING, "--json", *options, env=env).stdout)
    assert as_json["policies"] is None
    assert "HTTP 500" in as_json["error"]


def test_toggle_reports_the_read_failure(
    server: tuple[list[str], dict[str, str]], antmedia: AntMediaEmulator
) -> None:
    options, env = server
    result = run_cli("toggle", FAILING, "--play", "on", *options, env=env)
    assert result.returncode == 3
    assert "has no key" not in result.stderr
    assert f"{FAILING}: could not be read" in result.stderr
    assert "HTTP 500" in result.stderr
    assert antmedia.log.count(method="POST", path="/rest/v2/applications/settings/*") == 0
