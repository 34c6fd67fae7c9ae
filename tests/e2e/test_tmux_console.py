"""End to end: the installed console in tmux at 80×24, driven by keys like an operator."""

from __future__ import annotations

import os
import stat
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from streamconsole.backends.toml_file import TomlSource
from tests.e2e.tmux import TMUX, TmuxSession

ROOT = Path(__file__).resolve().parents[2]
ENTRY = Path(sys.executable).with_name("streamconsole")

pytestmark = pytest.mark.skipif(TMUX is None, reason="tmux is not installed (.ci/run installs it)")


@pytest.fixture
def console(workdir: Path) -> Iterator[TmuxSession]:
    env = {
        "TERM": "xterm-256color",
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(workdir),
        "XDG_STATE_HOME": str(workdir / "state"),
        "TEXTUAL_ANIMATIONS": "none",
    }
    session = TmuxSession([str(ENTRY), "console.toml"], cwd=workdir, env=env)
    try:
        session.wait_for("LiveApp")
        yield session
    finally:
        session.close()


def _wait_for_change(path: Path, text: str, timeout: float = 15.0) -> str:
    """The file's new text once it differs from ``text`` (an atomic save replaces it whole)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        now = path.read_text()
        if now != text:
            return now
        time.sleep(0.05)
    raise AssertionError(f"{path} was not saved within {timeout} s")


def test_filter_toggle_save_rotate_token_quit(console: TmuxSession, workdir: Path) -> None:
    config = workdir / "console.toml"
    before = config.read_text()

    # Filter down to the sports channel (type only once the filter has focus: until then,
    # letters are the list's bindings).
    console.keys("/")
    console.wait_for("esc Clear")
    console.type("match")
    console.wait_for("match-day")
    # The list filters at once; the detail follows the cursor a moment later.
    console.wait_until_gone("LiveApp")
    console.keys("Escape")  # leave the filter
    console.keys("Escape")  # clear it
    console.wait_for("LiveApp")

    # Select LiveApp (first row) and turn play enforcement on; it is unsaved until ctrl+s.
    console.keys("Home", "l")
    console.wait_for("unsaved")
    assert config.read_text() == before
    console.keys("C-s")
    # The file on disk, not a toast, says the save is done: a toast from an earlier save
    # can still be on screen when the next one starts.
    saved = _wait_for_change(config, before)
    assert TomlSource(config).load_sync().applications["LiveApp"].settings.play is True

    # Rotate LiveApp's key: generate, use, save.
    console.keys("r")
    console.wait_for("Rotate key")
    console.keys("C-g")
    console.wait_for("hs:", timeout=10)
    console.keys("C-y")
    console.wait_until_gone("Rotate key")
    console.keys("C-s")
    _wait_for_change(config, saved)
    console.wait_for("Saved")
    entry = TomlSource(config).load_sync().applications["LiveApp"].settings.key
    assert entry is not None
    assert entry.location.startswith("keys/")
    assert stat.S_IMODE((workdir / entry.location).stat().st_mode) == 0o600

    # Token preview for stream1: accepted with the new key, shown with its countdown.
    console.keys("Down", "t")
    screen = console.wait_for("Token preview")
    assert "ACCEPTED" in console.wait_for("ACCEPTED")
    assert entry.fingerprint in screen or entry.fingerprint in console.screen()
    assert "expires in" in console.screen()
    console.keys("Escape")
    console.wait_until_gone("Token preview")

    # The secret itself was never on screen.
    assert entry.key.secret.reveal() not in console.screen()  # type: ignore[union-attr]

    console.keys("q")
    console.wait_until_gone("LiveApp")


def test_keys_typed_in_one_burst_after_the_slash_go_to_the_filter(
    console: TmuxSession, workdir: Path
) -> None:
    # Fast typing over SSH arrives at once: the r of "room" must not open the rotate dialog,
    # the o must not open another source, and "spo" must not turn publish JWT off.
    before = (workdir / "console.toml").read_text()
    console.type("/room")
    screen = console.wait_for("\nroom\n")  # the filter line holds all of it
    console.wait_for("room-102")
    # tmux may show a frame half drawn: wait for the whole of it, then look.
    screen = console.wait_until_gone("LiveApp (")
    assert "room-102" in screen and "Rotate key" not in screen
    # Escape clears the filter; wait until it has (a lone ESC is only known for one once
    # nothing follows it, so the next burst must not come before).
    console.keys("Escape")
    console.wait_for("/ filter by name")
    console.type("/spo")
    screen = console.wait_for("\nspo\n")
    assert "unsaved" not in screen and "Publish JWT off" not in screen
    console.keys("Escape")
    console.wait_for("/ filter by name")
    console.keys("q")
    console.wait_until_gone("LiveApp")
    assert (workdir / "console.toml").read_text() == before


def test_quit_with_unsaved_changes_asks(console: TmuxSession, workdir: Path) -> None:
    before = (workdir / "console.toml").read_text()
    console.keys("Home", "p")
    console.wait_for("unsaved")
    console.keys("q")
    screen = console.wait_for("Quit with 1 unsaved change?")
    assert "LiveApp: publish JWT off" in screen
    assert all(choice in screen for choice in ("Save", "Discard", "Cancel"))
    # Discard, and the file stays as it was.
    console.keys("D")
    console.wait_until_gone("LiveApp")
    assert (workdir / "console.toml").read_text() == before
