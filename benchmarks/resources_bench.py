"""Memory with 100k aliases, and the UI's responsiveness while an RSA key is generated.

Prints, each against a baseline measured alternately with it (paired.py: a warm-up pair,
then --pairs pairs; medians with min–max):
  peak RSS of the console with a 100k-alias config open (10k with --quick) over a bare
      Textual app, per pair (target: ≤ +60 MiB)
  the longest gap between UI timer ticks (every 10 ms) while the rotate dialog generates a
      4096-bit RSA key in its worker, against the same gaps with nothing generating
      (target: ≤ 50 ms)
Our modules are compiled to bytecode first, as installing the wheel does (cli_bench.py).
Run: python benchmarks/resources_bench.py [--pairs N] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from cli_bench import write_bytecode
from paired import Target, add_arguments, measure_pairs, pairs_wanted
from toml_bench import generate
from tui_bench import BARE_APP, CONSOLE_APP

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {
    "rss": Target(60.0),  # MiB over a bare Textual app's peak
    "gap": Target(0.050),  # seconds: the longest UI tick gap while RSA-4096 is generated
}
IDLE_SECONDS = 1.5  # the idle baseline's span: about an RSA-4096 generation here

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
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    add_arguments(parser)
    options = parser.parse_args()
    pairs = pairs_wanted(options)
    aliases = 10_000 if options.quick else 100_000
    write_bytecode()
    with tempfile.TemporaryDirectory() as directory:
        config = Path(directory) / "big.toml"
        config.write_text(generate(aliases))
        rss = measure_pairs(
            lambda: peak_rss_mib(BARE_APP), lambda: peak_rss_mib(CONSOLE_APP, str(config)), pairs
        )
    extra, target = rss.difference(float), TARGETS["rss"]
    print(
        f"peak RSS at {aliases // 1000}k aliases over bare Textual: {extra.show(1, 0, ' MiB')} "
        f"over {pairs} pairs; bare {rss.side_a(float).median:.0f} MiB, console "
        f"{rss.side_b(float).median:.0f} MiB, {rss.ratio(float).show(unit='x')}  "
        f"({target.describe(' MiB')})  {target.verdict(extra.median)}"
    )
    gaps = measure_pairs(
        lambda: asyncio.run(frame_gaps(False, seconds=IDLE_SECONDS)),
        lambda: asyncio.run(frame_gaps(True)),
        pairs,
    )
    busy, target = gaps.side_b(lambda gap: gap[0]), TARGETS["gap"]
    print(
        f"UI frame gap while generating RSA-4096 "
        f"({gaps.side_b(lambda gap: gap[1]).median:.1f} s): longest {busy.show(1000, 0, ' ms')} "
        f"over {pairs} pairs, idle baseline {gaps.side_a(lambda gap: gap[0]).show(1000, 0, ' ms')}"
        f"  (target <= {target.limit * 1000:g} ms)  {target.verdict(busy.median)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
