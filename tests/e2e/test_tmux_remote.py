"""End to end on a server: the installed console in tmux at 80×24 with ``--server`` against
the Ant Media emulator, credentials from an environment variable, driven by keys."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.tmux import TMUX, TmuxSession
from tests.emulators import AntMediaEmulator

ENTRY = Path(sys.executable).with_name("streamconsole")
CREDENTIALS_ENV = "STREAMCONSOLE_LAB"

pytestmark = pytest.mark.skipif(TMUX is None, reason="tmux is not installed (.ci/run installs it)")


@pytest.fixture
def workdir(tmp_path: Path, antmedia: AntMediaEmulator) -> Path:
    return lab_config(tmp_path, antmedia)


def lab_config(directory: Path, antmedia: AntMediaEmulator) -> Path:
    """``directory``, with a console.toml whose ``[servers.lab]`` is the emulator."""
    (directory / "console.toml").write_text(
        f'[servers.lab]\nkind = "antmedia"\nurl = "{antmedia.base_url}"\n'
        f'credentials_env = "{CREDENTIALS_ENV}"\n',
        encoding="utf-8",
    )
    return directory


def start(
    workdir: Path, antmedia: AntMediaEmulator, *options: str, tmux_conf: Path = Path("/dev/null")
) -> TmuxSession:
    env = {
        "TERM": "xterm-256color",
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(workdir),
        "XDG_STATE_HOME": str(workdir / "state"),
        "TEXTUAL_ANIMATIONS": "none",
        CREDENTIALS_ENV: f"{antmedia.admin_email}:{antmedia.admin_password}",
    }
    command = [str(ENTRY), "console.toml", "--server", "lab", *options]
    return TmuxSession(command, cwd=workdir, env=env, tmux_conf=tmux_conf)


@pytest.fixture
def console(workdir: Path, antmedia: AntMediaEmulator) -> Iterator[TmuxSession]:
    session = start(workdir, antmedia)
    try:
        yield session
    finally:
        session.close()


def test_toggle_and_save_on_the_server(console: TmuxSession, antmedia: AntMediaEmulator) -> None:
    # Every application's streams came in after the list (in the background: wait for all).
    screen = console.wait_for("3 applications · 123 aliases")
    assert "lab · admin@example.com · " in screen
    assert "LiveApp (120)" in screen
    assert antmedia.state.settings("LiveApp")["playJwtControlEnabled"] is False

    console.keys("Home", "l")
    console.wait_for("1 unsaved")
    assert antmedia.log.count(method="POST", path="/rest/v2/applications/settings/*") == 0
    console.keys("C-s")
    console.wait_for("Saved 1 change to lab")
    assert antmedia.state.settings("LiveApp")["playJwtControlEnabled"] is True

    # The streams of an application open under it.
    console.keys("Enter")
    console.wait_for("lobby-camera")
    console.keys("q")
    console.wait_until_gone("LiveApp")


def test_read_only_on_the_server_posts_nothing(workdir: Path, antmedia: AntMediaEmulator) -> None:
    session = start(workdir, antmedia, "--read-only")
    try:
        screen = session.wait_for("LiveApp (120)")
        assert "READ-ONLY" in screen
        session.keys("Home", "l")
        session.wait_for("read-only mode")
        session.keys("C-s")
        session.keys("q")
        session.wait_until_gone("LiveApp")
    finally:
        session.close()
    assert antmedia.log.count(method="POST", path="/rest/v2/applications/settings/*") == 0
    assert antmedia.state.settings("LiveApp")["playJwtControlEnabled"] is False
