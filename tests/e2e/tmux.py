"""A terminal session in tmux: start a command at a fixed size, type keys, read the screen."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import time
import uuid
from collections.abc import Mapping
from pathlib import Path

TMUX = shutil.which("tmux")


class TmuxSession:
    def __init__(
        self,
        command: list[str],
        *,
        cwd: Path,
        env: Mapping[str, str],
        tmux_conf: Path = Path("/dev/null"),
    ) -> None:
        """``tmux_conf``: the server's configuration (none by default)."""
        if TMUX is None:
            raise RuntimeError("tmux is not installed")
        self.name = f"sc-{uuid.uuid4().hex[:8]}"
        # A private server socket: nothing of the user's tmux is touched.
        self._base = [TMUX, "-L", self.name, "-f", str(tmux_conf)]
        exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
        # No COLUMNS or LINES: under pytest the children inherit COLUMNS=80 and LINES=24
        # (set below os.environ, which does not show them), and a program takes them for
        # the terminal's size however the window is resized.
        shell = (
            f"cd {shlex.quote(str(cwd))} && env -u COLUMNS -u LINES {exports} "
            f"{shlex.join(command)}; sleep 30"
        )
        subprocess.run(
            [*self._base, "new-session", "-d", "-s", self.name, "-x", "80", "-y", "24", shell],
            check=True,
        )

    def keys(self, *keys: str, pause: float = 0.15) -> None:
        for key in keys:
            subprocess.run([*self._base, "send-keys", "-t", self.name, key], check=True)
            time.sleep(pause)

    def resize(self, width: int, height: int) -> None:
        """The window (and its one pane) to ``width`` × ``height``, as a terminal resized."""
        self._tmux("resize-window", "-t", self.name, "-x", str(width), "-y", str(height))

    def type(self, text: str) -> None:
        subprocess.run([*self._base, "send-keys", "-t", self.name, "-l", text], check=True)

    def screen(self, *, attributes: bool = False) -> str:
        """The pane's text; with ``attributes``, each cell's colours and attributes too, as
        tmux writes them (SGR sequences)."""
        return self._tmux("capture-pane", "-t", self.name, "-p", *(["-e"] if attributes else []))

    def buffers(self) -> str:
        """tmux's paste buffers, one line each: a program sets one with OSC 52 when the
        server's ``set-clipboard`` is on."""
        return self._tmux("list-buffers")

    def _tmux(self, *arguments: str) -> str:
        return subprocess.run(
            [*self._base, *arguments], check=True, capture_output=True, text=True
        ).stdout

    def wait_for(self, text: str, timeout: float = 15.0) -> str:
        """The screen once it shows ``text``; fails with the last screen after ``timeout``."""
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if text in screen:
                return screen
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} never appeared; the screen was:\n{screen}")
            time.sleep(0.1)

    def wait_until_gone(self, text: str, timeout: float = 15.0) -> str:
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if text not in screen:
                return screen
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} never went away; the screen was:\n{screen}")
            time.sleep(0.1)

    def close(self) -> None:
        subprocess.run([*self._base, "kill-server"], check=False, capture_output=True)
