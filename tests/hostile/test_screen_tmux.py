"""Hostile names on a real terminal: the installed console in tmux (80×24, ``set-clipboard
on``) on the Ant Media emulator, whose application and stream names carry a right-to-left
override and markup, and whose stream's label carries an OSC 52 clipboard write and an SGR
colour.

tmux makes a paste buffer of every OSC 52 a program writes: none may appear. No cell may
take the colour a label asks for (tmux shows it as SGR 31 in ``capture-pane -e``; the
console's own colours are 256-colour ones), and no bidi control may reach a cell.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.test_tmux_remote import lab_config, start
from tests.e2e.tmux import TMUX, TmuxSession
from tests.emulators import AntMediaEmulator
from tests.emulators.antmedia_state import hostile_state

pytestmark = pytest.mark.skipif(TMUX is None, reason="tmux is not installed (.ci/run installs it)")


@pytest.fixture
def console(tmp_path: Path, antmedia: AntMediaEmulator) -> Iterator[TmuxSession]:
    antmedia.state = hostile_state()
    tmux_conf = tmp_path / "tmux.conf"
    tmux_conf.write_text("set -g set-clipboard on\n", encoding="utf-8")
    session = start(lab_config(tmp_path, antmedia), antmedia, tmux_conf=tmux_conf)
    try:
        yield session
    finally:
        session.close()


def assert_nothing_raw(console: TmuxSession) -> None:
    assert console.buffers() == ""  # no OSC 52 reached tmux
    cells = console.screen(attributes=True)
    assert "\x1b[31m" not in cells
    assert "\u202e" not in cells


def test_a_hostile_name_neither_sets_the_clipboard_nor_colours_the_screen(
    console: TmuxSession,
) -> None:
    console.wait_for("LiveApp (120)")
    console.keys("End", "Enter", "Down")  # the hostile application's stream
    screen = console.wait_for("edits here change")  # the detail names the application
    assert_nothing_raw(console)
    assert "Camera \\x1b]52;c;aGk=\\x07\\x1b[31mred" in screen  # the label, as escapes
    console.keys("l")  # a notification names the application
    screen = console.wait_for("Play JWT on for Evil")
    assert_nothing_raw(console)
    assert "Play JWT on for Evil\\u202e[bold red]markup" in screen  # markup as text
    console.keys("C-p")  # the palette names the stream
    screen = console.wait_for("Toggle play JWT: Evil")
    assert_nothing_raw(console)
    assert "Toggle play JWT: Evil\\u202e[bold red]markup/cam\\u202e[bold" in screen
