"""What the console costs while it sits idle on the token preview with its countdown running.

The console runs on a real pseudo-terminal (80×24, xterm-256color) with the sample config;
the benchmark opens the token preview on a stream, lets it settle, then for 10 s counts the
bytes the console writes to the terminal and the CPU time it uses (/proc). The same is
measured for a bare Textual app sitting idle, as the baseline.
Targets: ≤ 1 % CPU and ≤ 1 KB/s written.
Run: python benchmarks/idle_bench.py [--seconds 10]
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
import termios
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
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

    def __init__(self, command: list[str]) -> None:
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        env = {**os.environ, "TERM": "xterm-256color", "TEXTUAL_ANIMATIONS": "none"}
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
            self.read(0.1)

    def send(self, keys: bytes) -> None:
        os.write(self.master, keys)

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
        os.close(self.master)


def measure(terminal: Terminal, seconds: float) -> tuple[float, float]:
    cpu_before = cpu_seconds(terminal.process.pid)
    written = terminal.read(seconds)
    cpu = cpu_seconds(terminal.process.pid) - cpu_before
    return cpu / seconds * 100, written / seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()

    bare = Terminal([sys.executable, "-c", BARE])
    bare.wait_for(b"hello")
    bare.read(2)
    bare_cpu, bare_bytes = measure(bare, args.seconds)
    bare.close()

    console = Terminal([sys.executable, "-m", "streamconsole", "sample_config.toml"])
    console.wait_for(b"stream1")
    console.send(b"\x1b[B")  # down: the first stream
    console.read(0.5)
    console.send(b"t")  # token preview with its countdown
    console.wait_for(b"expires in")
    console.read(2)  # let it settle
    cpu, written = measure(console, args.seconds)
    console.close()

    ok = cpu <= 1.0 and written <= 1024
    print(
        f"idle on the token preview for {args.seconds:.0f} s: CPU {cpu:.2f} % "
        f"(bare Textual idle {bare_cpu:.2f} %), written {written:.0f} B/s "
        f"(bare {bare_bytes:.0f} B/s)  (targets <= 1 % CPU, <= 1 KB/s)  "
        f"{'PASS' if ok else 'MISS'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
