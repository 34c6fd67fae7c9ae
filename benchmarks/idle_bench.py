"""What the console costs while it sits idle on the token preview with its countdown running.

The console runs on a real pseudo-terminal (80×24, xterm-256color) on the sample config as a
fresh clone leaves it (fresh_clone.py: key files 0644, which the console warns about); the
benchmark opens the token preview on a stream, lets it settle, then for --seconds counts the
bytes the console writes to the terminal and the CPU time it uses (/proc). A bare Textual app
sitting idle is the baseline. Each measurement is a fresh process, the bare app and the
console alternately (paired.py: a warm-up pair, then --pairs pairs); the verdicts come from
the console's medians. Targets: ≤ 1 % CPU and ≤ 1 KB/s written.
Run: python benchmarks/idle_bench.py [--seconds 10] [--pairs N] [--quick]
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import select
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

from fresh_clone import sample_as_cloned
from paired import Target, add_arguments, measure_pairs, pairs_wanted

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"cpu": Target(1.0), "written": Target(1024.0)}  # % of one core; bytes per second
BARE = """
from textual.app import App
from textual.widgets import Footer, Static

class Bare(App[None]):
    def compose(self):
        yield Static("hello")
        yield Footer()

Bare().run()
"""


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Terminal:
    """A child process on a pseudo-terminal of its own."""

    def __init__(self, command: list[str], env: dict[str, str]) -> None:
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        env = {**env, "TERM": "xterm-256color", "TEXTUAL_ANIMATIONS": "none"}
        self.process = subprocess.Popen(
            command,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
        os.close(slave)
        self.screen = b""

    def read(self, seconds: float) -> int:
        """Bytes written by the child during ``seconds``."""
        count, deadline = 0, time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            ready, _, _ = select.select([self.master], [], [], left)
            if ready:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:
                    break
                count += len(chunk)
                self.screen = (self.screen + chunk)[-200_000:]
        return count

    def wait_for(self, text: bytes, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.screen:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{text!r} did not appear")
            self.read(0.01)  # short: a benchmark times how soon the text appears

    def send(self, keys: bytes) -> None:
        os.write(self.master, keys)

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
        os.close(self.master)


def measure(terminal: Terminal, seconds: float) -> tuple[float, float]:
    """(CPU in % of one core, bytes written per second) over ``seconds``."""
    cpu_before = cpu_seconds(terminal.process.pid)
    written = terminal.read(seconds)
    cpu = cpu_seconds(terminal.process.pid) - cpu_before
    return cpu / seconds * 100, written / seconds


def idle_bare(env: dict[str, str], seconds: float, settle: float) -> tuple[float, float]:
    bare = Terminal([sys.executable, "-c", BARE], env)
    try:
        bare.wait_for(b"hello")
        bare.read(settle)
        return measure(bare, seconds)
    finally:
        bare.close()


def idle_console(
    config: Path, env: dict[str, str], seconds: float, settle: float
) -> tuple[float, float]:
    console = Terminal([sys.executable, "-m", "streamconsole", str(config)], env)
    try:
        console.wait_for(b"stream1")
        console.send(b"\x1b[B")  # down: the first stream
        console.read(0.5)
        console.send(b"t")  # token preview with its countdown
        console.wait_for(b"expires in")
        console.read(settle)
        return measure(console, seconds)
    finally:
        console.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seconds", type=float, default=None, help="each window (10; 2 quick)")
    add_arguments(parser)
    options = parser.parse_args()
    pairs = pairs_wanted(options)
    seconds = options.seconds or (2.0 if options.quick else 10.0)
    settle = 1.0 if options.quick else 2.0
    with tempfile.TemporaryDirectory() as directory:
        config = sample_as_cloned(Path(directory))
        env = {**os.environ, "XDG_STATE_HOME": str(Path(directory) / "state")}
        idle = measure_pairs(
            lambda: idle_bare(env, seconds, settle),
            lambda: idle_console(config, env, seconds, settle),
            pairs,
        )
    cpu, written = TARGETS["cpu"], TARGETS["written"]
    ours, bare = idle.side_b(lambda result: result[0]), idle.side_a(lambda result: result[0])
    print(
        f"idle on the token preview (fresh clone), CPU: {ours.show(1, 2, ' %')} over {pairs} "
        f"windows of {seconds:g} s; bare Textual {bare.show(1, 2, ' %')}  "
        f"({cpu.describe(' %')})  {cpu.verdict(ours.median)}"
    )
    ours, bare = idle.side_b(lambda result: result[1]), idle.side_a(lambda result: result[1])
    print(
        f"idle on the token preview (fresh clone), written: {ours.show(1, 0, ' B/s')} over "
        f"{pairs} windows of {seconds:g} s; bare Textual {bare.show(1, 0, ' B/s')}  "
        f"({written.describe(' B/s')})  {written.verdict(ours.median)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
