"""End to end: the installed console in tmux on terminals that can show less (issue 12,
item 14): ASCII on the Linux console (``TERM=linux``) and with ``--ascii``, and a window
too small, then large enough again."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.e2e.tmux import TMUX, TmuxSession

ROOT = Path(__file__).resolve().parents[2]
ENTRY = Path(sys.executable).with_name("streamconsole")

pytestmark = pytest.mark.skipif(TMUX is None, reason="tmux is not installed (.ci/run installs it)")


@contextmanager
def console_on(workdir: Path, term: str, *options: str) -> Iterator[TmuxSession]:
    env = {
        "TERM": term,
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(workdir),
        "XDG_STATE_HOME": str(workdir / "state"),
        "TEXTUAL_ANIMATIONS": "none",
    }
    session = TmuxSession([str(ENTRY), "console.toml", *options], cwd=workdir, env=env)
    try:
        yield session
    finally:
        session.close()


@pytest.mark.parametrize(
    ("term", "options"), [("linux", ()), ("xterm-256color", ("--ascii",))], ids=["linux", "ascii"]
)
def test_the_console_draws_ascii_only(workdir: Path, term: str, options: tuple[str, ...]) -> None:
    with console_on(workdir, term, *options) as console:
        screen = console.wait_for("LiveApp")
        screen = console.wait_for("P+ >-")  # LiveApp: publish enforced, play off
        console.keys("d")  # the detail full screen: its border and scroll hint
        screen += console.wait_for("up/down scroll")
        assert {char for char in screen if not char.isascii()} == set(), screen


def test_unicode_elsewhere(workdir: Path) -> None:
    with console_on(workdir, "xterm-256color") as console:
        console.wait_for("P● ▶○")


def test_too_small_then_large_enough_again(workdir: Path) -> None:
    with console_on(workdir, "xterm-256color") as console:
        console.wait_for("LiveApp")
        console.resize(50, 12)
        screen = console.wait_for("The terminal is too small: 50×12.")
        assert "60×16" in screen and "LiveApp" not in screen
        console.resize(80, 24)
        console.wait_for("LiveApp")
