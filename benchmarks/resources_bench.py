"""Memory with 100k aliases, and the UI's responsiveness while an RSA key is generated.

Prints, each against a baseline measured in the same run:
  peak RSS of the console with a 100k-alias config open ÷ (and −) a bare Textual app
      (target: ≤ +150 MB)
  the longest gap between UI timer ticks (every 10 ms) while the rotate dialog generates a
      4096-bit RSA key in its worker, against the same gaps with nothing generating
      (target: ≤ 50 ms)
Run: python benchmarks/resources_bench.py
"""

from __future__ import annotations

import asyncio
import itertools
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from toml_bench import generate
from tui_bench import BARE_APP, CONSOLE_APP

ROOT = Path(__file__).resolve().parent.parent

# Runs one child and prints its peak RSS (KiB): RUSAGE_CHILDREN covers only that child.
PEAK_RSS = """
import resource, subprocess, sys
subprocess.run([sys.executable, "-c", *sys.argv[1:]], stdout=subprocess.DEVNULL, check=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def peak_rss_mib(code: str, *args: str) -> float:
    out = subprocess.run(
        [sys.executable, "-c", PEAK_RSS, code, *args],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={"TEXTUAL_ANIMATIONS": "none", "PATH": ""},
    )
    return int(out.stdout.split()[-1]) / 1024


async def frame_gaps(generate_rsa: bool, seconds: float = 0.0) -> tuple[float, float]:
    """(longest gap between 10 ms ticks, seconds observed)."""
    from textual.app import App

    from streamconsole.core.keys import Algorithm
    from streamconsole.core.model import Alias, Application, ServerKind
    from streamconsole.tui.rotate import RotateKeyScreen

    channel = Application("news", ServerKind.THEOLIVE)
    channel.aliases["evening"] = Alias("evening")
    ticks: list[float] = []

    class Host(App[None]):
        def on_mount(self) -> None:
            self.set_interval(0.01, lambda: ticks.append(time.perf_counter()))

    host = Host()
    async with host.run_test(size=(100, 40)) as pilot:
        screen = RotateKeyScreen(channel, channel.aliases["evening"], clock=time.time)
        await host.push_screen(screen)
        await pilot.pause()
        started = time.perf_counter()
        ticks.clear()
        if generate_rsa:
            from textual.widgets import Select

            screen.query_one("#rotate-algorithm", Select).value = Algorithm.RS256
            screen.query_one("#rotate-rsa-bits", Select).value = 4096
            await pilot.pause()
            screen.action_generate()
            await pilot.pause()
            while screen.generating:
                await asyncio.sleep(0.01)
            candidate = screen.candidate
            if candidate is None or candidate.algorithm is not Algorithm.RS256:
                raise RuntimeError("no RSA key was generated")
        else:
            await asyncio.sleep(seconds)
        elapsed = time.perf_counter() - started
    gaps = [b - a for a, b in itertools.pairwise(ticks)]
    return (max(gaps) if gaps else elapsed), elapsed


def main() -> int:
    with tempfile.TemporaryDirectory() as directory:
        config = Path(directory) / "big.toml"
        config.write_text(generate(100_000))
        bare = peak_rss_mib(BARE_APP)
        console = peak_rss_mib(CONSOLE_APP, str(config))
    extra = console - bare
    print(
        f"peak RSS: bare Textual {bare:.0f} MiB, console with 100k aliases {console:.0f} MiB: "
        f"+{extra:.0f} MiB ({console / bare:.1f}x)  (target <= +150 MB)  "
        f"{'PASS' if extra * 1.048576 <= 150 else 'MISS'}"
    )
    busy_gap, busy_time = asyncio.run(frame_gaps(True))
    idle_gap, _ = asyncio.run(frame_gaps(False, seconds=min(busy_time, 3.0)))
    print(
        f"UI frame gap while generating RSA-4096 ({busy_time:.1f} s): longest {busy_gap * 1000:.0f}"
        f" ms, idle baseline {idle_gap * 1000:.0f} ms  (target <= 50 ms)  "
        f"{'PASS' if busy_gap <= 0.05 else 'MISS'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
