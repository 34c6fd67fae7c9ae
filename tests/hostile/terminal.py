"""What the console writes to a terminal: a Textual driver that keeps every byte, and what
in those bytes only a hostile name could have put there."""

from __future__ import annotations

import re

from textual.driver import Driver
from textual.drivers.headless_driver import HeadlessDriver

from tests.emulators.hostile_names import RED
from tests.hostile.support import unsafe_bytes_in

# What Textual writes itself: CSI sequences (SGR, cursor moves, modes) and OSC 22, the
# mouse pointer's shape (BEL-terminated).
_OWN_SEQUENCES = re.compile(r"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b\]22;[a-z-]*\x07")


def recording_driver(sink: list[str]) -> type[Driver]:
    """A driver class for ``App.driver_class``: Textual's headless driver, except that the
    app draws for it as for a terminal (it draws nothing for a headless one), and every
    write goes to ``sink``. Run the app with ``run_test(headless=False)``."""

    class RecordingDriver(HeadlessDriver):
        @property
        def is_headless(self) -> bool:
            return False

        def write(self, data: str) -> None:
            sink.append(data)

    return RecordingDriver


def raw_controls(output: str) -> list[str]:
    """What of a hostile name reached the terminal raw, each shown with its context:
    an escape sequence of the name's own (the SGR 31 it carries, or any ESC that is not
    Textual's), a BEL, a CR, a C1 control or a bidi control."""
    found = [_around(output, output.index(RED + "red"))] if RED + "red" in output else []
    rest = _OWN_SEQUENCES.sub("", output)
    characters = [raw.decode() for raw in unsafe_bytes_in(rest.encode())]
    characters += [c for c in ("\x07", "\r") if c in rest]
    found += [_around(rest, rest.index(c)) for c in characters]
    return found


def _around(text: str, index: int) -> str:
    return repr(text[max(index - 40, 0) : index + 40])
